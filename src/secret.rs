//! Tokens as secrets: `Debug` never prints them, so no token reaches a log or an error by accident.

/// The provider's access token: the `oauth2` crate's redacting newtype.
pub use oauth2::AccessToken;

/// Any other bearer secret (ID token, Backstage identity token) with a redacted `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The secret value itself; call only where it leaves for the app or the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::new("eyJhbGciOi.top.secret".into());
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(secret.expose(), "eyJhbGciOi.top.secret");
        let access = AccessToken::new("abc123".into());
        assert!(!format!("{access:?}").contains("abc123"));
    }
}
