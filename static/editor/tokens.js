// Finds what plain XML highlighting cannot see in an APIM policy: `@( … )` and `@{ … }` policy
// expressions (C#, written raw inside attributes and text, so they may contain quotes, `<` and
// `>`), the C# string literals inside them, and `{{named-value}}` references.
//
// Display only: the Rust core decides what is valid. The scan mirrors how APIM reads a policy
// (a C#-aware scan from `@(`/`@{` to the matching close), so a quote inside an expression does
// not end the attribute. Returns [{from, to, kind}] in UTF-16 offsets, kind one of
// 'expr' | 'delim' | 'string' | 'named'.

const NAME = /[A-Za-z0-9._-]/;
const CLOSER = { '(': ')', '[': ']', '{': '}' };

/** Scan a C# string literal starting at `i` (at `"`, `@"` or `$"`); returns the index after it. */
function skipString(text, i, out) {
  const start = i;
  let verbatim = false;
  let interpolated = false;
  while (text[i] === '@' || text[i] === '$') {
    if (text[i] === '@') verbatim = true;
    else interpolated = true;
    i++;
  }
  i++; // the opening quote
  let segment = start;
  const end = text.length;
  while (i < end) {
    const c = text[i];
    if (verbatim && c === '"') {
      if (text[i + 1] === '"') { i += 2; continue; }
      i++;
      break;
    }
    if (!verbatim && c === '\\') { i += 2; continue; }
    if (!verbatim && (c === '"' || c === '\n')) { i += c === '"' ? 1 : 0; break; }
    if (interpolated && c === '{') {
      if (text[i + 1] === '{') { i += 2; continue; }
      out.push({ from: segment, to: i, kind: 'string' });
      i = skipCode(text, i + 1, '}', out);
      segment = i;
      continue;
    }
    if (c === '{' && text[i + 1] === '{') {
      const named = namedValueAt(text, i);
      if (named) out.push(named);
    }
    i++;
  }
  out.push({ from: segment, to: Math.min(i, end), kind: 'string' });
  return i;
}

/**
 * Scan C# code from `i` until the `closer` that balances it; returns the index after the
 * closer, or -1 when the text ends first.
 */
function skipCode(text, i, closer, out) {
  const stack = [closer];
  const end = text.length;
  while (i < end) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '"' || ((c === '@' || c === '$') && (next === '"' || ((next === '@' || next === '$') && text[i + 2] === '"')))) {
      i = skipString(text, i, out);
      continue;
    }
    if (c === "'") {
      // A char literal: 'x', '\n', '\u0041'.
      let j = i + 1;
      if (text[j] === '\\') j += 2;
      else j += 1;
      while (j < end && j < i + 10 && text[j] !== "'" && text[j] !== '\n') j++;
      if (text[j] === "'") {
        out.push({ from: i, to: j + 1, kind: 'string' });
        i = j + 1;
        continue;
      }
      i++;
      continue;
    }
    if (c === '/' && next === '/') {
      while (i < end && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? end : close + 2;
      continue;
    }
    if (c === '{' && next === '{') {
      const named = namedValueAt(text, i);
      if (named) {
        out.push(named);
        i = named.to;
        continue;
      }
    }
    if (CLOSER[c]) {
      stack.push(CLOSER[c]);
    } else if (c === ')' || c === ']' || c === '}') {
      if (c === stack[stack.length - 1]) {
        stack.pop();
        if (stack.length === 0) return i + 1;
      }
      // A stray closer: ignore it, as a forgiving display scan should.
    }
    i++;
  }
  return -1;
}

/** `{{name}}` at `i`, or null. */
function namedValueAt(text, i) {
  let j = i + 2;
  while (j < text.length && j - i < 260 && NAME.test(text[j])) j++;
  if (j > i + 2 && text[j] === '}' && text[j + 1] === '}') return { from: i, to: j + 2, kind: 'named' };
  return null;
}

export function scanPolicyTokens(text) {
  const out = [];
  const end = text.length;
  let i = 0;
  while (i < end) {
    const c = text[i];
    if (c === '<' && text.startsWith('<!--', i)) {
      const close = text.indexOf('-->', i + 4);
      i = close < 0 ? end : close + 3;
      continue;
    }
    if (c === '<' && text.startsWith('<![CDATA[', i)) {
      const close = text.indexOf(']]>', i + 9);
      i = close < 0 ? end : close + 3;
      continue;
    }
    if (c === '{' && text[i + 1] === '{') {
      const named = namedValueAt(text, i);
      if (named) {
        out.push(named);
        i = named.to;
        continue;
      }
    }
    if (c === '@' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      const inner = [];
      const stop = skipCode(text, i + 2, CLOSER[text[i + 1]], inner);
      if (stop < 0) {
        // Unterminated (often mid-typing): mark the rest of the line, not the whole document.
        let eol = text.indexOf('\n', i);
        if (eol < 0) eol = end;
        out.push({ from: i, to: eol, kind: 'expr' }, { from: i, to: i + 2, kind: 'delim' });
        for (const tok of inner) if (tok.to <= eol) out.push(tok);
        i = eol;
        continue;
      }
      out.push(
        { from: i, to: stop, kind: 'expr' },
        { from: i, to: i + 2, kind: 'delim' },
        ...inner,
        { from: stop - 1, to: stop, kind: 'delim' },
      );
      i = stop;
      continue;
    }
    i++;
  }
  return out;
}
