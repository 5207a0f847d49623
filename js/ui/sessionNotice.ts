/**
 * What the session notice shows for a lifecycle value at a time: pure, no React (unit-tested in
 * tests/npm/unit/session-ui.test.mjs).
 */
import type { SessionLifecycle } from '../index.js';

/**
 * The default of `warnBeforeSeconds`: 5 minutes, more than the core's refresh margin (180 s, as
 * Backstage's), so a refused refresh is announced as soon as it happens, with time to save work.
 *
 * @public
 */
export const DEFAULT_WARN_BEFORE_SECONDS = 300;

/**
 * What the session notice shows.
 *
 * - `expiring`: the last refresh failed and the session ends (`refused`) or may end (`network`)
 *   at `expiresAt`, which is less than `warnBeforeSeconds` away; `msLeft` never negative.
 * - `ended`: the session this page had is gone: `expired` (ran out, could not be renewed) or
 *   `otherTab` (signed out in another tab).
 *
 * @public
 */
export type SessionNoticeView =
  | { kind: 'none' }
  | { kind: 'expiring'; reason: 'network' | 'refused'; expiresAt: number; msLeft: number }
  | { kind: 'ended'; reason: 'expired' | 'otherTab'; error?: Error };

/**
 * The notice for `lifecycle` at `now`.
 *
 * `hadSession`: whether this page saw the session signed in. A page that never had one (the
 * sign-in page, a session that was gone before this page loaded) shows nothing: there is nothing
 * to keep, and the sign-in page says the rest. A refused refresh of a session past `expiresAt` is
 * `ended` at once, before the core notices on its next call.
 *
 * @public
 */
export function sessionNoticeView(
  lifecycle: SessionLifecycle | undefined,
  options: { now: number; warnBeforeMs: number; hadSession: boolean },
): SessionNoticeView {
  if (!lifecycle) return { kind: 'none' };
  if (lifecycle.status === 'signedOut') {
    if (!options.hadSession) return { kind: 'none' };
    if (lifecycle.reason === 'expired' || lifecycle.reason === 'otherTab') {
      return lifecycle.error
        ? { kind: 'ended', reason: lifecycle.reason, error: lifecycle.error }
        : { kind: 'ended', reason: lifecycle.reason };
    }
    return { kind: 'none' };
  }
  const { refreshFailed, expiresAt } = lifecycle;
  if (!refreshFailed || expiresAt === undefined) return { kind: 'none' };
  const msLeft = expiresAt - options.now;
  if (refreshFailed.reason === 'refused' && msLeft <= 0) {
    return { kind: 'ended', reason: 'expired', error: refreshFailed.error };
  }
  if (msLeft > options.warnBeforeMs) return { kind: 'none' };
  return { kind: 'expiring', reason: refreshFailed.reason, expiresAt, msLeft: Math.max(0, msLeft) };
}

/**
 * When {@link sessionNoticeView} may change on its own (the clock crossing the warning
 * threshold, the next whole second of a countdown, the expiry), or `undefined` when only a new
 * lifecycle value can change it.
 *
 * @public
 */
export function nextNoticeChangeAt(
  lifecycle: SessionLifecycle | undefined,
  options: { now: number; warnBeforeMs: number },
): number | undefined {
  if (lifecycle?.status !== 'signedIn' || !lifecycle.refreshFailed || lifecycle.expiresAt === undefined) {
    return undefined;
  }
  const { now, warnBeforeMs } = options;
  const { expiresAt } = lifecycle;
  if (expiresAt - now > warnBeforeMs) return expiresAt - warnBeforeMs;
  if (now >= expiresAt) return undefined;
  // The countdown shows whole seconds left: it changes when (expiresAt - now) crosses one.
  const msLeft = expiresAt - now;
  return now + (msLeft % 1000 || 1000);
}

/**
 * "4 min 05 s", "42 s", "0 s": a duration for the countdowns, rounded up to the second (a notice
 * never says 0 s while time is left).
 *
 * @public
 */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return `${minutes} min ${String(rest).padStart(2, '0')} s`;
}
