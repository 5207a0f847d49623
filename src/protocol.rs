//! Serde types of every message the auth backend sends, and their parsing.
//!
//! Parsing is lenient where Backstage is (unknown fields, absent optional parts) and strict
//! where a wrong shape would mean trusting garbage.

use crate::error::AuthError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `providerInfo` of an AuthResponse. Proxy providers may send other fields or none.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderInfo {
    pub access_token: Option<String>,
    pub id_token: Option<String>,
    pub scope: Option<String>,
    pub expires_in_seconds: Option<f64>,
    /// Set only by the PKCE connector (straight from the token endpoint), never read from a
    /// Backstage message: the Backstage backend keeps its refresh token in a cookie.
    #[serde(skip)]
    pub refresh_token: Option<String>,
}

/// The user's profile; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
}

/// `backstageIdentity.identity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackstageUserIdentity {
    #[serde(rename = "type")]
    pub kind: String,
    pub user_entity_ref: String,
    pub ownership_entity_refs: Vec<String>,
}

/// `backstageIdentity` of an AuthResponse.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackstageIdentityWire {
    pub token: String,
    pub expires_in_seconds: Option<f64>,
    pub identity: BackstageUserIdentity,
}

/// The body of a successful `/refresh`, or the `response` of a popup message.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthResponse {
    pub provider_info: Option<ProviderInfo>,
    #[serde(default)]
    pub profile: ProfileInfo,
    pub backstage_identity: Option<BackstageIdentityWire>,
}

/// An error the backend serialized: `{name, message}`.
#[derive(Debug, Clone, Deserialize)]
struct BackendError {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

impl From<BackendError> for AuthError {
    fn from(e: BackendError) -> Self {
        AuthError::AuthResponse {
            backend_name: e.name.unwrap_or_else(|| "Error".into()),
            message: e
                .message
                .unwrap_or_else(|| "Unknown error from the auth backend".into()),
        }
    }
}

fn invalid(what: &str, e: impl std::fmt::Display) -> AuthError {
    AuthError::InvalidResponse(format!("{what}: {e}"))
}

/// Reads an AuthResponse or the backend's `{error}` out of a JSON value.
pub fn parse_auth_result(value: Value) -> Result<AuthResponse, AuthError> {
    let Value::Object(mut map) = value else {
        return Err(AuthError::InvalidResponse("expected a JSON object".into()));
    };
    if let Some(error) = map.remove("error") {
        let error: BackendError = serde_json::from_value(error).map_err(|e| invalid("error", e))?;
        return Err(error.into());
    }
    serde_json::from_value(Value::Object(map)).map_err(|e| invalid("auth response", e))
}

/// Parses an HTTP answer of `/refresh`: the status decides, the body explains.
pub fn parse_refresh_body(status: u16, body: &str) -> Result<AuthResponse, AuthError> {
    let value: Result<Value, _> = serde_json::from_str(body);
    match (status, value) {
        (200..=299, Ok(value)) => parse_auth_result(value),
        (200..=299, Err(e)) => Err(invalid("body", e)),
        (_, Ok(value)) if value.get("error").is_some() => match parse_auth_result(value) {
            Err(e) => Err(e),
            Ok(_) => Err(AuthError::InvalidResponse(format!("status {status}"))),
        },
        (_, _) => Err(AuthError::AuthResponse {
            backend_name: format!("HTTP{status}"),
            message: format!("The auth backend answered with status {status}"),
        }),
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
pub fn parse_popup_message(value: Value) -> Option<PopupMessage> {
    let kind = value.get("type")?.as_str()?;
    match kind {
        "config_info" => {
            let target_origin = value.get("targetOrigin")?.as_str()?.to_owned();
            Some(PopupMessage::ConfigInfo { target_origin })
        }
        "authorization_response" => {
            let Value::Object(mut map) = value else {
                return None;
            };
            let result = if let Some(error) = map.remove("error") {
                match serde_json::from_value::<BackendError>(error) {
                    Ok(e) => Err(e.into()),
                    Err(e) => Err(invalid("popup error", e)),
                }
            } else if let Some(response) = map.remove("response") {
                serde_json::from_value(response)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let r = parse_auth_result(full_response()).expect("valid");
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
        let r = parse_auth_result(guest).expect("valid");
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
        match parse_popup_message(json!({"type": "config_info", "targetOrigin": "http://a"})) {
            Some(PopupMessage::ConfigInfo { target_origin }) => {
                assert_eq!(target_origin, "http://a")
            }
            other => panic!("unexpected {other:?}"),
        }
        let ok = json!({"type": "authorization_response", "response": full_response()});
        assert!(matches!(
            parse_popup_message(ok),
            Some(PopupMessage::Authorization(Ok(_)))
        ));
        let err = json!({"type": "authorization_response",
                         "error": {"name": "NotFoundError", "message": "no user", "stack": "s"}});
        match parse_popup_message(err) {
            Some(PopupMessage::Authorization(Err(e))) => {
                assert_eq!(e.backend_name(), Some("NotFoundError"));
                assert_eq!(e.to_string(), "no user");
            }
            other => panic!("unexpected {other:?}"),
        }
        let malformed = json!({"type": "authorization_response", "response": {"profile": 3}});
        assert!(matches!(
            parse_popup_message(malformed),
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
            assert!(parse_popup_message(ignored).is_none());
        }
    }
}
