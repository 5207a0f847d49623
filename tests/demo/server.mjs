#!/usr/bin/env node
// The demo's two static origins (started by scripts/demo, and by tests/demo/screenshot.mjs):
//
//   app    http://127.0.0.1:3000      www/ (index.html, demo.js, demo.css, pkce-callback.html: the
//                                     PKCE card's redirect URI) + /pkg/ (the WASM package)
//                                     + /__stack/{counts,proxy-user,reset} forwarded to the stack's
//                                     counting proxy (it sends no CORS headers, so the page asks here)
//                                     + /__demo/* the session lifecycle area's controls (see below)
//   frame  http://localhost:3001      /theme-frame.html + /pkg/ only (the theme bridge's iframe)
//
// Both listen on 127.0.0.1 only. `localhost:3001` is reached as "localhost" by the browser, so
// it is a different origin (and site) from the app: the iframe is genuinely cross-origin.
//
//   node tests/demo/server.mjs [--app-port 3000] [--frame-port 3001] [--backend http://127.0.0.1:7007]
//                              [--idp http://127.0.0.1:7010]
//
// Prints one line `demo servers ready app=<origin> frame=<origin>` when both listen.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WWW = path.join(ROOT, 'www');
// DEMO_PKG_DIR: serve another build of the package as /pkg/ (e.g. an unoptimized one).
const PKG = path.resolve(process.env.DEMO_PKG_DIR || path.join(ROOT, 'pkg'));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ts': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Resolves `rel` inside `dir`, or null when it escapes it or is not a file. */
function fileIn(dir, rel) {
  let p;
  try { p = path.resolve(dir, '.' + path.posix.normalize('/' + decodeURIComponent(rel))); } catch { return null; }
  if (p !== dir && !p.startsWith(dir + path.sep)) return null;
  try {
    if (fs.statSync(p).isDirectory()) p = path.join(p, 'index.html');
    return fs.statSync(p).isFile() ? p : null;
  } catch { return null; }
}

function sendFile(res, file, headers = {}) {
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    'content-length': fs.statSync(file).size,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  fs.createReadStream(file).pipe(res);
}

/** CSP source expressions ('sha256-…') for the inline <script> blocks of an HTML file. */
function inlineScriptHashes(file) {
  const html = fs.readFileSync(file, 'utf8');
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)]
    .map(m => `'sha256-${crypto.createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
}

function notFound(res, why = 'not found') {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(why + '\n');
}

export async function startDemoServers({
  appPort = 3000, framePort = 3001, backend = 'http://127.0.0.1:7007', idp = 'http://127.0.0.1:7010', host = '127.0.0.1',
} = {}) {
  const appOrigin = `http://127.0.0.1:${appPort}`;
  const frameOrigin = `http://localhost:${framePort}`;
  const backendOrigin = new URL(backend).origin;
  // The PKCE card talks to the IdP itself: discovery, token and revocation endpoints.
  const idpOrigin = new URL(idp).origin;

  // A strict policy for the demo page: everything from itself, fetches only to the backend and
  // the IdP, frames only from the theme origin. 'wasm-unsafe-eval' is what WebAssembly
  // compilation needs. Inline scripts (pkce-callback.html's) are allowed by their hash only.
  const appCsp = (extraScripts = []) => [
    "default-src 'self'",
    ["script-src 'self' 'wasm-unsafe-eval'", ...extraScripts].join(' '),
    "style-src 'self'",
    `connect-src 'self' ${backendOrigin} ${idpOrigin}`,
    `frame-src ${frameOrigin}`,
    // Profile pictures come from the IdP's claims (any https host; none load offline).
    "img-src 'self' data: https: http:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');

  // The session lifecycle area's controls (www/lifecycle.js). Real conditions, nothing mocked
  // (its "backend unreachable" is a service worker of the page, www/lifecycle-sw.js):
  //   POST /__demo/clear-refresh-cookie {provider}   expires the backend's refresh cookie (cookies
  //                                  ignore ports: the backend's host-only cookie on 127.0.0.1 is
  //                                  this origin's too), so the next /refresh is refused.
  //   POST /__demo/token-ttl {seconds}   the IdP's token lifetime for tokens issued from now on
  //                                  (10..3600 s), so that refreshes and expiry come within a minute.
  const demoControl = async (req, res, p) => {
    const send = (code, obj, headers = {}) => {
      res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
      res.end(JSON.stringify(obj));
    };
    if (req.method !== 'POST') return notFound(res, 'unknown control route');
    let body = {};
    try {
      let raw = '';
      for await (const c of req) { raw += c; if (raw.length > 1024) throw new Error('too long'); }
      body = raw ? JSON.parse(raw) : {};
    } catch { return send(400, { error: 'a small JSON body expected' }); }
    if (p === '/__demo/clear-refresh-cookie') {
      const provider = body.provider ?? 'oidc';
      if (!['oidc', 'spectrocloud'].includes(provider)) return send(400, { error: 'provider: oidc or spectrocloud' });
      // The backend's cookie: `${provider}-refresh-token`, path /api/auth/{provider}, host-only
      // (Backstage's default cookie configurer), plus the chunked form it uses for long values.
      const path = `${new URL(backend).pathname.replace(/\/+$/, '')}/api/auth/${provider}`;
      const names = [`${provider}-refresh-token`, ...[0, 1, 2, 3].map(i => `${provider}-refresh-token-${i}`)];
      return send(200, { cleared: names[0], path },
        { 'set-cookie': names.map(n => `${n}=; Path=${path}; Max-Age=0; HttpOnly; SameSite=Lax`) });
    }
    if (p === '/__demo/token-ttl') {
      const seconds = Number(body.seconds);
      if (!Number.isInteger(seconds) || seconds < 10 || seconds > 3600) return send(400, { error: 'seconds: 10..3600' });
      try {
        const r = await fetch(`${idpOrigin}/__idp/ttl`, { method: 'POST', body: JSON.stringify({ accessTokenTtl: seconds }),
          signal: AbortSignal.timeout(5000) });
        return send(r.status, await r.json());
      } catch (e) {
        return send(502, { error: `IdP not reachable: ${e.message}` });
      }
    }
    notFound(res, 'unknown control route');
  };

  const app = http.createServer(async (req, res) => {
    const url = new URL(req.url, appOrigin);
    const p = url.pathname;
    if (p.startsWith('/__stack/')) {
      // Same-origin window onto the counting proxy's control routes the page uses.
      const route = p.slice('/__stack/'.length);
      const allowed = { counts: ['GET'], requests: ['GET'], 'proxy-user': ['GET', 'POST'], reset: ['POST'] };
      if (!allowed[route]?.includes(req.method)) return notFound(res, 'unknown control route');
      const chunks = [];
      for await (const c of req) chunks.push(c);
      try {
        const r = await fetch(`${backendOrigin}/__stack/${route}`, {
          method: req.method,
          headers: { 'content-type': 'application/json' },
          body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
          signal: AbortSignal.timeout(5000),
        });
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' });
        res.end(Buffer.from(await r.arrayBuffer()));
      } catch (e) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `stack not reachable: ${e.message}` }));
      }
      return;
    }
    if (p.startsWith('/__demo/')) return demoControl(req, res, p);
    if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res);
    if (p.startsWith('/pkg/')) {
      const f = fileIn(PKG, p.slice('/pkg'.length));
      return f ? sendFile(res, f) : notFound(res, 'pkg/ has no such file (run scripts/build)');
    }
    if (p === '/theme-frame.html') return notFound(res, 'the theme frame is served from ' + frameOrigin);
    const f = fileIn(WWW, p);
    if (!f) return notFound(res);
    if (!f.endsWith('.html')) return sendFile(res, f);
    const headers = { 'content-security-policy': appCsp(inlineScriptHashes(f)) };
    // The PKCE callback carries the authorization code in its URL: never as a Referer.
    if (path.basename(f) === 'pkce-callback.html') headers['referrer-policy'] = 'no-referrer';
    sendFile(res, f, headers);
  });

  const frame = http.createServer((req, res) => {
    const url = new URL(req.url, frameOrigin);
    const p = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res);
    if (p.startsWith('/pkg/')) {
      const f = fileIn(PKG, p.slice('/pkg'.length));
      return f ? sendFile(res, f) : notFound(res);
    }
    if (p === '/theme-frame.html') {
      const f = fileIn(WWW, 'theme-frame.html');
      if (!f) return notFound(res, 'www/theme-frame.html is missing');
      // Only the demo app may embed it.
      return sendFile(res, f, { 'content-security-policy': `frame-ancestors ${appOrigin}` });
    }
    if (p === '/') {
      res.writeHead(302, { location: '/theme-frame.html' });
      return res.end();
    }
    notFound(res);
  });

  const listen = (server, port) => new Promise((resolve, reject) => {
    server.once('error', e => reject(e.code === 'EADDRINUSE'
      ? new Error(`port ${port} on ${host} is already in use (an earlier demo still running?)`) : e));
    server.listen(port, host, () => resolve(server.address().port));
  });
  await listen(app, appPort);
  try {
    await listen(frame, framePort);
  } catch (e) {
    app.close();
    throw e;
  }
  const close = server => new Promise(r => { server.closeAllConnections?.(); server.close(() => r()); });
  return {
    appOrigin: `http://127.0.0.1:${app.address().port}`,
    frameOrigin: `http://localhost:${frame.address().port}`,
    close: () => Promise.all([close(app), close(frame)]),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      'app-port': { type: 'string', default: process.env.APP_PORT ?? '3000' },
      'frame-port': { type: 'string', default: process.env.FRAME_PORT ?? '3001' },
      backend: { type: 'string', default: process.env.BACKEND_URL ?? 'http://127.0.0.1:7007' },
      idp: { type: 'string', default: process.env.IDP_URL ?? 'http://127.0.0.1:7010' },
    },
  });
  let servers;
  try {
    servers = await startDemoServers({
      appPort: Number(values['app-port']), framePort: Number(values['frame-port']), backend: values.backend, idp: values.idp,
    });
  } catch (e) {
    console.error(`demo servers failed to start: ${e.message}`);
    process.exit(1);
  }
  console.log(`demo servers ready app=${servers.appOrigin} frame=${servers.frameOrigin}`);
  const stop = async () => { await servers.close(); process.exit(0); };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, stop);
}
