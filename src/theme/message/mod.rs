//! Wire format of the iframe theme bridge (pure: no web-sys, tested natively).
//!
//! Every message is a versioned envelope:
//!
//! ```json
//! {"protocol": "backstage-theme", "version": 1, "type": "theme", "payload": {...}}
//! ```
//!
//! | type    | direction       | payload                                   |
//! |---------|-----------------|-------------------------------------------|
//! | `ready` | iframe → host   | absent, `null` or an object (ignored)     |
//! | `theme` | host → iframe   | a [`Theme`]                               |
//! | `ack`   | iframe → host   | `{"id": <theme id>}`                      |
//!
//! [`parse`] and [`parse_str`] are the only way in: they check the protocol name, the version,
//! the type, the JSON type of every field, sizes, and restrict colours and the font family to
//! grammars that cannot escape a CSS declaration (no `;`, `{`, `}`, `url(`, `var(`,
//! `expression(`, backslash escapes, comments, ...). Unknown extra fields are ignored so that
//! version 1 can grow optional fields without breaking older iframes.
//!
//! JSON goes through the crate's own [`crate::json`] (no serde), and nothing on the paths the
//! browser runs formats through `core::fmt`: the theme wasm module stays a few KB.

//!
//! One concept per file: [`limits`] (the size limits), [`error`] ([`ThemeMessageError`]),
//! [`css`] (the colour and font grammars), [`palette`] (the palette keys, listed once),
//! [`theme`] (the `theme` payload); this file is the envelope. `tests/theme/vectors.json` holds
//! the test vectors that this parser and `js/theme/palette.ts` must both agree with.

mod css;
mod error;
mod limits;
mod palette;
mod theme;

pub use css::{is_safe_color, is_safe_font_family};
pub use error::ThemeMessageError;
pub use limits::{
    MAX_FONT_BYTES, MAX_ID_BYTES, MAX_MESSAGE_BYTES, MAX_NAMED_COLOR_BYTES, MAX_STRING_BYTES,
};
pub use palette::{
    Palette, PaletteKey, FONT_FAMILY_PROPERTY, PALETTE_KEYS, PALETTE_LEN, TS_THEME_PALETTE,
};
use theme::parse_theme_object;
pub use theme::{parse_theme, Theme, Variant};

use crate::json::{Json, ObjectBuilder};

/// The `protocol` field of every envelope.
pub const PROTOCOL: &str = "backstage-theme";
/// The only protocol version this crate speaks.
pub const VERSION: u32 = 1;

/// A validated message.
// Short-lived values, one at a time: boxing the theme would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Ready,
    Theme(Theme),
    Ack { id: String },
}

impl Message {
    pub fn type_name(&self) -> &'static str {
        match self {
            Message::Ready => "ready",
            Message::Theme(_) => "theme",
            Message::Ack { .. } => "ack",
        }
    }

    /// The envelope as JSON (what goes into `postMessage`, as an object).
    pub fn to_json(&self) -> Json {
        let payload = match self {
            Message::Ready => Json::Obj(Vec::new()),
            Message::Theme(theme) => theme.to_json(),
            Message::Ack { id } => ObjectBuilder::new()
                .set("id", Json::from(id.as_str()))
                .build(),
        };
        ObjectBuilder::new()
            .set("protocol", Json::from(PROTOCOL))
            .set("version", Json::Num(f64::from(VERSION)))
            .set("type", Json::from(self.type_name()))
            .set("payload", payload)
            .build()
    }
}

/// Parses a message that arrived as a JSON string (size-limited to [`MAX_MESSAGE_BYTES`]).
pub fn parse_str(text: &str) -> Result<Message, ThemeMessageError> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(ThemeMessageError::MessageTooLarge {
            len: text.len(),
            max: MAX_MESSAGE_BYTES,
        });
    }
    let value = Json::parse(text).map_err(|_| ThemeMessageError::InvalidJson)?;
    parse(&value)
}

/// Parses and validates an envelope.
pub fn parse(value: &Json) -> Result<Message, ThemeMessageError> {
    if value.as_object().is_none() {
        return Err(ThemeMessageError::NotAnObject);
    }
    if value.get("protocol").and_then(Json::as_str) != Some(PROTOCOL) {
        return Err(ThemeMessageError::WrongProtocol);
    }
    if value.get("version").and_then(Json::as_f64) != Some(f64::from(VERSION)) {
        return Err(ThemeMessageError::UnsupportedVersion);
    }
    let kind = value
        .get("type")
        .and_then(Json::as_str)
        .ok_or(ThemeMessageError::UnknownType)?;
    let payload = value.get("payload");
    match kind {
        "ready" => match payload {
            None | Some(Json::Null) | Some(Json::Obj(_)) => Ok(Message::Ready),
            Some(_) => Err(ThemeMessageError::WrongType {
                field: "payload",
                expected: "an object or null",
            }),
        },
        "theme" => Ok(Message::Theme(parse_theme_object(object_field(
            payload, "payload",
        )?)?)),
        "ack" => {
            let payload = object_field(payload, "payload")?;
            let id = string_field(payload, "id", "payload.id", MAX_ID_BYTES)?;
            check_id(id, "payload.id")?;
            Ok(Message::Ack { id: id.to_owned() })
        }
        _ => Err(ThemeMessageError::UnknownType),
    }
}
/// A member that must be an object: absent is `MissingField`, anything else (`null`
/// included) `WrongType`.
fn object_field<'a>(
    value: Option<&'a Json>,
    path: &'static str,
) -> Result<&'a Json, ThemeMessageError> {
    match value {
        None => Err(ThemeMessageError::MissingField(path)),
        Some(obj @ Json::Obj(_)) => Ok(obj),
        Some(_) => Err(ThemeMessageError::WrongType {
            field: path,
            expected: "an object",
        }),
    }
}

/// A member that must be a non-empty string of at most `max` bytes (`null` is `WrongType`).
fn string_field<'a>(
    obj: &'a Json,
    key: &str,
    path: &'static str,
    max: usize,
) -> Result<&'a str, ThemeMessageError> {
    let s = match obj.get(key) {
        None => return Err(ThemeMessageError::MissingField(path)),
        Some(Json::Str(s)) => s.as_str(),
        Some(_) => {
            return Err(ThemeMessageError::WrongType {
                field: path,
                expected: "a string",
            })
        }
    };
    if s.len() > max {
        return Err(ThemeMessageError::TooLong {
            field: path,
            len: s.len(),
            max,
        });
    }
    if s.is_empty() {
        return Err(ThemeMessageError::Empty(path));
    }
    Ok(s)
}

fn check_id(id: &str, path: &'static str) -> Result<(), ThemeMessageError> {
    if id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    {
        Ok(())
    } else {
        Err(ThemeMessageError::InvalidId(path))
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod vectors;
