// Where the web app's .wasm bytes go: code per crate (from the function names the linker keeps
// in the `name` section) and data (string constants: the policy catalog, rule docs, the
// context model), before wasm-opt, with the gzipped size of each part for scale.
//
//   node scripts/wasm-sizes.mjs [target/web/wasm32-unknown-unknown/web/apim-playground.wasm]
//
// wasm-opt -Oz later shrinks the code by roughly a tenth and drops the names; the shares hold.
// Names may be v0 (`_R…`, the Debian path's rustc and the rustup path's -Csymbol-mangling-version=v0)
// or legacy (`_ZN…E`, stable rustc's default, which has no generic arguments of functions).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const file = process.argv[2] ?? 'target/web/wasm32-unknown-unknown/web/apim-playground.wasm';
const bytes = readFileSync(file);
let pos = 8;

function uleb() {
  let result = 0; let shift = 0; let b;
  do { b = bytes[pos++]; result += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
  return result;
}

const sections = [];
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = uleb();
  sections.push({ id, start: pos, size });
  pos += size;
}

const imports = (() => {
  const s = sections.find((x) => x.id === 2);
  if (!s) return 0;
  pos = s.start;
  const n = uleb(); let funcs = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 2; k++) { const len = uleb(); pos += len; }
    const kind = bytes[pos++];
    if (kind === 0) { uleb(); funcs++; } else if (kind === 1) { pos++; const f = uleb(); uleb(); if (f & 1) uleb(); } else if (kind === 2) { const f = uleb(); uleb(); if (f & 1) uleb(); } else if (kind === 3) { pos += 2; }
  }
  return funcs;
})();

const bodies = [];
{
  const s = sections.find((x) => x.id === 10);
  pos = s.start;
  const n = uleb();
  for (let i = 0; i < n; i++) { const size = uleb(); bodies.push({ start: pos, size }); pos += size; }
}

const names = new Map();
for (const s of sections.filter((x) => x.id === 0)) {
  pos = s.start;
  const nameLen = uleb();
  const name = bytes.subarray(pos, pos + nameLen).toString();
  pos += nameLen;
  if (name !== 'name') continue;
  while (pos < s.start + s.size) {
    const sub = bytes[pos++]; const subSize = uleb(); const end = pos + subSize;
    if (sub === 1) {
      const n = uleb();
      for (let i = 0; i < n; i++) { const idx = uleb(); const len = uleb(); names.set(idx, bytes.subarray(pos, pos + len).toString()); pos += len; }
    }
    pos = end;
  }
}
if (names.size === 0) {
  console.error(`${file} has no name section: build with strip = "debuginfo" (the web profile does)`);
  process.exit(1);
}

const STD = new Set(['core', 'alloc', 'std', 'dlmalloc', 'hashbrown', 'compiler_builtins']);

/** The crates a v0-mangled (`_R…`) symbol mentions: `C[s<hash>_]<len><name>`. A crate that
 * ends the symbol is the instantiating crate (which crate's code asked for a generic function),
 * not a type the code is for: it is left out. */
function cratesOf(sym) {
  const out = [];
  const bare = sym.replace(/\.llvm\.\d+$/, '');
  const re = /C(?:s[0-9A-Za-z]*_)?(\d+)_?/g;
  let m;
  while ((m = re.exec(bare))) {
    const len = Number(m[1]);
    const name = bare.slice(re.lastIndex, re.lastIndex + len);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !(re.lastIndex + len === bare.length && out.length)) {
      out.push(name.replace(/^_+/, ''));
    }
  }
  return out;
}

/** The module path after `crate` in a v0 symbol: `Nt<ns>…<len><name>` segments following it. */
function moduleOf(sym, crate) {
  const at = sym.indexOf(`${crate.length}${crate}`);
  if (at < 0) return '?';
  const rest = sym.slice(at + crate.length + String(crate.length).length);
  const m = rest.match(/^(?:s[0-9A-Za-z]*_)?(\d+)_?([A-Za-z_][A-Za-z0-9_]*)/);
  if (!m) return '(root)';
  return m[2].slice(0, Number(m[1]));
}

/** A legacy-mangled (`_ZN…E`) symbol as a Rust path: `_ZN4core3ptr13drop_in_place$LT$apim_policy..lint..Ctx$GT$17h…E`
 * → `core::ptr::drop_in_place<apim_policy::lint::Ctx>` (the hash segment dropped). Stable rustc
 * (the rustup toolchain) emits these; v0 symbols are read by `cratesOf`/`moduleOf` above. */
function demangleLegacy(sym) {
  let p = sym.startsWith('__ZN') ? 4 : 3;
  const segs = [];
  while (p < sym.length && /\d/.test(sym[p])) {
    let q = p; while (/\d/.test(sym[q])) q++;
    const len = Number(sym.slice(p, q));
    segs.push(sym.slice(q, q + len));
    p = q + len;
  }
  if (segs.length && /^h[0-9a-f]{16}$/.test(segs[segs.length - 1])) segs.pop();
  const esc = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };
  return segs.map((x) => x.replace(/^_(?=\$)/, '')
    .replace(/\$([A-Z]{1,2}|u[0-9a-f]+)\$/g, (m, c) => esc[c] ?? (c[0] === 'u' ? String.fromCodePoint(parseInt(c.slice(1), 16)) : m))
    .replace(/\.\./g, '::')).join('::');
}

/** The crates a demangled path mentions, in order: every identifier followed by `::` that starts
 * a path (not preceded by `::`). */
function cratesOfPath(path) {
  const out = [];
  const re = /(?<![A-Za-z0-9_:])([A-Za-z_][A-Za-z0-9_]*)::/g;
  let m;
  while ((m = re.exec(path))) out.push(m[1]);
  return out;
}

/** The module after `crate::` in a demangled path (the first occurrence), or `(root)`. */
function moduleOfPath(path, crate) {
  const m = path.match(new RegExp(`(?<![A-Za-z0-9_:])${crate}::([A-Za-z_][A-Za-z0-9_]*)(::)?`));
  if (!m) return '?';
  return m[2] ? m[1] : '(root)';
}

/** The crate a function's code counts toward: the first of this project's crates it mentions
 * (yew, serde or std code instantiated for the project's types counts toward those types),
 * else the first non-std crate. */
function crateOf(sym) {
  let crates = null;
  if (sym.startsWith('_R')) crates = cratesOf(sym);
  else if (/^_?_ZN/.test(sym)) crates = cratesOfPath(demangleLegacy(sym));
  if (crates) {
    return crates.find((c) => c.startsWith('apim_')) ?? crates.find((c) => !STD.has(c)) ?? 'core/alloc/std';
  }
  if (/^(mem|__|dlmalloc|rust_)/.test(sym)) return 'core/alloc/std';
  if (/^(wasm_bindgen|__wbg|__wbindgen)/.test(sym)) return 'wasm_bindgen';
  return 'other';
}

/** The module of `crate` a function counts toward. */
function moduleOfSym(sym, crate) {
  if (sym.startsWith('_R')) return moduleOf(sym, crate);
  return moduleOfPath(demangleLegacy(sym), crate);
}

const groups = new Map();
bodies.forEach((b, i) => {
  const sym = names.get(imports + i) ?? '?';
  const crate = crateOf(sym);
  const g = groups.get(crate) ?? { size: 0, chunks: [] };
  g.size += b.size;
  g.chunks.push(bytes.subarray(b.start, b.start + b.size));
  groups.set(crate, g);
});

const modules = new Map();
bodies.forEach((b, i) => {
  const sym = names.get(imports + i) ?? '?';
  const crate = crateOf(sym);
  if (!crate.startsWith('apim_')) return;
  const key = `${crate}::${moduleOfSym(sym, crate)}`;
  modules.set(key, (modules.get(key) ?? 0) + b.size);
});

const data = sections.filter((x) => x.id === 11).reduce((a, s) => a + s.size, 0);
const dataBytes = Buffer.concat(sections.filter((x) => x.id === 11).map((s) => bytes.subarray(s.start, s.start + s.size)));
const code = bodies.reduce((a, b) => a + b.size, 0);
const kb = (n) => `${(n / 1024).toFixed(0).padStart(5)} KB`;
console.log(`${file}: ${kb(bytes.length)} (gzip ${kb(gzipSync(bytes, { level: 9 }).length)}), code ${kb(code)}, data ${kb(data)} (gzip ${kb(gzipSync(dataBytes, { level: 9 }).length)})`);
{
  // Data split into text (runs of 6+ printable UTF-8 bytes: messages, docs, the examples) and
  // the rest (tables of pointers and lengths: the catalog's and the context model's structs,
  // vtables, Unicode and number-formatting tables), which compresses far worse.
  const isText = (b) => b === 9 || b === 10 || (b >= 0x20 && b < 0x7f) || b >= 0xc2;
  const text = []; const rest = [];
  let i = 0;
  while (i < dataBytes.length) {
    let j = i;
    while (j < dataBytes.length && isText(dataBytes[j])) j++;
    if (j - i >= 6) { text.push(dataBytes.subarray(i, j)); i = j; continue; }
    j = Math.max(j, i + 1);
    rest.push(dataBytes.subarray(i, j)); i = j;
  }
  const t = Buffer.concat(text); const r = Buffer.concat(rest);
  console.log(`data: text ${kb(t.length)} (gzip alone ${kb(gzipSync(t, { level: 9 }).length)}), tables ${kb(r.length)} (gzip alone ${kb(gzipSync(r, { level: 9 }).length)})`);
}
console.log('code by crate (before wasm-opt):');
for (const [crate, g] of [...groups.entries()].sort((a, b) => b[1].size - a[1].size).slice(0, 14)) {
  const gz = gzipSync(Buffer.concat(g.chunks), { level: 9 }).length;
  console.log(`  ${crate.padEnd(28)} ${kb(g.size)}  ${(100 * g.size / code).toFixed(0).padStart(3)}%  (gzip alone ${kb(gz)})`);
}
console.log("the project's crates by module (before wasm-opt):");
for (const [key, size] of [...modules.entries()].sort((a, b) => b[1] - a[1]).slice(0, 16)) {
  console.log(`  ${key.padEnd(40)} ${kb(size)}`);
}
