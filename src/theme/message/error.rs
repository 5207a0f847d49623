//! The errors of [`super::parse`]: each names the rule and the field, never the value.

use crate::json::push_uint;

/// Errors of [`super::parse`]: each names the rule that the message broke.
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
