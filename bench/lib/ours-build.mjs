// Our package under test: a private copy (others may rebuild pkg/ and dist/ while the bench runs)
// laid out as the npm package is (package.json, dist/ from js/build.mjs, pkg/ from scripts/build),
// each wasm module checked to instantiate. When a module of pkg/ does not instantiate, the copy is
// rebuilt from the same cargo output (pkg/cargo/<module>.wasm, kept by scripts/build) with
// wasm-bindgen + bench's own pinned wasm-opt, and the failure is reported as a failed check (the
// shipped package is broken) while the bench goes on.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const MODULES = ['backstage_wasm_auth', 'backstage_wasm_auth_pkce', 'backstage_wasm_auth_theme'];

export const WASM_OPT_FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-reference-types', '--enable-multivalue', '--enable-mutable-globals'];

/** Instantiates one module of pkgDir with its own glue in a child Node (initSync). null when it works. */
export function instantiateError(pkgDir, module = 'backstage_wasm_auth') {
  const script = `
    import fs from 'node:fs';
    const m = await import(${JSON.stringify(pathToFileURL(path.join(pkgDir, `${module}.js`)).href)});
    m.initSync({ module: fs.readFileSync(${JSON.stringify(path.join(pkgDir, `${module}_bg.wasm`))}) });`;
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe', encoding: 'utf8' });
    return null;
  } catch (e) {
    const msg = String(e.stderr || e.message).split('\n').find(l => /Error/.test(l)) ?? String(e.stderr || e.message);
    return msg.trim().slice(0, 300);
  }
}

/** A module's cargo output (before wasm-bindgen), as scripts/build keeps it in pkg/cargo/. */
export function cargoWasm(pkgDir, module = 'backstage_wasm_auth') {
  return path.join(pkgDir, 'cargo', `${module}.wasm`);
}

export function toolEnv() {
  return { ...process.env, PATH: `${process.env.HOME}/.cargo/bin:${process.env.PATH}` };
}

/**
 * The wasm-opt to mirror scripts/build with: $BENCH_WASM_OPT, else the project's pinned npm binaryen
 * (tools/binaryen) when installed, else bench's own pinned npm binaryen. Never Debian's binaryen
 * 108, which corrupts wasm-bindgen's externref table.
 */
export function pickWasmOpt(root, benchDir) {
  if (process.env.BENCH_WASM_OPT) return process.env.BENCH_WASM_OPT;
  const project = path.join(root, 'tools', 'binaryen', 'node_modules', '.bin', 'wasm-opt');
  if (fs.existsSync(project)) return project;
  return path.join(benchDir, 'node_modules', '.bin', 'wasm-opt');
}

export function wasmOptVersion(bin) {
  try { return execFileSync(bin, ['--version'], { encoding: 'utf8', env: toolEnv() }).trim(); } catch { return null; }
}

/**
 * wasm-bindgen --target web + wasm-opt -Oz (plus extra flags) of a module's cargo output into
 * outDir, under the module's own name. Returns the path of outDir/<module>_bg.wasm.
 */
export function bindgenAndOpt({ cargoFile, module, outDir, wasmOpt, extra = [] }) {
  fs.mkdirSync(outDir, { recursive: true });
  const env = toolEnv();
  execFileSync('wasm-bindgen', ['--target', 'web', '--out-name', module, '--out-dir', outDir, cargoFile], { env, stdio: 'pipe' });
  const bg = path.join(outDir, `${module}_bg.wasm`);
  const opt = path.join(outDir, `${module}.opt.wasm`);
  execFileSync(wasmOpt, ['-Oz', ...extra, ...WASM_OPT_FEATURES, '-o', opt, bg], { env, stdio: 'pipe' });
  fs.renameSync(opt, bg);
  return bg;
}

/**
 * Copies the package (package.json, config.d.ts, distSrc as dist/, pkgSrc as pkg/) to tmp/wrapper and makes
 * sure every module instantiates. Returns { packageDir, pkgDir, wasmOpt (the one to mirror for
 * the names-retained build), source, shippedError }.
 */
export function prepareOurs({ root, benchDir, pkgSrc, distSrc, tmp }) {
  const packageDir = path.join(tmp, 'wrapper');
  const pkgDir = path.join(packageDir, 'pkg');
  fs.mkdirSync(packageDir, { recursive: true });
  for (const f of ['package.json', 'config.d.ts']) fs.copyFileSync(path.join(root, f), path.join(packageDir, f));
  fs.cpSync(pkgSrc, pkgDir, { recursive: true });
  if (fs.existsSync(path.join(distSrc, 'index.js'))) fs.cpSync(distSrc, path.join(packageDir, 'dist'), { recursive: true });
  const wasmOpt = pickWasmOpt(root, benchDir);
  const errors = MODULES.map(m => [m, instantiateError(pkgDir, m)]).filter(([, e]) => e);
  if (!errors.length) {
    return { packageDir, pkgDir, wasmOpt, source: 'pkg/ as built by scripts/build', shippedError: null };
  }
  const shippedError = errors.map(([m, e]) => `${m}: ${e}`).join('; ');
  for (const [m] of errors) {
    if (!fs.existsSync(cargoWasm(pkgSrc, m))) throw new Error(`pkg/ does not instantiate (${shippedError}) and has no cargo output to rebuild from`);
    bindgenAndOpt({ cargoFile: cargoWasm(pkgSrc, m), module: m, outDir: pkgDir, wasmOpt });
    if (/^export class AuthClient extends AuthClientCore/m.test(fs.readFileSync(path.join(pkgSrc, `${m}.js`), 'utf8'))) {
      execFileSync(process.execPath, [path.join(root, 'scripts/append-fast-path.mjs'), path.join(pkgDir, `${m}.js`), path.join(pkgDir, `${m}.d.ts`)]);
    }
    const rebuiltError = instantiateError(pkgDir, m);
    if (rebuiltError) throw new Error(`pkg/ does not instantiate (${shippedError}), nor does bench's rebuild (${rebuiltError})`);
  }
  return {
    packageDir, pkgDir, wasmOpt, shippedError,
    source: `rebuilt by bench from the same cargo output with wasm-bindgen + ${wasmOptVersion(wasmOpt)} -Oz, same flags as scripts/build `
      + `(pkg/ from scripts/build did not instantiate: ${shippedError})`,
  };
}
