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

use crate::json::{push_uint, Json, ObjectBuilder};

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThemeMessageError {
    InvalidJson,
    MessageTooLarge {
        len: usize,
        max: usize,
    },
    NotAnObject,
    WrongProtocol,
    UnsupportedVersion,
    UnknownType,
    MissingField(&'static str),
    WrongType {
        field: &'static str,
        expected: &'static str,
    },
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    Empty(&'static str),
    InvalidColor(&'static str),
    InvalidFontFamily,
    InvalidId(&'static str),
    InvalidVariant,
}

impl ThemeMessageError {
    /// The error as text, e.g. ``theme message field `palette.primary` is not a safe CSS
    /// colour``. It names the rule and the field, never the offending value. Built with
    /// `push_str` (no `core::fmt` in the wasm).
    pub fn message(&self) -> String {
        use ThemeMessageError::*;
        let mut out = String::from("theme message ");
        let field = |out: &mut String, name: &str| {
            out.push_str("field `");
            out.push_str(name);
            out.push('`');
        };
        let sizes = |out: &mut String, len: usize, max: usize| {
            out.push_str(" (");
            push_uint(out, len as u64);
            out.push_str(" bytes, limit ");
            push_uint(out, max as u64);
            out.push(')');
        };
        match self {
            InvalidJson => out.push_str("is not valid JSON"),
            MessageTooLarge { len, max } => {
                out.push_str("is too large");
                sizes(&mut out, *len, *max);
            }
            NotAnObject => out.push_str("is not a JSON object"),
            WrongProtocol => out.push_str("protocol is missing or not 'backstage-theme'"),
            UnsupportedVersion => {
                out.push_str("version is missing or unsupported (this side speaks version 1)")
            }
            UnknownType => out.push_str("type is missing or unknown"),
            MissingField(name) => {
                field(&mut out, name);
                out.push_str(" is missing");
            }
            WrongType {
                field: name,
                expected,
            } => {
                field(&mut out, name);
                out.push_str(" must be ");
                out.push_str(expected);
            }
            TooLong {
                field: name,
                len,
                max,
            } => {
                field(&mut out, name);
                out.push_str(" is too long");
                sizes(&mut out, *len, *max);
            }
            Empty(name) => {
                field(&mut out, name);
                out.push_str(" is empty");
            }
            InvalidColor(name) => {
                field(&mut out, name);
                out.push_str(" is not a safe CSS colour");
            }
            InvalidFontFamily => {
                field(&mut out, "fontFamily");
                out.push_str(" contains characters outside the safe font grammar");
            }
            InvalidId(name) => {
                field(&mut out, name);
                out.push_str(" contains characters outside [A-Za-z0-9._:-]");
            }
            InvalidVariant => {
                field(&mut out, "variant");
                out.push_str(" must be 'light' or 'dark'");
            }
        }
        out
    }
}

impl core::fmt::Display for ThemeMessageError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ThemeMessageError {}

/// `light` or `dark`: also becomes the iframe's `color-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// One colour of the palette: its wire key, the path that errors name, and the CSS custom
/// property the iframe sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaletteKey {
    /// `textPrimary`
    pub key: &'static str,
    /// `palette.textPrimary`
    pub path: &'static str,
    /// `--bs-text-primary`
    pub property: &'static str,
}

macro_rules! palette_keys {
    ($($key:literal => $property:literal,)*) => {
        /// The palette, in wire order: the one list of its colours (parsing, encoding, the
        /// iframe's CSS custom properties and the tests all go through it).
        pub const PALETTE_KEYS: &[PaletteKey] = &[$(PaletteKey {
            key: $key,
            path: concat!("palette.", $key),
            property: $property,
        }),*];
    };
}

palette_keys! {
    "primary" => "--bs-primary",
    "background" => "--bs-background",
    "paper" => "--bs-paper",
    "textPrimary" => "--bs-text-primary",
    "textSecondary" => "--bs-text-secondary",
    "divider" => "--bs-divider",
    "error" => "--bs-error",
    "warning" => "--bs-warning",
    "success" => "--bs-success",
    "info" => "--bs-info",
    "navigation" => "--bs-navigation",
}

/// Number of colours in a palette.
pub const PALETTE_LEN: usize = PALETTE_KEYS.len();

/// The custom property that carries [`Theme::font_family`].
pub const FONT_FAMILY_PROPERTY: &str = "--bs-font-family";

/// The palette: CSS-ready colour strings, each checked by [`is_safe_color`], in the order of
/// [`PALETTE_KEYS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette(pub [String; PALETTE_LEN]);

impl Palette {
    /// `(wire key, CSS custom property, value)` for every colour, in wire order.
    pub fn entries(&self) -> impl Iterator<Item = (&'static str, &'static str, &str)> {
        PALETTE_KEYS
            .iter()
            .zip(&self.0)
            .map(|(k, value)| (k.key, k.property, value.as_str()))
    }

    /// The colour under a wire key (`textPrimary`).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, value)| value)
    }

    fn to_json(&self) -> Json {
        Json::Obj(
            self.entries()
                .map(|(key, _, value)| (key.to_owned(), Json::from(value)))
                .collect(),
        )
    }
}

/// The payload of a `theme` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub id: String,
    pub variant: Variant,
    pub palette: Palette,
    pub font_family: String,
}

impl Theme {
    /// The theme as its wire object (`id`, `variant`, `palette`, `fontFamily`).
    pub fn to_json(&self) -> Json {
        ObjectBuilder::new()
            .set("id", Json::from(self.id.as_str()))
            .set("variant", Json::from(self.variant.as_str()))
            .set("palette", self.palette.to_json())
            .set("fontFamily", Json::from(self.font_family.as_str()))
            .build()
    }
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

/// Validates a bare theme object (the `payload` of a `theme` message, or what an app hands to
/// `new ThemeHost(theme)` / `setTheme(theme)`).
pub fn parse_theme(value: &Json) -> Result<Theme, ThemeMessageError> {
    match value {
        Json::Obj(_) => parse_theme_object(value),
        _ => Err(ThemeMessageError::WrongType {
            field: "theme",
            expected: "an object",
        }),
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

fn parse_theme_object(obj: &Json) -> Result<Theme, ThemeMessageError> {
    let id = string_field(obj, "id", "id", MAX_ID_BYTES)?;
    check_id(id, "id")?;
    let variant = match string_field(obj, "variant", "variant", MAX_STRING_BYTES)? {
        "light" => Variant::Light,
        "dark" => Variant::Dark,
        _ => return Err(ThemeMessageError::InvalidVariant),
    };
    let palette = object_field(obj.get("palette"), "palette")?;
    let mut colors: [String; PALETTE_LEN] = Default::default();
    for (k, color) in PALETTE_KEYS.iter().zip(&mut colors) {
        let value = string_field(palette, k.key, k.path, MAX_STRING_BYTES)?;
        if !is_safe_color(value) {
            return Err(ThemeMessageError::InvalidColor(k.path));
        }
        value.clone_into(color);
    }
    let font_family = string_field(obj, "fontFamily", "fontFamily", MAX_FONT_BYTES)?;
    if !is_safe_font_family(font_family) {
        return Err(ThemeMessageError::InvalidFontFamily);
    }
    Ok(Theme {
        id: id.to_owned(),
        variant,
        palette: Palette(colors),
        font_family: font_family.to_owned(),
    })
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
    // (`str::split_once` would link the pattern searcher and its slicing panics.)
    if let Some(open) = s.bytes().position(|b| b == b'(') {
        let (Some(name), Some(rest)) = (s.get(..open), s.get(open + 1..)) else {
            return false;
        };
        if !matches!(name, "rgb" | "rgba" | "hsl" | "hsla") {
            return false;
        }
        let Some(args) = rest.strip_suffix(')') else {
            return false;
        };
        return is_safe_color_args(args.as_bytes());
    }
    s.len() <= MAX_NAMED_COLOR_BYTES
        && s.bytes().all(|b| b.is_ascii_lowercase())
        && !FORBIDDEN_IDENTS.contains(&s)
}

/// Arguments of a colour function: 3 or 4 components, optionally separated by commas
/// (legacy syntax) or spaces with an optional `/ alpha` (modern syntax).
// Slices are walked with `split_first`/`strip_prefix` rather than indexed: no bounds checks, so
// no panic (and none of its formatting) in the wasm.
fn is_safe_color_args(mut rest: &[u8]) -> bool {
    let mut components = 0;
    let mut slashes = 0;
    while let Some((&b, tail)) = rest.split_first() {
        match b {
            b' ' | b',' => rest = tail,
            b'/' => {
                slashes += 1;
                rest = tail;
            }
            _ => {
                let Some(after) = component(rest) else {
                    return false;
                };
                components += 1;
                rest = after;
                // A component must be followed by a separator or the end.
                if !matches!(rest.first(), None | Some(b' ' | b',' | b'/')) {
                    return false;
                }
            }
        }
    }
    (components == 3 && slashes == 0) || (components == 4 && slashes <= 1)
}

/// One numeric component at the start of `s`; returns what follows it.
fn component(s: &[u8]) -> Option<&[u8]> {
    if let Some(rest) = s.strip_prefix(b"none") {
        return Some(rest);
    }
    let mut s = match s.split_first() {
        Some((b'+' | b'-', tail)) => tail,
        _ => s,
    };
    let mut digits = 0;
    let skip_digits = |s: &mut &[u8], digits: &mut usize| {
        while let Some((b'0'..=b'9', tail)) = s.split_first() {
            *s = tail;
            *digits += 1;
        }
    };
    skip_digits(&mut s, &mut digits);
    if let Some(tail) = s.strip_prefix(b".") {
        s = tail;
        skip_digits(&mut s, &mut digits);
    }
    if digits == 0 {
        return None;
    }
    for unit in [&b"%"[..], b"deg", b"grad", b"rad", b"turn"] {
        if let Some(rest) = s.strip_prefix(unit) {
            return Some(rest);
        }
    }
    Some(s)
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

    /// A JSON value from its text (the tests' inputs).
    fn j(text: &str) -> Json {
        Json::parse(text).expect("test JSON")
    }

    fn s(text: &str) -> Json {
        Json::from(text)
    }

    fn n(number: f64) -> Json {
        Json::Num(number)
    }

    fn palette() -> Json {
        j(r##"{
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
        }"##)
    }

    fn theme() -> Json {
        ObjectBuilder::new()
            .set("id", s("light"))
            .set("variant", s("light"))
            .set("palette", palette())
            .set(
                "fontFamily",
                s("Helvetica Neue, \"Segoe UI\", Arial, sans-serif"),
            )
            .build()
    }

    fn envelope(kind: &str, payload: Json) -> Json {
        ObjectBuilder::new()
            .set("protocol", s(PROTOCOL))
            .set("version", n(1.0))
            .set("type", s(kind))
            .set("payload", payload)
            .build()
    }

    /// The entries of the object at `path` (every step an object member).
    fn object_at<'a>(v: &'a mut Json, path: &[&str]) -> &'a mut Vec<(String, Json)> {
        let mut cur = v;
        for key in path {
            let Json::Obj(entries) = cur else {
                panic!("not an object at {key}")
            };
            cur = entries
                .iter_mut()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .expect("path exists");
        }
        match cur {
            Json::Obj(entries) => entries,
            _ => panic!("not an object"),
        }
    }

    /// `v` with the member at `path` set to `new` (replaced in place, or added at the end).
    fn with(mut v: Json, path: &[&str], new: Json) -> Json {
        let (last, parent) = path.split_last().expect("a path");
        let entries = object_at(&mut v, parent);
        match entries.iter_mut().find(|(k, _)| k == last) {
            Some((_, slot)) => *slot = new,
            None => entries.push(((*last).to_owned(), new)),
        }
        v
    }

    /// `v` without the member at `path`.
    fn without(mut v: Json, path: &[&str]) -> Json {
        let (last, parent) = path.split_last().expect("a path");
        object_at(&mut v, parent).retain(|(k, _)| k != last);
        v
    }

    fn parse_theme_msg(t: Json) -> Result<Message, ThemeMessageError> {
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
        assert_eq!(t.palette.get("textPrimary"), Some("rgba(0, 0, 0, 0.87)"));
        assert_eq!(
            t.palette.entries().nth(3),
            Some(("textPrimary", "--bs-text-primary", "rgba(0, 0, 0, 0.87)"))
        );
        // Serializing gives the same envelope back, and that parses to the same message.
        let json = msg.to_json();
        assert_eq!(json, envelope("theme", theme()));
        assert_eq!(parse(&json), Ok(msg.clone()));
        assert_eq!(parse_str(&json.encode()), Ok(msg));
    }

    #[test]
    fn ready_and_ack_parse() {
        assert_eq!(parse(&envelope("ready", j(r#"{}"#))), Ok(Message::Ready));
        assert_eq!(parse(&envelope("ready", Json::Null)), Ok(Message::Ready));
        assert_eq!(
            parse(&j(
                r#"{"protocol": "backstage-theme", "version": 1, "type": "ready"}"#
            )),
            Ok(Message::Ready)
        );
        assert_eq!(
            parse(&envelope("ready", s("x"))),
            Err(ThemeMessageError::WrongType {
                field: "payload",
                expected: "an object or null"
            })
        );
        assert_eq!(
            parse(&envelope("ack", j(r#"{"id": "dark"}"#))),
            Ok(Message::Ack { id: "dark".into() })
        );
        assert_eq!(
            parse(&envelope("ack", j(r#"{}"#))),
            Err(ThemeMessageError::MissingField("payload.id"))
        );
        assert_eq!(
            parse(&envelope("ack", j(r#"{"id": "a b"}"#))),
            Err(ThemeMessageError::InvalidId("payload.id"))
        );
        assert_eq!(Message::Ready.to_json(), envelope("ready", j(r#"{}"#)));
        assert_eq!(
            Message::Ack { id: "x".into() }.to_json(),
            envelope("ack", j(r#"{"id": "x"}"#))
        );
    }

    #[test]
    fn envelope_rules() {
        assert_eq!(parse(&j(r#"[1]"#)), Err(ThemeMessageError::NotAnObject));
        assert_eq!(parse(&s("theme")), Err(ThemeMessageError::NotAnObject));
        let base = envelope("theme", theme());
        assert_eq!(
            parse(&with(base.clone(), &["protocol"], s("backstage-themes"))),
            Err(ThemeMessageError::WrongProtocol)
        );
        assert_eq!(
            parse(&without(base.clone(), &["protocol"])),
            Err(ThemeMessageError::WrongProtocol)
        );
        assert_eq!(
            parse(&with(base.clone(), &["protocol"], n(1.0))),
            Err(ThemeMessageError::WrongProtocol)
        );
        for bad in [n(2.0), n(0.0), s("1"), n(1.5), Json::Null, n(-1.0)] {
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
        assert!(parse(&with(base.clone(), &["version"], n(1.0))).is_ok());
        for bad in [s("Theme"), s("hello"), n(3.0), Json::Null] {
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
            parse(&with(base.clone(), &["payload"], j(r#"[]"#))),
            Err(ThemeMessageError::WrongType {
                field: "payload",
                expected: "an object"
            })
        );
        // Unknown extra fields are ignored (forward compatible within version 1).
        assert!(parse(&with(base.clone(), &["extra"], j(r#"{"x": 1}"#))).is_ok());
        assert!(parse(&with(base, &["payload", "palette", "secondary"], s("#fff"))).is_ok());
    }

    #[test]
    fn theme_field_types_and_presence() {
        for key in ["id", "variant", "palette", "fontFamily"] {
            let err = parse_theme_msg(without(theme(), &[key])).unwrap_err();
            assert!(
                matches!(err, ThemeMessageError::MissingField(_)),
                "{key}: {err:?}"
            );
            let err = parse_theme_msg(with(theme(), &[key], n(42.0))).unwrap_err();
            assert!(
                matches!(err, ThemeMessageError::WrongType { .. }),
                "{key}: {err:?}"
            );
        }
        for key in PALETTE_KEYS.iter().map(|k| k.key) {
            let err = parse_theme_msg(without(theme(), &["palette", key])).unwrap_err();
            assert!(
                matches!(err, ThemeMessageError::MissingField(p) if p.ends_with(key)),
                "{key}: {err:?}"
            );
            for bad in [
                n(1.0),
                Json::Null,
                j(r##"["#fff"]"##),
                j(r#"{"a": 1}"#),
                Json::Bool(true),
            ] {
                let err = parse_theme_msg(with(theme(), &["palette", key], bad)).unwrap_err();
                assert!(
                    matches!(err, ThemeMessageError::WrongType { field, .. } if field.ends_with(key)),
                    "{key}: {err:?}"
                );
            }
            let err = parse_theme_msg(with(theme(), &["palette", key], s(""))).unwrap_err();
            assert!(matches!(err, ThemeMessageError::Empty(_)), "{key}: {err:?}");
        }
        assert_eq!(
            parse_theme_msg(with(theme(), &["variant"], s("Dark"))),
            Err(ThemeMessageError::InvalidVariant)
        );
        assert_eq!(
            parse_theme_msg(with(theme(), &["variant"], s("sepia"))),
            Err(ThemeMessageError::InvalidVariant)
        );
        let dark = parse_theme_msg(with(theme(), &["variant"], s("dark"))).expect("dark");
        assert!(matches!(
            dark,
            Message::Theme(Theme {
                variant: Variant::Dark,
                ..
            })
        ));
        assert_eq!(
            parse_theme(&s("x")),
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
        assert!(parse_theme_msg(with(theme(), &["id"], s(&"a".repeat(128)))).is_ok());
        assert_eq!(
            parse_theme_msg(with(theme(), &["id"], s(&"a".repeat(129)))),
            Err(ThemeMessageError::TooLong {
                field: "id",
                len: 129,
                max: 128
            })
        );
        // colours: 256 bytes allowed, 257 rejected (a long but valid rgb()).
        let long_rgb = |len: usize| format!("rgb(1, 2, {})", "3".repeat(len - "rgb(1, 2, )".len()));
        assert_eq!(long_rgb(256).len(), 256);
        assert!(parse_theme_msg(with(theme(), &["palette", "primary"], s(&long_rgb(256)))).is_ok());
        assert_eq!(
            parse_theme_msg(with(theme(), &["palette", "primary"], s(&long_rgb(257)))),
            Err(ThemeMessageError::TooLong {
                field: "palette.primary",
                len: 257,
                max: 256
            })
        );
        // font: 512 bytes allowed, 513 rejected.
        assert!(parse_theme_msg(with(theme(), &["fontFamily"], s(&"a".repeat(512)))).is_ok());
        assert_eq!(
            parse_theme_msg(with(theme(), &["fontFamily"], s(&"a".repeat(513)))),
            Err(ThemeMessageError::TooLong {
                field: "fontFamily",
                len: 513,
                max: 512
            })
        );
        // Byte lengths, not chars: 'é' is 2 bytes.
        assert!(parse_theme_msg(with(theme(), &["fontFamily"], s(&"é".repeat(256)))).is_ok());
        assert!(parse_theme_msg(with(theme(), &["fontFamily"], s(&"é".repeat(257)))).is_err());
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
                parse_theme_msg(with(theme(), &["id"], s(ok))).is_ok(),
                "{ok}"
            );
        }
        for bad in ["a b", "x\"y", "<script>", "a;b", "é", "a\nb", "a/b"] {
            assert_eq!(
                parse_theme_msg(with(theme(), &["id"], s(bad))),
                Err(ThemeMessageError::InvalidId("id")),
                "{bad}"
            );
        }
        assert_eq!(
            parse_theme_msg(with(theme(), &["id"], s(""))),
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
            let msg = parse_theme_msg(with(theme(), &["palette", "primary"], s(bad)));
            assert!(msg.is_err(), "{bad:?} should be rejected in a message");
        }
        assert_eq!(
            parse_theme_msg(with(theme(), &["palette", "navigation"], s("red;x:y"))),
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
            parse_theme_msg(with(theme(), &["fontFamily"], s("Arial; x: y"))),
            Err(ThemeMessageError::InvalidFontFamily)
        );
    }

    #[test]
    fn errors_display_without_echoing_input() {
        let err =
            parse_theme_msg(with(theme(), &["palette", "primary"], s("red;secret"))).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("palette.primary"), "{text}");
        assert!(!text.contains("secret"), "{text}");
        assert_eq!(err.message(), text);
        // The texts (written with push_str, no core::fmt), as apps see them in InvalidThemeError.
        for (err, text) in [
            (
                ThemeMessageError::InvalidJson,
                "theme message is not valid JSON",
            ),
            (
                ThemeMessageError::MessageTooLarge {
                    len: 16385,
                    max: 16384,
                },
                "theme message is too large (16385 bytes, limit 16384)",
            ),
            (
                ThemeMessageError::NotAnObject,
                "theme message is not a JSON object",
            ),
            (
                ThemeMessageError::WrongProtocol,
                "theme message protocol is missing or not 'backstage-theme'",
            ),
            (
                ThemeMessageError::UnsupportedVersion,
                "theme message version is missing or unsupported (this side speaks version 1)",
            ),
            (
                ThemeMessageError::UnknownType,
                "theme message type is missing or unknown",
            ),
            (
                ThemeMessageError::MissingField("palette"),
                "theme message field `palette` is missing",
            ),
            (
                ThemeMessageError::WrongType {
                    field: "payload",
                    expected: "an object or null",
                },
                "theme message field `payload` must be an object or null",
            ),
            (
                ThemeMessageError::TooLong {
                    field: "id",
                    len: 129,
                    max: 128,
                },
                "theme message field `id` is too long (129 bytes, limit 128)",
            ),
            (
                ThemeMessageError::Empty("id"),
                "theme message field `id` is empty",
            ),
            (
                ThemeMessageError::InvalidColor("palette.info"),
                "theme message field `palette.info` is not a safe CSS colour",
            ),
            (
                ThemeMessageError::InvalidFontFamily,
                "theme message field `fontFamily` contains characters outside the safe font grammar",
            ),
            (
                ThemeMessageError::InvalidId("payload.id"),
                "theme message field `payload.id` contains characters outside [A-Za-z0-9._:-]",
            ),
            (
                ThemeMessageError::InvalidVariant,
                "theme message field `variant` must be 'light' or 'dark'",
            ),
        ] {
            assert_eq!(err.to_string(), text);
        }
    }

    #[test]
    fn palette_table_is_the_wire_format() {
        // Every key once, each with its `palette.` path and a `--bs-` property.
        for (i, k) in PALETTE_KEYS.iter().enumerate() {
            assert_eq!(k.path.strip_prefix("palette."), Some(k.key));
            assert!(k.property.starts_with("--bs-"), "{}", k.property);
            assert!(PALETTE_KEYS[..i].iter().all(|o| o.key != k.key));
        }
        // The palette object on the wire has exactly the table's keys, in its order.
        let msg = parse(&envelope("theme", theme())).expect("valid");
        let json = msg.to_json();
        let keys: Vec<&str> = json
            .get("payload")
            .and_then(|p| p.get("palette"))
            .and_then(Json::as_object)
            .expect("palette")
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        let table: Vec<&str> = PALETTE_KEYS.iter().map(|k| k.key).collect();
        assert_eq!(keys, table);
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
        let seed = envelope("theme", theme()).encode().into_bytes();
        let seeds = [
            seed,
            envelope("ready", j(r#"{}"#)).encode().into_bytes(),
            envelope("ack", j(r#"{"id": "x"}"#)).encode().into_bytes(),
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
        fn random_value(rng: &mut Rng, depth: usize) -> Json {
            match rng.below(if depth > 3 { 5 } else { 7 }) {
                0 => Json::Null,
                1 => Json::Bool(rng.below(2) == 0),
                2 => n(rng.next() as i64 as f64 / 7.0),
                3 => n(rng.below(3) as f64),
                4 => Json::Str(random_string(rng)),
                5 => Json::Arr(
                    (0..rng.below(4))
                        .map(|_| random_value(rng, depth + 1))
                        .collect(),
                ),
                _ => {
                    let mut m = Vec::new();
                    for _ in 0..rng.below(5) {
                        m.push((random_string(rng), random_value(rng, depth + 1)));
                    }
                    Json::Obj(m)
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
            let mut path: Vec<&str> = match rng.below(3) {
                0 => vec![],
                1 => vec!["payload"],
                _ => vec!["payload", "palette"],
            };
            path.push(if rng.below(2) == 0 {
                keys[rng.below(keys.len())]
            } else {
                PALETTE_KEYS[rng.below(PALETTE_KEYS.len())].key
            });
            let v = with(envelope("theme", theme()), &path, random_value(&mut rng, 0));
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
