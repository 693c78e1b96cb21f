// Workshop mode (issue 9): the Lessons view, checks in the worker, hints, solution and reset
// (asking first), progress across reloads and apart from the playground, courses from a file,
// a folder and a `?course=` URL, broken course files, share links of a lesson, the keyboard
// shortcut, and axe on the lesson views. Hooks: docs/ui-test-hooks-lessons.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  launch, openApp, setEditorText, untilEditorText, editable,
} from './harness.mjs';

let env;
before(async () => { env = await launch(); });
after(async () => { await env?.close(); });

const BUNDLE = readFileSync('static/courses/key-vault-workshop.json', 'utf8');
const COURSE = JSON.parse(BUNDLE);
const lessonOf = (id) => COURSE.lessons.find((l) => l.id === id);
const MINE = '<policies>\n  <inbound>\n    <!-- my playground work -->\n  </inbound>\n</policies>';

async function openLessons(page) {
  await page.getByTestId('lessons-toggle').click();
  await page.getByTestId('lesson-list').waitFor();
}

async function openLesson(page, id) {
  await page.getByTestId('lesson-list').locator(`[data-lesson="${id}"]`).click();
  await page.locator(`[data-testid="lesson-title"][data-lesson="${id}"]`).waitFor();
}

/** Press Check and wait for the answer number `n` (the `data-checks` counter). */
async function check(page, n, how = 'button') {
  if (how === 'button') await page.getByTestId('lesson-check').click();
  else {
    await editable(page).click();
    await page.keyboard.press('ControlOrMeta+Shift+Enter');
  }
  await page.waitForFunction((want) => Number(document.querySelector('[data-testid="lesson-result"]')
    ?.dataset.checks ?? 0) >= want, n);
}

const stepStatuses = (page) => page.getByTestId('lesson-step').evaluateAll((els) => els.map((e) => e.dataset.status));

test('the Lessons view lists the built-in course (fetched only when opened) and keeps the playground apart', async () => {
  const { page, context, errors } = await openApp(env);
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await setEditorText(page, MINE);
  await page.waitForTimeout(400);
  assert.ok(!fetched.some((p) => p.endsWith('.json') && p.includes('courses/')), 'no course before the Lessons view opens');
  await openLessons(page);
  assert.ok(fetched.some((p) => p.endsWith('/courses/key-vault-workshop.json')), fetched.join(' '));
  assert.equal(await page.getByTestId('lessons-toggle').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByTestId('course-title').textContent(), COURSE.title);
  const items = page.getByTestId('lesson-item');
  assert.equal(await items.count(), COURSE.lessons.length);
  assert.deepEqual(
    await items.evaluateAll((els) => els.map((e) => e.dataset.lesson)),
    COURSE.lessons.map((l) => l.id),
  );
  assert.deepEqual(new Set(await items.evaluateAll((els) => els.map((e) => e.dataset.status))), new Set(['new']));
  await openLesson(page, 'kv-not-a-policy');
  await untilEditorText(page, (t) => t.includes('<key-vault-configuration'), 'the lesson starts from its policy');
  assert.equal(await page.getByTestId('lesson-step').count(), lessonOf('kv-not-a-policy').steps.length);
  assert.deepEqual(new Set(await stepStatuses(page)), new Set(['unchecked']));
  assert.match(await page.getByTestId('lesson-text').innerHTML(), /<code>&lt;key-vault-configuration/);
  // The lesson's scenario is in the scenario editor.
  await page.getByTestId('tab-simulate').click();
  assert.match(await page.getByTestId('scenario-json').inputValue(), /contoso-kv/);
  // Leaving puts the playground back, untouched.
  await page.getByTestId('lessons-close').click();
  await untilEditorText(page, (t) => t.includes('my playground work'));
  assert.equal(await page.getByTestId('lessons').count(), 0);
  assert.equal(await page.getByTestId('lessons-toggle').getAttribute('aria-pressed'), 'false');
  assert.deepEqual(errors, []);
  await context.close();
});

test('Check reports each step in the worker; hints are revealed on request; Ctrl+Shift+Enter checks', async () => {
  const { page, context, errors } = await openApp(env);
  await openLessons(page);
  await openLesson(page, 'kv-not-a-policy');
  await check(page, 1);
  const first = page.getByTestId('lesson-step').first();
  assert.equal(await first.getAttribute('data-status'), 'failed');
  assert.match(await first.getByTestId('step-problems').textContent(), /key-vault-configuration/);
  assert.match(await page.getByTestId('lesson-result').textContent(), /of 4 steps passed/);
  // The hint is hidden until asked for (a disclosure: Enter or Space on it, or a click).
  assert.equal(await first.getByTestId('step-hint').isVisible(), false);
  await first.getByTestId('step-hint-toggle').focus();
  await page.keyboard.press('Enter');
  await first.getByTestId('step-hint').waitFor({ state: 'visible' });
  assert.match(await first.getByTestId('step-hint').textContent(), /keep\s+<base \/>/);
  await first.getByTestId('step-hint-toggle').click();
  await first.getByTestId('step-hint').waitFor({ state: 'hidden' });
  // A policy that does not parse: the steps that need its tree or a simulation say they could
  // not run (never passed), with the reason.
  await setEditorText(page, '<policies>\n  <inbound>\n    <set-header name="x-api-key"\n</policies>');
  const before = await editable(page).innerText();
  await check(page, 2, 'keyboard');
  const statuses = await stepStatuses(page);
  assert.deepEqual(statuses.slice(2), ['could_not_run', 'could_not_run'], statuses.join());
  assert.equal(statuses[0], 'could_not_run', 'a rule code is not checked on a tree that does not parse');
  assert.notEqual(statuses[1], 'passed', 'a document with errors does not pass "no errors"');
  assert.match(await page.getByTestId('lesson-result').textContent(), /^[0-2] of 4 steps passed/);
  assert.match(await page.getByTestId('lesson-step').nth(2).getByTestId('step-problems').textContent(), /does not parse/);
  assert.equal(await editable(page).innerText(), before, 'the shortcut does not type into the editor');
  // Editing marks the result as stale.
  await page.keyboard.type(' ');
  await page.waitForFunction(() => /check again/.test(document.querySelector('[data-testid="lesson-result"]').textContent));
  assert.deepEqual(errors, []);
  await context.close();
});

test('Show solution and Reset ask first; the replaced text can be brought back', async () => {
  const { page, context } = await openApp(env);
  await openLessons(page);
  await openLesson(page, 'kv-not-a-policy');
  const attempt = '<policies>\n  <inbound>\n    <!-- my attempt -->\n  </inbound>\n</policies>';
  await setEditorText(page, attempt);
  await page.getByTestId('lesson-solution').click();
  await page.getByTestId('lesson-confirm').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('lesson-confirm').count(), 0);
  await page.getByTestId('lesson-solution').click();
  await page.getByTestId('lesson-cancel').click();
  await untilEditorText(page, (t) => t.includes('my attempt'));
  await page.getByTestId('lesson-solution').click();
  await page.getByTestId('lesson-confirm').click();
  await untilEditorText(page, (t) => t.includes('{{backend-api-key}}') && !t.includes('my attempt'));
  await check(page, 1);
  assert.deepEqual(await stepStatuses(page), ['passed', 'passed', 'passed', 'passed']);
  assert.match(await page.getByTestId('lesson-result').textContent(), /All 4 steps passed/);
  await page.getByTestId('lesson-restore').click();
  await untilEditorText(page, (t) => t.includes('my attempt'));
  await page.getByTestId('lesson-reset').click();
  await page.getByTestId('lesson-cancel').click();
  await untilEditorText(page, (t) => t.includes('my attempt'));
  await page.getByTestId('lesson-reset').click();
  await page.getByTestId('lesson-confirm').click();
  await untilEditorText(page, (t) => t.includes('<key-vault-configuration'));
  assert.deepEqual(new Set(await stepStatuses(page)), new Set(['unchecked']), 'a reset clears the passed steps');
  await page.getByTestId('lesson-restore').click();
  await untilEditorText(page, (t) => t.includes('my attempt'));
  await context.close();
});

test('a student solves two lessons by typing, and the progress survives a reload', async () => {
  const { page, context, errors } = await openApp(env);
  await setEditorText(page, MINE);
  await openLessons(page);
  await openLesson(page, 'kv-not-a-policy');
  await setEditorText(page, lessonOf('kv-not-a-policy').solution.policy);
  await check(page, 1);
  assert.deepEqual(new Set(await stepStatuses(page)), new Set(['passed']));
  // Next goes on to lesson 2; the list then shows lesson 1 done.
  await page.getByTestId('lesson-next').click();
  await page.locator('[data-testid="lesson-title"][data-lesson="kv-declare-named-value"]').waitFor();
  await page.getByTestId('lesson-list-open').click();
  assert.equal(await page.locator('[data-testid="lesson-item"][data-lesson="kv-not-a-policy"]').getAttribute('data-status'), 'passed');
  await openLesson(page, 'rate-limit-by-key');
  const typed = lessonOf('rate-limit-by-key').solution.policy.replace('<inbound>', '<inbound>\n    <!-- typed by the student -->');
  await setEditorText(page, typed);
  await check(page, 2);
  assert.deepEqual(new Set(await stepStatuses(page)), new Set(['passed']));
  await page.waitForTimeout(500);
  await page.reload();
  // Back in the same lesson, with the student's text and the passed steps.
  await page.locator('[data-testid="lesson-title"][data-lesson="rate-limit-by-key"]').waitFor();
  await untilEditorText(page, (t) => t.includes('typed by the student'));
  assert.deepEqual(new Set(await stepStatuses(page)), new Set(['passed']));
  await page.getByTestId('lesson-list-open').click();
  const status = (id) => page.locator(`[data-testid="lesson-item"][data-lesson="${id}"]`).getAttribute('data-status');
  assert.equal(await status('kv-not-a-policy'), 'passed');
  assert.equal(await status('rate-limit-by-key'), 'passed');
  assert.equal(await status('kv-declare-named-value'), 'started');
  assert.equal(await status('cors'), 'new');
  // Lesson 1 keeps the typed solution; the playground its own text.
  await openLesson(page, 'kv-not-a-policy');
  await untilEditorText(page, (t) => t.includes('{{backend-api-key}}') && !t.includes('key-vault-configuration'));
  await page.getByTestId('lessons-close').click();
  await untilEditorText(page, (t) => t.includes('my playground work'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('every built-in lesson: its start fails the first step and its solution passes every step, checked in the page', async () => {
  const { page, context, errors } = await openApp(env);
  await openLessons(page);
  let n = 0;
  for (const lesson of COURSE.lessons) {
    await openLesson(page, lesson.id);
    await check(page, ++n);
    const start = await stepStatuses(page);
    assert.equal(start.length, lesson.steps.length, lesson.id);
    assert.notEqual(start[0], 'passed', `${lesson.id} starts with its first step not done`);
    await page.getByTestId('lesson-solution').click();
    await page.getByTestId('lesson-confirm').click();
    await check(page, ++n);
    assert.deepEqual(await stepStatuses(page), lesson.steps.map(() => 'passed'), `${lesson.id}'s solution passes`);
    assert.match(await page.getByTestId('lesson-result').textContent(), /^All \d+ steps passed/);
    await page.getByTestId('lesson-list-open').click();
    assert.equal(await page.locator(`[data-testid="lesson-item"][data-lesson="${lesson.id}"]`).getAttribute('data-status'), 'passed');
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('a course from a file and from a folder; a broken course file shows file:line:column and the rest loads', async () => {
  const { page, context } = await openApp(env);
  await openLessons(page);
  const mine = { ...COURSE, id: 'my-workshop', title: 'My workshop', lessons: COURSE.lessons.slice(0, 3) };
  await page.getByTestId('course-file').setInputFiles({
    name: 'my-workshop.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(mine, null, 2)),
  });
  await page.waitForFunction(() => document.querySelector('[data-testid="course-title"]')?.textContent === 'My workshop');
  assert.equal(await page.getByTestId('lesson-item').count(), 3);
  await openLesson(page, 'kv-grant-access-policy');
  await check(page, 1);
  // A broken bundle: one lesson with an unknown check kind.
  const broken = BUNDLE.replace('"kind": "lint-lacks"', '"kind": "lint-maybe"');
  const line = broken.split('\n').findIndex((l) => l.includes('lint-maybe')) + 1;
  await page.getByTestId('lesson-list-open').click();
  await page.getByTestId('course-file').setInputFiles({
    name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(broken),
  });
  const error = page.getByTestId('course-error');
  await error.waitFor();
  assert.equal(await error.count(), 1);
  assert.equal(await error.getAttribute('data-file'), 'broken.json');
  assert.equal(await error.getAttribute('data-line'), String(line));
  assert.ok(Number(await error.getAttribute('data-column')) > 1);
  assert.match(await error.textContent(), new RegExp(`broken\\.json:${line}:\\d+ .*lint-maybe`));
  assert.equal(await page.getByTestId('lesson-item').count(), COURSE.lessons.length - 1, 'the other lessons load');
  // The lesson the student was in (from the other course) is still in the editor.
  await page.getByTestId('lesson-back').waitFor({ state: 'detached' });
  // Not JSON at all.
  await page.getByTestId('course-file').setInputFiles({ name: 'junk.json', mimeType: 'application/json', buffer: Buffer.from('{\n  "format": ') });
  await page.waitForFunction(() => document.querySelector('[data-testid="course-error"]')?.dataset.file === 'junk.json');
  assert.equal(await page.getByTestId('course-error').getAttribute('data-line'), '2');
  assert.equal(await page.getByTestId('lesson-item').count(), 0);
  // A course folder, as a trainer hands it out.
  await page.getByTestId('course-folder').setInputFiles('courses/key-vault-workshop');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="lesson-item"]').length === n, COURSE.lessons.length);
  assert.equal(await page.getByTestId('course-error').count(), 0);
  // The opened course is still there after a reload; the built-in one is a click away.
  await page.reload();
  await page.getByTestId('lesson-list').waitFor();
  assert.match(await page.getByTestId('lessons').textContent(), /From key-vault-workshop/);
  await page.getByTestId('course-builtin').click();
  await page.waitForFunction(() => /From the built-in course/.test(document.querySelector('[data-testid="lessons"]').textContent));
  await context.close();
});

test('a course from ?course= on the same host; other origins and missing files are refused clearly', async () => {
  const context = await env.browser.newContext();
  const mine = { ...COURSE, id: 'hosted', title: 'Hosted workshop', lessons: COURSE.lessons.slice(10) };
  await context.route('**/courses/my-workshop.json', (route) => route.fulfill({
    status: 200, contentType: 'application/json', body: JSON.stringify(mine),
  }));
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  await page.goto(`${env.server.url}?course=courses/my-workshop.json`);
  await page.waitForFunction(() => document.querySelector('[data-testid="course-title"]')?.textContent === 'Hosted workshop');
  assert.equal(await page.getByTestId('lesson-item').count(), COURSE.lessons.length - 10);
  await openLesson(page, 'cors');
  await check(page, 1);
  // A reload of the trainer's link comes back to the lesson the student was in.
  await page.waitForTimeout(400);
  await page.reload();
  await page.locator('[data-testid="lesson-title"][data-lesson="cors"]').waitFor();
  await page.goto(`${env.server.url}?course=https%3A%2F%2Fevil.example%2Fc.json`);
  await page.getByTestId('editor').locator('.cm-content').waitFor();
  await page.waitForFunction(() => /was not opened: only a relative path/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''));
  assert.ok(!requests.some((u) => new URL(u).hostname === 'evil.example'), requests.join(' '));
  await page.goto(`${env.server.url}?course=courses/missing.json`);
  const failed = page.getByTestId('course-failed');
  await failed.waitFor();
  assert.match(await failed.textContent(), /courses\/missing\.json could not be loaded: .*404/);
  await context.close();
});

test('a share link carries the lesson and the student\'s progress', async () => {
  const { page, context } = await openApp(env);
  await openLessons(page);
  await openLesson(page, 'kv-not-a-policy');
  const text = lessonOf('kv-not-a-policy').start.policy.replace(/ *<key-vault-configuration[^\n]*\n/, '');
  await setEditorText(page, text);
  await check(page, 1);
  const statuses = await stepStatuses(page);
  assert.equal(statuses[0], 'passed');
  await page.getByTestId('share').click();
  const link = page.getByTestId('share-link');
  await page.waitForFunction(() => document.querySelector('[data-testid="share-link"]')?.value.includes('#s='));
  const url = await link.inputValue();
  await context.close();
  // The trainer opens it in their own browser.
  const trainer = await openApp(env);
  await trainer.page.goto(url);
  await trainer.page.locator('[data-testid="lesson-title"][data-lesson="kv-not-a-policy"]').waitFor();
  await untilEditorText(trainer.page, (t) => t.trim() === text.trim());
  assert.deepEqual(await stepStatuses(trainer.page), statuses.map((s) => (s === 'passed' ? 'passed' : 'unchecked')));
  await trainer.context.close();
});

test('budget: a check of a 2,000-line policy in the worker (printed)', async () => {
  const { page, context } = await openApp(env);
  await openLessons(page);
  await openLesson(page, 'kv-not-a-policy');
  const filler = Array.from({ length: 1990 }, (_, i) => `    <set-variable name="v${i}" value="@(context.Request.Method + &quot;${i}&quot;)" />`).join('\n');
  const policy = lessonOf('kv-not-a-policy').solution.policy.replace('<base />', `<base />\n${filler}`);
  assert.ok(policy.split('\n').length >= 2000);
  await setEditorText(page, policy);
  await check(page, 1); // the worker is loaded and warm
  // In the page's clock: from the click on Check to the answer on the page (Check is disabled
  // while the worker checks, and enabled again with the results), not Playwright's polling.
  await page.evaluate(() => {
    window.__checkTimes = [];
    let t0 = 0;
    window.addEventListener('click', (e) => {
      if (e.target.closest?.('[data-testid="lesson-check"]')) t0 = performance.now();
    }, true);
    new MutationObserver(() => {
      const button = document.querySelector('[data-testid="lesson-check"]');
      if (t0 && button && !button.disabled) { window.__checkTimes.push(performance.now() - t0); t0 = 0; }
    }).observe(document.querySelector('[data-testid="lessons"]'), { attributes: true, attributeFilter: ['disabled'], subtree: true });
  });
  for (let n = 2; n <= 8; n++) await check(page, n);
  const times = await page.evaluate(() => window.__checkTimes);
  assert.equal(times.length, 7);
  times.sort((a, b) => a - b);
  console.log(`budget: lesson check of a ${policy.split('\n').length}-line policy ${times[3].toFixed(0)} ms median of ${times.length} ` +
    `(goal < 100 ms after the worker is loaded; click to the result, in the page's clock)`);
  assert.deepEqual(new Set(await stepStatuses(page)), new Set(['passed']));
  await context.close();
});

async function axe(page, label) {
  await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  assert.deepEqual(result, [], `axe (${label}) found violations`);
}

for (const scheme of ['light', 'dark']) {
  test(`axe finds no violations on the lesson views (${scheme})`, async () => {
    const context = await env.browser.newContext({ colorScheme: scheme, bypassCSP: true, viewport: { width: 1280, height: 720 } });
    const { page } = await openApp(env, { context });
    await openLessons(page);
    await axe(page, `${scheme}, course list`);
    await openLesson(page, 'kv-not-a-policy');
    await axe(page, `${scheme}, lesson`);
    await check(page, 1);
    await page.getByTestId('step-hint-toggle').first().click();
    await axe(page, `${scheme}, lesson checked, hint shown`);
    await setEditorText(page, '<policies>');
    await check(page, 2);
    await axe(page, `${scheme}, steps that could not run`);
    await page.getByTestId('lesson-solution').click();
    await axe(page, `${scheme}, confirmation`);
    await page.getByTestId('lesson-confirm').click();
    await check(page, 3);
    await axe(page, `${scheme}, all steps passed`);
    await page.getByTestId('lesson-list-open').click();
    await page.getByTestId('course-file').setInputFiles({
      name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(BUNDLE.replace('"kind": "lint-lacks"', '"kind": "x"')),
    });
    await page.getByTestId('course-error').waitFor();
    await axe(page, `${scheme}, course errors`);
    await context.close();
  });
}
