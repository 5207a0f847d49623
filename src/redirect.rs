//! The redirect flow's way back from a failed sign-in.
//!
//! When the backend's frame handler fails in the redirect flow, it sends the whole window to
//! `app.baseUrl` with `?error=<message>` (no name, no provider). To tell whether that error is
//! ours, the client leaves a marker in `sessionStorage` (per tab) before it navigates away; on
//! the way back, an `error` parameter counts only when a fresh marker of the same provider and
//! environment is there, left by a client configured like this one: a redirect client's marker
//! (`v1:`) is claimed by a redirect client, a popup client's (a per-call redirect, or the
//! popup-blocked fallback: `p1:`) by a popup client, so that two clients of one provider on a
//! page (the demo has both) never take each other's error. The marker is consumed by its claimer.

use crate::error::AuthError;

/// How long a redirect may take: the backend's nonce cookie lives 10 minutes too.
pub const MARKER_TTL_MS: f64 = 10.0 * 60.0 * 1000.0;

/// The kind of client that left for the redirect: its configured flow, not the call's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaver {
    /// A client configured with `flow: 'redirect'`.
    RedirectClient,
    /// A popup client leaving by redirect (per call, or when its popup was blocked).
    PopupClient,
}

impl Leaver {
    /// The marker's prefix: versioned so that a later format is never misread (`v1:` is the
    /// redirect client's from before popup clients left markers of their own).
    pub fn prefix(self) -> &'static str {
        match self {
            Leaver::RedirectClient => "v1:",
            Leaver::PopupClient => "p1:",
        }
    }
}

/// The `sessionStorage` key of the marker for one provider and environment.
pub fn marker_key(provider_id: &str, environment: &str) -> String {
    let mut key = "backstage-wasm-auth/redirect".to_owned();
    for part in [provider_id, environment] {
        key.push('/');
        key.push_str(part);
    }
    key
}

/// The marker written just before the window leaves for `/start`: who left, and when.
pub fn encode_marker(now_ms: f64, leaver: Leaver) -> String {
    let mut marker = leaver.prefix().to_owned();
    crate::json::push_uint(&mut marker, now_ms.round().max(0.0) as u64);
    marker
}

fn started_at_ms(marker: &str, leaver: Leaver) -> Option<f64> {
    let digits = marker.strip_prefix(leaver.prefix())?;
    // Digits only (the parser would take "+1" or "1e3" too), at most 16 of them.
    if digits.is_empty() || digits.len() > 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().map(|ms| ms as f64)
}

/// Whether `marker` was left by a client like `claimer` (whose marker it is to take).
pub fn is_claimed_by(marker: &str, claimer: Leaver) -> bool {
    marker.starts_with(claimer.prefix())
}

/// The error to surface after coming back, if any: the page's `error` parameter, when a marker
/// left by a client like `claimer` says this tab left for a redirect sign-in at most
/// [`MARKER_TTL_MS`] ago.
pub fn returned_error(
    marker: Option<&str>,
    claimer: Leaver,
    now_ms: f64,
    page_error: Option<&str>,
) -> Option<AuthError> {
    let age = now_ms - started_at_ms(marker?, claimer)?;
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
    const R: Leaver = Leaver::RedirectClient;

    #[test]
    fn a_marker_is_claimed_only_by_a_client_like_the_one_that_left() {
        let popup = encode_marker(NOW - 5_000.0, Leaver::PopupClient);
        let redirect = encode_marker(NOW - 5_000.0, R);
        assert!(is_claimed_by(&popup, Leaver::PopupClient));
        assert!(!is_claimed_by(&popup, R));
        assert!(is_claimed_by(&redirect, R));
        assert!(!is_claimed_by(&redirect, Leaver::PopupClient));
        let error = Some("boom");
        assert!(returned_error(Some(&popup), Leaver::PopupClient, NOW, error).is_some());
        assert_eq!(returned_error(Some(&popup), R, NOW, error), None);
        assert_eq!(
            returned_error(Some(&redirect), Leaver::PopupClient, NOW, error),
            None
        );
        // Before popup clients left markers, every marker was a redirect client's `v1:`.
        assert!(redirect.starts_with("v1:"));
    }

    #[test]
    fn a_fresh_marker_claims_the_page_error() {
        let marker = encode_marker(NOW - 5_000.0, R);
        let error = returned_error(
            Some(&marker),
            R,
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
        assert_eq!(returned_error(None, R, NOW, Some("boom")), None);
    }

    #[test]
    fn a_marker_without_an_error_is_a_successful_return() {
        let marker = encode_marker(NOW - 5_000.0, R);
        assert_eq!(returned_error(Some(&marker), R, NOW, None), None);
        assert_eq!(returned_error(Some(&marker), R, NOW, Some("  ")), None);
    }

    #[test]
    fn stale_future_or_tampered_markers_are_ignored() {
        let stale = encode_marker(NOW - MARKER_TTL_MS - 1.0, R);
        assert_eq!(returned_error(Some(&stale), R, NOW, Some("boom")), None);
        let future = encode_marker(NOW + 60_000.0, R);
        assert_eq!(returned_error(Some(&future), R, NOW, Some("boom")), None);
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
                returned_error(Some(bad), R, NOW, Some("boom")),
                None,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn long_messages_are_cut() {
        let marker = encode_marker(NOW, R);
        let long = "x".repeat(5_000);
        let error = returned_error(Some(&marker), R, NOW, Some(&long));
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
