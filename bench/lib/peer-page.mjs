// The peer's test page for the driver-based benches (tabs-race.mjs, lifecycle.mjs): client/peer-page.js
// (Backstage's OAuth2 + OAuthRequestManager) bundled by esbuild, and the HTML that loads it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The page served at /peer.html; it loads /peer-page.js. */
export const PEER_HTML = `<!doctype html><meta charset="utf-8"><title>bench peer</title>
<script type="module" src="/peer-page.js"></script><h1>peer: OAuth2 (@backstage/core-app-api)</h1>`;

/** Bundles client/peer-page.js into `dir` as peer-page.js (no bare import left); its size in bytes. */
export async function bundlePeerPage(dir) {
  const outfile = path.join(dir, 'peer-page.js');
  await esbuild.build({
    bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'error',
    external: ['react', 'react-dom', 'react-router-dom', 'react/jsx-runtime'],
    entryPoints: [path.join(benchDir, 'client', 'peer-page.js')], outfile,
  });
  const out = fs.readFileSync(outfile, 'utf8');
  const bare = /(?:^|[;}\s])import\s*(?:[\w{}\s,*]+from\s*)?["']([^./"'][^"']*)["']/.exec(out);
  if (bare) throw new Error(`peer-page.js still imports the bare module "${bare[1]}"`);
  return fs.statSync(outfile).size;
}
