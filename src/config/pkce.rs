//! The `pkce` options of `flow: 'pkce'` and their validation.

use super::config_error;
use crate::error::AuthError;
use crate::scopes::ScopeSet;
use crate::secure_url::check_secure_url;

/// `pkce: {issuer, clientId, redirectUri, scopes?, shareRefreshToken?, postLogoutRedirectUri?}`:
/// the OpenID Connect provider of `flow: 'pkce'`.
#[derive(Debug, Clone)]
pub struct PkceOptions {
    pub issuer: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Option<Vec<String>>,
    pub share_refresh_token: Option<bool>,
    pub post_logout_redirect_uri: Option<String>,
}

/// Validated `pkce` options.
#[derive(Debug, Clone, PartialEq)]
pub struct PkceConfig {
    /// Exactly as given (an issuer identifier is compared byte for byte with `iss`).
    pub issuer: String,
    pub client_id: String,
    pub redirect_uri: String,
    /// Whether sessions announced to the other tabs carry the refresh token (see docs/pkce.md).
    pub share_refresh_token: bool,
    /// RP-initiated logout: after a sign-out the page goes to the provider's
    /// `end_session_endpoint`, which ends the provider's own session and comes back here.
    /// `None`: sign-out ends the tokens only (the provider's session stays).
    pub post_logout_redirect_uri: Option<String>,
}

/// Sessions announced to other tabs leave the refresh token out unless the app opts in: a tab
/// that only follows gets new access tokens from the tab that holds it.
pub const PKCE_SHARE_REFRESH_TOKEN: bool = false;

/// The scopes asked for when `pkce.scopes` is not given.
pub const PKCE_DEFAULT_SCOPES: &str = "openid profile email";

impl PkceOptions {
    pub(super) fn validate(self) -> Result<(PkceConfig, ScopeSet), AuthError> {
        check_secure_url(&self.issuer, "pkce.issuer")?;
        if self.issuer.contains('?') {
            return Err(config_error("pkce.issuer must not have a query"));
        }
        check_secure_url(&self.redirect_uri, "pkce.redirectUri")?;
        if let Some(uri) = &self.post_logout_redirect_uri {
            check_secure_url(uri, "pkce.postLogoutRedirectUri")?;
        }
        let id = &self.client_id;
        if id.is_empty() || id.len() > 256 || id.chars().any(char::is_control) {
            return Err(config_error(
                "pkce.clientId must be 1-256 printable characters",
            ));
        }
        let scopes = match self.scopes {
            Some(list) => ScopeSet::from_list(list),
            None => ScopeSet::parse(PKCE_DEFAULT_SCOPES),
        };
        // An OpenID Connect request: the ID token (and its nonce) are what bind the sign-in.
        let scopes = scopes.union(&ScopeSet::parse("openid"));
        Ok((
            PkceConfig {
                issuer: self.issuer,
                client_id: self.client_id,
                redirect_uri: self.redirect_uri,
                share_refresh_token: self.share_refresh_token.unwrap_or(PKCE_SHARE_REFRESH_TOKEN),
                post_logout_redirect_uri: self.post_logout_redirect_uri,
            },
            scopes,
        ))
    }
}
