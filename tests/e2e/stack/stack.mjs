// The e2e stack: a real OIDC IdP (idp.mjs, child process), a real Backstage backend (backend.mjs,
// child process) and an in-process counting reverse proxy in front of the backend, all on 127.0.0.1.
//
//   import { startStack } from './stack/stack.mjs';
//   const stack = await startStack({ appOrigins: ['http://127.0.0.1:3000'] });
//   stack.authBase       // http://127.0.0.1:<proxy>/api/auth  (give THIS to the client)
//   stack.counts()       // { 'oidc/refresh': 2, 'oidc/start': 1, ... }   (non-OPTIONS requests)
//   await stack.stop();
//
// Everything the browser sees goes through the proxy: backend.baseUrl IS the proxy URL, so the
// IdP redirects back to the proxy too and the cookies (host 127.0.0.1) are set for it.
// See README.md for the full API.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const HOST = '127.0.0.1';

export const ACCOUNTS = Object.freeze({
  jane: Object.freeze({ email: 'jane@example.com', userEntityRef: 'user:default/jane',
    ownershipEntityRefs: ['user:default/jane', 'group:default/team-a'], name: 'Jane Doe' }),
  john: Object.freeze({ email: 'john@example.com', userEntityRef: 'user:default/john',
    ownershipEntityRefs: ['user:default/john'], name: 'John Smith' }),
  stranger: Object.freeze({ email: 'stranger@example.com', userEntityRef: null,
    ownershipEntityRefs: [], name: 'Sam Stranger' }),
});
export const OIDC_PROVIDER_IDS = Object.freeze(['oidc', 'spectrocloud']);
export const PROXY_PROVIDER_ID = 'oauth2Proxy';
export const CLIENT = Object.freeze({ id: 'backstage', secret: 'backstage-e2e-secret' });
export const SPA_CLIENT_ID = 'spa';

// ---------------------------------------------------------------------------------------------
// Child-process bookkeeping: every child is killed on stop(), on process exit and on signals.
const liveChildren = new Set();
let exitHooksInstalled = false;
function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const c of liveChildren) { try { c.kill('SIGKILL'); } catch { /* already gone */ } }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      for (const c of liveChildren) { try { c.kill('SIGKILL'); } catch { /* already gone */ } }
      process.exit(128 + (os.constants.signals[sig] ?? 1));
    });
  }
}

function ringLog(limit = 400) {
  const lines = [];
  return {
    push(chunk) {
      for (const l of String(chunk).split('\n')) { if (l) lines.push(l); }
      if (lines.length > limit) lines.splice(0, lines.length - limit);
    },
    tail(n = 40) { return lines.slice(-n).join('\n'); },
  };
}

const stripAnsi = s => s.replace(/\x1b\[[0-9;]*m/g, '');

function spawnChild(name, file, env, { workdir, debug }) {
  const logFile = fs.createWriteStream(path.join(workdir, `${name}.log`));
  const ring = ringLog();
  const child = spawn(process.execPath, [file], {
    cwd: here,
    env: { ...process.env, ...env, STACK_PARENT_PIPE: '1', FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  liveChildren.add(child);
  const exited = new Promise(resolve => child.once('exit', (code, signal) => {
    liveChildren.delete(child);
    resolve({ code, signal });
  }));
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', d => {
      const s = stripAnsi(d.toString());
      logFile.write(s);
      ring.push(s);
      if (debug) process.stderr.write(s.split('\n').filter(Boolean).map(l => `[${name}] ${l}\n`).join(''));
    });
  }
  child.stdin.on('error', () => {});
  return {
    name, child, ring, exited,
    get running() { return child.exitCode === null && child.signalCode === null; },
    async stop(graceMs = 4000) {
      if (child.exitCode !== null || child.signalCode !== null) { logFile.end(); return; }
      child.kill('SIGTERM');
      const t = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, graceMs);
      await exited;
      clearTimeout(t);
      logFile.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Ports

/** A free TCP port on 127.0.0.1 (asks the kernel for one). */
export function getFreePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.once('error', reject);
    s.listen(0, HOST, () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Rejects when something already listens on host:port (a stale server would fool readiness checks). */
export async function assertPortFree(port, what = 'port') {
  // Probe with a connect first: this also catches servers bound to another address (0.0.0.0/::).
  const busy = await new Promise(resolve => {
    const sock = net.connect({ host: HOST, port });
    sock.setTimeout(1000);
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('timeout', () => { sock.destroy(); resolve(false); });
    sock.once('error', () => resolve(false));
  });
  if (busy) {
    throw new Error(`${what} ${HOST}:${port} is already in use (a stale server from an earlier run?). `
      + `Stop it first (e.g. \`ss -ltnp 'sport = :${port}'\` shows who holds it).`);
  }
}

async function pickPort(requested, what) {
  if (requested) { await assertPortFree(requested, what); return requested; }
  for (let i = 0; i < 5; i++) {
    const p = await getFreePort();
    try { await assertPortFree(p, what); return p; } catch { /* raced, try another */ }
  }
  throw new Error(`could not find a free port for ${what}`);
}

// ---------------------------------------------------------------------------------------------
// Readiness

const sleep = ms => new Promise(r => setTimeout(r, ms));

async function fetchJson(url, init = {}, timeoutMs = 2000) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body; try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body, headers: res.headers };
}

async function waitFor(what, proc, deadline, probe) {
  let last = 'no attempt';
  while (Date.now() < deadline) {
    if (proc && !proc.running) {
      throw new Error(`${what}: process exited early (${JSON.stringify(proc.child.exitCode ?? proc.child.signalCode)}).\n`
        + `--- last ${proc.name} log lines ---\n${proc.ring.tail()}`);
    }
    try {
      const r = await probe();
      if (r === true) return;
      last = typeof r === 'string' ? r : JSON.stringify(r);
    } catch (e) { last = e?.cause?.code ?? e?.message ?? String(e); }
    await sleep(100);
  }
  throw new Error(`${what}: not ready in time (last: ${last}).`
    + (proc ? `\n--- last ${proc.name} log lines ---\n${proc.ring.tail()}` : ''));
}

// ---------------------------------------------------------------------------------------------
// oauth2-proxy emulation: a locally signed (HS256) id token like oauth2-proxy's --pass-authorization.

const PROXY_JWT_KEY = crypto.randomBytes(32);
function b64url(buf) { return Buffer.from(buf).toString('base64url'); }
function signProxyJwt(claims) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = b64url(crypto.createHmac('sha256', PROXY_JWT_KEY).update(`${head}.${body}`).digest());
  return `${head}.${body}.${sig}`;
}
const OAUTH2_PROXY_HEADERS = ['x-forwarded-user', 'x-forwarded-email', 'x-forwarded-preferred-username',
  'x-forwarded-groups', 'x-forwarded-access-token', 'x-oauth2-proxy-id-token', 'x-auth-request-user',
  'x-auth-request-email'];

function normalizeProxyUser(u) {
  if (u === null || u === undefined || u === false) return null;
  if (typeof u === 'string') {
    const acc = ACCOUNTS[u] ?? Object.values(ACCOUNTS).find(a => a.email === u);
    if (acc) return { user: acc.email.split('@')[0], email: acc.email, preferredUsername: acc.email.split('@')[0] };
    return { user: u.split('@')[0], email: u.includes('@') ? u : undefined, preferredUsername: u.split('@')[0] };
  }
  return { preferredUsername: u.user, ...u };
}

// ---------------------------------------------------------------------------------------------
// The counting proxy

function createCountingProxy({ target, getProxyUrl, getProxyUser, control }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const log = [];       // every request: {seq, t, method, path, provider, route, status}
  let counts = {};      // 'provider/route' -> n (non-OPTIONS)
  let preflights = {};  // 'provider/route' -> n (OPTIONS)
  let seq = 0;
  const reset = () => { log.length = 0; counts = {}; preflights = {}; };

  const server = http.createServer(async (req, res) => {
    const proxyUrl = getProxyUrl();
    const url = new URL(req.url, proxyUrl);
    if (url.pathname.startsWith('/__stack/')) {
      try { await control(req, res, url, { counts: () => ({ ...counts }), preflights: () => ({ ...preflights }), log, reset }); }
      catch (e) { res.writeHead(500, { 'content-type': 'text/plain' }); res.end(String(e?.stack ?? e)); }
      return;
    }
    const m = /^\/api\/auth\/([^/]+)\/(.+?)\/?$/.exec(url.pathname);
    const entry = { seq: ++seq, t: Date.now(), method: req.method, path: url.pathname, query: url.search,
      origin: req.headers.origin, provider: m?.[1] ?? null, route: m?.[2] ?? null, status: null };
    log.push(entry);
    if (m) {
      const key = `${m[1]}/${m[2]}`;
      const bucket = req.method === 'OPTIONS' ? preflights : counts;
      bucket[key] = (bucket[key] ?? 0) + 1;
    }
    const headers = { ...req.headers };
    if (m && m[1] === PROXY_PROVIDER_ID) {
      // Like oauth2-proxy: never trust identity headers from the client, inject our own.
      for (const h of OAUTH2_PROXY_HEADERS) delete headers[h];
      const u = getProxyUser();
      if (u) {
        if (u.user) headers['x-forwarded-user'] = u.user;
        if (u.email) headers['x-forwarded-email'] = u.email;
        if (u.preferredUsername) headers['x-forwarded-preferred-username'] = u.preferredUsername;
        const now = Math.floor(Date.now() / 1000);
        headers['x-oauth2-proxy-id-token'] = `Bearer ${signProxyJwt({ iss: proxyUrl, sub: u.email ?? u.user,
          email: u.email, preferred_username: u.preferredUsername, iat: now, exp: now + 3600 })}`;
      }
    }
    const upstream = http.request({ host: HOST, port: target, method: req.method, path: req.url, headers, agent },
      up => {
        entry.status = up.statusCode;
        res.writeHead(up.statusCode, up.rawHeaders);
        up.pipe(res);
      });
    upstream.on('error', err => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`e2e counting proxy: upstream error: ${err.message}`);
    });
    req.pipe(upstream);
  });
  return { server, agent, counts: () => ({ ...counts }), preflights: () => ({ ...preflights }),
    requests: () => log.map(e => ({ ...e })), reset };
}

async function readBody(req) {
  let s = '';
  for await (const c of req) s += c;
  return s ? JSON.parse(s) : {};
}

// ---------------------------------------------------------------------------------------------

/**
 * Starts IdP, backend and counting proxy on 127.0.0.1. Resolves once the backend answers, the
 * catalog has loaded `jane` and the IdP is discoverable. See README.md for all options.
 */
export async function startStack(options = {}) {
  const {
    appOrigins = ['http://127.0.0.1:3000'],
    accessTokenTtl = 3600,
    refreshTokenTtl = 14 * 24 * 3600,
    backstageTokenTtl = 3600,
    rotateRefreshToken = false,
    idpMode = {},
    ports = {},
    proxyUser = 'jane',
    oidcPrompt = 'auto',
    startTimeoutMs = 90_000,
    debug = /^(1|true)$/i.test(process.env.STACK_DEBUG ?? ''),
    keepLogs = /^(1|true)$/i.test(process.env.STACK_KEEP_LOGS ?? ''),
  } = options;
  if (!Array.isArray(appOrigins) || appOrigins.length === 0) throw new Error('startStack: appOrigins must be a non-empty array');
  const origins = appOrigins.map(o => new URL(o).origin);
  installExitHooks();
  const t0 = Date.now();
  const deadline = t0 + startTimeoutMs;
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bs-e2e-stack-'));
  const nonce = crypto.randomBytes(8).toString('hex');
  const procs = [];
  let proxy;
  let currentProxyUser = normalizeProxyUser(proxyUser);
  const timings = {};

  const cleanup = async () => {
    await Promise.all(procs.map(p => p.stop()));
    if (proxy) {
      proxy.server.closeAllConnections?.();
      await new Promise(r => proxy.server.close(() => r()));
      proxy.agent.destroy();
    }
  };

  try {
    // Ports. The proxy binds right away (in-process) so nobody can take its port.
    const idpPort = await pickPort(ports.idp, 'IdP port');
    const backendPort = await pickPort(ports.backend, 'backend port');
    if (ports.proxy) await assertPortFree(ports.proxy, 'proxy port');
    let idpUrl = `http://${HOST}:${idpPort}`;
    const backendInternalUrl = `http://${HOST}:${backendPort}`;
    let proxyUrl = null;

    const control = async (req, res, url, st) => {
      const send = (code, obj) => { res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' }); res.end(JSON.stringify(obj)); };
      const route = url.pathname.slice('/__stack/'.length);
      if (route === 'counts' && req.method === 'GET') return send(200, { counts: st.counts(), preflights: st.preflights() });
      if (route === 'requests' && req.method === 'GET') return send(200, st.log);
      if (route === 'reset' && req.method === 'POST') { st.reset(); return send(200, { ok: true }); }
      if (route === 'proxy-user') {
        if (req.method === 'POST') { const b = await readBody(req); currentProxyUser = normalizeProxyUser(b.user ?? b.email ?? null); }
        return send(200, { proxyUser: currentProxyUser });
      }
      if (route === 'idp-mode') {
        const r = await fetchJson(`${idpUrl}/__idp/mode`, req.method === 'POST'
          ? { method: 'POST', body: JSON.stringify(await readBody(req)) } : {});
        return send(r.status, r.body);
      }
      if (route === 'info') return send(200, { authBase: `${proxyUrl}/api/auth`, proxyUrl, idpUrl, backendInternalUrl, appOrigins: origins, accounts: ACCOUNTS });
      return send(404, { error: `unknown /__stack/ route ${route}` });
    };
    proxy = createCountingProxy({ target: backendPort, getProxyUrl: () => proxyUrl, getProxyUser: () => currentProxyUser, control });
    await new Promise((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(ports.proxy ?? 0, HOST, () => { proxy.server.off('error', reject); resolve(); });
    });
    proxyUrl = `http://${HOST}:${proxy.server.address().port}`;

    // 1. IdP first: the backend discovers it at start-up and caches a failed discovery.
    const idp = spawnChild('idp', path.join(here, 'idp.mjs'), {
      IDP_PORT: String(idpPort), BACKEND_URL: proxyUrl, APP_ORIGINS: origins.join(','),
      OIDC_PROVIDER_IDS: OIDC_PROVIDER_IDS.join(','),
      ACCESS_TOKEN_TTL: String(accessTokenTtl), REFRESH_TOKEN_TTL: String(refreshTokenTtl),
      ROTATE_REFRESH_TOKEN: rotateRefreshToken ? '1' : '0', STACK_NONCE: nonce,
      IDP_DELAY_MS: String(idpMode.delayMs ?? 0), IDP_FAIL_STATUS: String(idpMode.failStatus ?? ''),
      IDP_FAIL_PATHS: (idpMode.failPaths ?? ['/token']).join(','),
    }, { workdir, debug });
    procs.push(idp);
    await waitFor('IdP', idp, Math.min(deadline, Date.now() + 30_000), async () => {
      const info = await fetchJson(`${idpUrl}/__idp/info`);
      if (info.body?.nonce !== nonce) return `foreign server on the IdP port (nonce ${JSON.stringify(info.body?.nonce)})`;
      const disc = await fetchJson(`${idpUrl}/.well-known/openid-configuration`);
      return disc.status === 200 && disc.body.issuer === idpUrl ? true : `discovery ${disc.status}`;
    });
    timings.idpReadyMs = Date.now() - t0;

    // 2. Backend.
    const backend = spawnChild('backend', path.join(here, 'backend.mjs'), {
      NODE_ENV: 'development', BACKEND_PORT: String(backendPort), BACKEND_BASE_URL: proxyUrl,
      APP_ORIGINS: origins.join(','), IDP_URL: idpUrl, STACK_WORKDIR: workdir, STACK_NONCE: nonce,
      BACKSTAGE_TOKEN_TTL: String(backstageTokenTtl), OIDC_PROMPT: oidcPrompt,
    }, { workdir, debug });
    procs.push(backend);
    await waitFor('backend', backend, deadline, async () => {
      const info = await fetchJson(`${backendInternalUrl}/api/stack/info`);
      if (info.status !== 200) return `stack/info ${info.status}`;
      return info.body?.nonce === nonce ? true : `foreign server on the backend port (nonce ${JSON.stringify(info.body?.nonce)})`;
    });
    timings.backendUpMs = Date.now() - t0;
    // 3. Catalog loaded (jane resolvable) — probed directly, so it is not counted.
    await waitFor('catalog (user:default/jane)', backend, deadline, async () => {
      const r = await fetchJson(`${backendInternalUrl}/api/auth/${PROXY_PROVIDER_ID}/refresh?env=development`, {
        headers: { 'x-requested-with': 'XMLHttpRequest', 'x-forwarded-user': 'jane', 'x-forwarded-email': 'jane@example.com' },
      });
      return r.body?.backstageIdentity?.identity?.userEntityRef === 'user:default/jane' ? true : `oauth2Proxy refresh ${r.status}`;
    });
    timings.readyMs = Date.now() - t0;

    let stopped = false;
    const stack = {
      authBase: `${proxyUrl}/api/auth`,
      backendUrl: proxyUrl,
      proxyUrl,
      backendInternalUrl,
      idpUrl,
      appOrigins: origins,
      accounts: ACCOUNTS,
      workdir,
      timings,
      /** Non-OPTIONS requests per 'provider/route' since start or the last reset. */
      counts: () => proxy.counts(),
      /** OPTIONS (CORS preflight) requests per 'provider/route'. */
      preflights: () => proxy.preflights(),
      /** Number of non-OPTIONS requests to one provider route, e.g. count('oidc', 'refresh'). */
      count: (provider, route) => proxy.counts()[`${provider}/${route}`] ?? 0,
      /** Every request seen by the proxy: {seq, t, method, path, query, origin, provider, route, status}. */
      requests: () => proxy.requests(),
      resetCounts: () => proxy.reset(),
      /** Who the emulated oauth2-proxy says is signed in: 'jane' | 'john@example.com' | {user, email} | null. */
      setProxyUser: u => { currentProxyUser = normalizeProxyUser(u); },
      /** IdP failure mode: {delayMs, failStatus, failPaths (default ['/token'])}; {} resets. */
      setIdpMode: async (m = {}) => (await fetchJson(`${idpUrl}/__idp/mode`, { method: 'POST', body: JSON.stringify(m) })).body,
      /** IdP access + id token TTL (s) for tokens issued from now on; no argument = back to the start value. */
      setAccessTokenTtl: async seconds => (await fetchJson(`${idpUrl}/__idp/ttl`, { method: 'POST',
        body: JSON.stringify(seconds === undefined ? {} : { accessTokenTtl: seconds }) })).body,
      logs: () => ({ idp: idp.ring.tail(400), backend: backend.ring.tail(400) }),
      async stop() {
        if (stopped) return;
        stopped = true;
        await cleanup();
        if (!keepLogs) fs.rmSync(workdir, { recursive: true, force: true });
      },
    };
    return stack;
  } catch (e) {
    await cleanup().catch(() => {});
    e.message += `\n(stack logs kept in ${workdir})`;
    throw e;
  }
}
