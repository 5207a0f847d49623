/**
 * `backstage-wasm-auth/theme-frame`: the iframe half of the theme bridge for any page (no React,
 * no Backstage, no bundler needed). Loads the theme bridge's own WASM module (never the
 * auth client's) and calls its `listenForTheme`, which accepts themes only from the parent window
 * and only from the allowed origins, and applies them as `--bs-*` CSS custom properties,
 * `color-scheme`, `data-theme-variant` and `data-theme-id` on `<html>`.
 *
 * Either from a script tag (starts on load):
 * ```html
 * <script type="module" src="/node_modules/backstage-wasm-auth/dist/theme/frame.js"
 *         data-allowed-origins="https://backstage.example.com"></script>
 * ```
 * or from code: `await startThemeFrame({ allowedOrigins: ['https://backstage.example.com'] })`.
 *
 * @packageDocumentation
 */
import { loadThemeCore, type CoreThemeListener, type ListenForThemeOptions } from './core.js';

export type { BridgeTheme, CoreThemeListener, ListenForThemeOptions, ThemePalette } from './core.js';

/**
 * Loads the theme bridge's WASM module (once per page) and starts listening for themes from the
 * parent page. Rejects with the module's `ConfigError` if `allowedOrigins` is empty or holds
 * anything but exact http(s) origins (`'*'` included).
 *
 * @public
 */
export async function startThemeFrame(options: ListenForThemeOptions): Promise<CoreThemeListener> {
  const core = await loadThemeCore();
  return core.listenForTheme(options);
}

/**
 * The origins listed in a script tag's `data-allowed-origins` (separated by spaces and/or
 * commas), or `undefined` if it has no such attribute.
 *
 * @public
 */
export function allowedOriginsOf(script: Element | null | undefined): string[] | undefined {
  const raw = script?.getAttribute('data-allowed-origins');
  if (raw === null || raw === undefined) return undefined;
  return raw.split(/[\s,]+/).filter(Boolean);
}

/** This module's own `<script data-allowed-origins>`, if the page loaded it with one. */
function ownScriptTag(): HTMLScriptElement | undefined {
  if (typeof document === 'undefined') return undefined;
  const tags = Array.from(
    document.querySelectorAll<HTMLScriptElement>('script[data-allowed-origins]'),
  );
  // `src` of a module script is its URL unless a redirect changed it; then a single tag is enough.
  return tags.find(s => s.src === import.meta.url) ?? (tags.length === 1 ? tags[0] : undefined);
}

function autoStart(): Promise<CoreThemeListener> | undefined {
  const origins = allowedOriginsOf(ownScriptTag());
  if (origins === undefined) return undefined;
  const started = startThemeFrame({ allowedOrigins: origins });
  started.catch(error => {
    console.error('backstage-wasm-auth/theme-frame: not listening for themes:', error);
  });
  return started;
}

/**
 * The listener started from this module's script tag (`data-allowed-origins`), or `undefined`
 * when the module was loaded without one (then call {@link startThemeFrame}).
 *
 * @public
 */
export const themeFrame: Promise<CoreThemeListener> | undefined = autoStart();
