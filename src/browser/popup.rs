//! The sign-in popup: open it, accept only the backend's message from that very window, and
//! notice when it is blocked, closed or left open too long.

use crate::config::ClientConfig;
use crate::error::AuthError;
use crate::json::Json;
use crate::popup_features::popup_features;
use crate::protocol::{parse_popup_message, AuthResponse, PopupMessage};
use futures::channel::mpsc;
use futures::future::{select, Either};
use futures::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub struct PopupRequest {
    pub url: String,
    pub name: String,
    pub features: String,
    /// Only messages from this origin (the auth backend's) are read.
    pub backend_origin: String,
    /// This app's origin, to explain a `config_info` that names another one.
    pub app_origin: String,
    pub timeout_s: u32,
}

/// Removes the `message` listener however the wait ends (answer, close, timeout, drop).
struct ListenerGuard {
    window: web_sys::Window,
    callback: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Drop for ListenerGuard {
    fn drop(&mut self) {
        let _ = self
            .window
            .remove_event_listener_with_callback("message", self.callback.as_ref().unchecked_ref());
    }
}

const POLL_MS: u32 = 100;

/// The popup's window name, as Backstage names it.
pub fn window_name(config: &ClientConfig) -> String {
    config.provider_title.clone() + " Login"
}

/// `window.open` features: the configured size (or the screen's), centred on the screen.
pub fn features(config: &ClientConfig, window: &web_sys::Window) -> String {
    let screen = window
        .screen()
        .ok()
        .map(|s| (s.width().unwrap_or(0), s.height().unwrap_or(0)))
        .unwrap_or((0, 0));
    popup_features(
        config.popup_width,
        config.popup_height,
        config.popup_fullscreen,
        screen,
    )
}

/// Calls `window.open` from a microtask of its own, outside the wasm-bindgen-futures task
/// that awaits it: Firefox runs a nested event loop inside `window.open`, which would otherwise
/// re-enter the (running) task queue and abort it.
async fn open_window(url: &str, name: &str, features: &str) -> Option<web_sys::Window> {
    let (sender, receiver) = futures::channel::oneshot::channel();
    let (url, name, features) = (url.to_owned(), name.to_owned(), features.to_owned());
    let open = Closure::once_into_js(move |_: JsValue| {
        let opened = web_sys::window()
            .and_then(|w| {
                w.open_with_url_and_target_and_features(&url, &name, &features)
                    .ok()
            })
            .flatten();
        let _ = sender.send(opened);
    });
    // `once_into_js` frees itself after the call; `then` takes it as a plain function.
    let resolved = js_sys::Promise::resolve(&JsValue::UNDEFINED);
    if let Ok(then) = js_sys::Reflect::get(&resolved, &"then".into()) {
        let _ = then
            .unchecked_into::<js_sys::Function>()
            .call1(&resolved, &open);
    }
    receiver.await.ok().flatten()
}

/// A message of the popup, as the sign-in that waits for it reads it.
pub enum Incoming<T> {
    /// Backstage's `config_info`: the app origin the backend believes in.
    Info(String),
    /// The answer: the sign-in is over.
    Done(Result<T, AuthError>),
}

/// The Backstage popup: `/start` → ... → `handler/frame` posts `authorization_response`.
pub async fn show(request: PopupRequest) -> Result<AuthResponse, AuthError> {
    show_with(request, |value| match parse_popup_message(value)? {
        PopupMessage::ConfigInfo { target_origin } => Some(Incoming::Info(target_origin)),
        PopupMessage::Authorization(result) => Some(Incoming::Done(result.map(|r| *r))),
    })
    .await
}

/// Opens the popup and waits for the first message that `parse` recognises, coming from
/// `request.backend_origin` AND from the popup window itself. `None` from `parse` = not ours.
pub async fn show_with<T: 'static>(
    request: PopupRequest,
    parse: impl Fn(&Json) -> Option<Incoming<T>> + 'static,
) -> Result<T, AuthError> {
    let window = web_sys::window().ok_or(AuthError::PopupRejected)?;
    let popup = match open_window(&request.url, &request.name, &request.features).await {
        Some(popup) if !popup.closed().unwrap_or(true) => popup,
        Some(popup) => {
            let _ = popup.close();
            return Err(AuthError::PopupRejected);
        }
        None => return Err(AuthError::PopupRejected),
    };

    let (sender, mut messages) = mpsc::unbounded::<Incoming<T>>();
    let expected_source: JsValue = popup.clone().into();
    let backend_origin = request.backend_origin.clone();
    let callback =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if event.origin() != backend_origin {
                return;
            }
            let from_popup = event
                .source()
                .is_some_and(|s| js_sys::Object::is(&s.into(), &expected_source));
            if !from_popup {
                return;
            }
            let Ok(value) = crate::js_json::to_json(&event.data()) else {
                return;
            };
            if let Some(message) = parse(&value) {
                let _ = sender.unbounded_send(message);
            }
        });
    window
        .add_event_listener_with_callback("message", callback.as_ref().unchecked_ref())
        .map_err(|_| AuthError::PopupRejected)?;
    let _guard = ListenerGuard { window, callback };

    let deadline = js_sys::Date::now() + f64::from(request.timeout_s) * 1000.0;
    let mut announced_origin: Option<String> = None;
    loop {
        let tick = gloo_timers::future::TimeoutFuture::new(POLL_MS);
        match select(messages.next(), tick).await {
            Either::Left((Some(Incoming::Info(target_origin)), _)) => {
                announced_origin = Some(target_origin);
            }
            Either::Left((Some(Incoming::Done(result)), _)) => {
                // Backstage's frame closes itself; a callback page may wait for us to do it.
                let _ = popup.close();
                return result;
            }
            Either::Left((None, _)) => return Err(AuthError::PopupClosed),
            Either::Right(((), _)) => {
                if popup.closed().unwrap_or(true) {
                    return Err(match announced_origin {
                        Some(expected) if expected != request.app_origin => {
                            AuthError::IncorrectAppOrigin { expected }
                        }
                        _ => AuthError::PopupClosed,
                    });
                }
                if js_sys::Date::now() >= deadline {
                    let _ = popup.close();
                    return Err(AuthError::Timeout {
                        what: "Sign-in popup",
                        seconds: request.timeout_s,
                    });
                }
            }
        }
    }
}
