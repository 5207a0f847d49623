//! A small JSON tree, parser and writer: every message, stored record and option the client reads
//! goes through here.
//!
//! Why not serde_json: in the browser build, serde_json + serde + serde-wasm-bindgen and the float
//! printer that serde's error messages link were ~75 KB of the ~140 KB wasm (measured, see the
//! README). This module is a few KB: the client reads a handful of fields per message, numbers
//! are integers (seconds, epoch milliseconds), and nothing here formats through `core::fmt`.

/// A parsed JSON value. Objects keep their entries in order; a repeated key resolves to the
/// last one, as `JSON.parse` does.
#[derive(Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

/// Not JSON, or nested deeper than [`MAX_DEPTH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotJson;

/// Deeper nesting is refused: nothing the client reads is more than a few levels deep, and the
/// parser recurses.
pub const MAX_DEPTH: usize = 32;

// Values are never printed whole: they may hold tokens.
impl core::fmt::Debug for Json {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Json::Null => "Json::Null",
            Json::Bool(_) => "Json::Bool",
            Json::Num(_) => "Json::Num",
            Json::Str(_) => "Json::Str([redacted])",
            Json::Arr(_) => "Json::Arr([..])",
            Json::Obj(_) => "Json::Obj({..})",
        })
    }
}

impl Json {
    /// Parses a complete JSON text (surrounding whitespace allowed). In the browser build this
    /// is the engine's `JSON.parse` (see `js_json`): the same grammar (RFC 8259), with no parser
    /// in the wasm; natively (tests, fuzzing) it is the parser below.
    #[cfg(target_arch = "wasm32")]
    pub fn parse(text: &str) -> Result<Json, NotJson> {
        crate::js_json::parse(text)
    }

    /// Parses a complete JSON text (surrounding whitespace allowed).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn parse(text: &str) -> Result<Json, NotJson> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            at: 0,
        };
        let value = parser.value(0)?;
        parser.skip_ws();
        if parser.at == parser.bytes.len() {
            Ok(value)
        } else {
            Err(NotJson)
        }
    }

    /// The value of `key` in an object; `None` for a missing key or a non-object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Obj(entries) => Some(entries),
            _ => None,
        }
    }

    /// The JSON text of this value (no whitespace). Non-finite numbers become `null`, as in
    /// `JSON.stringify`.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Num(n) => write_number(out, *n),
            Json::Str(s) => write_string(out, s),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Obj(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, key);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// A member of the wrong type: names the member (`provider.id`) and what it must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub expected: &'static str,
}

impl FieldError {
    fn new(key: &str, expected: &'static str) -> Self {
        FieldError {
            path: key.to_owned(),
            expected,
        }
    }

    /// The same error one level down: `id` inside `provider` is `provider.id`.
    pub fn within(mut self, parent: &str) -> Self {
        self.path.insert(0, '.');
        self.path.insert_str(0, parent);
        self
    }

    /// `provider.id must be a string`.
    pub fn message(&self) -> String {
        let mut out = self.path.clone();
        out.push_str(" must be ");
        out.push_str(self.expected);
        out
    }
}

/// Typed reads of an object's members. Absent and `null` are both "not given", as serde's
/// `Option` had it; a member of another type is an error that names it.
impl Json {
    fn member(&self, key: &str) -> Option<&Json> {
        self.get(key).filter(|v| **v != Json::Null)
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&str>, FieldError> {
        self.member(key)
            .map(|v| v.as_str().ok_or_else(|| FieldError::new(key, "a string")))
            .transpose()
    }

    pub fn opt_f64(&self, key: &str) -> Result<Option<f64>, FieldError> {
        self.member(key)
            .map(|v| v.as_f64().ok_or_else(|| FieldError::new(key, "a number")))
            .transpose()
    }

    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, FieldError> {
        self.member(key)
            .map(|v| v.as_bool().ok_or_else(|| FieldError::new(key, "a boolean")))
            .transpose()
    }

    pub fn opt_object(&self, key: &str) -> Result<Option<&Json>, FieldError> {
        self.member(key)
            .map(|v| match v {
                Json::Obj(_) => Ok(v),
                _ => Err(FieldError::new(key, "an object")),
            })
            .transpose()
    }

    pub fn opt_str_list(&self, key: &str) -> Result<Option<Vec<String>>, FieldError> {
        let wrong = || FieldError::new(key, "an array of strings");
        self.member(key)
            .map(|v| {
                v.as_array()
                    .ok_or_else(wrong)?
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned).ok_or_else(wrong))
                    .collect()
            })
            .transpose()
    }

    pub fn req_str(&self, key: &str) -> Result<&str, FieldError> {
        self.opt_str(key)?
            .ok_or_else(|| FieldError::new(key, "a string"))
    }

    /// The first member whose key is not in `allowed` (records and options refuse strangers).
    pub fn unknown_key(&self, allowed: &[&str]) -> Option<&str> {
        self.as_object()?
            .iter()
            .map(|(k, _)| k.as_str())
            .find(|k| !allowed.contains(k))
    }
}

/// Builds an object, leaving out absent optional members.
#[derive(Default)]
pub struct ObjectBuilder(Vec<(String, Json)>);

impl ObjectBuilder {
    pub fn new() -> Self {
        ObjectBuilder(Vec::new())
    }

    pub fn set(mut self, key: &str, value: Json) -> Self {
        self.0.push((key.to_owned(), value));
        self
    }

    pub fn set_opt(self, key: &str, value: Option<Json>) -> Self {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    pub fn build(self) -> Json {
        Json::Obj(self.0)
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::Str(s.to_owned())
    }
}

impl From<f64> for Json {
    fn from(n: f64) -> Json {
        Json::Num(n)
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}

/// Appends the decimal digits of `n`: integers without `core::fmt` (and without indexing, whose
/// bounds checks would link the panic formatter).
pub fn push_uint(out: &mut String, n: u64) {
    if n >= 10 {
        push_uint(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Integers (the only numbers the client writes: versions, epoch milliseconds) exactly;
/// other finite numbers with up to 6 decimals.
fn write_number(out: &mut String, n: f64) {
    if !n.is_finite() {
        out.push_str("null");
        return;
    }
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    let magnitude = n.abs();
    if magnitude >= EXACT {
        // Beyond exact integers; written as the nearest representable u64 (never used by us).
        if n < 0.0 {
            out.push('-');
        }
        push_uint(out, magnitude as u64);
        return;
    }
    // The fraction rounded to millionths; its carry (0.9999999 -> 1) goes to the whole part, and
    // a value that rounds to zero is written `0`, not `-0`.
    let mut whole = magnitude.trunc();
    let mut micros = ((magnitude - whole) * 1e6).round() as u64;
    if micros >= 1_000_000 {
        whole += 1.0;
        micros = 0;
    }
    if whole == 0.0 && micros == 0 {
        out.push('0');
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    push_uint(out, whole as u64);
    if micros > 0 {
        out.push('.');
        let mut frac = String::new();
        push_uint(&mut frac, micros);
        for _ in frac.len()..6 {
            out.push('0');
        }
        out.push_str(frac.trim_end_matches('0'));
    }
}

fn write_string(out: &mut String, s: &str) {
    let hex = |digit: u32| char::from_digit(digit & 15, 16).unwrap_or('0');
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(hex(c as u32 >> 4));
                out.push(hex(c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
impl Parser<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Result<(), NotJson> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(NotJson)
        }
    }

    fn literal(&mut self, word: &[u8], value: Json) -> Result<Json, NotJson> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(NotJson)
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, NotJson> {
        if depth > MAX_DEPTH {
            return Err(NotJson);
        }
        self.skip_ws();
        match self.peek().ok_or(NotJson)? {
            b'n' => self.literal(b"null", Json::Null),
            b't' => self.literal(b"true", Json::Bool(true)),
            b'f' => self.literal(b"false", Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Json::Arr(items));
                        }
                        _ => return Err(NotJson),
                    }
                }
            }
            b'{' => {
                self.at += 1;
                let mut entries = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                    return Ok(Json::Obj(entries));
                }
                loop {
                    self.skip_ws();
                    let key = self.string()?;
                    self.skip_ws();
                    self.eat(b':')?;
                    let value = self.value(depth + 1)?;
                    entries.push((key, value));
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Json::Obj(entries));
                        }
                        _ => return Err(NotJson),
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number().map(Json::Num),
            _ => Err(NotJson),
        }
    }

    fn digits(&mut self) -> (f64, usize) {
        let (mut value, start) = (0.0f64, self.at);
        while let Some(d @ b'0'..=b'9') = self.peek() {
            value = value * 10.0 + f64::from(d - b'0');
            self.at += 1;
        }
        (value, self.at - start)
    }

    /// RFC 8259 number grammar. Exact for integers up to 2^53; other values to within a few
    /// ulps (the client's numbers are seconds and epoch milliseconds).
    fn number(&mut self) -> Result<f64, NotJson> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let leading_zero = self.peek() == Some(b'0');
        // At most 17 significant digits go into the mantissa; further integer digits only
        // scale it (so 400 digits do not overflow to infinity).
        let (mut mantissa, mut exponent, start) = (0.0f64, 0i32, self.at);
        while let Some(d @ b'0'..=b'9') = self.peek() {
            if mantissa < 1e17 {
                mantissa = mantissa * 10.0 + f64::from(d - b'0');
            } else {
                exponent = exponent.saturating_add(1);
            }
            self.at += 1;
        }
        let count = self.at - start;
        if count == 0 || (leading_zero && count > 1) {
            return Err(NotJson);
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            let start = self.at;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                if mantissa < 1e17 {
                    mantissa = mantissa * 10.0 + f64::from(d - b'0');
                    exponent -= 1;
                }
                self.at += 1;
            }
            if self.at == start {
                return Err(NotJson);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            let sign = match self.peek() {
                Some(b'-') => {
                    self.at += 1;
                    -1
                }
                Some(b'+') => {
                    self.at += 1;
                    1
                }
                _ => 1,
            };
            let (e, count) = self.digits();
            if count == 0 {
                return Err(NotJson);
            }
            exponent = exponent.saturating_add(sign * (e.min(10_000.0) as i32));
        }
        Ok(if negative {
            -scale(mantissa, exponent)
        } else {
            scale(mantissa, exponent)
        })
    }

    fn hex4(&mut self) -> Result<u32, NotJson> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = (self.peek().ok_or(NotJson)? as char)
                .to_digit(16)
                .ok_or(NotJson)?;
            code = code * 16 + digit;
            self.at += 1;
        }
        Ok(code)
    }

    fn string(&mut self) -> Result<String, NotJson> {
        self.eat(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // The input is a &str and the run stops at ASCII bytes: always a char boundary.
            out.push_str(core::str::from_utf8(&self.bytes[start..self.at]).map_err(|_| NotJson)?);
            match self.peek().ok_or(NotJson)? {
                b'"' => {
                    self.at += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.at += 1;
                    let escape = self.peek().ok_or(NotJson)?;
                    self.at += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(NotJson),
                    };
                    out.push(c);
                }
                _ => return Err(NotJson), // a raw control character
            }
        }
    }

    /// `\uXXXX`, joining surrogate pairs; a lone surrogate (valid in a JS string, not in a Rust
    /// one) becomes U+FFFD.
    fn unicode_escape(&mut self) -> Result<char, NotJson> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) && self.bytes[self.at..].starts_with(b"\\u") {
            let save = self.at;
            self.at += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            self.at = save;
        }
        Ok(char::from_u32(first).unwrap_or('\u{FFFD}'))
    }
}

/// `mantissa × 10^exponent`, in steps of 10^300 so that no intermediate power overflows to
/// infinity (or underflows to zero) while the result itself is representable; 0 stays 0.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn scale(mut mantissa: f64, mut exponent: i32) -> f64 {
    if mantissa == 0.0 {
        return 0.0;
    }
    while exponent > 300 && mantissa.is_finite() {
        mantissa *= pow10(300);
        exponent -= 300;
    }
    while exponent < -300 && mantissa != 0.0 {
        mantissa /= pow10(300);
        exponent += 300;
    }
    if exponent >= 0 {
        mantissa * pow10(exponent)
    } else {
        mantissa / pow10(-exponent)
    }
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn pow10(exponent: i32) -> f64 {
    let mut result = 1.0;
    let mut base = 10.0f64;
    let mut e = exponent.unsigned_abs().min(400);
    while e > 0 {
        if e & 1 == 1 {
            result *= base;
        }
        base *= base;
        e >>= 1;
    }
    result
}

#[cfg(test)]
#[path = "json/tests.rs"]
mod tests;
