// Auth playground: one AuthClient per sign-in provider of the local Backstage stack, their live
// session state, identity and tokens, an event log, and a ThemeHost driving a cross-origin iframe.
//
// Query parameters (all optional):
//   backend=http://127.0.0.1:7007     the app-facing backend (authBase = {backend}/api/auth)
//   frame=http://localhost:3001       the origin serving theme-frame.html
//   theme=light|dark                  initial theme (else the last choice, else the OS preference)
//   margin=180                        refreshMarginSeconds of every client
//   idp=http://127.0.0.1:7010         the OpenID provider's issuer for the PKCE card (exactly its `issuer`)
// Three modules of pkg/ (scripts/build): the Backstage flows, their superset with flow 'pkce' (what
// an app loads only when it configures that flow) and the theme bridge.
import * as wasm from '/pkg/backstage_wasm_auth.js';
import * as wasmPkce from '/pkg/backstage_wasm_auth_pkce.js';
import * as wasmTheme from '/pkg/backstage_wasm_auth_theme.js';
import { render as renderLifecycle, setupLifecycle, signInOnLoad } from './lifecycle.js';

const params = new URLSearchParams(location.search);
const BACKEND = params.get('backend') || 'http://127.0.0.1:7007';
const AUTH_BASE = `${BACKEND.replace(/\/+$/, '')}/api/auth`;
const FRAME_ORIGIN = params.get('frame') || 'http://localhost:3001';
const MARGIN = Number(params.get('margin')) || 180;
// flow 'pkce': straight to the stack's IdP as its public client `spa` (PKCE S256), no Backstage
// backend. The redirect URI is this app's /pkce-callback.html (www/pkce-callback.html, unchanged).
const IDP_ISSUER = params.get('idp') || 'http://127.0.0.1:7010';
const PKCE_CLIENT_ID = 'spa';
const OIDC_SCOPES = ['openid', 'profile', 'email'];
const EXTRA_SCOPES = ['offline_access', 'openid profile email offline_access'];
let extraScopeDraft = 'offline_access';

// ------------------------------------------------------------------------------------------
// Icons (Material Design paths, inline: no icon font, no network)
const ICONS = {
  login: 'M11 7 9.6 8.4l2.6 2.6H2v2h10.2l-2.6 2.6L11 17l5-5-5-5zm9 12h-8v2h8c1.1 0 2-.9 2-2V5c0-1.1-.9-2-2-2h-8v2h8v14z',
  logout: 'm17 7-1.41 1.41L18.17 11H8v2h10.17l-2.58 2.58L17 17l5-5zM4 5h8V3H4c-1.1 0-2 .9-2 2v14c0 1.1.9 2 2 2h8v-2H4V5z',
  person: 'M12 12c2.21 0 4-1.79 4-4s-1.79-4-4-4-4 1.79-4 4 1.79 4 4 4zm0 2c-2.67 0-8 1.34-8 4v2h16v-2c0-2.66-5.33-4-8-4z',
  group: 'M16 11c1.66 0 2.99-1.34 2.99-3S17.66 5 16 5c-1.66 0-3 1.34-3 3s1.34 3 3 3zm-8 0c1.66 0 2.99-1.34 2.99-3S9.66 5 8 5C6.34 5 5 6.34 5 8s1.34 3 3 3zm0 2c-2.33 0-7 1.17-7 3.5V19h14v-2.5c0-2.33-4.67-3.5-7-3.5zm8 0c-.29 0-.62.02-.97.05 1.16.84 1.97 1.97 1.97 3.45V19h6v-2.5c0-2.33-4.67-3.5-7-3.5z',
  key: 'M12.65 10C11.83 7.67 9.61 6 7 6c-3.31 0-6 2.69-6 6s2.69 6 6 6c2.61 0 4.83-1.67 5.65-4H17v4h4v-4h2v-4H12.65zM7 14c-1.1 0-2-.9-2-2s.9-2 2-2 2 .9 2 2-.9 2-2 2z',
  fullscreen: 'M7 14H5v5h5v-2H7v-3zm-2-4h2V7h3V5H5v5zm12 7h-3v2h5v-5h-2v3zM14 5v2h3v3h2V5h-5z',
  redirect: 'M6.99 11 3 15l3.99 4v-3H14v-2H6.99v-3zM21 9l-3.99-4v3H10v2h7.01v3L21 9z',
  cloud: 'M19.35 10.04C18.67 6.59 15.64 4 12 4 9.11 4 6.6 5.64 5.35 8.04 2.34 8.36 0 10.91 0 14c0 3.31 2.69 6 6 6h13c2.76 0 5-2.24 5-5 0-2.64-2.05-4.78-4.65-4.96z',
  guest: 'M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm0 4c1.93 0 3.5 1.57 3.5 3.5S13.93 13 12 13s-3.5-1.57-3.5-3.5S10.07 6 12 6zm0 14c-2.03 0-4.43-.82-6.14-2.88a9.947 9.947 0 0 1 12.28 0C16.43 19.18 14.03 20 12 20z',
  shield: 'M12 1 3 5v6c0 5.55 3.84 10.74 9 12 5.16-1.26 9-6.45 9-12V5l-9-4zm0 10.99h7c-.53 4.12-3.28 7.79-7 8.94V12H5V6.3l7-3.11v8.8z',
  refresh: 'M17.65 6.35A7.958 7.958 0 0 0 12 4c-4.42 0-7.99 3.58-7.99 8s3.57 8 7.99 8c3.73 0 6.84-2.55 7.73-6h-2.08A5.99 5.99 0 0 1 12 18c-3.31 0-6-2.69-6-6s2.69-6 6-6c1.66 0 3.14.69 4.22 1.78L13 11h7V4l-2.35 2.35z',
  add: 'M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6v2z',
  copy: 'M16 1H4c-1.1 0-2 .9-2 2v14h2V3h12V1zm3 4H8c-1.1 0-2 .9-2 2v14c0 1.1.9 2 2 2h11c1.1 0 2-.9 2-2V7c0-1.1-.9-2-2-2zm0 16H8V7h11v14z',
  check: 'M9 16.17 4.83 12l-1.42 1.41L9 19 21 7l-1.41-1.41z',
  swap: 'M16 17.01V10h-2v7.01h-3L15 21l4-3.99h-3zM9 3 5 6.99h3V14h2V6.99h3L9 3z',
  palette: 'M12 2C6.49 2 2 6.49 2 12s4.49 10 10 10a2.5 2.5 0 0 0 1.84-4.19c-.2-.23-.33-.53-.33-.86 0-.69.56-1.25 1.25-1.25H16.5c3.03 0 5.5-2.47 5.5-5.5C22 6.04 17.51 2 12 2zm-5.5 11c-.83 0-1.5-.67-1.5-1.5S5.67 10 6.5 10s1.5.67 1.5 1.5S7.33 13 6.5 13zm3-4C8.67 9 8 8.33 8 7.5S8.67 6 9.5 6s1.5.67 1.5 1.5S10.33 9 9.5 9zm5 0c-.83 0-1.5-.67-1.5-1.5S13.67 6 14.5 6s1.5.67 1.5 1.5S15.33 9 14.5 9zm3 4c-.83 0-1.5-.67-1.5-1.5s.67-1.5 1.5-1.5 1.5.67 1.5 1.5-.67 1.5-1.5 1.5z',
  list: 'M3 13h2v-2H3v2zm0 4h2v-2H3v2zm0-8h2V7H3v2zm4 4h14v-2H7v2zm0 4h14v-2H7v2zM7 7v2h14V7H7z',
  moon: 'M12 3a9 9 0 1 0 9 9c0-.46-.04-.92-.1-1.36a5.389 5.389 0 0 1-4.4 2.26 5.403 5.403 0 0 1-3.14-9.8c-.44-.06-.9-.1-1.36-.1z',
  fingerprint: 'M17.81 4.47c-.08 0-.16-.02-.23-.06C15.66 3.42 14 3 12.01 3c-1.98 0-3.86.47-5.57 1.41-.24.13-.54.04-.68-.2a.506.506 0 0 1 .2-.68C7.82 2.52 9.86 2 12.01 2c2.13 0 3.99.47 6.03 1.52.25.13.34.43.21.67a.49.49 0 0 1-.44.28zM3.5 9.72a.499.499 0 0 1-.41-.79c.99-1.4 2.25-2.5 3.75-3.27C9.98 4.04 14 4.03 17.15 5.65c1.5.77 2.76 1.86 3.75 3.25a.5.5 0 0 1-.12.7c-.23.16-.54.11-.7-.12a9.388 9.388 0 0 0-3.39-2.94c-2.87-1.47-6.54-1.47-9.4.01-1.36.7-2.5 1.7-3.4 2.96-.08.14-.23.21-.39.21zm6.25 12.07a.47.47 0 0 1-.35-.15c-.87-.87-1.34-1.43-2.01-2.64-.69-1.23-1.05-2.73-1.05-4.34 0-2.97 2.54-5.39 5.66-5.39s5.66 2.42 5.66 5.39c0 .28-.22.5-.5.5s-.5-.22-.5-.5c0-2.42-2.09-4.39-4.66-4.39-2.57 0-4.66 1.97-4.66 4.39 0 1.44.32 2.77.93 3.85.64 1.15 1.08 1.64 1.85 2.42.19.2.19.51 0 .71-.11.1-.24.15-.37.15zm7.17-1.85c-1.19 0-2.24-.3-3.1-.89-1.49-1.01-2.38-2.65-2.38-4.39 0-.28.22-.5.5-.5s.5.22.5.5c0 1.41.72 2.74 1.94 3.56.71.48 1.54.71 2.54.71.24 0 .64-.03 1.04-.1.27-.05.53.13.58.41.05.27-.13.53-.41.58-.57.11-1.07.12-1.21.12zM14.91 22c-.04 0-.09-.01-.13-.02-1.59-.44-2.63-1.03-3.72-2.1a7.297 7.297 0 0 1-2.17-5.22c0-1.62 1.38-2.94 3.08-2.94 1.7 0 3.08 1.32 3.08 2.94 0 1.07.93 1.94 2.08 1.94s2.08-.87 2.08-1.94c0-3.77-3.25-6.83-7.25-6.83-2.84 0-5.44 1.58-6.61 4.03-.39.81-.59 1.76-.59 2.8 0 .78.07 2.01.67 3.61.1.26-.03.55-.29.64-.26.1-.55-.04-.64-.29a11.14 11.14 0 0 1-.73-3.96c0-1.2.23-2.29.68-3.24 1.33-2.79 4.28-4.6 7.51-4.6 4.55 0 8.25 3.51 8.25 7.83 0 1.62-1.38 2.94-3.08 2.94s-3.08-1.32-3.08-2.94c0-1.07-.93-1.94-2.08-1.94s-2.08.87-2.08 1.94c0 1.71.66 3.31 1.87 4.51.95.94 1.86 1.46 3.27 1.85.27.07.42.35.35.61-.05.23-.26.38-.47.38z',
  tabs: 'M21 3H3c-1.1 0-2 .9-2 2v14c0 1.1.9 2 2 2h18c1.1 0 2-.9 2-2V5c0-1.1-.9-2-2-2zm0 16H3V5h10v4h8v10z',
  timer: 'M15 1H9v2h6V1zm-4 13h2V8h-2v6zm8.03-6.61 1.42-1.42c-.43-.51-.9-.99-1.41-1.41l-1.42 1.42A8.962 8.962 0 0 0 12 4c-4.97 0-9 4.03-9 9s4.02 9 9 9 9-4.03 9-9c0-2.12-.74-4.07-1.97-5.61zM12 20c-3.87 0-7-3.13-7-7s3.13-7 7-7 7 3.13 7 7-3.13 7-7 7z',
  info: 'M11 7h2v2h-2zm0 4h2v6h-2zm1-9C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm0 18c-4.41 0-8-3.59-8-8s3.59-8 8-8 8 3.59 8 8-3.59 8-8 8z',
  close: 'M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z',
  lock: 'M18 8h-1V6c0-2.76-2.24-5-5-5S7 3.24 7 6v2H6c-1.1 0-2 .9-2 2v10c0 1.1.9 2 2 2h12c1.1 0 2-.9 2-2V10c0-1.1-.9-2-2-2zm-6 9c-1.1 0-2-.9-2-2s.9-2 2-2 2 .9 2 2-.9 2-2 2zm3.1-9H8.9V6c0-1.71 1.39-3.1 3.1-3.1 1.71 0 3.1 1.39 3.1 3.1v2z',
};

function icon(name, cls = 'icon') {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', cls);
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

/** h('div.card#id', {attrs, on: {click}}, ...children) */
function h(spec, props, ...children) {
  if (props instanceof Node || typeof props === 'string' || Array.isArray(props)) {
    children.unshift(props);
    props = {};
  }
  const [, tag, rest] = spec.match(/^([a-z0-9]+)(.*)$/i);
  const el = document.createElement(tag);
  for (const part of rest.match(/[.#][^.#]+/g) ?? []) {
    if (part[0] === '.') el.classList.add(part.slice(1)); else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'style') Object.assign(el.style, v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

const $ = sel => document.querySelector(sel);

// ------------------------------------------------------------------------------------------
// Themes (the same objects go to the iframe through ThemeHost and into this page's CSS)
const FONT = 'Roboto, Helvetica Neue, Helvetica, Arial, sans-serif';
const THEMES = {
  light: {
    id: 'backstage-light', variant: 'light', fontFamily: FONT,
    palette: {
      primary: '#1f5493', background: '#f8f8f8', paper: '#ffffff',
      textPrimary: 'rgba(0, 0, 0, 0.87)', textSecondary: 'rgba(0, 0, 0, 0.6)', divider: 'rgba(0, 0, 0, 0.12)',
      error: '#e22134', warning: '#ff9800', success: '#1db954', info: '#2e77d0', navigation: '#171717',
    },
  },
  dark: {
    id: 'backstage-dark', variant: 'dark', fontFamily: FONT,
    palette: {
      primary: '#9cc9ff', background: '#333333', paper: '#424242',
      textPrimary: '#ffffff', textSecondary: 'rgba(255, 255, 255, 0.7)', divider: 'rgba(255, 255, 255, 0.12)',
      error: '#f84c55', warning: '#ffb84d', success: '#71cf88', info: '#3488e3', navigation: '#424242',
    },
  },
};
const CSS_VARS = {
  primary: '--bs-primary', background: '--bs-background', paper: '--bs-paper', textPrimary: '--bs-text-primary',
  textSecondary: '--bs-text-secondary', divider: '--bs-divider', error: '--bs-error', warning: '--bs-warning',
  success: '--bs-success', info: '--bs-info', navigation: '--bs-navigation',
};

// ------------------------------------------------------------------------------------------
// Providers: one AuthClient per card. The three OIDC variants share the backend provider `oidc`
// (and so its refresh cookie); the ones that would share a storage key keep their session in memory.
const PROVIDERS = [
  { key: 'oidc', title: 'OIDC', providerId: 'oidc', flow: 'popup', icon: 'key', color: '#1f5493',
    hint: 'Popup 450×730 through the IdP', options: { defaultScopes: OIDC_SCOPES } },
  { key: 'oidc-fullscreen', title: 'OIDC · full screen', providerId: 'oidc', flow: 'popup', icon: 'fullscreen', color: '#5c6bc0',
    hint: 'Popup as large as the screen · shares the oidc session', options: { defaultScopes: OIDC_SCOPES, popup: { fullscreen: true }, storage: 'memory' } },
  { key: 'oidc-redirect', title: 'OIDC · redirect', providerId: 'oidc', flow: 'redirect', icon: 'redirect', color: '#00838f',
    hint: 'The page goes to the IdP and back · shares the oidc session', options: { defaultScopes: OIDC_SCOPES, storage: 'memory' } },
  { key: 'spectrocloud', title: 'SpectroCloud', providerId: 'spectrocloud', flow: 'popup', icon: 'cloud', color: '#2e7d32',
    hint: 'A second OIDC provider id', options: { defaultScopes: OIDC_SCOPES } },
  { key: 'guest', title: 'Guest', providerId: 'guest', flow: 'proxy', icon: 'guest', color: '#757575',
    hint: 'No IdP: the backend vouches (development only)', options: {} },
  { key: 'oauth2proxy', title: 'oauth2-proxy', providerId: 'oauth2Proxy', flow: 'proxy', icon: 'shield', color: '#ef6c00',
    hint: 'The reverse proxy has already signed you in', options: {} },
  // No Backstage backend at all: the client runs the code flow with PKCE against the IdP itself.
  // Its session lives in localStorage, so a second tab of this page starts signed in; sign-in,
  // refresh and sign-out then follow across tabs (crossTabSync).
  { key: 'pkce', title: 'OIDC · PKCE', badge: 'no Backstage backend', providerId: 'idp-direct', clientTitle: 'IdP (PKCE)',
    flow: 'pkce', icon: 'fingerprint', color: '#6a1b9a',
    hint: `Code flow + PKCE straight to the IdP as public client ${PKCE_CLIENT_ID}`,
    options: { storage: 'local' } },
];
const isPkce = def => def.flow === 'pkce';

const RESTORE_KEY = 'wasm-auth-demo:restore';
const restoreSet = () => new Set(JSON.parse(sessionStorage.getItem(RESTORE_KEY) || '[]'));
function remember(key, on) {
  const s = restoreSet();
  if (on) s.add(key); else s.delete(key);
  sessionStorage.setItem(RESTORE_KEY, JSON.stringify([...s]));
}

const cards = new Map();
let selectedKey = sessionStorage.getItem('wasm-auth-demo:selected') || 'oidc';
let proxyUser = 'jane';
const openClaims = new Set(); // which "Decoded claims" blocks are open (kept across re-renders)

// ------------------------------------------------------------------------------------------
// Event log
const logList = () => $('#log-list');
let logCount = 0;
const fmtMs = ms => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : ms < 100 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`);
function log(kind, src, msg, ms) {
  const list = logList();
  if (!list) return;
  list.querySelector('.empty-row')?.remove();
  const now = new Date();
  const t = now.toTimeString().slice(0, 8) + '.' + String(now.getMilliseconds()).padStart(3, '0');
  const li = h(`li.${kind}.fresh`, { dataset: { kind } },
    h('time', t), h('span.src', src ?? 'page'), h('span.msg', msg), h('span.ms', ms === undefined ? '' : fmtMs(ms)));
  list.prepend(li);
  setTimeout(() => li.classList.remove('fresh'), 1300);
  logCount++;
  while (list.children.length > 250) list.lastChild.remove();
  window.demo.events.push({ kind, src, text: li.querySelector('.msg').textContent, ms });
}
function errorText(err) {
  const name = err?.name ?? 'Error';
  // Named by the backend (as Backstage names it); `backendName` says it came from there.
  const backend = err?.backendName ? ' (from the auth backend)' : '';
  return [h('b', name), backend, ': ', err?.message ?? String(err)];
}
function logError(src, what, err, ms) {
  log('error', src, [`${what} failed — `, ...errorText(err)], ms);
  console.warn(`[demo] ${src}: ${what}`, err);
}

// ------------------------------------------------------------------------------------------
// JWTs
function b64urlJson(part) {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}
function decodeJwt(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try { return { header: b64urlJson(parts[0]), claims: b64urlJson(parts[1]) }; } catch { return null; }
}
const abbreviate = t => (t.length <= 28 ? t : `${t.slice(0, 14)}…${t.slice(-8)}`);
function fmtDuration(s) {
  if (s <= 0) return 'expired';
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = Math.floor(s % 60);
  return hh ? `${hh}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}` : `${mm}:${String(ss).padStart(2, '0')}`;
}
const fmtTime = ms => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

// ------------------------------------------------------------------------------------------
// Request counts from the stack's counting proxy (via the demo server: the proxy sends no CORS)
let lastCounts = {};
async function fetchCounts() {
  try {
    const r = await fetch('/__stack/counts', { cache: 'no-store' });
    if (!r.ok) return null;
    return (await r.json()).counts ?? {};
  } catch { return null; }
}
async function refreshCounts() {
  const counts = await fetchCounts();
  const table = $('#counts');
  if (!counts) {
    table.replaceChildren(h('tbody', h('tr', h('td.muted', 'request counts unavailable (is the stack running?)'))));
    return null;
  }
  const keys = Object.keys(counts).sort();
  const rows = keys.map(k => {
    const [provider, ...route] = k.split('/');
    const tr = h('tr', h('td', h('code', provider)), h('td', '/' + route.join('/')), h('td.n', String(counts[k])));
    if ((lastCounts[k] ?? 0) !== counts[k]) tr.classList.add('bump');
    return tr;
  });
  table.replaceChildren(
    h('thead', h('tr', h('th', 'provider'), h('th', 'route'), h('th', { style: { textAlign: 'right' } }, 'requests'))),
    h('tbody', rows.length ? rows : h('tr', h('td.muted', { colSpan: 3 }, 'no auth requests yet'))));
  lastCounts = counts;
  return counts;
}
const refreshesOf = (counts, providerId) => counts?.[`${providerId}/refresh`] ?? 0;

// ------------------------------------------------------------------------------------------
// Cards: client + state + details
async function loadDetails(card) {
  const t0 = performance.now();
  const c = card.client;
  try {
    const [profile, identity, accessToken, idToken] = await Promise.all([
      c.getProfile({ optional: true }),
      c.getBackstageIdentity({ optional: true }),
      c.getAccessToken(undefined, { optional: true }),
      c.getIdToken({ optional: true }),
    ]);
    card.details = { profile, identity, accessToken, idToken, loadedAt: Date.now() };
    const ms = performance.now() - t0;
    if (identity) {
      log('info', card.def.title, ['identity ', h('code', identity.identity.userEntityRef), ` · ${identity.identity.ownershipEntityRefs.length} ownership refs`], ms);
    } else if (isPkce(card.def)) {
      const sub = decodeJwt(idToken)?.claims.sub;
      log('info', card.def.title, ['ID token sub ', h('code', sub ?? '(none)'), ' · no Backstage identity in PKCE mode'], ms);
    }
  } catch (err) {
    logError(card.def.title, 'reading the session', err, performance.now() - t0);
  }
  render();
}

function onState(card, state) {
  const prev = card.state;
  card.state = state;
  log(state === 'SignedIn' ? 'state-in' : 'state-out', card.def.title,
    [`sessionState$ → `, h('b', state)]);
  if (state === 'SignedIn') {
    remember(card.def.key, true);
    if (prev !== 'SignedIn' || !card.details) loadDetails(card);
  } else {
    card.details = null;
  }
  render();
}

async function run(card, label, fn) {
  card.busy = label;
  card.error = null;
  render();
  const t0 = performance.now();
  try {
    return await fn();
  } catch (err) {
    card.error = err;
    logError(card.def.title, label, err, performance.now() - t0);
    return undefined;
  } finally {
    card.busy = null;
    render();
    refreshCounts();
  }
}

async function signIn(card) {
  const { def, client } = card;
  if (def.flow === 'redirect') {
    // The page navigates to the IdP and comes back; the session then comes from /refresh.
    remember(def.key, true);
    sessionStorage.setItem('wasm-auth-demo:redirect-started', String(Date.now()));
  }
  const t0 = performance.now();
  // Popup flows: like Backstage's sign-in page, ask with instantPopup so the popup opens in this
  // click's call stack (popup blockers allow it). PKCE: signIn() opens the IdP's page in a popup
  // (discovery ran when the client was made). Others: signIn() = /refresh, then redirect.
  const how = def.flow === 'popup' ? 'getBackstageIdentity({ instantPopup: true })' : 'signIn()';
  log('info', def.title, ['sign-in: ', h('code', how)]);
  await run(card, 'sign-in', async () => {
    if (def.flow === 'popup') await client.getBackstageIdentity({ instantPopup: true });
    else await client.signIn();
    log('ok', def.title, isPkce(def)
      ? ['signed in via pkce: popup → ', h('code', '/pkce-callback.html'), ' → code + verifier exchanged at the IdP']
      : `signed in via ${def.flow === 'proxy' ? '/refresh (proxy)' : def.flow}`, performance.now() - t0);
  });
  if (card.error && def.flow === 'redirect') remember(def.key, false);
}

async function signOut(card) {
  const t0 = performance.now();
  await run(card, 'sign-out', async () => {
    await card.client.signOut();
    log('ok', card.def.title, ['signed out', card.def.flow === 'proxy' ? ' (local; proxy providers have no /logout)'
      : isPkce(card.def) ? ' (local, then the refresh token is revoked at the IdP)' : ' (POST /logout)'], performance.now() - t0);
  });
  remember(card.def.key, false);
}

async function refreshNow(card) {
  const before = isPkce(card.def) ? null : await fetchCounts();
  const oldToken = card.details?.accessToken ?? card.details?.identity?.token;
  await run(card, 'getAccessToken()', async () => {
    const t0 = performance.now();
    const token = await card.client.getAccessToken();
    const ms = performance.now() - t0;
    const changed = token !== undefined && token !== oldToken;
    if (isPkce(card.def)) {
      // No Backstage backend in the loop: the refresh (if any) went to the IdP's token endpoint.
      if (changed) log('ok', card.def.title, ['getAccessToken() → IdP token endpoint (refresh_token grant), new token ', h('code', abbreviate(token))], ms);
      else log('info', card.def.title, ['getAccessToken() answered from the cached session, no request ', token ? h('code', abbreviate(token)) : '(no token)',
        ` · refreshes ${MARGIN} s before expiry`], ms);
      await loadDetails(card);
      return;
    }
    const after = await fetchCounts();
    const went = refreshesOf(after, card.def.providerId) - refreshesOf(before, card.def.providerId);
    if (went > 0) {
      log('ok', card.def.title, [`getAccessToken() → /refresh ×${went}`, changed ? ', new token ' : ', token ', h('code', token ? abbreviate(token) : '(none)')], ms);
    } else {
      log('info', card.def.title, ['getAccessToken() answered from the cached session, no request ', token ? h('code', abbreviate(token)) : '(no provider token)',
        ` · refreshes ${MARGIN} s before expiry`], ms);
    }
    await loadDetails(card);
  });
}

async function extraScope(card, scope) {
  const t0 = performance.now();
  log('info', card.def.title, ['getAccessToken(', h('code', `'${scope}'`), ', { instantPopup: true }) → consent for the union of scopes']);
  await run(card, `getAccessToken('${scope}')`, async () => {
    const token = await card.client.getAccessToken(scope, { instantPopup: true });
    log('ok', card.def.title, ['granted ', h('code', scope), ' · access token ', h('code', token ? abbreviate(token) : '(none)')], performance.now() - t0);
    card.grantedExtra = [...new Set([...(card.grantedExtra ?? []), scope])];
    await loadDetails(card);
  });
}

async function setProxyUser(user) {
  const t0 = performance.now();
  try {
    const r = await fetch('/__stack/proxy-user', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(user ? { user } : {}),
    });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    proxyUser = user;
    log('info', 'oauth2-proxy', ['the proxy now forwards ', user ? h('code', `${user}@example.com`) : 'nobody', ' — takes effect at the next /refresh: sign out and in again'], performance.now() - t0);
  } catch (err) {
    logError('oauth2-proxy', 'switching the proxy user', err, performance.now() - t0);
  }
  render();
}

// ------------------------------------------------------------------------------------------
// Rendering
function stateOf(card) {
  if (card.busy) return ['busy', card.busy === 'sign-out' ? 'Signing out…' : 'Working…'];
  if (card.state === 'SignedIn') return ['in', 'Signed in'];
  if (card.error) return ['error', card.error.name ?? 'Error'];
  return ['out', 'Signed out'];
}

function renderProviders() {
  const list = $('#provider-list');
  list.replaceChildren(...[...cards.values()].map(card => {
    const { def } = card;
    const [cls, text] = stateOf(card);
    const signedIn = card.state === 'SignedIn';
    const btn = signedIn
      ? h('button.btn.btn-outlined.btn-small', { type: 'button', disabled: !!card.busy, dataset: { action: 'sign-out', provider: def.key },
          on: { click: e => { e.stopPropagation(); signOut(card); } } }, 'Sign out')
      : h('button.btn.btn-primary.btn-small', { type: 'button', disabled: !!card.busy, dataset: { action: 'sign-in', provider: def.key },
          on: { click: e => { e.stopPropagation(); selectCard(def.key); signIn(card); } } },
          card.busy === 'sign-in' ? h('span.spinner') : null, 'Sign in');
    const user = card.details?.identity?.identity.userEntityRef
      ?? (isPkce(def) && card.state === 'SignedIn' ? decodeJwt(card.details?.idToken)?.claims.sub : undefined);
    return h(`li.provider${def.key === selectedKey ? '.selected' : ''}`, {
      dataset: { provider: def.key, state: card.state }, tabIndex: 0, 'aria-current': def.key === selectedKey ? 'true' : undefined,
      on: { click: () => selectCard(def.key), keydown: e => { if (e.key === 'Enter') selectCard(def.key); } },
    },
    h('span.provider-avatar', { style: { background: def.color } }, icon(def.icon)),
    h('div',
      h('div.provider-name', def.title, h(`span.status.${cls}`, { dataset: { status: card.state } }, text)),
      h('div.provider-meta', def.badge ? h('span.provider-tag', { title: `${def.title} (${def.badge})` }, def.badge) : null,
        h('code', def.providerId), h('span', `flow: ${def.flow}`),
        user ? h('span', '· ', user) : h('span', `· ${def.hint}`))),
    h('div.provider-actions', btn));
  }));
  const n = [...cards.values()].filter(c => c.state === 'SignedIn').length;
  $('#hdr-signed').textContent = `${n} of ${cards.size} providers`;
}

function tokenBlock(name, token, tag) {
  if (!token) return null;
  const jwt = decodeJwt(token);
  const copy = h('button.icon-btn', { type: 'button', title: `Copy the ${name.toLowerCase()}`, 'aria-label': `Copy the ${name.toLowerCase()}` }, icon('copy', 'icon sm'));
  copy.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(token); copy.replaceChildren(icon('check', 'icon sm')); } catch { /* no clipboard permission */ }
    setTimeout(() => copy.replaceChildren(icon('copy', 'icon sm')), 1200);
  });
  let claimsBlock = null;
  let kind = jwt ? `JWT ${jwt.header.alg ?? ''}` : 'opaque';
  if (jwt) {
    const rows = [];
    rows.push(h('tr.header-row', h('td', 'header'), h('td', JSON.stringify(jwt.header))));
    for (const [k, v] of Object.entries(jwt.claims)) {
      const value = typeof v === 'string' ? v : JSON.stringify(v);
      const hint = (['exp', 'iat', 'nbf', 'auth_time'].includes(k) && typeof v === 'number')
        ? h('span.hint', `  ${new Date(v * 1000).toLocaleString()}${k === 'exp' ? ` (in ${fmtDuration(v - Date.now() / 1000)})` : ''}`) : null;
      rows.push(h('tr', h('td', k), h('td', value, hint)));
    }
    claimsBlock = h('details', { dataset: { claims: name }, open: openClaims.has(name),
      on: { toggle: e => { if (e.target.open) openClaims.add(name); else openClaims.delete(name); } } }, h('summary', `Decoded claims (${Object.keys(jwt.claims).length})`),
      h('table.claims', h('tbody', rows)));
  }
  const expiresAt = jwt && typeof jwt.claims.exp === 'number' ? jwt.claims.exp * 1000 : null;
  return h('div.token', { dataset: { token: name } },
    h('div.token-head',
      h('span.token-label', h('span.token-name', name),
        h('span.token-tag', kind, tag ? ` · ${tag}` : '', expiresAt ? h('span', { dataset: { countdown: String(expiresAt), short: '1' } }, '') : null)),
      h('code.token-value', { title: `${token.length} characters` }, abbreviate(token)),
      copy),
    claimsBlock);
}

function avatar(profile) {
  const name = profile?.displayName || profile?.email || '?';
  const initials = name.split(/[\s@._-]+/).filter(Boolean).slice(0, 2).map(s => s[0].toUpperCase()).join('');
  const fallback = h('div.avatar', { 'aria-hidden': 'true' }, initials);
  if (!profile?.picture) return fallback;
  const img = h('img.avatar', { alt: '', src: profile.picture, referrerPolicy: 'no-referrer' });
  // The stack's pictures live on an unreachable host: show initials when the image fails.
  img.addEventListener('error', () => img.replaceWith(fallback), { once: true });
  return img;
}

function renderSession() {
  const card = cards.get(selectedKey);
  const el = $('#session');
  if (!card) { el.replaceChildren(); return; }
  const { def, details } = card;
  const [cls, text] = stateOf(card);
  const header = h('div.card-header',
    h('div',
      h('h2#session-title', h('span', def.title, def.badge ? h('span.provider-badge', ` (${def.badge})`) : null), h(`span.status.${cls}`, text)),
      h('p.card-subheader', 'Provider ', h('code', def.providerId), ` · flow `, h('code', def.flow),
        ` · storage `, h('code', def.options.storage ?? 'session'),
        isPkce(def) ? [' · issuer ', h('code', IDP_ISSUER), ' · client ', h('code', PKCE_CLIENT_ID)] : null)),
    card.state === 'SignedIn'
      ? h('button.btn.btn-outlined.btn-small.btn-danger', { type: 'button', disabled: !!card.busy, dataset: { action: 'sign-out' }, on: { click: () => signOut(card) } },
          icon('logout', 'icon sm'), 'Sign out')
      : null);
  const alert = card.error
    ? h('div.alert', { role: 'alert' }, h('strong', card.error.name ?? 'Error'),
        card.error.backendName ? ' from the auth backend' : '', ' — ', card.error.message ?? String(card.error))
    : null;

  if (card.state !== 'SignedIn' || !details) {
    const signingIn = card.busy === 'sign-in';
    const body = h('div.empty',
      icon(def.flow === 'proxy' ? 'shield' : 'lock'),
      h('h3', signingIn ? (def.flow === 'popup' || isPkce(def) ? 'Waiting for the popup…' : 'Signing in…') : card.state === 'SignedIn' ? 'Loading the session…' : 'Not signed in'),
      h('p', signingIn && (def.flow === 'popup' || isPkce(def))
        ? 'Log in on the IdP page in the popup (any password), then allow access.'
        : isPkce(def)
          ? ['No Backstage backend: the client opens the IdP in a popup as its public client ', h('code', PKCE_CLIENT_ID),
             ' (PKCE S256), the popup ends on this app\'s ', h('code', '/pkce-callback.html'),
             ', and the code is exchanged with the verifier right here. Try jane@example.com.']
        : def.flow === 'proxy'
          ? 'Proxy providers have no popup: sign-in is a GET of /refresh, and the proxy in front of Backstage says who you are.'
          : def.flow === 'redirect'
            ? 'This page navigates to the IdP and comes back here; the session is then fetched from /refresh with the cookie.'
            : 'Opens the IdP in a popup. Try jane@example.com (catalog user), john@example.com, or stranger@example.com (no catalog user: sign-in fails).'),
      card.state === 'SignedIn' ? null : h('button.btn.btn-primary', { type: 'button', disabled: !!card.busy, dataset: { action: 'sign-in' }, on: { click: () => signIn(card) } },
        signingIn ? h('span.spinner') : icon('login', 'icon sm'), `Sign in with ${def.title}`),
      def.providerId === 'oauth2Proxy' ? proxyUserField() : null);
    el.replaceChildren(header, alert ?? '', body);
    return;
  }

  const { profile, identity, accessToken, idToken } = details;
  const profileEl = h('div.profile',
    avatar(profile),
    h('div', { style: { minWidth: '0' } },
      h('div.profile-name', { dataset: { field: 'displayName' } }, profile?.displayName ?? '(no display name)'),
      h('div.profile-email', { dataset: { field: 'email' } }, profile?.email ?? '(no email in the profile)'),
      profile?.picture ? h('div.profile-picture', profile.picture) : null));

  let identityEl;
  if (identity) {
    const expiresAt = identity.expiresAt instanceof Date ? identity.expiresAt.getTime() : null;
    const lifetime = expiresAt && details.loadedAt ? Math.max(1, expiresAt - details.loadedAt) : 3600_000;
    identityEl = h('div.session-section',
      h('h3.section-title', 'Backstage identity'),
      h('dl.kv',
        h('dt', 'User entity'), h('dd', h('span.chip.user', { dataset: { field: 'userEntityRef' } }, icon('person'), identity.identity.userEntityRef)),
        h('dt', 'Ownership'), h('dd', h('div.chips', { dataset: { field: 'ownership' } },
          identity.identity.ownershipEntityRefs.map(r => h(`span.chip.${r.startsWith('group:') ? 'group' : 'user'}`, icon(r.startsWith('group:') ? 'group' : 'person'), r)))),
        h('dt', 'Token expires'), h('dd', expiresAt
          ? h('div.expiry', { dataset: { expiry: String(expiresAt), lifetime: String(lifetime) } },
              h('div.expiry-text', h('strong', { dataset: { countdown: String(expiresAt) } }, fmtDuration((expiresAt - Date.now()) / 1000)),
                h('span.muted', `at ${fmtTime(expiresAt)}`)),
              h('div.progress', h('span')))
          : h('span.muted', 'no expiry given'))));
  } else if (isPkce(def)) {
    identityEl = h('div.session-section', h('h3.section-title', 'Backstage identity'),
      h('p.muted.no-identity', { dataset: { field: 'noIdentity' } },
        'No Backstage identity in PKCE mode: getBackstageIdentity() is undefined, the tokens are the IdP\'s own.'));
  } else {
    identityEl = h('div.session-section', h('h3.section-title', 'Backstage identity'),
      h('p.muted', 'The backend returned no Backstage identity (no sign-in resolver).'));
  }
  // PKCE: who the IdP says this is, from the ID token's claims (checked by the client; not signature-verified).
  let oidcEl = null;
  if (isPkce(def)) {
    const claims = decodeJwt(idToken)?.claims ?? {};
    const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
    const lifetime = expiresAt && typeof claims.iat === 'number' ? Math.max(1, expiresAt - claims.iat * 1000) : 3600_000;
    const aud = Array.isArray(claims.aud) ? claims.aud.join(', ') : claims.aud;
    oidcEl = h('div.session-section',
      h('h3.section-title', 'OpenID Connect identity (ID token)'),
      h('dl.kv',
        h('dt', 'Subject'), h('dd', h('span.chip.user', { dataset: { field: 'sub' } }, icon('person'), claims.sub ?? '(no sub)')),
        h('dt', 'Issuer · client'), h('dd', h('div.chips', h('span.chip', { dataset: { field: 'iss' } }, claims.iss ?? '?'),
          h('span.chip', { dataset: { field: 'aud' } }, icon('key'), aud ?? '?'))),
        h('dt', 'Session expires'), h('dd', expiresAt
          ? h('div.expiry', { dataset: { expiry: String(expiresAt), lifetime: String(lifetime) } },
              h('div.expiry-text', h('strong', { dataset: { countdown: String(expiresAt) } }, fmtDuration((expiresAt - Date.now()) / 1000)),
                h('span.muted', `at ${fmtTime(expiresAt)} · with the access token`)),
              h('div.progress', h('span')))
          : h('span.muted', 'no expiry given'))));
  }

  const tokensEl = h('div.session-section',
    h('h3.section-title', 'Tokens'),
    h('div.tokens',
      tokenBlock('Access token', accessToken, def.flow === 'proxy' ? 'from the proxy' : 'from the IdP'),
      tokenBlock('ID token', idToken, isPkce(def) ? 'claims checked' : 'OpenID Connect'),
      tokenBlock('Backstage token', identity?.token, 'signed by the backend'),
      !accessToken && !idToken && !identity?.token ? h('p.muted', 'No tokens.') : null));

  const actions = h('div.actions',
    h('button.btn.btn-primary', { type: 'button', disabled: !!card.busy, dataset: { action: 'refresh' }, on: { click: () => refreshNow(card) } },
      card.busy === 'getAccessToken()' ? h('span.spinner') : icon('refresh', 'icon sm'), 'Refresh now'),
    def.flow !== 'proxy' && !isPkce(def)
      ? h('button.btn.btn-outlined', { type: 'button', disabled: !!card.busy, dataset: { action: 'extra-scope' },
          on: { click: () => { const v = $('#extra-scope').value.trim(); if (v) extraScope(card, v); } } },
          icon('add', 'icon sm'), 'Request scope')
      : null,
    def.flow !== 'proxy' && !isPkce(def)
      ? h('input.input#extra-scope', { 'aria-label': 'Extra scope', value: extraScopeDraft, list: 'scope-suggestions', spellcheck: 'false',
          on: { input: e => { extraScopeDraft = e.target.value; } } })
      : null,
    def.flow !== 'proxy' && !isPkce(def) ? h('datalist#scope-suggestions', EXTRA_SCOPES.map(s => h('option', { value: s }))) : null,
    def.providerId === 'oauth2Proxy' ? proxyUserField() : null,
    h('span.grow'));
  const granted = card.grantedExtra?.length ? ` Extra scopes granted here: ${card.grantedExtra.join(', ')}.` : '';
  const shared = def.providerId === 'oidc'
    ? ' The three OIDC cards use provider id oidc: a sign-in, refresh or sign-out in one reaches the others (crossTabSync), as it reaches other tabs.' : '';
  const note = h('p.note', def.flow === 'proxy'
    ? 'Refresh now calls getAccessToken(): served from the cached session, or /refresh when the Backstage token is within the refresh margin.'
    : isPkce(def)
      ? `Refresh now calls getAccessToken(): served from memory without a request until ${MARGIN} s before expiry, then one refresh_token grant at the IdP's token endpoint, shared with the other tabs (one refresh in flight). Sign-out is local first, then the refresh token is revoked at the IdP. Its session is in localStorage: a second tab starts signed in, and sign-in, refresh and sign-out follow across tabs.`
    : `Refresh now calls getAccessToken(): served from memory without a request until ${MARGIN} s before expiry, then one /refresh. Request scope asks for the union of the session's scopes and the new one in a popup (the IdP asks for consent when its grant lacks a scope).${granted}${shared}`);

  el.replaceChildren(header, alert ?? '', profileEl, oidcEl ?? '', identityEl, tokensEl, actions, note);
  tick();
}

function proxyUserField() {
  const sel = h('select.select#proxy-user', { 'aria-label': 'oauth2-proxy user', on: { change: e => setProxyUser(e.target.value) } },
    [['jane', 'jane@example.com'], ['john', 'john@example.com'], ['stranger', 'stranger@example.com'], ['', 'nobody']]
      .map(([v, label]) => h('option', { value: v, selected: v === (proxyUser ?? '') }, label)));
  return h('span.field', h('label', { for: 'proxy-user' }, 'Proxy user'), sel);
}

function render() {
  renderProviders();
  renderSession();
  renderLifecycle();
}

function selectCard(key) {
  if (selectedKey === key) return;
  selectedKey = key;
  sessionStorage.setItem('wasm-auth-demo:selected', key);
  render();
}

/** Live countdowns: every [data-countdown] element and the expiry progress bar. */
function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll('[data-countdown]')) {
    const left = (Number(el.dataset.countdown) - now) / 1000;
    el.textContent = el.dataset.short ? (left > 0 ? ` · ${fmtDuration(left)} left` : ' · expired') : fmtDuration(left);
  }
  for (const el of document.querySelectorAll('[data-expiry]')) {
    const left = Number(el.dataset.expiry) - now;
    const frac = Math.max(0, Math.min(1, left / Number(el.dataset.lifetime)));
    const bar = el.querySelector('.progress');
    bar.firstChild.style.width = `${(frac * 100).toFixed(2)}%`;
    bar.classList.toggle('warn', left < MARGIN * 1000 * 2);
    bar.classList.toggle('bad', left < MARGIN * 1000);
  }
}

// ------------------------------------------------------------------------------------------
// Theme
let themeHost = null;
let currentVariant = 'light';

function applyPageTheme(theme) {
  const root = document.documentElement;
  root.dataset.theme = theme.variant;
  for (const [k, v] of Object.entries(theme.palette)) root.style.setProperty(CSS_VARS[k], v);
  root.style.setProperty('--bs-font-family', theme.fontFamily);
  const sw = $('#theme-toggle');
  sw.setAttribute('aria-checked', String(theme.variant === 'dark'));
  for (const b of document.querySelectorAll('[data-theme-choice]')) b.setAttribute('aria-pressed', String(b.dataset.themeChoice === theme.variant));
}

function setTheme(variant, { quiet = false } = {}) {
  const theme = THEMES[variant];
  currentVariant = variant;
  localStorage.setItem('wasm-auth-demo:theme', variant);
  applyPageTheme(theme);
  if (themeHost) {
    const t0 = performance.now();
    try {
      themeHost.setTheme(theme);
      if (!quiet) log('info', 'theme', ['ThemeHost.setTheme(', h('code', theme.id), ') → iframe on ', h('code', FRAME_ORIGIN)], performance.now() - t0);
    } catch (err) {
      logError('theme', 'setTheme', err);
    }
  }
  renderThemeStats();
}

function renderThemeStats() {
  const box = $('#theme-stats');
  const p = THEMES[currentVariant].palette;
  const swatches = h('span.swatches', { title: 'palette sent to the iframe' },
    ['primary', 'navigation', 'paper', 'background', 'success', 'warning', 'error', 'info']
      .map(k => h('span', { title: `${k} ${p[k]}`, style: { background: p[k] } })));
  if (!themeHost) {
    box.replaceChildren(h('span.chip', 'ThemeHost not available in this build of pkg/'), swatches);
    return;
  }
  box.replaceChildren(
    h('span.chip', { dataset: { stat: 'theme' } }, icon('palette'), THEMES[currentVariant].id),
    h('span.chip', { dataset: { stat: 'sent' } }, `sent ${themeHost.sentCount}`),
    h('span.chip', { dataset: { stat: 'ready' } }, `ready ${themeHost.readyCount}`),
    h('span.chip', { dataset: { stat: 'ack' } }, `acks ${themeHost.ackCount}`),
    h('span.chip', { dataset: { stat: 'ignored' } }, `ignored ${themeHost.ignoredCount}`),
    swatches);
}

function setupTheme() {
  $('#frame-origin').textContent = FRAME_ORIGIN;
  const initial = params.get('theme')
    ?? localStorage.getItem('wasm-auth-demo:theme')
    ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  currentVariant = THEMES[initial] ? initial : 'light';
  applyPageTheme(THEMES[currentVariant]);

  const box = $('#frame-box');
  if (typeof wasmTheme.ThemeHost !== 'function') {
    box.replaceChildren(h('div.placeholder', h('div', h('strong', 'Theme bridge not built yet'), h('br'),
      'pkg/backstage_wasm_auth_theme.js has no ThemeHost export: rebuild with scripts/build.')));
    log('error', 'theme', 'pkg/backstage_wasm_auth_theme.js has no ThemeHost: the theme bridge is not built');
  } else {
    const src = `${FRAME_ORIGIN}/theme-frame.html?parent=${encodeURIComponent(location.origin)}`;
    const iframe = h('iframe#theme-frame', { title: 'Embedded plugin on another origin', src, loading: 'eager' });
    box.replaceChildren(iframe, h('span.frame-label', FRAME_ORIGIN));
    try {
      themeHost = new wasmTheme.ThemeHost(THEMES[currentVariant]);
      themeHost.attach(iframe, FRAME_ORIGIN);
      log('info', 'theme', ['ThemeHost attached to ', h('code', src.split('?')[0])]);
      iframe.addEventListener('load', () => setTimeout(renderThemeStats, 100));
    } catch (err) {
      logError('theme', 'ThemeHost', err);
    }
    window.demo.themeHost = themeHost;
  }
  $('#theme-toggle').addEventListener('click', () => setTheme(currentVariant === 'dark' ? 'light' : 'dark'));
  for (const b of document.querySelectorAll('[data-theme-choice]')) b.addEventListener('click', () => setTheme(b.dataset.themeChoice));
  renderThemeStats();
}

// ------------------------------------------------------------------------------------------
// Boot
function clientOptions(def) {
  return isPkce(def)
    ? {
        provider: { id: def.providerId, title: def.clientTitle },
        flow: 'pkce',
        pkce: { issuer: IDP_ISSUER, clientId: PKCE_CLIENT_ID, redirectUri: `${location.origin}/pkce-callback.html` },
        environment: 'development',
        refreshMarginSeconds: MARGIN,
        ...def.options,
      }
    : {
        provider: { id: def.providerId, title: def.title },
        authBaseUrl: AUTH_BASE,
        environment: 'development',
        flow: def.flow,
        refreshMarginSeconds: MARGIN,
        ...def.options,
      };
}

function setupChrome() {
  for (const a of document.querySelectorAll('.nav-item[data-icon]')) a.prepend(icon(a.dataset.icon));
  $('#hdr-backend').textContent = BACKEND.replace(/^https?:\/\//, '');
  $('#tabs-note .tabs-icon').replaceWith(icon('tabs', 'icon sm'));
  $('#log-clear').addEventListener('click', () => {
    logList().replaceChildren(h('li.empty-row', 'Log cleared.'));
  });
  $('#counts-reset').addEventListener('click', async () => {
    await fetch('/__stack/reset', { method: 'POST' }).catch(() => {});
    lastCounts = {};
    refreshCounts();
  });
  // Highlight the nav item of the section in view.
  const links = [...document.querySelectorAll('.nav-item[href^="#"]')];
  const obs = new IntersectionObserver(entries => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      for (const l of links) l.classList.toggle('active', l.getAttribute('href') === `#${e.target.id}`);
    }
  }, { rootMargin: '-30% 0px -60% 0px' });
  for (const l of links) { const t = document.querySelector(l.getAttribute('href')); if (t) obs.observe(t); }
}

async function boot() {
  window.demo = { events: [], cards, ready: false, THEMES };
  setupChrome();
  logList().replaceChildren(h('li.empty-row', 'Loading the WebAssembly core…'));

  const t0 = performance.now();
  try {
    await Promise.all([wasm.default(), wasmPkce.default(), wasmTheme.default()]);
  } catch (err) {
    const banner = $('#banner');
    banner.hidden = false;
    banner.textContent = `Could not load the WASM modules of /pkg/: ${err.message}. Build them with scripts/build.`;
    throw err;
  }
  const initMs = performance.now() - t0;
  log('ok', 'wasm', ['WebAssembly modules initialised (', h('code', 'init()'), ': core, PKCE, theme)'], initMs);
  fetch('/pkg/backstage_wasm_auth_bg.wasm', { method: 'HEAD', cache: 'no-store' }).then(r => {
    const n = Number(r.headers.get('content-length'));
    $('#hdr-wasm').textContent = n ? `${Math.round(n / 1024)} KB · init ${fmtMs(initMs)}` : `init ${fmtMs(initMs)}`;
  }).catch(() => {});

  setupTheme();

  for (const def of PROVIDERS) {
    let client;
    try {
      client = new (isPkce(def) ? wasmPkce : wasm).AuthClient(clientOptions(def));
    } catch (err) {
      logError(def.title, 'new AuthClient', err);
      continue;
    }
    const card = { def, client, state: 'SignedOut', details: null, busy: null, error: null };
    cards.set(def.key, card);
  }
  if (!cards.has(selectedKey)) selectedKey = PROVIDERS[0].key;
  render();

  // A redirect sign-in came back. Failed: the backend put its message in ?error= and the client
  // that left claims it (takeRedirectError); else the cookie holds a session.
  const redirectCard = cards.get('oidc-redirect');
  const returned = redirectCard?.client.takeRedirectError();
  if (returned) {
    redirectCard.error = returned;
    selectedKey = 'oidc-redirect';
    logError(redirectCard.def.title, 'redirect sign-in', returned);
    remember('oidc-redirect', false);
  }
  if (params.has('error')) {
    const url = new URL(location.href);
    url.searchParams.delete('error');
    history.replaceState(null, '', url);
  }
  const started = Number(sessionStorage.getItem('wasm-auth-demo:redirect-started'));
  sessionStorage.removeItem('wasm-auth-demo:redirect-started');
  if (!returned && started && Date.now() - started < 10 * 60_000) {
    log('info', 'OIDC · redirect', 'back from the IdP: the session is fetched from /refresh', Date.now() - started);
    selectedKey = 'oidc-redirect';
  }

  for (const card of cards.values()) {
    card.client.sessionState$().subscribe({
      next: state => onState(card, state),
      error: err => logError(card.def.title, 'sessionState$', err),
    });
  }

  setupLifecycle({ cards, h, icon, log, logError, remember, loadDetails, selectCard, refreshCounts,
    fmtDuration, fmtTime, clientOptions, wasm, wasmPkce, backendOrigin: new URL(BACKEND).origin });

  // Sessions this tab had before a reload (or a redirect): ask without any popup, like
  // Backstage's sign-in page does on load. Cached sessions answer without a request.
  const restore = restoreSet();
  await Promise.all([...cards.values()].filter(c => restore.has(c.def.key) && c.state !== 'SignedIn').map(async card => {
    const t1 = performance.now();
    try {
      // PKCE has no Backstage identity: ask for the access token (a silent refresh_token grant
      // when the stored one has expired).
      const identity = isPkce(card.def)
        ? await card.client.getAccessToken(undefined, { optional: true })
        : await card.client.getBackstageIdentity({ optional: true });
      log(identity ? 'ok' : 'info', card.def.title, identity
        ? (isPkce(card.def) ? 'session restored with the stored refresh token' : 'session restored from the refresh cookie')
        : 'no session to restore', performance.now() - t1);
      if (!identity) remember(card.def.key, false);
    } catch (err) {
      logError(card.def.title, 'restoring the session', err, performance.now() - t1);
    }
  }));

  // Not awaited: without a popup blocker its popup waits for the user, the page must not.
  signInOnLoad();
  refreshCounts();
  setInterval(() => { tick(); if (themeHost) renderThemeStats(); }, 1000);
  setInterval(() => { if (!document.hidden) refreshCounts(); }, 3000);
  window.demo.ready = true;
  document.documentElement.dataset.ready = 'true';
}

boot().catch(err => {
  console.error(err);
  document.documentElement.dataset.ready = 'error';
});
