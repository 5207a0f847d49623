// Headless Chromium for the e2e tests (playwright-core driving Debian's /usr/bin/chromium),
// plus a helper that completes oidc-provider's devInteractions login + consent in a popup.
//
//   import { launchBrowser, signInPopup, completeIdpLogin } from './stack/browser.mjs';
//   const b = await launchBrowser();
//   const page = await b.newPage();
//   ...
//   await b.close();
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, CHROMIUM_ARGS } from '../../lib/chromium.mjs';

export { CHROMIUM_PATH, CHROMIUM_ARGS };

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
export function isLoopbackUrl(u) {
  try {
    const url = new URL(u);
    if (['data:', 'blob:', 'about:', 'chrome:', 'chrome-error:'].includes(url.protocol)) return true;
    return LOOPBACK_HOSTS.has(url.hostname) || /^127\./.test(url.hostname);
  } catch { return false; }
}

/**
 * Launches headless Chromium. playwright-core's launch() gives it a fresh temporary
 * user-data-dir (removed on close); `--user-data-dir` cannot be passed in args.
 * Options: { executablePath, args (extra flags), slowMo, timeoutMs = 15000 (default
 *            action/navigation timeout), routeBlock = false }
 * Non-loopback hosts are blocked by the --host-resolver-rules flag (no request interception).
 * `routeBlock: true` ALSO blocks them with Playwright request routing: avoid it for CORS
 * tests, because while routing is on Playwright answers CORS preflights (OPTIONS) itself and
 * they never reach the server (observed with playwright-core 1.65.1).
 * Returns { browser, context, newPage(), newContext(opts), close() }: `context` is a default
 * context; newContext() makes more isolated ones (own cookies/storage), closed by close().
 */
export async function launchBrowser(options = {}) {
  const {
    executablePath = CHROMIUM_PATH,
    args = [],
    routeBlock = false,
    slowMo,
    timeoutMs = 15_000,
  } = options;
  if (!fs.existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  }
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    slowMo,
    timeout: 30_000,
  });
  const setup = async ctx => {
    ctx.setDefaultTimeout(timeoutMs);
    ctx.setDefaultNavigationTimeout(timeoutMs);
    if (routeBlock) {
      await ctx.route(url => !isLoopbackUrl(url.href), route => route.abort('blockedbyclient'));
    }
    return ctx;
  };
  const newContext = async (opts = {}) => setup(await browser.newContext({ viewport: { width: 1200, height: 800 }, ...opts }));
  const context = await newContext();
  let closed = false;
  return {
    browser,
    context,
    newPage: () => context.newPage(),
    newContext,
    async close() {
      if (closed) return;
      closed = true;
      await browser.close().catch(() => {});
    },
  };
}

/**
 * Drives oidc-provider's devInteractions pages in `page` (a popup, or the main page in the
 * redirect flow) until it leaves the IdP or closes: fills the login form with `email` (any
 * password), then clicks "Continue" on the consent page when it is shown. With a live IdP
 * session and an existing grant neither page appears and it just waits for the page to leave.
 * "Left the IdP" = the URL is on /handler/frame, or on none of the IdP's /auth, /interaction
 * paths, the backend's /start, or about:blank.
 * Resolves to { steps: ['login', 'consent', ...], closed: boolean, url }.
 */
export async function completeIdpLogin(page, email, { password = 'any-password', timeoutMs = 15_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const steps = [];
  let closed = page.isClosed();
  const onClose = () => { closed = true; };
  page.once('close', onClose);
  const left = u => {
    if (u.href === 'about:blank') return false;
    if (/\/handler\/frame$/.test(u.pathname)) return true;
    return !(/^\/(auth|interaction)(\/|$)/.test(u.pathname) || /\/start$/.test(u.pathname));
  };
  try {
    while (!closed) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`completeIdpLogin: timed out after ${timeoutMs} ms at ${page.url()}`);
      let which;
      try {
        which = await Promise.race([
          page.waitForSelector('form input[name=prompt]', { state: 'attached', timeout: remaining })
            .then(el => el.getAttribute('value')),
          page.waitForURL(left, { timeout: remaining, waitUntil: 'commit' }).then(() => 'left'),
          new Promise(r => page.once('close', () => r('closed'))),
        ]);
      } catch (e) {
        if (closed || page.isClosed()) break;
        throw e;
      }
      if (which === 'closed' || which === 'left') break;
      const submit = async () => {
        const before = page.url();
        await Promise.all([
          page.waitForURL(u => u.href !== before,
            { timeout: Math.max(1, deadline - Date.now()), waitUntil: 'commit' }).catch(() => {}),
          page.click('form button[type=submit]'),
        ]);
      };
      if (which === 'login') {
        steps.push('login');
        await page.fill('input[name=login]', email);
        await page.fill('input[name=password]', password);
        await submit();
      } else if (which === 'consent') {
        steps.push('consent');
        await submit();
      } else {
        throw new Error(`completeIdpLogin: unexpected IdP page (prompt=${which}) at ${page.url()}`);
      }
    }
  } finally {
    page.off('close', onClose);
  }
  return { steps, closed: closed || page.isClosed(), url: page.isClosed() ? null : page.url() };
}

/**
 * Runs `trigger()` (which must make `page` open a popup, e.g. a click or a page.evaluate that
 * calls window.open) and returns the popup Page.
 */
export async function waitForPopup(page, trigger, { timeoutMs = 10_000 } = {}) {
  const [popup] = await Promise.all([page.waitForEvent('popup', { timeout: timeoutMs }), trigger()]);
  return popup;
}

/** waitForPopup + completeIdpLogin in one go. Returns { popup, steps, closed }. */
export async function signInPopup(page, trigger, email, opts = {}) {
  const popup = await waitForPopup(page, trigger, opts);
  const r = await completeIdpLogin(popup, email, opts);
  return { popup, ...r };
}
