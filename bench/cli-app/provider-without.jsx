// WITHOUT the package: the same sign-in page on one of the auth APIs every Backstage app has
// (core-app-api's OAuth2, provided by the app plugin's defaults).
import { githubAuthApiRef } from '@backstage/core-plugin-api';

export const features = [];
export const provider = { id: 'github-auth-provider', title: 'IdP', message: 'Sign in with the IdP', apiRef: githubAuthApiRef };
