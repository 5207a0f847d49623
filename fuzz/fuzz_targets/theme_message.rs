//! Fuzzes the theme bridge wire format: arbitrary bytes into `parse_str` (the path a string
//! message takes) and, when they are JSON, into `parse` (the path a structured-clone object
//! takes). Properties checked beyond "never panics": whatever is accepted re-serializes to an
//! envelope that parses to the same message, and only holds strings from the safe grammars.
#![no_main]

use backstage_wasm_auth::json::Json;
use backstage_wasm_auth::theme::message::{self, Message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let from_str = message::parse_str(text);
    if let Ok(value) = Json::parse(text) {
        let from_value = message::parse(&value);
        if text.len() <= message::MAX_MESSAGE_BYTES {
            assert_eq!(from_str, from_value);
        }
    }
    if let Ok(msg) = from_str {
        assert_eq!(message::parse(&msg.to_json()), Ok(msg.clone()));
        if let Message::Theme(theme) = &msg {
            for (_, _, value) in theme.palette.entries() {
                assert!(message::is_safe_color(value));
                assert!(!value.contains([';', '{', '}', '\\', '"', '\'']));
            }
            assert!(message::is_safe_font_family(&theme.font_family));
            assert!(!theme.font_family.contains([';', '{', '}', '\\', '(', ')']));
        }
    }
});
