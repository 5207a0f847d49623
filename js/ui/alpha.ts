/**
 * `backstage-wasm-auth/ui/alpha`: `<WasmAuthSessionNotice>` for the new frontend system, as an
 * `AppRootElementBlueprint` extension (rendered at the app root, outside the app's layout, with
 * its theme and APIs) and a frontend module for the `app` plugin. Its own entry, so that
 * `backstage-wasm-auth/ui` needs no `@backstage/frontend-plugin-api` (legacy apps).
 *
 * Not installed by feature discovery (which only loads `backstage-wasm-auth/alpha`): a UI is
 * added on purpose, `createApp({ features: [wasmAuthSessionNoticeModule] })`.
 *
 * @packageDocumentation
 */
import { createElement } from 'react';
import {
  AppRootElementBlueprint,
  createFrontendModule,
  type ExtensionDefinition,
  type FrontendModule,
} from '@backstage/frontend-plugin-api';
import { wasmOidcAuthApiRef } from '../index.js';
import { WasmAuthSessionNotice, type WasmAuthSessionNoticeProps } from './index.js';

/**
 * Creates the `AppRootElementBlueprint` extension (`app-root-element:<plugin>/<name>`) that
 * renders {@link WasmAuthSessionNotice} with these props (app config
 * `wasmAuth.sessionNotice` overrides them, as for the component).
 *
 * @param options - the component's props, plus the extension `name` (default
 *   `wasm-auth-session-notice`; give each one its own when there are several).
 * @public
 */
export function createWasmAuthSessionNoticeExtension(
  options: WasmAuthSessionNoticeProps & { name?: string },
): ExtensionDefinition {
  const { name, ...props } = options;
  return AppRootElementBlueprint.make({
    name: name ?? 'wasm-auth-session-notice',
    params: { element: createElement(WasmAuthSessionNotice, props) },
  });
}

/**
 * Creates a frontend module (plugin `app`) with the session notice for `apiRef`.
 *
 * @example
 * ```ts
 * createApp({ features: [createWasmAuthSessionNoticeModule({ apiRef: myAuthApiRef, idleSignOut: { idleTimeoutMinutes: 30 } })] })
 * ```
 * @public
 */
export function createWasmAuthSessionNoticeModule(
  options: WasmAuthSessionNoticeProps & { name?: string },
): FrontendModule {
  return createFrontendModule({ pluginId: 'app', extensions: [createWasmAuthSessionNoticeExtension(options)] });
}

/**
 * The session notice for {@link wasmOidcAuthApiRef} with the default options (idle sign-out
 * off unless app config `wasmAuth.sessionNotice.idleSignOut` turns it on), extension id
 * `app-root-element:app/wasm-auth-session-notice`. Also the default export.
 *
 * @public
 */
export const wasmAuthSessionNoticeModule: FrontendModule = createWasmAuthSessionNoticeModule({
  apiRef: wasmOidcAuthApiRef,
});

export default wasmAuthSessionNoticeModule;
