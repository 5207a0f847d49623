//! Iframe theme bridge: the host page pushes the app's theme into an embedded cross-origin
//! iframe over `postMessage`, and the iframe applies it as CSS custom properties.
//!
//! - [`message`]: the versioned wire format and its validation (pure, native tests, fuzzed).
//! - `host` (wasm32): `ThemeHost`, the parent half.
//! - `frame` (wasm32): `listenForTheme`, the iframe half.
//!
//! The theme bridge ships as its own wasm module (`--no-default-features --features theme`,
//! `pkg/backstage_wasm_auth_theme.js`), separate from the auth client's, so it is kept small:
//! JSON through [`crate::json`] (no serde), error texts built with `push_str` (no `format!`, no
//! `core::fmt` on the browser paths), no panicking borrows or slicing.
//!
//! Security rules, enforced on both sides: posts always name one exact target origin (never
//! `'*'`); received messages are accepted only from the expected window (`event.source`) AND
//! origin (`event.origin`), and only after [`message::parse`] has validated every field against
//! grammars that cannot inject CSS.

pub mod message;

#[cfg(target_arch = "wasm32")]
pub mod frame;
#[cfg(target_arch = "wasm32")]
pub mod host;

#[cfg(target_arch = "wasm32")]
mod js {
    //! Helpers shared by the two browser halves.
    use super::message::{self, Message, Theme};
    use crate::json::Json;
    use wasm_bindgen::prelude::*;

    /// `ThemePalette`, generated from the palette's one key list (`message::palette`).
    #[wasm_bindgen(typescript_custom_section)]
    const TS_PALETTE: &'static str = message::TS_THEME_PALETTE;

    #[wasm_bindgen(typescript_custom_section)]
    const TS_TYPES: &'static str = r#"
/** The theme sent to the iframe (the wire format of the theme bridge, version 1). */
export interface BridgeTheme {
  /** 1-128 bytes of `[A-Za-z0-9._:-]`. */
  id: string;
  /** Also becomes the iframe's `color-scheme`. */
  variant: 'light' | 'dark';
  /** Each colour becomes a `--bs-*` custom property in the iframe (`textPrimary` → `--bs-text-primary`). */
  palette: ThemePalette;
  /** Letters, digits, spaces, commas, quotes and hyphens; at most 512 bytes (`--bs-font-family`). */
  fontFamily: string;
}
/** Options of `listenForTheme` (the iframe half). */
export interface ListenForThemeOptions {
  /** Exact origins (`scheme://host[:port]`) allowed to send themes; never `'*'`. */
  allowedOrigins: string[];
  /** Called with each validated theme instead of setting the default CSS custom properties. */
  apply?: (theme: BridgeTheme) => void;
}
"#;

    /// A JS `Error` with a stable `name`.
    pub(crate) fn error(name: &str, message: &str) -> JsValue {
        let err = js_sys::Error::new(message);
        err.set_name(name);
        err.into()
    }

    pub(crate) fn config_error(message: &str) -> JsValue {
        error("ConfigError", message)
    }

    /// `what: "origin" rest`, the origin quoted as a JSON string (no `core::fmt` in the wasm).
    fn origin_error(what: &str, origin: &str, rest: &str) -> JsValue {
        let mut message = String::from(what);
        message.push_str(": ");
        message.push_str(&Json::from(origin).encode());
        message.push_str(rest);
        config_error(&message)
    }

    /// Checks that `origin` is exactly an http(s) origin (`scheme://host[:port]`), as the browser's
    /// `URL` serializes it: rejects `'*'`, paths (even `/`), queries, fragments, credentials,
    /// default ports written out, upper case, and opaque origins.
    pub(crate) fn exact_origin(what: &str, origin: &str) -> Result<String, JsValue> {
        if origin == "*" {
            let mut message = String::from(what);
            message
                .push_str(": '*' is not allowed; give the exact origin, e.g. https://example.com");
            return Err(config_error(&message));
        }
        let url =
            web_sys::Url::new(origin).map_err(|_| origin_error(what, origin, " is not a URL"))?;
        let protocol = url.protocol();
        if protocol != "http:" && protocol != "https:" {
            return Err(origin_error(what, origin, " is not an http(s) origin"));
        }
        let exact = url.origin();
        if exact != origin {
            let mut rest = String::from(
                " is not an exact origin (scheme://host[:port], no path, no trailing slash); \
                 did you mean ",
            );
            rest.push_str(&Json::from(exact.as_str()).encode());
            rest.push('?');
            return Err(origin_error(what, origin, &rest));
        }
        Ok(exact)
    }

    /// Validates a theme object handed over by the app. Errors are `InvalidThemeError`s.
    pub(crate) fn theme_from_js(value: &JsValue) -> Result<Theme, JsValue> {
        let invalid = |detail: &str| {
            let mut message = String::from("invalid theme: ");
            message.push_str(detail);
            error("InvalidThemeError", &message)
        };
        let text = js_sys::JSON::stringify(value)
            .map_err(|_| invalid("not serializable as JSON"))?
            .as_string()
            .ok_or_else(|| invalid("not an object"))?;
        if text.len() > message::MAX_MESSAGE_BYTES {
            return Err(invalid("too large"));
        }
        let json = Json::parse(&text).map_err(|_| invalid("not an object"))?;
        message::parse_theme(&json).map_err(|e| invalid(&e.message()))
    }

    /// Validates an incoming `postMessage` payload (a structured-clone object).
    pub(crate) fn message_from_js(data: &JsValue) -> Option<Message> {
        if !data.is_object() {
            return None;
        }
        // Cheap pre-check before serializing: other libraries share the message channel.
        let protocol = js_sys::Reflect::get(data, &JsValue::from_str("protocol")).ok()?;
        if protocol.as_string().as_deref() != Some(message::PROTOCOL) {
            return None;
        }
        message::parse_str(&js_sys::JSON::stringify(data).ok()?.as_string()?).ok()
    }

    /// JSON as a plain JS object (`JSON.parse` of its text), ready for `postMessage`.
    fn json_to_js(json: &Json) -> Result<JsValue, JsValue> {
        js_sys::JSON::parse(&json.encode())
    }

    /// A message as a plain JS object, ready for `postMessage`.
    pub(crate) fn message_to_js(msg: &Message) -> Result<JsValue, JsValue> {
        json_to_js(&msg.to_json())
    }

    pub(crate) fn theme_to_js(theme: &Theme) -> JsValue {
        json_to_js(&theme.to_json()).unwrap_or(JsValue::NULL)
    }

    pub(crate) fn same_window(a: &JsValue, b: &JsValue) -> bool {
        !a.is_null() && !a.is_undefined() && js_sys::Object::is(a, b)
    }
}
