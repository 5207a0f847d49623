//! Every message the auth backend sends, and its parsing (through [`crate::json`]).
//!
//! Parsing is lenient where Backstage is (unknown fields, absent optional parts) and strict
//! where a wrong shape would mean trusting garbage. Error messages name the member that was
//! wrong, never its value (a token in a wrongly typed slot must not reach a message).

use crate::error::AuthError;
use crate::json::{FieldError, Json};

/// `providerInfo` of an AuthResponse. Proxy providers may send other fields or none.
#[derive(Clone, Default)]
pub struct ProviderInfo {
    pub access_token: Option<String>,
    pub id_token: Option<String>,
    pub scope: Option<String>,
    pub expires_in_seconds: Option<f64>,
    /// Set only by the PKCE connector (straight from the token endpoint), never read from a
    /// Backstage message: the Backstage backend keeps its refresh token in a cookie.
    pub refresh_token: Option<String>,
}

// Tokens are never printed.
impl core::fmt::Debug for ProviderInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProviderInfo")
            .field("scope", &self.scope)
            .field("expires_in_seconds", &self.expires_in_seconds)
            .finish_non_exhaustive()
    }
}

/// The user's profile; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "pkce", derive(serde::Deserialize))]
#[cfg_attr(feature = "pkce", serde(rename_all = "camelCase"))]
pub struct ProfileInfo {
    #[cfg_attr(feature = "pkce", serde(default))]
    pub email: Option<String>,
    #[cfg_attr(feature = "pkce", serde(default))]
    pub display_name: Option<String>,
    #[cfg_attr(feature = "pkce", serde(default))]
    pub picture: Option<String>,
}

impl ProfileInfo {
    pub fn from_json(value: &Json) -> Result<ProfileInfo, FieldError> {
        let text = |key| value.opt_str(key).map(|v| v.map(str::to_owned));
        Ok(ProfileInfo {
            email: text("email")?,
            display_name: text("displayName")?,
            picture: text("picture")?,
        })
    }

    pub fn to_json(&self) -> Json {
        let text = |v: &Option<String>| v.as_deref().map(Json::from);
        crate::json::ObjectBuilder::new()
            .set_opt("email", text(&self.email))
            .set_opt("displayName", text(&self.display_name))
            .set_opt("picture", text(&self.picture))
            .build()
    }
}

/// `backstageIdentity.identity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackstageUserIdentity {
    /// `type`: always `user` today.
    pub kind: String,
    pub user_entity_ref: String,
    pub ownership_entity_refs: Vec<String>,
}

const IDENTITY_KEYS: &[&str] = &["type", "userEntityRef", "ownershipEntityRefs"];

impl BackstageUserIdentity {
    /// Strict: every member required, no others (as the stored schema has always been).
    pub fn from_json(value: &Json) -> Result<BackstageUserIdentity, FieldError> {
        if let Some(key) = value.unknown_key(IDENTITY_KEYS) {
            return Err(FieldError {
                path: key.to_owned(),
                expected: "absent (unknown member)",
            });
        }
        let list = value.opt_str_list("ownershipEntityRefs")?;
        Ok(BackstageUserIdentity {
            kind: value.req_str("type")?.to_owned(),
            user_entity_ref: value.req_str("userEntityRef")?.to_owned(),
            ownership_entity_refs: list.ok_or(FieldError {
                path: "ownershipEntityRefs".into(),
                expected: "an array of strings",
            })?,
        })
    }

    pub fn to_json(&self) -> Json {
        crate::json::ObjectBuilder::new()
            .set("type", Json::from(self.kind.as_str()))
            .set("userEntityRef", Json::from(self.user_entity_ref.as_str()))
            .set(
                "ownershipEntityRefs",
                Json::Arr(
                    self.ownership_entity_refs
                        .iter()
                        .map(|r| Json::from(r.as_str()))
                        .collect(),
                ),
            )
            .build()
    }
}

/// `backstageIdentity` of an AuthResponse.
#[derive(Clone)]
pub struct BackstageIdentityWire {
    pub token: String,
    pub expires_in_seconds: Option<f64>,
    pub identity: BackstageUserIdentity,
}

impl core::fmt::Debug for BackstageIdentityWire {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BackstageIdentityWire")
            .field("expires_in_seconds", &self.expires_in_seconds)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

/// The body of a successful `/refresh`, or the `response` of a popup message.
#[derive(Debug, Clone, Default)]
pub struct AuthResponse {
    pub provider_info: Option<ProviderInfo>,
    pub profile: ProfileInfo,
    pub backstage_identity: Option<BackstageIdentityWire>,
}

fn provider_info(value: &Json) -> Result<ProviderInfo, FieldError> {
    let text = |key| value.opt_str(key).map(|v| v.map(str::to_owned));
    Ok(ProviderInfo {
        access_token: text("accessToken")?,
        id_token: text("idToken")?,
        scope: text("scope")?,
        expires_in_seconds: value.opt_f64("expiresInSeconds")?,
        refresh_token: None,
    })
}

fn backstage_identity(value: &Json) -> Result<BackstageIdentityWire, FieldError> {
    let identity = value.opt_object("identity")?.ok_or(FieldError {
        path: "identity".into(),
        expected: "an object",
    })?;
    Ok(BackstageIdentityWire {
        token: value.req_str("token")?.to_owned(),
        expires_in_seconds: value.opt_f64("expiresInSeconds")?,
        identity: BackstageUserIdentity::from_json(identity).map_err(|e| e.within("identity"))?,
    })
}

impl AuthResponse {
    pub fn from_json(value: &Json) -> Result<AuthResponse, FieldError> {
        if value.as_object().is_none() {
            return Err(FieldError {
                path: "response".into(),
                expected: "an object",
            });
        }
        Ok(AuthResponse {
            provider_info: value
                .opt_object("providerInfo")?
                .map(provider_info)
                .transpose()
                .map_err(|e| e.within("providerInfo"))?,
            profile: value
                .opt_object("profile")?
                .map(ProfileInfo::from_json)
                .transpose()
                .map_err(|e| e.within("profile"))?
                .unwrap_or_default(),
            backstage_identity: value
                .opt_object("backstageIdentity")?
                .map(backstage_identity)
                .transpose()
                .map_err(|e| e.within("backstageIdentity"))?,
        })
    }
}

fn invalid(what: &str, e: FieldError) -> AuthError {
    let mut message = what.to_owned();
    message.push_str(": ");
    message.push_str(&e.message());
    AuthError::InvalidResponse(message)
}

/// The backend's serialized error `{name, message}` as an [`AuthError`].
fn backend_error(error: &Json) -> Result<AuthError, FieldError> {
    Ok(AuthError::AuthResponse {
        backend_name: error.opt_str("name")?.unwrap_or("Error").to_owned(),
        message: error
            .opt_str("message")?
            .unwrap_or("Unknown error from the auth backend")
            .to_owned(),
    })
}

/// Reads an AuthResponse or the backend's `{error}` out of a JSON value.
pub fn parse_auth_result(value: &Json) -> Result<AuthResponse, AuthError> {
    if value.as_object().is_none() {
        return Err(AuthError::InvalidResponse("expected a JSON object".into()));
    }
    if let Some(error) = value.get("error") {
        return Err(backend_error(error).map_err(|e| invalid("error", e))?);
    }
    AuthResponse::from_json(value).map_err(|e| invalid("auth response", e))
}

fn status_text(status: u16) -> String {
    let mut out = String::new();
    crate::json::push_uint(&mut out, u64::from(status));
    out
}

/// Parses an HTTP answer of `/refresh`: the status decides, the body explains.
pub fn parse_refresh_body(status: u16, body: &str) -> Result<AuthResponse, AuthError> {
    let value = Json::parse(body);
    match (status, value) {
        (200..=299, Ok(value)) => parse_auth_result(&value),
        (200..=299, Err(_)) => Err(AuthError::InvalidResponse("body: not JSON".into())),
        (_, Ok(value)) if value.get("error").is_some() => match parse_auth_result(&value) {
            Err(e) => Err(e),
            Ok(_) => {
                let mut message = "status ".to_owned();
                message.push_str(&status_text(status));
                Err(AuthError::InvalidResponse(message))
            }
        },
        (_, _) => {
            let code = status_text(status);
            let mut message = "The auth backend answered with status ".to_owned();
            message.push_str(&code);
            Err(AuthError::AuthResponse {
                backend_name: "HTTP".to_owned() + &code,
                message,
            })
        }
    }
}

/// A message the backend's `handler/frame` page posts to the opener.
#[derive(Debug, Clone)]
pub enum PopupMessage {
    /// `{type: 'config_info', targetOrigin}`: the app origin the backend believes in.
    ConfigInfo { target_origin: String },
    /// `{type: 'authorization_response', response | error}`.
    Authorization(Result<Box<AuthResponse>, AuthError>),
}

/// Reads a popup message. `None` means "not a message of this protocol": ignore it.
/// An `authorization_response` that is malformed is an error, not silence: its origin and
/// source were already checked, so the backend itself said something wrong.
pub fn parse_popup_message(value: &Json) -> Option<PopupMessage> {
    let kind = value.get("type")?.as_str()?;
    match kind {
        "config_info" => {
            let target_origin = value.get("targetOrigin")?.as_str()?.to_owned();
            Some(PopupMessage::ConfigInfo { target_origin })
        }
        "authorization_response" => {
            let result = if let Some(error) = value.get("error") {
                match backend_error(error) {
                    Ok(e) => Err(e),
                    Err(e) => Err(invalid("popup error", e)),
                }
            } else if let Some(response) = value.get("response") {
                AuthResponse::from_json(response)
                    .map(Box::new)
                    .map_err(|e| invalid("popup response", e))
            } else {
                Err(AuthError::InvalidResponse(
                    "authorization_response without response or error".into(),
                ))
            };
            Some(PopupMessage::Authorization(result))
        }
        _ => None,
    }
}

/// The `logoutUrl` of a `/logout` answer (the provider's own sign-out page, e.g. Auth0's;
/// Backstage's PR #33703), if any: followed only when [`follows_logout_url`] allows it.
pub fn logout_url_in(body: &str) -> Option<String> {
    let value = Json::parse(body).ok()?;
    value.get("logoutUrl")?.as_str().map(str::to_owned)
}

/// Whether the browser goes to a `logoutUrl`, given the parts the browser's own URL parser read
/// from it (the same parser the navigation uses: no second opinion to disagree with): `https:`,
/// or `http:` on `localhost`, without credentials in it. Stricter than Backstage's client, which
/// checks only the host for `localhost` (so `javascript://localhost/...` passes there).
pub fn follows_logout_url(protocol: &str, hostname: &str, has_credentials: bool) -> bool {
    let secure = protocol == "https:" || (protocol == "http:" && hostname == "localhost");
    secure && !hostname.is_empty() && !has_credentials
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// The test's serde_json value as our tree (serde_json is a dev-dependency only).
    pub(crate) fn tree(value: &Value) -> Json {
        Json::parse(&value.to_string()).expect("valid JSON")
    }

    fn full_response() -> Value {
        json!({
            "providerInfo": {"accessToken": "at", "idToken": "it", "scope": "openid email",
                             "expiresInSeconds": 3600, "extra": true},
            "profile": {"email": "jane@example.com", "displayName": "Jane", "picture": "p"},
            "backstageIdentity": {"token": "bt", "expiresInSeconds": 3600, "idToken": "bt",
                "identity": {"type": "user", "userEntityRef": "user:default/jane",
                             "ownershipEntityRefs": ["user:default/jane", "group:default/team-a"]}}
        })
    }

    #[test]
    fn parses_a_full_auth_response_and_tolerates_unknown_fields() {
        let r = parse_auth_result(&tree(&full_response())).expect("valid");
        let info = r.provider_info.expect("provider info");
        assert_eq!(info.access_token.as_deref(), Some("at"));
        assert_eq!(info.expires_in_seconds, Some(3600.0));
        assert_eq!(r.profile.display_name.as_deref(), Some("Jane"));
        let bi = r.backstage_identity.expect("identity");
        assert_eq!(bi.identity.user_entity_ref, "user:default/jane");
        assert_eq!(bi.identity.ownership_entity_refs.len(), 2);
    }

    #[test]
    fn parses_the_guest_shape() {
        let guest = json!({"profile": {}, "backstageIdentity": {"token": "t",
            "identity": {"type": "user", "userEntityRef": "user:development/guest",
                         "ownershipEntityRefs": ["user:development/guest"]},
            "expiresInSeconds": 3600}});
        let r = parse_auth_result(&tree(&guest)).expect("valid");
        assert!(r.provider_info.is_none());
        assert_eq!(r.profile, ProfileInfo::default());
    }

    #[test]
    fn backend_errors_pass_through() {
        let body = r#"{"error":{"name":"AuthenticationError","message":"Refresh failed; caused by InputError: Missing session cookie"},"request":{},"response":{"statusCode":401}}"#;
        let e = parse_refresh_body(401, body).expect_err("error");
        assert_eq!(e.backend_name(), Some("AuthenticationError"));
        assert!(e.to_string().starts_with("Refresh failed"));
        // A 200 with an error field is an error too.
        let e =
            parse_refresh_body(200, r#"{"error":{"name":"X","message":"m"}}"#).expect_err("err");
        assert_eq!(e.backend_name(), Some("X"));
    }

    #[test]
    fn garbage_is_a_typed_error() {
        assert_eq!(
            parse_refresh_body(200, "<html>").expect_err("err").name(),
            "InvalidResponseError"
        );
        assert_eq!(
            parse_refresh_body(200, "[1]").expect_err("err").name(),
            "InvalidResponseError"
        );
        let wrong_types = r#"{"backstageIdentity":{"token":5}}"#;
        assert_eq!(
            parse_refresh_body(200, wrong_types)
                .expect_err("err")
                .name(),
            "InvalidResponseError"
        );
        let e = parse_refresh_body(502, "Bad Gateway").expect_err("err");
        assert_eq!(e.backend_name(), Some("HTTP502"));
    }

    #[test]
    fn popup_messages() {
        match parse_popup_message(&tree(
            &json!({"type": "config_info", "targetOrigin": "http://a"}),
        )) {
            Some(PopupMessage::ConfigInfo { target_origin }) => {
                assert_eq!(target_origin, "http://a")
            }
            other => panic!("unexpected {other:?}"),
        }
        let ok = json!({"type": "authorization_response", "response": full_response()});
        assert!(matches!(
            parse_popup_message(&tree(&ok)),
            Some(PopupMessage::Authorization(Ok(_)))
        ));
        let err = json!({"type": "authorization_response",
                         "error": {"name": "NotFoundError", "message": "no user", "stack": "s"}});
        match parse_popup_message(&tree(&err)) {
            Some(PopupMessage::Authorization(Err(e))) => {
                assert_eq!(e.backend_name(), Some("NotFoundError"));
                assert_eq!(e.to_string(), "no user");
            }
            other => panic!("unexpected {other:?}"),
        }
        let malformed = json!({"type": "authorization_response", "response": {"profile": 3}});
        assert!(matches!(
            parse_popup_message(&tree(&malformed)),
            Some(PopupMessage::Authorization(Err(
                AuthError::InvalidResponse(_)
            )))
        ));
        for ignored in [
            json!(null),
            json!("x"),
            json!({"type": 1}),
            json!({"type": "other"}),
            json!({"type": "config_info"}),
            json!([1, 2]),
        ] {
            assert!(parse_popup_message(&tree(&ignored)).is_none());
        }
    }

    #[test]
    fn logout_urls_are_read_and_only_https_or_localhost_followed() {
        let body = json!({ "logoutUrl": "https://tenant.auth0.com/v2/logout" }).to_string();
        assert_eq!(
            logout_url_in(&body).as_deref(),
            Some("https://tenant.auth0.com/v2/logout")
        );
        for other in [
            "",
            "{}",
            "[]",
            r#"{"logoutUrl": 1}"#,
            "not json",
            r#"{"logoutUrl": null}"#,
        ] {
            assert_eq!(logout_url_in(other), None, "{other}");
        }
        // (protocol, hostname, credentials) as `new URL(...)` reads them.
        assert!(follows_logout_url("https:", "tenant.auth0.com", false));
        assert!(follows_logout_url("http:", "localhost", false));
        for (protocol, hostname, credentials) in [
            ("http:", "idp.example", false),
            ("http:", "127.0.0.1", false),
            ("http:", "localhost.evil.example", false),
            ("javascript:", "localhost", false), // javascript://localhost/%0aalert(1)
            ("data:", "", false),
            ("https:", "idp.example", true), // https://user:pw@idp.example/
            ("https:", "", false),
        ] {
            assert!(
                !follows_logout_url(protocol, hostname, credentials),
                "{protocol} {hostname} {credentials}"
            );
        }
    }
}
