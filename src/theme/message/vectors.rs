//! `tests/theme/vectors.json` against this parser (the authority). The same file is checked
//! against `js/theme/palette.ts` by `tests/npm/unit/theme-vectors.test.mjs`: the two sides agree
//! on every colour, font family and id verdict there, and on the size limits.

use super::tests::{envelope, j, theme, with, without, VECTORS};
use super::*;

/// A vector value: a string, or `{prefix?, repeat, times, suffix?}`.
fn value(v: &Json) -> String {
    if let Some(s) = v.as_str() {
        return s.to_owned();
    }
    let part = |key| v.get(key).and_then(Json::as_str).unwrap_or("");
    let times = v.get("times").and_then(Json::as_f64).expect("times") as usize;
    [
        part("prefix"),
        &part("repeat").repeat(times),
        part("suffix"),
    ]
    .concat()
}

fn vectors() -> Json {
    j(VECTORS)
}

/// `vectors[section][verdict]`, expanded.
fn list(section: &str, verdict: &str) -> Vec<String> {
    let v = vectors();
    let items = v
        .get(section)
        .and_then(|s| s.get(verdict))
        .and_then(Json::as_array)
        .unwrap_or_else(|| panic!("vectors.json has no {section}.{verdict}"));
    assert!(!items.is_empty(), "{section}.{verdict} is empty");
    items.iter().map(value).collect()
}

/// A vector path (`palette.primary`) as path steps.
fn path(dotted: &str) -> Vec<&str> {
    dotted.split('.').collect()
}

/// The rule (variant name) and field an error names, as the vectors write them.
fn rule(err: &ThemeMessageError) -> (&'static str, Option<&'static str>) {
    use ThemeMessageError::*;
    match err {
        InvalidJson => ("InvalidJson", None),
        MessageTooLarge { .. } => ("MessageTooLarge", None),
        NotAnObject => ("NotAnObject", None),
        WrongProtocol => ("WrongProtocol", None),
        UnsupportedVersion => ("UnsupportedVersion", None),
        UnknownType => ("UnknownType", None),
        MissingField(field) => ("MissingField", Some(field)),
        WrongType { field, .. } => ("WrongType", Some(field)),
        TooLong { field, .. } => ("TooLong", Some(field)),
        Empty(field) => ("Empty", Some(field)),
        InvalidColor(field) => ("InvalidColor", Some(field)),
        InvalidFontFamily => ("InvalidFontFamily", Some("fontFamily")),
        InvalidId(field) => ("InvalidId", Some(field)),
        InvalidVariant => ("InvalidVariant", Some("variant")),
    }
}

/// The verdict a vector expects: `Ok(type)` or `Err((rule, field))`.
fn expected(case: &Json, accepted: &str) -> Result<String, (String, Option<String>)> {
    let text = |key| case.get(key).and_then(Json::as_str).map(str::to_owned);
    match text("error") {
        None => Ok(accepted.to_owned()),
        Some(error) => Err((error, text("field"))),
    }
}

fn verdict(result: Result<Message, ThemeMessageError>) -> Result<String, (String, Option<String>)> {
    match result {
        Ok(msg) => Ok(msg.type_name().to_owned()),
        Err(err) => {
            let (name, field) = rule(&err);
            Err((name.to_owned(), field.map(str::to_owned)))
        }
    }
}

#[test]
fn limits_are_the_constants() {
    let v = vectors();
    let limits = v.get("limits").expect("limits");
    for (name, value) in [
        ("MAX_STRING_BYTES", MAX_STRING_BYTES),
        ("MAX_FONT_BYTES", MAX_FONT_BYTES),
        ("MAX_ID_BYTES", MAX_ID_BYTES),
        ("MAX_MESSAGE_BYTES", MAX_MESSAGE_BYTES),
        ("MAX_NAMED_COLOR_BYTES", MAX_NAMED_COLOR_BYTES),
    ] {
        assert_eq!(
            limits.get(name).and_then(Json::as_f64),
            Some(value as f64),
            "{name}"
        );
    }
    assert_eq!(limits.as_object().map(|o| o.len()), Some(5));
}

/// Every accepted / rejected value of `section`: `check` gives the verdict, and so does a
/// theme message with the value at `at` (the size limit included).
fn grammar(section: &str, check: fn(&str) -> bool, at: &[&str]) {
    for (verdict, want) in [("accept", true), ("reject", false)] {
        for v in list(section, verdict) {
            assert_eq!(check(&v), want, "{v:?} should be {verdict}ed");
            let msg = parse(&envelope(
                "theme",
                with(theme(), at, Json::from(v.as_str())),
            ));
            assert_eq!(msg.is_ok(), want, "{v:?} in a message: {msg:?}");
        }
    }
}

#[test]
fn colours() {
    grammar("colors", is_safe_color, &["palette", "primary"]);
}

#[test]
fn font_families() {
    grammar("fontFamilies", is_safe_font_family, &["fontFamily"]);
}

#[test]
fn ids() {
    for ok in list("ids", "accept") {
        let msg = parse(&envelope(
            "theme",
            with(theme(), &["id"], Json::from(ok.as_str())),
        ));
        assert!(msg.is_ok(), "{ok:?}: {msg:?}");
    }
    for bad in list("ids", "reject") {
        let err = parse(&envelope(
            "theme",
            with(theme(), &["id"], Json::from(bad.as_str())),
        ))
        .expect_err(&bad);
        assert!(matches!(rule(&err), (_, Some("id"))), "{bad:?}: {err:?}");
        // The `ack` payload's id follows the same rule.
        let ack = ObjectBuilder::new()
            .set("id", Json::from(bad.as_str()))
            .build();
        assert!(parse(&envelope("ack", ack)).is_err(), "{bad:?} in an ack");
    }
}

#[test]
fn themes() {
    let v = vectors();
    let cases = v.get("themes").and_then(Json::as_array).expect("themes");
    for case in cases {
        let name = case.get("name").and_then(Json::as_str).expect("name");
        let mut t = theme();
        if let Some(set) = case.get("set").and_then(Json::as_object) {
            for (key, new) in set {
                let new = match new {
                    Json::Obj(_) if new.get("repeat").is_some() => Json::from(value(new).as_str()),
                    _ => new.clone(),
                };
                t = with(t, &path(key), new);
            }
        }
        for key in case
            .get("remove")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            t = without(t, &path(key.as_str().expect("a path")));
        }
        let want = expected(case, "theme");
        assert_eq!(
            verdict(parse(&envelope("theme", t.clone()))),
            want,
            "{name}"
        );
        // The bare theme (what `new ThemeHost(theme)` validates) has the same verdict.
        assert_eq!(
            verdict(parse_theme(&t).map(Message::Theme)),
            want,
            "{name} (bare)"
        );
    }
}

#[test]
fn messages() {
    let v = vectors();
    let cases = v
        .get("messages")
        .and_then(Json::as_array)
        .expect("messages");
    for case in cases {
        let name = case.get("name").and_then(Json::as_str).expect("name");
        let msg = case.get("message").expect("message");
        let accepted = case.get("type").and_then(Json::as_str).unwrap_or("");
        let want = expected(case, accepted);
        assert_eq!(verdict(parse(msg)), want, "{name}");
        assert_eq!(verdict(parse_str(&msg.encode())), want, "{name} (as text)");
    }
}
