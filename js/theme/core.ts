/**
 * The theme bridge part of the WASM core's JS contract (`ThemeHost`, `listenForTheme`; see
 * src/theme/), and its loader: the same lazily loaded module as the auth client.
 *
 * @packageDocumentation
 */
import { loadWasmCore } from '../core.js';

/**
 * Colours are CSS colour strings: `#hex`, `rgb()`/`rgba()`/`hsl()`/`hsla()`, or a lower-case
 * name. Each becomes a `--bs-*` custom property in the iframe (`textPrimary` → `--bs-text-primary`).
 *
 * @public
 */
export interface ThemePalette {
  primary: string;
  background: string;
  paper: string;
  textPrimary: string;
  textSecondary: string;
  divider: string;
  error: string;
  warning: string;
  success: string;
  info: string;
  navigation: string;
}

/**
 * The theme sent to the iframe (the wire format of the theme bridge, version 1).
 *
 * @public
 */
export interface BridgeTheme {
  /** 1-128 bytes of `[A-Za-z0-9._:-]`. */
  id: string;
  /** Also becomes the iframe's `color-scheme`. */
  variant: 'light' | 'dark';
  palette: ThemePalette;
  /** Letters, digits, spaces, commas, quotes and hyphens; at most 512 bytes (`--bs-font-family`). */
  fontFamily: string;
}

/** Options of `listenForTheme` (the iframe half). @public */
export interface ListenForThemeOptions {
  /** Exact origins (`scheme://host[:port]`) allowed to send themes; never `'*'`. */
  allowedOrigins: string[];
  /** Called with each validated theme instead of setting the default CSS custom properties. */
  apply?: (theme: BridgeTheme) => void;
}

/**
 * The core's `ThemeHost`: pushes a theme into one cross-origin iframe, always posting to one
 * exact target origin.
 *
 * @public
 */
export interface CoreThemeHost {
  attach(iframe: HTMLIFrameElement, targetOrigin: string): void;
  setTheme(theme: BridgeTheme): void;
  detach(): void;
  free(): void;
  readonly attached: boolean;
  readonly theme: BridgeTheme;
  readonly targetOrigin: string | undefined;
  readonly sentCount: number;
  readonly readyCount: number;
  readonly ackCount: number;
  readonly ignoredCount: number;
}

/** The handle `listenForTheme` returns. @public */
export interface CoreThemeListener {
  stop(): void;
  free(): void;
  readonly active: boolean;
  readonly appliedCount: number;
  readonly ignoredCount: number;
  readonly applyErrorCount: number;
  readonly current: BridgeTheme | null;
}

/** The theme bridge part of the generated module. @public */
export interface ThemeCoreModule {
  ThemeHost: new (theme: BridgeTheme) => CoreThemeHost;
  listenForTheme(options: ListenForThemeOptions): CoreThemeListener;
}

/**
 * Loads the WASM core (once per page, shared with the auth client: see `loadWasmCore`) and
 * returns its theme bridge classes.
 *
 * @public
 */
export async function loadThemeCore(): Promise<ThemeCoreModule> {
  return (await loadWasmCore()) as unknown as ThemeCoreModule;
}
