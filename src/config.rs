//! Client options as JS passes them, and their validation into a config the client can trust.

use crate::error::AuthError;
use crate::json::{FieldError, Json};
use crate::scopes::ScopeSet;
use crate::store::StorageKind;

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

/// `pkce: {issuer, clientId, redirectUri, scopes?, shareRefreshToken?}`: the OpenID Connect
/// provider of `flow: 'pkce'`.
#[derive(Debug, Clone)]
pub struct PkceOptions {
    pub issuer: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Option<Vec<String>>,
    pub share_refresh_token: Option<bool>,
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
}

/// Sessions announced to other tabs leave the refresh token out unless the app opts in: a tab
/// that only follows gets new access tokens from the tab that holds it.
pub const PKCE_SHARE_REFRESH_TOKEN: bool = false;

/// The scopes asked for when `pkce.scopes` is not given.
pub const PKCE_DEFAULT_SCOPES: &str = "openid profile email";

/// An absolute http(s) URL without a fragment; plain `http` only for loopback hosts (tokens and
/// codes must not cross a network in clear text).
pub fn check_secure_url(url: &str, name: &str) -> Result<(), AuthError> {
    let bad =
        || config_error(name.to_owned() + " must be an absolute https URL (http only on loopback)");
    if url.contains(['#', ' ']) || url.chars().any(char::is_control) {
        return Err(bad());
    }
    let (https, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        _ => return Err(bad()),
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = if host.starts_with('[') {
        host.split(']').next().map(|h| &h[1..]).unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    if host.is_empty() || authority.contains('@') {
        return Err(bad());
    }
    let loopback = is_loopback_host(host);
    if https || loopback {
        Ok(())
    } else {
        Err(bad())
    }
}

/// Only a loopback IP literal (127.0.0.0/8, `::1`) or exactly `localhost`: a name that merely
/// starts with `127.` (`127.attacker.example`) is a host on the network.
fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" || host == "::1" {
        return true;
    }
    let mut octets = 0;
    for part in host.split('.') {
        let decimal = !part.is_empty()
            && part.len() <= 3
            && part.bytes().all(|b| b.is_ascii_digit())
            && part.parse::<u8>().is_ok();
        if !decimal || (octets == 0 && part != "127") {
            return false;
        }
        octets += 1;
    }
    octets == 4
}

impl PkceOptions {
    fn validate(self) -> Result<(PkceConfig, ScopeSet), AuthError> {
        check_secure_url(&self.issuer, "pkce.issuer")?;
        if self.issuer.contains('?') {
            return Err(config_error("pkce.issuer must not have a query"));
        }
        check_secure_url(&self.redirect_uri, "pkce.redirectUri")?;
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
            },
            scopes,
        ))
    }
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
    pub cross_tab_sync: Option<bool>,
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
    /// Share the session with the other tabs of this origin (default on).
    pub cross_tab_sync: bool,
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

/// Checks that `url` is an absolute http(s) URL and strips trailing slashes.
pub fn normalize_base_url(url: &str) -> Result<String, AuthError> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| config_error("auth base URL must be an absolute http(s) URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || trimmed.contains(['?', '#']) || trimmed.contains(char::is_whitespace) {
        return Err(config_error(
            "auth base URL must be a base URL (a host, no query or fragment)",
        ));
    }
    Ok(trimmed.to_owned())
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
        let environment = self.environment.unwrap_or_else(|| "development".into());
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
        let popup_width = seconds(popup.width, 450.0, 100.0, 10_000.0, "popup.width")? as u32;
        let popup_height = seconds(popup.height, 730.0, 100.0, 10_000.0, "popup.height")? as u32;
        let margin = seconds(
            self.refresh_margin_seconds,
            180.0,
            0.0,
            86_400.0,
            "refreshMarginSeconds",
        )?;
        let popup_timeout = seconds(
            self.popup_timeout_seconds,
            300.0,
            1.0,
            86_400.0,
            "popupTimeoutSeconds",
        )?;
        let request_timeout = seconds(
            self.request_timeout_seconds,
            30.0,
            1.0,
            600.0,
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
            cross_tab_sync: self.cross_tab_sync.unwrap_or(true),
            pkce,
        })
    }
}

/// `window.open` features for a centred popup, as Backstage's `showLoginPopup` builds them.
pub fn popup_features(width: u32, height: u32, fullscreen: bool, screen: (i32, i32)) -> String {
    let (screen_w, screen_h) = screen;
    let (w, h) = if fullscreen {
        (screen_w.max(0) as u32, screen_h.max(0) as u32)
    } else {
        (width, height)
    };
    let left = (screen_w / 2 - w as i32 / 2).max(0);
    let top = (screen_h / 2 - h as i32 / 2).max(0);
    let mut features = "menubar=no,location=no,resizable=no,scrollbars=no,status=no".to_owned();
    for (key, value) in [
        (",width=", w),
        (",height=", h),
        (",top=", top as u32),
        (",left=", left as u32),
    ] {
        features.push_str(key);
        crate::json::push_uint(&mut features, u64::from(value));
    }
    features
}

/// Every option `new AuthClient(options)` knows; others are refused (a typo must not be
/// silently ignored). `getAuthBaseUrl`, a function, is taken out before this point.
const OPTION_KEYS: &[&str] = &[
    "provider",
    "authBaseUrl",
    "environment",
    "defaultScopes",
    "storage",
    "popup",
    "refreshMarginSeconds",
    "popupTimeoutSeconds",
    "requestTimeoutSeconds",
    "flow",
    "redirectUrl",
    "crossTabSync",
    "pkce",
];

fn option_error(e: FieldError) -> AuthError {
    config_error(e.message())
}

fn unknown_option(value: &Json, allowed: &[&str], parent: &str) -> Result<(), AuthError> {
    match value.unknown_key(allowed) {
        Some(key) => {
            let mut message = "unknown option ".to_owned();
            message.push_str(parent);
            message.push_str(key);
            Err(config_error(message))
        }
        None => Ok(()),
    }
}

fn object<'a>(value: &'a Json, key: &str) -> Result<Option<&'a Json>, AuthError> {
    value.opt_object(key).map_err(option_error)
}

fn named<T>(
    value: &Json,
    key: &str,
    from_name: fn(&str) -> Option<T>,
    expected: &'static str,
) -> Result<Option<T>, AuthError> {
    let wrong = || {
        option_error(FieldError {
            path: key.to_owned(),
            expected,
        })
    };
    match value.opt_str(key).map_err(|_| wrong())? {
        Some(name) => from_name(name).map(Some).ok_or_else(wrong),
        None => Ok(None),
    }
}

impl ClientOptions {
    /// Reads the options object (a JSON tree of the JS object). Unknown options and wrong
    /// types are `ConfigError`s that name the option.
    pub fn from_json(value: &Json) -> Result<ClientOptions, AuthError> {
        if value.as_object().is_none() {
            return Err(config_error("options must be an object"));
        }
        unknown_option(value, OPTION_KEYS, "")?;
        let provider = object(value, "provider")?
            .ok_or_else(|| config_error("provider is required: { id, title? }"))?;
        unknown_option(provider, &["id", "title"], "provider.")?;
        let text = |v: &Json, key: &str| v.opt_str(key).map(|s| s.map(str::to_owned));
        let provider = ProviderOptions {
            id: provider
                .req_str("id")
                .map_err(|e| option_error(e.within("provider")))?
                .to_owned(),
            title: text(provider, "title").map_err(|e| option_error(e.within("provider")))?,
        };
        let popup = match object(value, "popup")? {
            Some(popup) => {
                unknown_option(popup, &["width", "height", "fullscreen"], "popup.")?;
                let number = |key| {
                    popup
                        .opt_f64(key)
                        .map_err(|e| option_error(e.within("popup")))
                };
                Some(PopupOptions {
                    width: number("width")?,
                    height: number("height")?,
                    fullscreen: popup
                        .opt_bool("fullscreen")
                        .map_err(|e| option_error(e.within("popup")))?,
                })
            }
            None => None,
        };
        let pkce = match object(value, "pkce")? {
            Some(pkce) => {
                unknown_option(
                    pkce,
                    &[
                        "issuer",
                        "clientId",
                        "redirectUri",
                        "scopes",
                        "shareRefreshToken",
                    ],
                    "pkce.",
                )?;
                let required = |key| {
                    pkce.req_str(key)
                        .map(str::to_owned)
                        .map_err(|e| option_error(e.within("pkce")))
                };
                Some(PkceOptions {
                    issuer: required("issuer")?,
                    client_id: required("clientId")?,
                    redirect_uri: required("redirectUri")?,
                    scopes: pkce
                        .opt_str_list("scopes")
                        .map_err(|e| option_error(e.within("pkce")))?,
                    share_refresh_token: pkce
                        .opt_bool("shareRefreshToken")
                        .map_err(|e| option_error(e.within("pkce")))?,
                })
            }
            None => None,
        };
        let number = |key| value.opt_f64(key).map_err(option_error);
        Ok(ClientOptions {
            provider,
            auth_base_url: text(value, "authBaseUrl").map_err(option_error)?,
            environment: text(value, "environment").map_err(option_error)?,
            default_scopes: value.opt_str_list("defaultScopes").map_err(option_error)?,
            storage: named(
                value,
                "storage",
                StorageKind::from_name,
                "'session', 'local' or 'memory'",
            )?,
            popup,
            refresh_margin_seconds: number("refreshMarginSeconds")?,
            popup_timeout_seconds: number("popupTimeoutSeconds")?,
            request_timeout_seconds: number("requestTimeoutSeconds")?,
            flow: named(
                value,
                "flow",
                Flow::from_name,
                "'popup', 'redirect', 'proxy' or 'pkce'",
            )?,
            redirect_url: text(value, "redirectUrl").map_err(option_error)?,
            cross_tab_sync: value.opt_bool("crossTabSync").map_err(option_error)?,
            pkce,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn options(v: serde_json::Value) -> Result<ClientOptions, AuthError> {
        ClientOptions::from_json(&crate::protocol::tests::tree(&v))
    }

    #[test]
    fn defaults() {
        let c = options(
            json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://127.0.0.1:7007/api/auth/"}),
        )
        .expect("parse")
        .validate(false)
        .expect("valid");
        assert_eq!(
            c.auth_base_url.as_deref(),
            Some("http://127.0.0.1:7007/api/auth")
        );
        assert_eq!(c.environment, "development");
        assert_eq!(c.provider_title, "oidc");
        assert_eq!(
            (c.popup_width, c.popup_height, c.popup_fullscreen),
            (450, 730, false)
        );
        assert_eq!(c.refresh_margin_ms, 180_000.0);
        assert_eq!(c.flow, Flow::Popup);
        assert_eq!(c.storage, StorageKind::Session);
        assert_eq!(c.popup_timeout_seconds, 300);
    }

    #[test]
    fn all_options() {
        let c = options(
            json!({"provider": {"id": "spectrocloud", "title": "SpectroCloud"},
            "authBaseUrl": "https://b.example/api/auth", "environment": "production",
            "defaultScopes": ["openid", "profile email"], "storage": "local",
            "popup": {"width": 500, "height": 600, "fullscreen": true}, "refreshMarginSeconds": 10,
            "popupTimeoutSeconds": 5, "requestTimeoutSeconds": 2, "flow": "redirect",
            "redirectUrl": "https://app.example/x?y=1"}),
        )
        .expect("parse")
        .validate(false)
        .expect("valid");
        assert_eq!(c.default_scopes.joined(), "email openid profile");
        assert_eq!(c.storage, StorageKind::Local);
        assert_eq!(c.flow, Flow::Redirect);
        assert_eq!(c.refresh_margin_ms, 10_000.0);
        assert!(c.popup_fullscreen);
    }

    #[test]
    fn bad_options_are_config_errors() {
        let bad = [
            json!({"provider": {"id": "oidc/../x"}, "authBaseUrl": "http://a"}),
            json!({"provider": {"id": ""}, "authBaseUrl": "http://a"}),
            json!({"provider": {"id": "oidc"}}),
            json!({"provider": {"id": "oidc"}, "authBaseUrl": "ftp://a"}),
            json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://"}),
            json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a?x=1"}),
            json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "environment": "a b"}),
            json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "refreshMarginSeconds": -1}),
            json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "popup": {"width": 1}}),
            json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "popupTimeoutSeconds": 0}),
            json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "redirectUrl": "/relative"}),
        ];
        for v in bad {
            let e = options(v.clone())
                .expect("parse")
                .validate(false)
                .expect_err("invalid");
            assert_eq!(e.name(), "ConfigError", "{v}");
        }
        let both =
            options(json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a"})).expect("parse");
        assert!(both.validate(true).is_err());
        let fn_only = options(json!({"provider": {"id": "oidc"}})).expect("parse");
        assert_eq!(fn_only.validate(true).expect("valid").auth_base_url, None);
        // Typos and wrong types are refused by the parser itself.
        assert!(options(
            json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "refreshMargin": 1})
        )
        .is_err());
        assert!(options(
            json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "storage": "disk"})
        )
        .is_err());
        assert!(options(json!({"provider": {"id": "oidc"}, "authBaseUrl": "http://a", "flow": "popup", "popup": {"width": "5"}})).is_err());
    }

    #[test]
    fn option_errors_name_the_option() {
        let message = |v: serde_json::Value| options(v).expect_err("invalid").to_string();
        assert_eq!(
            message(json!({"authBaseUrl": "http://a"})),
            "Invalid auth client options: provider is required: { id, title? }"
        );
        assert_eq!(
            message(json!({"provider": {}, "authBaseUrl": "http://a"})),
            "Invalid auth client options: provider.id must be a string"
        );
        assert_eq!(
            message(json!({"provider": {"id": "a"}, "popup": {"width": "5"}})),
            "Invalid auth client options: popup.width must be a number"
        );
        assert_eq!(
            message(json!({"provider": {"id": "a"}, "storage": "disk"})),
            "Invalid auth client options: storage must be 'session', 'local' or 'memory'"
        );
        assert_eq!(
            message(json!({"provider": {"id": "a"}, "refreshMargin": 1})),
            "Invalid auth client options: unknown option refreshMargin"
        );
        assert_eq!(
            message(json!({"provider": {"id": "a"}, "pkce": {"issuer": "x", "secret": 1}})),
            "Invalid auth client options: unknown option pkce.secret"
        );
        // A token-like value in a wrongly typed slot never reaches the message.
        let e = message(json!({"provider": {"id": "a"}, "defaultScopes": "eyJsecret"}));
        assert!(!e.contains("eyJsecret"), "{e}");
    }

    fn pkce_options(pkce: serde_json::Value) -> Result<ClientConfig, AuthError> {
        options(json!({"provider": {"id": "idp"}, "pkce": pkce}))
            .expect("parse")
            .validate(false)
    }

    #[test]
    #[cfg(not(feature = "pkce"))]
    fn pkce_flow_is_refused_without_the_feature() {
        let error = pkce_options(json!({"issuer": "http://127.0.0.1:7010",
            "clientId": "spa", "redirectUri": "http://127.0.0.1:3000/pkce-callback.html"}))
        .expect_err("no pkce in this build");
        assert_eq!(error.name(), "ConfigError");
        assert!(error.to_string().contains("feature \"pkce\""), "{error}");
    }

    #[test]
    #[cfg(feature = "pkce")]
    fn pkce_flow() {
        let c = pkce_options(json!({"issuer": "http://127.0.0.1:7010",
            "clientId": "spa", "redirectUri": "http://127.0.0.1:3000/pkce-callback.html"}))
        .expect("valid");
        assert_eq!(c.flow, Flow::Pkce);
        assert_eq!(c.auth_base_url, None);
        assert_eq!(c.default_scopes.joined(), "email openid profile");
        let p = c.pkce.expect("pkce");
        assert_eq!(p.issuer, "http://127.0.0.1:7010");
        assert_eq!(p.client_id, "spa");
        assert!(
            !p.share_refresh_token,
            "kept off the tab channel by default"
        );
        let shared = pkce_options(json!({"issuer": "http://127.0.0.1:7010", "clientId": "spa",
            "redirectUri": "http://127.0.0.1:3000/cb", "shareRefreshToken": true}))
        .expect("valid");
        assert!(shared.pkce.expect("pkce").share_refresh_token);
        let error = options(json!({"provider": {"id": "idp"}, "pkce": {
            "issuer": "http://127.0.0.1:7010", "clientId": "spa",
            "redirectUri": "http://127.0.0.1:3000/cb", "shareRefreshToken": "yes"}}))
        .expect_err("not a boolean");
        assert!(
            error.to_string().contains("pkce.shareRefreshToken"),
            "{error}"
        );
        // Own scopes: `openid` is always asked for; `defaultScopes` add to them.
        let c = options(
            json!({"provider": {"id": "idp"}, "flow": "pkce", "defaultScopes": ["groups"],
            "pkce": {"issuer": "https://idp.example/realms/x/", "clientId": "spa",
                     "redirectUri": "https://app.example/cb", "scopes": ["email"]}}),
        )
        .expect("parse")
        .validate(false)
        .expect("valid");
        assert_eq!(c.default_scopes.joined(), "email groups openid");
        // The issuer is kept byte for byte (trailing slash included): `iss` must match it.
        assert_eq!(
            c.pkce.expect("pkce").issuer,
            "https://idp.example/realms/x/"
        );
    }

    #[test]
    #[cfg(feature = "pkce")]
    fn bad_pkce_options() {
        let cb = "https://app.example/cb";
        for bad in [
            json!({"issuer": "http://idp.example", "clientId": "spa", "redirectUri": cb}),
            json!({"issuer": "ftp://idp.example", "clientId": "spa", "redirectUri": cb}),
            json!({"issuer": "https://idp.example?x=1", "clientId": "spa", "redirectUri": cb}),
            json!({"issuer": "https://", "clientId": "spa", "redirectUri": cb}),
            json!({"issuer": "https://u@idp.example", "clientId": "spa", "redirectUri": cb}),
            json!({"issuer": "https://idp.example", "clientId": "", "redirectUri": cb}),
            json!({"issuer": "https://idp.example", "clientId": "spa", "redirectUri": "/cb"}),
            json!({"issuer": "https://idp.example", "clientId": "spa", "redirectUri": "http://app.example/cb"}),
            json!({"issuer": "https://idp.example", "clientId": "spa", "redirectUri": "https://a/cb#x"}),
        ] {
            assert_eq!(
                pkce_options(bad.clone()).expect_err("invalid").name(),
                "ConfigError",
                "{bad}"
            );
        }
        // A host that only starts like a loopback address is not one (issue 12).
        for bad in [
            "http://127.attacker.example/",
            "http://127.0.0.1.attacker.example/",
            "http://127.0.0/",
            "http://127.0.0.256/",
            "http://localhost.attacker.example/",
        ] {
            assert_eq!(
                pkce_options(json!({"issuer": bad, "clientId": "spa", "redirectUri": cb}))
                    .expect_err("not loopback")
                    .name(),
                "ConfigError",
                "{bad}"
            );
        }
        // Loopback may be plain http (any 127/8 address, localhost, [::1]).
        for ok in [
            "http://localhost:1/x",
            "http://127.0.0.2/",
            "http://[::1]:8080",
        ] {
            assert!(
                pkce_options(json!({"issuer": ok, "clientId": "spa", "redirectUri": cb})).is_ok(),
                "{ok}"
            );
        }
        // Unknown fields and a flow without its options are refused.
        assert!(options(
            json!({"provider": {"id": "idp"}, "pkce": {"issuer": "https://i",
            "clientId": "spa", "redirectUri": cb, "secret": "x"}})
        )
        .is_err());
        let no_block = options(json!({"provider": {"id": "idp"}, "flow": "pkce"})).expect("parse");
        assert_eq!(
            no_block.validate(false).expect_err("invalid").name(),
            "ConfigError"
        );
        let wrong_flow = options(
            json!({"provider": {"id": "idp"}, "flow": "popup", "authBaseUrl": "http://a",
            "pkce": {"issuer": "https://i", "clientId": "spa", "redirectUri": cb}}),
        )
        .expect("parse");
        assert_eq!(
            wrong_flow.validate(false).expect_err("invalid").name(),
            "ConfigError"
        );
    }

    #[test]
    fn popup_is_centred() {
        assert_eq!(
            popup_features(450, 730, false, (1920, 1080)),
            "menubar=no,location=no,resizable=no,scrollbars=no,status=no,width=450,height=730,top=175,left=735"
        );
        assert!(popup_features(450, 730, true, (1280, 800))
            .ends_with("width=1280,height=800,top=0,left=0"));
    }
}
