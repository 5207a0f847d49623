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
  'dist/wasm-bytes.js',
  'dist/theme/index.js',
  'dist/theme/index.d.ts',
  'dist/theme/frame.js',
  'dist/theme/frame.d.ts',
  'dist/theme/core.js',
  'dist/theme/palette.js',
  'pkg/backstage_wasm_auth.js',
  'pkg/backstage_wasm_auth_bg.wasm',
];
for (const f of required) assert.ok(files.includes(f), `tarball lacks ${f}`);
const forbidden = files.filter(f => /^(js|src|tests|scripts|target|node_modules|docs)\//.test(f) || /\.rs$/.test(f));
assert.deepEqual(forbidden, [], `tarball holds files it should not: ${forbidden.join(', ')}`);
const wasm = info.files.find(f => f.path === 'pkg/backstage_wasm_auth_bg.wasm');
const inline = info.files.find(f => f.path === 'dist/wasm-bytes.js');
assert.ok(inline.size >= (wasm.size * 4) / 3, 'dist/wasm-bytes.js does not hold the whole .wasm');
console.log(
  `[pack] ${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(1)} KiB packed, ` +
    `${(info.unpackedSize / 1024).toFixed(1)} KiB unpacked (wasm ${(wasm.size / 1024).toFixed(1)} KiB)`,
);
