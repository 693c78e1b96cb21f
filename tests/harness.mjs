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
