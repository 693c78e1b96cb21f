// Shared setup for the browser tests: serve the built dist/ under a sub-path and drive it in
// Debian's Chromium through playwright-core. Elements are found only by the data-testid hooks of
// ../shared/spec/ui-test-hooks.md.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { startServer } from './serve.mjs';

export const SUB_PATH = '/some/sub/path/';

function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(p)) return p;
  }
  throw new Error('no Chromium found: set CHROMIUM=/path/to/chrome');
}

// Without the networking flags Chromium floods a closed network with connection attempts.
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Start the server and the browser once per test file. */
export async function launch() {
  if (!existsSync('dist/index.html')) throw new Error('dist/ is missing: run `make test` (it builds dist/ first)');
  const server = await startServer({ root: 'dist', base: SUB_PATH });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ARGS });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** A fresh page (own storage) with the app loaded and ready for typing. */
export async function openApp(env, { context } = {}) {
  const ctx = context ?? (await env.browser.newContext());
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(env.server.url);
  await editable(page).waitFor();
  return { page, context: ctx, errors };
}

/** The focusable editing surface inside the `editor` hook. */
export function editable(page) {
  return page.getByTestId('editor').locator('.cm-content, textarea').first();
}

/** Replace the whole editor text by typing, as a user would. */
export async function setEditorText(page, text) {
  const area = editable(page);
  await area.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

/** The editor's text as shown (CodeMirror renders the lines in view; enough for short policies). */
export async function editorText(page) {
  return editable(page).evaluate((el) => el.innerText.replace(/\u00a0/g, ' ').replace(/\n$/, ''));
}

/** Open the examples menu and load one example by its id. */
export async function loadExample(page, id) {
  await page.getByTestId('examples').click();
  await page.getByTestId('examples').locator(`[data-example="${id}"]`).click();
  // Examples other than the default are fetched first: wait until the workspace holds it.
  await page.locator(`[data-testid="examples"][data-current-example="${id}"]`).waitFor({ state: 'attached' });
}

/** Collect Content-Security-Policy violations from the start of every page of `context`. */
export async function recordCspViolations(context) {
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
}

export async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations ?? []);
}

/** Wait until the `problem-count` summary matches `re`. */
export async function waitForCount(page, re) {
  await page.waitForFunction(
    ([source, flags]) => new RegExp(source, flags).test(
      document.querySelector('[data-testid="problem-count"]')?.textContent ?? ''),
    [re.source, re.flags],
  );
}

/** Poll the editor's text until `ok(text)`; fails with `message` (and the text) after 5 s. */
export async function untilEditorText(page, ok, message = 'editor text') {
  const deadline = Date.now() + 5000;
  let text = '';
  while (Date.now() < deadline) {
    text = await editorText(page);
    if (ok(text)) return text;
    await page.waitForTimeout(25);
  }
  throw new Error(`${message}: timed out; the editor holds:\n${text}`);
}

/** Select a side panel tab by its id (`problems`, `outline`, `simulate`, `export`, `example`),
 * and wait until its panel shows its content: the Simulate and Export panels' code is loaded
 * when they are first opened (src/components/lazy.rs), and tests read them at once. */
export async function openTab(page, id) {
  await page.getByTestId(`tab-${id}`).click();
  await page.waitForFunction((id) => {
    const panel = document.getElementById(`panel-${id}`);
    return panel && !panel.hidden && panel.childElementCount > 0
      && !panel.querySelector('[data-testid="panel-loading"]');
  }, id);
}

/** Put the cursor at the end of 1-based line `n` of the editor (a short document). */
export async function cursorToLineEnd(page, n) {
  await editable(page).click();
  await page.keyboard.press('ControlOrMeta+Home');
  for (let i = 1; i < n; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
}

/** The value of a form field hook (input, select or textarea). */
export async function valueOf(page, testid) {
  return page.getByTestId(testid).first().inputValue();
}

/** The scenario JSON view's text, parsed. */
export async function scenarioJson(page) {
  return JSON.parse(await page.getByTestId('scenario-json').inputValue());
}
