//! A signed-in session, built from an AuthResponse, and the expiry maths around it.

use crate::error::AuthError;
use crate::jwt;
use crate::protocol::{AuthResponse, BackstageUserIdentity, ProfileInfo};
use crate::scopes::ScopeSet;
use crate::secret::{AccessToken, Secret};
use serde::{Deserialize, Serialize};

/// What the OAuth provider granted. Absent for proxy providers that send no `providerInfo`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProviderSession {
    #[serde(with = "access_token_serde")]
    pub access_token: AccessToken,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<Secret>,
    pub scopes: ScopeSet,
    /// Epoch milliseconds; `None` when the provider gave no lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<f64>,
    /// The OAuth refresh token of the PKCE flow (Backstage keeps its own in a cookie). Absent in
    /// records of the other flows, so schema version 1 is unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
}

// `oauth2::AccessToken` has no `PartialEq` (a secret should not be compared casually);
// sessions are compared in tests and when deciding whether storage changed.
impl PartialEq for ProviderSession {
    fn eq(&self, other: &Self) -> bool {
        self.access_token.secret() == other.access_token.secret()
            && self.id_token == other.id_token
            && self.scopes == other.scopes
            && self.expires_at == other.expires_at
            && self.refresh_token == other.refresh_token
    }
}

/// The Backstage identity and its token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackstageSession {
    pub token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<f64>,
    pub identity: BackstageUserIdentity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Session {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderSession>,
    pub profile: ProfileInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backstage: Option<BackstageSession>,
}

// `oauth2::AccessToken` serializes, but through `secret()`; keep the stored shape a plain string.
mod access_token_serde {
    use crate::secret::AccessToken;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(token: &AccessToken, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(token.secret())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AccessToken, D::Error> {
        String::deserialize(d).map(AccessToken::new)
    }
}

/// Lifetimes longer than this are not believed (a year): they would pin a session forever.
const MAX_LIFETIME_SECONDS: f64 = 366.0 * 24.0 * 3600.0;

fn expiry(now_ms: f64, seconds: Option<f64>, what: &str) -> Result<Option<f64>, AuthError> {
    match seconds {
        None => Ok(None),
        Some(s) if s.is_finite() && (0.0..=MAX_LIFETIME_SECONDS).contains(&s) => {
            Ok(Some(now_ms + s * 1000.0))
        }
        Some(_) => Err(AuthError::InvalidResponse(format!(
            "{what}: bad expiresInSeconds"
        ))),
    }
}

impl Session {
    /// Builds a session from the backend's answer, received at `now_ms`.
    pub fn from_response(response: AuthResponse, now_ms: f64) -> Result<Session, AuthError> {
        let provider = match response.provider_info {
            Some(info) => match info.access_token.filter(|t| !t.is_empty()) {
                Some(token) => Some(ProviderSession {
                    access_token: AccessToken::new(token),
                    id_token: info.id_token.filter(|t| !t.is_empty()).map(Secret::new),
                    scopes: ScopeSet::parse(info.scope.as_deref().unwrap_or("")),
                    expires_at: expiry(now_ms, info.expires_in_seconds, "providerInfo")?,
                    refresh_token: info
                        .refresh_token
                        .filter(|t| !t.is_empty())
                        .map(Secret::new),
                }),
                None => None,
            },
            None => None,
        };
        let backstage = match response.backstage_identity {
            Some(wire) => {
                if wire.token.is_empty() || wire.identity.user_entity_ref.is_empty() {
                    return Err(AuthError::InvalidResponse(
                        "empty backstage identity".into(),
                    ));
                }
                let expires_at = match expiry(now_ms, wire.expires_in_seconds, "backstageIdentity")?
                {
                    Some(at) => Some(at),
                    // No lifetime given: fall back to the token's own `exp`.
                    None => jwt::claims(&wire.token)
                        .and_then(|c| c.exp)
                        .map(|exp| exp * 1000.0),
                };
                Some(BackstageSession {
                    token: Secret::new(wire.token),
                    expires_at,
                    identity: wire.identity,
                })
            }
            None => None,
        };
        if provider.is_none() && backstage.is_none() {
            return Err(AuthError::InvalidResponse(
                "neither a provider token nor a backstage identity".into(),
            ));
        }
        Ok(Session {
            provider,
            profile: response.profile,
            backstage,
        })
    }

    /// The earlier of the provider token's and the Backstage token's expiry.
    pub fn expires_at(&self) -> Option<f64> {
        let provider = self.provider.as_ref().and_then(|p| p.expires_at);
        let backstage = self.backstage.as_ref().and_then(|b| b.expires_at);
        match (provider, backstage) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// True once the session is within `margin_ms` of its expiry (Backstage: 3 minutes).
    pub fn should_refresh(&self, now_ms: f64, margin_ms: f64) -> bool {
        self.expires_at().is_some_and(|at| at - margin_ms <= now_ms)
    }

    /// True once a token of the session has actually expired.
    pub fn is_expired(&self, now_ms: f64) -> bool {
        self.expires_at().is_some_and(|at| at <= now_ms)
    }

    pub fn scopes(&self) -> ScopeSet {
        self.provider
            .as_ref()
            .map(|p| p.scopes.clone())
            .unwrap_or_default()
    }

    pub fn has_scopes(&self, wanted: &ScopeSet) -> bool {
        self.provider
            .as_ref()
            .is_some_and(|p| p.scopes.contains_all(wanted))
            || wanted.is_empty()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::protocol::parse_auth_result;
    use serde_json::json;

    pub fn response(provider_ttl: Option<u32>, backstage_ttl: Option<u32>) -> AuthResponse {
        let token = crate::jwt::fake_jwt(&json!({"sub": "user:default/jane", "aud": "backstage",
            "ent": ["user:default/jane", "group:default/team-a"], "exp": 4_000_000_000u64}));
        parse_auth_result(json!({
            "providerInfo": {"accessToken": "at", "idToken": "it", "scope": "openid email",
                             "expiresInSeconds": provider_ttl},
            "profile": {"email": "jane@example.com"},
            "backstageIdentity": {"token": token, "expiresInSeconds": backstage_ttl,
                "identity": {"type": "user", "userEntityRef": "user:default/jane",
                             "ownershipEntityRefs": ["user:default/jane", "group:default/team-a"]}}
        }))
        .expect("valid response")
    }

    #[test]
    fn expiry_is_the_earlier_of_both_tokens() {
        let s = Session::from_response(response(Some(3600), Some(600)), 1_000.0).expect("ok");
        assert_eq!(s.expires_at(), Some(1_000.0 + 600_000.0));
        let margin = 180_000.0;
        assert!(!s.should_refresh(1_000.0 + 420_000.0 - 1.0, margin));
        assert!(s.should_refresh(1_000.0 + 420_000.0, margin));
        assert!(!s.is_expired(600_000.0));
        assert!(s.is_expired(601_000.0));
    }

    #[test]
    fn missing_lifetimes() {
        let s = Session::from_response(response(None, None), 0.0).expect("ok");
        // No expiresInSeconds for the Backstage token: its JWT `exp` counts.
        assert_eq!(s.expires_at(), Some(4_000_000_000_000.0));
        let mut r = response(None, None);
        r.backstage_identity = None;
        let s = Session::from_response(r, 0.0).expect("ok");
        assert_eq!(s.expires_at(), None);
        assert!(!s.should_refresh(1e15, 180_000.0));
    }

    #[test]
    fn rejects_bad_lifetimes_and_empty_sessions() {
        for bad in [-1.0, f64::NAN, f64::INFINITY, 1e12] {
            let mut r = response(Some(1), None);
            r.provider_info.as_mut().expect("pi").expires_in_seconds = Some(bad);
            assert_eq!(
                Session::from_response(r, 0.0).expect_err("bad").name(),
                "InvalidResponseError"
            );
        }
        let mut r = response(Some(1), Some(1));
        r.provider_info = None;
        r.backstage_identity = None;
        assert!(Session::from_response(r, 0.0).is_err());
    }

    #[test]
    fn scopes() {
        let s = Session::from_response(response(Some(60), None), 0.0).expect("ok");
        assert!(s.has_scopes(&ScopeSet::parse("openid")));
        assert!(!s.has_scopes(&ScopeSet::parse("openid groups")));
        assert!(s.has_scopes(&ScopeSet::default()));
    }

    #[test]
    fn refresh_token_is_optional_in_storage() {
        let mut r = response(Some(60), None);
        let s = Session::from_response(r.clone(), 0.0).expect("ok");
        let json = serde_json::to_value(&s).expect("json");
        assert!(json["provider"].get("refreshToken").is_none(), "{json}");
        r.provider_info.as_mut().expect("pi").refresh_token = Some("rt".into());
        let s = Session::from_response(r, 0.0).expect("ok");
        let json = serde_json::to_value(&s).expect("json");
        assert_eq!(json["provider"]["refreshToken"], "rt");
        let back: Session = serde_json::from_value(json).expect("round trip");
        assert_eq!(back, s);
        assert!(!format!("{s:?}").contains("\"rt\""));
    }

    #[test]
    fn debug_never_shows_tokens() {
        let s = Session::from_response(response(Some(60), Some(60)), 0.0).expect("ok");
        let debug = format!("{s:?}");
        assert!(
            !debug.contains("\"at\"") && !debug.contains("eyJ"),
            "{debug}"
        );
    }
}
