// pkg/ (scripts/build's output) for the test runners: the one rule for "build it when it is
// missing or older than the sources". Used by tests/e2e/fixtures/app.mjs (ensurePkg) and, as a
// command, by tests/theme/run, scripts/demo and bench/tabs-race-run:
//   node tests/lib/pkg.mjs [module ...]           scripts/build when a module's .js or _bg.wasm is
//                                                 missing or older than src/, Cargo.toml, Cargo.lock
//                                                 (default: the Backstage-flow core and its PKCE
//                                                 build); the build's output on stderr
//   node tests/lib/pkg.mjs --check [module ...]   only prints why it would build (nothing if not)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PKG = path.join(REPO, 'pkg');
/** The Backstage-flow core and its PKCE build (the theme module is tests/theme's). */
export const CLIENT_MODULES = ['backstage_wasm_auth', 'backstage_wasm_auth_pkce'];

function newestMtime(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

/** Why pkg/ must be (re)built for `modules`, or null when it is up to date. */
export function pkgStaleReason(modules = CLIENT_MODULES) {
  const built = modules.flatMap(m => [`${m}.js`, `${m}_bg.wasm`]).map(f => path.join(PKG, f));
  if (!built.every(f => fs.existsSync(f))) return 'pkg/ is missing';
  const builtAt = Math.min(...built.map(f => fs.statSync(f).mtimeMs));
  const sources = ['src', 'Cargo.toml', 'Cargo.lock'].map(p => path.join(REPO, p)).filter(p => fs.existsSync(p));
  const newest = Math.max(...sources.map(newestMtime));
  return newest > builtAt ? 'pkg/ is older than src/' : null;
}

/**
 * Runs scripts/build (release) when pkgStaleReason(modules) says so; throws when it fails.
 * `show`: the build's output goes to this process's stderr (else only into the error).
 */
export function buildPkgIfStale({ modules = CLIENT_MODULES, log = s => console.log(`# ${s}`), show = false } = {}) {
  const reason = pkgStaleReason(modules);
  if (!reason) return;
  log(`${reason}: running scripts/build`);
  const t0 = Date.now();
  const r = spawnSync(path.join(REPO, 'scripts/build'), [], { cwd: REPO, encoding: 'utf8', timeout: 15 * 60_000,
    stdio: ['ignore', show ? process.stderr : 'pipe', show ? process.stderr : 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`scripts/build failed (${r.status ?? r.signal})${show ? '' : `:\n${r.stdout}\n${r.stderr}`}`);
  }
  log(`scripts/build done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv[2] === '--check';
  const modules = process.argv.slice(check ? 3 : 2);
  if (check) {
    const reason = pkgStaleReason(modules.length ? modules : CLIENT_MODULES);
    if (reason) console.log(reason);
    process.exit(0);
  }
  try {
    buildPkgIfStale({ modules: modules.length ? modules : CLIENT_MODULES, log: s => console.error(`[pkg] ${s}`), show: true });
  } catch (e) {
    console.error(`[pkg] ${e.message}`);
    process.exit(1);
  }
}
