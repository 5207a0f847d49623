// A tiny static server for a test "app origin" on 127.0.0.1 (or localhost).
//
//   const app = await startAppServer({ routes: { '/': '<!doctype html>...' }, root: 'dist/' });
//   app.origin   // http://127.0.0.1:<port>
//   await app.close();
//
// routes: path -> string (served as text/html) | { body, type, status, headers }.
// root:   optional directory served for paths not in routes (index.html for '/').
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

export async function startAppServer({ port = 0, host = '127.0.0.1', routes = {}, root, headers = {} } = {}) {
  const rootDir = root ? path.resolve(root) : null;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const r = routes[url.pathname];
    if (r !== undefined) {
      const spec = typeof r === 'string' ? { body: r } : r;
      res.writeHead(spec.status ?? 200, { 'content-type': spec.type ?? 'text/html; charset=utf-8',
        'cache-control': 'no-store', ...headers, ...(spec.headers ?? {}) });
      res.end(spec.body ?? '');
      return;
    }
    if (rootDir) {
      let p = path.normalize(path.join(rootDir, decodeURIComponent(url.pathname)));
      if (p.startsWith(rootDir)) {
        if (fs.existsSync(p) && fs.statSync(p).isDirectory()) p = path.join(p, 'index.html');
        if (fs.existsSync(p) && fs.statSync(p).isFile()) {
          res.writeHead(200, { 'content-type': TYPES[path.extname(p)] ?? 'application/octet-stream',
            'cache-control': 'no-store', ...headers });
          fs.createReadStream(p).pipe(res);
          return;
        }
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const actualPort = server.address().port;
  const origin = `http://${host}:${actualPort}`;
  return {
    origin,
    port: actualPort,
    server,
    close: () => new Promise(r => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}
