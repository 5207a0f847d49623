//! The redirect flow's way back from a failed sign-in.
//!
//! When the backend's frame handler fails in the redirect flow, it sends the whole window to
//! `app.baseUrl` with `?error=<message>` (no name, no provider). To tell whether that error is
//! ours, the client leaves a marker in `sessionStorage` (per tab) before it navigates away; on
//! the way back, an `error` parameter counts only when a fresh marker of the same provider and
//! environment is there. The marker is consumed either way.

use crate::error::AuthError;

/// How long a redirect may take: the backend's nonce cookie lives 10 minutes too.
pub const MARKER_TTL_MS: f64 = 10.0 * 60.0 * 1000.0;

/// Versioned so that a later format is never misread.
const MARKER_PREFIX: &str = "v1:";

/// The `sessionStorage` key of the marker for one provider and environment.
pub fn marker_key(provider_id: &str, environment: &str) -> String {
    let mut key = "backstage-wasm-auth/redirect".to_owned();
    for part in [provider_id, environment] {
        key.push('/');
        key.push_str(part);
    }
    key
}

/// The marker written just before the window leaves for `/start`: version and start time.
pub fn encode_marker(now_ms: f64) -> String {
    let mut marker = MARKER_PREFIX.to_owned();
    crate::json::push_uint(&mut marker, now_ms.round().max(0.0) as u64);
    marker
}

fn started_at_ms(marker: &str) -> Option<f64> {
    let digits = marker.strip_prefix(MARKER_PREFIX)?;
    // Digits only (the parser would take "+1" or "1e3" too), at most 16 of them.
    if digits.is_empty() || digits.len() > 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().map(|ms| ms as f64)
}

/// The error to surface after coming back, if any: the page's `error` parameter, when a marker
/// of ours says this tab left for a redirect sign-in at most [`MARKER_TTL_MS`] ago.
pub fn returned_error(
    marker: Option<&str>,
    now_ms: f64,
    page_error: Option<&str>,
) -> Option<AuthError> {
    let age = now_ms - started_at_ms(marker?)?;
    if !(0.0..=MARKER_TTL_MS).contains(&age) {
        return None;
    }
    let message = page_error?.trim();
    (!message.is_empty()).then(|| AuthError::AuthResponse {
        // The backend sends only the message on this path; Backstage's SignInPage shows it the
        // same way, under a generic name.
        backend_name: "Error".into(),
        message: message.chars().take(1000).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_700_000_000_000.0;

    #[test]
    fn a_fresh_marker_claims_the_page_error() {
        let marker = encode_marker(NOW - 5_000.0);
        let error = returned_error(
            Some(&marker),
            NOW,
            Some("Failed to sign-in, unable to resolve user identity"),
        );
        assert_eq!(
            error,
            Some(AuthError::AuthResponse {
                backend_name: "Error".into(),
                message: "Failed to sign-in, unable to resolve user identity".into(),
            })
        );
        assert_eq!(error.as_ref().map(|e| e.name()), Some("Error"));
        assert_eq!(error.as_ref().and_then(|e| e.backend_name()), Some("Error"));
    }

    #[test]
    fn no_marker_means_the_error_is_not_ours() {
        assert_eq!(returned_error(None, NOW, Some("boom")), None);
    }

    #[test]
    fn a_marker_without_an_error_is_a_successful_return() {
        let marker = encode_marker(NOW - 5_000.0);
        assert_eq!(returned_error(Some(&marker), NOW, None), None);
        assert_eq!(returned_error(Some(&marker), NOW, Some("  ")), None);
    }

    #[test]
    fn stale_future_or_tampered_markers_are_ignored() {
        let stale = encode_marker(NOW - MARKER_TTL_MS - 1.0);
        assert_eq!(returned_error(Some(&stale), NOW, Some("boom")), None);
        let future = encode_marker(NOW + 60_000.0);
        assert_eq!(returned_error(Some(&future), NOW, Some("boom")), None);
        for bad in [
            "",
            "null",
            "{}",
            "[1]",
            "{\"v\":2,\"started_at_ms\":1}",
            "{\"v\":1,\"started_at_ms\":\"x\"}",
            "\u{0}",
        ] {
            assert_eq!(
                returned_error(Some(bad), NOW, Some("boom")),
                None,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn long_messages_are_cut() {
        let marker = encode_marker(NOW);
        let long = "x".repeat(5_000);
        let error = returned_error(Some(&marker), NOW, Some(&long));
        assert_eq!(error.map(|e| e.to_string().len()), Some(1000));
    }

    #[test]
    fn keys_are_per_provider_and_environment() {
        assert_ne!(
            marker_key("oidc", "development"),
            marker_key("oidc", "production")
        );
        assert_ne!(
            marker_key("oidc", "development"),
            marker_key("github", "development")
        );
    }
}
