// A tiny WebAssembly binary reader: section sizes, function body sizes and the `name` section's
// function names, plus a Rust legacy-symbol demangler, to attribute code size to crates without
// any tool. (twiggy, when installed, is used in addition for its own top list.)

function reader(buf) {
  let pos = 0;
  const r = {
    get pos() { return pos; },
    set pos(p) { pos = p; },
    byte() { return buf[pos++]; },
    u32() {
      let result = 0, shift = 0, b;
      do { b = buf[pos++]; result += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
      return result;
    },
    bytes(n) { const s = buf.subarray(pos, pos + n); pos += n; return s; },
    str() { const n = r.u32(); return Buffer.from(r.bytes(n)).toString('utf8'); },
    limits() { const flags = r.byte(); r.u32(); if (flags & 1) r.u32(); },
  };
  return r;
}

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export',
  'start', 'element', 'code', 'data', 'datacount', 'tag'];

/** { sections: [{id, name, size}], functions: [{index, name, size}], importedFunctions } */
export function readWasm(buf) {
  const r = reader(buf);
  if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm file');
  r.pos = 8;
  const sections = [];
  let importedFunctions = 0;
  const bodies = [];
  const names = new Map();
  while (r.pos < buf.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    let name = SECTION_NAMES[id] ?? `section ${id}`;
    if (id === 0) {
      const custom = r.str();
      name = `custom "${custom}"`;
      if (custom === 'name') {
        while (r.pos < end) {
          const sub = r.byte();
          const subSize = r.u32();
          const subEnd = r.pos + subSize;
          if (sub === 1) {
            const count = r.u32();
            for (let i = 0; i < count; i++) { const idx = r.u32(); names.set(idx, r.str()); }
          }
          r.pos = subEnd;
        }
      }
    } else if (id === 2) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        r.str(); r.str();
        const kind = r.byte();
        if (kind === 0) { r.u32(); importedFunctions++; }
        else if (kind === 1) { r.byte(); r.limits(); }
        else if (kind === 2) r.limits();
        else if (kind === 3) { r.byte(); r.byte(); }
        else if (kind === 4) { r.byte(); r.u32(); }
        else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 10) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const bodyStart = r.pos;
        const n = r.u32();
        r.pos += n;
        bodies.push(r.pos - bodyStart);
      }
    }
    sections.push({ id, name, size: end - start + 1 + lebLen(size) });
    r.pos = end;
  }
  const functions = bodies.map((size, i) => {
    const index = importedFunctions + i;
    return { index, name: names.get(index) ?? null, size };
  });
  return { sections, functions, importedFunctions, hasNames: names.size > 0 };
}

function lebLen(n) { let l = 1; while (n >= 0x80) { n = Math.floor(n / 128); l++; } return l; }

const ESCAPES = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };

/** Demangles a Rust legacy symbol (`_ZN...E`), dropping the hash; other names are returned as is. */
export function demangle(sym) {
  if (sym && sym.startsWith('_R')) return demangleV0(sym);
  if (!sym || !sym.startsWith('_ZN')) return sym;
  let i = 3;
  const parts = [];
  while (i < sym.length && sym[i] !== 'E') {
    let j = i;
    while (j < sym.length && sym[j] >= '0' && sym[j] <= '9') j++;
    if (j === i) break;
    const len = Number(sym.slice(i, j));
    parts.push(sym.slice(j, j + len));
    i = j + len;
  }
  if (parts.length && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
  return parts.map(p => {
    let s = p.startsWith('_$') ? p.slice(1) : p;
    s = s.replace(/\$([A-Z]{1,2})\$/g, (m, k) => ESCAPES[k] ?? m)
      .replace(/\$u([0-9a-f]{2,6})\$/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
      .replace(/\.\./g, '::');
    return s;
  }).join('::');
}

/**
 * A rough reading of a Rust v0 symbol (`_R...`, used by the precompiled std): the identifiers in
 * order, joined with `::` (generic arguments flattened, backrefs dropped). Enough to read a size list.
 */
function demangleV0(sym) {
  const ids = [];
  let i = 2;
  while (i < sym.length) {
    const c = sym[i];
    if (c === 'C' && sym[i + 1] === 's') { // crate root with disambiguator: Cs<base62>_<len><ident>
      i = sym.indexOf('_', i) + 1;
      continue;
    }
    if (c === 'B' || c === 's') { // backref / disambiguator: <base62>_
      const j = sym.indexOf('_', i);
      i = j < 0 ? sym.length : j + 1;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let j = i;
      while (sym[j] >= '0' && sym[j] <= '9') j++;
      const len = Number(sym.slice(i, j));
      let id = sym.slice(j, j + len);
      if (id.startsWith('_')) id = id.slice(1);
      ids.push(id);
      i = j + len;
      continue;
    }
    i++;
  }
  return ids.join('::');
}

/**
 * The crate a (demangled) function belongs to: the first path segment, or for `<T as Trait>::f`
 * the crate of T. Generic code instantiated for our types counts for the generic's own crate.
 */
export const OUR_CRATE = 'backstage_wasm_auth';
const EXPORT_WRAPPER = /^(authclient|themehost|themelistener)_[A-Za-z0-9_$]*( (externref|multivalue) shim)*$/;
const PRIMITIVES = new Set(['bool', 'char', 'str', 'f32', 'f64', 'i8', 'i16', 'i32', 'i64', 'i128',
  'isize', 'u8', 'u16', 'u32', 'u64', 'u128', 'usize', '()', '!']);

/** A readable function name: no `[crate hash]`, no `::h<hash>` suffix, no binaryen merge prefix. */
export function cleanName(name) {
  if (!name) return '(unnamed)';
  return demangle(name).replace(/^byn\$mgfn-shared\$/, '').replace(/\[[0-9a-f]{16}\]/g, '')
    .replace(/::h[0-9a-f]{16}$/, '');
}

export function crateOf(raw) {
  const name = cleanName(raw);
  if (name === '(unnamed)') return name;
  if (/^__wbindgen|^__wbg_|^__externref|^wasm_bindgen::__rt/.test(name)) return 'wasm_bindgen';
  // wasm-bindgen's wrappers of our exports (`authclient_new externref shim`): wasm-opt inlines the
  // exported Rust function into them, so they count as ours.
  if (EXPORT_WRAPPER.test(name)) return OUR_CRATE;
  if (/^(dlmalloc|memcpy|memset|memmove|memcmp|__rust|__rdl|__rg|__multi3|__ashl|__lshr|__udiv|__umod|compiler_builtins)/.test(name)) return 'compiler_builtins/dlmalloc';
  if (!/::|</.test(name)) return 'wasm_bindgen';
  let s = name;
  // `<T as Trait>::f`: the crate of T, or of Trait when T is a primitive, a slice or a reference.
  const qual = /^<(.+?) as ([A-Za-z_][A-Za-z0-9_]*)::/.exec(s);
  if (qual) {
    const t = qual[1].replace(/^(&|\*|mut |dyn |const )+/g, '').replace(/^\[/, '');
    const tm = /^([A-Za-z_][A-Za-z0-9_]*)(::|<|$|;|\])/.exec(t);
    if (!tm || PRIMITIVES.has(tm[1]) || tm[2] !== '::') return qual[2];
    return tm[1];
  }
  s = s.replace(/^<+/, '').replace(/^(&|\*|mut |dyn |const )+/g, '');
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(::|>|<)/.exec(s);
  if (!m) return '(other)';
  if (PRIMITIVES.has(m[1])) return 'core';
  return m[1];
}

/** Code bytes per crate, and the biggest functions. */
export function attribute(wasm) {
  const byCrate = new Map();
  for (const f of wasm.functions) {
    const crate = crateOf(f.name);
    const e = byCrate.get(crate) ?? { crate, bytes: 0, functions: 0 };
    e.bytes += f.size;
    e.functions++;
    byCrate.set(crate, e);
  }
  const crates = [...byCrate.values()].sort((a, b) => b.bytes - a.bytes);
  // Our own crate by top-level module (generic code of other crates instantiated for our types is
  // not in here: it counts for serde_core, alloc, ...).
  const byModule = new Map();
  for (const f of wasm.functions) {
    const name = cleanName(f.name);
    if (crateOf(f.name) !== OUR_CRATE) continue;
    // browser:: holds one file per web API or flow: split it one level further.
    const m = new RegExp(`${OUR_CRATE}::(browser::[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*)`).exec(name);
    const mod = m ? `${OUR_CRATE}::${m[1].replace(/::(_|[A-Z][A-Za-z0-9_]*)$/, '')}` : EXPORT_WRAPPER.test(name)
      ? `${OUR_CRATE} JS exports (wasm-bindgen wrappers with the export inlined)` : OUR_CRATE;
    const e = byModule.get(mod) ?? { module: mod, bytes: 0, functions: 0 };
    e.bytes += f.size;
    e.functions++;
    byModule.set(mod, e);
  }
  const modules = [...byModule.values()].sort((a, b) => b.bytes - a.bytes);
  const top = wasm.functions.map(f => ({ name: cleanName(f.name), crate: crateOf(f.name), size: f.size }))
    .sort((a, b) => b.size - a.size);
  return { crates, modules, top };
}
