//! The safe CSS grammars: colours and font families that cannot escape a declaration.

use super::{MAX_FONT_BYTES, MAX_NAMED_COLOR_BYTES, MAX_STRING_BYTES};

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
