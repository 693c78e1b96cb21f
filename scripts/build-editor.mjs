// Bundle the editor bridge (static/editor/) and CodeMirror from node_modules into one classic
// script, static/vendor/apim-editor.js (git-ignored), which index.html hands to trunk.
//
// Run by `make web` (scripts/build-web.sh) and by trunk's pre_build hook (Trunk.toml), so
// `trunk serve` works too. The file is only rewritten when its content changes, so trunk's
// watcher does not rebuild in a loop. EDITOR_NO_MINIFY=1 keeps names readable for profiling.
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = resolve(root, 'static/vendor/apim-editor.js');

const result = await build({
  entryPoints: [resolve(root, 'static/editor/apim-editor.js')],
  bundle: true,
  format: 'iife',
  target: ['es2020'],
  minify: !process.env.EDITOR_NO_MINIFY,
  legalComments: 'eof',
  write: false,
  logLevel: 'warning',
});

const code = result.outputFiles[0].contents;
const old = await readFile(outfile).catch(() => null);
if (!old || Buffer.compare(old, Buffer.from(code)) !== 0) {
  await mkdir(dirname(outfile), { recursive: true });
  await writeFile(outfile, code);
  console.error(`[build-editor] wrote static/vendor/apim-editor.js (${(code.length / 1024).toFixed(0)} KB)`);
}
