//! Host half of the theme bridge: `new ThemeHost(theme)`, `attach(iframe, targetOrigin)`,
//! `setTheme(theme)`, `detach()`.
//!
//! The host posts the current theme to `iframe.contentWindow` with the exact `targetOrigin`
//! (never `'*'`, so a navigated-away iframe never receives it):
//! - once at `attach` (the iframe may already be loaded; the browser drops the post if the
//!   iframe's document is not from `targetOrigin` yet),
//! - on every `load` of the iframe,
//! - on every valid `ready` message whose `event.source` is that iframe's `contentWindow` and
//!   whose `event.origin` is `targetOrigin`,
//! - after `setTheme`, coalesced: calls within [`DEBOUNCE_MS`] of the first one are sent as one
//!   post of the latest theme, and a theme equal to the last one sent is not sent again.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlIFrameElement, MessageEvent, Window};

use super::js;
use super::message::{Message, Theme};

/// Coalescing window of `setTheme`, in milliseconds.
pub const DEBOUNCE_MS: i32 = 25;

struct Attachment {
    window: Window,
    iframe: HtmlIFrameElement,
    target_origin: String,
    on_message: Closure<dyn FnMut(MessageEvent)>,
    on_load: Closure<dyn FnMut(Event)>,
    on_timer: Closure<dyn FnMut()>,
    timer: Option<i32>,
}

impl Drop for Attachment {
    /// Removes every listener and cancels the pending timer, so that no callback can run once
    /// the host is detached or freed.
    fn drop(&mut self) {
        let _ = self.window.remove_event_listener_with_callback(
            "message",
            self.on_message.as_ref().unchecked_ref(),
        );
        let _ = self
            .iframe
            .remove_event_listener_with_callback("load", self.on_load.as_ref().unchecked_ref());
        if let Some(id) = self.timer.take() {
            self.window.clear_timeout_with_handle(id);
        }
    }
}

struct Inner {
    theme: Theme,
    last_sent: Option<Theme>,
    attachment: Option<Attachment>,
    sent: u32,
    ready: u32,
    acks: u32,
    ignored: u32,
}

/// Why a post is made: a theme change may be skipped if nothing changed; a (re)load or a
/// `ready` always sends, since the iframe's document may be new.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reason {
    Sync,
    Change,
}

impl Inner {
    fn post(&mut self, reason: Reason) {
        let Some(att) = &self.attachment else {
            return;
        };
        if reason == Reason::Change && self.last_sent.as_ref() == Some(&self.theme) {
            return;
        }
        let Some(target) = att.iframe.content_window() else {
            return;
        };
        let Ok(msg) = js::message_to_js(&Message::Theme(self.theme.clone())) else {
            return;
        };
        // The only post this module makes: always to one exact origin.
        match target.post_message(&msg, &att.target_origin) {
            Ok(()) => {
                self.sent += 1;
                self.last_sent = Some(self.theme.clone());
            }
            Err(err) => web_sys::console::warn_2(&"ThemeHost: postMessage failed".into(), &err),
        }
    }

    fn cancel_timer(&mut self) {
        if let Some(att) = &mut self.attachment {
            if let Some(id) = att.timer.take() {
                att.window.clear_timeout_with_handle(id);
            }
        }
    }

    fn on_message(&mut self, event: &MessageEvent) {
        let Some(att) = &self.attachment else {
            return;
        };
        let from_iframe = match (event.source(), att.iframe.content_window()) {
            (Some(source), Some(win)) => js::same_window(&source.into(), &win.into()),
            _ => false,
        };
        if !from_iframe || event.origin() != att.target_origin {
            self.ignored += 1;
            return;
        }
        match js::message_from_js(&event.data()) {
            Some(Message::Ready) => {
                self.ready += 1;
                self.cancel_timer();
                self.post(Reason::Sync);
            }
            Some(Message::Ack { .. }) => self.acks += 1,
            // A `theme` from the iframe, or anything invalid.
            _ => self.ignored += 1,
        }
    }
}

/// The host's state is in use (a call from inside one of its own callbacks; not expected, since
/// nothing it calls runs app code while it holds the state). Thrown instead of panicking.
fn busy() -> JsValue {
    js::error("InternalError", "ThemeHost: state in use")
}

/// Pushes a theme into one cross-origin iframe.
#[wasm_bindgen]
pub struct ThemeHost {
    inner: Rc<RefCell<Inner>>,
}

#[wasm_bindgen]
impl ThemeHost {
    /// `new ThemeHost(theme)`: throws `InvalidThemeError` if the theme breaks the wire rules.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "BridgeTheme")] theme: JsValue,
    ) -> Result<ThemeHost, JsValue> {
        let theme = js::theme_from_js(&theme)?;
        Ok(ThemeHost {
            inner: Rc::new(RefCell::new(Inner {
                theme,
                last_sent: None,
                attachment: None,
                sent: 0,
                ready: 0,
                acks: 0,
                ignored: 0,
            })),
        })
    }

    /// Starts syncing `iframe`, whose document must come from exactly `targetOrigin`
    /// (`scheme://host[:port]`; `'*'`, paths and trailing slashes throw `ConfigError`).
    /// Attaching again first detaches from the previous iframe. Sends the theme right away.
    pub fn attach(
        &self,
        #[wasm_bindgen(unchecked_param_type = "HTMLIFrameElement")] iframe: JsValue,
        #[wasm_bindgen(js_name = targetOrigin)] target_origin: String,
    ) -> Result<(), JsValue> {
        let target_origin = js::exact_origin("targetOrigin", &target_origin)?;
        let iframe: HtmlIFrameElement = iframe.dyn_into().map_err(|_| {
            js::config_error("attach: the first argument must be an <iframe> element")
        })?;
        let window =
            web_sys::window().ok_or_else(|| js::error("NotSupportedError", "attach: no window"))?;
        self.detach();

        let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.inner);
        let w = weak.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(inner) = w.upgrade() {
                if let Ok(mut inner) = inner.try_borrow_mut() {
                    inner.on_message(&event);
                }
            }
        });
        let w = weak.clone();
        let on_load = Closure::<dyn FnMut(Event)>::new(move |_event: Event| {
            if let Some(inner) = w.upgrade() {
                if let Ok(mut inner) = inner.try_borrow_mut() {
                    inner.cancel_timer();
                    inner.post(Reason::Sync);
                }
            }
        });
        let w = weak;
        let on_timer = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = w.upgrade() {
                if let Ok(mut inner) = inner.try_borrow_mut() {
                    if let Some(att) = &mut inner.attachment {
                        att.timer = None;
                    }
                    inner.post(Reason::Change);
                }
            }
        });

        window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())?;
        // Build the attachment before the second listener so that a failure cleans up both.
        let attachment = Attachment {
            window,
            iframe,
            target_origin,
            on_message,
            on_load,
            on_timer,
            timer: None,
        };
        attachment.iframe.add_event_listener_with_callback(
            "load",
            attachment.on_load.as_ref().unchecked_ref(),
        )?;
        let mut inner = self.inner.try_borrow_mut().map_err(|_| busy())?;
        inner.attachment = Some(attachment);
        inner.post(Reason::Sync);
        Ok(())
    }

    /// Replaces the theme (throws `InvalidThemeError` if invalid, keeping the old one) and
    /// schedules one coalesced post.
    #[wasm_bindgen(js_name = setTheme)]
    pub fn set_theme(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BridgeTheme")] theme: JsValue,
    ) -> Result<(), JsValue> {
        let theme = js::theme_from_js(&theme)?;
        let mut inner = self.inner.try_borrow_mut().map_err(|_| busy())?;
        inner.theme = theme;
        let Some(att) = &mut inner.attachment else {
            return Ok(());
        };
        if att.timer.is_none() {
            let id = att
                .window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    att.on_timer.as_ref().unchecked_ref(),
                    DEBOUNCE_MS,
                )?;
            att.timer = Some(id);
        }
        Ok(())
    }

    /// Removes the `message` and `load` listeners and cancels a pending post. Idempotent.
    pub fn detach(&self) {
        let attachment = self
            .inner
            .try_borrow_mut()
            .ok()
            .and_then(|mut inner| inner.attachment.take());
        drop(attachment);
    }

    /// Whether `attach` was called and `detach` not since.
    #[wasm_bindgen(getter)]
    pub fn attached(&self) -> bool {
        self.inner
            .try_borrow()
            .is_ok_and(|inner| inner.attachment.is_some())
    }

    /// The current theme (a copy).
    #[wasm_bindgen(getter, unchecked_return_type = "BridgeTheme")]
    pub fn theme(&self) -> JsValue {
        self.inner
            .try_borrow()
            .map_or(JsValue::NULL, |inner| js::theme_to_js(&inner.theme))
    }

    /// The origin given to `attach`, or `undefined` when detached.
    #[wasm_bindgen(getter = targetOrigin)]
    pub fn target_origin(&self) -> Option<String> {
        let inner = self.inner.try_borrow().ok()?;
        inner.attachment.as_ref().map(|a| a.target_origin.clone())
    }

    /// Theme posts made (each one `postMessage` to the iframe).
    #[wasm_bindgen(getter = sentCount)]
    pub fn sent_count(&self) -> u32 {
        self.inner.try_borrow().map_or(0, |inner| inner.sent)
    }

    /// Valid `ready` messages accepted from the iframe.
    #[wasm_bindgen(getter = readyCount)]
    pub fn ready_count(&self) -> u32 {
        self.inner.try_borrow().map_or(0, |inner| inner.ready)
    }

    /// Valid `ack` messages accepted from the iframe.
    #[wasm_bindgen(getter = ackCount)]
    pub fn ack_count(&self) -> u32 {
        self.inner.try_borrow().map_or(0, |inner| inner.acks)
    }

    /// Messages seen while attached that were not accepted (wrong window, wrong origin,
    /// invalid, or not for this protocol).
    #[wasm_bindgen(getter = ignoredCount)]
    pub fn ignored_count(&self) -> u32 {
        self.inner.try_borrow().map_or(0, |inner| inner.ignored)
    }
}
