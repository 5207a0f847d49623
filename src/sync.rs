//! Cross-tab session sync: the messages tabs of one origin send each other over a
//! `BroadcastChannel`, and their validation. A message is just more untrusted input: it is
//! checked like a stored record (schema, provider, environment, token cross-checks, expiry).

use std::borrow::Cow;

use crate::json::{push_uint, Json, ObjectBuilder};
use crate::manager::{Announce, Remote};
use crate::session::Session;
use crate::store;

pub const PROTOCOL: &str = "backstage-wasm-auth/session";
pub const VERSION: u32 = 1;

/// What happened in the sending tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SignedIn,
    Refreshed,
    SignedOut,
    /// The session ran out and could not be refreshed: a sign-out the other tabs explain as an
    /// expiry, not as "signed out in another tab". A tab of an older version ignores this type;
    /// harmless, as its copy of the session runs out at the same time.
    Expired,
    /// A tab without a session asks the tabs that have one to announce it (no session inside).
    Hello,
}

impl Kind {
    fn carries_session(self) -> bool {
        matches!(self, Kind::SignedIn | Kind::Refreshed)
    }

    /// The `type` of the message.
    fn name(self) -> &'static str {
        match self {
            Kind::SignedIn => "signedIn",
            Kind::Refreshed => "refreshed",
            Kind::SignedOut => "signedOut",
            Kind::Expired => "expired",
            Kind::Hello => "hello",
        }
    }

    fn from_name(name: &str) -> Option<Kind> {
        [
            Kind::SignedIn,
            Kind::Refreshed,
            Kind::SignedOut,
            Kind::Expired,
            Kind::Hello,
        ]
        .into_iter()
        .find(|kind| kind.name() == name)
    }
}

const ENVELOPE_KEYS: &[&str] = &[
    "protocol",
    "version",
    "provider",
    "environment",
    "sender",
    "type",
    "session",
];

impl From<Announce> for Kind {
    fn from(announce: Announce) -> Kind {
        match announce {
            Announce::SignedIn => Kind::SignedIn,
            Announce::Refreshed => Kind::Refreshed,
            Announce::SignedOut => Kind::SignedOut,
            Announce::Expired => Kind::Expired,
        }
    }
}

/// A validated message from another tab.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    Session {
        kind: Kind,
        session: Box<Session>,
    },
    /// Another tab's session ended: it signed out, or (`expired`) its session ran out.
    SignedOut {
        expired: bool,
    },
    /// A new tab asks for the session (see [`answers_hello`]).
    Hello,
}

impl SyncEvent {
    /// What the session manager applies; `None` for a `hello` (the glue answers it).
    pub fn into_remote(self) -> Option<Remote> {
        match self {
            SyncEvent::Session { kind, session } => Some(Remote::Session {
                kind: if kind == Kind::SignedIn {
                    Announce::SignedIn
                } else {
                    Announce::Refreshed
                },
                session,
            }),
            SyncEvent::SignedOut { expired } => Some(Remote::SignedOut { expired }),
            SyncEvent::Hello => None,
        }
    }
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
    store::scoped_name("backstage-wasm-auth", provider, environment)
}

pub fn encode(
    provider: &str,
    environment: &str,
    sender: &str,
    kind: Kind,
    session: Option<&Session>,
) -> String {
    let session = session.filter(|_| kind.carries_session());
    ObjectBuilder::new()
        .set("protocol", Json::from(PROTOCOL))
        .set("version", Json::Num(f64::from(VERSION)))
        .set("provider", Json::from(provider))
        .set("environment", Json::from(environment))
        .set("sender", Json::from(sender))
        .set("type", Json::from(kind.name()))
        .set_opt("session", session.map(Session::to_json))
        .build()
        .encode()
}

pub fn decode(
    raw: &str,
    provider: &str,
    environment: &str,
    own_sender: &str,
    now_ms: f64,
) -> Result<SyncEvent, Ignored> {
    let value = Json::parse(raw).map_err(|_| Ignored::Malformed)?;
    let protocol_ok = value.get("protocol").and_then(Json::as_str) == Some(PROTOCOL)
        && value.get("version").and_then(Json::as_f64) == Some(f64::from(VERSION));
    if !protocol_ok {
        return Err(Ignored::OtherProtocol);
    }
    if value.unknown_key(ENVELOPE_KEYS).is_some() {
        return Err(Ignored::Malformed);
    }
    let text = |key| value.req_str(key).map_err(|_| Ignored::Malformed);
    let (their_provider, their_environment, sender) =
        (text("provider")?, text("environment")?, text("sender")?);
    let kind = Kind::from_name(text("type")?).ok_or(Ignored::Malformed)?;
    let session = match value.opt_object("session") {
        Ok(Some(session)) => Some(Session::from_json(session).map_err(|_| Ignored::Malformed)?),
        Ok(None) => None,
        Err(_) => return Err(Ignored::Malformed),
    };
    if their_provider != provider || their_environment != environment {
        return Err(Ignored::OtherProvider);
    }
    if sender == own_sender {
        return Err(Ignored::Own);
    }
    match (kind, session) {
        (Kind::SignedOut, None) => Ok(SyncEvent::SignedOut { expired: false }),
        (Kind::Expired, None) => Ok(SyncEvent::SignedOut { expired: true }),
        (Kind::Hello, None) => Ok(SyncEvent::Hello),
        (Kind::SignedOut | Kind::Expired | Kind::Hello, Some(_)) | (_, None) => {
            Err(Ignored::Malformed)
        }
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

/// The session as other tabs are told of it. The PKCE flow's refresh token stays in the tab that
/// holds it unless the app opts in (`pkce.shareRefreshToken`): a tab that only follows is handed
/// each new access token by the tab that refreshes, and keeps its own refresh token, if any
/// (see `SessionManager::apply_remote`).
pub fn announced(session: &Session, share_refresh_token: bool) -> Cow<'_, Session> {
    match &session.provider {
        // Only the PKCE build has refresh tokens in sessions.
        Some(provider)
            if cfg!(feature = "pkce")
                && provider.refresh_token.is_some()
                && !share_refresh_token =>
        {
            let mut copy = session.clone();
            if let Some(p) = copy.provider.as_mut() {
                p.refresh_token = None;
            }
            Cow::Owned(copy)
        }
        _ => Cow::Borrowed(session),
    }
}

/// What a `storage` event on the session key (`storage: 'local'`, shared by the origin's tabs)
/// means for this tab. A new valid record is a refreshed session; a removal is a sign-out only
/// when the removed record was a live session: another tab discarding a record that did not
/// validate (tampered, expired, foreign) must not sign this tab out.
pub fn storage_change(
    old_value: Option<&str>,
    new_value: Option<&str>,
    provider: &str,
    environment: &str,
    now_ms: f64,
) -> Option<SyncEvent> {
    match new_value {
        Some(raw) => store::decode(raw, provider, environment, now_ms)
            .ok()
            .map(|session| SyncEvent::Session {
                kind: Kind::Refreshed,
                session: Box::new(session),
            }),
        None => old_value
            .and_then(|raw| store::decode(raw, provider, environment, now_ms).ok())
            .map(|_| SyncEvent::SignedOut { expired: false }),
    }
}

/// Whether a tab answers a `hello` with its session: only with one that another tab would
/// accept (`decode` refuses expired sessions).
pub fn answers_hello(session: Option<&Session>, now_ms: f64) -> bool {
    session.is_some_and(|s| !s.is_expired(now_ms))
}

/// Presence: while a tab holds a session it holds a Web Lock of this name, so that a new tab
/// can see (`navigator.locks.query()`, no message, no wait) whether asking is worth it. The
/// session's expiry is in the name: a sibling whose session has expired has nothing to hand over.
pub fn presence_lock_name(channel: &str, sender: &str, expires_at: Option<f64>) -> String {
    let mut name = channel.to_owned();
    name.push_str(":session:");
    name.push_str(sender);
    name.push(':');
    match expires_at {
        Some(at) => push_uint(&mut name, at as u64),
        None => name.push_str("never"),
    }
    name
}

/// Whether one of `held` (the names of the origin's held Web Locks) is the presence lock of
/// ANOTHER client of `channel` with a session that has not expired at `now_ms`.
pub fn sibling_has_session<'a>(
    held: impl IntoIterator<Item = &'a str>,
    channel: &str,
    own_sender: &str,
    now_ms: f64,
) -> bool {
    held.into_iter().any(|name| {
        let Some((sender, until)) = name
            .strip_prefix(channel)
            .and_then(|rest| rest.strip_prefix(":session:"))
            .and_then(|rest| rest.rsplit_once(':'))
        else {
            return false;
        };
        let live = match until {
            "never" => true,
            ms => ms.parse::<u64>().is_ok_and(|at| at as f64 > now_ms),
        };
        sender != own_sender && live
    })
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
        // A sign-out, and an expiry (a sign-out that says why): no session inside, and a message
        // of either type that carries one is malformed.
        for (kind, name, expired) in [
            (Kind::SignedOut, "signedOut", false),
            (Kind::Expired, "expired", true),
        ] {
            let raw = encode("oidc", "development", "tab-a", kind, Some(&session()));
            assert!(
                raw.contains(&format!("\"type\":\"{name}\"")) && !raw.contains("\"session\":"),
                "no session inside: {raw}"
            );
            assert_eq!(
                decode(&raw, "oidc", "development", "tab-b", 2_000.0),
                Ok(SyncEvent::SignedOut { expired })
            );
            assert_eq!(
                decode(&with_session(&raw), "oidc", "development", "tab-b", 2_000.0),
                Err(Ignored::Malformed),
                "a {name} with a session"
            );
        }
    }

    /// `raw` with a session added: only `signedIn` / `refreshed` may carry one.
    fn with_session(raw: &str) -> String {
        let mut v: serde_json::Value = serde_json::from_str(raw).expect("json");
        v["session"] = serde_json::from_str(&session().to_json().encode()).expect("session");
        v.to_string()
    }

    #[test]
    #[cfg(feature = "pkce")] // refresh tokens exist in the PKCE build only
    fn refresh_tokens_stay_in_their_tab_unless_shared() {
        let mut with_token = session();
        with_token
            .provider
            .as_mut()
            .expect("provider")
            .refresh_token = Some(crate::secret::Secret::new("rt-1".into()));
        let told = announced(&with_token, false);
        let raw = encode("oidc", "development", "tab-a", Kind::SignedIn, Some(&told));
        assert!(
            !raw.contains("rt-1") && !raw.contains("refreshToken"),
            "{raw}"
        );
        let Ok(SyncEvent::Session { session: got, .. }) =
            decode(&raw, "oidc", "development", "tab-b", 2_000.0)
        else {
            panic!("a valid message");
        };
        // Everything else arrives as it was.
        assert_eq!(*got, session());
        // Opted in: the whole session travels.
        let raw = encode(
            "oidc",
            "development",
            "tab-a",
            Kind::SignedIn,
            Some(&announced(&with_token, true)),
        );
        assert!(raw.contains("\"refreshToken\":\"rt-1\""), "{raw}");
        // Nothing to strip: the session itself, not a copy.
        assert!(matches!(announced(&session(), false), Cow::Borrowed(_)));
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

    #[test]
    fn hello_round_trip_and_rejections() {
        let raw = encode(
            "oidc",
            "development",
            "tab-a",
            Kind::Hello,
            Some(&session()),
        );
        assert!(
            !raw.contains("\"session\":"),
            "hello carries no session: {raw}"
        );
        assert!(raw.contains("\"type\":\"hello\""), "{raw}");
        assert_eq!(
            decode(&raw, "oidc", "development", "tab-b", 2_000.0),
            Ok(SyncEvent::Hello)
        );
        assert_eq!(
            decode(&raw, "oidc", "development", "tab-a", 2_000.0),
            Err(Ignored::Own)
        );
        assert_eq!(
            decode(&raw, "github", "development", "tab-b", 2_000.0),
            Err(Ignored::OtherProvider)
        );
        assert_eq!(
            decode(&raw, "oidc", "production", "tab-b", 2_000.0),
            Err(Ignored::OtherProvider)
        );
        assert_eq!(
            decode(&with_session(&raw), "oidc", "development", "b", 2_000.0),
            Err(Ignored::Malformed),
            "a hello with a session is not a hello"
        );
        let mut v: serde_json::Value = serde_json::from_str(&raw).expect("json");
        v["version"] = json!(2);
        assert_eq!(
            decode(&v.to_string(), "oidc", "development", "b", 2_000.0),
            Err(Ignored::OtherProtocol)
        );
        let mut v: serde_json::Value = serde_json::from_str(&raw).expect("json");
        v["extra"] = json!(1);
        assert_eq!(
            decode(&v.to_string(), "oidc", "development", "b", 2_000.0),
            Err(Ignored::Malformed)
        );
        let mut v: serde_json::Value = serde_json::from_str(&raw).expect("json");
        v.as_object_mut().expect("object").remove("sender");
        assert_eq!(
            decode(&v.to_string(), "oidc", "development", "b", 2_000.0),
            Err(Ignored::Malformed)
        );
    }

    #[test]
    fn storage_events_sign_out_only_when_a_live_session_was_removed() {
        let (p, e) = ("oidc", "development");
        let good = store::encode(p, e, &session());
        assert_eq!(
            storage_change(None, Some(&good), p, e, 2_000.0),
            Some(SyncEvent::Session {
                kind: Kind::Refreshed,
                session: Box::new(session())
            })
        );
        assert_eq!(
            storage_change(Some(&good), None, p, e, 2_000.0),
            Some(SyncEvent::SignedOut { expired: false })
        );
        // Another tab discarding a bad, expired or foreign record: nothing happens here.
        for bad in [
            "{garbage".to_owned(),
            good.replace("\"version\":1", "\"version\":9"),
            store::encode("github", e, &session()),
        ] {
            assert_eq!(
                storage_change(Some(&bad), None, p, e, 2_000.0),
                None,
                "{bad}"
            );
        }
        assert_eq!(
            storage_change(Some(&good), None, p, e, 1e15),
            None,
            "expired"
        );
        assert_eq!(storage_change(None, None, p, e, 2_000.0), None);
        assert_eq!(storage_change(None, Some("{}"), p, e, 2_000.0), None);
    }

    #[test]
    fn only_live_sessions_answer_hello() {
        let s = session();
        let at = s.expires_at().expect("expiry");
        assert!(answers_hello(Some(&s), at - 1.0));
        assert!(!answers_hello(Some(&s), at));
        assert!(!answers_hello(None, 0.0));
    }

    #[test]
    fn presence_locks_name_live_siblings_only() {
        let ch = channel_name("oidc", "development");
        let a = presence_lock_name(&ch, "tab-a", Some(5_000.5));
        assert_eq!(a, "backstage-wasm-auth:oidc:development:session:tab-a:5000");
        let forever = presence_lock_name(&ch, "tab-c", None);
        let refresh = format!("{ch}:refresh");
        let other = presence_lock_name(&channel_name("oidc", "production"), "tab-x", None);
        let other_provider = presence_lock_name(&channel_name("oidc2", "development"), "x", None);
        assert!(sibling_has_session([a.as_str()], &ch, "tab-b", 4_000.0));
        assert!(
            !sibling_has_session([a.as_str()], &ch, "tab-a", 4_000.0),
            "own lock"
        );
        assert!(
            !sibling_has_session([a.as_str()], &ch, "tab-b", 5_000.0),
            "expired"
        );
        assert!(sibling_has_session([forever.as_str()], &ch, "tab-b", 1e15));
        for name in [
            refresh.as_str(),
            other.as_str(),
            other_provider.as_str(),
            "",
            "backstage-wasm-auth:oidc:development:session:",
            "backstage-wasm-auth:oidc:development:session:tab-a:soon",
        ] {
            assert!(!sibling_has_session([name], &ch, "tab-b", 0.0), "{name}");
        }
        assert!(sibling_has_session(
            [refresh.as_str(), other.as_str(), a.as_str()],
            &ch,
            "tab-b",
            0.0
        ));
    }
}
