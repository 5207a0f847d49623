// The theme bridge in a real Backstage app: a page with <ThemedIframe> (backstage-wasm-auth/theme)
// framing a page from a second origin, buttons that switch the app theme through appThemeApiRef,
// a third, custom theme (to tell the MUI palette apart from the built-in fallbacks), a `theme`
// prop override (a change without a remount) and an unmount/remount toggle.
//
// @backstage/theme (and @material-ui/core, which backstage-wasm-auth/theme imports) come in
// through @backstage/plugin-app and @backstage/core-components, pinned by package-lock.json;
// npm refuses to list them directly (MUI v4 declares a React <= 17 peer).
import React, { useState } from 'react';
import {
  PageBlueprint,
  appThemeApiRef,
  configApiRef,
  createFrontendModule,
  createFrontendPlugin,
  useApi,
} from '@backstage/frontend-plugin-api';
import { ThemeBlueprint } from '@backstage/plugin-app-react';
import { UnifiedThemeProvider, createUnifiedTheme, palettes } from '@backstage/theme';
import { ThemedIframe, defaultBridgeTheme, useBridgeTheme } from 'backstage-wasm-auth/theme';

/** A dark theme with its own primary and sidebar colours (and a font). */
const purple = createUnifiedTheme({
  palette: {
    ...palettes.dark,
    primary: { main: '#AB47BC' },
    navigation: { ...palettes.dark.navigation, background: '#2A1033' },
  },
  fontFamily: 'Roboto, "Open Sans", sans-serif',
});

export const purpleThemeModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    ThemeBlueprint.make({
      name: 'wasm-test-purple',
      params: {
        theme: {
          id: 'wasm-test-purple',
          title: 'Purple',
          variant: 'dark',
          Provider: ({ children }) => <UnifiedThemeProvider theme={purple}>{children}</UnifiedThemeProvider>,
        },
      },
    }),
  ],
});

/** Sent through the `theme` prop: a change while the frame stays mounted (setTheme). */
const overrideTheme = {
  ...defaultBridgeTheme('dark', 'override'),
  fontFamily: 'monospace',
};
overrideTheme.palette = { ...overrideTheme.palette, primary: '#123456' };

function ThemedPage() {
  const config = useApi(configApiRef);
  const appThemeApi = useApi(appThemeApiRef);
  const bridgeTheme = useBridgeTheme();
  const [shown, setShown] = useState(true);
  const [override, setOverride] = useState(false);
  const frameUrl = config.getString('themeTest.frameUrl');
  return (
    <div style={{ padding: 24 }}>
      <h2>Themed iframe</h2>
      {['light', 'dark', 'wasm-test-purple'].map(id => (
        <button key={id} data-testid={`theme-${id}`} onClick={() => appThemeApi.setActiveThemeId(id)}>
          {id}
        </button>
      ))}
      <button data-testid="theme-auto" onClick={() => appThemeApi.setActiveThemeId(undefined)}>
        auto
      </button>
      <button data-testid="toggle-frame" onClick={() => setShown(s => !s)}>
        {shown ? 'unmount' : 'mount'} frame
      </button>
      <button data-testid="override-on" onClick={() => setOverride(true)}>override</button>
      <button data-testid="override-off" onClick={() => setOverride(false)}>app theme</button>
      <pre data-testid="bridgeTheme">{JSON.stringify(override ? overrideTheme : bridgeTheme)}</pre>
      {shown && (
        <ThemedIframe
          src={frameUrl}
          theme={override ? overrideTheme : undefined}
          title="Themed frame"
          data-testid="themed-frame"
          style={{ width: 640, height: 320, border: 0, display: 'block' }}
        />
      )}
    </div>
  );
}

/** /themed: the ThemedIframe page. */
export const themedPagePlugin = createFrontendPlugin({
  pluginId: 'themed',
  extensions: [
    PageBlueprint.make({
      params: { path: '/themed', loader: async () => <ThemedPage /> },
    }),
  ],
});
