/**
 * The new frontend system (`@backstage/frontend-plugin-api`) integration: an `ApiBlueprint`
 * extension per provider and a frontend module for the `app` plugin. The default export is that
 * module for the `oidc` provider, so feature discovery (`app.packages: all`) installs it.
 *
 * @packageDocumentation
 */
import {
  ApiBlueprint,
  createFrontendModule,
  type ExtensionDefinition,
  type FrontendModule,
} from '@backstage/frontend-plugin-api';
import {
  createWasmAuthApiFactory,
  wasmOidcAuthApiRef,
  type WasmAuthApiFactoryOptions,
} from './index.js';

/**
 * Creates the `ApiBlueprint` extension (`api:<plugin>/<name>`) that provides a WASM auth API.
 *
 * @param options - as {@link createWasmAuthApiFactory}, plus the extension `name`
 *   (default `wasm-auth-<provider.id>`).
 * @public
 */
export function createWasmAuthApiExtension(
  options: WasmAuthApiFactoryOptions & { name?: string },
): ExtensionDefinition {
  const { name, ...factoryOptions } = options;
  return ApiBlueprint.make({
    name: name ?? `wasm-auth-${options.provider.id}`,
    params: defineParams => defineParams(createWasmAuthApiFactory(factoryOptions)),
  });
}

/**
 * The `ApiBlueprint` extension for {@link wasmOidcAuthApiRef} (backend provider `oidc`), with
 * extension id `api:app/wasm-auth-oidc` when installed through {@link wasmAuthModule}.
 *
 * @public
 */
export const wasmOidcAuthApiExtension: ExtensionDefinition = createWasmAuthApiExtension({
  apiRef: wasmOidcAuthApiRef,
  provider: { id: 'oidc', title: 'OpenID Connect' },
});

/**
 * Creates a frontend module for the `app` plugin that installs the given API extensions, e.g.
 * one per provider: `createWasmAuthModule([createWasmAuthApiExtension({...})])`.
 *
 * @public
 */
export function createWasmAuthModule(extensions: ExtensionDefinition[]): FrontendModule {
  return createFrontendModule({ pluginId: 'app', extensions });
}

/**
 * The frontend module (plugin `app`) providing {@link wasmOidcAuthApiRef}. Also the default
 * export of `backstage-wasm-auth/alpha`, for feature discovery.
 *
 * @public
 */
export const wasmAuthModule: FrontendModule = createWasmAuthModule([wasmOidcAuthApiExtension]);

export default wasmAuthModule;
