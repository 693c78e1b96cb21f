// Bundle the editor bridge (static/editor/) and CodeMirror from node_modules with esbuild, as ES
// modules split in chunks: apim-editor-<hash>.js (what the page loads first, with the chunks it
// imports) and the chunks it imports on first use (static/editor/lazy-*.js: search, completion).
//
//   node scripts/build-editor.mjs <dir>   write the files into <dir>; when <dir> has an
//                                         index.html, put the page's tags at <!-- editor-module -->
//
// trunk runs it as a post_build hook (Trunk.toml) with its staging dir, so `trunk serve` and
// `make web` both get it. Nothing is written to the source tree, so trunk's watcher never sees
// its output. EDITOR_NO_MINIFY=1 keeps names readable for profiling.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!arg) {
  console.error('usage: node scripts/build-editor.mjs <output dir>   (trunk passes its staging dir)');
  process.exit(2);
}
// esbuild resolves a relative outdir against absWorkingDir; index.html below must be the same.
const dir = resolve(arg);

const result = await build({
  absWorkingDir: root,
  entryPoints: { 'apim-editor': 'static/editor/apim-editor.js' },
  bundle: true,
  format: 'esm',
  splitting: true,
  // Names the test of the first load knows (tests/quality.test.mjs): editor-lazy-* load on use.
  entryNames: '[name]-[hash]',
  chunkNames: 'editor-[name]-[hash]',
  outdir: dir,
  target: ['es2020'],
  minify: !process.env.EDITOR_NO_MINIFY,
  legalComments: 'eof',
  metafile: true,
  write: false,
  logLevel: 'warning',
});

mkdirSync(dir, { recursive: true });
const bytes = new Map();
for (const f of result.outputFiles) {
  writeFileSync(f.path, f.contents);
  bytes.set(basename(f.path), f.contents);
}

// The entry and what it imports statically: one module script and a preload of each import, so
// the browser fetches them together instead of one after another.
const outputs = Object.entries(result.metafile.outputs).map(([path, o]) => [basename(path), o]);
const [entry, meta] = outputs.find(([, o]) => o.entryPoint);
const eager = meta.imports.filter((i) => i.kind === 'import-statement').map((i) => basename(i.path));
const sri = (name) => `sha384-${createHash('sha384').update(bytes.get(name)).digest('base64')}`;
const tags = [
  ...eager.map((f) => `<link rel="modulepreload" href="./${f}" crossorigin="anonymous" integrity="${sri(f)}">`),
  `<script type="module" src="./${entry}" crossorigin="anonymous" integrity="${sri(entry)}"></script>`,
].join('\n  ');

const page = join(dir, 'index.html');
if (existsSync(page)) {
  const MARK = '<!-- editor-module -->';
  const html = readFileSync(page, 'utf8');
  if (!html.includes(MARK)) throw new Error(`build-editor: ${MARK} not found in index.html`);
  writeFileSync(page, html.replace(MARK, tags));
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.error(`[build-editor] ${[...bytes].filter(([f]) => f.endsWith('.js')).map(([f, b]) => `${f} ${kb(b.length)}`).join(', ')}`);
