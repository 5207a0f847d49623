//! Reading the options object (a JSON tree of the JS object) into [`ClientOptions`]: unknown
//! options and wrong types are `ConfigError`s that name the option, never echo its value.

use super::{config_error, ClientOptions, Flow, PkceOptions, PopupOptions, ProviderOptions};
use crate::error::AuthError;
use crate::json::{FieldError, Json};
use crate::store::StorageKind;

/// Every option `new AuthClient(options)` knows; others are refused (a typo must not be
/// silently ignored). `getAuthBaseUrl`, a function, is taken out before this point.
/// Every option of the `pkce` block.
pub(super) const PKCE_OPTION_KEYS: &[&str] = &[
    "issuer",
    "clientId",
    "redirectUri",
    "scopes",
    "shareRefreshToken",
    "postLogoutRedirectUri",
];

pub(super) const OPTION_KEYS: &[&str] = &[
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
    "redirectWhenPopupBlocked",
    "crossTabSync",
    "refreshOnWake",
    "backgroundRefresh",
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
                unknown_option(pkce, PKCE_OPTION_KEYS, "pkce.")?;
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
                    post_logout_redirect_uri: pkce
                        .opt_str("postLogoutRedirectUri")
                        .map(|s| s.map(str::to_owned))
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
            redirect_when_popup_blocked: value
                .opt_bool("redirectWhenPopupBlocked")
                .map_err(option_error)?,
            cross_tab_sync: value.opt_bool("crossTabSync").map_err(option_error)?,
            refresh_on_wake: value.opt_bool("refreshOnWake").map_err(option_error)?,
            background_refresh: value.opt_bool("backgroundRefresh").map_err(option_error)?,
            pkce,
        })
    }
}
