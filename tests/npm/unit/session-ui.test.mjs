// The session UI's pure halves (backstage-wasm-auth/ui): the idle sign-out's timing policy
// (js/ui/idlePolicy.ts) on an injected clock, one policy per tab sharing announcements as the
// BroadcastChannel would, what the session notice shows for a lifecycle value at a time
// (js/ui/sessionNotice.ts), and the tabs' link itself (js/ui/idleSync.ts) on Node's
// BroadcastChannel. Bundled in memory by esbuild (a devDependency); no build of dist/.
// Run by tests/npm/run a (node --test tests/npm/unit/).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const load = async file => {
  const { outputFiles } = await build({
    entryPoints: [path.join(root, file)], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent',
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
};
const { IdleSignOutPolicy, WasmAuthUiConfigError } = await load('js/ui/idlePolicy.ts');
const { sessionNoticeView, nextNoticeChangeAt, formatTimeLeft, DEFAULT_WARN_BEFORE_SECONDS } = await load('js/ui/sessionNotice.ts');

const MIN = 60_000;
/** A clock the test moves by hand. */
const clock = (t = 1_000_000) => ({ now: () => t, set: v => { t = v; }, add: ms => { t += ms; } });

test('idle: active, then the prompt, then idle at the deadline', () => {
  const c = clock();
  const p = new IdleSignOutPolicy({ idleTimeoutMs: 10 * MIN, promptBeforeIdleMs: 30_000, now: c.now });
  assert.equal(p.phase(), 'active');
  assert.equal(p.nextWakeAt(), c.now() + 10 * MIN - 30_000, 'wakes up for the prompt');
  c.add(10 * MIN - 30_001);
  assert.equal(p.phase(), 'active');
  c.add(1);
  assert.equal(p.phase(), 'prompt');
  assert.equal(p.msUntilIdle(), 30_000);
  assert.equal(p.nextWakeAt(), p.idleAt(), 'then for the sign-out');
  c.add(29_999);
  assert.equal(p.phase(), 'prompt');
  c.add(1);
  assert.equal(p.phase(), 'idle');
  assert.equal(p.msUntilIdle(), 0);
});

test('idle: activity postpones; while prompting only the explicit "Stay signed in" counts; once idle nothing does', () => {
  const c = clock();
  const p = new IdleSignOutPolicy({ idleTimeoutMs: MIN, promptBeforeIdleMs: 10_000, now: c.now });
  c.add(40_000);
  assert.equal(p.activity(), true);
  assert.equal(p.idleAt(), c.now() + MIN);
  c.add(50_000);
  assert.equal(p.phase(), 'prompt');
  const deadline = p.idleAt();
  assert.equal(p.activity(), false, 'a mouse move does not dismiss the prompt');
  assert.equal(p.idleAt(), deadline);
  assert.equal(p.activity(true), true, 'the prompt button does');
  assert.equal(p.phase(), 'active');
  assert.equal(p.idleAt(), c.now() + MIN);
  c.add(MIN);
  assert.equal(p.phase(), 'idle');
  assert.equal(p.activity(true), false, 'too late: the sign-out is under way');
  assert.equal(p.phase(), 'idle');
});

test('idle: two tabs: activity in one keeps both; none signs both out at the same deadline', () => {
  const c = clock();
  const opts = { idleTimeoutMs: 2 * MIN, promptBeforeIdleMs: 20_000, now: c.now };
  const a = new IdleSignOutPolicy(opts);
  const b = new IdleSignOutPolicy(opts);
  // What the channel does: a tab's announcement reaches the other.
  const relay = (from, to) => {
    const at = from.takeAnnouncement();
    if (at !== undefined) to.peerActivity(at);
    return at;
  };
  for (let i = 0; i < 10; i++) {
    c.add(MIN); // each minute the user works in tab A only
    a.activity();
    relay(a, b);
    assert.equal(b.phase(), 'active', `minute ${i + 1}: B stays signed in through A's activity`);
  }
  assert.equal(a.idleAt(), b.idleAt());
  c.add(2 * MIN - 20_000);
  assert.deepEqual([a.phase(), b.phase()], ['prompt', 'prompt'], 'both tabs prompt together');
  b.activity(true); // "Stay signed in" clicked in B
  relay(b, a);
  assert.deepEqual([a.phase(), b.phase()], ['active', 'active'], 'and the click in B closes A\'s prompt');
  c.add(2 * MIN);
  assert.deepEqual([a.phase(), b.phase()], ['idle', 'idle'], 'no activity anywhere: both are idle');
});

test('idle: announcements are throttled to one per interval, the latest time sent at the next wake-up', () => {
  const c = clock();
  const p = new IdleSignOutPolicy({ idleTimeoutMs: 10 * MIN, promptBeforeIdleMs: 30_000, syncIntervalMs: 1000, now: c.now });
  assert.equal(p.takeAnnouncement(), undefined, 'nothing new yet');
  c.add(10);
  p.activity();
  assert.equal(p.takeAnnouncement(), c.now(), 'the first at once');
  c.add(300);
  p.activity();
  assert.equal(p.takeAnnouncement(), undefined, 'held back within the interval');
  const latest = c.now();
  c.add(300);
  assert.equal(p.nextWakeAt(), latest - 300 + 1000, 'wakes up when the interval (from the first announcement) is over');
  c.set(latest - 300 + 1000);
  assert.equal(p.takeAnnouncement(), latest, 'the held-back (latest) time, once the interval is over');
  assert.equal(p.takeAnnouncement(), undefined);
  c.add(1);
  p.activity(true);
  // explicit: at once, within the interval
  assert.equal(p.takeAnnouncement(), c.now());
  // a peer's newer activity is not re-announced
  c.add(5000);
  p.peerActivity(c.now() - 1);
  assert.equal(p.takeAnnouncement(), undefined);
  assert.equal(p.lastActivity, c.now() - 1);
});

test('idle: a short prompt waits a grace of two intervals so a peer\'s last activity arrives first', () => {
  const c = clock();
  const p = new IdleSignOutPolicy({ idleTimeoutMs: MIN, promptBeforeIdleMs: 0, syncIntervalMs: 1000, now: c.now });
  assert.equal(p.graceMs, 2000);
  c.add(MIN);
  assert.equal(p.phase(), 'active', 'no prompt, within the grace');
  p.peerActivity(c.now() - 800); // A's activity 0.8 s before its trailing announcement
  assert.equal(p.phase(), 'active');
  c.add(MIN - 800 + 2000);
  assert.equal(p.phase(), 'idle');
  const long = new IdleSignOutPolicy({ idleTimeoutMs: MIN, promptBeforeIdleMs: 10_000, now: c.now });
  assert.equal(long.graceMs, 0, 'a prompt of two intervals or more covers it');
});

test('idle: a stored last activity resumes; one past the timeout is idle at once; one from the future is not trusted', () => {
  const c = clock(10 * MIN);
  const opts = { idleTimeoutMs: 5 * MIN, promptBeforeIdleMs: 10_000, now: c.now };
  assert.equal(new IdleSignOutPolicy({ ...opts, lastActivity: c.now() - 2 * MIN }).idleAt(), c.now() + 3 * MIN);
  assert.equal(new IdleSignOutPolicy({ ...opts, lastActivity: c.now() - 6 * MIN }).phase(), 'idle', 'came back after the timeout');
  assert.equal(new IdleSignOutPolicy({ ...opts, lastActivity: c.now() + 60 * MIN }).idleAt(), c.now() + 5 * MIN);
  const p = new IdleSignOutPolicy(opts);
  p.peerActivity(c.now() + MIN);
  p.peerActivity(Number.NaN);
  assert.equal(p.lastActivity, c.now(), 'a peer time from the future or not a number is ignored');
});

test('idle: invalid options are a ConfigError naming the option', () => {
  const bad = [
    [{ idleTimeoutMs: 0, promptBeforeIdleMs: 0 }, 'idleTimeoutMinutes'],
    [{ idleTimeoutMs: Number.NaN, promptBeforeIdleMs: 0 }, 'idleTimeoutMinutes'],
    [{ idleTimeoutMs: MIN, promptBeforeIdleMs: -1 }, 'promptBeforeIdleSeconds'],
    [{ idleTimeoutMs: MIN, promptBeforeIdleMs: MIN }, 'promptBeforeIdleSeconds'],
    [{ idleTimeoutMs: MIN, promptBeforeIdleMs: 0, syncIntervalMs: 0 }, 'syncIntervalMs'],
  ];
  for (const [options, option] of bad) {
    assert.throws(() => new IdleSignOutPolicy(options), e => e instanceof WasmAuthUiConfigError && e.name === 'ConfigError' && e.option === option && e.message.startsWith(`${option}: `), JSON.stringify(options));
  }
  // Fractions of a minute are allowed (Backstage's AutoLogout refuses less than 0.5 min).
  assert.equal(new IdleSignOutPolicy({ idleTimeoutMs: 0.1 * MIN, promptBeforeIdleMs: 3000 }).phase(), 'active');
});

const warnBeforeMs = DEFAULT_WARN_BEFORE_SECONDS * 1000;
const err = new Error('refused');

test('notice: nothing for a healthy session, a session that never expires, a sign-out here, or before any session', () => {
  const now = 1_000_000;
  const none = { kind: 'none' };
  assert.deepEqual(sessionNoticeView(undefined, { now, warnBeforeMs, hadSession: true }), none);
  assert.deepEqual(sessionNoticeView({ status: 'signedIn', expiresAt: now + 1000 }, { now, warnBeforeMs, hadSession: true }), none, 'a due refresh that has not failed');
  assert.deepEqual(sessionNoticeView({ status: 'signedIn', refreshFailed: { reason: 'refused', error: err } }, { now, warnBeforeMs, hadSession: true }), none, 'no expiry');
  for (const reason of ['initial', 'signOut']) {
    assert.deepEqual(sessionNoticeView({ status: 'signedOut', reason }, { now, warnBeforeMs, hadSession: true }), none, reason);
  }
  for (const reason of ['expired', 'otherTab']) {
    assert.deepEqual(sessionNoticeView({ status: 'signedOut', reason }, { now, warnBeforeMs, hadSession: false }), none, `${reason} on a page that never had the session (the sign-in page)`);
  }
});

test('notice: a failed refresh warns within warnBefore, with the time left; refused and past expiry is ended', () => {
  const now = 1_000_000;
  const lc = (reason, expiresAt) => ({ status: 'signedIn', expiresAt, refreshFailed: { reason, error: err } });
  assert.deepEqual(sessionNoticeView(lc('refused', now + warnBeforeMs + 1), { now, warnBeforeMs, hadSession: true }), { kind: 'none' }, 'not yet');
  assert.deepEqual(sessionNoticeView(lc('refused', now + 90_000), { now, warnBeforeMs, hadSession: true }),
    { kind: 'expiring', reason: 'refused', expiresAt: now + 90_000, msLeft: 90_000 });
  assert.deepEqual(sessionNoticeView(lc('network', now + 90_000), { now, warnBeforeMs, hadSession: true }),
    { kind: 'expiring', reason: 'network', expiresAt: now + 90_000, msLeft: 90_000 });
  assert.deepEqual(sessionNoticeView(lc('refused', now), { now, warnBeforeMs, hadSession: true }),
    { kind: 'ended', reason: 'expired', error: err }, 'the core has not noticed yet: it is over all the same');
  assert.deepEqual(sessionNoticeView(lc('network', now - 5000), { now, warnBeforeMs, hadSession: true }),
    { kind: 'expiring', reason: 'network', expiresAt: now - 5000, msLeft: 0 }, 'no answer: the core keeps the session past expiry');
  assert.deepEqual(sessionNoticeView({ status: 'signedOut', reason: 'expired', error: err }, { now, warnBeforeMs, hadSession: true }),
    { kind: 'ended', reason: 'expired', error: err });
  assert.deepEqual(sessionNoticeView({ status: 'signedOut', reason: 'otherTab' }, { now, warnBeforeMs, hadSession: true }),
    { kind: 'ended', reason: 'otherTab' });
});

test('notice: when the view changes with time alone', () => {
  const now = 1_000_000;
  const lc = expiresAt => ({ status: 'signedIn', expiresAt, refreshFailed: { reason: 'refused', error: err } });
  assert.equal(nextNoticeChangeAt(lc(now + warnBeforeMs + 5000), { now, warnBeforeMs }), now + 5000, 'the threshold');
  assert.equal(nextNoticeChangeAt(lc(now + 90_400), { now, warnBeforeMs }), now + 400, 'the next whole second left');
  assert.equal(nextNoticeChangeAt(lc(now + 90_000), { now, warnBeforeMs }), now + 1000);
  assert.equal(nextNoticeChangeAt(lc(now), { now, warnBeforeMs }), undefined, 'over');
  assert.equal(nextNoticeChangeAt({ status: 'signedIn', expiresAt: now + 1000 }, { now, warnBeforeMs }), undefined, 'no failed refresh');
  assert.equal(nextNoticeChangeAt({ status: 'signedOut', reason: 'expired' }, { now, warnBeforeMs }), undefined);
});

test('notice: time left, rounded up to the second', () => {
  assert.equal(formatTimeLeft(0), '0 s');
  assert.equal(formatTimeLeft(-5), '0 s');
  assert.equal(formatTimeLeft(1), '1 s');
  assert.equal(formatTimeLeft(59_001), '1 min 00 s');
  assert.equal(formatTimeLeft(245_000), '4 min 05 s');
  assert.equal(formatTimeLeft(3_600_000), '60 min 00 s');
});

test('idle sync: announcements reach the other tabs of the scope only; malformed messages are dropped', async () => {
  const { IdleSync } = await load('js/ui/idleSync.ts');
  const got = { a: [], b: [], other: [] };
  const a = new IdleSync('plugin.wasm-auth.oidc', m => got.a.push(m));
  const b = new IdleSync('plugin.wasm-auth.oidc', m => got.b.push(m));
  const other = new IdleSync('plugin.wasm-auth.github', m => got.other.push(m));
  // A script of the origin posting on the same channel name: only well-formed messages count.
  const raw = new BroadcastChannel('backstage-wasm-auth:idle:plugin.wasm-auth.oidc');
  try {
    a.post({ type: 'activity', at: 123 });
    raw.postMessage({ type: 'activity', at: 'soon' });
    raw.postMessage({ type: 'logout', at: 1 });
    raw.postMessage(null);
    a.post({ type: 'idle', at: 456 });
    await new Promise(r => setTimeout(r, 50));
    assert.deepEqual(got.b, [{ type: 'activity', at: 123 }, { type: 'idle', at: 456 }]);
    assert.deepEqual(got.a, [], 'a tab does not hear itself');
    assert.deepEqual(got.other, [], 'another API\'s channel');
    // No localStorage in Node: nothing stored, nothing thrown.
    assert.equal(a.storedActivity(), undefined);
    assert.equal(a.storedIdle(), false);
    a.clear();
  } finally {
    for (const s of [a, b, other]) s.close();
    raw.close();
  }
});
