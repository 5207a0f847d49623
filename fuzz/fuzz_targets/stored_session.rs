//! `store::decode(raw, provider, environment, now)`: a session record read back from
//! `sessionStorage` / `localStorage`, which any script of the origin can write. Decoded for
//! provider `oidc`, environment `development`, at `fuzz_support::NOW_MS`. Properties, beyond
//! "never panics":
//! - an accepted session is live (not expired), has a provider token or a Backstage identity,
//!   and re-encodes (`store::encode`) to a record that decodes to the same session (times as the
//!   JSON writer writes them, see `fuzz_support::reencoded`);
//! - that record is refused for another provider or environment (`WrongKey`);
//! - a `storage` event carrying the raw record (`sync::storage_change`) yields a session exactly
//!   when `decode` accepts it, and its removal a sign-out exactly then.
#![no_main]

use backstage_wasm_auth::store::{self, Rejection};
use backstage_wasm_auth::sync::{self, SyncEvent};
use fuzz_support::{reencoded_session, text, ENVIRONMENT, NOW_MS, PROVIDER};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(raw) = text(data) else {
        return;
    };
    let decoded = store::decode(raw, PROVIDER, ENVIRONMENT, NOW_MS);
    fuzz_support::trace!("{:?}", decoded.as_ref().map(|s| s.expires_at()));
    let event = sync::storage_change(None, Some(raw), PROVIDER, ENVIRONMENT, NOW_MS);
    let removed = sync::storage_change(Some(raw), None, PROVIDER, ENVIRONMENT, NOW_MS);
    let Ok(session) = decoded else {
        assert_eq!(event, None, "a storage event took a refused record");
        assert_eq!(removed, None, "removing a refused record signed out");
        return;
    };
    assert!(!session.is_expired(NOW_MS));
    assert!(session.provider.is_some() || session.backstage.is_some());
    assert!(
        matches!(&event, Some(SyncEvent::Session { session: s, .. }) if **s == session),
        "a storage event did not take the record's session"
    );
    assert_eq!(removed, Some(SyncEvent::SignedOut { expired: false }));

    let again = store::encode(PROVIDER, ENVIRONMENT, &session);
    assert_eq!(
        store::decode(&again, PROVIDER, ENVIRONMENT, NOW_MS),
        Ok(reencoded_session(&session)),
        "the re-encoded record does not decode to the same session"
    );
    assert_eq!(
        store::decode(&again, "github", ENVIRONMENT, NOW_MS),
        Err(Rejection::WrongKey)
    );
    assert_eq!(
        store::decode(&again, PROVIDER, "production", NOW_MS),
        Err(Rejection::WrongKey)
    );
});
