/**
 * The timing policy of the idle sign-out, without timers, DOM or storage: which phase the
 * origin's tabs are in (active, prompting, idle) from the last activity any of them saw, and
 * which activity to announce to the other tabs when. The clock is injected (unit tests, and
 * `Date.now` in the browser: the wall clock, the one every tab of the origin shares).
 */

/** Options of {@link IdleSignOutPolicy}, in milliseconds. @public */
export interface IdleSignOutPolicyOptions {
  /** Time without activity in any tab after which the user is signed out (> 0). */
  idleTimeoutMs: number;
  /** How long before that the "Stay signed in" prompt opens (0: no prompt; < idleTimeoutMs). */
  promptBeforeIdleMs: number;
  /** At most one activity announcement per interval and tab (default 1000). */
  syncIntervalMs?: number;
  /** The clock (default `Date.now`). */
  now?: () => number;
  /** The last activity known when starting (another tab's, from storage); default: now. */
  lastActivity?: number;
}

/** `active`: nothing to show; `prompt`: ask "Stay signed in?"; `idle`: sign out now. @public */
export type IdlePhase = 'active' | 'prompt' | 'idle';

/** The default interval between two activity announcements of one tab. @public */
export const DEFAULT_IDLE_SYNC_INTERVAL_MS = 1000;

/**
 * A configuration error of the session UI, named `ConfigError` like the core's; `option` names
 * the offending option.
 *
 * @public
 */
export class WasmAuthUiConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

/**
 * Idle sign-out timing for the tabs of one origin.
 *
 * - Activity in this tab counts, except while the prompt is open: then only the prompt's own
 *   button (an `explicit` activity) does, as in Backstage's `AutoLogout` (react-idle-timer
 *   ignores activity while prompted), so that a stray mouse move does not dismiss it.
 * - Another tab's announced activity always counts (that tab only announces what counted there).
 * - Announcements: the first activity at once, then at most one per `syncIntervalMs` (the latest
 *   time, at the next wake-up); an explicit one at once. A peer therefore learns of an activity at
 *   most one interval late; when the prompt is shorter than two intervals, `idle` comes that much
 *   later (`graceMs`) so that such an activity still reaches the tab before it signs out.
 *
 * @public
 */
export class IdleSignOutPolicy {
  readonly idleTimeoutMs: number;
  readonly promptBeforeIdleMs: number;
  readonly syncIntervalMs: number;
  /** Extra wait after the idle deadline before `idle` (see the class comment). */
  readonly graceMs: number;
  readonly #now: () => number;
  #lastActivity: number;
  /** The latest activity time announced by this tab or heard from a peer. */
  #announced: number;
  #lastAnnouncementAt = Number.NEGATIVE_INFINITY;
  #explicitPending = false;

  constructor(options: IdleSignOutPolicyOptions) {
    const { idleTimeoutMs, promptBeforeIdleMs } = options;
    const syncIntervalMs = options.syncIntervalMs ?? DEFAULT_IDLE_SYNC_INTERVAL_MS;
    if (!(Number.isFinite(idleTimeoutMs) && idleTimeoutMs > 0)) {
      throw new WasmAuthUiConfigError('idleTimeoutMinutes', `must be a number > 0, not ${String(idleTimeoutMs)}`);
    }
    if (!(Number.isFinite(promptBeforeIdleMs) && promptBeforeIdleMs >= 0)) {
      throw new WasmAuthUiConfigError(
        'promptBeforeIdleSeconds',
        `must be a number >= 0 (0: no prompt), not ${String(promptBeforeIdleMs)}`,
      );
    }
    if (promptBeforeIdleMs >= idleTimeoutMs) {
      throw new WasmAuthUiConfigError('promptBeforeIdleSeconds', 'must be shorter than idleTimeoutMinutes');
    }
    if (!(Number.isFinite(syncIntervalMs) && syncIntervalMs > 0)) {
      throw new WasmAuthUiConfigError('syncIntervalMs', `must be a number > 0, not ${String(syncIntervalMs)}`);
    }
    this.idleTimeoutMs = idleTimeoutMs;
    this.promptBeforeIdleMs = promptBeforeIdleMs;
    this.syncIntervalMs = syncIntervalMs;
    this.graceMs = Math.max(0, 2 * syncIntervalMs - promptBeforeIdleMs);
    this.#now = options.now ?? Date.now;
    const now = this.#now();
    // A stored time from the future (another clock, tampering) must not postpone the sign-out.
    const start = options.lastActivity;
    this.#lastActivity = start !== undefined && Number.isFinite(start) && start <= now ? start : now;
    this.#announced = this.#lastActivity;
  }

  /** The last activity any tab is known to have seen. */
  get lastActivity(): number {
    return this.#lastActivity;
  }

  /** The idle deadline: the last activity plus the timeout. */
  idleAt(): number {
    return this.#lastActivity + this.idleTimeoutMs;
  }

  /** When the prompt opens (equal to {@link idleAt} without a prompt). */
  promptAt(): number {
    return this.idleAt() - this.promptBeforeIdleMs;
  }

  /** When {@link phase} becomes `idle`. */
  signOutAt(): number {
    return this.idleAt() + this.graceMs;
  }

  phase(): IdlePhase {
    const now = this.#now();
    if (now >= this.signOutAt()) return 'idle';
    if (this.promptBeforeIdleMs > 0 && now >= this.promptAt()) return 'prompt';
    return 'active';
  }

  /** Milliseconds until the idle deadline (the prompt's countdown), never negative. */
  msUntilIdle(): number {
    return Math.max(0, this.idleAt() - this.#now());
  }

  /**
   * Activity in this tab (an input event, or with `explicit` the prompt's "Stay signed in").
   * Returns whether it counted: not while prompting unless explicit, never once idle.
   */
  activity(explicit = false): boolean {
    const phase = this.phase();
    if (phase === 'idle' || (phase === 'prompt' && !explicit)) return false;
    this.#lastActivity = Math.max(this.#lastActivity, this.#now());
    if (explicit) this.#explicitPending = true;
    return true;
  }

  /**
   * Activity another tab announced, at its time `at`. Ignored once idle here (this tab is
   * signing out), and when not a finite time at or before now.
   */
  peerActivity(at: number): void {
    if (!Number.isFinite(at) || at > this.#now() || this.phase() === 'idle') return;
    if (at > this.#lastActivity) this.#lastActivity = at;
    if (at > this.#announced) this.#announced = at;
  }

  /**
   * The activity time to announce to the other tabs now, if any: one not yet announced (nor
   * heard from a peer), at most once per `syncIntervalMs`, an explicit one at once.
   */
  takeAnnouncement(): number | undefined {
    if (this.#lastActivity <= this.#announced) return undefined;
    const now = this.#now();
    if (!this.#explicitPending && now - this.#lastAnnouncementAt < this.syncIntervalMs) return undefined;
    this.#explicitPending = false;
    this.#lastAnnouncementAt = now;
    this.#announced = this.#lastActivity;
    return this.#lastActivity;
  }

  /**
   * When to look again ({@link phase}, {@link takeAnnouncement}): the next of the prompt, the
   * sign-out and a held-back announcement.
   */
  nextWakeAt(): number {
    const now = this.#now();
    const times = [this.signOutAt()];
    if (this.promptBeforeIdleMs > 0 && this.promptAt() > now) times.push(this.promptAt());
    if (this.#lastActivity > this.#announced) times.push(this.#lastAnnouncementAt + this.syncIntervalMs);
    return Math.min(...times);
  }
}
