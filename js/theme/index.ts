/**
 * `backstage-wasm-auth/theme`: `<ThemedIframe>`, an `<iframe>` that gets the Backstage app's
 * current theme pushed into it over the WASM theme bridge (`ThemeHost`), live.
 *
 * Needs React and MUI v4 (`@material-ui/core`, which every Backstage app has); the package's
 * main entry stays free of both.
 *
 * @packageDocumentation
 */
import {
  createElement,
  forwardRef,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ForwardRefExoticComponent,
  type IframeHTMLAttributes,
  type RefAttributes,
} from 'react';
import { appThemeApiRef, useApi, type AppTheme } from '@backstage/core-plugin-api';
// From the package root, not the '@material-ui/core/styles' directory: Node's ESM resolver
// refuses that directory import (MUI v4 has no `exports`), while the root resolves everywhere:
// `main` (CommonJS) in Node and Jest, `module` (ES, `sideEffects: false`, so tree-shaken) in
// Vite, rspack and webpack. Both re-export the same `useTheme` of the same `@material-ui/styles`
// theme context the app's ThemeProvider fills.
import { useTheme } from '@material-ui/core';
import { loadThemeCore, type BridgeTheme, type CoreThemeHost, type ThemeCoreModule } from './core.js';
import { defaultBridgeTheme, isBackstageMuiTheme, toBridgeTheme } from './palette.js';

export {
  DEFAULT_FONT_FAMILY,
  defaultBridgeTheme,
  defaultPalettes,
  isBackstageMuiTheme,
  isBridgeColor,
  isBridgeFontFamily,
  toBridgeTheme,
} from './palette.js';
export type { MuiThemeLike } from './palette.js';
export { loadThemeCore } from './core.js';
export type {
  BridgeTheme,
  CoreThemeHost,
  CoreThemeListener,
  ListenForThemeOptions,
  ThemeCoreModule,
  ThemePalette,
} from './core.js';

/** The same choice as Backstage's `AppThemeProvider`: the active theme, else by preference. */
function resolveAppTheme(
  themeId: string | undefined,
  preferDark: boolean,
  themes: AppTheme[],
): AppTheme | undefined {
  const selected = themeId !== undefined ? themes.find(t => t.id === themeId) : undefined;
  return (
    selected ??
    (preferDark ? themes.find(t => t.variant === 'dark') : undefined) ??
    themes.find(t => t.variant === 'light') ??
    themes[0]
  );
}

const DARK_QUERY = '(prefers-color-scheme: dark)';

function usePrefersDark(): boolean {
  const [dark, setDark] = useState(
    () => typeof window !== 'undefined' && !!window.matchMedia?.(DARK_QUERY).matches,
  );
  useEffect(() => {
    const mq = typeof window !== 'undefined' ? window.matchMedia?.(DARK_QUERY) : undefined;
    if (!mq) return undefined;
    const onChange = (e: MediaQueryListEvent) => setDark(e.matches);
    setDark(mq.matches);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  return dark;
}

/**
 * The app's current theme as a {@link BridgeTheme}, updated on every theme change.
 *
 * - `id` and, as a fallback, `variant`: from `appThemeApiRef` (`activeThemeId$()`, and the
 *   installed themes' `variant`; no active id means the same `prefers-color-scheme` choice as
 *   Backstage's `AppThemeProvider`).
 * - palette and font: from the MUI v4 theme the app renders with (`useTheme()` of
 *   `@material-ui/core`, provided by the installed theme's `Provider`), mapped by
 *   `toBridgeTheme`. Where that is not a Backstage theme (no MUI v4 theme provider), Backstage's
 *   built-in palette for the variant.
 *
 * @public
 */
export function useBridgeTheme(): BridgeTheme {
  const appThemeApi = useApi(appThemeApiRef);
  const [activeId, setActiveId] = useState(() => appThemeApi.getActiveThemeId());
  useEffect(() => {
    setActiveId(appThemeApi.getActiveThemeId());
    const sub = appThemeApi.activeThemeId$().subscribe(id => setActiveId(id));
    return () => sub.unsubscribe();
  }, [appThemeApi]);
  const preferDark = usePrefersDark();
  const muiTheme = useTheme<unknown>();
  const appTheme = resolveAppTheme(activeId, preferDark, appThemeApi.getInstalledThemes());
  const theme = isBackstageMuiTheme(muiTheme)
    ? toBridgeTheme(muiTheme, { id: appTheme?.id })
    : defaultBridgeTheme(appTheme?.variant ?? (preferDark ? 'dark' : 'light'), appTheme?.id);
  // A stable object for as long as the content is the same.
  const key = JSON.stringify(theme);
  return useMemo(() => theme, [key]); // eslint-disable-line react-hooks/exhaustive-deps
}

/**
 * Props of {@link ThemedIframe}: those of `<iframe>`, with `src` and `title` required.
 *
 * @public
 */
export interface ThemedIframeProps
  extends Omit<IframeHTMLAttributes<HTMLIFrameElement>, 'src' | 'title'> {
  /** The embedded page; it must run the iframe half (`backstage-wasm-auth/theme-frame`). */
  src: string;
  /** Accessible name of the frame (required for accessibility). */
  title: string;
  /**
   * The exact origin (`scheme://host[:port]`) the themes are posted to. Default: the origin of
   * `src` (relative to the page). Never `'*'`: the core throws a `ConfigError` for it.
   */
  targetOrigin?: string;
  /** A theme to send instead of the app's (default: {@link useBridgeTheme}). */
  theme?: BridgeTheme;
}

function originOf(src: string): string | undefined {
  try {
    const base = typeof document !== 'undefined' ? document.baseURI : undefined;
    const origin = new URL(src, base).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function invalidTheme(error: unknown, theme: BridgeTheme): BridgeTheme {
  console.warn(
    `ThemedIframe: theme '${theme.id}' rejected by the theme bridge (${String(error)}); ` +
      `sending Backstage's built-in ${theme.variant} theme instead`,
  );
  return defaultBridgeTheme(theme.variant, theme.id);
}

function createHost(core: ThemeCoreModule, theme: BridgeTheme): CoreThemeHost {
  try {
    return new core.ThemeHost(theme);
  } catch (error) {
    return new core.ThemeHost(invalidTheme(error, theme));
  }
}

function setHostTheme(host: CoreThemeHost, theme: BridgeTheme): void {
  try {
    host.setTheme(theme);
  } catch (error) {
    host.setTheme(invalidTheme(error, theme));
  }
}

/**
 * An `<iframe>` whose (cross-origin) page receives the Backstage app's theme: one `ThemeHost`
 * from the lazily loaded theme bridge WASM module is attached to the frame with the exact target origin, gets
 * `setTheme` on every theme change (coalesced by the core), and is detached and freed on
 * unmount or when the target origin changes. The embedded page applies the theme as `--bs-*`
 * CSS custom properties and `color-scheme` with `backstage-wasm-auth/theme-frame` (or the core's
 * `listenForTheme`), allowing this app's origin.
 *
 * A `sandbox` attribute must keep `allow-scripts allow-same-origin`: a sandboxed frame without
 * them has an opaque origin that nothing can be posted to.
 *
 * @example
 * ```tsx
 * <ThemedIframe src="https://docs.example.com/embedded" title="Docs" style={{ width: '100%', height: 600, border: 0 }} />
 * ```
 * @public
 */
export const ThemedIframe: ForwardRefExoticComponent<
  ThemedIframeProps & RefAttributes<HTMLIFrameElement>
> = forwardRef<HTMLIFrameElement, ThemedIframeProps>(function ThemedIframe(props, ref) {
  const { src, title, targetOrigin, theme: themeProp, ...iframeProps } = props;
  const appTheme = useBridgeTheme();
  const theme = themeProp ?? appTheme;
  const origin = useMemo(() => targetOrigin ?? originOf(src), [targetOrigin, src]);

  const iframeRef = useRef<HTMLIFrameElement | null>(null);
  const hostRef = useRef<CoreThemeHost | null>(null);
  const themeRef = useRef(theme);

  // Every theme change: to the attached host (the core skips a theme equal to the last sent).
  useEffect(() => {
    themeRef.current = theme;
    if (hostRef.current) setHostTheme(hostRef.current, theme);
  }, [theme]);

  // One host per (iframe, origin); created once the core has loaded, with the latest theme.
  useEffect(() => {
    const iframe = iframeRef.current;
    if (!iframe) return undefined;
    if (origin === undefined) {
      console.error(`ThemedIframe: no target origin for src ${JSON.stringify(src)}; give targetOrigin`);
      return undefined;
    }
    let cancelled = false;
    let host: CoreThemeHost | undefined;
    loadThemeCore()
      .then(core => {
        if (cancelled) return;
        host = createHost(core, themeRef.current);
        try {
          host.attach(iframe, origin);
        } catch (error) {
          host.free();
          host = undefined;
          throw error;
        }
        hostRef.current = host;
      })
      .catch(error => console.error('ThemedIframe: theme bridge not attached:', error));
    return () => {
      cancelled = true;
      if (host) {
        if (hostRef.current === host) hostRef.current = null;
        host.detach();
        host.free();
        host = undefined;
      }
    };
    // `src` only matters through `origin`; a new src on the same origin is re-synced by the
    // core on the frame's `load`.
  }, [origin]); // eslint-disable-line react-hooks/exhaustive-deps

  const setRef = useCallback(
    (el: HTMLIFrameElement | null) => {
      iframeRef.current = el;
      if (typeof ref === 'function') ref(el);
      else if (ref) ref.current = el;
    },
    [ref],
  );

  return createElement('iframe', { ...iframeProps, src, title, ref: setRef });
});
ThemedIframe.displayName = 'ThemedIframe';
