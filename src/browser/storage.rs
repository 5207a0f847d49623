//! `sessionStorage` / `localStorage` as a [`KeyValueStore`]; any throw becomes a [`StorageFailure`].

use crate::store::{KeyValueStore, StorageFailure, StorageKind};
use wasm_bindgen::JsValue;

struct WebStorage(web_sys::Storage);

fn failure(e: JsValue) -> StorageFailure {
    let name = js_sys::Reflect::get(&e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_else(|| "storage error".into());
    StorageFailure(name)
}

impl KeyValueStore for WebStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageFailure> {
        self.0.get_item(key).map_err(failure)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageFailure> {
        self.0.set_item(key, value).map_err(failure)
    }
    fn remove(&self, key: &str) -> Result<(), StorageFailure> {
        self.0.remove_item(key).map_err(failure)
    }
}

/// Opens the chosen storage. Merely touching `window.sessionStorage` throws in sandboxed
/// iframes and with site data blocked: that is a failure, and the store falls back to memory.
pub fn open(kind: StorageKind) -> Result<Option<Box<dyn KeyValueStore>>, StorageFailure> {
    let window = web_sys::window().ok_or_else(|| StorageFailure("no window".into()))?;
    let storage = match kind {
        StorageKind::Memory => return Ok(None),
        StorageKind::Session => window.session_storage(),
        StorageKind::Local => window.local_storage(),
    };
    match storage.map_err(failure)? {
        Some(storage) => Ok(Some(Box::new(WebStorage(storage)))),
        None => Err(StorageFailure("storage is not available".into())),
    }
}
