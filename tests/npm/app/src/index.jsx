// A small Backstage app on the new frontend system, using backstage-wasm-auth the way an
// adopter would: its frontend module (the `alpha` default export) provides the auth API, and a
// SignInPage is configured with the package's provider entry. No bundler configuration.
import React from 'react';
import ReactDOM from 'react-dom/client';
import { createApp } from '@backstage/frontend-defaults';
import { ConfigReader } from '@backstage/config';
import { createFrontendFeatureLoader } from '@backstage/frontend-plugin-api';
import wasmAuthModule from 'backstage-wasm-auth/alpha';
// The session notice (and, when app config turns it on, the idle sign-out) at the app root.
import wasmAuthSessionNoticeModule from 'backstage-wasm-auth/ui/alpha';
import { signInModule, whoAmIPlugin } from './features.jsx';
import { purpleThemeModule, themedPagePlugin } from './theme.jsx';

// Config comes from the server at run time (the stack picks free ports), as app-config.json.
async function configLoader() {
  const data = await fetch('/app-config.json').then(r => r.json());
  return { config: ConfigReader.fromConfigs([{ context: 'app-config.json', data }]) };
}

// With `app.packages: all` (the Backstage CLI build), the package's `alpha` default export is
// installed by feature discovery (the CLI lists it in window['__@backstage/discovered__']);
// otherwise (the Vite build) it is installed explicitly here.
const wasmAuthFeatures = createFrontendFeatureLoader({
  loader: ({ config }) => {
    const discovery = config.getOptional('app.packages') !== undefined;
    window.__wasmAuthModuleSource = discovery ? 'discovered' : 'explicit';
    return discovery ? [] : [wasmAuthModule];
  },
});

const app = createApp({
  features: [wasmAuthFeatures, wasmAuthSessionNoticeModule, signInModule, whoAmIPlugin, purpleThemeModule, themedPagePlugin],
  advanced: { configLoader },
});

ReactDOM.createRoot(document.getElementById('root')).render(app.createRoot());
