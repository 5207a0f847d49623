// scripts/build: appends the hot path's JS half (js/glue/fast-path.js, `class AuthClient extends
// AuthClientCore`) to a wasm-bindgen glue and its declarations (js/glue/fast-path.d.ts).
// Usage: node scripts/append-fast-path.mjs <glue.js> <glue.d.ts>
// Fails loudly when the glue is not what the fast path extends.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [glue, dts] = process.argv.slice(2);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const fail = msg => {
  console.error(`[build] fast path: ${glue}: ${msg}`);
  process.exit(1);
};
const js = fs.readFileSync(glue, 'utf8');
if (!/^export class AuthClientCore \{/m.test(js)) {
  fail('the glue has no `export class AuthClientCore`: the Rust side of the hot path (js_name = AuthClientCore, '
    + 'constructor(options, onCache)) is not in this build. Build with BWA_FAST_PATH=off (the core then exports '
    + 'AuthClient itself), or land the Rust side first.');
}
if (/^export class AuthClient \{/m.test(js) || /^export \{[^}]*\bAuthClient\b/m.test(js)) {
  fail('the glue already exports an `AuthClient`: the fast path would shadow it');
}
// `extends` needs a constructor that sets the pointer on `this` and returns it (wasm-bindgen
// 0.2.130), not one that returns a fresh object made by a static __wrap.
const ctor = /^ {4}constructor\((\w+), (\w+)\) \{\n([\s\S]*?)^ {4}\}/m.exec(
  js.slice(js.indexOf('export class AuthClientCore')),
);
if (!ctor) fail('AuthClientCore has no two-argument constructor (options, onCache)');
if (!/this\.__wbg_ptr = /.test(ctor[3]) || !/return this;/.test(ctor[3])) {
  fail('AuthClientCore\'s constructor does not initialize `this` (cannot be extended)');
}
const d = fs.readFileSync(dts, 'utf8');
if (!/^export class AuthClientCore \{/m.test(d)) fail(`${dts} has no AuthClientCore`);

const src = fs.readFileSync(path.join(root, 'js/glue/fast-path.js'), 'utf8');
const srcDts = fs.readFileSync(path.join(root, 'js/glue/fast-path.d.ts'), 'utf8');
fs.writeFileSync(glue, `${js.trimEnd()}\n\n${src}`);
fs.writeFileSync(dts, `${d.trimEnd()}\n${srcDts}`);
