// Two browser sessions behind one small interface, so that every scenario runs unchanged in
// headless Chromium (playwright-core, Debian's /usr/bin/chromium) and headless Firefox
// (selenium-webdriver + geckodriver, Debian's firefox-esr). Nothing is downloaded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_PATH, CHROMIUM_ARGS } from '../../lib/chromium.mjs';

const HOME = os.homedir();

export { CHROMIUM_PATH };
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const GECKODRIVER_PATH =
  process.env.GECKODRIVER_PATH ??
  [path.join(HOME, '.cargo/bin/geckodriver'), '/usr/local/bin/geckodriver', '/usr/bin/geckodriver'].find((p) =>
    fs.existsSync(p),
  );

/** `(fn)(...args)` as source text: fn must not close over Node variables. */
const call = (fn, args) => `(${fn.toString()})(...${JSON.stringify(args)})`;

/**
 * @typedef {object} Session
 * @property {string} name
 * @property {(url: string) => Promise<void>} goto
 * @property {(fn: Function, ...args: any[]) => Promise<any>} top     evaluate in the top page
 * @property {(id: string, fn: Function, ...args: any[]) => Promise<any>} inFrame  in iframe #id
 * @property {() => Promise<void>} close
 */

/** @returns {Promise<Session>} */
export async function chromiumSession() {
  const { chromium } = await import('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'theme-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  // Nothing leaves loopback.
  await context.route(/^(?!http:\/\/(127\.0\.0\.1|localhost)[:/])/, (route) => route.abort());
  const page = context.pages()[0] ?? (await context.newPage());
  const frameOf = async (id) => {
    const el = await page.$(`iframe#${id}`);
    const frame = el && (await el.contentFrame());
    if (!frame) throw new Error(`no iframe #${id}`);
    return frame;
  };
  return {
    name: 'chromium',
    async goto(url) {
      await page.goto(url, { waitUntil: 'load' });
    },
    top: (fn, ...args) => page.evaluate(call(fn, args)),
    inFrame: async (id, fn, ...args) => (await frameOf(id)).evaluate(call(fn, args)),
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** @returns {Promise<Session>} */
export async function firefoxSession() {
  if (!GECKODRIVER_PATH) throw new Error('geckodriver not found (cargo install geckodriver)');
  // Selenium Manager must never fetch a driver or a browser.
  process.env.SE_OFFLINE = 'true';
  const { Builder, By } = await import('selenium-webdriver');
  const firefox = await import('selenium-webdriver/firefox.js');
  const options = new firefox.Options()
    .setBinary(FIREFOX_PATH)
    .addArguments('-headless')
    .setPreference('dom.disable_open_during_load', false) // window.open from a script
    .setPreference('network.dns.disableIPv6', true) // localhost -> 127.0.0.1
    .setPreference('network.proxy.type', 0)
    .setPreference('app.update.enabled', false)
    .setPreference('browser.shell.checkDefaultBrowser', false)
    .setPreference('datareporting.policy.dataSubmissionEnabled', false)
    .setPreference('toolkit.telemetry.enabled', false)
    .setPreference('browser.safebrowsing.malware.enabled', false)
    .setPreference('browser.safebrowsing.phishing.enabled', false)
    .setPreference('extensions.update.enabled', false)
    .setPreference('network.captive-portal-service.enabled', false)
    .setPreference('network.connectivity-service.enabled', false);
  const service = new firefox.ServiceBuilder(GECKODRIVER_PATH);
  const driver = await new Builder()
    .forBrowser('firefox')
    .setFirefoxOptions(options)
    .setFirefoxService(service)
    .build();
  await driver.manage().setTimeouts({ script: 15_000, pageLoad: 15_000 });
  const run = (fn, args) => driver.executeScript(`return ${call(fn, args)};`);
  return {
    name: 'firefox',
    async goto(url) {
      await driver.switchTo().defaultContent();
      await driver.get(url);
    },
    top: async (fn, ...args) => {
      await driver.switchTo().defaultContent();
      return run(fn, args);
    },
    inFrame: async (id, fn, ...args) => {
      await driver.switchTo().defaultContent();
      await driver.switchTo().frame(await driver.findElement(By.css(`iframe#${id}`)));
      try {
        return await run(fn, args);
      } finally {
        await driver.switchTo().defaultContent();
      }
    },
    async close() {
      await driver.quit();
    },
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe()` until it returns a truthy value; returns it, or throws after `timeout` ms. */
export async function waitFor(probe, { timeout = 15_000, interval = 20, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await sleep(interval);
  }
}
