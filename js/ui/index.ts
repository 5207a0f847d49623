/**
 * `backstage-wasm-auth/ui`: `<WasmAuthSessionNotice>`, the session lifecycle made visible: a
 * warning before a session that could not be renewed runs out, a dialog that signs in again in
 * place (popup: the page, its inputs and its URL stay) once it has, and an optional idle sign-out
 * across the tabs of the origin (Backstage's `AutoLogout`, for this API).
 *
 * Legacy and new frontend system alike (React, MUI v4 and `@backstage/core-plugin-api` only);
 * the new system's extension is in `backstage-wasm-auth/ui/alpha`.
 *
 * @packageDocumentation
 */
import {
  createElement as h,
  Fragment,
  useCallback,
  useEffect,
  useRef,
  useState,
  type ReactElement,
} from 'react';
import {
  configApiRef,
  identityApiRef,
  useApi,
  useApiHolder,
  type ApiRef,
  type ConfigApi,
  type IdentityApi,
} from '@backstage/core-plugin-api';
// The package root, not per-component paths: see js/theme/index.ts (Node's ESM resolver refuses
// MUI v4's directory imports; bundlers tree-shake the root's ES build).
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Snackbar,
  SnackbarContent,
  makeStyles,
} from '@material-ui/core';
import type { SessionLifecycle, WasmAuthApiType, WasmAuthRequestOptions } from '../index.js';
import { IdleSignOutPolicy, WasmAuthUiConfigError } from './idlePolicy.js';
import { IdleSync, type IdleMessage } from './idleSync.js';
import {
  DEFAULT_WARN_BEFORE_SECONDS,
  formatTimeLeft,
  nextNoticeChangeAt,
  sessionNoticeView,
  type SessionNoticeView,
} from './sessionNotice.js';

export {
  DEFAULT_WARN_BEFORE_SECONDS,
  formatTimeLeft,
  nextNoticeChangeAt,
  sessionNoticeView,
  type SessionNoticeView,
} from './sessionNotice.js';
export {
  DEFAULT_IDLE_SYNC_INTERVAL_MS,
  IdleSignOutPolicy,
  WasmAuthUiConfigError,
  type IdlePhase,
  type IdleSignOutPolicyOptions,
} from './idlePolicy.js';

/** Backstage `AutoLogout`'s default prompt: 10 s before the sign-out. @public */
export const DEFAULT_PROMPT_BEFORE_IDLE_SECONDS = 10;

/**
 * The events that count as activity: Backstage `AutoLogout`'s, without the legacy
 * `DOMMouseScroll`, `mousewheel` and `MSPointer*` (no browser this package runs in fires them
 * alone). `visibilitychange` counts when the page becomes visible.
 *
 * @public
 */
export const DEFAULT_IDLE_ACTIVITY_EVENTS: readonly string[] = Object.freeze([
  'mousemove',
  'mousedown',
  'keydown',
  'wheel',
  'touchstart',
  'touchmove',
  'visibilitychange',
]);

/**
 * The idle sign-out: after `idleTimeoutMinutes` without activity in every tab of the origin, sign
 * out, with a "Stay signed in" prompt `promptBeforeIdleSeconds` before.
 *
 * @public
 */
export interface WasmAuthIdleSignOutOptions {
  /** Minutes without activity in any tab before the sign-out (> 0; fractions allowed). */
  idleTimeoutMinutes: number;
  /** Seconds before that the prompt opens (default {@link DEFAULT_PROMPT_BEFORE_IDLE_SECONDS}; 0: no prompt). */
  promptBeforeIdleSeconds?: number;
  /** The DOM events that count as activity (default {@link DEFAULT_IDLE_ACTIVITY_EVENTS}). */
  events?: readonly string[];
}

/**
 * Props of {@link WasmAuthSessionNotice}.
 *
 * @public
 */
export interface WasmAuthSessionNoticeProps {
  /** The auth API whose session to watch (e.g. `wasmOidcAuthApiRef`). */
  apiRef: ApiRef<WasmAuthApiType>;
  /**
   * How long before a session that could not be renewed runs out the warning shows, in seconds
   * (default {@link DEFAULT_WARN_BEFORE_SECONDS}).
   */
  warnBeforeSeconds?: number;
  /** The idle sign-out; absent (the default): off. */
  idleSignOut?: WasmAuthIdleSignOutOptions;
}

const MAX_TIMEOUT_MS = 2_147_483_647;

function later(fn: () => void, at: number): ReturnType<typeof setTimeout> {
  return setTimeout(fn, Math.min(MAX_TIMEOUT_MS, Math.max(0, at - Date.now())));
}

/** The API's lifecycle, `undefined` until its first value. */
function useLifecycle(api: WasmAuthApiType): SessionLifecycle | undefined {
  const [value, setValue] = useState<SessionLifecycle | undefined>(undefined);
  useEffect(() => {
    const sub = api.lifecycle$().subscribe({
      next: setValue,
      error: error => console.error('WasmAuthSessionNotice: lifecycle$() failed:', error),
    });
    return () => sub.unsubscribe();
  }, [api]);
  return value;
}

function signInErrorText(error: Error): string {
  switch (error.name) {
    case 'PopupRejectedError':
      return 'The browser blocked the sign-in window. Allow pop-ups for this site, then try again.';
    case 'PopupClosedError':
      return 'The sign-in window was closed before signing in finished.';
    case 'AuthConnectionError':
      return 'The sign-in server cannot be reached. Check the connection, then try again.';
    case 'TimeoutError':
      return 'Signing in took too long. Try again.';
    default:
      return `Signing in failed: ${error.message}`;
  }
}

const useStyles = makeStyles((theme: { palette: { warning: { main: string; contrastText: string } } }) => ({
  warning: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
}));

/** State of the idle sign-out for rendering: the prompt's time left, or nothing. */
interface IdleState {
  promptMsLeft: number | undefined;
  stay(): void;
  signOutNow(): void;
}

/**
 * The idle sign-out (see {@link WasmAuthIdleSignOutOptions}); `onLeave` when this tab signs out
 * for inactivity (the page then goes to the sign-in page, through `identityApi.signOut()`).
 */
function useIdleSignOut(
  options: WasmAuthIdleSignOutOptions | undefined,
  scope: string,
  lifecycle: SessionLifecycle | undefined,
  identityApi: IdentityApi,
  onLeave: () => void,
): IdleState {
  const idleTimeoutMs = options ? options.idleTimeoutMinutes * 60_000 : undefined;
  const promptBeforeIdleMs = (options?.promptBeforeIdleSeconds ?? DEFAULT_PROMPT_BEFORE_IDLE_SECONDS) * 1000;
  const events = options?.events ?? DEFAULT_IDLE_ACTIVITY_EVENTS;
  const eventsKey = events.join(' ');
  // Invalid options fail here, in render: the new system's extension boundary reports them.
  if (idleTimeoutMs !== undefined) new IdleSignOutPolicy({ idleTimeoutMs, promptBeforeIdleMs });

  const [promptMsLeft, setPromptMsLeft] = useState<number | undefined>(undefined);
  const policy = useRef<IdleSignOutPolicy | undefined>(undefined);
  const sync = useRef<IdleSync | undefined>(undefined);
  const timer = useRef<{ id: ReturnType<typeof setTimeout>; at: number } | undefined>(undefined);
  /** A user action in this page since it was last signed out (or loaded). */
  const interacted = useRef(false);
  const hadSession = useRef(false);
  const leaving = useRef(false);
  const latest = useRef({ identityApi, onLeave });
  latest.current = { identityApi, onLeave };

  const leave = useCallback((announce: boolean) => {
    if (leaving.current) return;
    leaving.current = true;
    policy.current = undefined;
    if (timer.current) clearTimeout(timer.current.id);
    setPromptMsLeft(undefined);
    // Stored before the sign-out, so that a tab told "signed out in another tab" first finds it.
    if (announce) sync.current?.post({ type: 'idle', at: Date.now() });
    latest.current.onLeave();
    latest.current.identityApi.signOut().catch(error => console.error('idle sign-out failed:', error));
  }, []);

  const schedule = useCallback(() => {
    if (timer.current) clearTimeout(timer.current.id);
    timer.current = undefined;
    const p = policy.current;
    if (!p) return;
    const announced = p.takeAnnouncement();
    if (announced !== undefined) sync.current?.post({ type: 'activity', at: announced });
    const phase = p.phase();
    if (phase === 'idle') {
      leave(true);
      return;
    }
    setPromptMsLeft(phase === 'prompt' ? p.msUntilIdle() : undefined);
    let at = p.nextWakeAt();
    // The prompt counts down whole seconds.
    if (phase === 'prompt') at = Math.min(at, Date.now() + (p.msUntilIdle() % 1000 || 1000));
    timer.current = { id: later(schedule, at), at };
  }, [leave]);

  // The channel and the activity listeners, for as long as the page is mounted with the option.
  useEffect(() => {
    if (idleTimeoutMs === undefined) return undefined;
    const onMessage = (m: IdleMessage) => {
      if (m.type === 'idle') {
        if (hadSession.current) leave(false);
        return;
      }
      const p = policy.current;
      if (!p) return;
      p.peerActivity(m.at);
      schedule();
    };
    sync.current = new IdleSync(scope, onMessage);
    const onActivity = (e: Event) => {
      if (e.type === 'visibilitychange' && document.visibilityState !== 'visible') return;
      interacted.current = true;
      const p = policy.current;
      if (!p) return;
      // Back in a tab whose timers were throttled while hidden: past the deadline is idle.
      if (p.phase() === 'idle') {
        schedule();
        return;
      }
      if (!p.activity()) return;
      const announced = p.takeAnnouncement();
      if (announced !== undefined) sync.current?.post({ type: 'activity', at: announced });
      // A held-back announcement may be due before the timer: wake up for the earlier.
      if (!timer.current || timer.current.at > p.nextWakeAt()) schedule();
    };
    const target = typeof document !== 'undefined' ? document : undefined;
    for (const type of events) target?.addEventListener(type, onActivity, { capture: true, passive: true });
    return () => {
      for (const type of events) target?.removeEventListener(type, onActivity, { capture: true });
      sync.current?.close();
      sync.current = undefined;
      policy.current = undefined;
      if (timer.current) clearTimeout(timer.current.id);
      timer.current = undefined;
    };
    // `events` only matters through its content.
  }, [scope, idleTimeoutMs, eventsKey, leave, schedule]); // eslint-disable-line react-hooks/exhaustive-deps

  // The timer runs while signed in.
  const status = lifecycle?.status;
  const signedOutReason = lifecycle?.status === 'signedOut' ? lifecycle.reason : undefined;
  useEffect(() => {
    const s = sync.current;
    if (idleTimeoutMs === undefined || !s || leaving.current) return;
    if (status === 'signedIn') {
      hadSession.current = true;
      const current = policy.current;
      if (current?.idleTimeoutMs === idleTimeoutMs && current.promptBeforeIdleMs === promptBeforeIdleMs) return;
      if (current) {
        // New options for the running timer: same last activity.
        policy.current = new IdleSignOutPolicy({ idleTimeoutMs, promptBeforeIdleMs, lastActivity: current.lastActivity });
        schedule();
        return;
      }
      // Activity stored by the tabs (also closed ones): a session restored without anyone here
      // (a reload, a new tab, the browser reopened) resumes their idle time, and is signed out at
      // once when that is over, as AutoLogout's logoutIfDisconnected; a sign-in by a user of this
      // page starts afresh.
      const stored = s.storedActivity();
      const fresh = interacted.current || stored === undefined;
      policy.current = new IdleSignOutPolicy({
        idleTimeoutMs,
        promptBeforeIdleMs,
        ...(fresh ? {} : { lastActivity: stored }),
      });
      if (fresh) s.post({ type: 'activity', at: policy.current.lastActivity });
      schedule();
      return;
    }
    if (status === 'signedOut') {
      policy.current = undefined;
      if (timer.current) clearTimeout(timer.current.id);
      timer.current = undefined;
      setPromptMsLeft(undefined);
      interacted.current = false;
      // Signed out by a tab that went idle: this one leaves too (its timer may be throttled).
      if (signedOutReason === 'otherTab' && hadSession.current && s.storedIdle()) leave(false);
      else if (signedOutReason !== 'initial') s.clear();
    }
  }, [status, signedOutReason, idleTimeoutMs, promptBeforeIdleMs, leave, schedule]);

  const stay = useCallback(() => {
    policy.current?.activity(true);
    schedule();
  }, [schedule]);
  const signOutNow = useCallback(() => leave(true), [leave]);
  return { promptMsLeft, stay, signOutNow };
}

/**
 * Shows the session's lifecycle (`lifecycle$()` of the API behind `apiRef`):
 *
 * - **expiring**: the last refresh failed and the session runs out (`refused`) or may run out
 *   (`network`) within `warnBeforeSeconds`: a non-blocking notice with the time left, "Sign in
 *   again" and "Dismiss".
 * - **ended**: the session this page had is gone, because it expired or because another tab
 *   signed out: a dialog that says why, with "Sign in again", which signs in in a popup, in place
 *   (the page, its inputs and its URL stay), and "Not now" (a smaller notice stays). When someone
 *   else signs in there, the page reloads: what it shows belongs to the previous user.
 * - a sign-out in this tab, and a page that never had a session (the sign-in page), show nothing.
 * - with `idleSignOut`: the idle sign-out across the tabs of the origin, with its prompt.
 *
 * Place it once, where the app's theme and APIs are available: the new frontend system's
 * `backstage-wasm-auth/ui/alpha` does; in a legacy app beside `<AlertDisplay />`.
 *
 * @public
 */
export function WasmAuthSessionNotice(props: WasmAuthSessionNoticeProps): ReactElement | null {
  const config = useApiHolder().get(configApiRef);
  const { apiRef, idleSignOut, warnBeforeSeconds: warnProp } = withConfig(props, config);
  const warnBeforeSeconds = warnProp ?? DEFAULT_WARN_BEFORE_SECONDS;
  if (!(Number.isFinite(warnBeforeSeconds) && warnBeforeSeconds >= 0)) {
    throw new WasmAuthUiConfigError('warnBeforeSeconds', `must be a number >= 0, not ${String(warnBeforeSeconds)}`);
  }
  const warnBeforeMs = warnBeforeSeconds * 1000;
  const api = useApi(apiRef);
  const identityApi = useApi(identityApiRef);
  const lifecycle = useLifecycle(api);
  const classes = useStyles();

  const hadSession = useRef(false);
  if (lifecycle?.status === 'signedIn') hadSession.current = true;
  const [leaving, setLeaving] = useState(false);
  const idle = useIdleSignOut(idleSignOut, apiRef.id, lifecycle, identityApi, () => setLeaving(true));

  // Re-render when the view may change with time alone (threshold, countdown, expiry).
  const [, setTick] = useState(0);
  const now = Date.now();
  const changeAt = nextNoticeChangeAt(lifecycle, { now, warnBeforeMs });
  useEffect(() => {
    if (changeAt === undefined) return undefined;
    const id = later(() => setTick(t => t + 1), changeAt);
    return () => clearTimeout(id);
  }, [changeAt]);
  const view = sessionNoticeView(lifecycle, { now, warnBeforeMs, hadSession: hadSession.current });

  // Who was signed in: another user signing in here must not see this page's content.
  const user = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (lifecycle?.status !== 'signedIn' || user.current !== undefined) return;
    api.getBackstageIdentity({ optional: true }).then(
      r => {
        user.current ??= r?.identity.userEntityRef;
      },
      () => {},
    );
  }, [api, lifecycle]);

  const [signIn, setSignIn] = useState<{ pending: boolean; error?: Error }>({ pending: false });
  const [dismissed, setDismissed] = useState<string | undefined>(undefined);
  const viewKey = viewKeyOf(view);
  // A new state of the session: earlier dismissals and errors are about another one.
  useEffect(() => {
    setSignIn(s => (s.pending ? s : { pending: false }));
  }, [viewKey]);

  const onSignIn = useCallback(() => {
    setSignIn({ pending: true });
    // Called in the click's own call stack: the popup opens within the user gesture, which
    // popup blockers let through. `flow: 'popup'` also for a redirect-flow provider: a redirect
    // would leave the page, and what it holds.
    const options: WasmAuthRequestOptions = { instantPopup: true, flow: 'popup' };
    api.getBackstageIdentity(options).then(
      identity => {
        setSignIn({ pending: false });
        setDismissed(undefined);
        const signedInAs = identity?.identity.userEntityRef;
        if (user.current !== undefined && signedInAs !== undefined && signedInAs !== user.current) {
          window.location.reload();
        }
      },
      (error: unknown) =>
        setSignIn({ pending: false, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }, [api]);

  const signInButton = (attrs: Record<string, unknown>) =>
    h(
      Button,
      { ...attrs, onClick: onSignIn, disabled: signIn.pending, 'data-testid': 'wasm-auth-sign-in-again' },
      signIn.pending ? 'Signing in…' : 'Sign in again',
    );
  const errorText = signIn.error ? signInErrorText(signIn.error) : undefined;

  const parts: ReactElement[] = [];
  if (idle.promptMsLeft !== undefined && !leaving) {
    parts.push(
      h(
        Dialog,
        { key: 'idle', open: true, 'aria-labelledby': 'wasm-auth-idle-title', 'data-testid': 'wasm-auth-idle-prompt' },
        h(DialogTitle, { id: 'wasm-auth-idle-title' }, 'Are you still there?'),
        h(
          DialogContent,
          null,
          h(
            DialogContentText,
            null,
            'Without activity in any tab you will be signed out in ',
            h('b', { 'data-testid': 'wasm-auth-idle-time-left' }, formatTimeLeft(idle.promptMsLeft)),
            '.',
          ),
        ),
        h(
          DialogActions,
          null,
          h(Button, { onClick: idle.signOutNow }, 'Sign out'),
          h(
            Button,
            { onClick: idle.stay, color: 'primary', variant: 'contained', 'data-testid': 'wasm-auth-stay-signed-in' },
            'Stay signed in',
          ),
        ),
      ),
    );
  }
  if (!leaving && view.kind === 'expiring' && dismissed !== viewKey) {
    const left = formatTimeLeft(view.msLeft);
    // The notice is an alert (announced once); its countdown, `aria-live: off`, is not read out
    // every second.
    const message =
      view.reason === 'refused'
        ? ['Your session could not be renewed and ends in ', h('b', { key: 't', 'aria-live': 'off', 'data-testid': 'wasm-auth-time-left' }, left), '. Sign in again to keep working.']
        : view.msLeft > 0
          ? ['The sign-in server cannot be reached: your session may end in ', h('b', { key: 't', 'aria-live': 'off', 'data-testid': 'wasm-auth-time-left' }, left), '.']
          : ['The sign-in server cannot be reached, and your session has expired.'];
    parts.push(
      h(
        Snackbar,
        { key: 'expiring', open: true, anchorOrigin: { vertical: 'bottom', horizontal: 'center' } },
        h(SnackbarContent, {
          className: classes.warning,
          role: 'alert',
          'data-testid': 'wasm-auth-session-expiring',
          'data-reason': view.reason,
          message: h(
            'span',
            null,
            ...message,
            errorText ? h('span', { key: 'e', style: { display: 'block' } }, errorText) : null,
          ),
          action: h(
            Fragment,
            null,
            signInButton({ color: 'inherit', size: 'small' }),
            h(Button, { color: 'inherit', size: 'small', onClick: () => setDismissed(viewKey) }, 'Dismiss'),
          ),
        }),
      ),
    );
  }
  if (!leaving && view.kind === 'ended') {
    if (dismissed === viewKey) {
      parts.push(
        h(
          Snackbar,
          { key: 'ended-small', open: true, anchorOrigin: { vertical: 'bottom', horizontal: 'center' } },
          h(SnackbarContent, {
            'data-testid': 'wasm-auth-signed-out',
            message: errorText ? `You are signed out. ${errorText}` : 'You are signed out.',
            action: signInButton({ color: 'secondary', size: 'small' }),
          }),
        ),
      );
    } else {
      const otherTab = view.reason === 'otherTab';
      parts.push(
        h(
          Dialog,
          {
            key: 'ended',
            open: true,
            onClose: () => setDismissed(viewKey),
            'aria-labelledby': 'wasm-auth-ended-title',
            'data-testid': 'wasm-auth-session-ended',
            'data-reason': view.reason,
          },
          h(
            DialogTitle,
            { id: 'wasm-auth-ended-title' },
            otherTab ? 'You signed out in another tab' : 'Your session has ended',
          ),
          h(
            DialogContent,
            null,
            h(
              DialogContentText,
              null,
              otherTab
                ? 'This tab is signed out too. '
                : 'It ran out and could not be renewed. ',
              'Sign in again to continue here: this page and what you entered in it stay as they are.',
            ),
            errorText ? h(DialogContentText, { color: 'error', role: 'alert' }, errorText) : null,
          ),
          h(
            DialogActions,
            null,
            h(Button, { onClick: () => setDismissed(viewKey) }, 'Not now'),
            signInButton({ color: 'primary', variant: 'contained' }),
          ),
        ),
      );
    }
  }
  return parts.length ? h(Fragment, null, ...parts) : null;
}

/**
 * The props with app config `wasmAuth.sessionNotice` over them (config.d.ts), as Backstage's
 * `AutoLogout` reads `auth.autologout`.
 */
function withConfig(props: WasmAuthSessionNoticeProps, config: ConfigApi | undefined): WasmAuthSessionNoticeProps {
  const c = config?.getOptionalConfig('wasmAuth.sessionNotice');
  if (!c) return props;
  const warnBeforeSeconds = c.getOptionalNumber('warnBeforeSeconds') ?? props.warnBeforeSeconds;
  const idle = c.getOptionalConfig('idleSignOut');
  let idleSignOut = props.idleSignOut;
  if (idle) {
    const idleTimeoutMinutes = idle.getOptionalNumber('idleTimeoutMinutes') ?? idleSignOut?.idleTimeoutMinutes;
    const promptBeforeIdleSeconds = idle.getOptionalNumber('promptBeforeIdleSeconds') ?? idleSignOut?.promptBeforeIdleSeconds;
    if (idle.getOptionalBoolean('enabled') === false) idleSignOut = undefined;
    else if (idleTimeoutMinutes !== undefined) {
      idleSignOut = {
        ...idleSignOut,
        idleTimeoutMinutes,
        ...(promptBeforeIdleSeconds !== undefined ? { promptBeforeIdleSeconds } : {}),
      };
    } else if (idle.getOptionalBoolean('enabled') === true) {
      throw new WasmAuthUiConfigError('wasmAuth.sessionNotice.idleSignOut.idleTimeoutMinutes', 'is required to enable the idle sign-out');
    }
  }
  return {
    ...props,
    ...(warnBeforeSeconds !== undefined ? { warnBeforeSeconds } : {}),
    ...(idleSignOut ? { idleSignOut } : { idleSignOut: undefined }),
  };
}

/** Identifies a view for dismissals: a new expiry or reason is a new notice. */
function viewKeyOf(view: SessionNoticeView): string {
  if (view.kind === 'expiring') return `expiring:${view.reason}:${view.expiresAt}`;
  if (view.kind === 'ended') return `ended:${view.reason}`;
  return 'none';
}
