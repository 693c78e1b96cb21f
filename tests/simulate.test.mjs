// The Simulate tab: the scenario builder (`scenario`) over the CLI's scenario format, in sync
// both ways with its JSON (`scenario-json`); invalid JSON kept with its line and column; named
// values (masked secrets) that drive the linter; Key Vault permissions; download and upload;
// autosave and share links with the edits. Running the scenario is tested in run.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import {
  launch, openApp, setEditorText, loadExample, openTab, valueOf, scenarioJson, untilEditorText,
} from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('the form shows the example request and edits flow both ways with the JSON', async () => {
  const { page, errors } = await openApp(env);
  await openTab(page, 'simulate');
  await page.getByTestId('scenario').waitFor();
  assert.equal(await valueOf(page, 'request-method'), 'GET');
  assert.equal(await valueOf(page, 'request-url'), 'https://contoso.azure-api.net/orders/items/42');
  assert.equal(await valueOf(page, 'request-headers'), 'Accept: application/json\n');

  // Form → JSON.
  await page.getByTestId('request-method').selectOption('POST');
  await page.getByTestId('request-url').fill('https://contoso.azure-api.net/orders/items/7?é=1');
  await page.getByTestId('request-headers').fill('Accept: application/json\nX-Trace: a\nX-Trace: b\nHalf-typ');
  await page.getByTestId('request-body').fill('{"qty": 2}');
  let json = await scenarioJson(page);
  assert.equal(json.request.method, 'POST');
  assert.equal(json.request.url, 'https://contoso.azure-api.net/orders/items/7?é=1');
  assert.deepEqual(json.request.headers, { Accept: ['application/json'], 'X-Trace': ['a', 'b'] });
  assert.equal(json.request.body, '{"qty": 2}');
  // The half-typed header line stays on screen.
  assert.match(await valueOf(page, 'request-headers'), /Half-typ$/);
  assert.equal(json.named_values[0].name, 'backend-api-key', 'the rest of the scenario is untouched');

  // JSON → form.
  json.request.url = 'https://contoso.azure-api.net/orders/items/99';
  json.request.method = 'DELETE';
  await page.getByTestId('scenario-json').fill(JSON.stringify(json, null, 2));
  assert.equal(await valueOf(page, 'request-url'), 'https://contoso.azure-api.net/orders/items/99');
  assert.equal(await valueOf(page, 'request-method'), 'DELETE');

  // The same format as the CLI's examples.
  await loadExample(page, 'jwt-hs256');
  const file = JSON.parse(await readFile('examples/jwt-hs256/scenario.json', 'utf8'));
  assert.deepEqual(await scenarioJson(page), file);
  assert.deepEqual(errors, []);
  await page.close();
});

test('invalid JSON shows its line and column, is kept as typed, and locks the form', async () => {
  const { page, errors } = await openApp(env);
  await openTab(page, 'simulate');
  const broken = '{\n  "request": {\n    "method": "GET",\n    "url": \n  }\n}';
  await page.getByTestId('scenario-json').fill(broken);
  const error = page.getByTestId('scenario-json-error');
  await error.waitFor();
  assert.match(await error.textContent(), /^Line 5, column 3: /);
  // A wrong type quotes the value (the web build's size flags keep such messages whole).
  await page.getByTestId('scenario-json').fill('{"backend": {"status": "abc"}}');
  await page.waitForFunction(() => /invalid type: string "abc", expected u16/.test(
    document.querySelector('[data-testid="scenario-json-error"]')?.textContent ?? ''));
  await page.getByTestId('scenario-json').fill(broken);
  assert.equal(await page.getByTestId('scenario-json').inputValue(), broken);
  assert.equal(await page.getByTestId('request-url').isDisabled(), true);
  assert.equal(await page.getByTestId('tab-simulate').locator('.tab-badge').count(), 1);
  // Kept across a reload, error and all.
  await page.reload();
  await openTab(page, 'simulate');
  assert.equal(await page.getByTestId('scenario-json').inputValue(), broken);
  await error.waitFor();
  // Fixing it unlocks the form, which shows the new values.
  await page.getByTestId('scenario-json').fill(broken.replace('"url": ', '"url": "https://x.test/a"'));
  await error.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('request-url').isDisabled(), false);
  assert.equal(await valueOf(page, 'request-url'), 'https://x.test/a');
  assert.deepEqual(errors, []);
  await page.close();
});

test('named values: masked secrets, types, and undefined {{names}} reported', async () => {
  const { page, errors } = await openApp(env);
  await setEditorText(page, '<policies>\n  <inbound>\n    <base />\n    <set-header name="x-api-key" exists-action="override">\n      <value>{{api-key}}</value>\n    </set-header>\n  </inbound>\n</policies>');
  // The scenario declares backend-api-key only: {{api-key}} does not exist.
  const undefinedRef = page.locator('[data-testid="problem"][data-code="APIM0602"]');
  await undefinedRef.waitFor();
  assert.equal(await undefinedRef.getAttribute('data-line'), '5');

  await openTab(page, 'simulate');
  await page.getByTestId('add-named-value').click();
  const row = page.getByTestId('named-value').nth(1);
  await row.getByTestId('named-value-name').fill('api-key');
  await row.getByTestId('named-value-kind').selectOption('secret');
  const secret = row.getByTestId('named-value-value');
  assert.equal(await secret.getAttribute('type'), 'password', 'secrets are masked');
  await secret.fill('s3cr3t-typed');
  await undefinedRef.waitFor({ state: 'detached' });
  let json = await scenarioJson(page);
  assert.deepEqual(json.named_values[1], { name: 'api-key', value: 's3cr3t-typed', secret: true });
  await row.getByRole('button', { name: 'Show Secret value' }).click();
  assert.equal(await secret.getAttribute('type'), 'text');

  // Key Vault type: a secret identifier, no value.
  await row.getByTestId('named-value-kind').selectOption('key-vault');
  await row.getByTestId('named-value-secret-identifier').fill('https://contoso-kv.vault.azure.net/secrets/api-key');
  json = await scenarioJson(page);
  assert.deepEqual(json.named_values[1], {
    name: 'api-key',
    key_vault: { secret_identifier: 'https://contoso-kv.vault.azure.net/secrets/api-key', identity_client_id: null },
  });
  await row.getByTestId('remove-named-value').click();
  await undefinedRef.waitFor({ state: 'attached' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('Key Vault: revoking get, secrets masked, identity', async () => {
  const { page, errors } = await openApp(env);
  await openTab(page, 'simulate');
  const vault = page.getByTestId('key-vault').first();
  assert.equal(await vault.getAttribute('data-name'), 'contoso-kv');
  assert.equal(await vault.getByTestId('vault-secret-value').getAttribute('type'), 'password');
  assert.equal(await vault.getByTestId('vault-secret-value').inputValue(), 's3cr3t-from-vault');
  await vault.getByTestId('vault-permission-get').uncheck();
  let json = await scenarioJson(page);
  assert.deepEqual(json.key_vaults[0].apim_permissions, ['list']);
  assert.match(await vault.textContent(), /get is revoked/);
  await vault.getByTestId('vault-permission-get').check();
  json = await scenarioJson(page);
  assert.deepEqual(json.key_vaults[0].apim_permissions, ['get', 'list']);
  await vault.getByTestId('vault-secret-enabled').uncheck();
  assert.equal((await scenarioJson(page)).key_vaults[0].secrets[0].enabled, false);
  await page.getByTestId('identity-type').selectOption('user');
  await page.getByTestId('identity-client-id').fill('00000000-0000-0000-0000-000000000001');
  json = await scenarioJson(page);
  assert.deepEqual(json.identity, { type: 'user', client_id: '00000000-0000-0000-0000-000000000001' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('download, upload, autosave and share links carry the scenario', async () => {
  const context = await env.browser.newContext({ acceptDownloads: true });
  const { page, errors } = await openApp(env, { context });
  await openTab(page, 'simulate');
  await page.getByTestId('request-url').fill('https://contoso.azure-api.net/orders/items/autosaved');
  await page.getByTestId('vault-secret-value').first().fill('vault-secret-edited');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('scenario-download').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'seed-named-value.scenario.json');
  const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(saved.request.url, 'https://contoso.azure-api.net/orders/items/autosaved');

  // Autosave keeps the edits.
  await page.reload();
  await openTab(page, 'simulate');
  assert.equal(await valueOf(page, 'request-url'), 'https://contoso.azure-api.net/orders/items/autosaved');

  // A share link carries them, without the secret unless asked.
  await page.getByTestId('share').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="share-link"]')?.value.includes('#s='));
  const link = await page.getByTestId('share-link').inputValue();
  const payload = JSON.parse(inflateRawSync(Buffer.from(new URL(link).hash.slice(3), 'base64url')).toString('utf8'));
  assert.match(payload.scenario, /items\/autosaved/);
  assert.doesNotMatch(payload.scenario, /vault-secret-edited/);
  await page.keyboard.press('Escape');

  // Upload replaces the scenario (and a broken file is kept, with its error).
  await page.getByTestId('scenario-upload').setInputFiles({
    name: 'mine.json', mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ request: { method: 'PUT', url: 'https://up.test/loaded' } })),
  });
  await page.waitForFunction(() => document.querySelector('[data-testid="request-url"]')?.value === 'https://up.test/loaded');
  assert.equal(await valueOf(page, 'request-method'), 'PUT');
  assert.match(await page.getByTestId('notice').textContent(), /Loaded the scenario from mine\.json/);
  await page.getByTestId('scenario-upload').setInputFiles({
    name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{ "request": '),
  });
  await page.getByTestId('scenario-json-error').waitFor();
  assert.equal(await page.getByTestId('scenario-json').inputValue(), '{ "request": ');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a scenario that sends several requests edits the chosen one', async () => {
  const { page, errors } = await openApp(env);
  await loadExample(page, 'rate-limit-by-key');
  await openTab(page, 'simulate');
  const pick = page.getByTestId('request-index');
  assert.equal(await pick.locator('option').count(), 5);
  await pick.selectOption('2');
  await page.getByTestId('request-headers').fill('X-Client-Id: third');
  const json = await scenarioJson(page);
  assert.deepEqual(json.requests[2].headers, { 'X-Client-Id': ['third'] });
  assert.equal(json.request, undefined, 'no single request is added');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a scenario without named values does not flag {{references}}', async () => {
  const { page } = await openApp(env);
  await openTab(page, 'simulate');
  await page.getByTestId('scenario-json').fill('{}');
  await setEditorText(page, '<policies>\n  <inbound>\n    <base />\n    <set-header name="k" exists-action="override">\n      <value>{{anything}}</value>\n    </set-header>\n  </inbound>\n</policies>');
  await untilEditorText(page, (t) => t.includes('{{anything}}'));
  await page.getByTestId('problem-count').getByText('No problems').waitFor();
  await page.close();
});
