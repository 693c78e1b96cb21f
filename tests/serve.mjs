// A tiny static file server for dist/: used by `make run` and by the browser tests, which serve
// the app under a sub-path to prove that dist/ works from any folder of a static host.
//
//   node tests/serve.mjs [--port 8080] [--host 127.0.0.1] [--base /some/sub/path/] [dir]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
};

/** Serve `root` under `base` (which starts and ends with '/'). Resolves to { url, close }. */
export async function startServer({ root, base = '/', port = 0, host = '127.0.0.1' }) {
  const absRoot = resolve(root);
  if (!base.startsWith('/')) base = '/' + base;
  if (!base.endsWith('/')) base += '/';
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (path + '/' === base) {
        res.writeHead(301, { Location: base });
        return res.end();
      }
      if (!path.startsWith(base)) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        return res.end('not found (the app is served under ' + base + ')');
      }
      let file = normalize(join(absRoot, path.slice(base.length)));
      if (file !== absRoot && !file.startsWith(absRoot + sep)) {
        res.writeHead(403);
        return res.end();
      }
      const info = await stat(file).catch(() => null);
      if (info && info.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
        'Cache-Control': 'no-cache',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const { port: actual } = server.address();
  return {
    url: `http://${host}:${actual}${base}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : def;
  };
  const port = Number(opt('--port', '8080'));
  const host = opt('--host', '127.0.0.1');
  const base = opt('--base', '/');
  const root = args[0] || 'dist';
  const { url } = await startServer({ root, base, port, host });
  console.log(`APIM Policy Playground: ${url}  (serving ${root}/, Ctrl+C to stop)`);
}
