// The vertical slice: the app loads from a sub-path, lists the core's diagnostics while typing,
// and keeps the text across reloads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, openApp, setEditorText, SUB_PATH, loadExample, untilEditorText,
} from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

test('dist/ loads under a sub-path with relative asset URLs', async () => {
  assert.ok(env.server.url.endsWith(SUB_PATH));
  const { page, errors } = await openApp(env);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.reload();
  await page.getByTestId('problems').waitFor();
  for (const url of requests) assert.ok(url.includes(SUB_PATH), `asset outside the sub-path: ${url}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the default example is in the first load; the others are fetched when one is first chosen', async () => {
  const { page, errors } = await openApp(env);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.reload();
  await untilEditorText(page, (t) => t.includes('{{backend-api-key}}'));
  await page.waitForTimeout(300);
  assert.ok(!fetched.some((p) => p.endsWith('/examples.json')), fetched.join(' '));
  await loadExample(page, 'jwt-hs256');
  await untilEditorText(page, (t) => t.includes('<validate-jwt'));
  assert.equal(fetched.filter((p) => p.endsWith('/examples.json')).length, 1);
  await loadExample(page, 'cors-preflight');
  await untilEditorText(page, (t) => t.includes('<cors'));
  assert.equal(fetched.filter((p) => p.endsWith('/examples.json')).length, 1, 'fetched once');
  assert.deepEqual(errors, []);
  await page.close();
});

test('breaking the policy lists a problem on the right line', async () => {
  const { page, errors } = await openApp(env);
  await assert.doesNotReject(page.getByTestId('problem-count').getByText('No problems').waitFor());
  assert.equal(await page.getByTestId('problem').count(), 0);

  await setEditorText(page, '<policies>\n  <inbound>\n    <base />\n  </outbound>\n</policies>\n');
  const problem = page.getByTestId('problems').getByTestId('problem').first();
  await problem.waitFor();
  assert.equal(await problem.getAttribute('data-line'), '4');
  assert.equal(await problem.getAttribute('data-severity'), 'error');
  assert.equal(await problem.getAttribute('data-code'), 'APIM0003');
  assert.match(await page.getByTestId('problem-count').textContent(), /1 error/);

  // Fixing it clears the list without pressing anything.
  await setEditorText(page, '<policies>\n  <inbound>\n    <base />\n  </inbound>\n</policies>\n');
  await page.getByTestId('problem-count').getByText('No problems').waitFor();
  assert.equal(await page.getByTestId('problem').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the editor text survives a reload', async () => {
  const { page } = await openApp(env);
  const marker = '<policies><!-- survives reload 7f3a --></policies>';
  await setEditorText(page, marker);
  await page.waitForTimeout(50);
  await page.reload();
  await page.getByTestId('problems').waitFor();
  const text = await page.getByTestId('editor').locator('.cm-content, textarea').first().evaluate(
    (el) => ('value' in el ? el.value : el.textContent),
  );
  assert.ok(text.includes('survives reload 7f3a'), text);
  await page.close();
});
