// A real Backstage backend (auth + catalog) for the e2e stack.
//
// Started as a child process by stack.mjs; configured entirely through env:
//   BACKEND_PORT      port to listen on (127.0.0.1)                       (required)
//   BACKEND_BASE_URL  public base URL (the counting proxy), no trailing /  (required)
//   APP_ORIGINS       comma-separated app origins (first = app.baseUrl)    (required)
//   IDP_URL           OIDC issuer, e.g. http://127.0.0.1:7010              (required)
//   STACK_WORKDIR     directory for the generated app-config.yaml         (default: a temp dir)
//   STACK_NONCE       echoed by GET /api/stack/info (stale-server check)
//   BACKSTAGE_TOKEN_TTL  Backstage identity token lifetime in seconds     (default 3600)
//   OIDC_PROMPT       oidc provider `prompt` option                       (default auto)
//   OAUTH2_PROXY_RESOLVERS  comma list of oauth2Proxy sign-in resolvers
// Must run with NODE_ENV=development (the guest provider refuses otherwise).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

function need(name) {
  const v = process.env[name];
  if (!v) { console.error(`backend.mjs: env ${name} is required`); process.exit(2); }
  return v;
}

const port = Number(need('BACKEND_PORT'));
const baseUrl = need('BACKEND_BASE_URL').replace(/\/+$/, '');
const appOrigins = need('APP_ORIGINS').split(',').map(s => s.trim()).filter(Boolean);
const idpUrl = need('IDP_URL').replace(/\/+$/, '');
const workdir = process.env.STACK_WORKDIR || fs.mkdtempSync(path.join(os.tmpdir(), 'bs-e2e-backend-'));
const nonce = process.env.STACK_NONCE ?? '';
const tokenTtl = Number(process.env.BACKSTAGE_TOKEN_TTL ?? 3600);

const oidcProviderConfig = {
  development: {
    metadataUrl: `${idpUrl}/.well-known/openid-configuration`,
    clientId: 'backstage',
    clientSecret: 'backstage-e2e-secret',
    prompt: process.env.OIDC_PROMPT || 'auto',
    signIn: {
      resolvers: [
        { resolver: 'emailLocalPartMatchingUserEntityName' },
        { resolver: 'emailMatchingUserEntityProfileEmail' },
      ],
    },
  },
};

const config = {
  app: { baseUrl: appOrigins[0] },
  backend: {
    baseUrl,
    listen: { host: '127.0.0.1', port },
    cors: {
      origin: appOrigins,
      methods: ['GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'DELETE'],
      credentials: true,
    },
    database: { client: 'better-sqlite3', connection: ':memory:' },
  },
  auth: {
    environment: 'development',
    session: { secret: 'e2e-stack-session-secret-not-for-production' },
    backstageTokenExpiration: { seconds: tokenTtl },
    experimentalExtraAllowedOrigins: appOrigins.slice(1),
    providers: {
      oidc: oidcProviderConfig,
      spectrocloud: oidcProviderConfig,
      guest: {},
      oauth2Proxy: {
        signIn: {
          resolvers: (process.env.OAUTH2_PROXY_RESOLVERS
            || 'forwardedUserMatchingUserEntityName,emailMatchingUserEntityProfileEmail')
            .split(',').map(r => ({ resolver: r.trim() })),
        },
      },
    },
  },
  catalog: {
    rules: [{ allow: ['User', 'Group', 'Location', 'Component', 'System', 'API', 'Resource', 'Domain'] }],
    locations: [{ type: 'file', target: path.join(here, 'catalog.yaml') }],
  },
};

const configPath = path.join(workdir, 'app-config.yaml');
// JSON is valid YAML.
fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
process.argv.push('--config', configPath);

const { createBackend } = require('@backstage/backend-defaults');
const { createBackendModule, createBackendPlugin, coreServices } = require('@backstage/backend-plugin-api');
const { authProvidersExtensionPoint, createOAuthProviderFactory } = require('@backstage/plugin-auth-node');
const { oidcAuthenticator, oidcSignInResolvers } = require('@backstage/plugin-auth-backend-module-oidc-provider');

// The same OIDC authenticator mounted under a second provider id, like a branded IdP would be.
const spectrocloudProviderModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'spectrocloud-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'spectrocloud',
          factory: createOAuthProviderFactory({
            authenticator: oidcAuthenticator,
            signInResolverFactories: { ...oidcSignInResolvers },
          }),
        });
      },
    });
  },
});

// GET /api/stack/info -> { nonce, pid }: lets stack.mjs tell its own backend from a stale one.
const stackInfoPlugin = createBackendPlugin({
  pluginId: 'stack',
  register(reg) {
    reg.registerInit({
      deps: { http: coreServices.httpRouter },
      async init({ http }) {
        http.addAuthPolicy({ path: '/info', allow: 'unauthenticated' });
        http.use((req, res, next) => {
          if (req.method === 'GET' && req.path === '/info') {
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify({ nonce, pid: process.pid }));
            return;
          }
          next();
        });
      },
    });
  },
});

const backend = createBackend();
backend.add(require('@backstage/plugin-auth-backend').default);
backend.add(require('@backstage/plugin-auth-backend-module-oidc-provider').default);
backend.add(require('@backstage/plugin-auth-backend-module-guest-provider').default);
backend.add(require('@backstage/plugin-auth-backend-module-oauth2-proxy-provider').default);
backend.add(require('@backstage/plugin-catalog-backend').default);
backend.add(spectrocloudProviderModule);
backend.add(stackInfoPlugin);

// Die with the parent: stdin is a pipe from stack.mjs; EOF means the parent is gone.
if (process.env.STACK_PARENT_PIPE === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

await backend.start();
