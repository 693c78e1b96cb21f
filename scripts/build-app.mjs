// The web app's wasm after cargo (scripts/build-app.sh): split, bound, optimised, named by
// content and linked from the page.
//
//   node scripts/build-app.mjs <cargo's apim-playground.wasm> <work dir> <trunk's staging dir>
//
// 1. wasm-split-cli (crate wasm_split_cli_support, installed by scripts/setup.sh) moves every
//    function that only a `#[wasm_split(name)]` function reaches (src/lazy.rs) into
//    split_<name>.wasm (code two chunks share goes to a chunk of its own), and writes
//    __wasm_split.js, which fetches a chunk and instantiates it against the main module's
//    memory and function table the first time one of its functions is called.
// 2. wasm-bindgen --keep-lld-exports: the glue, keeping the exports the chunks import (memory,
//    the function table, the stack pointer).
// 3. wasm-opt -Oz on the main module and on each chunk.
// 4. One content hash of the whole set in every file name (the glue imports __wasm_split.js,
//    which imports the glue, so a hash per file would be circular), and the names rewritten
//    inside the two JS files.
// 5. index.html: the `<!-- app-module -->` placeholder becomes the preload links and the
//    boot.js tag (static/boot.js reads the glue's and the wasm's names from it).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [raw, work, stage] = process.argv.slice(2);
if (!raw || !work || !stage) {
  console.error('usage: node scripts/build-app.mjs <apim-playground.wasm> <work dir> <staging dir>');
  process.exit(2);
}
const NAME = 'apim-playground';
// wasm-opt warns about the name subsection wasm-split writes (ids 3+, which it does not read)
// once per function group: noise, dropped; anything else a tool prints is passed on.
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const err = (r.stderr ?? '').split('\n').filter((l) => l && !/^warning: unknown name subsection/.test(l));
  if (err.length) console.error(err.join('\n'));
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`build-app: ${cmd} exited with ${r.status}`);
};

rmSync(work, { recursive: true, force: true });
const split = join(work, 'split');
const bound = join(work, 'bindgen');
const opt = join(work, 'opt');
for (const d of [split, bound, opt]) mkdirSync(d, { recursive: true });

run('wasm-split-cli', [raw, split, '--out-name', NAME]);
run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--keep-lld-exports',
  '--out-dir', bound, '--out-name', NAME, join(split, `${NAME}.wasm`)]);

// The features rustc enables for wasm32 by default; the chunks carry no target_features
// section for wasm-opt to read them from.
const FEATURES = ['--enable-bulk-memory', '--enable-multivalue', '--enable-mutable-globals',
  '--enable-nontrapping-float-to-int', '--enable-reference-types', '--enable-sign-ext'];
const wasmOpt = (from, to) => run('wasm-opt', ['-Oz', '--strip-debug', '--strip-producers',
  ...FEATURES, from, '-o', to]);
wasmOpt(join(bound, `${NAME}_bg.wasm`), join(opt, `${NAME}_bg.wasm`));
const chunks = readdirSync(split).filter((f) => f.endsWith('.wasm') && f !== `${NAME}.wasm`).sort();
for (const c of chunks) wasmOpt(join(split, c), join(opt, c));

const glue = readFileSync(join(bound, `${NAME}.js`), 'utf8');
const loader = readFileSync(join(split, '__wasm_split.js'), 'utf8');
const files = [`${NAME}_bg.wasm`, ...chunks].map((f) => readFileSync(join(opt, f)));
const hash = createHash('sha256');
for (const part of [glue, loader, ...files]) hash.update(part);
const id = hash.digest('hex').slice(0, 16);

const named = (f) => f.replace(/(_bg)?\.(js|wasm)$/, (m) => `-${id}${m}`);
const js = named(`${NAME}.js`);
const wasm = named(`${NAME}_bg.wasm`);
const splitJs = named('__wasm_split.js');

const replaceQuoted = (text, from, to) => {
  const quoted = `"./${from}"`;
  if (!text.includes(quoted)) throw new Error(`build-app: ${quoted} not found where expected`);
  return text.split(quoted).join(`"./${to}"`);
};
let newLoader = replaceQuoted(loader, `${NAME}.js`, js);
for (const c of chunks) newLoader = replaceQuoted(newLoader, c, named(c));
// Only the glue's `import … from`: the wasm's import module keeps the name wasm-split gave it.
const fromSplit = 'from "./__wasm_split.js"';
if (!glue.includes(fromSplit)) throw new Error(`build-app: ${fromSplit} not found in the glue`);
const newGlue = glue.split(fromSplit).join(`from "./${splitJs}"`);

const out = new Map([[js, newGlue], [splitJs, newLoader], [wasm, files[0]]]);
chunks.forEach((c, i) => out.set(named(c), files[i + 1]));
for (const [f, bytes] of out) writeFileSync(join(stage, f), bytes);

const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const tags = [
  `<link rel="modulepreload" href="./${js}" crossorigin="anonymous" integrity="${sri(newGlue)}">`,
  `<link rel="modulepreload" href="./${splitJs}" crossorigin="anonymous" integrity="${sri(newLoader)}">`,
  `<link rel="preload" href="./${wasm}" crossorigin="anonymous" integrity="${sri(files[0])}" as="fetch" type="application/wasm">`,
  `<script type="module" src="./boot.js" data-js="./${js}" data-wasm="./${wasm}"></script>`,
].join('\n  ');
const page = join(stage, 'index.html');
const html = readFileSync(page, 'utf8');
const MARK = '<!-- app-module -->';
if (!html.includes(MARK)) throw new Error(`build-app: ${MARK} not found in index.html`);
writeFileSync(page, html.replace(MARK, tags));

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.error(`[build-app] ${wasm} ${kb(files[0].length)}; chunks: ${chunks.map((c, i) => `${named(c)} ${kb(files[i + 1].length)}`).join(', ') || 'none'}`);
