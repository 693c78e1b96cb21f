// The page around the editor: loading state, examples gallery, tabs with the keyboard, the
// resizable panes, and the theme toggle with its persistence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch, openApp, loadExample, untilEditorText, waitForCount } from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('the loading message goes away once the app has mounted', async () => {
  const { page } = await openApp(env);
  assert.equal(await page.getByTestId('loading').count(), 0);
  await page.close();
});

test('every example loads its policy, with its explanation next to it', async () => {
  const { page, errors } = await openApp(env);
  await page.getByTestId('examples').click();
  const entries = page.getByTestId('examples').locator('[data-example]');
  const listed = await entries.evaluateAll((els) => els.map((e) => e.getAttribute('data-example')));
  await page.keyboard.press('Escape');
  for (const required of ['seed-blog', 'seed-named-value', 'seed-permission-revoked', 'keyvault-send-request',
    'jwt-hs256', 'rate-limit-by-key', 'cors-preflight', 'mock-response', 'backend-routing', 'on-error', 'fragment',
    'azure-openai-keyvault', 'priority-pool-failover']) {
    assert.ok(listed.includes(required), `${required} is in the gallery`);
  }
  for (const id of listed) {
    await loadExample(page, id);
    const policy = (await readFile(`examples/${id}/policy.xml`, 'utf8')).replace(/\n$/, '');
    const head = policy.split('\n').slice(0, 8).join('\n');
    await untilEditorText(page, (t) => t.startsWith(head), `example ${id} is in the editor`);
    if (id !== 'seed-blog') await waitForCount(page, /^No problems$/);
    await page.getByTestId('tab-example').click();
    const readme = await readFile(`examples/${id}/README.md`, 'utf8');
    const title = readme.split('\n')[0].replace(/^# /, '').replaceAll('`', '');
    const panel = page.locator('[data-example-info]');
    assert.equal(await panel.getAttribute('data-example-info'), id);
    assert.match(await panel.textContent(), new RegExp(title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('the examples menu works from the keyboard', async () => {
  const { page } = await openApp(env);
  await page.getByTestId('examples').locator('button').first().focus();
  await page.keyboard.press('Enter');
  // Focus lands on the current example; arrows move, Enter loads.
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-example'));
  assert.equal(await focused(), 'seed-named-value');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'seed-permission-revoked');
  await page.keyboard.press('End');
  assert.equal(await focused(), 'fragment');
  await page.keyboard.press('Enter');
  await untilEditorText(page, (t) => t.includes('include-fragment fragment-id="correlation-headers"'));
  // Escape closes without loading anything.
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('examples').locator('[data-example]').count(), 0);
  await page.close();
});

test('the side panel tabs are ARIA tabs driven by the keyboard', async () => {
  const { page } = await openApp(env);
  const problemsTab = page.getByTestId('tab-problems');
  const outlineTab = page.getByTestId('tab-outline');
  const exampleTab = page.getByTestId('tab-example');
  assert.equal(await problemsTab.getAttribute('role'), 'tab');
  assert.equal(await problemsTab.getAttribute('aria-selected'), 'true');
  assert.equal(await exampleTab.getAttribute('tabindex'), '-1');
  await problemsTab.focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await outlineTab.getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'tab-outline');
  assert.equal(await page.getByTestId('problems').isVisible(), false);
  assert.ok(await page.getByTestId('outline').isVisible());
  await page.keyboard.press('End');
  assert.equal(await exampleTab.getAttribute('aria-selected'), 'true');
  assert.ok(await page.locator('[data-example-info]').isVisible());
  await page.keyboard.press('Home');
  assert.equal(await problemsTab.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowLeft'); // wraps around to the last tab
  assert.equal(await exampleTab.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowRight');
  assert.equal(await problemsTab.getAttribute('aria-selected'), 'true');
  assert.ok(await page.getByTestId('problems').isVisible());
  await page.close();
});

test('the panes resize by dragging and by keyboard, and the size is kept', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 720 } });
  const { page } = await openApp(env, { context });
  const splitter = page.getByTestId('splitter');
  assert.equal(await splitter.getAttribute('role'), 'separator');
  const before = await splitter.boundingBox();
  const valueBefore = Number(await splitter.getAttribute('aria-valuenow'));

  await splitter.focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(Number(await splitter.getAttribute('aria-valuenow')), valueBefore - 2);
  assert.ok((await splitter.boundingBox()).x < before.x, 'the splitter moved left');
  await page.keyboard.press('End');
  assert.equal(await splitter.getAttribute('aria-valuenow'), '80');

  // Drag it to about a third of the width.
  const box = await splitter.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(450, 300, { steps: 8 });
  await page.mouse.up();
  const dragged = await splitter.boundingBox();
  assert.ok(Math.abs(dragged.x - 450) < 20, `splitter at ${dragged.x}`);
  const value = await splitter.getAttribute('aria-valuenow');

  await page.reload();
  await page.getByTestId('problems').waitFor();
  assert.equal(await page.getByTestId('splitter').getAttribute('aria-valuenow'), value);
  await context.close();
});

async function bodyBackground(page) {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

test('the theme follows the system, toggles, and the choice survives a reload', async () => {
  const light = await env.browser.newContext({ colorScheme: 'light' });
  const { page } = await openApp(env, { context: light });
  const toggle = page.getByTestId('theme-toggle');
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  const lightBg = await bodyBackground(page);
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  const darkBg = await bodyBackground(page);
  assert.notEqual(darkBg, lightBg);
  await page.reload();
  await page.getByTestId('problems').waitFor();
  assert.equal(await page.getByTestId('theme-toggle').getAttribute('aria-pressed'), 'true');
  assert.equal(await bodyBackground(page), darkBg);
  await light.close();

  const dark = await env.browser.newContext({ colorScheme: 'dark' });
  const second = await openApp(env, { context: dark });
  const t2 = second.page.getByTestId('theme-toggle');
  assert.equal(await t2.getAttribute('aria-pressed'), 'true', 'a dark system starts dark');
  assert.equal(await bodyBackground(second.page), darkBg);
  await t2.click();
  assert.equal(await t2.getAttribute('aria-pressed'), 'false');
  assert.equal(await bodyBackground(second.page), lightBg);
  await second.page.reload();
  await second.page.getByTestId('problems').waitFor();
  assert.equal(await second.page.getByTestId('theme-toggle').getAttribute('aria-pressed'), 'false');
  await dark.close();
});
