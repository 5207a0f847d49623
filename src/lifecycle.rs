//! The session's lifecycle, beside Backstage's two states: when the session expires, whether
//! its last refresh failed and why, and why it ended, so that an app can warn before and
//! explain after (`lifecycle$()`, the `SessionLifecycle` type of src/browser/contract.d.ts).

use crate::error::AuthError;

/// Why there is no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Not signed in (yet) since the client was made.
    Initial,
    /// This client signed out.
    SignOut,
    /// Another tab signed out.
    OtherTab,
    /// The session ran out and could not be refreshed.
    Expired,
}

impl Ended {
    /// The `reason` string of the TypeScript contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Ended::Initial => "initial",
            Ended::SignOut => "signOut",
            Ended::OtherTab => "otherTab",
            Ended::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lifecycle {
    SignedIn {
        /// Epoch ms on this browser's clock; `None`: never.
        expires_at: Option<f64>,
        /// The last refresh failed; the session is served until `expires_at`.
        refresh_failed: Option<AuthError>,
    },
    SignedOut {
        why: Ended,
        /// What ended it, for [`Ended::Expired`].
        error: Option<AuthError>,
    },
}

/// A network failure or timeout: the backend did not answer at all. Such a failure is never a
/// sign-out, and is retried when the network is back.
pub fn unanswered(e: &AuthError) -> bool {
    matches!(e, AuthError::Network(_) | AuthError::Timeout { .. })
}

/// The contract's `refreshFailed.reason`: `network` (no answer) or `refused`.
pub fn failure_reason(e: &AuthError) -> &'static str {
    if unanswered(e) {
        "network"
    } else {
        "refused"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_match_the_typescript_contract() {
        let contract = include_str!("browser/contract.d.ts");
        let ended = [
            Ended::Initial,
            Ended::SignOut,
            Ended::OtherTab,
            Ended::Expired,
        ];
        let union = ended.map(|e| format!("'{}'", e.as_str())).join(" | ");
        assert!(contract.contains(&format!("reason: {union};")), "{union}");
        let network = failure_reason(&AuthError::Network("offline".into()));
        let timeout = failure_reason(&AuthError::Timeout {
            what: "refresh",
            seconds: 30,
        });
        let refused = failure_reason(&AuthError::AuthResponse {
            backend_name: "NotAllowedError".into(),
            message: "no session".into(),
        });
        assert_eq!(
            (network, timeout, refused),
            ("network", "network", "refused")
        );
        let reasons = format!("reason: '{network}' | '{refused}'");
        assert!(contract.contains(&reasons), "{reasons}");
    }
}
