// Shipped size: our pkg (wasm + wasm-bindgen glue, minified by esbuild the way an app bundles it;
// also as shipped, unminified) vs Backstage's OAuth2 and oidc-client-ts, bundled by the same
// esbuild (--bundle --minify, ESM, React external). Plus our code size by crate and by module,
// from a names-retained copy of the release wasm (same wasm-bindgen + wasm-opt -Oz, plus -g).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import * as esbuild from 'esbuild';
import { readWasm, attribute } from './wasm-names.mjs';
import { dependencyCost } from './deps.mjs';
import { bindgenAndOpt, cargoWasm, toolEnv, wasmOptVersion } from './ours-build.mjs';

export const ESBUILD_OPTIONS = Object.freeze({
  bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022',
  external: ['react', 'react-dom', 'react-router-dom', 'react/jsx-runtime'], logLevel: 'error',
});

export function measure(buf) {
  return {
    raw: buf.length,
    gzip: zlib.gzipSync(buf, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(buf, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length,
  };
}
const add = (...ms) => ms.reduce((a, m) => ({ raw: a.raw + m.raw, gzip: a.gzip + m.gzip, brotli: a.brotli + m.brotli }),
  { raw: 0, gzip: 0, brotli: 0 });

/** Bundles several one-line entries in one esbuild pass (core-app-api's index has ~3000 inputs). */
async function bundleAll(entries, benchDir, tmp) {
  const dir = path.join(tmp, 'size-entries');
  fs.mkdirSync(dir, { recursive: true });
  const entryPoints = Object.entries(entries).map(([name, contents]) => {
    const file = path.join(benchDir, `.size-entry-${process.pid}-${name}.js`); // resolved from bench/node_modules
    fs.writeFileSync(file, contents);
    return { in: file, out: name };
  });
  try {
    const r = await esbuild.build({ ...ESBUILD_OPTIONS, entryPoints, outdir: dir, write: false });
    return Object.fromEntries(r.outputFiles.map(f => [path.basename(f.path, '.js'), Buffer.from(f.contents)]));
  } finally {
    for (const e of entryPoints) fs.rmSync(e.in, { force: true });
  }
}

/** A names-retained copy of the shipped wasm: wasm-bindgen + wasm-opt -Oz -g on cargo's output. */
function namedWasm(root, tmp, wasmOpt) {
  if (!fs.existsSync(cargoWasm(root))) return { error: `${cargoWasm(root)} not found` };
  try {
    return { file: bindgenAndOpt({ root, outDir: path.join(tmp, 'named'), wasmOpt, extra: ['-g'] }), env: toolEnv() };
  } catch (e) {
    return { error: String(e.stderr ?? e.message).slice(0, 400) };
  }
}

export async function measureSizes({ root, benchDir, pkgDir, tmp, wasmOpt = 'wasm-opt', detail = true }) {
  const pkg = pkgDir ?? path.join(root, 'pkg');
  const wasmBuf = fs.readFileSync(path.join(pkg, 'backstage_wasm_auth_bg.wasm'));
  const glueBuf = fs.readFileSync(path.join(pkg, 'backstage_wasm_auth.js'));
  const b = await bundleAll({
    ours: `export { default, AuthClient } from ${JSON.stringify(path.join(pkg, 'backstage_wasm_auth.js'))};`,
    oauth2: `export { OAuth2 } from '@backstage/core-app-api';`,
    oauth2rm: `export { OAuth2, OAuthRequestManager } from '@backstage/core-app-api';`,
    oidcts: `export { UserManager } from 'oidc-client-ts';`,
  }, benchDir, tmp);
  const glueMin = b.ours;
  const wasm = measure(wasmBuf);
  const ours = {
    wasm,
    glueMinified: measure(glueMin),
    glueAsShipped: measure(glueBuf),
  };
  ours.total = add(ours.wasm, ours.glueMinified);
  ours.totalAsShipped = add(ours.wasm, ours.glueAsShipped);

  // The npm wrapper (dist/, built by `npm run build:js`), when present: its JS as published.
  const dist = path.join(root, 'dist');
  if (fs.existsSync(path.join(dist, 'index.js'))) {
    const files = fs.readdirSync(dist).filter(f => f.endsWith('.js'));
    const js = files.filter(f => f !== 'wasm-bytes.js');
    ours.npmWrapperJs = { files: js, ...add(...js.map(f => measure(fs.readFileSync(path.join(dist, f))))) };
    if (files.includes('wasm-bytes.js')) ours.npmInlineWasmFallback = measure(fs.readFileSync(path.join(dist, 'wasm-bytes.js')));
  }

  const peer = { oauth2: measure(b.oauth2), oauth2WithRequestManager: measure(b.oauth2rm) };
  const oidcts = { userManager: measure(b.oidcts) };

  // Where our bytes go.
  const shipped = readWasm(wasmBuf);
  const breakdown = { sections: shipped.sections };
  const named = detail ? namedWasm(root, tmp, wasmOpt) : { error: 'skipped in --quick mode (bench/run --quick --size-detail adds it)' };
  breakdown.wasmOpt = wasmOptVersion(wasmOpt);
  if (named.file) {
    const w = readWasm(fs.readFileSync(named.file));
    const a = attribute(w);
    breakdown.codeBytesNamedBuild = w.sections.find(s => s.name === 'code')?.size;
    breakdown.codeBytesShipped = shipped.sections.find(s => s.name === 'code')?.size;
    breakdown.crates = a.crates;
    breakdown.modules = a.modules;
    breakdown.topFunctions = a.top.slice(0, 25);
    breakdown.dependencies = dependencyCost(root, a.crates);
    const tw = spawnSync('twiggy', ['top', '-n', '25', named.file], { env: named.env, encoding: 'utf8' });
    if (tw.status === 0) {
      breakdown.twiggyTop = tw.stdout;
      const v = spawnSync('twiggy', ['--version'], { env: named.env, encoding: 'utf8' });
      breakdown.twiggyVersion = v.stdout.trim();
    } else breakdown.twiggyTop = null;
  } else {
    breakdown.error = named.error;
  }
  return { ours, peer, oidcts, breakdown };
}
