// The code editor: live diagnostics with underline, gutter marker and hover, the problems list
// moving the cursor (with non-ASCII text before the error), highlighting of expressions and
// named values, and the keyboard (undo, search, Tab with its Escape-then-Tab way out), and the
// parts of the editor that load on first use (search, completion with bracket closing).
//
// Besides the data-testid hooks, these tests read CodeMirror's own documented class names
// (.cm-content, .cm-lintRange-*, .cm-tooltip-lint, .cm-search, .cm-selectionMatch) inside the
// `editor` hook.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, openApp, setEditorText, editable, editorText, loadExample, waitForCount, cursorToLineEnd,
  untilEditorText,
} from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const BROKEN = '<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>\n';

test('typing updates the problems, the underline, the gutter and the hover', async () => {
  const { page, errors } = await openApp(env);
  await waitForCount(page, /^No problems$/);
  await setEditorText(page, BROKEN);
  await waitForCount(page, /^1 error, 0 warnings$/);

  const problem = page.getByTestId('problem');
  assert.equal(await problem.count(), 1);
  assert.equal(await problem.getAttribute('data-severity'), 'error');
  assert.equal(await problem.getAttribute('data-line'), '4');
  assert.equal(await problem.getAttribute('data-code'), 'APIM0003');

  const editor = page.getByTestId('editor');
  const underline = editor.locator('.cm-lintRange-error').first();
  await underline.waitFor();
  assert.equal(await underline.textContent(), 'outbound', 'the end tag\'s name is underlined');
  assert.equal(await editor.locator('.cm-lint-marker-error').count(), 1, 'gutter marker');

  await underline.hover();
  const tooltip = editor.locator('.cm-tooltip-lint');
  await tooltip.waitFor();
  const tip = await tooltip.textContent();
  assert.match(tip, /APIM0003/);
  assert.match(tip, /does not match the open element <inbound>/);
  assert.match(tip, /must be closed by <\/inbound>/, 'the help text');
  // The rule's documentation is a page inside the app (works offline).
  const link = tooltip.getByRole('link', { name: 'About APIM0003' });
  assert.equal(await link.getAttribute('href'), '#rule/APIM0003');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a keystroke carries its own diagnostics: the editor is not updated a second time', async () => {
  const { page, errors } = await openApp(env);
  await setEditorText(page, '<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>\n');
  await waitForCount(page, /^No problems$/);
  // Count the app's separate diagnostics updates (the bridge calls ApimEditor.setDiagnostics
  // when the problems change other than by a keystroke: a scenario, a loaded example).
  await page.evaluate(() => {
    window.__sets = 0;
    const set = window.ApimEditor.setDiagnostics;
    window.ApimEditor.setDiagnostics = function (...args) { window.__sets++; return set.apply(this, args); };
  });
  const editor = page.getByTestId('editor');
  await editor.locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+End');
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('x');
    await waitForCount(page, /^1 error, 0 warnings$/);
    await editor.locator('.cm-lintRange-error').first().waitFor();
    assert.equal(await editor.locator('.cm-lint-marker-error').count(), 1, 'gutter marker');
    await page.keyboard.press('Backspace');
    await waitForCount(page, /^No problems$/);
    await editor.locator('.cm-lintRange-error').waitFor({ state: 'detached' });
    await page.keyboard.press('ControlOrMeta+End');
  }
  assert.equal(await page.evaluate(() => window.__sets), 0, 'no setDiagnostics after keystrokes');
  // A change from outside the editor (a quick fix rewrites the text) still updates the
  // markers, through setDiagnostics.
  await setEditorText(page, BROKEN);
  await waitForCount(page, /^1 error, 0 warnings$/);
  await editor.locator('.cm-lintRange-error').first().waitFor();
  await page.getByTestId('problem').getByTestId('quick-fix').click();
  await waitForCount(page, /^No problems$/);
  await editor.locator('.cm-lintRange-error').waitFor({ state: 'detached' });
  assert.equal(await editor.locator('.cm-lint-marker-error').count(), 0, 'no gutter marker');
  assert.ok(await page.evaluate(() => window.__sets) >= 1, 'the fix\'s diagnostics were sent');
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking a problem puts the cursor at it, counting é and emoji correctly', async () => {
  const { page, errors } = await openApp(env);
  const text = [
    '<policies>',
    '  <!-- café ☕ 🔑 naïve -->',
    '  <inbound>',
    '    <set-header name="x-é">😀</outbound>',
    '</policies>',
  ].join('\n');
  await setEditorText(page, text);
  // The mismatched end tag (other problems come first: <inbound> is never closed …).
  const problem = page.locator('[data-testid="problem"][data-code="APIM0003"]');
  await problem.waitFor();
  assert.equal(await problem.getAttribute('data-line'), '4');

  // Move the cursor elsewhere first, then jump with the problem row.
  await page.keyboard.press('ControlOrMeta+Home');
  await problem.click();
  const focusedInEditor = await page.getByTestId('editor').evaluate((el) => el.contains(document.activeElement));
  assert.ok(focusedInEditor, 'the editor has the focus after the click');
  await page.keyboard.type('¤');
  const lines = (await editorText(page)).split('\n');
  assert.equal(lines[3], '    <set-header name="x-é">😀</¤outbound>');

  // The keyboard path: Enter on the row's button does the same.
  await page.keyboard.press('ControlOrMeta+z');
  await page.keyboard.press('ControlOrMeta+Home');
  await problem.locator('button').first().focus();
  await page.keyboard.press('Enter');
  await page.keyboard.type('§');
  assert.equal((await editorText(page)).split('\n')[3], '    <set-header name="x-é">😀</§outbound>');
  assert.deepEqual(errors, []);
  await page.close();
});

test('policy expressions and named values are highlighted as such', async () => {
  const { page } = await openApp(env);
  await loadExample(page, 'backend-routing');
  const editor = page.getByTestId('editor');
  const expr = editor.locator('.cm-apim-expr').first();
  await expr.waitFor();
  // The whole raw expression, quotes included, is one expression, not XML attribute text.
  assert.equal(
    await expr.textContent(),
    '@(context.Request.Headers.GetValueOrDefault("X-Region", "").Equals("eu", StringComparison.OrdinalIgnoreCase))',
  );
  await loadExample(page, 'seed-named-value');
  const named = editor.locator('.cm-apim-named-value');
  await named.first().waitFor();
  assert.ok((await named.allTextContents()).includes('{{backend-api-key}}'));
  await page.close();
});

test('undo, search, Tab indents and Escape then Tab leaves the editor', async () => {
  const { page, errors } = await openApp(env);
  await setEditorText(page, '<policies>\n</policies>');
  await page.keyboard.press('ControlOrMeta+Home');
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('<inbound />');
  assert.match(await editorText(page), /<inbound \/>/);
  await page.keyboard.press('ControlOrMeta+z');
  assert.doesNotMatch(await editorText(page), /<inbound \/>/);
  await page.keyboard.press('ControlOrMeta+Shift+Z');
  assert.match(await editorText(page), /<inbound \/>/);

  // Tab indents inside the editor instead of moving focus.
  await page.keyboard.press('Home');
  await page.keyboard.press('Tab');
  assert.match(await editorText(page), /\n\s{2,}<inbound \/>/);
  const inEditor = () => page.getByTestId('editor').evaluate((el) => el.contains(document.activeElement));
  assert.ok(await inEditor());
  // Escape, then Tab: focus moves on to the next control (the status line's problem count).
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  assert.equal(await inEditor(), false);
  assert.ok(await page.evaluate(() => !!document.activeElement?.querySelector('[data-testid="problem-count"]')));

  // Search panel.
  await editable(page).click();
  await page.keyboard.press('ControlOrMeta+f');
  await page.getByTestId('editor').locator('.cm-search').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('what loads on first use misses nothing: brackets typed meanwhile, search keys, selection matches', async () => {
  const { page, errors } = await openApp(env);
  // Hold the completion chunk (it also closes brackets) until after the first keystrokes.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let requests = 0;
  await page.route(/\/editor-lazy-complete-[^/]*\.js$/, async (route) => {
    requests++;
    await held;
    await route.continue();
  });
  await cursorToLineEnd(page, 1);
  await page.keyboard.press('Enter');
  await page.keyboard.type('(x');
  assert.equal(requests, 1, 'focusing the editor asks for the completion chunk');
  release();
  await untilEditorText(page, (t) => t.split('\n')[1].trim() === '(x)', 'the held ( is closed, the x typed inside');

  // Mod-F before the search chunk has loaded (nothing was selected yet): the panel opens.
  await page.keyboard.press('ControlOrMeta+f');
  await page.getByTestId('editor').locator('.cm-search').waitFor();
  await page.keyboard.press('Escape');
  await page.getByTestId('editor').locator('.cm-search').waitFor({ state: 'detached' });

  // A selection highlights its other occurrences; Mod-D adds the next one to the selection.
  await setEditorText(page, '<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <outbound>\n    <base />\n  </outbound>\n</policies>');
  await cursorToLineEnd(page, 3);
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowLeft');
  await page.getByTestId('editor').locator('.cm-selectionMatch', { hasText: 'base' }).waitFor();
  await page.keyboard.press('ControlOrMeta+d');
  await page.keyboard.type('own');
  await untilEditorText(page, (t) => t.split('<own />').length === 3, 'both <base /> became <own />');
  assert.deepEqual(errors, []);
  await page.close();
});
