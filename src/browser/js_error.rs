//! `AuthError` → JS `Error` with a stable `name` (and the backend's error name when it has one).

use crate::error::AuthError;
use wasm_bindgen::JsValue;

pub fn to_js(error: &AuthError) -> JsValue {
    let js = js_sys::Error::new(&error.message());
    js.set_name(error.name());
    if let Some(backend_name) = error.backend_name() {
        let _ = js_sys::Reflect::set(&js, &"backendName".into(), &backend_name.into());
    }
    js.into()
}
