// Editor intelligence from the core through the bridge: completion (typing `<`, Ctrl-Space,
// snippets, named values from the scenario), hover documentation, Format (button and
// Shift+Alt+F, undoable, refusing broken documents), and the outline. Non-ASCII text before the
// cursor checks the UTF-16 <-> byte conversion at the bridge.
//
// Besides the data-testid hooks these read CodeMirror's documented class names inside `editor`
// (.cm-tooltip-autocomplete, .cm-tooltip-hover).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, openApp, setEditorText, editorText, untilEditorText, cursorToLineEnd, openTab,
} from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

function completionOptions(page) {
  return page.getByTestId('editor').locator('.cm-tooltip-autocomplete li');
}

test('typing < in a section offers policies; a snippet fills in with Tab', async () => {
  const { page, errors } = await openApp(env);
  await setEditorText(page, '<policies>\n  <!-- café ☕ 😀 -->\n  <inbound>\n    <base />\n    \n  </inbound>\n</policies>');
  await cursorToLineEnd(page, 5);
  await page.keyboard.type('<');
  await completionOptions(page).first().waitFor();
  const labels = await completionOptions(page).locator('.cm-completionLabel').allTextContents();
  for (const policy of ['set-header', 'rate-limit-by-key', 'validate-jwt', 'base']) {
    assert.ok(labels.includes(policy), `${policy} is offered: ${labels.join(', ')}`);
  }
  assert.ok(!labels.includes('inbound'), 'sections are not offered inside a section');
  await page.keyboard.type('set-hea');
  await page.getByTestId('editor').locator('.cm-tooltip-autocomplete li[aria-selected]', { hasText: 'set-header' }).waitFor();
  await page.keyboard.press('Enter');
  await page.keyboard.type('x-test');
  await page.keyboard.press('Tab');
  await page.keyboard.type('ok');
  // The core's snippet: the name, then the required <value> child on its own line, indented
  // like its parent (set-header takes no text, so nothing typed may land between its tags).
  await untilEditorText(page, (t) => t.split('\n').slice(4, 7).join('\n')
    === '    <set-header name="x-test">\n      <value>ok</value>\n    </set-header>');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Ctrl-Space completes attribute values after emoji on the same line', async () => {
  const { page, errors } = await openApp(env);
  await setEditorText(page, '<policies>\n  <inbound>\n    <base />\n    <set-header name="😀-é" exists-action="">\n      <value>1</value>\n    </set-header>\n  </inbound>\n</policies>');
  await cursorToLineEnd(page, 4);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Control+Space');
  await completionOptions(page).first().waitFor();
  const labels = await completionOptions(page).locator('.cm-completionLabel').allTextContents();
  // The enum's values (and a policy expression, which the attribute accepts).
  assert.deepEqual(labels.filter((l) => !l.startsWith('@')).sort(), ['append', 'delete', 'override', 'skip']);
  await completionOptions(page).filter({ hasText: 'skip' }).click();
  await untilEditorText(page, (t) => t.split('\n')[3] === '    <set-header name="😀-é" exists-action="skip">');
  assert.deepEqual(errors, []);
  await page.close();
});

test('{{ completes the named values the scenario declares', async () => {
  const { page } = await openApp(env);
  // The default example declares backend-api-key (Key Vault).
  await setEditorText(page, '<policies>\n  <inbound>\n    <base />\n    <set-header name="a" exists-action="override">\n      <value></value>\n    </set-header>\n  </inbound>\n</policies>');
  await cursorToLineEnd(page, 5);
  for (let i = 0; i < '</value>'.length; i++) await page.keyboard.press('ArrowLeft');
  await page.keyboard.type('{{');
  await completionOptions(page).first().waitFor();
  const labels = await completionOptions(page).locator('.cm-completionLabel').allTextContents();
  assert.ok(labels.some((l) => l.includes('backend-api-key')), labels.join(', '));
  // Enter accepts the selected option once the list has settled (not while it refreshes): each
  // `{` asks again, the first time while the completion code loads, and CodeMirror ignores Enter
  // for 75 ms after the list (re)opens (its interactionDelay), as a person never notices.
  await page.getByTestId('editor').locator('.cm-tooltip-autocomplete li[aria-selected]')
    .filter({ hasText: 'backend-api-key' }).waitFor();
  await page.waitForTimeout(150);
  await page.getByTestId('editor').locator('.cm-tooltip-autocomplete li[aria-selected]')
    .filter({ hasText: 'backend-api-key' }).waitFor();
  await page.keyboard.press('Enter');
  await untilEditorText(page, (t) => t.includes('<value>{{backend-api-key}}</value>'));
  await page.close();
});

test('hovering a policy shows its documentation, after non-ASCII text', async () => {
  const { page, errors } = await openApp(env);
  await setEditorText(page, '<policies>\n  <!-- 🔑🔑 naïve -->\n  <inbound>\n    <base />\n    <rate-limit-by-key calls="5" renewal-period="60" counter-key="k" />\n  </inbound>\n</policies>');
  const editor = page.getByTestId('editor');
  await editor.locator('.cm-line').nth(4).getByText('rate-limit-by-key').hover();
  const hover = editor.locator('.cm-apim-hover');
  await hover.waitFor();
  const text = await hover.textContent();
  assert.match(text, /rate-limit-by-key/);
  assert.match(text, /Microsoft Learn/);
  assert.equal(await hover.locator('a').first().getAttribute('target'), '_blank');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Format rewrites the layout, is undoable, and explains why when it cannot', async () => {
  const { page, errors } = await openApp(env);
  await setEditorText(page, '<policies><inbound><base/><set-header name="é" exists-action="override"><value>x</value></set-header></inbound></policies>');
  await page.getByTestId('format').click();
  await untilEditorText(page, (t) => t.startsWith('<policies>\n    <inbound>\n        <base />\n        <set-header name="é"'));
  await page.keyboard.press('ControlOrMeta+z');
  await untilEditorText(page, (t) => t.startsWith('<policies><inbound><base/>'));
  // The shortcut from inside the editor.
  await page.keyboard.press('Shift+Alt+F');
  await untilEditorText(page, (t) => t.startsWith('<policies>\n    <inbound>'));
  await page.getByTestId('format').click();
  await page.getByTestId('notice').getByText('The policy is already formatted.').waitFor();

  const broken = '<policies>\n  <inbound>\n    <base />\n</policies>';
  await setEditorText(page, broken);
  await page.keyboard.press('Shift+Alt+F');
  await page.getByTestId('notice').getByText(/Not formatted: the document has syntax errors/).waitFor();
  assert.match(await page.getByTestId('notice').textContent(), /line \d+/);
  assert.equal(await editorText(page), broken);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the outline lists sections and policies; clicking one selects it in the editor', async () => {
  const { page, errors } = await openApp(env);
  await setEditorText(page, '<policies>\n  <!-- ☕ -->\n  <inbound>\n    <base />\n    <set-header name="x-é" exists-action="override">\n      <value>1</value>\n    </set-header>\n  </inbound>\n  <outbound>\n    <base />\n  </outbound>\n</policies>');
  await openTab(page, 'outline');
  const items = page.getByTestId('outline-item');
  await items.first().waitFor();
  const rows = await items.evaluateAll((els) => els.map((e) => `${e.dataset.kind}:${e.dataset.line}`));
  assert.deepEqual(rows, ['section:3', 'policy:4', 'policy:5', 'section:9', 'policy:10']);
  await items.nth(2).click();
  // The element is selected: typing replaces it.
  await page.keyboard.type('<base />');
  await untilEditorText(page, (t) => t.split('\n')[4] === '    <base />' && !t.includes('set-header'));
  // The outline follows the text.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="outline-item"]').length === 5
    && [...document.querySelectorAll('[data-testid="outline-item"]')].every((e) => !e.textContent.includes('set-header')));
  assert.deepEqual(errors, []);
  await page.close();
});
