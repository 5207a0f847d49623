use super::*;

fn parse(text: &str) -> Json {
    Json::parse(text).expect("valid JSON")
}

#[test]
fn parses_every_kind_of_value() {
    let v = parse(r#" {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}, "e": ""} "#);
    let a = v.get("a").and_then(Json::as_array).expect("array");
    assert_eq!(a[0], Json::Num(1.0));
    assert_eq!(a[1], Json::Num(-2.5));
    assert_eq!(a[2], Json::Num(300.0));
    assert_eq!(a[3], Json::Bool(true));
    assert_eq!(a[4], Json::Bool(false));
    assert_eq!(a[5], Json::Null);
    assert_eq!(v.get("b").and_then(|b| b.get("c")), Some(&Json::from("d")));
    assert_eq!(v.get("e").and_then(Json::as_str), Some(""));
    assert_eq!(v.get("missing"), None);
}

#[test]
fn numbers_agree_with_the_standard_parser() {
    for text in [
        "0",
        "-0",
        "1",
        "42",
        "3600",
        "1700000000000",
        "9007199254740991",
        "0.5",
        "1.25",
        "3599.999",
        "1e3",
        "1E-3",
        "2.5e+10",
        "-12.75",
        "1e308",
        "123456789.123456789",
    ] {
        let ours = parse(text).as_f64().expect("number");
        let std: f64 = text.parse().expect("std parse");
        let tolerance = std.abs() * 1e-15;
        assert!((ours - std).abs() <= tolerance, "{text}: {ours} vs {std}");
    }
    assert_eq!(parse("1e400").as_f64(), Some(f64::INFINITY));
    // Found by the fuzzer: extreme exponents against many digits (was NaN, 0, NaN).
    assert_eq!(parse("0e400").as_f64(), Some(0.0));
    let many = format!("1{}e-400", "0".repeat(245));
    let std: f64 = many.parse().expect("std");
    assert!(
        (parse(&many).as_f64().expect("n") - std).abs() <= std * 1e-14,
        "{many}"
    );
    assert_eq!(
        parse(&format!("1{}e-400", "0".repeat(400))).as_f64(),
        Some(1.0)
    );
}

#[test]
fn strings_and_escapes() {
    let v = parse(r#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00 é""#);
    assert_eq!(v.as_str(), Some("a\"b\\c/d\u{8}\u{c}\n\r\té😀 é"));
    // A lone surrogate is valid in a JS string but not in Rust: replaced, not refused.
    assert_eq!(parse(r#""\ud800x""#).as_str(), Some("\u{FFFD}x"));
    assert_eq!(parse(r#""\udc00""#).as_str(), Some("\u{FFFD}"));
}

#[test]
fn refuses_what_json_parse_refuses() {
    for bad in [
        "",
        " ",
        "{",
        "}",
        "[1,]",
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "{a:1}",
        "'a'",
        "01",
        "1.",
        ".5",
        "-",
        "1e",
        "+1",
        "tru",
        "nul",
        "\"abc",
        "\"a\u{1}b\"",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12G4\"",
        "1 2",
        "NaN",
        "Infinity",
        "<html>",
    ] {
        assert_eq!(Json::parse(bad), Err(NotJson), "{bad:?}");
    }
}

#[test]
fn depth_is_bounded() {
    let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
    assert!(Json::parse(&ok).is_ok());
    let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
    assert_eq!(Json::parse(&deep), Err(NotJson));
    // No stack overflow on absurd depth either.
    assert_eq!(Json::parse(&"[".repeat(100_000)), Err(NotJson));
}

#[test]
fn last_duplicate_key_wins_as_in_json_parse() {
    assert_eq!(
        parse(r#"{"a":1,"a":2}"#).get("a").and_then(Json::as_f64),
        Some(2.0)
    );
}

#[test]
fn encode_round_trips() {
    let text = r#"{"s":"q\"\\\n\u0001é😀","n":[0,1,-5,1700000000123,0.5,12.25],"t":true,"f":false,"z":null,"o":{}}"#;
    let v = parse(text);
    assert_eq!(v.encode(), text);
    assert_eq!(parse(&v.encode()), v);
    assert_eq!(Json::Num(f64::NAN).encode(), "null");
    assert_eq!(Json::Num(f64::INFINITY).encode(), "null");
    assert_eq!(Json::Num(-0.25).encode(), "-0.25");
    // Found by the fuzzer: the carry of the rounding, and tiny negatives (were "0" and "-0").
    assert_eq!(Json::Num(0.9999999).encode(), "1");
    assert_eq!(Json::Num(1.9999999).encode(), "2");
    assert_eq!(Json::Num(-1e-9).encode(), "0");
    assert_eq!(Json::Num(-0.0).encode(), "0");
    // Large integers stay exact (found by the fuzzer in the first carry fix).
    assert_eq!(Json::Num(623_456_789_112_345.0).encode(), "623456789112345");
    assert_eq!(
        Json::Num(9_007_199_254_740_991.0).encode(),
        "9007199254740991"
    );
}

#[test]
fn typed_reads_name_the_member() {
    let v = parse(r#"{"s":"x","n":3,"b":true,"o":{},"l":["a","b"],"z":null,"bad":[1]}"#);
    assert_eq!(v.opt_str("s"), Ok(Some("x")));
    assert_eq!(v.opt_str("z"), Ok(None));
    assert_eq!(v.opt_str("missing"), Ok(None));
    assert_eq!(v.opt_f64("n"), Ok(Some(3.0)));
    assert_eq!(v.opt_bool("b"), Ok(Some(true)));
    assert!(v.opt_object("o").expect("object").is_some());
    assert_eq!(
        v.opt_str_list("l"),
        Ok(Some(vec!["a".to_owned(), "b".to_owned()]))
    );
    let e = v.opt_str("n").expect_err("wrong type");
    assert_eq!(e.message(), "n must be a string");
    assert_eq!(
        v.opt_str_list("bad")
            .expect_err("wrong")
            .within("provider")
            .message(),
        "provider.bad must be an array of strings"
    );
    assert_eq!(v.req_str("missing").expect_err("missing").path, "missing");
    assert_eq!(v.unknown_key(&["s", "n", "b", "o", "l", "z"]), Some("bad"));
    assert_eq!(v.unknown_key(&["s", "n", "b", "o", "l", "z", "bad"]), None);
}

#[test]
fn debug_never_prints_content() {
    let v = parse(r#"{"token":"secret-value"}"#);
    assert!(!format!("{v:?}").contains("secret"));
}

#[test]
fn push_uint_writes_digits() {
    let mut s = String::new();
    for n in [0u64, 7, 10, 180, u64::MAX] {
        s.clear();
        push_uint(&mut s, n);
        assert_eq!(s, n.to_string());
    }
}
