// scripts/build's checks on a built package directory.
//   node scripts/check-pkg.mjs DIR [on|off]      instantiates each module in Node (initSync): a
//       wasm-opt or wasm-bindgen mismatch that produces a module browsers would refuse fails the
//       build here, not in a user's app; checks what each module exports (on|off: the fast path)
//   node scripts/check-pkg.mjs --sizes DIR [note]   prints each module's sizes
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

export const MODULES = ['backstage_wasm_auth', 'backstage_wasm_auth_pkce', 'backstage_wasm_auth_theme'];

const args = process.argv.slice(2);
if (args[0] === '--sizes') {
  const dir = path.resolve(args[1] ?? 'pkg');
  const gz = buf => zlib.gzipSync(buf, { level: 9 }).length;
  const kb = n => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`[build] ${path.relative(process.cwd(), dir) || '.'}/ ${args[2] ?? ''}`.trimEnd());
  for (const name of MODULES) {
    const wasm = fs.readFileSync(path.join(dir, `${name}_bg.wasm`));
    const glue = fs.readFileSync(path.join(dir, `${name}.js`));
    console.log(`[build]   ${`${name}:`.padEnd(27)} wasm ${String(wasm.length).padStart(7)} B (gzip ${String(gz(wasm)).padStart(6)} B), `
      + `glue ${String(glue.length).padStart(6)} B (gzip ${String(gz(glue)).padStart(5)} B); wasm + glue gzip ${kb(gz(wasm) + gz(glue))}`);
  }
  process.exit(0);
}

const dir = path.resolve(args[0] ?? 'pkg');
const fastPath = args[1] ?? 'off';
const fail = msg => {
  console.error(`[build] ${dir}: ${msg}`);
  process.exit(1);
};
const exportsOf = {};
for (const name of MODULES) {
  const glue = await import(pathToFileURL(path.join(dir, `${name}.js`)).href);
  try {
    glue.initSync({ module: fs.readFileSync(path.join(dir, `${name}_bg.wasm`)) });
  } catch (error) {
    fail(`${name}_bg.wasm does not instantiate with its glue: ${error.message}`);
  }
  exportsOf[name] = Object.keys(glue).filter(k => k !== 'default' && k !== 'initSync');
}
for (const name of ['backstage_wasm_auth', 'backstage_wasm_auth_pkce']) {
  const glue = await import(pathToFileURL(path.join(dir, `${name}.js`)).href);
  if (typeof glue.AuthClient !== 'function') fail(`${name}.js exports no AuthClient`);
  if (fastPath === 'on' && !(glue.AuthClient.prototype instanceof glue.AuthClientCore)) {
    fail(`${name}.js: AuthClient does not extend AuthClientCore (the fast path was not appended)`);
  }
  if (exportsOf[name].some(k => /theme/i.test(k))) fail(`${name}.js carries the theme bridge: ${exportsOf[name]}`);
}
if (exportsOf.backstage_wasm_auth_theme.some(k => /^AuthClient/.test(k))) {
  fail(`backstage_wasm_auth_theme.js carries the auth client: ${exportsOf.backstage_wasm_auth_theme}`);
}
