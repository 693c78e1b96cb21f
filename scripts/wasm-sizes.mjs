// Where the web app's .wasm bytes go: code per crate (from the function names the linker keeps
// in the `name` section) and data (string constants: the policy catalog, rule docs, the
// context model), before wasm-opt, with the gzipped size of each part for scale.
//
//   node scripts/wasm-sizes.mjs [target/web/wasm32-unknown-unknown/web/apim-playground.wasm]
//
// wasm-opt -Oz later shrinks the code by roughly a tenth and drops the names; the shares hold.
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

/** The crates a v0-mangled (`_R…`) symbol mentions: `C[s<hash>_]<len><name>`. */
function cratesOf(sym) {
  const out = [];
  const re = /C(?:s[0-9A-Za-z]*_)?(\d+)/g;
  let m;
  while ((m = re.exec(sym))) {
    const len = Number(m[1]);
    const name = sym.slice(re.lastIndex, re.lastIndex + len);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) out.push(name.replace(/^_+/, ''));
  }
  return out;
}

/** The module path after `crate` in a v0 symbol: `Nt<ns>…<len><name>` segments following it. */
function moduleOf(sym, crate) {
  const at = sym.indexOf(`${crate.length}${crate}`);
  if (at < 0) return '?';
  const rest = sym.slice(at + crate.length + String(crate.length).length);
  const m = rest.match(/^(\d+)([A-Za-z_][A-Za-z0-9_]*)/);
  if (!m) return '(root)';
  return m[2].slice(0, Number(m[1]));
}

/** The crate a function's code counts toward: the first of this project's crates it mentions
 * (yew, serde or std code instantiated for the project's types counts toward those types),
 * else the first non-std crate. */
function crateOf(sym) {
  if (sym.startsWith('_R')) {
    const crates = cratesOf(sym);
    return crates.find((c) => c.startsWith('apim_')) ?? crates.find((c) => !STD.has(c)) ?? 'core/alloc/std';
  }
  if (/^(mem|__|dlmalloc|rust_)/.test(sym)) return 'core/alloc/std';
  if (/^(wasm_bindgen|__wbg|__wbindgen)/.test(sym)) return 'wasm_bindgen';
  return 'other';
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
  const key = `${crate}::${moduleOf(sym, crate)}`;
  modules.set(key, (modules.get(key) ?? 0) + b.size);
});

const data = sections.filter((x) => x.id === 11).reduce((a, s) => a + s.size, 0);
const dataBytes = Buffer.concat(sections.filter((x) => x.id === 11).map((s) => bytes.subarray(s.start, s.start + s.size)));
const code = bodies.reduce((a, b) => a + b.size, 0);
const kb = (n) => `${(n / 1024).toFixed(0).padStart(5)} KB`;
console.log(`${file}: ${kb(bytes.length)} (gzip ${kb(gzipSync(bytes, { level: 9 }).length)}), code ${kb(code)}, data ${kb(data)} (gzip ${kb(gzipSync(dataBytes, { level: 9 }).length)})`);
console.log('code by crate (before wasm-opt):');
for (const [crate, g] of [...groups.entries()].sort((a, b) => b[1].size - a[1].size).slice(0, 14)) {
  const gz = gzipSync(Buffer.concat(g.chunks), { level: 9 }).length;
  console.log(`  ${crate.padEnd(28)} ${kb(g.size)}  ${(100 * g.size / code).toFixed(0).padStart(3)}%  (gzip alone ${kb(gz)})`);
}
console.log("the project's crates by module (before wasm-opt):");
for (const [key, size] of [...modules.entries()].sort((a, b) => b[1] - a[1]).slice(0, 16)) {
  console.log(`  ${key.padEnd(40)} ${kb(size)}`);
}
