/**
 * Turning a Backstage (MUI) theme into a {@link BridgeTheme}: pure functions, no React, no MUI
 * import (the theme is read structurally).
 *
 * @packageDocumentation
 */
import type { BridgeTheme, ThemePalette } from './core.js';

/** Backstage's default font stack (`@backstage/theme`'s `defaultTypography.fontFamily`). @public */
export const DEFAULT_FONT_FAMILY = '"Helvetica Neue", Helvetica, Roboto, Arial, sans-serif';

/**
 * The palettes of Backstage's built-in `light` and `dark` themes (`@backstage/theme` 0.7 with
 * MUI v4's defaults for text and divider), in bridge form; used when the app's MUI theme cannot
 * be read. tests/npm/app checks them against what the real themes produce.
 *
 * @public
 */
export const defaultPalettes: Readonly<Record<'light' | 'dark', Readonly<ThemePalette>>> = Object.freeze({
  light: Object.freeze({
    primary: '#1F5493',
    background: '#F8F8F8',
    paper: '#FFFFFF',
    textPrimary: 'rgba(0, 0, 0, 0.87)',
    textSecondary: 'rgba(0, 0, 0, 0.54)',
    divider: 'rgba(0, 0, 0, 0.12)',
    error: '#E22134',
    warning: '#FF9800',
    success: '#1DB954',
    info: '#2E77D0',
    navigation: '#171717',
  }),
  dark: Object.freeze({
    primary: '#9CC9FF',
    background: '#333333',
    paper: '#424242',
    textPrimary: '#fff',
    textSecondary: 'rgba(255, 255, 255, 0.7)',
    divider: 'rgba(255, 255, 255, 0.12)',
    error: '#F84C55',
    warning: '#FFB84D',
    success: '#71CF88',
    info: '#2E77D0',
    navigation: '#424242',
  }),
});

// The limits and grammars of the core's validation (src/theme/message/, the authority), in
// UTF-8 bytes like the core counts them; tests/theme/vectors.json holds the vectors both sides
// are tested against (here by tests/npm/unit/theme-vectors.test.mjs).
/** Largest colour, in UTF-8 bytes (`MAX_STRING_BYTES`). */
const MAX_COLOR_BYTES = 256;
/** Largest `fontFamily`, in UTF-8 bytes (`MAX_FONT_BYTES`). */
const MAX_FONT_BYTES = 512;
/** Largest theme id, in bytes (`MAX_ID_BYTES`; ids are ASCII). */
const MAX_ID_BYTES = 128;
/** Longest named colour (`MAX_NAMED_COLOR_BYTES`). */
const MAX_NAMED_COLOR_BYTES = 32;

const ID_RE = new RegExp(`^[A-Za-z0-9._:-]{1,${MAX_ID_BYTES}}$`);
const HEX_RE = /^#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;
const FUNC_RE = /^(?:rgba?|hsla?)\(([^()]*)\)$/;
const COMPONENT_RE = /^(?:none|[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:%|deg|grad|rad|turn)?)$/;
const NAMED_RE = new RegExp(`^[a-z]{1,${MAX_NAMED_COLOR_BYTES}}$`);
const FORBIDDEN_NAMES = new Set([
  'expression', 'url', 'var', 'env', 'attr', 'calc', 'image', 'element', 'import', 'javascript',
  'behavior', 'binding',
]);
// Rust's `char::is_alphanumeric`: Unicode Alphabetic or Numeric (not only letters: also the
// vowel signs of Indic scripts, for instance).
const FONT_CHARS_RE = /^[\p{Alphabetic}\p{N} ,'"-]+$/u;
const FONT_WORD_RE = /[\p{Alphabetic}\p{N}]/u;

const utf8 = new TextEncoder();
/** Whether `value` is 1 to `max` UTF-8 bytes long. */
function fits(value: string, max: number): boolean {
  // UTF-8 takes at least one byte per UTF-16 unit, at most three.
  return value.length > 0 && (value.length * 3 <= max || utf8.encode(value).length <= max);
}

/**
 * Whether `value` is a colour the bridge accepts (the same grammar the core enforces: hex,
 * `rgb()`/`rgba()`/`hsl()`/`hsla()` with numeric components, or a lower-case name).
 *
 * @public
 */
export function isBridgeColor(value: unknown): boolean {
  if (typeof value !== 'string' || !fits(value, MAX_COLOR_BYTES)) return false;
  if (value.startsWith('#')) return HEX_RE.test(value);
  const fn = FUNC_RE.exec(value);
  if (fn) {
    // Components separated by spaces/commas, optionally `/ alpha`: 3 (no slash) or 4 (<= 1 slash).
    // Only U+0020 is a space here, as in the core (no tabs, newlines or other white space).
    const args = fn[1]!;
    const parts = args.split(/[ ,/]+/).filter(Boolean);
    const slashes = (args.match(/\//g) ?? []).length;
    return (
      parts.every(p => COMPONENT_RE.test(p)) &&
      ((parts.length === 3 && slashes === 0) || (parts.length === 4 && slashes <= 1))
    );
  }
  return NAMED_RE.test(value) && !FORBIDDEN_NAMES.has(value);
}

/** Whether `value` fits the bridge's font grammar. @public */
export function isBridgeFontFamily(value: unknown): boolean {
  if (typeof value !== 'string' || !fits(value, MAX_FONT_BYTES)) return false;
  if (!FONT_CHARS_RE.test(value) || !FONT_WORD_RE.test(value)) return false;
  // Every quote closed by the same kind (the other kind may appear inside).
  let open: string | undefined;
  for (const c of value) {
    if (c === '"' || c === "'") open = open === undefined ? c : open === c ? undefined : open;
  }
  return open === undefined;
}

/** A theme id the bridge accepts, from any string (invalid characters become `-`). */
function bridgeId(id: string | undefined, fallback: string): string {
  if (id === undefined || id === '') return fallback;
  if (ID_RE.test(id)) return id;
  const cleaned = id.replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, MAX_ID_BYTES);
  return cleaned === '' ? fallback : cleaned;
}

/**
 * Backstage's built-in theme for `variant`, in bridge form.
 *
 * @public
 */
export function defaultBridgeTheme(variant: 'light' | 'dark', id: string = variant): BridgeTheme {
  return {
    id: bridgeId(id, variant),
    variant,
    palette: { ...defaultPalettes[variant] },
    fontFamily: DEFAULT_FONT_FAMILY,
  };
}

/**
 * The part of a MUI theme (v4 `Theme`, v5 `Theme`, or Backstage's `BackstageTheme`) that is
 * read; anything missing falls back to Backstage's built-in palette of the same variant.
 *
 * @public
 */
export interface MuiThemeLike {
  palette?: {
    type?: string;
    mode?: string;
    primary?: { main?: string };
    background?: { default?: string; paper?: string };
    text?: { primary?: string; secondary?: string };
    divider?: string;
    error?: { main?: string };
    warning?: { main?: string };
    success?: { main?: string };
    info?: { main?: string };
    /** Backstage's status colours (preferred over MUI's generic error/warning/success). */
    status?: { error?: string; warning?: string; ok?: string };
    /** Backstage's banner colours (`info` preferred over MUI's generic info). */
    banner?: { info?: string };
    /** Backstage's sidebar colours. */
    navigation?: { background?: string };
  };
  typography?: { fontFamily?: string };
}

/**
 * Whether `theme` is a Backstage theme (its palette has Backstage's `navigation` colours), as
 * opposed to MUI's default theme, which MUI v4's `useTheme()` returns outside a theme provider.
 *
 * @public
 */
export function isBackstageMuiTheme(theme: unknown): theme is MuiThemeLike {
  const palette = (theme as MuiThemeLike | undefined)?.palette;
  return typeof palette?.navigation?.background === 'string';
}

/**
 * Converts a MUI theme to a {@link BridgeTheme}. Mapping: `primary.main`, `background.default`,
 * `background.paper`, `text.primary`, `text.secondary`, `divider`, `status.error` (else
 * `error.main`), `status.warning` (else `warning.main`), `status.ok` (else `success.main`),
 * `banner.info` (else `info.main`), `navigation.background`, `typography.fontFamily`. The variant is
 * `palette.type` (v4) or `palette.mode` (v5), unless given. A value the bridge would reject (a
 * gradient, `var(--x)`, an upper-case name...) is replaced by the built-in one for the variant.
 *
 * @public
 */
export function toBridgeTheme(
  theme: MuiThemeLike,
  options: { id?: string; variant?: 'light' | 'dark' } = {},
): BridgeTheme {
  const p = theme.palette ?? {};
  const mode = p.type ?? p.mode;
  const variant = options.variant ?? (mode === 'dark' ? 'dark' : 'light');
  const fallback = defaultPalettes[variant];
  const pick = (key: keyof ThemePalette, ...candidates: (string | undefined)[]): string => {
    for (const c of candidates) {
      if (typeof c !== 'string') continue;
      const v: string = c.trim();
      if (isBridgeColor(v)) return v;
      // Named colours are case-insensitive in CSS; the bridge wants them in lower case.
      const lower = v.toLowerCase();
      if (/^[a-z]+$/.test(lower) && isBridgeColor(lower)) return lower;
    }
    return fallback[key];
  };
  const fontFamily = theme.typography?.fontFamily?.trim();
  return {
    id: bridgeId(options.id, variant),
    variant,
    palette: {
      primary: pick('primary', p.primary?.main),
      background: pick('background', p.background?.default),
      paper: pick('paper', p.background?.paper),
      textPrimary: pick('textPrimary', p.text?.primary),
      textSecondary: pick('textSecondary', p.text?.secondary),
      divider: pick('divider', p.divider),
      error: pick('error', p.status?.error, p.error?.main),
      warning: pick('warning', p.status?.warning, p.warning?.main),
      success: pick('success', p.status?.ok, p.success?.main),
      info: pick('info', p.banner?.info, p.info?.main),
      navigation: pick('navigation', p.navigation?.background),
    },
    fontFamily: fontFamily !== undefined && isBridgeFontFamily(fontFamily) ? fontFamily : DEFAULT_FONT_FAMILY,
  };
}
