// Our package under test: a private copy of pkg/ (others may rebuild it while the bench runs),
// checked to instantiate. When scripts/build's pkg/ does not instantiate, the copy is rebuilt from
// the same cargo output with wasm-bindgen + bench's own pinned wasm-opt (npm binaryen), and the
// failure is reported as a failed check (the shipped package is broken) while the bench goes on.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const WASM_OPT_FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-reference-types', '--enable-multivalue', '--enable-mutable-globals'];

/** Instantiates pkgDir's wasm with its own glue in a child Node (initSync). null when it works. */
export function instantiateError(pkgDir) {
  const script = `
    import fs from 'node:fs';
    const m = await import(${JSON.stringify(pathToFileURL(path.join(pkgDir, 'backstage_wasm_auth.js')).href)});
    m.initSync({ module: fs.readFileSync(${JSON.stringify(path.join(pkgDir, 'backstage_wasm_auth_bg.wasm'))}) });`;
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe', encoding: 'utf8' });
    return null;
  } catch (e) {
    const msg = String(e.stderr || e.message).split('\n').find(l => /Error/.test(l)) ?? String(e.stderr || e.message);
    return msg.trim().slice(0, 300);
  }
}

export function cargoWasm(root) {
  return path.join(root, 'target/wasm32-unknown-unknown/release/backstage_wasm_auth.wasm');
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

/** wasm-bindgen --target web + wasm-opt -Oz (plus extra flags) of cargo's release wasm into outDir. */
export function bindgenAndOpt({ root, outDir, wasmOpt, extra = [] }) {
  fs.rmSync(outDir, { recursive: true, force: true });
  const env = toolEnv();
  execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', outDir, cargoWasm(root)], { env, stdio: 'pipe' });
  const bg = path.join(outDir, 'backstage_wasm_auth_bg.wasm');
  const opt = path.join(outDir, 'opt.wasm');
  execFileSync(wasmOpt, ['-Oz', ...extra, ...WASM_OPT_FEATURES, '-o', opt, bg], { env, stdio: 'pipe' });
  fs.renameSync(opt, bg);
  return bg;
}

/**
 * Copies pkgSrc to tmp/pkg and makes sure it instantiates. Returns
 * { pkgDir, wasmOpt (the one to mirror for the names-retained build), source, shippedError }.
 */
export function prepareOurs({ root, benchDir, pkgSrc, tmp }) {
  const pkgDir = path.join(tmp, 'pkg');
  fs.cpSync(pkgSrc, pkgDir, { recursive: true });
  const shippedError = instantiateError(pkgDir);
  const wasmOpt = pickWasmOpt(root, benchDir);
  if (!shippedError) {
    return { pkgDir, wasmOpt, source: 'pkg/ as built by scripts/build', shippedError: null };
  }
  bindgenAndOpt({ root, outDir: pkgDir, wasmOpt });
  const rebuiltError = instantiateError(pkgDir);
  if (rebuiltError) throw new Error(`pkg/ does not instantiate (${shippedError}), nor does bench's rebuild (${rebuiltError})`);
  return {
    pkgDir, wasmOpt, shippedError,
    source: `rebuilt by bench from the same cargo output with wasm-bindgen + ${wasmOptVersion(wasmOpt)} -Oz, same flags as scripts/build `
      + `(pkg/ from scripts/build did not instantiate: ${shippedError})`,
  };
}
