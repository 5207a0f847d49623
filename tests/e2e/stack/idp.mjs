// A real OpenID Connect identity provider for the e2e stack, built on panva's oidc-provider.
//
// Run as a child process by stack.mjs (configured through env, see `configFromEnv`), or imported:
//   import { startIdp } from './idp.mjs'; const idp = await startIdp({ port, backendUrl, appOrigins });
//
// Login + consent use oidc-provider's own devInteractions pages (any password is accepted).
// Extra routes on the same port (not part of OIDC):
//   GET  /__idp/info   -> { nonce, issuer, accounts, mode }      (readiness + stale-server check)
//   GET  /__idp/mode   -> current failure mode
//   POST /__idp/mode   <- { delayMs?, failStatus?, failPaths? }  (JSON; {} resets)
//   GET|POST /__idp/ttl <- { accessTokenTtl? }  access + id token TTL (s) for tokens issued from now on
// Failure mode: requests whose path starts with one of `failPaths` (default ['/token']) wait
// `delayMs` and then, when `failStatus` is set, answer that status instead of the real response.
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import Provider from 'oidc-provider';

export const ACCOUNTS = {
  'jane@example.com': { name: 'Jane Doe', catalogUser: 'user:default/jane', groups: ['team-a'] },
  'john@example.com': { name: 'John Smith', catalogUser: 'user:default/john', groups: [] },
  'stranger@example.com': { name: 'Sam Stranger', catalogUser: null, groups: [] },
};

export const CLIENT_ID = 'backstage';
export const CLIENT_SECRET = 'backstage-e2e-secret';
export const SPA_CLIENT_ID = 'spa';

function claimsFor(email) {
  const local = email.split('@')[0];
  const known = ACCOUNTS[email];
  return {
    sub: email,
    email,
    email_verified: true,
    name: known?.name ?? local,
    preferred_username: local,
    picture: `https://avatars.example.com/${encodeURIComponent(local)}.png`,
    groups: known?.groups ?? [],
  };
}

function parseList(v) {
  return (v ?? '').split(',').map(s => s.trim()).filter(Boolean);
}

export function configFromEnv(env = process.env) {
  return {
    host: '127.0.0.1',
    port: Number(env.IDP_PORT ?? 0),
    backendUrl: env.BACKEND_URL,
    appOrigins: parseList(env.APP_ORIGINS),
    providerIds: parseList(env.OIDC_PROVIDER_IDS || 'oidc,spectrocloud'),
    accessTokenTtl: Number(env.ACCESS_TOKEN_TTL ?? 3600),
    refreshTokenTtl: Number(env.REFRESH_TOKEN_TTL ?? 14 * 24 * 3600),
    rotateRefreshToken: /^(1|true|yes)$/i.test(env.ROTATE_REFRESH_TOKEN ?? ''),
    nonce: env.STACK_NONCE ?? '',
    mode: {
      delayMs: Number(env.IDP_DELAY_MS ?? 0),
      failStatus: env.IDP_FAIL_STATUS ? Number(env.IDP_FAIL_STATUS) : 0,
      failPaths: env.IDP_FAIL_PATHS ? parseList(env.IDP_FAIL_PATHS) : ['/token'],
    },
  };
}

export async function startIdp(opts) {
  const {
    host = '127.0.0.1',
    port = 0,
    backendUrl,
    appOrigins = [],
    providerIds = ['oidc', 'spectrocloud'],
    accessTokenTtl = 3600,
    refreshTokenTtl = 14 * 24 * 3600,
    rotateRefreshToken = false,
    nonce = '',
  } = opts;
  if (!backendUrl) throw new Error('startIdp: backendUrl is required');
  let mode = { delayMs: 0, failStatus: 0, failPaths: ['/token'], ...(opts.mode ?? {}) };
  // Read per token, so tests can shorten it at run time (POST /__idp/ttl).
  let tokenTtl = accessTokenTtl;

  // Bind first so the issuer carries the real port.
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const issuer = `http://${host}:${server.address().port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: providerIds.map(id => `${backendUrl}/api/auth/${id}/handler/frame`),
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: SPA_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        redirect_uris: appOrigins.map(o => `${o}/pkce-callback.html`),
        post_logout_redirect_uris: appOrigins.map(o => `${o}/`),
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'picture'],
      // An extra scope beyond Backstage's default 'openid profile email': asking for it needs a
      // new consent (exercises incremental scope requests).
      groups: ['groups'],
    },
    async findAccount(_ctx, sub) {
      if (!sub || !/^[^@\s]+@[^@\s]+$/.test(sub)) return undefined;
      return { accountId: sub, async claims() { return claimsFor(sub); } };
    },
    async issueRefreshToken(_ctx, client) {
      return client.grantTypeAllowed('refresh_token');
    },
    rotateRefreshToken: () => rotateRefreshToken,
    ttl: {
      AccessToken: () => tokenTtl,
      IdToken: () => tokenTtl,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 24 * 3600,
      Grant: 14 * 24 * 3600,
      RefreshToken: refreshTokenTtl,
    },
    clientBasedCORS(_ctx, origin, client) {
      return client.clientAuthMethod === 'none' && appOrigins.includes(origin);
    },
    cookies: { keys: ['e2e-idp-cookie-key'] },
    // Keep the logs quiet: oidc-provider's errors are reported in responses anyway.
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>IdP error</title><pre id="error">${
        Object.entries(out).map(([k, v]) => `${k}: ${String(v).replace(/</g, '&lt;')}`).join('\n')}</pre>`;
    },
  });
  provider.proxy = false;
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/__idp/info') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ nonce, issuer, accounts: Object.keys(ACCOUNTS), mode }));
      return;
    }
    if (url.pathname === '/__idp/mode') {
      if (req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const m = body ? JSON.parse(body) : {};
        mode = { delayMs: Number(m.delayMs ?? 0), failStatus: Number(m.failStatus ?? 0),
          failPaths: Array.isArray(m.failPaths) ? m.failPaths : ['/token'] };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(mode));
      return;
    }
    if (url.pathname === '/__idp/ttl') {
      if (req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const m = body ? JSON.parse(body) : {};
        tokenTtl = Number(m.accessTokenTtl ?? accessTokenTtl);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accessTokenTtl: tokenTtl }));
      return;
    }
    if (mode.failPaths.some(p => url.pathname.startsWith(p))) {
      if (mode.delayMs > 0) await new Promise(r => setTimeout(r, mode.delayMs));
      if (mode.failStatus) {
        res.writeHead(mode.failStatus, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'server_error', error_description: `e2e stack: forced ${mode.failStatus}` }));
        return;
      }
    }
    callback(req, res);
  });

  return {
    issuer,
    url: issuer,
    port: server.address().port,
    provider,
    setMode(m = {}) { mode = { delayMs: 0, failStatus: 0, failPaths: ['/token'], ...m }; },
    close: () => new Promise(resolve => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

// Run directly: node idp.mjs   (configured through env; prints one `IDP_READY {json}` line)
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cfg = configFromEnv();
  const idp = await startIdp(cfg);
  process.stdout.write(`IDP_READY ${JSON.stringify({ issuer: idp.issuer, port: idp.port })}\n`);
  const stop = () => idp.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Die with the parent: stdin is a pipe from stack.mjs; EOF means the parent is gone.
  if (process.env.STACK_PARENT_PIPE === '1') {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
    process.stdin.resume();
  }
}
