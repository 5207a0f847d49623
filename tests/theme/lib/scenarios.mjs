// The theme bridge scenarios, run once per browser by chromium.test.mjs and firefox.test.mjs.
//
// Three servers on 127.0.0.1 give three origins:
//   host  http://127.0.0.1:<p1>   the Backstage app page (tests/theme/fixtures/host.html)
//   frame http://localhost:<p2>   the embedded page (www/theme-frame.html), cross-origin AND
//                                 cross-site to the host, so Chromium puts it in its own process
//   evil  http://127.0.0.1:<p3>   an attacker's origin
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { serve } from './server.mjs';
import { sleep, waitFor } from './drivers.mjs';
import { DARK, LIGHT, envelope } from '../fixtures/themes.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../../..');
const FRAME = 'theme-frame';
const SETTLE_MS = 250; // > 25 ms debounce + a cross-process postMessage hop, with room for CI

/** Timings collected per browser, printed at the end. */
const timings = {};

/**
 * @param {string} browser
 * @param {() => Promise<import('./drivers.mjs').Session>} open
 */
export function scenarios(browser, open) {
  describe(`theme bridge in ${browser}`, () => {
    /** @type {import('./drivers.mjs').Session} */
    let s;
    let servers = [];
    const env = {};
    const t = (timings[browser] = {});

    before(async () => {
      const pkg = process.env.THEME_PKG_DIR;
      assert.ok(pkg, 'THEME_PKG_DIR must point at a `wasm-bindgen --target web` output (tests/theme/run sets it)');
      const mounts = {
        '/pkg/': pkg,
        '/www/': path.join(REPO, 'www'),
        '/fixtures/': path.join(HERE, '../fixtures'),
      };
      servers = await Promise.all([serve(mounts), serve(mounts), serve(mounts)]);
      env.hostOrigin = `http://127.0.0.1:${servers[0].port}`;
      env.frameOrigin = `http://localhost:${servers[1].port}`;
      env.evilOrigin = `http://127.0.0.1:${servers[2].port}`;
      const started = Date.now();
      s = await open();
      t.launchMs = Date.now() - started;
    });

    after(async () => {
      await s?.close();
      await Promise.all(servers.map((srv) => srv.close()));
      console.log(`# ${browser} timings: ${JSON.stringify(t)}`);
    });

    const frameUrl = (query = '') =>
      `${env.frameOrigin}/www/theme-frame.html?parent=${encodeURIComponent(env.hostOrigin)}${query}`;

    async function openHost(origin = env.hostOrigin) {
      await s.goto(`${origin}/fixtures/host.html`);
      await waitFor(() => s.top(() => window.fixtureReady === true), { what: 'host fixture' });
    }

    /**
     * Host page + theme iframe + ThemeHost attached; resolves once the iframe applied `theme` AND
     * the start-up exchange is over, so that counts read next are a stable baseline: the host has
     * made its load post (the fixture counts the frame's loads), has taken the iframe's `ready`
     * (and answered it, synchronously), and has the iframe's `ack` of the theme. A fixed settle
     * sleep instead could end before a late load post or `ready` on a loaded machine.
     * Returns the time to the first apply.
     */
    async function startApplied(theme = LIGHT, src = frameUrl()) {
      await openHost();
      const t0 = Date.now();
      await s.top((th, u, o) => T.start(th, u, o), theme, src, env.frameOrigin);
      await waitForApplied(theme.id);
      const applyMs = Date.now() - t0;
      await waitFor(
        () => s.top(() => T.loads >= 1 && T.host.readyCount >= 1 && T.host.ackCount >= 1),
        { what: 'start-up exchange over (load post, ready answered, ack)' },
      );
      return applyMs;
    }

    const frameState = () =>
      s.inFrame(FRAME, () => {
        const l = window.themeListener;
        const root = document.documentElement;
        return l
          ? {
              applied: l.appliedCount,
              ignored: l.ignoredCount,
              current: l.current,
              primary: root.style.getPropertyValue('--bs-primary').trim(),
              style: root.style.cssText,
              variant: root.getAttribute('data-theme-variant'),
            }
          : null;
      });

    const waitForApplied = (id, what = `theme '${id}' applied in the iframe`) =>
      waitFor(
        async () => {
          const st = await frameState();
          return st && st.current && st.current.id === id ? st : null;
        },
        { what },
      );

    const counts = () => s.top(() => T.counts());

    afterEach(async () => {
      const errors = await s.top(() => (window.T ? T.errors : [])).catch(() => []);
      assert.deepEqual(errors, [], 'uncaught errors in the host page');
    });

    test('initial theme is applied as CSS custom properties, color-scheme and data attribute', async () => {
      t.initialApplyMs = await startApplied(LIGHT);
      const st = await s.inFrame(FRAME, () => {
        const root = document.documentElement;
        const props = {};
        for (const name of [
          '--bs-primary', '--bs-background', '--bs-paper', '--bs-text-primary', '--bs-text-secondary',
          '--bs-divider', '--bs-error', '--bs-warning', '--bs-success', '--bs-info', '--bs-navigation',
          '--bs-font-family', 'color-scheme',
        ]) {
          props[name] = root.style.getPropertyValue(name).trim();
        }
        return {
          props,
          variant: root.getAttribute('data-theme-variant'),
          id: root.getAttribute('data-theme-id'),
          bodyBackground: getComputedStyle(document.body).backgroundColor,
          current: window.themeListener.current,
          applied: window.themeListener.appliedCount,
          ignored: window.themeListener.ignoredCount,
        };
      });
      const p = LIGHT.palette;
      assert.deepEqual(st.props, {
        '--bs-primary': p.primary,
        '--bs-background': p.background,
        '--bs-paper': p.paper,
        '--bs-text-primary': p.textPrimary,
        '--bs-text-secondary': p.textSecondary,
        '--bs-divider': p.divider,
        '--bs-error': p.error,
        '--bs-warning': p.warning,
        '--bs-success': p.success,
        '--bs-info': p.info,
        '--bs-navigation': p.navigation,
        '--bs-font-family': LIGHT.fontFamily,
        'color-scheme': 'light',
      });
      assert.equal(st.variant, 'light');
      assert.equal(st.id, 'light');
      assert.equal(st.bodyBackground, 'rgb(248, 248, 248)', 'the page really renders with the theme');
      assert.deepEqual(st.current, LIGHT);
      assert.equal(st.ignored, 0);
      // The iframe announced itself (ready) and acknowledged the theme.
      const c = await waitFor(async () => {
        const c = await counts();
        return c.ack >= 1 ? c : null;
      }, { what: 'ack' });
      assert.ok(c.ready >= 1, `ready accepted: ${JSON.stringify(c)}`);
      assert.equal(c.ignored, 0);
      assert.equal(await s.top(() => T.host.attached), true);
      assert.equal(await s.top(() => T.host.targetOrigin), env.frameOrigin);
    });

    test('a live change is applied, a burst of setTheme calls coalesces into one post', async () => {
      await startApplied(LIGHT);
      const before = await counts();
      const appliedBefore = (await frameState()).applied;
      // 20 synchronous changes, the last one DARK.
      const t0 = Date.now();
      await s.top((light, dark) => {
        for (let i = 0; i < 19; i++) {
          const hex = (i * 13).toString(16).padStart(2, '0');
          T.host.setTheme({ ...light, id: `burst-${i}`, palette: { ...light.palette, primary: `#0000${hex}` } });
        }
        T.host.setTheme(dark);
        return true;
      }, LIGHT, DARK);
      let st = await waitForApplied('dark');
      t.liveChangeMs = Date.now() - t0;
      await sleep(SETTLE_MS);
      const afterBurst = await counts();
      st = await frameState();
      assert.equal(afterBurst.sent, before.sent + 1, 'one post for the whole burst');
      assert.equal(st.applied, appliedBefore + 1, 'one apply for the whole burst');
      assert.equal(st.primary, DARK.palette.primary);
      assert.equal(st.variant, 'dark');
      assert.match(st.style, /color-scheme: dark/);

      // Setting the same theme again posts nothing.
      await s.top((dark) => T.host.setTheme(dark), DARK);
      await sleep(SETTLE_MS);
      assert.equal((await counts()).sent, afterBurst.sent, 'unchanged theme is not re-sent');

      // And back to light: a single live change.
      await s.top((light) => T.host.setTheme(light), LIGHT);
      st = await waitForApplied('light');
      assert.equal(st.primary, LIGHT.palette.primary);
      assert.equal((await counts()).sent, afterBurst.sent + 1);
    });

    test('an iframe reload is re-synced (load and ready), with the latest theme', async () => {
      await startApplied(LIGHT);
      await s.top((dark) => T.host.setTheme(dark), DARK);
      await waitForApplied('dark');
      await sleep(SETTLE_MS);
      const before = await counts();
      await s.inFrame(FRAME, () => {
        setTimeout(() => location.reload(), 0);
        return true;
      });
      const t0 = Date.now();
      // A fresh document (appliedCount restarts at 1) that got DARK again.
      await waitFor(async () => {
        const st = await frameState().catch(() => null);
        return st && st.applied >= 1 && st.current && st.current.id === 'dark' && st.primary === DARK.palette.primary;
      }, { what: 'reloaded iframe re-themed' });
      t.reloadResyncMs = Date.now() - t0;
      const c = await waitFor(async () => {
        const c = await counts();
        return c.ready === before.ready + 1 ? c : null;
      }, { what: 'ready from the reloaded iframe' });
      assert.ok(c.sent >= before.sent + 1, JSON.stringify({ before, c }));
      assert.equal(c.ignored, 0);
    });

    test('a late-starting iframe listener is synced by its ready message alone', async () => {
      // The listener starts 600 ms after load, so the posts made at attach and on load are lost.
      await openHost();
      await s.top((th, u, o) => T.start(th, u, o), LIGHT, frameUrl('&delay=600'), env.frameOrigin);
      await waitFor(() => s.top(() => T.received.some((m) => m.type === 'ack') || null), {
        what: 'ack after ready',
      });
      const st = await frameState();
      assert.equal(st.current.id, 'light');
      assert.equal(st.applied, 1);
      const c = await counts();
      assert.equal(c.ready, 1);
      // Posts: attach + load (both before the listener existed) + the answer to ready.
      assert.ok(c.sent >= 2, JSON.stringify(c));
    });

    test('messages from a wrong origin are ignored (the frame allows only the real host)', async () => {
      // The same host page, served from the evil origin, frames the iframe and attaches to it.
      await openHost(env.evilOrigin);
      await s.top((th, u, o) => T.start(th, u, o), DARK, frameUrl(), env.frameOrigin);
      // Once the iframe listens, post a valid theme explicitly (the attach/load posts may have
      // arrived before the listener existed).
      await waitFor(() => frameState().catch(() => null), { what: 'iframe listening' });
      const ignored0 = (await frameState()).ignored;
      await s.top((envl, o) => {
        document.getElementById('theme-frame').contentWindow.postMessage(envl, o);
        return true;
      }, envelope('theme', DARK), env.frameOrigin);
      await waitFor(async () => (await frameState()).ignored === ignored0 + 1, {
        what: 'iframe ignoring the evil parent',
      });
      await sleep(SETTLE_MS);
      const st = await frameState();
      assert.equal(st.applied, 0);
      assert.equal(st.current, null);
      assert.equal(st.primary, '', 'no --bs-* property was set');
      assert.ok(st.ignored >= 1, JSON.stringify(st));
      // The iframe's ready names the real host origin, so the evil parent never received it.
      const c = await counts();
      assert.equal(c.ready, 0);
      assert.equal(await s.top(() => T.received.filter((m) => m.type === 'ready').length), 0);
    });

    test('messages from a window other than the parent are ignored (sibling iframe, window.open)', async () => {
      await startApplied(LIGHT);
      const forged = envelope('theme', { ...DARK, id: 'forged' });
      // A sibling iframe from the host's own (allowed) origin posts a valid theme to the iframe.
      await s.top((u) => {
        T.addFrame('sibling', u);
        return true;
      }, `${env.hostOrigin}/fixtures/probe.html`);
      await waitFor(() => s.inFrame('sibling', () => window.probeReady === true), { what: 'sibling' });
      const ignored0 = (await frameState()).ignored;
      await s.inFrame('sibling', (msg, o) => {
        parent.frames[0].postMessage(msg, o);
        return true;
      }, forged, env.frameOrigin);
      await waitFor(async () => (await frameState()).ignored === ignored0 + 1, { what: 'sibling message ignored' });

      // A window.open'ed page of the allowed origin posts through its opener.
      const opened = await s.top((u) => {
        window.popup = window.open(u, 'attacker', 'width=300,height=200');
        return !!window.popup;
      }, `${env.hostOrigin}/fixtures/probe.html?attack=opener&frameOrigin=${encodeURIComponent(env.frameOrigin)}`);
      assert.ok(opened, 'window.open was allowed');
      await waitFor(() => s.top(() => window.popup.attacked === true || null), { what: 'popup attack posted' });
      await waitFor(async () => (await frameState()).ignored === ignored0 + 2, { what: 'popup message ignored' });
      await s.top(() => window.popup.close() || true);

      await sleep(SETTLE_MS);
      let st = await frameState();
      assert.equal(st.applied, 1);
      assert.equal(st.current.id, 'light');
      assert.equal(st.primary, LIGHT.palette.primary);

      // Control: the same message from the real parent is applied.
      await s.top((msg, o) => {
        document.getElementById('theme-frame').contentWindow.postMessage(msg, o);
        return true;
      }, forged, env.frameOrigin);
      st = await waitForApplied('forged');
      assert.equal(st.applied, 2);
    });

    test('the host ignores ready/ack from other windows, other origins and invalid messages', async () => {
      await startApplied(LIGHT);
      const c0 = await counts();
      const ready = envelope('ready', {});
      // Same origin as the iframe, but a different window.
      await s.top((u) => {
        T.addFrame('sib-frame-origin', u);
        return true;
      }, `${env.frameOrigin}/fixtures/probe.html`);
      // The right window's sibling on the evil origin.
      await s.top((u) => {
        T.addFrame('sib-evil', u);
        return true;
      }, `${env.evilOrigin}/fixtures/probe.html`);
      for (const id of ['sib-frame-origin', 'sib-evil']) {
        await waitFor(() => s.inFrame(id, () => window.probeReady === true), { what: id });
        await s.inFrame(id, (msg, o) => {
          parent.postMessage(msg, o);
          parent.postMessage({ ...msg, type: 'ack', payload: { id: 'light' } }, o);
          return true;
        }, ready, env.hostOrigin);
      }
      // The iframe itself, with invalid messages.
      const invalid = [
        { ...ready, version: 2 },
        { ...ready, protocol: 'other' },
        envelope('theme', LIGHT), // the host never accepts a theme
        envelope('ack', { id: 'bad id' }),
        JSON.stringify(ready), // strings are not accepted
        null,
      ];
      await s.inFrame(FRAME, (msgs, o) => {
        for (const m of msgs) parent.postMessage(m, o);
        return true;
      }, invalid, env.hostOrigin);
      const expectIgnored = c0.ignored + 4 + invalid.length;
      const c1 = await waitFor(async () => {
        const c = await counts();
        return c.ignored >= expectIgnored ? c : null;
      }, { what: `host ignoredCount ${expectIgnored}` });
      await sleep(SETTLE_MS);
      assert.deepEqual(await counts(), { ...c0, ignored: expectIgnored }, 'nothing but ignoredCount moved');
      // Control: a valid ready from the iframe is answered.
      await s.inFrame(FRAME, (msg, o) => parent.postMessage(msg, o) || true, ready, env.hostOrigin);
      const c2 = await waitFor(async () => {
        const c = await counts();
        return c.ready === c1.ready + 1 && c.sent === c1.sent + 1 ? c : null;
      }, { what: 'valid ready answered' });
      assert.equal(c2.ignored, expectIgnored);
    });

    test('invalid, wrong-version and CSS-injection messages from the parent are ignored and counted', async () => {
      await startApplied(LIGHT);
      const base = envelope('theme', { ...DARK, id: 'evil' });
      const pal = (k, v) => envelope('theme', { ...DARK, id: 'evil', palette: { ...DARK.palette, [k]: v } });
      const bad = [
        { ...base, version: 2 },
        { ...base, version: '1' },
        { ...base, version: undefined },
        { ...base, protocol: 'backstage-theme-v2' },
        { ...base, type: 'Theme' },
        { ...base, payload: undefined },
        { ...base, payload: [] },
        envelope('theme', { ...DARK, palette: undefined }),
        envelope('theme', { ...DARK, variant: 'blue' }),
        envelope('theme', { ...DARK, id: 'has space' }),
        envelope('theme', { ...DARK, id: 'x'.repeat(129) }),
        envelope('theme', { ...DARK, fontFamily: 42 }),
        pal('primary', 1),
        pal('primary', 'x'.repeat(300)),
        pal('primary', 'red;background:url(https://evil.example/x.png)'),
        pal('background', 'url(https://evil.example/x.png)'),
        pal('paper', 'expression(alert(1))'),
        pal('divider', 'var(--evil)'),
        pal('info', '}body{display:none}'),
        pal('navigation', 'red}html{background:red'),
        pal('textPrimary', 'rgb(0,0,0)/**/;x:y'),
        pal('error', '#fff\\;'),
        pal('warning', 'rgb(calc(1), 0, 0)'),
        envelope('theme', { ...DARK, fontFamily: 'Arial;}html{background:url(https://evil.example/)' }),
        envelope('theme', { ...DARK, fontFamily: 'a'.repeat(600) }),
        JSON.stringify(envelope('theme', DARK)), // a JSON string, not an object
        null,
        42,
        [envelope('theme', DARK)],
        { protocol: 'backstage-theme' },
      ];
      const st0 = await frameState();
      await s.top((msgs, o) => {
        const w = document.getElementById('theme-frame').contentWindow;
        for (const m of msgs) w.postMessage(m, o);
        return true;
      }, bad, env.frameOrigin);
      await waitFor(async () => (await frameState()).ignored === st0.ignored + bad.length, {
        what: `${bad.length} ignored messages`,
      });
      await sleep(SETTLE_MS);
      const st = await frameState();
      assert.equal(st.ignored, st0.ignored + bad.length);
      assert.equal(st.applied, st0.applied, 'nothing applied');
      assert.deepEqual(st.current, LIGHT);
      assert.equal(st.primary, LIGHT.palette.primary);
      for (const needle of ['url(', 'expression', 'var(', 'evil', 'calc', 'display']) {
        assert.ok(!st.style.includes(needle), `style must not contain ${needle}: ${st.style}`);
      }
      // Control: the valid DARK from the same parent is applied.
      await s.top((msg, o) => document.getElementById('theme-frame').contentWindow.postMessage(msg, o) || true,
        envelope('theme', DARK), env.frameOrigin);
      const st2 = await waitForApplied('dark');
      assert.equal(st2.ignored, st.ignored);
    });

    test("the host only ever posts to the iframe's exact origin, never '*'", async () => {
      await startApplied(LIGHT);
      await s.top((dark) => T.host.setTheme(dark), DARK);
      await waitForApplied('dark');
      await s.inFrame(FRAME, () => setTimeout(() => location.reload(), 0) && true);
      await waitFor(() => s.top(() => T.host.readyCount >= 2 || null), { what: 'ready after reload' });
      // Navigate the iframe away to another origin while attached: the load post and the next
      // change are made, but the browser delivers nothing, because they name the old origin.
      await s.top((u) => {
        document.getElementById('theme-frame').src = u;
        return true;
      }, `${env.evilOrigin}/fixtures/probe.html`);
      await waitFor(() => s.inFrame(FRAME, () => window.probeReady === true).catch(() => false), {
        what: 'iframe navigated to the probe',
      });
      const sentBefore = (await counts()).sent;
      await s.top((light) => T.host.setTheme(light), LIGHT);
      await waitFor(async () => (await counts()).sent === sentBefore + 1, { what: 'post after navigation' });
      await sleep(SETTLE_MS);
      assert.deepEqual(await s.inFrame(FRAME, () => window.got), [], 'nothing reached the other origin');

      const calls = await s.top(() => T.calls);
      const c = await counts();
      const hostCalls = calls.filter((x) => x.type === 'theme');
      assert.equal(hostCalls.length, c.sent, 'every theme post was recorded');
      assert.ok(hostCalls.length >= 5, JSON.stringify(calls));
      for (const call of calls) {
        assert.equal(call.origin, env.frameOrigin, `postMessage targetOrigin: ${JSON.stringify(call)}`);
        assert.equal(call.toFrame, true);
        assert.notEqual(call.origin, '*');
      }
    });

    test('detach removes every listener and cancels a pending post', async () => {
      await startApplied(LIGHT);
      // setTheme (twice) then detach in the same task: the debounced post must not happen.
      await s.top((light, dark) => {
        T.host.setTheme({ ...light, id: 'pending' });
        T.host.setTheme(dark);
        T.host.detach();
        return true;
      }, LIGHT, DARK);
      const c0 = await counts();
      assert.equal(await s.top(() => T.host.attached), false);
      assert.equal(await s.top(() => T.host.targetOrigin ?? null), null);
      await sleep(SETTLE_MS);
      await s.top((light) => T.host.setTheme(light), LIGHT);
      // Reload: the new document posts ready and fires load, and nobody answers.
      await s.inFrame(FRAME, () => setTimeout(() => location.reload(), 0) && true);
      await waitFor(async () => {
        const st = await frameState().catch(() => null);
        return st && st.applied === 0;
      }, { what: 'reloaded iframe listening' });
      // The host page saw the reloaded iframe's ready (its own raw listener), so the silence
      // below is the host's: wait for that (bounded), then give a stray post time to show.
      const readies = () => s.top(() => T.received.filter((m) => m.type === 'ready' && m.fromFrame).length);
      await waitFor(async () => (await readies()) >= 2, { what: "the reloaded iframe's ready at the host page" }).catch(() => {});
      assert.ok((await readies()) >= 2, 'the host page received the reloaded iframe\'s ready');
      await sleep(600);
      const st = await frameState();
      assert.equal(st.applied, 0);
      assert.equal(st.current, null);
      assert.deepEqual(await counts(), c0, 'no post, no ready/ack/ignored counted after detach');
      assert.equal((await frameState()).primary, '');

      // No listener or timer was left behind (one would throw when its dropped closure runs).
      // The poke is dispatched to every message listener of the page in one go; once the
      // fixture's own listener has it, a left-behind listener has run (and thrown) too.
      const n0 = await s.top(() => T.received.length);
      await s.top(() => window.postMessage('poke', location.origin) || true);
      await waitFor(() => s.top((n, o) => T.received.slice(n).some((m) => m.origin === o && !m.fromFrame), n0, env.hostOrigin),
        { what: 'the poke dispatched' });
      assert.deepEqual(await s.top(() => T.errors), []);

      // Attach again: syncs right away.
      await s.top((o) => T.host.attach(document.getElementById('theme-frame'), o) || true, env.frameOrigin);
      await waitForApplied('light');
      // Detaching twice is fine.
      await s.top(() => {
        T.host.detach();
        T.host.detach();
        return true;
      });
    });

    test('an apply callback replaces the default and may stop the listener from inside', async () => {
      await openHost();
      await s.top((th, u, o) => T.start(th, u, o), LIGHT,
        `${env.frameOrigin}/fixtures/frame-callback.html?parent=${encodeURIComponent(env.hostOrigin)}`,
        env.frameOrigin);
      const applied = () => s.inFrame(FRAME, () => window.applied ?? []).catch(() => []);
      await waitFor(async () => (await applied()).length === 1, { what: 'callback applied' });
      await sleep(SETTLE_MS);
      assert.deepEqual(await applied(), [LIGHT], 'applied once, although sent on load and on ready');
      // Default apply did not run.
      assert.equal(await s.inFrame(FRAME, () => document.documentElement.style.cssText), '');
      // Stop from inside the callback at the next applied theme.
      await s.inFrame(FRAME, () => (window.stopAfter = 2));
      // A throwing callback is counted, not applied.
      await s.top((th) => T.host.setTheme(th), { ...DARK, id: 'throw' });
      await waitFor(() => s.inFrame(FRAME, () => window.themeListener.applyErrorCount === 1), { what: 'apply error' });
      await s.top((th) => T.host.setTheme(th), DARK);
      await waitFor(async () => (await applied()).length === 2, { what: 'second theme' });
      assert.equal(await s.inFrame(FRAME, () => window.themeListener.active), false);
      await s.top((th) => T.host.setTheme(th), LIGHT);
      await sleep(SETTLE_MS);
      const st = await s.inFrame(FRAME, () => ({
        n: window.applied.length,
        appliedCount: window.themeListener.appliedCount,
        current: window.themeListener.current,
        errors: window.themeListener.applyErrorCount,
      }));
      assert.deepEqual(st, { n: 2, appliedCount: 2, current: DARK, errors: 1 });
      // The second ack crosses back from the iframe's process: wait for it (bounded), then assert
      // the exact count (the sleep above gave any extra ack the time to arrive too).
      await waitFor(async () => (await counts()).ack >= 2, { what: 'the second ack' }).catch(() => {});
      assert.equal((await counts()).ack, 2, 'one ack per applied theme');
    });

    test('errors reach JS as Error objects with stable names', async () => {
      await openHost();
      const r = await s.top((light, frameOrigin) => {
        const { ThemeHost } = T.mod;
        const frame = T.addFrame('theme-frame', 'about:blank');
        const host = new ThemeHost(light);
        const bad = (palette) => ({ ...light, palette: { ...light.palette, ...palette } });
        return {
          badTheme: T.thrown(() => new ThemeHost(bad({ primary: 'red;x:y' }))),
          notObject: T.thrown(() => new ThemeHost('light')),
          noTheme: T.thrown(() => new ThemeHost()),
          cyclic: T.thrown(() => { const o = { ...light }; o.self = o; return new ThemeHost(o); }),
          setThemeBad: T.thrown(() => host.setTheme(bad({ info: 'url(x)' }))),
          themeKept: host.theme.palette.info === light.palette.info,
          star: T.thrown(() => host.attach(frame, '*')),
          path: T.thrown(() => host.attach(frame, `${frameOrigin}/www/`)),
          slash: T.thrown(() => host.attach(frame, `${frameOrigin}/`)),
          js: T.thrown(() => host.attach(frame, 'javascript:alert(1)')),
          nullOrigin: T.thrown(() => host.attach(frame, 'null')),
          relative: T.thrown(() => host.attach(frame, '/www')),
          creds: T.thrown(() => host.attach(frame, frameOrigin.replace('//', '//user:pw@'))),
          notIframe: T.thrown(() => host.attach(document.body, frameOrigin)),
          ok: T.thrown(() => host.attach(frame, frameOrigin)),
          attached: host.attached,
        };
      }, LIGHT, env.frameOrigin);
      const names = Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, v && typeof v === 'object' ? `${v.name}:${v.isError}` : v]),
      );
      assert.deepEqual(names, {
        badTheme: 'InvalidThemeError:true',
        notObject: 'InvalidThemeError:true',
        noTheme: 'InvalidThemeError:true',
        cyclic: 'InvalidThemeError:true',
        setThemeBad: 'InvalidThemeError:true',
        themeKept: true,
        star: 'ConfigError:true',
        path: 'ConfigError:true',
        slash: 'ConfigError:true',
        js: 'ConfigError:true',
        nullOrigin: 'ConfigError:true',
        relative: 'ConfigError:true',
        creds: 'ConfigError:true',
        notIframe: 'ConfigError:true',
        ok: null,
        attached: true,
      });
      assert.match(r.badTheme.message, /palette\.primary/);
      assert.ok(!r.badTheme.message.includes('x:y'), 'the error does not echo the value');

      // The iframe half.
      await s.top((u) => T.addFrame('cb', u) && true,
        `${env.frameOrigin}/fixtures/frame-callback.html?parent=${encodeURIComponent(env.hostOrigin)}`);
      await waitFor(() => s.inFrame('cb', () => window.fixtureReady === true), { what: 'callback frame' });
      const f = await s.inFrame('cb', (hostOrigin) => {
        const { thrown } = window;
        const { listenForTheme } = window.mod;
        return {
          star: thrown(() => listenForTheme({ allowedOrigins: ['*'] })),
          empty: thrown(() => listenForTheme({ allowedOrigins: [] })),
          missing: thrown(() => listenForTheme({})),
          noOptions: thrown(() => listenForTheme()),
          notString: thrown(() => listenForTheme({ allowedOrigins: [42] })),
          path: thrown(() => listenForTheme({ allowedOrigins: [`${hostOrigin}/app`] })),
          applyNotFn: thrown(() => listenForTheme({ allowedOrigins: [hostOrigin], apply: 5 })),
          ok: thrown(() => listenForTheme({ allowedOrigins: [hostOrigin], apply: () => {} }).stop()),
        };
      }, env.hostOrigin);
      assert.deepEqual(f, {
        star: 'ConfigError:true',
        empty: 'ConfigError:true',
        missing: 'ConfigError:true',
        noOptions: 'ConfigError:true',
        notString: 'ConfigError:true',
        path: 'ConfigError:true',
        applyNotFn: 'ConfigError:true',
        ok: null,
      });
    });
  });
}
