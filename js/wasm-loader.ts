/**
 * Instantiation of a wasm-bindgen `--target web` module of pkg/, shared by every loader of the
 * package (the auth core, its PKCE variant, the theme bridge). Names no module itself: each
 * loader passes its own literal `import('../pkg/x.js')` and `new URL('../pkg/x_bg.wasm',
 * import.meta.url)`, the two forms bundlers recognise (a lazy chunk and an emitted asset).
 *
 * @packageDocumentation
 */

/** How a WASM module was instantiated: from the `.wasm` asset URL, or from inlined bytes. */
export type WasmCoreSource = 'url' | 'inline';

/** The part of a wasm-bindgen `--target web` glue the loader calls. */
export interface WasmGlue {
  default(init?: {
    module_or_path: BufferSource | WebAssembly.Module | URL | Request | Response | Promise<Response>;
  }): Promise<unknown>;
}

function decodeBase64(base64: string): Uint8Array {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array })
    .fromBase64;
  if (typeof fromBase64 === 'function') return fromBase64(base64);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * 1. `glue`: the module's `import()`, and at the same time the `fetch` of `wasmUrl()`: the two
 *    downloads overlap instead of the glue's init starting the wasm download after the glue.
 * 2. `WebAssembly.instantiateStreaming` of that response: webpack 5, rspack and Vite (build and
 *    dev server) turn `new URL('…_bg.wasm', import.meta.url)` into an emitted asset with a hashed URL.
 * 3. Only if that fails (Node and test runners cannot fetch `file:` URLs; a host may not serve
 *    the file): `inlineBytes()`, an `import()` of one of the package's `#wasm-bytes*` imports.
 *    Those resolve to the base64 copy of the module only under the `node` and `require`
 *    conditions (Node, Jest); a browser bundler gets an empty module there, so no app bundle
 *    carries the copy, and the asset URL's error stands.
 */
export async function instantiateWasm<M extends WasmGlue>(
  glue: Promise<M>,
  wasmUrl: () => URL,
  inlineBytes: () => Promise<{ default?: string }>,
): Promise<{ module: M; source: WasmCoreSource }> {
  let response: Promise<Response> | undefined;
  let urlError: unknown;
  try {
    const url = wasmUrl();
    if (url.protocol === 'file:') throw new Error(`cannot fetch ${url.href}`);
    response = fetch(url);
    response.catch(() => {}); // handled below; not an unhandled rejection if the glue fails first
  } catch (error) {
    urlError = error;
  }
  const module = await glue;
  if (response) {
    try {
      await module.default({ module_or_path: response });
      return { module, source: 'url' };
    } catch (error) {
      urlError = error;
    }
  }
  let base64: string | undefined;
  try {
    base64 = (await inlineBytes()).default;
  } catch {
    // no inlined copy reachable
  }
  if (typeof base64 !== 'string') throw urlError;
  await module.default({ module_or_path: decodeBase64(base64) as BufferSource });
  return { module, source: 'inline' };
}

/**
 * `load` run once, on first call; later calls share its promise. A failed load is not kept: the
 * next call retries.
 */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (!loading) {
      const current = load();
      loading = current;
      current.catch(() => {
        if (loading === current) loading = undefined;
      });
    }
    return loading;
  };
}
