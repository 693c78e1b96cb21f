// Running the scenario (Run, Ctrl/Cmd+Enter) through the core's simulator: outcome and status,
// the request as sent to the backend with secrets masked (and the reveal toggle), Key Vault
// failures with what to grant, sequences of requests, the trace linked to the editor, runs that
// cannot happen (lint errors, invalid scenario JSON), and every example's documented outcome
// with the time from pressing Run to the result on screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, openApp, loadExample, openTab, untilEditorText, editorText, setEditorText,
} from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

/** Press Run and wait for the new result; resolves to the milliseconds from click to DOM. */
async function run(page, how = 'click') {
  return page.evaluate(async (how) => {
    const results = () => document.querySelector('[data-testid="sim-results"]');
    const before = results()?.dataset.run;
    const done = new Promise((resolve) => {
      const check = () => {
        if (results()?.dataset.run && results().dataset.run !== before) {
          observer.disconnect();
          resolve(performance.now());
        }
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-run'] });
    });
    const t0 = performance.now();
    if (how === 'click') document.querySelector('[data-testid="run-simulation"]').click();
    else window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true }));
    return (await done) - t0;
  }, how);
}

const text = (page, id) => page.getByTestId(id).textContent();

test('the seed forwards with x-api-key masked, and reveal-secrets shows it', async () => {
  const { page, errors } = await openApp(env);
  await openTab(page, 'simulate');
  assert.match(await text(page, 'sim-results'), /Press Run/);
  await run(page);
  assert.equal((await text(page, 'sim-outcome')).trim(), 'forwarded');
  assert.equal(await text(page, 'sim-status'), '200');
  const backend = await text(page, 'backend-request');
  assert.match(backend, /^GET https:\/\/backend\.contoso\.com\/api\/items\/42\n/);
  assert.match(backend, /x-api-key: \*\*\*/);
  assert.doesNotMatch(backend, /s3cr3t/);
  assert.doesNotMatch(await text(page, 'trace'), /s3cr3t/);
  assert.match(await text(page, 'sim-response'), /^200 OK\n/);

  // The toggle runs again with the secret shown, and hides it again.
  await page.getByTestId('reveal-secrets').check();
  await page.waitForFunction(() => document.querySelector('[data-testid="backend-request"]').textContent.includes('x-api-key: s3cr3t-from-vault'));
  await page.getByTestId('reveal-secrets').uncheck();
  await page.waitForFunction(() => document.querySelector('[data-testid="backend-request"]').textContent.includes('x-api-key: ***'));

  // The trace is grouped by section, each step with its policy and line.
  const steps = await page.getByTestId('trace-step').evaluateAll((els) => els.map((e) => `${e.dataset.section} ${e.dataset.policy} ${e.dataset.line ?? ''}`.trim()));
  assert.deepEqual(steps.slice(0, 2), ['gateway request', 'gateway operation']);
  assert.ok(steps.includes('inbound set-header 9'), steps.join('\n'));
  assert.ok(steps.includes('backend forward-request'), steps.join('\n'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the revoked permission ends in an error that says what to grant', async () => {
  const { page, errors } = await openApp(env);
  await loadExample(page, 'seed-permission-revoked');
  await untilEditorText(page, (t) => t.includes('{{backend-api-key}}'));
  await openTab(page, 'simulate');
  await run(page);
  assert.equal((await text(page, 'sim-outcome')).trim(), 'error');
  assert.equal(await text(page, 'sim-status'), '500');
  assert.equal(await text(page, 'sim-error-reason'), 'Forbidden');
  assert.match(await text(page, 'sim-error-advice'),
    /^Grant the API Management instance's system-assigned managed identity the Get and List secret permissions in the access policies of Key Vault 'contoso-kv'\.$/);
  assert.match(await text(page, 'sim-error'), /named value 'backend-api-key' could not be read from Key Vault 'contoso-kv'/);
  assert.match(await text(page, 'backend-request'), /not called/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('revoking get in the scenario builder turns the forwarded run into the Key Vault error', async () => {
  const { page, errors } = await openApp(env);
  await openTab(page, 'simulate');
  await run(page);
  assert.equal((await text(page, 'sim-outcome')).trim(), 'forwarded');
  await page.getByTestId('vault-permission-get').uncheck();
  await page.getByTestId('sim-stale').waitFor();
  // Ctrl+Enter from a form field runs too.
  await page.getByTestId('request-url').focus();
  await page.keyboard.press('ControlOrMeta+Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid="sim-outcome"]')?.textContent.trim() === 'error');
  assert.equal(await page.getByTestId('sim-stale').count(), 0);
  assert.match(await text(page, 'sim-error-advice'), /Grant the API Management instance's system-assigned managed identity the Get and List secret permissions/);
  await page.getByTestId('vault-permission-get').check();
  await run(page, 'shortcut');
  assert.equal((await text(page, 'sim-outcome')).trim(), 'forwarded');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Ctrl+Enter in the editor runs and shows the Simulate tab', async () => {
  const { page, errors } = await openApp(env);
  await loadExample(page, 'jwt-hs256');
  await untilEditorText(page, (t) => t.includes('validate-jwt'));
  await page.getByTestId('editor').locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+Enter');
  await page.getByTestId('sim-outcome').waitFor();
  assert.equal(await page.getByTestId('tab-simulate').getAttribute('aria-selected'), 'true');
  assert.equal((await text(page, 'sim-outcome')).trim(), 'forwarded');
  assert.match(await text(page, 'backend-request'), /X-User: ada@contoso\.com/);
  assert.ok(await page.locator('[data-testid="trace-step"][data-policy="validate-jwt"]').count() === 1);
  assert.match(await text(page, 'sim-variables'), /jwt/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a sequence shows every request; the rate limit answers 429 to the fourth', async () => {
  const { page, errors } = await openApp(env);
  await loadExample(page, 'rate-limit-by-key');
  await untilEditorText(page, (t) => t.includes('rate-limit-by-key'));
  await openTab(page, 'simulate');
  await run(page);
  const picks = page.getByTestId('sim-request');
  assert.deepEqual(await picks.evaluateAll((els) => els.map((e) => e.textContent)),
    ['#1200', '#2200', '#3200', '#4429', '#5200']);
  assert.equal(await picks.nth(0).getAttribute('aria-pressed'), 'true');
  await picks.nth(3).click();
  assert.equal(await picks.nth(3).getAttribute('aria-pressed'), 'true');
  assert.equal(await text(page, 'sim-status'), '429');
  assert.equal((await text(page, 'sim-outcome')).trim(), 'error');
  assert.match(await text(page, 'sim-response'), /^429 Too Many Requests\n(.*\n)*Retry-After: \d+/);
  assert.match(await text(page, 'backend-request'), /not called/);
  // The choice stays while running again.
  await run(page);
  assert.equal(await text(page, 'sim-status'), '429');
  await picks.nth(4).click();
  assert.equal(await text(page, 'sim-status'), '200');
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking a trace step selects its element in the editor; steps from a fragment say so', async () => {
  const { page, errors } = await openApp(env);
  await openTab(page, 'simulate');
  await run(page);
  await page.locator('[data-testid="trace-step"][data-policy="set-header"]').click();
  // The element is selected: typing replaces it (lines 9-11 of the seed's policy).
  await page.keyboard.type('<base />');
  await untilEditorText(page, (t) => t.split('\n')[8] === '    <base />' && !t.includes('set-header'));
  await page.getByTestId('sim-stale').waitFor();

  await loadExample(page, 'fragment');
  await untilEditorText(page, (t) => t.includes('include-fragment'));
  await run(page);
  const inFragment = page.locator('[data-testid="trace-step"][data-policy="set-header"]').first();
  assert.equal(await inFragment.evaluate((e) => e.tagName), 'DIV', 'not a button');
  assert.match(await inFragment.textContent(), /line 2 of fragment correlation-headers/);
  const include = page.locator('[data-testid="trace-step"][data-policy="include-fragment"]');
  assert.equal(await include.getAttribute('data-line'), '7');
  await include.click();
  await page.keyboard.type('<!-- x -->');
  await untilEditorText(page, (t) => t.split('\n')[6].trim() === '<!-- x -->');
  assert.deepEqual(errors, []);
  await page.close();
});

test('runs that cannot happen say why: lint errors, invalid scenario JSON', async () => {
  const { page, errors } = await openApp(env);
  await loadExample(page, 'seed-blog');
  await untilEditorText(page, (t) => t.includes('key-vault-configuration'));
  await openTab(page, 'simulate');
  await run(page);
  assert.match(await text(page, 'sim-not-run'), /The simulation cannot run: APIM would not accept the document/);
  assert.match(await text(page, 'sim-not-run'), /line 4, column 6: <key-vault-configuration> is not an APIM policy \[APIM0105\]/);
  assert.equal(await page.getByTestId('sim-outcome').count(), 0);

  await page.getByTestId('scenario-json').fill('{\n  "request": {\n    "url": \n  }\n}');
  await page.getByTestId('scenario-json-error').waitFor();
  await run(page);
  assert.match(await text(page, 'sim-not-run-at'), /^Scenario JSON, line 4, column 3$/);

  await page.getByTestId('scenario-json').fill('{}');
  await setEditorText(page, '<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>');
  await untilEditorText(page, (t) => t.includes('<base />') && !t.includes('key-vault'));
  await run(page);
  assert.match(await text(page, 'sim-not-run'), /no request to simulate/);
  assert.deepEqual(errors, []);
  await page.close();
});

// Each example's README says what its request shows; Run must show it.
const EXPECTED = {
  'seed-blog': null,
  'seed-named-value': ['forwarded 200'],
  'seed-permission-revoked': ['error 500'],
  'keyvault-send-request': ['forwarded 200', 'forwarded 200'],
  'jwt-hs256': ['forwarded 200'],
  'rate-limit-by-key': ['forwarded 200', 'forwarded 200', 'forwarded 200', 'error 429', 'forwarded 200'],
  'cors-preflight': ['returned 200'],
  'mock-response': ['returned 200'],
  'backend-routing': ['forwarded 200'],
  'on-error': ['error 400'],
  fragment: ['forwarded 200'],
  'azure-openai-keyvault': ['forwarded 200', 'forwarded 200', 'error 429'],
  'priority-pool-failover': ['forwarded 200', 'forwarded 200'],
};

test('every example runs to the outcome its README describes (Run latency printed)', async () => {
  const { page, errors } = await openApp(env);
  await page.getByTestId('examples').click();
  const ids = await page.getByTestId('examples').locator('[data-example]').evaluateAll((els) => els.map((e) => e.dataset.example));
  await page.keyboard.press('Escape');
  assert.deepEqual(ids.sort(), Object.keys(EXPECTED).sort(), 'every example has an expectation');
  // The first run of a page also waits for the simulator's worker to load (opening the tab
  // starts it; here Run is pressed at once).
  await loadExample(page, 'seed-named-value');
  const first = await run(page, 'shortcut');
  const latencies = [];
  for (const id of Object.keys(EXPECTED)) {
    await loadExample(page, id);
    await page.waitForFunction(() => !document.querySelector('[data-testid="sim-results"]')?.dataset.run);
    const times = [];
    for (let i = 0; i < 5; i++) times.push(await run(page));
    times.sort((a, b) => a - b);
    latencies.push(`${id} ${times[2].toFixed(1)}`);
    if (EXPECTED[id] === null) {
      await page.getByTestId('sim-not-run').waitFor();
      continue;
    }
    const picks = page.getByTestId('sim-request');
    const got = [];
    if (EXPECTED[id].length === 1) {
      assert.equal(await picks.count(), 0);
      got.push(`${(await text(page, 'sim-outcome')).trim()} ${await text(page, 'sim-status')}`);
    } else {
      for (let i = 0; i < await picks.count(); i++) {
        await picks.nth(i).click();
        got.push(`${(await text(page, 'sim-outcome')).trim()} ${await text(page, 'sim-status')}`);
      }
      await picks.nth(0).click();
    }
    assert.deepEqual(got, EXPECTED[id], id);
  }
  console.log(`budget: Run to result on screen: first run of the page (loads the simulator) ${first.toFixed(0)} ms; ` +
    `then median of 5 per example in ms: ${latencies.join(', ')}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a worker that cannot load fails the run with a message, and the page keeps working', async () => {
  const context = await env.browser.newContext();
  await context.route(/sim-worker_loader\.js$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
  const { page } = await openApp(env, { context });
  await openTab(page, 'simulate');
  await page.getByTestId('run-simulation').click();
  await page.getByTestId('sim-not-run').waitFor();
  assert.match(await text(page, 'sim-not-run'), /The simulator could not be loaded or stopped unexpectedly|The simulator stopped/);
  await openTab(page, 'export');
  await page.getByTestId('export-failed').waitFor();
  // The editor and the linter do not need the worker.
  await setEditorText(page, '<policies>\n  <inbound>\n</policies>');
  await openTab(page, 'problems');
  await page.getByTestId('problem').first().waitFor();
  await context.close();
});
