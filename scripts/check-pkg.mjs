// Instantiates pkg/ in Node (initSync): a wasm-opt or wasm-bindgen mismatch that produces a
// module browsers would refuse fails the build here, not in a user's app.
import fs from 'node:fs';
import path from 'node:path';
const dir = path.resolve(process.argv[2] ?? 'pkg');
const glue = await import(new URL(`file://${path.join(dir, 'backstage_wasm_auth.js')}`).href);
glue.initSync({ module: fs.readFileSync(path.join(dir, 'backstage_wasm_auth_bg.wasm')) });
if (typeof glue.AuthClient !== 'function') throw new Error('pkg/ exports no AuthClient');
