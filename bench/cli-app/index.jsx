// The app whose Backstage CLI build bench measures with and without backstage-wasm-auth (bench/lib/
// cli-app.mjs): a new-frontend-system app whose sign-in page offers one provider. Built twice by
// `backstage-cli package build` (rspack) with tests/npm/cli-app's dependencies; the two builds
// differ only in src/provider.jsx (provider-with.jsx / provider-without.jsx).
import ReactDOM from 'react-dom/client';
import { createApp } from '@backstage/frontend-defaults';
import { ConfigReader } from '@backstage/config';
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { SignInPage } from '@backstage/core-components';
import { features, provider } from './provider.jsx';

// Config comes from the server at run time (the stack picks free ports), as app-config.json.
async function configLoader() {
  const data = await fetch('/app-config.json').then(r => r.json());
  return { config: ConfigReader.fromConfigs([{ context: 'app-config.json', data }]) };
}

const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: { loader: async () => props => <SignInPage {...props} provider={provider} /> },
    }),
  ],
});

const app = createApp({ features: [...features, signInModule], advanced: { configLoader } });
ReactDOM.createRoot(document.getElementById('root')).render(app.createRoot());
