// Rule documentation inside the app: the problems list's and the editor tooltip's "About" links
// open the rule's page (#rule/<CODE>), rendered from the core's registry (the explanation and
// the examples from rule-docs.json, fetched when a page first opens); its examples load into
// the editor (undoable); deep links and Escape work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openApp, setEditorText, untilEditorText, waitForCount } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const BROKEN = '<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>\n';

test('the problems list opens the rule page, whose bad example loads into the editor', async () => {
  const { page, errors } = await openApp(env);
  await setEditorText(page, BROKEN);
  const problem = page.locator('[data-testid="problem"][data-code="APIM0003"]');
  await problem.getByTestId('rule-link').click();
  const rule = page.getByTestId('rule-page');
  await rule.waitFor();
  assert.equal(await rule.getAttribute('data-code'), 'APIM0003');
  assert.equal(await page.evaluate(() => location.hash), '#rule/APIM0003');
  assert.equal(await page.getByRole('dialog').getAttribute('aria-modal'), 'true');
  // The explanation and the examples arrive with rule-docs.json.
  await page.getByTestId('rule-load-bad').waitFor();
  assert.equal(await page.getByTestId('rule-docs-status').count(), 0);
  const text = await rule.textContent();
  assert.match(text, /APIM0003/);
  assert.match(text, /innermost open element/);
  assert.match(text, /mismatched-end-tag/);
  assert.equal(await page.getByTestId('rule-severity').textContent(), 'error');
  assert.match(text, /Reported/);
  assert.match(text, /Not reported/);
  assert.match(await page.getByTestId('rule-fix').getAttribute('data-safe'), /^(true|false)$/);
  // The focus is in the dialog.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'rule-close');

  await page.getByTestId('rule-load-bad').click();
  await rule.waitFor({ state: 'detached' });
  await untilEditorText(page, (t) => !t.includes('</outbound>\n</policies>\n') && /<\/\w+>/.test(t));
  await page.locator('[data-testid="problem"][data-code="APIM0003"]').first().waitFor();
  assert.match(await page.getByTestId('notice').textContent(), /bad example of APIM0003/);
  assert.equal(await page.evaluate(() => location.hash), '');
  // Ctrl+Z in the editor brings the policy back.
  await page.keyboard.press('ControlOrMeta+z');
  await untilEditorText(page, (t) => t.startsWith('<policies>\n  <inbound>\n    <base />\n  </outbound>'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the editor tooltip links to the rule page too, and a good example is clean', async () => {
  const { page, errors } = await openApp(env);
  await setEditorText(page, BROKEN);
  const editor = page.getByTestId('editor');
  await editor.locator('.cm-lintRange-error').first().hover();
  await editor.locator('.cm-tooltip-lint').getByRole('link', { name: 'About APIM0003' }).click();
  const rule = page.getByTestId('rule-page');
  await rule.waitFor();
  assert.equal(await rule.getAttribute('data-code'), 'APIM0003');
  await page.getByTestId('rule-load-good').click();
  await waitForCount(page, /^No problems$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a #rule/ link opens the page at load; Escape closes it; another rule can be chosen', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${env.server.url}#rule/APIM0105`);
  const rule = page.getByTestId('rule-page');
  await rule.waitFor();
  assert.equal(await rule.getAttribute('data-code'), 'APIM0105');
  assert.match(await rule.textContent(), /key-vault-configuration|not an APIM policy|policy/i);
  await page.getByLabel('Another rule').selectOption('APIM0001');
  await page.waitForFunction(() => document.querySelector('[data-testid="rule-page"]')?.dataset.code === 'APIM0001');
  assert.equal(await page.evaluate(() => location.hash), '#rule/APIM0001');
  await page.keyboard.press('Escape');
  await rule.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => location.hash), '');
  // An unknown code says so instead of opening anything.
  await page.goto(`${env.server.url}#rule/NOPE1234`);
  await page.getByTestId('notice').getByText(/There is no rule NOPE1234/).waitFor();
  assert.equal(await rule.count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('without rule-docs.json the page still shows the rule and says why the rest is missing', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const fetched = [];
  page.on('request', (r) => { if (r.url().endsWith('rule-docs.json')) fetched.push(new URL(r.url()).pathname); });
  await page.route('**/rule-docs.json', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto(`${env.server.url}#rule/APIM0105`);
  const rule = page.getByTestId('rule-page');
  await rule.waitFor();
  assert.equal(await page.getByTestId('rule-severity').count(), 1);
  const status = page.getByTestId('rule-docs-status');
  await page.waitForFunction(() => /could not be loaded/.test(document.querySelector('[data-testid="rule-docs-status"]')?.textContent ?? ''));
  assert.match(await status.textContent(), /HTTP 404/);
  assert.equal(await page.getByTestId('rule-load-bad').count(), 0);
  // Fetched relative to the page, under its sub-path; not before a rule page opened.
  assert.ok(fetched.length >= 1 && fetched.every((p) => p === new URL('rule-docs.json', env.server.url).pathname), JSON.stringify(fetched));
  // Another rule tries again; with the file back, the examples appear.
  await page.unroute('**/rule-docs.json');
  await page.getByLabel('Another rule').selectOption('APIM0001');
  await page.getByTestId('rule-load-bad').waitFor();
  assert.equal(await status.count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('rule-docs.json is not fetched before a rule page opens', async () => {
  const { page, errors } = await openApp(env);
  const fetched = [];
  page.on('request', (r) => { if (r.url().endsWith('rule-docs.json')) fetched.push(r.url()); });
  await setEditorText(page, BROKEN);
  await page.locator('[data-testid="problem"][data-code="APIM0003"]').waitFor();
  await page.waitForTimeout(200);
  assert.deepEqual(fetched, []);
  await page.locator('[data-testid="problem"][data-code="APIM0003"]').getByTestId('rule-link').click();
  await page.getByTestId('rule-load-good').waitFor();
  assert.equal(fetched.length, 1);
  assert.deepEqual(errors, []);
  await page.close();
});
