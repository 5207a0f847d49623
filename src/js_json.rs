//! A JS value (options object, `postMessage` data, the result of `JSON.parse`) as a [`Json`]
//! tree, read field by field with the engine's own type checks: no serde, no JSON text in
//! between. In the browser build, [`Json::parse`] is `JSON.parse` followed by this.

use crate::json::{Json, NotJson, MAX_DEPTH};
use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};

/// Plain data only: strings, numbers, booleans, `null`, arrays and plain objects. Members whose
/// value is `undefined` are left out (as `JSON.stringify` does); functions, symbols and bigints
/// are not data. `NaN` stays a number, so that range checks can refuse it.
pub fn to_json(value: &JsValue) -> Result<Json, NotJson> {
    convert(value, 0)
}

fn convert(value: &JsValue, depth: usize) -> Result<Json, NotJson> {
    if depth > MAX_DEPTH {
        return Err(NotJson);
    }
    if let Some(text) = value.as_string() {
        return Ok(Json::Str(text));
    }
    if let Some(number) = value.as_f64() {
        return Ok(Json::Num(number));
    }
    if let Some(flag) = value.as_bool() {
        return Ok(Json::Bool(flag));
    }
    if value.is_null() || value.is_undefined() {
        return Ok(Json::Null);
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        return array
            .iter()
            .map(|item| convert(&item, depth + 1))
            .collect::<Result<Vec<_>, _>>()
            .map(Json::Arr);
    }
    if value.is_object() && !value.is_function() {
        let mut entries = Vec::new();
        for entry in Object::entries(value.unchecked_ref()).iter() {
            let pair: &Array = entry.unchecked_ref();
            let member = pair.get(1);
            if member.is_undefined() {
                continue;
            }
            let key = pair.get(0).as_string().ok_or(NotJson)?;
            entries.push((key, convert(&member, depth + 1)?));
        }
        return Ok(Json::Obj(entries));
    }
    Err(NotJson)
}

/// `JSON.parse`, then the tree: the browser's own parser instead of linking one into the wasm.
pub fn parse(text: &str) -> Result<Json, NotJson> {
    let value = js_sys::JSON::parse(text).map_err(|_| NotJson)?;
    to_json(&value)
}
