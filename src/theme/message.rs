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

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

/// The `protocol` field of every envelope.
pub const PROTOCOL: &str = "backstage-theme";
/// The only protocol version this crate speaks.
pub const VERSION: u32 = 1;
/// Largest accepted colour (or other ordinary string) value, in UTF-8 bytes.
pub const MAX_STRING_BYTES: usize = 256;
/// Largest accepted `fontFamily`, in UTF-8 bytes.
pub const MAX_FONT_BYTES: usize = 512;
/// Largest accepted theme `id`, in UTF-8 bytes.
pub const MAX_ID_BYTES: usize = 128;
/// Largest accepted serialized message for [`parse_str`], in bytes.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Longest accepted named colour (`lightgoldenrodyellow`, the longest CSS name, has 20).
pub const MAX_NAMED_COLOR_BYTES: usize = 32;

/// Identifiers that are never accepted as a named colour, even though they match `[a-z]+`:
/// they are CSS function names or keywords that only make sense as a step towards injection.
const FORBIDDEN_IDENTS: &[&str] = &[
    "expression",
    "url",
    "var",
    "env",
    "attr",
    "calc",
    "image",
    "element",
    "import",
    "javascript",
    "behavior",
    "binding",
];

/// Errors of [`parse`]: each names the rule that the message broke.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ThemeMessageError {
    #[error("theme message is not valid JSON")]
    InvalidJson,
    #[error("theme message is too large ({len} bytes, limit {max})")]
    MessageTooLarge { len: usize, max: usize },
    #[error("theme message is not a JSON object")]
    NotAnObject,
    #[error("theme message protocol is missing or not 'backstage-theme'")]
    WrongProtocol,
    #[error("theme message version is missing or unsupported (this side speaks version 1)")]
    UnsupportedVersion,
    #[error("theme message type is missing or unknown")]
    UnknownType,
    #[error("theme message field `{0}` is missing")]
    MissingField(&'static str),
    #[error("theme message field `{field}` must be {expected}")]
    WrongType {
        field: &'static str,
        expected: &'static str,
    },
    #[error("theme message field `{field}` is too long ({len} bytes, limit {max})")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("theme message field `{0}` is empty")]
    Empty(&'static str),
    #[error("theme message field `{0}` is not a safe CSS colour")]
    InvalidColor(&'static str),
    #[error("theme message field `fontFamily` contains characters outside the safe font grammar")]
    InvalidFontFamily,
    #[error("theme message field `{0}` contains characters outside [A-Za-z0-9._:-]")]
    InvalidId(&'static str),
    #[error("theme message field `variant` must be 'light' or 'dark'")]
    InvalidVariant,
}

/// `light` or `dark`: also becomes the iframe's `color-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    Light,
    Dark,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Light => "light",
            Variant::Dark => "dark",
        }
    }
}

/// The palette: CSS-ready colour strings, each checked by [`is_safe_color`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Palette {
    pub primary: String,
    pub background: String,
    pub paper: String,
    pub text_primary: String,
    pub text_secondary: String,
    pub divider: String,
    pub error: String,
    pub warning: String,
    pub success: String,
    pub info: String,
    pub navigation: String,
}

/// Palette keys in wire order, with their CSS custom property names.
pub const PALETTE_KEYS: [(&str, &str); 11] = [
    ("primary", "--bs-primary"),
    ("background", "--bs-background"),
    ("paper", "--bs-paper"),
    ("textPrimary", "--bs-text-primary"),
    ("textSecondary", "--bs-text-secondary"),
    ("divider", "--bs-divider"),
    ("error", "--bs-error"),
    ("warning", "--bs-warning"),
    ("success", "--bs-success"),
    ("info", "--bs-info"),
    ("navigation", "--bs-navigation"),
];

/// The custom property that carries [`Theme::font_family`].
pub const FONT_FAMILY_PROPERTY: &str = "--bs-font-family";

impl Palette {
    /// `(wire key, CSS custom property, value)` for every colour, in wire order.
    pub fn entries(&self) -> [(&'static str, &'static str, &str); 11] {
        let values = [
            &self.primary,
            &self.background,
            &self.paper,
            &self.text_primary,
            &self.text_secondary,
            &self.divider,
            &self.error,
            &self.warning,
            &self.success,
            &self.info,
            &self.navigation,
        ];
        let mut out = [("", "", ""); 11];
        for (i, ((key, prop), value)) in PALETTE_KEYS.iter().zip(values).enumerate() {
            out[i] = (key, prop, value.as_str());
        }
        out
    }
}

/// The payload of a `theme` message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Theme {
    pub id: String,
    pub variant: Variant,
    pub palette: Palette,
    pub font_family: String,
}

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

    /// The envelope as a serializable value (what goes into `postMessage`).
    pub fn envelope(&self) -> Envelope<'_> {
        Envelope {
            protocol: PROTOCOL,
            version: VERSION,
            kind: self.type_name(),
            payload: match self {
                Message::Ready => Payload::Empty {},
                Message::Theme(theme) => Payload::Theme(theme),
                Message::Ack { id } => Payload::Ack { id },
            },
        }
    }

    /// The envelope as JSON (for tests and for transports that carry strings).
    pub fn to_json(&self) -> Value {
        // Serializing these plain structs cannot fail; fall back to Null rather than panic.
        serde_json::to_value(self.envelope()).unwrap_or(Value::Null)
    }
}

/// Serializable form of a [`Message`].
#[derive(Debug, Serialize)]
pub struct Envelope<'a> {
    pub protocol: &'static str,
    pub version: u32,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub payload: Payload<'a>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Payload<'a> {
    Empty {},
    Theme(&'a Theme),
    Ack { id: &'a str },
}

/// Parses a message that arrived as a JSON string (size-limited to [`MAX_MESSAGE_BYTES`]).
pub fn parse_str(text: &str) -> Result<Message, ThemeMessageError> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(ThemeMessageError::MessageTooLarge {
            len: text.len(),
            max: MAX_MESSAGE_BYTES,
        });
    }
    let value: Value = serde_json::from_str(text).map_err(|_| ThemeMessageError::InvalidJson)?;
    parse(&value)
}

/// Parses and validates an envelope.
pub fn parse(value: &Value) -> Result<Message, ThemeMessageError> {
    let obj = value.as_object().ok_or(ThemeMessageError::NotAnObject)?;
    match obj.get("protocol") {
        Some(Value::String(p)) if p == PROTOCOL => {}
        _ => return Err(ThemeMessageError::WrongProtocol),
    }
    match obj.get("version").and_then(Value::as_f64) {
        Some(v) if v == f64::from(VERSION) => {}
        _ => return Err(ThemeMessageError::UnsupportedVersion),
    }
    let kind = match obj.get("type") {
        Some(Value::String(t)) => t.as_str(),
        _ => return Err(ThemeMessageError::UnknownType),
    };
    let payload = obj.get("payload");
    match kind {
        "ready" => match payload {
            None | Some(Value::Null) | Some(Value::Object(_)) => Ok(Message::Ready),
            Some(_) => Err(ThemeMessageError::WrongType {
                field: "payload",
                expected: "an object or null",
            }),
        },
        "theme" => {
            let payload = payload_object(payload)?;
            Ok(Message::Theme(parse_theme_object(payload)?))
        }
        "ack" => {
            let payload = payload_object(payload)?;
            let id = string_field(payload, "id", "payload.id", MAX_ID_BYTES)?;
            check_id(id, "payload.id")?;
            Ok(Message::Ack { id: id.to_owned() })
        }
        _ => Err(ThemeMessageError::UnknownType),
    }
}

/// Validates a bare theme object (the `payload` of a `theme` message, or what an app hands to
/// `new ThemeHost(theme)` / `setTheme(theme)`).
pub fn parse_theme(value: &Value) -> Result<Theme, ThemeMessageError> {
    let obj = value.as_object().ok_or(ThemeMessageError::WrongType {
        field: "theme",
        expected: "an object",
    })?;
    parse_theme_object(obj)
}

fn payload_object(payload: Option<&Value>) -> Result<&Map<String, Value>, ThemeMessageError> {
    match payload {
        None => Err(ThemeMessageError::MissingField("payload")),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(ThemeMessageError::WrongType {
            field: "payload",
            expected: "an object",
        }),
    }
}

fn parse_theme_object(obj: &Map<String, Value>) -> Result<Theme, ThemeMessageError> {
    let id = string_field(obj, "id", "id", MAX_ID_BYTES)?;
    check_id(id, "id")?;
    let variant = match string_field(obj, "variant", "variant", MAX_STRING_BYTES)? {
        "light" => Variant::Light,
        "dark" => Variant::Dark,
        _ => return Err(ThemeMessageError::InvalidVariant),
    };
    let palette = match obj.get("palette") {
        None => return Err(ThemeMessageError::MissingField("palette")),
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(ThemeMessageError::WrongType {
                field: "palette",
                expected: "an object",
            })
        }
    };
    let color = |key: &'static str, path: &'static str| -> Result<String, ThemeMessageError> {
        let value = string_field(palette, key, path, MAX_STRING_BYTES)?;
        if !is_safe_color(value) {
            return Err(ThemeMessageError::InvalidColor(path));
        }
        Ok(value.to_owned())
    };
    let palette = Palette {
        primary: color("primary", "palette.primary")?,
        background: color("background", "palette.background")?,
        paper: color("paper", "palette.paper")?,
        text_primary: color("textPrimary", "palette.textPrimary")?,
        text_secondary: color("textSecondary", "palette.textSecondary")?,
        divider: color("divider", "palette.divider")?,
        error: color("error", "palette.error")?,
        warning: color("warning", "palette.warning")?,
        success: color("success", "palette.success")?,
        info: color("info", "palette.info")?,
        navigation: color("navigation", "palette.navigation")?,
    };
    let font_family = string_field(obj, "fontFamily", "fontFamily", MAX_FONT_BYTES)?;
    if !is_safe_font_family(font_family) {
        return Err(ThemeMessageError::InvalidFontFamily);
    }
    Ok(Theme {
        id: id.to_owned(),
        variant,
        palette,
        font_family: font_family.to_owned(),
    })
}

fn string_field<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &'static str,
    max: usize,
) -> Result<&'a str, ThemeMessageError> {
    let s = match obj.get(key) {
        None => return Err(ThemeMessageError::MissingField(path)),
        Some(Value::String(s)) => s.as_str(),
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

/// The safe colour grammar:
///
/// - `#` and 3, 4, 6 or 8 hex digits;
/// - `rgb(`/`rgba(`/`hsl(`/`hsla(` with 3 or 4 numeric components (optional sign, decimals,
///   `%`, `deg`/`rad`/`grad`/`turn` units, or `none`), separated by commas, spaces or one `/`,
///   then `)` and nothing after;
/// - a named colour: `[a-z]+`, at most 32 bytes, not a CSS function name such as `expression`.
///
/// Anything else (`;`, braces, backslashes, quotes, comments, `url(`, `var(`, nested functions,
/// uppercase, surrounding spaces) is rejected.
pub fn is_safe_color(s: &str) -> bool {
    if s.len() > MAX_STRING_BYTES || s.is_empty() {
        return false;
    }
    if let Some(hex) = s.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some(open) = s.find('(') {
        let name = &s[..open];
        if !matches!(name, "rgb" | "rgba" | "hsl" | "hsla") {
            return false;
        }
        let Some(args) = s[open + 1..].strip_suffix(')') else {
            return false;
        };
        return is_safe_color_args(args);
    }
    s.len() <= MAX_NAMED_COLOR_BYTES
        && s.bytes().all(|b| b.is_ascii_lowercase())
        && !FORBIDDEN_IDENTS.contains(&s)
}

/// Arguments of a colour function: 3 or 4 components, optionally separated by commas
/// (legacy syntax) or spaces with an optional `/ alpha` (modern syntax).
fn is_safe_color_args(args: &str) -> bool {
    let bytes = args.as_bytes();
    let mut i = 0;
    let mut components = 0;
    let mut slashes = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b',' => i += 1,
            b'/' => {
                slashes += 1;
                i += 1;
            }
            _ => {
                let Some(next) = component(bytes, i) else {
                    return false;
                };
                components += 1;
                i = next;
                // A component must be followed by a separator or the end.
                if i < bytes.len() && !matches!(bytes[i], b' ' | b',' | b'/') {
                    return false;
                }
            }
        }
    }
    (components == 3 && slashes == 0) || (components == 4 && slashes <= 1)
}

/// One numeric component starting at `i`; returns the index after it.
fn component(bytes: &[u8], mut i: usize) -> Option<usize> {
    if bytes[i..].starts_with(b"none") {
        return Some(i + 4);
    }
    if matches!(bytes[i], b'+' | b'-') {
        i += 1;
    }
    let int_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return None;
    }
    for unit in [&b"%"[..], b"deg", b"grad", b"rad", b"turn"] {
        if bytes[i..].starts_with(unit) {
            return Some(i + unit.len());
        }
    }
    Some(i)
}

/// The safe font grammar: letters, digits, spaces, commas, hyphens and quotes (`'` or `"`),
/// with every quote closed by the same kind, and at least one letter or digit.
pub fn is_safe_font_family(s: &str) -> bool {
    if s.is_empty() || s.len() > MAX_FONT_BYTES {
        return false;
    }
    let mut open: Option<char> = None;
    let mut has_word = false;
    for c in s.chars() {
        match c {
            '"' | '\'' => match open {
                None => open = Some(c),
                Some(q) if q == c => open = None,
                // The other kind of quote inside a quoted name.
                Some(_) => {}
            },
            ' ' | ',' | '-' => {}
            c if c.is_alphanumeric() => has_word = true,
            _ => return false,
        }
    }
    open.is_none() && has_word
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn palette() -> Value {
        json!({
            "primary": "#1f5493",
            "background": "#f8f8f8",
            "paper": "#ffffff",
            "textPrimary": "rgba(0, 0, 0, 0.87)",
            "textSecondary": "rgb(0 0 0 / 54%)",
            "divider": "hsla(0, 0%, 0%, 0.12)",
            "error": "#E22134",
            "warning": "hsl(30deg 100% 50%)",
            "success": "green",
            "info": "#2E77D0",
            "navigation": "#171717"
        })
    }

    fn theme() -> Value {
        json!({
            "id": "light",
            "variant": "light",
            "palette": palette(),
            "fontFamily": "Helvetica Neue, \"Segoe UI\", Arial, sans-serif"
        })
    }

    fn envelope(kind: &str, payload: Value) -> Value {
        json!({"protocol": PROTOCOL, "version": 1, "type": kind, "payload": payload})
    }

    fn with(mut v: Value, path: &[&str], new: Value) -> Value {
        let mut cur = &mut v;
        for key in &path[..path.len() - 1] {
            cur = cur.get_mut(*key).expect("path exists");
        }
        cur.as_object_mut()
            .expect("object")
            .insert(path[path.len() - 1].to_string(), new);
        v
    }

    fn without(mut v: Value, path: &[&str]) -> Value {
        let mut cur = &mut v;
        for key in &path[..path.len() - 1] {
            cur = cur.get_mut(*key).expect("path exists");
        }
        cur.as_object_mut()
            .expect("object")
            .remove(path[path.len() - 1]);
        v
    }

    fn parse_theme_msg(t: Value) -> Result<Message, ThemeMessageError> {
        parse(&envelope("theme", t))
    }

    #[test]
    fn valid_theme_parses_and_round_trips() {
        let msg = parse(&envelope("theme", theme())).expect("valid");
        let Message::Theme(t) = &msg else {
            panic!("not a theme: {msg:?}")
        };
        assert_eq!(t.id, "light");
        assert_eq!(t.variant, Variant::Light);
        assert_eq!(t.palette.text_primary, "rgba(0, 0, 0, 0.87)");
        assert_eq!(
            t.palette.entries()[3],
            ("textPrimary", "--bs-text-primary", "rgba(0, 0, 0, 0.87)")
        );
        // Serializing gives the same envelope back, and that parses to the same message.
        let json = msg.to_json();
        assert_eq!(json, envelope("theme", theme()));
        assert_eq!(parse(&json), Ok(msg.clone()));
        assert_eq!(parse_str(&json.to_string()), Ok(msg));
    }

    #[test]
    fn ready_and_ack_parse() {
        assert_eq!(parse(&envelope("ready", json!({}))), Ok(Message::Ready));
        assert_eq!(parse(&envelope("ready", Value::Null)), Ok(Message::Ready));
        assert_eq!(
            parse(&json!({"protocol": PROTOCOL, "version": 1, "type": "ready"})),
            Ok(Message::Ready)
        );
        assert_eq!(
            parse(&envelope("ready", json!("x"))),
            Err(ThemeMessageError::WrongType {
                field: "payload",
                expected: "an object or null"
            })
        );
        assert_eq!(
            parse(&envelope("ack", json!({"id": "dark"}))),
            Ok(Message::Ack { id: "dark".into() })
        );
        assert_eq!(
            parse(&envelope("ack", json!({}))),
            Err(ThemeMessageError::MissingField("payload.id"))
        );
        assert_eq!(
            parse(&envelope("ack", json!({"id": "a b"}))),
            Err(ThemeMessageError::InvalidId("payload.id"))
        );
        assert_eq!(Message::Ready.to_json(), envelope("ready", json!({})));
        assert_eq!(
            Message::Ack { id: "x".into() }.to_json(),
            envelope("ack", json!({"id": "x"}))
        );
    }

    #[test]
    fn envelope_rules() {
        assert_eq!(parse(&json!([1])), Err(ThemeMessageError::NotAnObject));
        assert_eq!(parse(&json!("theme")), Err(ThemeMessageError::NotAnObject));
        let base = envelope("theme", theme());
        assert_eq!(
            parse(&with(
                base.clone(),
                &["protocol"],
                json!("backstage-themes")
            )),
            Err(ThemeMessageError::WrongProtocol)
        );
        assert_eq!(
            parse(&without(base.clone(), &["protocol"])),
            Err(ThemeMessageError::WrongProtocol)
        );
        assert_eq!(
            parse(&with(base.clone(), &["protocol"], json!(1))),
            Err(ThemeMessageError::WrongProtocol)
        );
        for bad in [
            json!(2),
            json!(0),
            json!("1"),
            json!(1.5),
            Value::Null,
            json!(-1),
        ] {
            assert_eq!(
                parse(&with(base.clone(), &["version"], bad)),
                Err(ThemeMessageError::UnsupportedVersion)
            );
        }
        assert_eq!(
            parse(&without(base.clone(), &["version"])),
            Err(ThemeMessageError::UnsupportedVersion)
        );
        // 1.0 is the same JS number as 1.
        assert!(parse(&with(base.clone(), &["version"], json!(1.0))).is_ok());
        for bad in [json!("Theme"), json!("hello"), json!(3), Value::Null] {
            assert_eq!(
                parse(&with(base.clone(), &["type"], bad)),
                Err(ThemeMessageError::UnknownType)
            );
        }
        assert_eq!(
            parse(&without(base.clone(), &["type"])),
            Err(ThemeMessageError::UnknownType)
        );
        assert_eq!(
            parse(&without(base.clone(), &["payload"])),
            Err(ThemeMessageError::MissingField("payload"))
        );
        assert_eq!(
            parse(&with(base.clone(), &["payload"], json!([]))),
            Err(ThemeMessageError::WrongType {
                field: "payload",
                expected: "an object"
            })
        );
        // Unknown extra fields are ignored (forward compatible within version 1).
        assert!(parse(&with(base.clone(), &["extra"], json!({"x": 1}))).is_ok());
        assert!(parse(&with(
            base,
            &["payload", "palette", "secondary"],
            json!("#fff")
        ))
        .is_ok());
    }

    #[test]
    fn theme_field_types_and_presence() {
        for key in ["id", "variant", "palette", "fontFamily"] {
            let err = parse_theme_msg(without(theme(), &[key])).unwrap_err();
            assert!(
                matches!(err, ThemeMessageError::MissingField(_)),
                "{key}: {err:?}"
            );
            let err = parse_theme_msg(with(theme(), &[key], json!(42))).unwrap_err();
            assert!(
                matches!(err, ThemeMessageError::WrongType { .. }),
                "{key}: {err:?}"
            );
        }
        for (key, _) in PALETTE_KEYS {
            let err = parse_theme_msg(without(theme(), &["palette", key])).unwrap_err();
            assert!(
                matches!(err, ThemeMessageError::MissingField(p) if p.ends_with(key)),
                "{key}: {err:?}"
            );
            for bad in [
                json!(1),
                json!(null),
                json!(["#fff"]),
                json!({"a": 1}),
                json!(true),
            ] {
                let err = parse_theme_msg(with(theme(), &["palette", key], bad)).unwrap_err();
                assert!(
                    matches!(err, ThemeMessageError::WrongType { field, .. } if field.ends_with(key)),
                    "{key}: {err:?}"
                );
            }
            let err = parse_theme_msg(with(theme(), &["palette", key], json!(""))).unwrap_err();
            assert!(matches!(err, ThemeMessageError::Empty(_)), "{key}: {err:?}");
        }
        assert_eq!(
            parse_theme_msg(with(theme(), &["variant"], json!("Dark"))),
            Err(ThemeMessageError::InvalidVariant)
        );
        assert_eq!(
            parse_theme_msg(with(theme(), &["variant"], json!("sepia"))),
            Err(ThemeMessageError::InvalidVariant)
        );
        let dark = parse_theme_msg(with(theme(), &["variant"], json!("dark"))).expect("dark");
        assert!(matches!(
            dark,
            Message::Theme(Theme {
                variant: Variant::Dark,
                ..
            })
        ));
        assert_eq!(
            parse_theme(&json!("x")),
            Err(ThemeMessageError::WrongType {
                field: "theme",
                expected: "an object"
            })
        );
        assert!(parse_theme(&theme()).is_ok());
    }

    #[test]
    fn size_limits() {
        // id: 128 bytes allowed, 129 rejected.
        assert!(parse_theme_msg(with(theme(), &["id"], json!("a".repeat(128)))).is_ok());
        assert_eq!(
            parse_theme_msg(with(theme(), &["id"], json!("a".repeat(129)))),
            Err(ThemeMessageError::TooLong {
                field: "id",
                len: 129,
                max: 128
            })
        );
        // colours: 256 bytes allowed, 257 rejected (a long but valid rgb()).
        let long_rgb = |len: usize| format!("rgb(1, 2, {})", "3".repeat(len - "rgb(1, 2, )".len()));
        assert_eq!(long_rgb(256).len(), 256);
        assert!(
            parse_theme_msg(with(theme(), &["palette", "primary"], json!(long_rgb(256)))).is_ok()
        );
        assert_eq!(
            parse_theme_msg(with(theme(), &["palette", "primary"], json!(long_rgb(257)))),
            Err(ThemeMessageError::TooLong {
                field: "palette.primary",
                len: 257,
                max: 256
            })
        );
        // font: 512 bytes allowed, 513 rejected.
        assert!(parse_theme_msg(with(theme(), &["fontFamily"], json!("a".repeat(512)))).is_ok());
        assert_eq!(
            parse_theme_msg(with(theme(), &["fontFamily"], json!("a".repeat(513)))),
            Err(ThemeMessageError::TooLong {
                field: "fontFamily",
                len: 513,
                max: 512
            })
        );
        // Byte lengths, not chars: 'é' is 2 bytes.
        assert!(parse_theme_msg(with(theme(), &["fontFamily"], json!("é".repeat(256)))).is_ok());
        assert!(parse_theme_msg(with(theme(), &["fontFamily"], json!("é".repeat(257)))).is_err());
        // Whole string messages.
        let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(MAX_MESSAGE_BYTES));
        assert!(matches!(
            parse_str(&big),
            Err(ThemeMessageError::MessageTooLarge { .. })
        ));
        assert_eq!(parse_str("{not json"), Err(ThemeMessageError::InvalidJson));
        assert_eq!(parse_str(""), Err(ThemeMessageError::InvalidJson));
        // Deep nesting is an error, not a stack overflow.
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert_eq!(parse_str(&deep), Err(ThemeMessageError::InvalidJson));
    }

    #[test]
    fn id_grammar() {
        for ok in ["light", "dark", "my-theme_2", "org.example:high-contrast"] {
            assert!(
                parse_theme_msg(with(theme(), &["id"], json!(ok))).is_ok(),
                "{ok}"
            );
        }
        for bad in ["a b", "x\"y", "<script>", "a;b", "é", "a\nb", "a/b"] {
            assert_eq!(
                parse_theme_msg(with(theme(), &["id"], json!(bad))),
                Err(ThemeMessageError::InvalidId("id")),
                "{bad}"
            );
        }
        assert_eq!(
            parse_theme_msg(with(theme(), &["id"], json!(""))),
            Err(ThemeMessageError::Empty("id"))
        );
    }

    #[test]
    fn colour_grammar_accepts_css_colours() {
        for ok in [
            "#fff",
            "#FFFF",
            "#1f5493",
            "#1F549380",
            "rgb(0,0,0)",
            "rgb(0, 0, 0)",
            "rgba(0, 0, 0, 0.87)",
            "rgba(0,0,0,.5)",
            "rgb(100% 0% 0%)",
            "rgb(0 0 0 / 54%)",
            "rgb(0 0 0 / .5)",
            "hsl(210, 50%, 40%)",
            "hsla(0, 0%, 0%, 0.12)",
            "hsl(30deg 100% 50%)",
            "hsl(0.5turn 10% 10%)",
            "hsl(-120 10% 10%)",
            "hsl(1.2rad 10% 10%)",
            "hsl(100grad 10% 10%)",
            "rgb(none 0 0)",
            "green",
            "transparent",
            "currentcolor",
            "rebeccapurple",
            "lightgoldenrodyellow",
            "inherit",
        ] {
            assert!(is_safe_color(ok), "{ok}");
        }
    }

    #[test]
    fn colour_grammar_rejects_injection_and_junk() {
        for bad in [
            "red;background:url(https://evil.example/x)",
            "red; color: blue",
            "red}body{background:red",
            "{",
            "}",
            "url(https://evil.example/x.png)",
            "var(--x)",
            "expression(alert(1))",
            "expression",
            "url",
            "var",
            "rgb(var(--x), 0, 0)",
            "rgb(calc(1 + 1), 0, 0)",
            "rgb(0, 0, 0);",
            "rgb(0, 0, 0) red",
            "rgb(0, 0, 0))",
            "rgb(0, 0, 0",
            "rgb(0, 0)",
            "rgb(0, 0, 0, 0, 0)",
            "rgb(0 0 0 / 1 / 1)",
            "rgb(0 / 0 0)",
            "rgb(1px, 0, 0)",
            "rgb(--1, 0, 0)",
            "rgb(., 0, 0)",
            "rgb(0e1, 0, 0)",
            "color(srgb 1 0 0)",
            "lab(50% 40 59)",
            "RGB(0,0,0)",
            "Red",
            "red ",
            " red",
            "re d",
            "red!important",
            "red\\3b",
            "\\72 ed",
            "red/**/",
            "/*x*/red",
            "'red'",
            "\"red\"",
            "#ff",
            "#fffff",
            "#ggg",
            "#fff;",
            "#",
            "",
            "red\n",
            "redé",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", // 33 letters
            "-moz-element(#x)",
            "image-set(url(x) 1x)",
            "attr(data-x)",
            "env(safe-area-inset-top)",
        ] {
            assert!(!is_safe_color(bad), "{bad:?} should be rejected");
            let msg = parse_theme_msg(with(theme(), &["palette", "primary"], json!(bad)));
            assert!(msg.is_err(), "{bad:?} should be rejected in a message");
        }
        assert_eq!(
            parse_theme_msg(with(theme(), &["palette", "navigation"], json!("red;x:y"))),
            Err(ThemeMessageError::InvalidColor("palette.navigation"))
        );
    }

    #[test]
    fn font_grammar() {
        for ok in [
            "Roboto",
            "Helvetica Neue, \"Segoe UI\", Arial, sans-serif",
            "'Open Sans', system-ui",
            "\"It's\" Font",
            "Noto Sans JP, メイリオ",
            "Font 2",
        ] {
            assert!(is_safe_font_family(ok), "{ok}");
        }
        for bad in [
            "Arial; color: red",
            "Arial}body{x:y",
            "Arial {",
            "url(x)",
            "var(--x)",
            "expression(alert(1))",
            "Arial\\",
            "\"Arial",
            "'Arial\"",
            "Arial/**/",
            "Arial!important",
            "Arial\n",
            "Arial\u{0}",
            "Arial.",
            "Arial:x",
            "Arial<",
            "",
            " , ",
            "''",
        ] {
            assert!(!is_safe_font_family(bad), "{bad:?} should be rejected");
        }
        assert_eq!(
            parse_theme_msg(with(theme(), &["fontFamily"], json!("Arial; x: y"))),
            Err(ThemeMessageError::InvalidFontFamily)
        );
    }

    #[test]
    fn errors_display_without_echoing_input() {
        let err = parse_theme_msg(with(theme(), &["palette", "primary"], json!("red;secret")))
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("palette.primary"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }

    /// A small deterministic PRNG (xorshift64*) so the property tests need no new dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const INTERESTING: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        ";",
        "(",
        ")",
        "\\",
        "\\u0000",
        "\\ud800",
        "/*",
        "url(",
        "var(",
        "expression(",
        "#",
        "rgb(",
        "hsla(",
        "%",
        "deg",
        "1e999",
        "-0",
        "null",
        "true",
        "é",
        "\u{10FFFF}",
        "\u{0}",
        " ",
        "backstage-theme",
        "\"version\":1",
        "\"type\":\"theme\"",
    ];

    /// Property: the parser never panics, whatever bytes or JSON it gets, and anything it accepts
    /// re-serializes to a message that parses to the same value and that holds only safe strings.
    #[test]
    fn parser_never_panics_on_mutated_inputs() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let seed = envelope("theme", theme()).to_string().into_bytes();
        let seeds = [
            seed,
            envelope("ready", json!({})).to_string().into_bytes(),
            envelope("ack", json!({"id": "x"})).to_string().into_bytes(),
        ];
        let mut accepted = 0;
        for round in 0..20_000 {
            let mut bytes = seeds[round % seeds.len()].clone();
            for _ in 0..=rng.below(8) {
                let at = rng.below(bytes.len() + 1);
                match rng.below(5) {
                    0 if !bytes.is_empty() => {
                        let at = at.min(bytes.len() - 1);
                        bytes[at] = rng.next() as u8;
                    }
                    1 if !bytes.is_empty() => {
                        let end = (at + rng.below(16)).min(bytes.len());
                        bytes.drain(at.min(end)..end);
                    }
                    2 => {
                        let piece = INTERESTING[rng.below(INTERESTING.len())].as_bytes();
                        bytes.splice(at..at, piece.iter().copied());
                    }
                    3 if !bytes.is_empty() => {
                        // Duplicate a random slice (grows nesting/lengths).
                        let start = rng.below(bytes.len());
                        let end = (start + rng.below(64)).min(bytes.len());
                        let slice = bytes[start..end].to_vec();
                        bytes.splice(at..at, slice);
                    }
                    _ => bytes.truncate(at),
                }
            }
            // Arbitrary bytes: through from_utf8 like the fuzz target.
            if let Ok(text) = std::str::from_utf8(&bytes) {
                if let Ok(msg) = parse_str(text) {
                    accepted += 1;
                    check_accepted(&msg);
                }
            }
            let _ = parse_str(&String::from_utf8_lossy(&bytes));
        }
        // The mutations are mild enough that some inputs stay valid.
        assert!(accepted > 100, "accepted only {accepted}");
    }

    /// Property: random JSON values (of random shapes and nasty strings) never panic `parse`.
    #[test]
    fn parser_never_panics_on_random_json() {
        let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
        fn random_string(rng: &mut Rng) -> String {
            let mut s = String::new();
            for _ in 0..rng.below(6) {
                s.push_str(INTERESTING[rng.below(INTERESTING.len())]);
                if rng.below(3) == 0 {
                    s.push_str(&"a".repeat(rng.below(300)));
                }
            }
            s
        }
        fn random_value(rng: &mut Rng, depth: usize) -> Value {
            match rng.below(if depth > 3 { 5 } else { 7 }) {
                0 => Value::Null,
                1 => json!(rng.below(2) == 0),
                2 => json!(rng.next() as i64 as f64 / 7.0),
                3 => json!(rng.below(3)),
                4 => json!(random_string(rng)),
                5 => Value::Array(
                    (0..rng.below(4))
                        .map(|_| random_value(rng, depth + 1))
                        .collect(),
                ),
                _ => {
                    let mut m = Map::new();
                    for _ in 0..rng.below(5) {
                        m.insert(random_string(rng), random_value(rng, depth + 1));
                    }
                    Value::Object(m)
                }
            }
        }
        let keys = [
            "protocol",
            "version",
            "type",
            "payload",
            "id",
            "variant",
            "palette",
            "fontFamily",
        ];
        for _ in 0..5_000 {
            // Start from a valid theme and overwrite one random field somewhere with junk.
            let mut v = envelope("theme", theme());
            let target = match rng.below(3) {
                0 => &mut v,
                1 => v.get_mut("payload").expect("payload"),
                _ => v.pointer_mut("/payload/palette").expect("palette"),
            };
            let key = if rng.below(2) == 0 {
                keys[rng.below(keys.len())].to_string()
            } else {
                PALETTE_KEYS[rng.below(PALETTE_KEYS.len())].0.to_string()
            };
            if let Some(obj) = target.as_object_mut() {
                obj.insert(key, random_value(&mut rng, 0));
            }
            if let Ok(msg) = parse(&v) {
                check_accepted(&msg);
            }
            let _ = parse(&random_value(&mut rng, 0));
        }
    }

    fn check_accepted(msg: &Message) {
        assert_eq!(parse(&msg.to_json()).as_ref(), Ok(msg));
        if let Message::Theme(t) = msg {
            for (_, _, value) in t.palette.entries() {
                assert!(is_safe_color(value), "{value:?}");
                assert!(
                    !value.contains([';', '{', '}', '\\', '"', '\'']),
                    "{value:?}"
                );
            }
            assert!(is_safe_font_family(&t.font_family));
            assert!(!t.font_family.contains([';', '{', '}', '\\', '(', ')']));
        }
    }
}
