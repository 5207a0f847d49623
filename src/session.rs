//! A signed-in session, built from an AuthResponse, and the expiry maths around it.

use crate::error::AuthError;
use crate::json::{FieldError, Json, ObjectBuilder};
use crate::jwt;
use crate::protocol::{AuthResponse, BackstageUserIdentity, ProfileInfo};
use crate::scopes::ScopeSet;
use crate::secret::{AccessToken, Secret};

/// What the OAuth provider granted. Absent for proxy providers that send no `providerInfo`.
#[derive(Debug, Clone)]
pub struct ProviderSession {
    pub access_token: AccessToken,
    pub id_token: Option<Secret>,
    pub scopes: ScopeSet,
    /// Epoch milliseconds; `None` when the provider gave no lifetime.
    pub expires_at: Option<f64>,
    /// The OAuth refresh token of the PKCE flow (Backstage keeps its own in a cookie). Absent in
    /// records of the other flows, so schema version 1 is unchanged.
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
#[derive(Debug, Clone, PartialEq)]
pub struct BackstageSession {
    pub token: Secret,
    pub expires_at: Option<f64>,
    pub identity: BackstageUserIdentity,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub provider: Option<ProviderSession>,
    pub profile: ProfileInfo,
    pub backstage: Option<BackstageSession>,
    /// When the backend's answer arrived (epoch ms): with the expiry it gives the session's
    /// lifetime, which bounds the refresh margin (see [`Session::refresh_at`]). `None` in records
    /// written before it was stored: then the margin applies as configured.
    pub obtained_at: Option<f64>,
}

/// The stored shape (schema version 1): camelCase members, absent optional members left out,
/// unknown members refused (a record is rewritten whole, so a stranger means tampering).
mod schema {
    pub const SESSION: &[&str] = &["provider", "profile", "backstage", "obtainedAt"];
    pub const PROVIDER: &[&str] = &[
        "accessToken",
        "idToken",
        "scopes",
        "expiresAt",
        "refreshToken",
    ];
    pub const BACKSTAGE: &[&str] = &["token", "expiresAt", "identity"];
}

fn only(value: &Json, allowed: &[&str]) -> Result<(), FieldError> {
    match value.unknown_key(allowed) {
        Some(key) => Err(FieldError {
            path: key.to_owned(),
            expected: "absent (unknown member)",
        }),
        None if value.as_object().is_none() => Err(FieldError {
            path: "session".into(),
            expected: "an object",
        }),
        None => Ok(()),
    }
}

fn required<T>(value: Option<T>, path: &str, expected: &'static str) -> Result<T, FieldError> {
    value.ok_or_else(|| FieldError {
        path: path.to_owned(),
        expected,
    })
}

fn secret(value: &Json, key: &str) -> Result<Option<Secret>, FieldError> {
    Ok(value.opt_str(key)?.map(|s| Secret::new(s.to_owned())))
}

fn time(value: Option<f64>) -> Option<Json> {
    value.map(Json::Num)
}

impl ProviderSession {
    fn from_json(value: &Json) -> Result<ProviderSession, FieldError> {
        only(value, schema::PROVIDER)?;
        let scopes = required(
            value.opt_str_list("scopes")?,
            "scopes",
            "an array of strings",
        )?;
        Ok(ProviderSession {
            access_token: AccessToken::new(value.req_str("accessToken")?.to_owned()),
            id_token: secret(value, "idToken")?,
            scopes: ScopeSet::from_list(scopes),
            expires_at: value.opt_f64("expiresAt")?,
            refresh_token: secret(value, "refreshToken")?,
        })
    }

    fn to_json(&self) -> Json {
        let text = |s: &Option<Secret>| s.as_ref().map(|s| Json::from(s.expose()));
        ObjectBuilder::new()
            .set(
                "accessToken",
                Json::from(self.access_token.secret().as_str()),
            )
            .set_opt("idToken", text(&self.id_token))
            .set("scopes", self.scopes.to_json())
            .set_opt("expiresAt", time(self.expires_at))
            .set_opt("refreshToken", text(&self.refresh_token))
            .build()
    }
}

impl BackstageSession {
    fn from_json(value: &Json) -> Result<BackstageSession, FieldError> {
        only(value, schema::BACKSTAGE)?;
        let identity = required(value.opt_object("identity")?, "identity", "an object")?;
        Ok(BackstageSession {
            token: Secret::new(value.req_str("token")?.to_owned()),
            expires_at: value.opt_f64("expiresAt")?,
            identity: BackstageUserIdentity::from_json(identity)
                .map_err(|e| e.within("identity"))?,
        })
    }

    fn to_json(&self) -> Json {
        ObjectBuilder::new()
            .set("token", Json::from(self.token.expose()))
            .set_opt("expiresAt", time(self.expires_at))
            .set("identity", self.identity.to_json())
            .build()
    }
}

impl Session {
    /// Reads the stored shape (see [`Session::to_json`]).
    pub fn from_json(value: &Json) -> Result<Session, FieldError> {
        only(value, schema::SESSION)?;
        let profile = required(value.opt_object("profile")?, "profile", "an object")?;
        Ok(Session {
            provider: value
                .opt_object("provider")?
                .map(ProviderSession::from_json)
                .transpose()
                .map_err(|e| e.within("provider"))?,
            profile: ProfileInfo::from_json(profile).map_err(|e| e.within("profile"))?,
            backstage: value
                .opt_object("backstage")?
                .map(BackstageSession::from_json)
                .transpose()
                .map_err(|e| e.within("backstage"))?,
            obtained_at: value.opt_f64("obtainedAt")?,
        })
    }

    /// The stored shape: what storage records and tab messages carry. Times are whole
    /// milliseconds.
    pub fn to_json(&self) -> Json {
        ObjectBuilder::new()
            .set_opt(
                "provider",
                self.provider.as_ref().map(ProviderSession::to_json),
            )
            .set("profile", self.profile.to_json())
            .set_opt(
                "backstage",
                self.backstage.as_ref().map(BackstageSession::to_json),
            )
            .set_opt("obtainedAt", time(self.obtained_at))
            .build()
    }
}

/// A background refresh never comes sooner than this after the session arrived.
const MIN_RENEW_AFTER_MS: f64 = 1000.0;

/// Lifetimes longer than this are not believed (a year): they would pin a session forever.
const MAX_LIFETIME_SECONDS: f64 = 366.0 * 24.0 * 3600.0;

fn expiry(now_ms: f64, seconds: Option<f64>, what: &str) -> Result<Option<f64>, AuthError> {
    match seconds {
        None => Ok(None),
        Some(s) if s.is_finite() && (0.0..=MAX_LIFETIME_SECONDS).contains(&s) => {
            Ok(Some((now_ms + s * 1000.0).round()))
        }
        Some(_) => Err(AuthError::InvalidResponse(
            what.to_owned() + ": bad expiresInSeconds",
        )),
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
                    // No lifetime given: fall back to the token's own claims, capped like a
                    // given lifetime (an absurd `exp` must not pin the session forever). `exp`
                    // is on the backend's clock: with `iat` its lifetime (`exp - iat`) counts
                    // from now on this browser's clock, so a browser clock minutes off neither
                    // refreshes in a loop nor signs out early.
                    None => jwt::claims(&wire.token)
                        .and_then(|c| match (c.exp, c.iat) {
                            (Some(exp), Some(iat)) if exp >= iat => {
                                Some(now_ms + (exp - iat) * 1000.0)
                            }
                            (exp, _) => exp.map(|exp| exp * 1000.0),
                        })
                        .map(|at| at.min(now_ms + MAX_LIFETIME_SECONDS * 1000.0))
                        .filter(|at| at.is_finite()),
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
            obtained_at: Some(now_ms),
        })
    }

    /// The earlier of the provider token's and the Backstage token's expiry.
    /// The OAuth refresh token (`flow: 'pkce'` only).
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.provider.as_ref()?.refresh_token.as_ref()
    }

    pub fn expires_at(&self) -> Option<f64> {
        let provider = self.provider.as_ref().and_then(|p| p.expires_at);
        let backstage = self.backstage.as_ref().and_then(|b| b.expires_at);
        match (provider, backstage) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// When the session is due for a refresh: `margin_ms` before its expiry (Backstage: 3
    /// minutes), but never earlier than half its lifetime. A token that lives less than the
    /// margin (Keycloak-style 1-5 minute tokens) would otherwise be due the moment it arrives:
    /// every call would refresh again, and N tabs waiting for the refresh lock would each refresh
    /// once more with the session a sibling just got. `None`: it never expires.
    pub fn refresh_at(&self, margin_ms: f64) -> Option<f64> {
        let expires_at = self.expires_at()?;
        let margin = match self.obtained_at {
            Some(obtained) if expires_at > obtained => margin_ms.min((expires_at - obtained) / 2.0),
            _ => margin_ms,
        };
        Some(expires_at - margin)
    }

    /// When a visible page refreshes the session in the background (`backgroundRefresh`):
    /// shortly before [`Session::refresh_at`] (a quarter of the time until then, at most
    /// `lead_max_ms`), so that no caller meets the margin while it runs. `None` without an
    /// expiry, or when that moment would come less than a second after the session arrived (a
    /// token that lives too short for it must not be refreshed in a loop).
    pub fn renew_at(&self, margin_ms: f64, lead_max_ms: f64) -> Option<f64> {
        let refresh_at = self.refresh_at(margin_ms)?;
        let obtained = self.obtained_at?;
        let at = refresh_at - lead_max_ms.min((refresh_at - obtained) / 4.0);
        (at >= obtained + MIN_RENEW_AFTER_MS).then_some(at)
    }

    /// True once the session is due for a refresh ([`Session::refresh_at`]).
    pub fn should_refresh(&self, now_ms: f64, margin_ms: f64) -> bool {
        self.refresh_at(margin_ms).is_some_and(|at| at <= now_ms)
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
        parse_auth_result(&crate::protocol::tests::tree(&json!({
            "providerInfo": {"accessToken": "at", "idToken": "it", "scope": "openid email",
                             "expiresInSeconds": provider_ttl},
            "profile": {"email": "jane@example.com"},
            "backstageIdentity": {"token": token, "expiresInSeconds": backstage_ttl,
                "identity": {"type": "user", "userEntityRef": "user:default/jane",
                             "ownershipEntityRefs": ["user:default/jane", "group:default/team-a"]}}
        })))
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
    fn a_short_lifetime_bounds_the_margin_at_half_of_it() {
        let margin = 180_000.0;
        // 60 s token, 180 s margin: due after 30 s, not at once.
        let s = Session::from_response(response(Some(60), Some(3600)), 1_000.0).expect("ok");
        assert_eq!(s.refresh_at(margin), Some(1_000.0 + 30_000.0));
        assert!(!s.should_refresh(1_000.0, margin));
        assert!(!s.should_refresh(30_999.0, margin));
        assert!(s.should_refresh(31_000.0, margin));
        // Long-lived: the margin as configured.
        let s = Session::from_response(response(Some(3600), None), 1_000.0).expect("ok");
        assert_eq!(s.refresh_at(margin), Some(1_000.0 + 3_600_000.0 - margin));
        // A record without obtainedAt (written by an earlier version): the margin as configured.
        let mut s = Session::from_response(response(Some(60), None), 1_000.0).expect("ok");
        s.obtained_at = None;
        assert!(s.should_refresh(1_000.0, margin));
        // It travels with the session.
        let s = Session::from_response(response(Some(60), None), 1_000.0).expect("ok");
        let back = Session::from_json(&Json::parse(&s.to_json().encode()).expect("json"));
        assert_eq!(back.expect("stored").obtained_at, Some(1_000.0));
    }

    #[test]
    fn background_refresh_comes_shortly_before_the_margin() {
        // One hour, margin 3 min: 60 s before it (the cap).
        let s = Session::from_response(response(Some(3600), Some(3600)), 0.0).expect("ok");
        assert_eq!(s.refresh_at(180_000.0), Some(3_420_000.0));
        assert_eq!(s.renew_at(180_000.0, 60_000.0), Some(3_360_000.0));
        // 8 s (refreshed at half its life, 4 s): a quarter before that, 3 s after it arrived.
        let s = Session::from_response(response(Some(8), Some(3600)), 0.0).expect("ok");
        assert_eq!(s.renew_at(180_000.0, 60_000.0), Some(3_000.0));
        // 2 s: it would be 0.75 s after arrival: no background refresh (no loop).
        let s = Session::from_response(response(Some(2), Some(3600)), 0.0).expect("ok");
        assert_eq!(s.renew_at(180_000.0, 60_000.0), None);
        let s = Session::from_response(response(Some(0), Some(3600)), 0.0).expect("ok");
        assert_eq!(s.renew_at(180_000.0, 60_000.0), None);
        // A stored record without the time it arrived: none either.
        let mut s = Session::from_response(response(Some(3600), None), 0.0).expect("ok");
        s.obtained_at = None;
        assert_eq!(s.renew_at(180_000.0, 60_000.0), None);
    }

    #[test]
    fn a_token_lifetime_counts_from_arrival_on_this_clock() {
        // No expiresInSeconds: `exp - iat` (10 min) from now, whatever the backend's clock says
        // (here 20 min behind the browser's: `exp` alone would already be past).
        let browser_now = 2_000_000_000_000.0;
        let backend_now_s = browser_now / 1000.0 - 1200.0;
        let mut r = response(None, None);
        r.backstage_identity.as_mut().expect("identity").token =
            crate::jwt::fake_jwt(&json!({"sub": "user:default/jane", "iat": backend_now_s,
                "exp": backend_now_s + 600.0}));
        let s = Session::from_response(r, browser_now).expect("ok");
        assert_eq!(s.expires_at(), Some(browser_now + 600_000.0));
        assert!(!s.should_refresh(browser_now + 1000.0, 180_000.0));
    }

    #[test]
    fn missing_lifetimes() {
        // No expiresInSeconds for the Backstage token: its JWT `exp` counts (4e9 s)...
        let now = 3_990_000_000_000.0;
        let s = Session::from_response(response(None, None), now).expect("ok");
        assert_eq!(s.expires_at(), Some(4_000_000_000_000.0));
        // ...capped at a year from now, like a given lifetime: an absurd `exp` (here 4e9 s
        // seen from 1970, or 1e308) must not pin the session forever.
        let s = Session::from_response(response(None, None), 0.0).expect("ok");
        assert_eq!(s.expires_at(), Some(MAX_LIFETIME_SECONDS * 1000.0));
        let mut r = response(None, None);
        let huge = crate::jwt::fake_jwt(&json!({"sub": "user:default/jane", "exp": 1e308}));
        r.backstage_identity.as_mut().expect("identity").token = huge;
        let s = Session::from_response(r, now).expect("ok");
        assert_eq!(s.expires_at(), Some(now + MAX_LIFETIME_SECONDS * 1000.0));
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
        let json = s.to_json();
        assert!(json
            .get("provider")
            .and_then(|p| p.get("refreshToken"))
            .is_none());
        r.provider_info.as_mut().expect("pi").refresh_token = Some("rt".into());
        let s = Session::from_response(r, 0.0).expect("ok");
        let json = s.to_json();
        assert_eq!(
            json.get("provider").and_then(|p| p.get("refreshToken")),
            Some(&Json::from("rt"))
        );
        let back =
            Session::from_json(&Json::parse(&json.encode()).expect("json")).expect("round trip");
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
