// Type test (tsc --noEmit) of `backstage-wasm-auth/theme` and `backstage-wasm-auth/theme-frame`,
// through the package's own `exports` (dist/theme/*.d.ts).
import { createElement, createRef, type ComponentProps } from 'react';
import {
  ThemedIframe,
  defaultBridgeTheme,
  defaultPalettes,
  isBridgeColor,
  loadThemeCore,
  toBridgeTheme,
  useBridgeTheme,
  type BridgeTheme,
  type CoreThemeHost,
  type ThemeCoreModule,
  type ThemedIframeProps,
  type ThemePalette,
} from 'backstage-wasm-auth/theme';
import {
  allowedOriginsOf,
  startThemeFrame,
  themeFrame,
  type CoreThemeListener,
  type ListenForThemeOptions,
} from 'backstage-wasm-auth/theme-frame';
import type * as Generated from '../../../pkg/backstage_wasm_auth_theme.js';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_?: T) {}

// (1) props: src and title required, targetOrigin/theme optional, every <iframe> prop, an iframe ref
const ref = createRef<HTMLIFrameElement>();
createElement(ThemedIframe, { src: 'https://docs.example.com/embedded', title: 'Docs' });
createElement(ThemedIframe, {
  src: 'https://docs.example.com/embedded',
  title: 'Docs',
  targetOrigin: 'https://docs.example.com',
  theme: defaultBridgeTheme('dark'),
  ref,
  style: { width: '100%', height: 600, border: 0 },
  sandbox: 'allow-scripts allow-same-origin',
  allow: 'clipboard-write',
  loading: 'lazy',
  referrerPolicy: 'no-referrer',
  className: 'frame',
  id: 'docs',
  onLoad: e => void e.currentTarget.contentWindow,
});
// @ts-expect-error title is required
createElement(ThemedIframe, { src: 'https://docs.example.com/embedded' });
// @ts-expect-error src is required
createElement(ThemedIframe, { title: 'Docs' });
// @ts-expect-error targetOrigin is a string
createElement(ThemedIframe, { src: 'https://x.example', title: 'X', targetOrigin: new URL('https://x.example') });
// @ts-expect-error not an iframe prop
createElement(ThemedIframe, { src: 'https://x.example', title: 'X', notAProp: 1 });
// @ts-expect-error the ref is an iframe's
createElement(ThemedIframe, { src: 'https://x.example', title: 'X', ref: createRef<HTMLDivElement>() });
// @ts-expect-error a theme must be complete
createElement(ThemedIframe, { src: 'https://x.example', title: 'X', theme: { id: 'x', variant: 'dark' } });

type Props = ComponentProps<typeof ThemedIframe>;
assertType<Equals<Props['src'], string>>();
assertType<Equals<Props['title'], string>>();
assertType<Equals<Props['targetOrigin'], string | undefined>>();
assertType<Equals<Props['sandbox'], string | undefined>>();
const asProps: ThemedIframeProps = { src: 'a', title: 'b' };

// (2) the theme shape
assertType<Equals<BridgeTheme['variant'], 'light' | 'dark'>>();
assertType<
  Equals<
    keyof ThemePalette,
    | 'primary' | 'background' | 'paper' | 'textPrimary' | 'textSecondary' | 'divider'
    | 'error' | 'warning' | 'success' | 'info' | 'navigation'
  >
>();
assertType<Equals<ReturnType<typeof useBridgeTheme>, BridgeTheme>>();
const fromMui: BridgeTheme = toBridgeTheme({ palette: { type: 'dark', primary: { main: '#fff' } } }, { id: 'dark' });
const lightPrimary: string = defaultPalettes.light.primary;
const colorOk: boolean = isBridgeColor('#fff');
// @ts-expect-error variant is light or dark
defaultBridgeTheme('sepia');

// (3) the core's theme classes, as loaded
async function host(iframe: HTMLIFrameElement): Promise<CoreThemeHost> {
  const core: ThemeCoreModule = await loadThemeCore();
  const h = new core.ThemeHost(defaultBridgeTheme('light'));
  h.attach(iframe, 'https://docs.example.com');
  h.setTheme(defaultBridgeTheme('dark'));
  const n: number = h.sentCount;
  void n;
  return h;
}

// (4) the iframe half
const options: ListenForThemeOptions = { allowedOrigins: ['https://backstage.example.com'], apply: t => void t.palette.primary };
const listening: Promise<CoreThemeListener> = startThemeFrame(options);
const fromTag: Promise<CoreThemeListener> | undefined = themeFrame;
const origins: string[] | undefined = allowedOriginsOf(document.querySelector('script'));
// @ts-expect-error allowedOrigins is required
void startThemeFrame({});

// (5) the generated theme module (pkg/backstage_wasm_auth_theme.js, from the Rust
// typescript_custom_section) fits the contract
declare const generated: typeof Generated;
const generatedAsContract: ThemeCoreModule = generated;
declare const generatedListener: Generated.ThemeListener;
const listenerAsContract: CoreThemeListener = generatedListener;
declare const generatedTheme: Generated.BridgeTheme;
const themeBack: BridgeTheme = generatedTheme;
const themeThere: Generated.BridgeTheme = fromMui;

export { asProps, fromMui, lightPrimary, colorOk, host, listening, fromTag, origins };
export { generatedAsContract, listenerAsContract, themeBack, themeThere };
