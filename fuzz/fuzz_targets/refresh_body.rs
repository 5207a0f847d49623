//! `protocol::parse_refresh_body(status, body)`: the answer of the backend's `/refresh`. The first
//! byte picks the HTTP status (`fuzz_support::status`: an ASCII `0` is 200), the rest is the body.
//! Properties, beyond "never panics":
//! - a session only from a 2xx answer; every error is an invalid-response error or a refusal
//!   (a non-2xx without `{error}` is a refusal named `HTTP<status>`);
//! - no string value of the body reaches an error, except the backend's own `error.name` and
//!   `error.message` (passed through on purpose): every other string value is replaced by a
//!   token-shaped marker, the error must be the same as before and must not contain the marker.
#![no_main]

use backstage_wasm_auth::error::AuthError;
use backstage_wasm_auth::json::Json;
use backstage_wasm_auth::protocol::{parse_refresh_body, AuthResponse};
use fuzz_support::{assert_no_marker, is_answer_error, mark, mentions_marker, status, text};
use libfuzzer_sys::fuzz_target;

/// What the parser passes through verbatim: the backend's serialized error.
const PASSED_THROUGH: &[&[&str]] = &[&["error", "name"], &["error", "message"]];

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = status(data) else {
        return;
    };
    let Some(body) = text(body) else {
        return;
    };
    let result = parse_refresh_body(status, body);
    fuzz_support::trace!(
        "status {status}: {:?}",
        outcome(&result).map_err(|e| e.message())
    );
    match &result {
        Ok(_) => assert!(
            (200..=299).contains(&status),
            "a session from status {status}"
        ),
        Err(e) => {
            assert!(is_answer_error(e), "{e:?}");
            let json_error = Json::parse(body).is_ok_and(|v| v.get("error").is_some());
            if !(200..=299).contains(&status) && !json_error {
                assert_eq!(e.backend_name(), Some(format!("HTTP{status}").as_str()));
            }
        }
    }
    let Ok(value) = Json::parse(body) else {
        return;
    };
    if mentions_marker(&value) {
        return;
    }
    let marked = parse_refresh_body(status, &mark(&value, PASSED_THROUGH).encode());
    if let Err(e) = &marked {
        assert_no_marker(e, "refresh body");
    }
    assert_eq!(
        outcome(&result),
        outcome(&marked),
        "string values changed the outcome"
    );
});

/// What must not depend on string values: success, or the very error.
fn outcome(result: &Result<AuthResponse, AuthError>) -> Result<(), AuthError> {
    result.as_ref().map(|_| ()).map_err(Clone::clone)
}
