//! `protocol::parse_popup_message(&Json)`: what the backend's `handler/frame` page posts to the
//! opener (a structured-clone object, here its JSON text). Properties, beyond "never panics":
//! - `None` unless `type` is `config_info` (with a string `targetOrigin`, returned as is) or
//!   `authorization_response`; errors are invalid-response errors or the backend's refusal;
//! - no string value reaches an error except `type` and the backend's own `error.name` /
//!   `error.message`: with every other string value replaced by a token-shaped marker, the
//!   outcome is the same and no error contains the marker.
#![no_main]

use backstage_wasm_auth::error::AuthError;
use backstage_wasm_auth::json::Json;
use backstage_wasm_auth::protocol::{parse_popup_message, PopupMessage};
use fuzz_support::{assert_no_marker, is_answer_error, mark, mentions_marker, text};
use libfuzzer_sys::fuzz_target;

/// `type` selects the message; the backend's error is passed through on purpose.
const PASSED_THROUGH: &[&[&str]] = &[&["type"], &["error", "name"], &["error", "message"]];

fuzz_target!(|data: &[u8]| {
    let Some(value) = text(data).and_then(|t| Json::parse(t).ok()) else {
        return;
    };
    let parsed = parse_popup_message(&value);
    fuzz_support::trace!("{:?}", outcome(&parsed));
    let kind = value.get("type").and_then(Json::as_str);
    match &parsed {
        None => {}
        Some(PopupMessage::ConfigInfo { target_origin }) => {
            assert_eq!(kind, Some("config_info"));
            let given = value.get("targetOrigin").and_then(Json::as_str);
            assert_eq!(given, Some(target_origin.as_str()));
        }
        Some(PopupMessage::Authorization(result)) => {
            assert_eq!(kind, Some("authorization_response"));
            if let Err(e) = result {
                assert!(is_answer_error(e), "{e:?}");
            }
        }
    }
    if mentions_marker(&value) {
        return;
    }
    let marked = parse_popup_message(&mark(&value, PASSED_THROUGH));
    if let Some(PopupMessage::Authorization(Err(e))) = &marked {
        assert_no_marker(e, "popup message");
    }
    assert_eq!(
        outcome(&parsed),
        outcome(&marked),
        "string values changed the outcome"
    );
});

/// What must not depend on (marked) string values: the kind of message, the very error.
#[derive(Debug, PartialEq)]
enum Outcome {
    Ignored,
    ConfigInfo,
    Signed,
    Failed(AuthError),
}

fn outcome(message: &Option<PopupMessage>) -> Outcome {
    match message {
        None => Outcome::Ignored,
        Some(PopupMessage::ConfigInfo { .. }) => Outcome::ConfigInfo,
        Some(PopupMessage::Authorization(Ok(_))) => Outcome::Signed,
        Some(PopupMessage::Authorization(Err(e))) => Outcome::Failed(e.clone()),
    }
}
