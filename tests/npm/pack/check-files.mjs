// Checks the file list of `npm pack --json` output (read from stdin).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const [info] = JSON.parse(readFileSync(0, 'utf8'));
const files = info.files.map(f => f.path).sort();
const required = [
  'package.json',
  'config.d.ts',
  'dist/index.js',
  'dist/index.d.ts',
  'dist/alpha.js',
  'dist/alpha.d.ts',
  'dist/WasmAuthApi.js',
  'dist/WasmAuthApi.d.ts',
  'dist/core.js',
  'dist/observable.js',
  'dist/readConfig.js',
  'dist/wasm-loader.js',
  'dist/wasm-bytes.js',
  'dist/wasm-bytes-pkce.js',
  'dist/wasm-bytes-theme.js',
  'dist/no-wasm-bytes.js',
  'dist/ui/index.js',
  'dist/ui/index.d.ts',
  'dist/ui/alpha.js',
  'dist/ui/alpha.d.ts',
  'dist/ui/idlePolicy.js',
  'dist/ui/idleSync.js',
  'dist/ui/sessionNotice.js',
  'dist/theme/index.js',
  'dist/theme/index.d.ts',
  'dist/theme/frame.js',
  'dist/theme/frame.d.ts',
  'dist/theme/core.js',
  'dist/theme/palette.js',
  'pkg/backstage_wasm_auth.js',
  'pkg/backstage_wasm_auth.d.ts',
  'pkg/backstage_wasm_auth_bg.wasm',
  'pkg/backstage_wasm_auth_pkce.js',
  'pkg/backstage_wasm_auth_pkce.d.ts',
  'pkg/backstage_wasm_auth_pkce_bg.wasm',
  'pkg/backstage_wasm_auth_theme.js',
  'pkg/backstage_wasm_auth_theme.d.ts',
  'pkg/backstage_wasm_auth_theme_bg.wasm',
];
for (const f of required) assert.ok(files.includes(f), `tarball lacks ${f}`);
const forbidden = files.filter(f => /^(js|src|tests|scripts|target|node_modules|docs|pkg\/cargo)\//.test(f) || /\.rs$/.test(f));
assert.deepEqual(forbidden, [], `tarball holds files it should not: ${forbidden.join(', ')}`);
// Each inlined copy (Node/Jest only) holds its whole module.
const size = p => info.files.find(f => f.path === p).size;
for (const [mod, inline] of [['', 'wasm-bytes'], ['_pkce', 'wasm-bytes-pkce'], ['_theme', 'wasm-bytes-theme']]) {
  assert.ok(size(`dist/${inline}.js`) >= (size(`pkg/backstage_wasm_auth${mod}_bg.wasm`) * 4) / 3,
    `dist/${inline}.js does not hold the whole pkg/backstage_wasm_auth${mod}_bg.wasm`);
}
const kib = n => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `[pack] ${info.filename}: ${files.length} files, ${kib(info.size)} packed, ${kib(info.unpackedSize)} unpacked `
    + `(wasm: core ${kib(size('pkg/backstage_wasm_auth_bg.wasm'))}, pkce ${kib(size('pkg/backstage_wasm_auth_pkce_bg.wasm'))}, `
    + `theme ${kib(size('pkg/backstage_wasm_auth_theme_bg.wasm'))})`,
);
