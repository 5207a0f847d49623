//! `redirect::returned_error(marker, claimer, now, page_error)` (claimer: a redirect client): after a redirect sign-in, the marker the
//! tab left in `sessionStorage` (any script of the origin can write it) and the `error` query
//! parameter of the page (anyone can link to it). Input: two bytes move "now" around
//! `fuzz_support::NOW_MS` by ±32767 s (big-endian, signed); the rest is the marker (none when
//! empty), then after a `0xFF` byte the page's error (none without the byte).
//! Properties, beyond "never panics":
//! - the result is what the documented rule gives (a model below): only a `v1:` marker of 1-16
//!   digits, at most `MARKER_TTL_MS` old and not from the future, claims the error; the error is
//!   a backend refusal named `Error` with the trimmed message cut to 1000 characters;
//! - a marker written by `encode_marker` is claimed for exactly `MARKER_TTL_MS`.
#![no_main]

use backstage_wasm_auth::error::AuthError;
use backstage_wasm_auth::redirect::{encode_marker, returned_error, Leaver, MARKER_TTL_MS};
use fuzz_support::{split, text, NOW_MS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, rest @ ..] = data else {
        return;
    };
    let now = NOW_MS + f64::from(i16::from_be_bytes([*a, *b])) * 1000.0;
    let (marker, page_error) = split(rest);
    let Some(marker) = text(marker) else {
        return;
    };
    let marker = Some(marker).filter(|m| !m.is_empty());
    let page_error = match page_error.map(text) {
        Some(None) => return,
        Some(Some(e)) => Some(e),
        None => None,
    };
    let result = returned_error(marker, Leaver::RedirectClient, now, page_error);
    fuzz_support::trace!("{:?}", result);
    assert_eq!(result, model(marker, now, page_error));
    if let Some(e) = &result {
        assert_eq!(e.backend_name(), Some("Error"));
        assert!(e.message().chars().count() <= 1000);
    }

    let error = Some("Failed to sign-in");
    let r = Leaver::RedirectClient;
    let fresh = encode_marker(now, r);
    assert!(returned_error(Some(&fresh), r, now, error).is_some());
    assert!(returned_error(Some(&fresh), r, now + MARKER_TTL_MS, error).is_some());
    assert!(returned_error(Some(&fresh), r, now + MARKER_TTL_MS + 1.0, error).is_none());
    assert!(returned_error(Some(&fresh), r, now - 1.0, error).is_none());
    // A popup client's marker is not a redirect client's.
    let popup = encode_marker(now, Leaver::PopupClient);
    assert!(returned_error(Some(&popup), r, now, error).is_none());
    assert!(returned_error(Some(&popup), Leaver::PopupClient, now, error).is_some());
});

/// The rule as `src/redirect.rs` documents it.
fn model(marker: Option<&str>, now: f64, page_error: Option<&str>) -> Option<AuthError> {
    let digits = marker?.strip_prefix("v1:")?;
    let well_formed =
        (1..=16).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if !well_formed {
        return None;
    }
    let started: u64 = digits.parse().ok()?;
    let age = now - started as f64;
    if !(0.0..=MARKER_TTL_MS).contains(&age) {
        return None;
    }
    let message = page_error?.trim();
    if message.is_empty() {
        return None;
    }
    Some(AuthError::AuthResponse {
        backend_name: "Error".into(),
        message: message.chars().take(1000).collect(),
    })
}
