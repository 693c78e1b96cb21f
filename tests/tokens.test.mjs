// The editor's highlighting scan (static/editor/tokens.js), run directly in Node: policy
// expressions end where APIM's C#-aware scan ends them, not at the attribute's closing quote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanPolicyTokens } from '../static/editor/tokens.js';

const pick = (text, kind) =>
  scanPolicyTokens(text).filter((t) => t.kind === kind).map((t) => text.slice(t.from, t.to));

test('an expression with quotes inside an attribute ends at its matching parenthesis', () => {
  const text = '<when condition="@(context.Request.Headers.GetValueOrDefault("X-Region", "") == "eu")">';
  assert.deepEqual(pick(text, 'expr'), ['@(context.Request.Headers.GetValueOrDefault("X-Region", "") == "eu")']);
  assert.deepEqual(pick(text, 'string'), ['"X-Region"', '""', '"eu"']);
  assert.deepEqual(pick(text, 'delim'), ['@(', ')']);
});

test('multi-statement blocks span lines and skip braces in strings and comments', () => {
  const text = '<value>@{\n  var s = "}"; // }\n  /* } */ return s + $"{context.RequestId}";\n}</value>';
  const [expr] = pick(text, 'expr');
  assert.ok(expr.startsWith('@{') && expr.endsWith('\n}'), expr);
  assert.deepEqual(pick(text, 'string'), ['"}"', '$"', '"']);
});

test('named values are found in text, attributes and inside expressions', () => {
  const text = '<set-header name="X-{{tenant}}"><value>{{backend-api-key}}</value><value>@("{{a.b_c}}")</value>';
  assert.deepEqual(pick(text, 'named'), ['{{tenant}}', '{{backend-api-key}}', '{{a.b_c}}']);
  assert.deepEqual(pick(text, 'named').length, 3);
});

test('comments, unterminated expressions and plain @ signs', () => {
  assert.deepEqual(pick('<!-- @(not an expression) {{nor-this}} --><a>ada@contoso.com</a>', 'expr'), []);
  assert.deepEqual(pick('<!-- x -->{{n}}', 'named'), ['{{n}}']);
  // Mid-typing: the mark stops at the end of the line instead of swallowing the document.
  assert.deepEqual(pick('<v>@(context.Request\n</v>', 'expr'), ['@(context.Request']);
  assert.deepEqual(pick('{{not closed}', 'named'), []);
});

test('offsets are UTF-16 code units', () => {
  const text = '<a é="😀">@(1)</a>';
  const [tok] = scanPolicyTokens(text).filter((t) => t.kind === 'expr');
  assert.equal(tok.from, text.indexOf('@('));
  assert.equal(text.slice(tok.from, tok.to), '@(1)');
});
