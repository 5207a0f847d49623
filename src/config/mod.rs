//! Client options as JS passes them, and their validation into a config the client can trust.

use crate::error::AuthError;
use crate::scopes::ScopeSet;
use crate::store::StorageKind;
use crate::urls::normalize_base_url;

pub mod defaults;
mod parse;
mod pkce;

pub use pkce::{PkceConfig, PkceOptions, PKCE_DEFAULT_SCOPES, PKCE_SHARE_REFRESH_TOKEN};

/// How a new session is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// `/start` in a popup; the backend posts the result back (the default).
    Popup,
    /// `/start` in the whole window; the app comes back to `redirectUrl` and refreshes.
    Redirect,
    /// No popup at all: `/refresh` is the sign-in (ALB, oauth2-proxy, guest, ...).
    Proxy,
    /// No Backstage backend: OAuth2 authorization code + PKCE straight with an OpenID Connect
    /// provider (see the `pkce` options and `crate::pkce`).
    Pkce,
}

impl Flow {
    /// The option's values: `popup`, `redirect`, `proxy`, `pkce`.
    pub fn from_name(name: &str) -> Option<Flow> {
        match name {
            "popup" => Some(Flow::Popup),
            "redirect" => Some(Flow::Redirect),
            "proxy" => Some(Flow::Proxy),
            "pkce" => Some(Flow::Pkce),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct PopupOptions {
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub fullscreen: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct ProviderOptions {
    pub id: String,
    pub title: Option<String>,
}

/// The options object of `new AuthClient(options)`, minus `getAuthBaseUrl` (a function).
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub provider: ProviderOptions,
    pub auth_base_url: Option<String>,
    pub environment: Option<String>,
    pub default_scopes: Option<Vec<String>>,
    pub storage: Option<StorageKind>,
    pub popup: Option<PopupOptions>,
    pub refresh_margin_seconds: Option<f64>,
    pub popup_timeout_seconds: Option<f64>,
    pub request_timeout_seconds: Option<f64>,
    pub flow: Option<Flow>,
    pub redirect_url: Option<String>,
    pub redirect_when_popup_blocked: Option<bool>,
    pub cross_tab_sync: Option<bool>,
    pub refresh_on_wake: Option<bool>,
    pub background_refresh: Option<bool>,
    pub pkce: Option<PkceOptions>,
}

/// Validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientConfig {
    pub provider_id: String,
    pub provider_title: String,
    /// Without a trailing slash; `None` when a `getAuthBaseUrl` function supplies it.
    pub auth_base_url: Option<String>,
    pub environment: String,
    pub default_scopes: ScopeSet,
    pub storage: StorageKind,
    pub popup_width: u32,
    pub popup_height: u32,
    pub popup_fullscreen: bool,
    pub refresh_margin_ms: f64,
    pub popup_timeout_seconds: u32,
    pub request_timeout_seconds: u32,
    pub flow: Flow,
    pub redirect_url: Option<String>,
    /// Popup flow: a blocked popup leaves for the redirect flow instead of failing.
    pub redirect_when_popup_blocked: bool,
    /// Share the session with the other tabs of this origin (default on).
    pub cross_tab_sync: bool,
    /// Refresh a due session on `online`, `visibilitychange` (visible), `focus` and `pageshow`.
    pub refresh_on_wake: bool,
    /// While the page is visible, refresh shortly before the refresh margin (the JS half's timer).
    pub background_refresh: bool,
    /// `Some` exactly when `flow` is [`Flow::Pkce`].
    pub pkce: Option<PkceConfig>,
}

fn config_error(message: impl Into<String>) -> AuthError {
    AuthError::Config(message.into())
}

/// Provider ids and environments end up in URL paths and storage keys: keep them plain.
fn is_plain_name(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

fn seconds(
    value: Option<f64>,
    default: f64,
    min: f64,
    max: f64,
    name: &str,
) -> Result<f64, AuthError> {
    let v = value.unwrap_or(default);
    if v.is_finite() && (min..=max).contains(&v) {
        Ok(v)
    } else {
        // Integers in the message: formatting an f64 would link core's float printer (~15 KB).
        let mut message = name.to_owned();
        message.push_str(" must be between ");
        crate::json::push_uint(&mut message, min as u64);
        message.push_str(" and ");
        crate::json::push_uint(&mut message, max as u64);
        Err(config_error(message))
    }
}

impl ClientOptions {
    /// Validates the options. `has_base_fn` tells whether a `getAuthBaseUrl` function came too.
    pub fn validate(self, has_base_fn: bool) -> Result<ClientConfig, AuthError> {
        if !is_plain_name(&self.provider.id) {
            return Err(config_error("provider.id must be 1-64 of [A-Za-z0-9._-]"));
        }
        let environment = self
            .environment
            .unwrap_or_else(|| defaults::ENVIRONMENT.into());
        if !is_plain_name(&environment) {
            return Err(config_error("environment must be 1-64 of [A-Za-z0-9._-]"));
        }
        // A `pkce` block alone means `flow: 'pkce'`.
        let flow = self.flow.unwrap_or(if self.pkce.is_some() {
            Flow::Pkce
        } else {
            Flow::Popup
        });
        let (pkce, pkce_scopes) = match (flow, self.pkce) {
            (Flow::Pkce, Some(_)) if !cfg!(feature = "pkce") => {
                return Err(config_error(
                    "flow 'pkce' is not in this build (cargo feature \"pkce\")",
                ))
            }
            (Flow::Pkce, Some(options)) => {
                let (config, scopes) = options.validate()?;
                (Some(config), scopes)
            }
            (Flow::Pkce, None) => return Err(config_error("flow 'pkce' needs the pkce options")),
            (_, Some(_)) => return Err(config_error("pkce options need flow 'pkce'")),
            (_, None) => (None, ScopeSet::default()),
        };
        let auth_base_url = match (self.auth_base_url, has_base_fn) {
            (Some(url), false) => Some(normalize_base_url(&url)?),
            // The PKCE flow talks to the OpenID provider only.
            (None, false) if flow == Flow::Pkce => None,
            (None, true) => None,
            (Some(_), true) => {
                return Err(config_error("give authBaseUrl or getAuthBaseUrl, not both"))
            }
            (None, false) => return Err(config_error("authBaseUrl or getAuthBaseUrl is required")),
        };
        let popup = self.popup.unwrap_or_default();
        let popup_width = seconds(
            popup.width,
            defaults::POPUP_WIDTH,
            defaults::POPUP_MIN_SIDE,
            defaults::POPUP_MAX_SIDE,
            "popup.width",
        )? as u32;
        let popup_height = seconds(
            popup.height,
            defaults::POPUP_HEIGHT,
            defaults::POPUP_MIN_SIDE,
            defaults::POPUP_MAX_SIDE,
            "popup.height",
        )? as u32;
        let margin = seconds(
            self.refresh_margin_seconds,
            defaults::REFRESH_MARGIN_SECONDS,
            0.0,
            defaults::REFRESH_MARGIN_MAX_SECONDS,
            "refreshMarginSeconds",
        )?;
        let popup_timeout = seconds(
            self.popup_timeout_seconds,
            defaults::POPUP_TIMEOUT_SECONDS,
            1.0,
            defaults::POPUP_TIMEOUT_MAX_SECONDS,
            "popupTimeoutSeconds",
        )?;
        let request_timeout = seconds(
            self.request_timeout_seconds,
            defaults::REQUEST_TIMEOUT_SECONDS,
            1.0,
            defaults::REQUEST_TIMEOUT_MAX_SECONDS,
            "requestTimeoutSeconds",
        )?;
        if let Some(url) = &self.redirect_url {
            normalize_base_url(url.split(['?', '#']).next().unwrap_or(""))
                .map_err(|_| config_error("redirectUrl must be an absolute http(s) URL"))?;
        }
        Ok(ClientConfig {
            provider_title: self
                .provider
                .title
                .unwrap_or_else(|| self.provider.id.clone()),
            provider_id: self.provider.id,
            auth_base_url,
            environment,
            default_scopes: ScopeSet::from_list(self.default_scopes.unwrap_or_default())
                .union(&pkce_scopes),
            storage: self.storage.unwrap_or(StorageKind::Session),
            popup_width,
            popup_height,
            popup_fullscreen: popup.fullscreen.unwrap_or(false),
            refresh_margin_ms: margin * 1000.0,
            popup_timeout_seconds: popup_timeout as u32,
            request_timeout_seconds: request_timeout as u32,
            flow,
            redirect_url: self.redirect_url,
            redirect_when_popup_blocked: self
                .redirect_when_popup_blocked
                .unwrap_or(defaults::REDIRECT_WHEN_POPUP_BLOCKED),
            cross_tab_sync: self.cross_tab_sync.unwrap_or(defaults::CROSS_TAB_SYNC),
            refresh_on_wake: self.refresh_on_wake.unwrap_or(defaults::REFRESH_ON_WAKE),
            background_refresh: self
                .background_refresh
                .unwrap_or(defaults::BACKGROUND_REFRESH),
            pkce,
        })
    }
}

#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod tests;
