//! The options contract between Rust and TypeScript: the Rust option parser and defaults are the
//! source; the TypeScript declarations the package ships (src/browser/contract.d.ts, emitted
//! into pkg/), the app-config schema (config.d.ts) and the wrapper's config reader
//! (js/readConfig.ts) must say the same. These tests read those files as text.

use super::defaults;
use super::parse::{OPTION_KEYS, PKCE_OPTION_KEYS};
use super::Flow;
use crate::store::StorageKind;

const CONTRACT_TS: &str = include_str!("../browser/contract.d.ts");
const CONFIG_SCHEMA_TS: &str = include_str!("../../config.d.ts");
const READ_CONFIG_TS: &str = include_str!("../../js/readConfig.ts");

/// One member of a TypeScript object type: its name, its doc comment and its type text.
#[derive(Debug)]
struct Member {
    name: String,
    doc: String,
    ty: String,
}

/// The members of the first `{ ... }` after `anchor` (one level: nested objects stay in `ty`).
fn members(ts: &str, anchor: &str) -> Vec<Member> {
    let start = ts
        .find(anchor)
        .unwrap_or_else(|| panic!("{anchor} not found"));
    let body = &ts[start..];
    let open = body.find('{').expect("an object type");
    let (mut depth, mut out, mut doc, mut i) = (0i32, Vec::new(), String::new(), open);
    let bytes = body.as_bytes();
    while i < bytes.len() {
        let rest = &body[i..];
        if rest.starts_with("/*") {
            let end = rest.find("*/").expect("closed comment") + 2;
            if depth == 1 {
                doc = rest[..end].to_owned();
            }
            i += end;
            continue;
        }
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            c if depth == 1 && (c.is_ascii_alphabetic() || c == b'[') => {
                let line_end = rest.find(':').expect("a member");
                let name = rest[..line_end].trim_end_matches('?').trim().to_owned();
                // The type runs to the `;` at this depth.
                let (mut d, mut j) = (0i32, line_end + 1);
                while j < rest.len() {
                    match rest.as_bytes()[j] {
                        b'{' | b'(' => d += 1,
                        b'}' | b')' => d -= 1,
                        b';' if d == 0 => break,
                        _ => {}
                    }
                    j += 1;
                }
                out.push(Member {
                    name,
                    doc: std::mem::take(&mut doc),
                    ty: rest[line_end + 1..j].trim().to_owned(),
                });
                i += j + 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn member<'a>(list: &'a [Member], name: &str) -> &'a Member {
    list.iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("no member {name}"))
}

/// `'a' | 'b'` → `["a", "b"]`.
fn string_union(ty: &str) -> Vec<String> {
    ty.split('|')
        .map(|v| v.trim().trim_matches('\'').to_owned())
        .collect()
}

/// The number after "Default " in a doc comment.
fn default_number(doc: &str) -> f64 {
    let at = doc.find("Default ").expect("a stated default") + "Default ".len();
    let digits: String = doc[at..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().expect("a number")
}

fn names(list: &[Member]) -> Vec<&str> {
    list.iter().map(|m| m.name.as_str()).collect()
}

const FLOWS: &[&str] = &["popup", "redirect", "proxy", "pkce"];
const STORAGES: &[&str] = &["session", "local", "memory"];

#[test]
fn the_declared_options_are_the_parsed_ones() {
    let options = members(CONTRACT_TS, "interface AuthClientOptions");
    let mut declared = names(&options);
    declared.retain(|n| *n != "getAuthBaseUrl"); // a function: taken out before parsing
    assert_eq!(declared, OPTION_KEYS);
    let pkce = members(&member(&options, "pkce").ty, "");
    assert_eq!(names(&pkce), PKCE_OPTION_KEYS);
    let popup = members(&member(&options, "popup").ty, "");
    assert_eq!(names(&popup), ["width", "height", "fullscreen"]);
}

#[test]
fn the_declared_values_are_the_accepted_ones() {
    for flow in FLOWS {
        assert!(Flow::from_name(flow).is_some(), "{flow}");
    }
    for storage in STORAGES {
        assert!(StorageKind::from_name(storage).is_some(), "{storage}");
    }
    let options = members(CONTRACT_TS, "interface AuthClientOptions");
    assert_eq!(string_union(&member(&options, "flow").ty), FLOWS);
    assert_eq!(string_union(&member(&options, "storage").ty), STORAGES);
    // App config: every value it allows is one the core accepts (`pkce` needs options that
    // app config does not carry).
    let config = members(CONFIG_SCHEMA_TS, "[providerId: string]: {");
    assert_eq!(string_union(&member(&config, "flow").ty), FLOWS[..3]);
    assert_eq!(string_union(&member(&config, "storage").ty), STORAGES);
    // The wrapper's config reader checks the same lists.
    let list = |name: &str| {
        let at = READ_CONFIG_TS.find(name).expect("a list");
        let text = &READ_CONFIG_TS[at..];
        let inner = &text[text.find('[').expect("[") + 1..text.find(']').expect("]")];
        inner
            .split(',')
            .map(|v| v.trim().trim_matches('\'').to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(list("const STORAGES"), STORAGES);
    assert_eq!(list("const FLOWS"), FLOWS[..3]);
}

#[test]
fn the_stated_defaults_are_the_applied_ones() {
    let options = members(CONTRACT_TS, "interface AuthClientOptions");
    let default = |name| default_number(&member(&options, name).doc);
    assert_eq!(
        default("refreshMarginSeconds"),
        defaults::REFRESH_MARGIN_SECONDS
    );
    assert_eq!(
        default("popupTimeoutSeconds"),
        defaults::POPUP_TIMEOUT_SECONDS
    );
    assert_eq!(
        default("requestTimeoutSeconds"),
        defaults::REQUEST_TIMEOUT_SECONDS
    );
    assert_eq!(default("popup"), defaults::POPUP_WIDTH);
    let size = format!(
        "Default {} x {}",
        defaults::POPUP_WIDTH,
        defaults::POPUP_HEIGHT
    );
    assert!(member(&options, "popup").doc.contains(&size), "{size}");
    let environment = format!("Default `{}`", defaults::ENVIRONMENT);
    assert!(member(&options, "environment").doc.contains(&environment));
    let sync = format!("Default `{}`", defaults::CROSS_TAB_SYNC);
    assert!(member(&options, "crossTabSync").doc.contains(&sync));
    let fallback = format!("Default `{}`", defaults::REDIRECT_WHEN_POPUP_BLOCKED);
    assert!(member(&options, "redirectWhenPopupBlocked")
        .doc
        .contains(&fallback));
    let wake = format!("Default `{}`", defaults::REFRESH_ON_WAKE);
    assert!(member(&options, "refreshOnWake").doc.contains(&wake));
    let background = &member(&options, "backgroundRefresh").doc;
    assert!(background.contains(&format!("Default `{}`", defaults::BACKGROUND_REFRESH)));
    let lead = format!("at most {} s before", defaults::BACKGROUND_LEAD_MAX_SECONDS);
    assert!(background.contains(&lead), "{lead}");
    let share = format!("Default `{}`", super::PKCE_SHARE_REFRESH_TOKEN);
    let pkce = members(&member(&options, "pkce").ty, "");
    assert!(member(&pkce, "shareRefreshToken").doc.contains(&share));
    // App config states the margin and the popup size too.
    let config = members(CONFIG_SCHEMA_TS, "[providerId: string]: {");
    assert_eq!(
        default_number(&member(&config, "refreshMarginSeconds").doc),
        defaults::REFRESH_MARGIN_SECONDS
    );
    assert!(member(&config, "popup").doc.contains(&size));
}

#[test]
fn the_reader_itself_finds_members_types_and_defaults() {
    // A test of the test's parser, so that a broken parser cannot pass the checks above.
    let ts =
        "interface X {\n  /** Default 7. */\n  a?: number;\n  b: { c?: 'x' | 'y'; d: string };\n}";
    let list = members(ts, "interface X");
    assert_eq!(names(&list), ["a", "b"]);
    assert_eq!(default_number(&list[0].doc), 7.0);
    let nested = members(&list[1].ty, "");
    assert_eq!(names(&nested), ["c", "d"]);
    assert_eq!(string_union(&nested[0].ty), ["x", "y"]);
}
