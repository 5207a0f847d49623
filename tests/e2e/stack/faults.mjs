// Network faults between the browser and the stack, on loopback:
//
//   import { startFaultProxy, closedPortUrl } from './stack/faults.mjs';
//   const slow = await startFaultProxy({ target: stack.proxyUrl });
//   slow.setDelay(3000);          // hold every non-OPTIONS request 3 s before forwarding it
//   slow.setMode('reset');        // destroy each new connection at once (a crashing backend)
//   slow.setLogoutUrl(url);       // answer each POST .../logout with {logoutUrl: url} (as Auth0's
//                                 // provider does), after forwarding it; null: as the backend

//   slow.url                      // http://127.0.0.1:P  -> `${slow.url}/api/auth` as the client's authBase
//   slow.requests()               // [{method, path, t}] seen
//   await slow.close();
//   await closedPortUrl()         // http://127.0.0.1:P with nothing listening (ECONNREFUSED)
//
// The backend sets host-only cookies on 127.0.0.1 (cookies ignore ports), so the refresh cookie
// travels through this proxy too. Popup sign-in does NOT work through it: the backend's frame
// handler answers from its own origin (backend.baseUrl), not from this one.
import http from 'node:http';
import { getFreePort } from './stack.mjs';

const HOST = '127.0.0.1';

export async function closedPortUrl() {
  return `http://${HOST}:${await getFreePort()}`;
}

export async function startFaultProxy({ target, delayMs = 0 } = {}) {
  const to = new URL(target);
  let delay = delayMs;
  let mode = 'forward';
  let logoutUrl = null;
  const seen = [];
  const timers = new Set();
  const agent = new http.Agent({ keepAlive: false });
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, path: req.url, t: Date.now() });
    const forward = () => {
      if (res.destroyed) return;
      const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: to.host }, agent }, up => {
        if (logoutUrl !== null && req.method === 'POST' && /\/logout(\?|$)/.test(req.url)) {
          up.resume();
          const headers = { ...up.headers, 'content-type': 'application/json; charset=utf-8' };
          delete headers['content-length'];
          delete headers['transfer-encoding'];
          res.writeHead(up.statusCode, headers);
          res.end(JSON.stringify({ logoutUrl }));
          return;
        }
        res.writeHead(up.statusCode, up.rawHeaders);
        up.pipe(res);
      });
      upstream.on('error', err => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: upstream error: ${err.message}`);
      });
      req.pipe(upstream);
    };
    if (delay > 0 && req.method !== 'OPTIONS') {
      const t = setTimeout(() => { timers.delete(t); forward(); }, delay);
      timers.add(t);
    } else {
      forward();
    }
  });
  server.on('connection', sock => { if (mode === 'reset') sock.destroy(); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => { server.off('error', reject); resolve(); });
  });
  const url = `http://${HOST}:${server.address().port}`;
  return {
    url,
    authBase: `${url}/api/auth`,
    setDelay(ms) { delay = ms; },
    /** 'forward' | 'reset' (every new connection is destroyed at once). */
    setMode(m) { mode = m; },
    setLogoutUrl(url) { logoutUrl = url; },
    requests: () => seen.map(r => ({ ...r })),
    close: () => new Promise(resolve => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections?.();
      agent.destroy();
      server.close(() => resolve());
    }),
  };
}
