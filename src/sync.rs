//! Cross-tab session sync: the messages tabs of one origin send each other over a
//! `BroadcastChannel`, and their validation. A message is just more untrusted input: it is
//! checked like a stored record (schema, provider, environment, token cross-checks, expiry).

use crate::session::Session;
use crate::store;
use serde::{Deserialize, Serialize};

pub const PROTOCOL: &str = "backstage-wasm-auth/session";
pub const VERSION: u32 = 1;

/// What happened in the sending tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    SignedIn,
    Refreshed,
    SignedOut,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Envelope {
    protocol: String,
    version: u32,
    provider: String,
    environment: String,
    /// The sending client, so that a client ignores its own echo.
    sender: String,
    #[serde(rename = "type")]
    kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session: Option<Session>,
}

/// A validated message from another tab.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    Session { kind: Kind, session: Box<Session> },
    SignedOut,
}

/// Why a message was ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignored {
    Malformed,
    OtherProtocol,
    OtherProvider,
    Own,
    Invalid(store::Rejection),
}

/// The name of the channel (and the prefix of the lock) for one provider and environment.
pub fn channel_name(provider: &str, environment: &str) -> String {
    format!("backstage-wasm-auth:{provider}:{environment}")
}

pub fn encode(
    provider: &str,
    environment: &str,
    sender: &str,
    kind: Kind,
    session: Option<&Session>,
) -> String {
    let envelope = Envelope {
        protocol: PROTOCOL.into(),
        version: VERSION,
        provider: provider.into(),
        environment: environment.into(),
        sender: sender.into(),
        kind,
        session: if kind == Kind::SignedOut {
            None
        } else {
            session.cloned()
        },
    };
    serde_json::to_string(&envelope).unwrap_or_default()
}

pub fn decode(
    raw: &str,
    provider: &str,
    environment: &str,
    own_sender: &str,
    now_ms: f64,
) -> Result<SyncEvent, Ignored> {
    let value: serde_json::Value = serde_json::from_str(raw).map_err(|_| Ignored::Malformed)?;
    let protocol_ok = value.get("protocol").and_then(|p| p.as_str()) == Some(PROTOCOL)
        && value.get("version").and_then(|v| v.as_u64()) == Some(u64::from(VERSION));
    if !protocol_ok {
        return Err(Ignored::OtherProtocol);
    }
    let envelope: Envelope = serde_json::from_value(value).map_err(|_| Ignored::Malformed)?;
    if envelope.provider != provider || envelope.environment != environment {
        return Err(Ignored::OtherProvider);
    }
    if envelope.sender == own_sender {
        return Err(Ignored::Own);
    }
    match (envelope.kind, envelope.session) {
        (Kind::SignedOut, None) => Ok(SyncEvent::SignedOut),
        (Kind::SignedOut, Some(_)) | (_, None) => Err(Ignored::Malformed),
        (kind, Some(session)) => {
            store::validate(&session).map_err(Ignored::Invalid)?;
            if session.is_expired(now_ms) {
                return Err(Ignored::Invalid(store::Rejection::Expired));
            }
            Ok(SyncEvent::Session {
                kind,
                session: Box::new(session),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::tests::response;
    use serde_json::json;

    fn session() -> Session {
        Session::from_response(response(Some(3600), Some(3600)), 1_000.0).expect("session")
    }

    #[test]
    fn round_trip() {
        let raw = encode(
            "oidc",
            "development",
            "tab-a",
            Kind::Refreshed,
            Some(&session()),
        );
        assert_eq!(
            decode(&raw, "oidc", "development", "tab-b", 2_000.0),
            Ok(SyncEvent::Session {
                kind: Kind::Refreshed,
                session: Box::new(session())
            })
        );
        let raw = encode(
            "oidc",
            "development",
            "tab-a",
            Kind::SignedOut,
            Some(&session()),
        );
        assert!(
            !raw.contains("\"session\":"),
            "sign-out carries no session: {raw}"
        );
        assert_eq!(
            decode(&raw, "oidc", "development", "tab-b", 2_000.0),
            Ok(SyncEvent::SignedOut)
        );
    }

    #[test]
    fn ignores_what_is_not_for_us() {
        let raw = encode(
            "oidc",
            "development",
            "tab-a",
            Kind::SignedIn,
            Some(&session()),
        );
        assert_eq!(
            decode(&raw, "github", "development", "b", 2_000.0),
            Err(Ignored::OtherProvider)
        );
        assert_eq!(
            decode(&raw, "oidc", "production", "b", 2_000.0),
            Err(Ignored::OtherProvider)
        );
        assert_eq!(
            decode(&raw, "oidc", "development", "tab-a", 2_000.0),
            Err(Ignored::Own)
        );
        assert_eq!(
            decode(&raw, "oidc", "development", "b", 1e15),
            Err(Ignored::Invalid(store::Rejection::Expired))
        );
        for junk in [
            "",
            "42",
            "{}",
            "{\"protocol\":\"other\",\"version\":1}",
            "{\"protocol\":\"backstage-wasm-auth/session\",\"version\":2}",
        ] {
            assert!(
                decode(junk, "oidc", "development", "b", 2_000.0).is_err(),
                "{junk}"
            );
        }
    }

    #[test]
    fn forged_sessions_are_refused() {
        let mut v: serde_json::Value = serde_json::from_str(&encode(
            "oidc",
            "development",
            "a",
            Kind::SignedIn,
            Some(&session()),
        ))
        .expect("json");
        v["session"]["backstage"]["identity"]["userEntityRef"] = json!("user:default/admin");
        assert!(matches!(
            decode(&v.to_string(), "oidc", "development", "b", 2_000.0),
            Err(Ignored::Invalid(_))
        ));
        v["session"] = json!(null);
        assert_eq!(
            decode(&v.to_string(), "oidc", "development", "b", 2_000.0),
            Err(Ignored::Malformed)
        );
        let mut v: serde_json::Value = serde_json::from_str(&encode(
            "oidc",
            "development",
            "a",
            Kind::SignedIn,
            Some(&session()),
        ))
        .expect("json");
        v["extra"] = json!(1);
        assert_eq!(
            decode(&v.to_string(), "oidc", "development", "b", 2_000.0),
            Err(Ignored::Malformed)
        );
    }
}
