//! The client's typed errors. Each maps to a JS `Error` with a stable `name` (see [`AuthError::name`]).

/// Everything that can go wrong in a sign-in, refresh or sign-out.
///
/// `Clone` because one in-flight refresh hands the same result to every waiting caller.
/// No variant ever carries a token: messages are safe to log. Messages are built by
/// [`AuthError::message`] with plain string pushes: no `core::fmt` in the browser build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// `window.open` returned nothing (a popup blocker), or a window that was closed at once.
    PopupRejected,
    /// The user closed the popup before the backend answered.
    PopupClosed,
    /// The backend's `config_info` named another app origin than ours (a misconfigured backend).
    IncorrectAppOrigin { expected: String },
    /// The backend answered with an error: its `name` and `message`, passed through.
    AuthResponse {
        backend_name: String,
        message: String,
    },
    /// `fetch` failed before any answer (backend down, CORS refused, offline).
    Network(String),
    /// A request or a popup took longer than its bound.
    Timeout { what: &'static str, seconds: u32 },
    /// The options given to the client are unusable.
    Config(String),
    /// The backend answered something that is not the Backstage auth protocol.
    InvalidResponse(String),
    /// The page lacks what the client needs (no `window`, no `location.origin`): not the
    /// options' fault.
    Environment(&'static str),
    /// `flow: 'pkce'`: this tab holds no refresh token (it follows another tab's session, or
    /// never signed in). Nothing was asked of anyone.
    NoRefreshToken,
}

fn joined(prefix: &str, rest: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + rest.len());
    out.push_str(prefix);
    out.push_str(rest);
    out
}

impl AuthError {
    /// The JS `Error.message`.
    pub fn message(&self) -> String {
        match self {
            AuthError::PopupRejected => "Failed to open auth popup.".into(),
            AuthError::PopupClosed => "Login failed, popup was closed".into(),
            AuthError::IncorrectAppOrigin { expected } => {
                joined("Login failed, Incorrect app origin, expected ", expected)
            }
            AuthError::AuthResponse { message, .. } => message.clone(),
            AuthError::Network(cause) => {
                joined("Network request to the auth backend failed: ", cause)
            }
            AuthError::Timeout { what, seconds } => {
                let mut out = joined(what, " timed out after ");
                crate::json::push_uint(&mut out, u64::from(*seconds));
                out.push_str(" s");
                out
            }
            AuthError::Config(why) => joined("Invalid auth client options: ", why),
            AuthError::InvalidResponse(why) => {
                joined("Invalid response from the auth backend: ", why)
            }
            AuthError::Environment(what) => joined("Not available in this environment: ", what),
            AuthError::NoRefreshToken => "No refresh token in this tab: sign in first".into(),
        }
    }

    /// The JS `Error.name` of this error, as Backstage's own client names it: a backend error
    /// is named by the backend (`NotAllowedError`, `AuthenticationError`, ...; tell it by
    /// [`AuthError::backend_name`], the JS `backendName`), a `fetch` that got no answer is an
    /// `AuthConnectionError` (what Backstage's session manager matches by name).
    pub fn name(&self) -> &str {
        match self {
            AuthError::PopupRejected => "PopupRejectedError",
            AuthError::PopupClosed | AuthError::IncorrectAppOrigin { .. } => "PopupClosedError",
            AuthError::AuthResponse { backend_name, .. } => backend_name,
            AuthError::Network(_) => "AuthConnectionError",
            AuthError::Timeout { .. } => "TimeoutError",
            AuthError::Config(_) => "ConfigError",
            AuthError::InvalidResponse(_) => "InvalidResponseError",
            // The OpenID Connect code for "no session without user interaction" (as the
            // other PKCE refusals, named by their OAuth code).
            AuthError::NoRefreshToken => "login_required",
            // As the DOM names a missing capability.
            AuthError::Environment(_) => "NotSupportedError",
        }
    }

    /// The OAuth refresh token was refused: revoked, expired or already used (`invalid_grant`,
    /// RFC 6749 §5.2). Sending it again cannot succeed.
    pub fn refresh_token_refused(&self) -> bool {
        self.backend_name() == Some("invalid_grant")
    }

    /// The backend's own error name, for [`AuthError::AuthResponse`].
    pub fn backend_name(&self) -> Option<&str> {
        match self {
            AuthError::AuthResponse { backend_name, .. } => Some(backend_name),
            _ => None,
        }
    }
}

impl core::fmt::Display for AuthError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for AuthError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable() {
        assert_eq!(AuthError::PopupRejected.name(), "PopupRejectedError");
        assert_eq!(AuthError::PopupClosed.name(), "PopupClosedError");
        let wrong_origin = AuthError::IncorrectAppOrigin {
            expected: "http://a".into(),
        };
        assert_eq!(wrong_origin.name(), "PopupClosedError");
        assert_eq!(
            wrong_origin.to_string(),
            "Login failed, Incorrect app origin, expected http://a"
        );
        let backend = AuthError::AuthResponse {
            backend_name: "NotFoundError".into(),
            message: "no user".into(),
        };
        assert_eq!(backend.name(), "NotFoundError");
        assert_eq!(backend.backend_name(), Some("NotFoundError"));
        assert_eq!(backend.to_string(), "no user");
        assert_eq!(AuthError::Network("x".into()).name(), "AuthConnectionError");
        let timeout = AuthError::Timeout {
            what: "Sign-in popup",
            seconds: 5,
        };
        assert_eq!(timeout.name(), "TimeoutError");
        assert_eq!(timeout.to_string(), "Sign-in popup timed out after 5 s");
        assert_eq!(AuthError::Config("x".into()).name(), "ConfigError");
        assert_eq!(
            AuthError::InvalidResponse("x".into()).name(),
            "InvalidResponseError"
        );
        assert_eq!(AuthError::PopupRejected.backend_name(), None);
        assert_eq!(AuthError::NoRefreshToken.name(), "login_required");
        assert_eq!(AuthError::NoRefreshToken.backend_name(), None);
        let no_window = AuthError::Environment("no window");
        assert_eq!(no_window.name(), "NotSupportedError");
        assert_eq!(
            no_window.to_string(),
            "Not available in this environment: no window"
        );
    }
}
