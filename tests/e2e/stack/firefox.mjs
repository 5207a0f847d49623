// Headless Firefox for the e2e tests: Debian's firefox-esr driven by selenium-webdriver through
// geckodriver (cargo install geckodriver -> ~/.cargo/bin/geckodriver). Nothing is downloaded:
// Selenium Manager runs offline, and every non-loopback host goes to a closed proxy port, so
// the IdP login page's Google fonts fail at once instead of hanging on the closed network.
//
//   import { launchFirefox, completeIdpLoginWd } from './stack/firefox.mjs';
//   const ff = await launchFirefox();           // { driver, By, until, mainHandle, close() }
//   await ff.driver.get(url);
//   const popup = await ff.waitForNewWindow();  // the popup's window handle
//   const { steps } = await completeIdpLoginWd(ff, popup, 'jane@example.com');
//   await ff.close();
//
// The popup blocker is ON as in a real Firefox (geckodriver's defaults turn it off: we set
// dom.disable_open_during_load back to true): window.open from executeScript has no user
// gesture and returns null; a WebElement click is a real gesture.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getFreePort } from './stack.mjs';

export const FIREFOX_PATH = process.env.FIREFOX_PATH
  ?? ['/usr/bin/firefox-esr', '/usr/bin/firefox'].find(p => fs.existsSync(p));
export const GECKODRIVER_PATH = process.env.GECKODRIVER_PATH
  ?? [path.join(os.homedir(), '.cargo/bin/geckodriver'), '/usr/local/bin/geckodriver', '/usr/bin/geckodriver']
    .find(p => fs.existsSync(p));

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Why Firefox cannot run here, or null. */
export function firefoxMissing() {
  if (!FIREFOX_PATH) return 'firefox-esr not found (apt-get install -y firefox-esr)';
  if (!GECKODRIVER_PATH) return 'geckodriver not found (cargo install geckodriver)';
  return null;
}

export async function launchFirefox({ prefs = {}, timeoutMs = 15_000 } = {}) {
  const missing = firefoxMissing();
  if (missing) throw new Error(missing);
  process.env.SE_OFFLINE = 'true'; // Selenium Manager must never fetch a driver or a browser
  const { Builder, By, until, error } = await import('selenium-webdriver');
  const firefox = await import('selenium-webdriver/firefox.js');
  const deadPort = await getFreePort();
  const options = new firefox.Options()
    .setBinary(FIREFOX_PATH)
    .addArguments('-headless');
  const allPrefs = {
    // Everything but loopback goes to a proxy port where nothing listens.
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': deadPort,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': deadPort,
    'network.proxy.no_proxies_on': 'localhost, 127.0.0.1',
    'network.proxy.allow_hijacking_localhost': false,
    'network.dns.disableIPv6': true,
    'app.update.enabled': false,
    'browser.shell.checkDefaultBrowser': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'extensions.update.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'browser.newtabpage.enabled': false,
    // geckodriver turns the popup blocker off by default; a real browser has it on.
    'dom.disable_open_during_load': true,
    ...prefs,
  };
  for (const [k, v] of Object.entries(allPrefs)) options.setPreference(k, v);
  const service = new firefox.ServiceBuilder(GECKODRIVER_PATH);
  const driver = await new Builder().forBrowser('firefox').setFirefoxOptions(options).setFirefoxService(service).build();
  await driver.manage().setTimeouts({ script: timeoutMs, pageLoad: timeoutMs, implicit: 0 });
  const mainHandle = await driver.getWindowHandle();
  let closed = false;
  return {
    driver, By, until, error, mainHandle,
    /** Switches to the main window (the app). */
    main: () => driver.switchTo().window(mainHandle),
    /** Waits for a window handle that is not in `known` (default: just the main one). */
    async waitForNewWindow({ known = [mainHandle], timeoutMs: t = 10_000 } = {}) {
      const deadline = Date.now() + t;
      while (Date.now() < deadline) {
        const fresh = (await driver.getAllWindowHandles()).filter(h => !known.includes(h));
        if (fresh.length) return fresh[0];
        await sleep(50);
      }
      throw new Error(`no new window in ${t} ms`);
    },
    async isOpen(handle) { return (await driver.getAllWindowHandles()).includes(handle); },
    async close() {
      if (closed) return;
      closed = true;
      await driver.quit().catch(() => {});
    },
  };
}

/**
 * Drives oidc-provider's devInteractions pages in window `handle` as `email` (any password):
 * login, then consent when shown, until the window closes itself or leaves the IdP.
 * Leaves the driver switched to the main window. Resolves to { steps, closed }.
 */
export async function completeIdpLoginWd(ff, handle, email, { password = 'any-password', timeoutMs = 20_000, idpOrigin } = {}) {
  const { driver, By } = ff;
  const deadline = Date.now() + timeoutMs;
  const steps = [];
  try {
    for (;;) {
      if (Date.now() > deadline) throw new Error(`completeIdpLoginWd: timed out after ${timeoutMs} ms (steps ${steps})`);
      if (!(await ff.isOpen(handle))) return { steps, closed: true };
      let page;
      try {
        await driver.switchTo().window(handle);
        // Each IdP page is handled once: a marker on its window says it was seen.
        page = await driver.executeScript(`
          const i = document.querySelector('form input[name=prompt]');
          if (document.readyState === 'loading') return { wait: true, url: location.href };
          if (!i) return { prompt: null, url: location.href };
          if (window.__e2eSeen) return { wait: true, url: location.href };
          window.__e2eSeen = true;
          return { prompt: i.value, url: location.href };`);
        // null: the script did not run to its end (a popup closing itself under it); as below.
        if (!page) throw new Error('no answer from the window');
      } catch (e) {
        if (!(await ff.isOpen(handle))) return { steps, closed: true };
        await sleep(50);
        continue;
      }
      if (page.prompt === 'login') {
        steps.push('login');
        await driver.findElement(By.css('input[name=login]')).sendKeys(email);
        await driver.findElement(By.css('input[name=password]')).sendKeys(password);
        await driver.findElement(By.css('form button[type=submit]')).click();
      } else if (page.prompt === 'consent') {
        steps.push('consent');
        await driver.findElement(By.css('form button[type=submit]')).click();
      } else if (page.prompt) {
        throw new Error(`completeIdpLoginWd: unexpected IdP page (prompt=${page.prompt}) at ${page.url}`);
      } else if (!page.wait && idpOrigin && !page.url.startsWith(idpOrigin) && !/\/start\?/.test(page.url)
        && page.url !== 'about:blank') {
        return { steps, closed: false, url: page.url };
      }
      await sleep(100);
    }
  } finally {
    await ff.main().catch(() => {});
  }
}
