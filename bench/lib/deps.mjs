// Code bytes per direct dependency of our crate: for each direct dependency D, the crates that are
// in the wasm build's dependency graph only because of D (reachable from our crate, but not any
// more once D is removed), with their code bytes from the per-crate attribution.
import { execFileSync } from 'node:child_process';

export function dependencyCost(root, crates) {
  let meta;
  try {
    meta = JSON.parse(execFileSync('cargo', ['metadata', '--offline', '--format-version', '1',
      '--filter-platform', 'wasm32-unknown-unknown', '--manifest-path', `${root}/Cargo.toml`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20,
      env: { ...process.env, PATH: `${process.env.HOME}/.cargo/bin:${process.env.PATH}` } }));
  } catch (e) {
    return { error: String(e.stderr ?? e.message).slice(0, 300) };
  }
  const libName = new Map();
  for (const p of meta.packages) {
    const lib = p.targets.find(t => t.kind.some(k => k === 'lib' || k === 'rlib' || k === 'cdylib' || k === 'proc-macro'));
    libName.set(p.id, (lib?.name ?? p.name).replace(/-/g, '_'));
  }
  const nodes = new Map(meta.resolve.nodes.map(n => [n.id, n]));
  const normalDeps = id => (nodes.get(id)?.deps ?? [])
    .filter(d => d.dep_kinds.some(k => k.kind === null))
    .map(d => d.pkg);
  const rootId = meta.resolve.root;
  const direct = normalDeps(rootId);
  const reach = excluded => {
    const seen = new Set();
    const stack = direct.filter(d => d !== excluded);
    while (stack.length) {
      const id = stack.pop();
      if (seen.has(id)) continue;
      seen.add(id);
      for (const d of normalDeps(id)) if (d !== excluded) stack.push(d);
    }
    return seen;
  };
  const all = reach(null);
  const bytes = new Map(crates.map(c => [c.crate, c.bytes]));
  const rows = direct.map(d => {
    const without = reach(d);
    const only = [...all].filter(id => !without.has(id)).map(id => libName.get(id));
    const withCode = only.filter(n => bytes.get(n));
    return {
      dependency: libName.get(d),
      bytes: only.reduce((a, n) => a + (bytes.get(n) ?? 0), 0),
      crates: only.length,
      cratesWithCode: withCode.sort((a, b) => bytes.get(b) - bytes.get(a)),
    };
  });
  return { rows: rows.sort((a, b) => b.bytes - a.bytes) };
}
