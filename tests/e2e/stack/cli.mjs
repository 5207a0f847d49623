#!/usr/bin/env node
// Starts the e2e stack on fixed ports for the demo and manual testing; Ctrl-C stops it.
//
//   node tests/e2e/stack/cli.mjs [--proxy-port 7007] [--backend-port 7017] [--idp-port 7010]
//                                [--app-origin http://127.0.0.1:3000 --app-origin http://localhost:3001]
//                                [--access-token-ttl 3600] [--rotate-refresh-token] [--debug]
//
// The app-facing backend URL is the counting proxy (default port 7007); the real backend
// listens behind it. Env knobs: ACCESS_TOKEN_TTL, ROTATE_REFRESH_TOKEN=1, BACKSTAGE_TOKEN_TTL,
// IDP_DELAY_MS / IDP_FAIL_STATUS / IDP_FAIL_PATHS, STACK_DEBUG=1, STACK_KEEP_LOGS=1.
import { parseArgs } from 'node:util';
import { startStack, ACCOUNTS } from './stack.mjs';

const { values } = parseArgs({
  options: {
    'proxy-port': { type: 'string', default: process.env.PROXY_PORT ?? '7007' },
    'backend-port': { type: 'string', default: process.env.BACKEND_PORT ?? '7017' },
    'idp-port': { type: 'string', default: process.env.IDP_PORT ?? '7010' },
    'app-origin': { type: 'string', multiple: true },
    'access-token-ttl': { type: 'string', default: process.env.ACCESS_TOKEN_TTL ?? '3600' },
    'backstage-token-ttl': { type: 'string', default: process.env.BACKSTAGE_TOKEN_TTL ?? '3600' },
    'rotate-refresh-token': { type: 'boolean', default: /^(1|true|yes)$/i.test(process.env.ROTATE_REFRESH_TOKEN ?? '') },
    debug: { type: 'boolean', default: /^(1|true)$/i.test(process.env.STACK_DEBUG ?? '') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('Usage: node tests/e2e/stack/cli.mjs [--proxy-port N] [--backend-port N] [--idp-port N] '
    + '[--app-origin URL]... [--access-token-ttl S] [--backstage-token-ttl S] [--rotate-refresh-token] [--debug]');
  process.exit(0);
}

const appOrigins = values['app-origin']?.length
  ? values['app-origin']
  : (process.env.APP_ORIGINS?.split(',').filter(Boolean) ?? ['http://127.0.0.1:3000', 'http://localhost:3001']);

const t0 = Date.now();
let stack;
try {
  stack = await startStack({
    appOrigins,
    ports: { proxy: Number(values['proxy-port']), backend: Number(values['backend-port']), idp: Number(values['idp-port']) },
    accessTokenTtl: Number(values['access-token-ttl']),
    backstageTokenTtl: Number(values['backstage-token-ttl']),
    rotateRefreshToken: values['rotate-refresh-token'],
    idpMode: {
      delayMs: Number(process.env.IDP_DELAY_MS ?? 0),
      failStatus: Number(process.env.IDP_FAIL_STATUS ?? 0),
      failPaths: process.env.IDP_FAIL_PATHS ? process.env.IDP_FAIL_PATHS.split(',') : undefined,
    },
    debug: values.debug,
  });
} catch (e) {
  console.error(`e2e stack failed to start: ${e.message}`);
  process.exit(1);
}

const lines = [
  `e2e stack ready in ${Date.now() - t0} ms`,
  '',
  `  authBase (give this to the app)   ${stack.authBase}`,
  `  backend.baseUrl (counting proxy)  ${stack.backendUrl}`,
  `  real backend (behind the proxy)   ${stack.backendInternalUrl}`,
  `  OIDC IdP (issuer)                 ${stack.idpUrl}`,
  `  app origins allowed (CORS+auth)   ${stack.appOrigins.join(', ')}`,
  '',
  '  providers: oidc, spectrocloud (popup via the IdP), guest, oauth2Proxy (sign-in via /refresh)',
  '  accounts (any password on the IdP login page):',
  ...Object.values(ACCOUNTS).map(a => `    ${a.email.padEnd(22)} -> ${a.userEntityRef ?? '(no catalog user: sign-in fails)'}`),
  `  oauth2Proxy signs in as: jane (POST ${stack.proxyUrl}/__stack/proxy-user {"user":"john"} to change)`,
  '',
  `  request counts: GET ${stack.proxyUrl}/__stack/counts   reset: POST ${stack.proxyUrl}/__stack/reset`,
  `  IdP failure mode: POST ${stack.proxyUrl}/__stack/idp-mode {"failStatus":500,"delayMs":0,"failPaths":["/token"]}`,
  '',
  'Ctrl-C stops everything.',
];
console.log(lines.join('\n'));

let stopping = false;
async function shutdown(sig) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${sig}: stopping the stack...`);
  const t = setTimeout(() => process.exit(1), 10_000);
  await stack.stop().catch(e => console.error(e));
  clearTimeout(t);
  console.log('stopped.');
  process.exit(0);
}
// Replace stack.mjs's kill-and-exit signal hooks with a graceful stop.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.removeAllListeners(sig);
  process.on(sig, () => shutdown(sig));
}
