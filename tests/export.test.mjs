// The Export tab: target, scope (which is also the lint scope), names, snippet, highlighted
// output, copy with confirmation, download with the core's file name, warnings, refusal; and
// import from an ARM template (choosing among several policies).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  launch, openApp, setEditorText, openTab, untilEditorText, waitForCount,
} from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const output = (page) => page.getByTestId('export-output');

async function outputText(page) {
  return output(page).textContent();
}

test('ARM, Bicep and Terraform for each scope, highlighted, with names and snippets', async () => {
  const { page, errors } = await openApp(env);
  await openTab(page, 'export');
  await output(page).waitFor();
  assert.equal(await page.getByTestId('export-target').inputValue(), 'arm');
  assert.equal(await page.getByTestId('export-scope').inputValue(), 'api');
  let text = await outputText(page);
  const arm = JSON.parse(text);
  assert.ok(arm.resources.some((r) => r.type === 'Microsoft.ApiManagement/service/apis/policies'), text);
  assert.match(text, /rawxml/);
  assert.match(text, /\{\{backend-api-key\}\}/);
  assert.equal(await page.getByTestId('export-file-name').textContent(), 'orders-policy.json');
  assert.ok(await output(page).locator('.hl-key').count() > 5, 'keys are highlighted');

  await page.getByTestId('export-target').selectOption('bicep');
  await page.waitForFunction(() => document.querySelector('[data-testid="export-output"]')?.dataset.target === 'bicep');
  text = await outputText(page);
  assert.match(text, /resource \w+ 'Microsoft\.ApiManagement\/service\/apis\/policies@/);
  assert.ok(await output(page).locator('.hl-keyword').count() > 2);

  await page.getByTestId('export-target').selectOption('terraform');
  await page.waitForFunction(() => document.querySelector('[data-testid="export-output"]')?.dataset.target === 'terraform');
  assert.match(await outputText(page), /resource "azurerm_api_management_api_policy"/);

  await page.getByTestId('export-scope').selectOption('operation');
  await page.waitForFunction(() => /azurerm_api_management_api_operation_policy/.test(
    document.querySelector('[data-testid="export-output"]')?.textContent ?? ''));
  await page.getByTestId('export-operation').fill('get-item');
  await page.waitForFunction(() => /get-item/.test(document.querySelector('[data-testid="export-output"]')?.textContent ?? ''));
  assert.equal(await page.getByTestId('export-file-name').textContent(), 'orders-get-item-policy.tf');

  await page.getByTestId('export-scope').selectOption('global');
  await page.getByTestId('export-target').selectOption('arm');
  await page.getByTestId('export-snippet').check();
  await page.waitForFunction(() => /snippet/.test(document.querySelector('[data-testid="export-file-name"]')?.textContent ?? ''));
  assert.doesNotMatch(await outputText(page), /"\$schema"/);
  // Warnings and notes come with the output.
  assert.ok(await page.getByTestId('export-diagnostic').count() >= 1);
  // The export scope is the lint scope: <base /> at the global scope is reported.
  await openTab(page, 'problems');
  await page.getByTestId('problem').first().waitFor();
  // The choice survives a reload (it is part of the workspace).
  await page.reload();
  await openTab(page, 'export');
  assert.equal(await page.getByTestId('export-scope').inputValue(), 'global');
  assert.equal(await page.getByTestId('export-snippet').isChecked(), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('copy shows a confirmation and download uses the core file name', async () => {
  const context = await env.browser.newContext({ acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const { page, errors } = await openApp(env, { context });
  await openTab(page, 'export');
  await page.getByTestId('export-target').selectOption('bicep');
  await page.waitForFunction(() => document.querySelector('[data-testid="export-output"]')?.dataset.target === 'bicep');
  await page.getByTestId('copy-export').click();
  await page.getByTestId('copy-status').getByText('Copied to the clipboard.').waitFor();
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(clip, await outputText(page));

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('download-export').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'orders-policy.bicep');
  assert.equal(await readFile(await download.path(), 'utf8'), clip);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a broken policy is not exported, with the reasons', async () => {
  const { page } = await openApp(env);
  await setEditorText(page, '<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>');
  await openTab(page, 'export');
  const reasons = page.getByTestId('export-diagnostic');
  await reasons.first().waitFor();
  assert.equal(await reasons.first().getAttribute('data-severity'), 'error');
  assert.equal(await output(page).count(), 0);
  await page.close();
});

test('import: paste an ARM template, choose one of its policies, load it', async () => {
  const { page, errors } = await openApp(env);
  await openTab(page, 'export');
  const template = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [
      {
        type: 'Microsoft.ApiManagement/service/apis/policies', apiVersion: '2022-08-01',
        name: 'apim/orders/policy',
        properties: { format: 'rawxml', value: '<policies>\n  <inbound>\n    <base />\n    <!-- imported api é -->\n  </inbound>\n</policies>' },
      },
      {
        type: 'Microsoft.ApiManagement/service/products/policies', apiVersion: '2022-08-01',
        name: 'apim/starter/policy',
        properties: { format: 'rawxml', value: '<policies>\n  <inbound>\n    <base />\n    <!-- imported product -->\n  </inbound>\n</policies>' },
      },
      {
        type: 'Microsoft.ApiManagement/service/namedValues', apiVersion: '2022-08-01',
        name: 'apim/imported-nv', properties: { displayName: 'imported-nv', value: 'v1' },
      },
    ],
  };
  await page.getByText('Import from an ARM template').click();
  await page.getByTestId('import-arm').fill(JSON.stringify(template, null, 2));
  await page.getByTestId('import-read').click();
  const choices = page.getByTestId('import-policy');
  await choices.first().waitFor();
  assert.equal(await choices.count(), 2);
  await choices.filter({ hasText: 'product' }).getByTestId('import-load').click();
  await untilEditorText(page, (t) => t.includes('<!-- imported product -->'));
  assert.equal(await page.getByTestId('export-scope').inputValue(), 'product');
  assert.equal(await page.getByTestId('export-product').inputValue(), 'starter');
  assert.match(await page.getByTestId('notice').textContent(), /policy of product 'starter'/);
  await waitForCount(page, /^No problems$/);

  await page.getByTestId('import-named-values').click();
  await openTab(page, 'simulate');
  await page.locator('[data-testid="named-value"][data-name="imported-nv"]').waitFor();

  // A template with one policy loads it right away.
  await openTab(page, 'export');
  template.resources = [template.resources[0]];
  await page.getByTestId('import-arm').fill(JSON.stringify(template));
  await page.getByTestId('import-read').click();
  await untilEditorText(page, (t) => t.includes('<!-- imported api é -->'));
  assert.equal(await page.getByTestId('export-scope').inputValue(), 'api');
  assert.deepEqual(errors, []);
  await page.close();
});

test("the Export panel's code loads when the tab is first opened; a failed load offers Retry", async () => {
  const { page, context, errors } = await openApp(env);
  const chunks = [];
  page.on('request', (r) => { if (/\/split_export-[0-9a-f]+\.wasm$/.test(r.url())) chunks.push(r.url()); });
  // Offline: the chunk cannot be fetched.
  await context.route(/\/split_export-[0-9a-f]+\.wasm$/, (route) => route.abort('internetdisconnected'));
  await page.waitForTimeout(300);
  assert.deepEqual(chunks, [], 'the chunk is not fetched before the panel is wanted');
  await page.getByTestId('tab-export').click();
  const failed = page.getByTestId('panel-load-failed');
  await failed.waitFor();
  assert.match(await failed.textContent(), /could not be loaded/);
  assert.equal(await page.getByTestId('export-target').count(), 0);
  // The problems list and the editor go on working.
  await setEditorText(page, '<policies><inbound><base /></inbound><outbound><base /></outbound><on-error><base /></on-error></policies>');
  await page.getByTestId('problem-count').getByText('No problems').waitFor();
  // Back online: Retry loads the panel.
  await context.unroute(/\/split_export-[0-9a-f]+\.wasm$/);
  await failed.getByRole('button', { name: 'Retry' }).click();
  await output(page).waitFor();
  assert.match(await outputText(page), /Microsoft\.ApiManagement/);
  // The pointer over the tab and the panel itself each tried once while offline, Retry once more.
  assert.ok(chunks.length >= 2, `the failed fetches and the one that loaded: ${chunks}`);
  // Failed fetches are console errors of the network; nothing else went wrong.
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|split_export|fetch/i.test(e)), []);
  await page.close();
});
