// Autosave, storage that is disabled or full, Reset, and share links (round trip, secrets left
// out unless asked for).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import {
  launch, openApp, setEditorText, loadExample, untilEditorText, waitForCount,
} from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('autosave keeps the policy, the example and the settings across a reload', async () => {
  const { page, context } = await openApp(env);
  await loadExample(page, 'cors-preflight');
  await untilEditorText(page, (t) => t.includes('<cors allow-credentials="false">'));
  await setEditorText(page, '<policies>\n  <!-- autosaved ✓ -->\n  <inbound>\n</policies>');
  await page.getByTestId('problem').first().waitFor();
  await page.getByTestId('tab-example').click();
  await page.reload();
  await page.getByTestId('tab-example').waitFor();
  await untilEditorText(page, (t) => t.includes('<!-- autosaved ✓ -->'));
  await waitForCount(page, /^1 error/);
  assert.equal(await page.getByTestId('tab-example').getAttribute('aria-selected'), 'true');
  // The explanation still belongs to the example the work started from.
  assert.equal(await page.locator('[data-example-info]').getAttribute('data-example-info'), 'cors-preflight');
  await context.close();
});

for (const [name, script] of [
  ['disabled (localStorage throws)', () => {
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get() { throw new DOMException('The operation is insecure.', 'SecurityError'); },
    });
  }],
  ['full (every write throws)', () => {
    Storage.prototype.setItem = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  }],
]) {
  test(`the app works when storage is ${name}`, async () => {
    const context = await env.browser.newContext();
    await context.addInitScript(script);
    const { page, errors } = await openApp(env, { context });
    await waitForCount(page, /^No problems$/);
    await setEditorText(page, '<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>');
    await waitForCount(page, /^1 error, 0 warnings$/);
    await page.getByTestId('theme-toggle').click();
    assert.equal(await page.getByTestId('theme-toggle').getAttribute('aria-pressed'), 'true');
    await loadExample(page, 'mock-response');
    await waitForCount(page, /^No problems$/);
    assert.deepEqual(errors, [], 'no uncaught error and no console error');
    await context.close();
  });
}

test('Reset asks first, then restores the default example', async () => {
  const { page, context } = await openApp(env);
  await setEditorText(page, '<policies><!-- my work --></policies>');
  await page.getByTestId('reset').click();
  await page.getByTestId('reset-cancel').click();
  await untilEditorText(page, (t) => t.includes('my work'));
  await page.getByTestId('reset').click();
  await page.getByTestId('reset-confirm').click();
  await untilEditorText(page, (t) => t.includes('{{backend-api-key}}') && !t.includes('my work'));
  // The editor has the focus back, and Ctrl+Z brings the replaced text back.
  await page.keyboard.press('ControlOrMeta+z');
  await untilEditorText(page, (t) => t.includes('my work'));
  await context.close();
});

/** The JSON inside a share link (the same decoding the app does, in Node). */
function linkPayload(url) {
  const token = new URL(url).hash.replace(/^#s=/, '');
  return JSON.parse(inflateRawSync(Buffer.from(token, 'base64url')).toString('utf8'));
}

test('a share link restores the work elsewhere and leaves secrets out unless asked', async () => {
  const { page, context, errors } = await openApp(env);
  await loadExample(page, 'jwt-hs256');
  await untilEditorText(page, (t) => t.includes('<validate-jwt'));
  await setEditorText(page, (await page.getByTestId('editor').locator('.cm-content').innerText())
    .replace('orders.read', 'orders.read.shared'));

  await page.getByTestId('share').click();
  const field = page.getByTestId('share-link');
  await page.waitForFunction(() => document.querySelector('[data-testid="share-link"]')?.value.includes('#s='));
  const link = await field.inputValue();
  assert.equal(page.url(), link, 'the link is also in the address bar');
  assert.ok(link.includes('/some/sub/path/#s='), link);
  const shared = linkPayload(link);
  assert.match(shared.policy, /orders\.read\.shared/);
  assert.equal(shared.example, 'jwt-hs256');
  assert.doesNotMatch(shared.scenario, /cGxheWdyb3VuZC1kZW1v/, 'no signing key');
  assert.doesNotMatch(shared.scenario, /eyJhbGci/, 'no bearer token');
  const panel = page.locator('#share-panel');
  assert.match(await panel.textContent(), /Left out: secret named value jwt-signing-key, Authorization header of request 1/);

  await page.getByTestId('share-secrets').check();
  await page.waitForFunction((old) => document.querySelector('[data-testid="share-link"]')?.value !== old, link);
  const withSecrets = await field.inputValue();
  assert.match(linkPayload(withSecrets).scenario, /cGxheWdyb3VuZC1kZW1v/);
  assert.match(await panel.textContent(), /Secret values are in this link/);

  // Open the first link in a fresh browser profile.
  const other = await env.browser.newContext();
  const second = await other.newPage();
  const otherErrors = [];
  second.on('pageerror', (e) => otherErrors.push(String(e)));
  await second.goto(link);
  await untilEditorText(second, (t) => t.includes('orders.read.shared'));
  await second.getByTestId('tab-example').click();
  assert.equal(await second.locator('[data-example-info]').getAttribute('data-example-info'), 'jwt-hs256');
  await second.waitForFunction(() => !location.hash, null, { timeout: 5000 });
  assert.match(await second.getByTestId('notice').textContent(), /Loaded the shared policy/);
  // What was opened is autosaved: a reload keeps it without the link.
  await second.reload();
  await untilEditorText(second, (t) => t.includes('orders.read.shared'));
  assert.deepEqual(otherErrors, []);

  // A damaged link says so and leaves the work alone.
  await second.goto(link.replace(/#s=.*/, '#s=not-a-real-link'));
  await second.getByTestId('notice').getByText(/Could not open the share link/).waitFor();
  await untilEditorText(second, (t) => t.includes('orders.read.shared'));
  await other.close();
  assert.deepEqual(errors, []);
  await context.close();
});
