// The Backstage CLI app build with and without the package: bench/cli-app/ (one sign-in page, one
// provider) built by `backstage-cli package build` (rspack, the CLI's default) with the
// dependencies of tests/npm/cli-app (installed there by tests/npm/run d, or by bench/run), once
// with backstage-wasm-auth (bench's private copy of the package, laid out as npm installs it) and
// once without. For each build: the whole dist/ and what Chromium fetches from the app's origin
// until the sign-in page shows its provider; raw bytes and each file gzip -9, summed. No timing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { measure, sum } from '../../scripts/size-budget.mjs';

const VARIANTS = ['without', 'with'];

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

/**
 * An app dir for one variant: bench/cli-app's sources, and a node_modules of symlinks into
 * tests/npm/cli-app/node_modules, plus (with) a real copy of the package in it: the package's own
 * imports then resolve through the same node_modules, as in an app that installed it.
 */
function makeApp({ root, benchDir, tmp, packageDir, variant }) {
  const deps = path.join(root, 'tests', 'npm', 'cli-app', 'node_modules');
  const dir = path.join(tmp, `cli-app-${variant}`);
  const pkgJson = JSON.parse(fs.readFileSync(path.join(root, 'tests', 'npm', 'cli-app', 'package.json'), 'utf8'));
  pkgJson.name = `bench-cli-app-${variant}`;
  if (variant === 'without') delete pkgJson.dependencies['backstage-wasm-auth'];
  else pkgJson.dependencies['backstage-wasm-auth'] = '0.1.0';
  delete pkgJson.jest;
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkgJson, null, 2)}\n`);
  fs.cpSync(path.join(root, 'tests', 'npm', 'cli-app', 'public'), path.join(dir, 'public'), { recursive: true });
  fs.copyFileSync(path.join(benchDir, 'cli-app', 'app-config.yaml'), path.join(dir, 'app-config.yaml'));
  fs.copyFileSync(path.join(benchDir, 'cli-app', 'index.jsx'), path.join(dir, 'src', 'index.jsx'));
  fs.copyFileSync(path.join(benchDir, 'cli-app', `provider-${variant}.jsx`), path.join(dir, 'src', 'provider.jsx'));
  const nm = path.join(dir, 'node_modules');
  fs.mkdirSync(nm);
  for (const e of fs.readdirSync(deps)) {
    if (e === 'backstage-wasm-auth' || e === '.package-lock.json') continue;
    if (e.startsWith('@')) {
      fs.mkdirSync(path.join(nm, e));
      for (const s of fs.readdirSync(path.join(deps, e))) fs.symlinkSync(path.join(deps, e, s), path.join(nm, e, s));
    } else {
      fs.symlinkSync(path.join(deps, e), path.join(nm, e));
    }
  }
  if (variant === 'with') {
    const dest = path.join(nm, 'backstage-wasm-auth');
    const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
    fs.mkdirSync(dest);
    fs.copyFileSync(path.join(packageDir, 'package.json'), path.join(dest, 'package.json'));
    // What `npm pack` would ship (package.json `files`), nothing else (no pkg/cargo/).
    for (const f of manifest.files) {
      const src = path.join(packageDir, f);
      if (fs.existsSync(src)) fs.cpSync(src, path.join(dest, f), { recursive: true });
    }
  }
  return dir;
}

/** Bytes Chromium fetches from the app's origin until the sign-in page shows the provider. */
async function signInPageBytes({ browser, dist, backendUrl, startAppServer }) {
  const routes = {};
  const app = await startAppServer({ root: dist, routes });
  routes['/app-config.json'] = {
    type: 'application/json',
    body: JSON.stringify({ app: { title: 'bench app', baseUrl: app.origin }, backend: { baseUrl: backendUrl } }),
  };
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const bodies = [];
  page.on('response', r => {
    if (!r.url().startsWith(app.origin) || new URL(r.url()).pathname === '/app-config.json') return;
    bodies.push(r.body().then(b => ({ path: new URL(r.url()).pathname, ...measure(b) }), () => null));
  });
  try {
    await page.goto(app.origin);
    await page.getByRole('button', { name: /sign in/i }).waitFor({ timeout: 60_000 });
    await page.waitForLoadState('networkidle').catch(() => {});
    const files = (await Promise.all(bodies)).filter(Boolean);
    return { files, total: sum(files) };
  } finally {
    await ctx.close();
    await app.close();
  }
}

/**
 * Builds both variants and measures them. Returns { without, with, delta } (each: dist and
 * signInPage totals), or { skipped } when tests/npm/cli-app has no node_modules.
 */
export async function measureCliAppDelta({ root, benchDir, tmp, packageDir, browser, backendUrl, startAppServer, log }) {
  const cli = path.join(root, 'tests', 'npm', 'cli-app', 'node_modules', '@backstage', 'cli', 'bin', 'backstage-cli');
  if (!fs.existsSync(cli)) return { skipped: 'tests/npm/cli-app has no node_modules (bench/run installs it for a full run; tests/npm/run d does too)' };
  const out = {};
  for (const variant of VARIANTS) {
    const dir = makeApp({ root, benchDir, tmp, packageDir, variant });
    const t0 = Date.now();
    try {
      execFileSync(process.execPath, [cli, 'package', 'build'], { cwd: dir, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    } catch (e) {
      throw new Error(`backstage-cli package build (${variant}) failed: ${String(e.stdout ?? '').slice(-1500)}${String(e.stderr ?? '').slice(-1500)}`);
    }
    log(`cli-app ${variant} the package: built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const dist = path.join(dir, 'dist');
    const files = walk(dist).map(f => ({ path: path.relative(dist, f), ...measure(fs.readFileSync(f)) }));
    const signInPage = await signInPageBytes({ browser, dist, backendUrl, startAppServer });
    const base64 = walk(dist).filter(f => f.endsWith('.js') && /['"`]AGFzbQ/.test(fs.readFileSync(f, 'latin1'))).map(f => path.relative(dist, f));
    out[variant] = {
      dist: { files: files.length, ...sum(files) },
      signInPage: { requests: signInPage.files.length, ...signInPage.total, files: signInPage.files },
      wasmFetched: signInPage.files.filter(f => f.path.endsWith('.wasm')).map(f => f.path),
      base64Copies: base64,
    };
  }
  const d = (a, b) => ({ raw: a.raw - b.raw, gzip: a.gzip - b.gzip, brotli: a.brotli - b.brotli });
  out.delta = { dist: d(out.with.dist, out.without.dist), signInPage: d(out.with.signInPage, out.without.signInPage) };
  return out;
}
