//! The redirect flow's marker in `sessionStorage` and the page's `?error=` (policy: crate::redirect).

use crate::config::{ClientConfig, Flow};
use crate::error::AuthError;
use crate::redirect::{encode_marker, is_claimed_by, marker_key, returned_error, Leaver};

/// What kind of client `config` makes, as the marker says it.
fn leaver(config: &ClientConfig) -> Leaver {
    match config.flow {
        Flow::Redirect => Leaver::RedirectClient,
        _ => Leaver::PopupClient,
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Marks this tab as leaving for a redirect sign-in. Without storage there is no marker, and a
/// failed sign-in is then not surfaced (the page's `?error=` is still there for the app).
pub fn leave_marker(config: &ClientConfig) {
    if let Some(storage) = session_storage() {
        let key = marker_key(&config.provider_id, &config.environment);
        let _ = storage.set_item(&key, &encode_marker(js_sys::Date::now(), leaver(config)));
    }
}

/// Takes (and removes) the marker when a client like this one left it; the backend's error
/// when the page came back with one. Another kind of client's marker stays for that client.
pub fn take_returned_error(config: &ClientConfig) -> Option<AuthError> {
    let storage = session_storage()?;
    let key = marker_key(&config.provider_id, &config.environment);
    let marker = storage.get_item(&key).ok().flatten()?;
    let claimer = leaver(config);
    if !is_claimed_by(&marker, claimer) {
        return None;
    }
    let _ = storage.remove_item(&key);
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    returned_error(
        Some(&marker),
        claimer,
        js_sys::Date::now(),
        params.get("error").as_deref(),
    )
}
