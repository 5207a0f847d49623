// Type test: the wasm-bindgen output (pkg/backstage_wasm_auth.d.ts and its PKCE build's
// pkg/backstage_wasm_auth_pkce.d.ts, from the Rust `typescript_custom_section`s) still fits the
// contract the wrapper was written against (js/core.ts, from docs/client-api.md). Fails to
// compile when they drift apart.
import type * as Generated from '../../../pkg/backstage_wasm_auth.js';
import type * as GeneratedPkce from '../../../pkg/backstage_wasm_auth_pkce.js';
import type { AuthClientOptions, CoreAuthClient, CoreModule } from '../../../js/core.js';

declare const generated: typeof Generated;
const asContract: CoreModule = generated;

declare const generatedPkce: typeof GeneratedPkce;
const pkceAsContract: CoreModule = generatedPkce;

declare const client: Generated.AuthClient;
const clientAsContract: CoreAuthClient = client;

// Options the wrapper builds must be accepted by the generated constructor, and vice versa.
declare const contractOptions: AuthClientOptions;
const generatedOptions: Generated.AuthClientOptions = contractOptions;
const backToContract: AuthClientOptions = generatedOptions;

// Same option names on both sides: a new core option must be added to the wrapper's type too.
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameKeys: Equals<keyof Generated.AuthClientOptions, keyof AuthClientOptions> = true;
const sameClientMethods: Equals<
  Exclude<keyof Generated.AuthClient, typeof Symbol.dispose>,
  keyof CoreAuthClient
> = true;

export { asContract, pkceAsContract, clientAsContract, backToContract, sameKeys, sameClientMethods };
