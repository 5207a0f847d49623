// WITH the package: its frontend module provides the API (ApiBlueprint), the sign-in page uses its ref.
import wasmAuthModule from 'backstage-wasm-auth/alpha';
import { createWasmSignInProvider, wasmOidcAuthApiRef } from 'backstage-wasm-auth';

export const features = [wasmAuthModule];
export const provider = createWasmSignInProvider({ apiRef: wasmOidcAuthApiRef, title: 'IdP', message: 'Sign in with the IdP' });
