// Type test (tsc --noEmit) of `backstage-wasm-auth/ui` and `backstage-wasm-auth/ui/alpha`,
// through the package's own `exports` (dist/ui/*.d.ts).
import { createElement, type ReactElement } from 'react';
import type { ExtensionDefinition, FrontendModule } from '@backstage/frontend-plugin-api';
import { createWasmAuthApiRef, wasmOidcAuthApiRef, type SessionLifecycle } from 'backstage-wasm-auth';
import {
  DEFAULT_PROMPT_BEFORE_IDLE_SECONDS,
  DEFAULT_WARN_BEFORE_SECONDS,
  IdleSignOutPolicy,
  WasmAuthSessionNotice,
  WasmAuthUiConfigError,
  sessionNoticeView,
  type IdlePhase,
  type SessionNoticeView,
  type WasmAuthIdleSignOutOptions,
  type WasmAuthSessionNoticeProps,
} from 'backstage-wasm-auth/ui';
import wasmAuthSessionNoticeModuleDefault, {
  createWasmAuthSessionNoticeExtension,
  createWasmAuthSessionNoticeModule,
  wasmAuthSessionNoticeModule,
} from 'backstage-wasm-auth/ui/alpha';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_?: T) {}

// (1) the component: apiRef required, the rest optional; idleTimeoutMinutes required when idle is on
const element: ReactElement = createElement(WasmAuthSessionNotice, { apiRef: wasmOidcAuthApiRef });
createElement(WasmAuthSessionNotice, {
  apiRef: createWasmAuthApiRef('github'),
  warnBeforeSeconds: 120,
  idleSignOut: { idleTimeoutMinutes: 30, promptBeforeIdleSeconds: 20, events: ['keydown'] },
});
// @ts-expect-error apiRef is required
createElement(WasmAuthSessionNotice, {});
// @ts-expect-error idleTimeoutMinutes is required
const noTimeout: WasmAuthIdleSignOutOptions = { promptBeforeIdleSeconds: 5 };
// @ts-expect-error an API ref of another type is refused
createElement(WasmAuthSessionNotice, { apiRef: { id: 'x', T: 1 as unknown as string } });

// (2) the pure halves
const view: SessionNoticeView = sessionNoticeView({ status: 'signedOut', reason: 'expired' } satisfies SessionLifecycle, {
  now: Date.now(),
  warnBeforeMs: DEFAULT_WARN_BEFORE_SECONDS * 1000,
  hadSession: true,
});
if (view.kind === 'expiring') assertType<Equals<typeof view.reason, 'network' | 'refused'>>();
const phase: IdlePhase = new IdleSignOutPolicy({ idleTimeoutMs: 60_000, promptBeforeIdleMs: DEFAULT_PROMPT_BEFORE_IDLE_SECONDS * 1000 }).phase();
assertType<Equals<typeof phase, 'active' | 'prompt' | 'idle'>>();
const configError = new WasmAuthUiConfigError('warnBeforeSeconds', 'x');
assertType<Equals<typeof configError.option, string>>();

// (3) the new frontend system
const ext: ExtensionDefinition = createWasmAuthSessionNoticeExtension({ apiRef: wasmOidcAuthApiRef, name: 'notice' });
const mod: FrontendModule = createWasmAuthSessionNoticeModule({ apiRef: wasmOidcAuthApiRef, idleSignOut: { idleTimeoutMinutes: 15 } });
assertType<Equals<typeof wasmAuthSessionNoticeModuleDefault, typeof wasmAuthSessionNoticeModule>>();
const props: WasmAuthSessionNoticeProps = { apiRef: wasmOidcAuthApiRef };
void [element, noTimeout, ext, mod, props];
