//! The provider's token, UserInfo and revocation endpoints: form requests and their answers,
//! read so that no error message ever quotes a body (they hold tokens).

use super::{invalid, refused};
use crate::error::AuthError;
use crate::http::{HttpAnswer, HttpCall};
use crate::urls::form_encode;
use oauth2::basic::BasicErrorResponse;
use oauth2::{AccessToken, RefreshToken};
use serde::Deserialize;

/// A token endpoint answer (RFC 6749 §5.1 + OIDC's `id_token`), with `oauth2`'s redacting
/// token types. (Not `oauth2::StandardTokenResponse`: its `#[serde(flatten)]` extra fields and
/// case-folding token type cost ~15 KB of wasm.)
#[derive(Deserialize)]
pub struct OidcTokenResponse {
    pub(super) access_token: AccessToken,
    pub(super) token_type: String,
    #[serde(default)]
    pub(super) expires_in: Option<u64>,
    #[serde(default)]
    pub(super) refresh_token: Option<RefreshToken>,
    #[serde(default)]
    pub(super) scope: Option<String>,
    #[serde(default)]
    pub(super) id_token: Option<String>,
}

// `id_token` is a plain string: print none of the tokens (issue 12).
impl std::fmt::Debug for OidcTokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcTokenResponse")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

pub(super) fn form_post(url: &str, pairs: &[(&str, &str)]) -> HttpCall {
    HttpCall {
        method: "POST",
        url: url.to_owned(),
        headers: vec![
            ("accept", "application/json".into()),
            ("content-type", "application/x-www-form-urlencoded".into()),
        ],
        body: Some(form_encode(pairs)),
        with_cookies: false,
    }
}

/// An OAuth error answer (`{error, error_description}`) as an `AuthResponseError` named by the
/// OAuth error code, any other non-200 as `HTTP{status}`. Never quotes the body (it may hold
/// tokens).
pub(super) fn endpoint_error(what: &str, answer: &HttpAnswer) -> AuthError {
    match json_object::<BasicErrorResponse>(answer.body.as_bytes()) {
        Ok(e) => {
            let code = e.error().as_ref();
            let message = e
                .error_description()
                .cloned()
                .unwrap_or_else(|| format!("{what} refused: {code}"));
            refused(code, message)
        }
        Err(_) => refused(
            &format!("HTTP{}", answer.status),
            format!(
                "{what}: the provider answered with status {}",
                answer.status
            ),
        ),
    }
}

/// A token endpoint answer: 200 with a token response, else the provider's error.
pub(super) fn token_answer(what: &str, answer: HttpAnswer) -> Result<OidcTokenResponse, AuthError> {
    if answer.status != 200 {
        return Err(endpoint_error(what, &answer));
    }
    json_object(answer.body.as_bytes())
        .map_err(|why| invalid(format!("{what}: not a token response: {why}")))
}

/// serde_json for a JSON object only (derived structs would also read an array by position,
/// found by fuzzing), with an error that says what is wrong but never quotes a value: claims
/// and token responses hold secrets.
pub(super) fn json_object<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, &'static str> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err("not a JSON object");
    }
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => "a member is missing or has the wrong type",
        _ => "not valid JSON",
    })
}
