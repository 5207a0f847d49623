//! `sync::decode(raw, provider, environment, own_sender, now)`: a message from another tab on the
//! origin's `BroadcastChannel`, decoded by tab `tab-b` of provider `oidc`, environment
//! `development`, at `fuzz_support::NOW_MS`. After a `0xFF` byte, the rest is a Web Lock name
//! for `sync::sibling_has_session` (lock names are visible to every script of the origin).
//! Properties, beyond "never panics":
//! - an accepted message re-encodes (`sync::encode`, as tab `tab-a`) to one that decodes to the
//!   same event (session times as the JSON writer writes them); a session event carries a live
//!   session of kind `signedIn` / `refreshed`;
//! - the same message is `Own` for the tab that sent it, `OtherProvider` for another provider;
//! - a lock name counts as a sibling's session only when it is another tab's presence lock of
//!   this very channel.
#![no_main]

use backstage_wasm_auth::json::Json;
use backstage_wasm_auth::sync::{self, Ignored, Kind, SyncEvent};
use fuzz_support::{reencoded_session, split, text, ENVIRONMENT, NOW_MS, PROVIDER};
use libfuzzer_sys::fuzz_target;

const ME: &str = "tab-b";

fuzz_target!(|data: &[u8]| {
    let (message, lock) = split(data);
    if let Some(raw) = text(message) {
        check_message(raw);
    }
    if let Some(name) = lock.and_then(text) {
        check_lock(name);
    }
});

fn check_message(raw: &str) {
    let decoded = sync::decode(raw, PROVIDER, ENVIRONMENT, ME, NOW_MS);
    fuzz_support::trace!(
        "{:?}",
        decoded.as_ref().map(|e| match e {
            SyncEvent::Session { kind, .. } => *kind,
            SyncEvent::SignedOut { expired: false } => Kind::SignedOut,
            SyncEvent::SignedOut { expired: true } => Kind::Expired,
            SyncEvent::Hello => Kind::Hello,
        })
    );
    let Ok(event) = decoded else {
        return;
    };
    let (kind, session) = match &event {
        SyncEvent::Session { kind, session } => {
            assert!(matches!(kind, Kind::SignedIn | Kind::Refreshed));
            assert!(!session.is_expired(NOW_MS));
            (*kind, Some(&**session))
        }
        SyncEvent::SignedOut { expired: false } => (Kind::SignedOut, None),
        SyncEvent::SignedOut { expired: true } => (Kind::Expired, None),
        SyncEvent::Hello => (Kind::Hello, None),
    };
    let again = sync::encode(PROVIDER, ENVIRONMENT, "tab-a", kind, session);
    let expected = match &event {
        SyncEvent::Session { kind, session } => SyncEvent::Session {
            kind: *kind,
            session: Box::new(reencoded_session(session)),
        },
        other => other.clone(),
    };
    assert_eq!(
        sync::decode(&again, PROVIDER, ENVIRONMENT, ME, NOW_MS),
        Ok(expected),
        "the re-encoded message does not decode to the same event"
    );
    let sender = Json::parse(raw)
        .ok()
        .and_then(|v| v.get("sender").and_then(Json::as_str).map(str::to_owned))
        .expect("an accepted message has a sender");
    assert_ne!(sender, ME);
    assert_eq!(
        sync::decode(raw, PROVIDER, ENVIRONMENT, &sender, NOW_MS),
        Err(Ignored::Own)
    );
    assert_eq!(
        sync::decode(raw, "github", ENVIRONMENT, ME, NOW_MS),
        Err(Ignored::OtherProvider)
    );
}

fn check_lock(name: &str) {
    let channel = sync::channel_name(PROVIDER, ENVIRONMENT);
    if !sync::sibling_has_session([name], &channel, ME, NOW_MS) {
        return;
    }
    let rest = name
        .strip_prefix(channel.as_str())
        .and_then(|r| r.strip_prefix(":session:"))
        .expect("a sibling's lock is a presence lock of this channel");
    let (sender, until) = rest.rsplit_once(':').expect("sender:until");
    assert_ne!(sender, ME, "own lock counted as a sibling");
    assert!(
        until == "never" || until.parse::<u64>().is_ok_and(|at| at as f64 > NOW_MS),
        "an expired or malformed presence lock counted"
    );
    // What this tab would publish for the same sender and expiry names the same lock.
    let at = (until != "never").then(|| until.parse::<u64>().map(|v| v as f64).unwrap_or(0.0));
    let published = sync::presence_lock_name(&channel, sender, at);
    let canonical =
        until.len() <= 15 && !until.starts_with('0') && until.bytes().all(|b| b.is_ascii_digit());
    if canonical || until == "never" {
        assert_eq!(published, name);
    }
}
