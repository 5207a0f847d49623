// The headless Chromium of every browser suite (Debian's, started as root): the flags the
// project's DEVELOPERS.md names, plus a resolver that knows loopback only. No imports, so each
// suite (own node_modules) can use it.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Only loopback is reachable: anything else (the IdP's Google web fonts...) fails at once in
  // the resolver instead of hanging on the closed network.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
]);
