//! The envelope, the theme payload's presence/type rules, sizes, error texts and the palette
//! table. The grammars (colours, fonts, ids) and a set of whole messages are checked against
//! `tests/theme/vectors.json` by `vectors.rs`, which `js/theme/palette.ts` is checked against too.

use super::*;

/// A JSON value from its text (the tests' inputs).
pub(super) fn j(text: &str) -> Json {
    Json::parse(text).expect("test JSON")
}

pub(super) fn s(text: &str) -> Json {
    Json::from(text)
}

pub(super) fn n(number: f64) -> Json {
    Json::Num(number)
}

/// The vectors file both implementations are checked against (`vectors.rs`).
pub(super) const VECTORS: &str = include_str!("../../../tests/theme/vectors.json");

/// The valid theme of `tests/theme/vectors.json`, the base every test varies.
pub(super) fn theme() -> Json {
    j(VECTORS)
        .get("theme")
        .cloned()
        .expect("vectors.json has a theme")
}

pub(super) fn envelope(kind: &str, payload: Json) -> Json {
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
pub(super) fn with(mut v: Json, path: &[&str], new: Json) -> Json {
    let (last, parent) = path.split_last().expect("a path");
    let entries = object_at(&mut v, parent);
    match entries.iter_mut().find(|(k, _)| k == last) {
        Some((_, slot)) => *slot = new,
        None => entries.push(((*last).to_owned(), new)),
    }
    v
}

/// `v` without the member at `path`.
pub(super) fn without(mut v: Json, path: &[&str]) -> Json {
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

/// The envelope rules are vectors (`vectors.rs`); here what they cannot say: the values parsed,
/// the serialization, and which `WrongType` expectation is named.
#[test]
fn ready_and_ack_parse_and_serialize() {
    assert_eq!(
        parse(&envelope("ack", j(r#"{"id": "dark"}"#))),
        Ok(Message::Ack { id: "dark".into() })
    );
    assert_eq!(Message::Ready.to_json(), envelope("ready", j(r#"{}"#)));
    assert_eq!(
        Message::Ack { id: "x".into() }.to_json(),
        envelope("ack", j(r#"{"id": "x"}"#))
    );
    assert_eq!(
        parse(&envelope("ready", s("x"))),
        Err(ThemeMessageError::WrongType {
            field: "payload",
            expected: "an object or null"
        })
    );
    assert_eq!(
        parse(&envelope("theme", j(r#"[]"#))),
        Err(ThemeMessageError::WrongType {
            field: "payload",
            expected: "an object"
        })
    );
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
    // The boundaries (limit accepted, one byte more refused) are vectors; here the lengths the
    // error reports, in bytes ('é' is 2).
    let long_rgb = format!("rgb(1, 2, {})", "3".repeat(MAX_STRING_BYTES + 1 - 11));
    for (at, field, value, max) in [
        (
            &["id"][..],
            "id",
            "a".repeat(MAX_ID_BYTES + 1),
            MAX_ID_BYTES,
        ),
        (
            &["palette", "primary"],
            "palette.primary",
            long_rgb,
            MAX_STRING_BYTES,
        ),
        (
            &["fontFamily"],
            "fontFamily",
            "é".repeat(MAX_FONT_BYTES / 2 + 1),
            MAX_FONT_BYTES,
        ),
    ] {
        assert!(value.len() > max && value.len() <= max + 2, "{field}");
        assert_eq!(
            parse_theme_msg(with(theme(), at, s(&value))),
            Err(ThemeMessageError::TooLong {
                field,
                len: value.len(),
                max
            })
        );
    }
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
fn errors_display_without_echoing_input() {
    let err = parse_theme_msg(with(theme(), &["palette", "primary"], s("red;secret"))).unwrap_err();
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
    let table: Vec<&str> = PALETTE_KEYS.iter().map(|k| k.key).collect();
    // The vectors' theme (the tests' base, also what the JS side is checked with) has exactly
    // the table's keys, in its order; so does its re-serialization.
    let fixture = theme();
    let keys = |palette: &Json| -> Vec<String> {
        palette
            .as_object()
            .expect("palette")
            .iter()
            .map(|(k, _)| k.clone())
            .collect()
    };
    assert_eq!(keys(fixture.get("palette").expect("palette")), table);
    let msg = parse(&envelope("theme", fixture)).expect("valid");
    let json = msg.to_json();
    let payload = json.get("payload").expect("payload");
    assert_eq!(keys(payload.get("palette").expect("palette")), table);
}

/// The member names of `export interface <name> { ... }` in TypeScript source.
fn ts_interface_members(source: &str, name: &str) -> Vec<String> {
    let head = format!("export interface {name} {{");
    let start = source.find(&head).expect("interface") + head.len();
    let body = &source[start..start + source[start..].find('}').expect("closing brace")];
    body.split(';')
        .filter_map(|member| {
            // Skip `/** ... */` doc comments before a member.
            let member = member.rsplit("*/").next().unwrap_or(member);
            member.split(':').next().map(str::trim)
        })
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn typescript_palettes_are_the_table() {
    let table: Vec<&str> = PALETTE_KEYS.iter().map(|k| k.key).collect();
    // The generated `.d.ts` section (from the same macro list).
    assert_eq!(
        ts_interface_members(TS_THEME_PALETTE, "ThemePalette"),
        table
    );
    // The npm wrapper declares none of its own: it re-exports the generated one.
    let core_ts = include_str!("../../../js/theme/core.ts");
    assert!(!core_ts.contains("interface ThemePalette"));
    assert!(core_ts.contains("ThemePalette,\n} from '../../pkg/backstage_wasm_auth_theme.js'"));
}
