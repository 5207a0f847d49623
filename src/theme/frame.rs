//! Iframe half of the theme bridge: `listenForTheme({allowedOrigins, apply?})`.
//!
//! Accepts a message only if `event.source === window.parent` (and the page really is framed),
//! `event.origin` is one of `allowedOrigins`, and [`super::message::parse`] validates it as a
//! `theme`. Anything else is counted in `ignoredCount` and never applied. On start it posts
//! `ready` to the parent once per allowed origin (each post names that exact origin), so a
//! host that attached before this page loaded sends the theme again. A theme equal to the
//! current one is skipped (the host sends on both `load` and `ready`). After applying, it posts
//! `ack` back to the origin the theme came from.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Window};

use super::js;
use super::message::{Message, Theme, FONT_FAMILY_PROPERTY};

struct Inner {
    window: Window,
    allowed_origins: Vec<String>,
    apply: Option<js_sys::Function>,
    on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    current: Option<Theme>,
    applied: u32,
    ignored: u32,
    apply_errors: u32,
}

impl Inner {
    fn remove_listener(&mut self) {
        if let Some(cb) = self.on_message.take() {
            let _ = self
                .window
                .remove_event_listener_with_callback("message", cb.as_ref().unchecked_ref());
        }
    }

    /// Returns the theme to apply and the origin to acknowledge, or counts the event as ignored.
    fn accept(&mut self, event: &MessageEvent) -> Option<(Theme, String)> {
        let parent = self.window.parent().ok().flatten();
        let from_parent = match (event.source(), parent) {
            (Some(source), Some(parent)) => {
                let framed = !js::same_window(&parent.clone().into(), &self.window.clone().into());
                framed && js::same_window(&source.into(), &parent.into())
            }
            _ => false,
        };
        let origin = event.origin();
        if !from_parent || !self.allowed_origins.contains(&origin) {
            self.ignored += 1;
            return None;
        }
        match js::message_from_js(&event.data()) {
            // The host sends on load and on ready, so the same theme often arrives twice:
            // apply (and acknowledge) a theme only when it differs from the current one.
            Some(Message::Theme(theme)) if self.current.as_ref() == Some(&theme) => None,
            Some(Message::Theme(theme)) => Some((theme, origin)),
            _ => {
                self.ignored += 1;
                None
            }
        }
    }
}

/// Handle returned by `listenForTheme`.
#[wasm_bindgen]
pub struct ThemeListener {
    inner: Rc<RefCell<Inner>>,
}

/// Starts listening for themes from the parent page. Throws `ConfigError` if `allowedOrigins`
/// is missing, empty, or holds anything but exact http(s) origins (`'*'` included), or if
/// `apply` is given but not a function.
#[wasm_bindgen(js_name = listenForTheme)]
pub fn listen_for_theme(
    #[wasm_bindgen(unchecked_param_type = "ListenForThemeOptions")] options: JsValue,
) -> Result<ThemeListener, JsValue> {
    if !options.is_object() {
        return Err(js::config_error(
            "listenForTheme: options must be an object {allowedOrigins, apply?}",
        ));
    }
    let origins = js_sys::Reflect::get(&options, &"allowedOrigins".into())?;
    if !js_sys::Array::is_array(&origins) {
        return Err(js::config_error(
            "listenForTheme: allowedOrigins must be an array of exact origins",
        ));
    }
    let mut allowed_origins = Vec::new();
    for value in js_sys::Array::from(&origins).iter() {
        let origin = value
            .as_string()
            .ok_or_else(|| js::config_error("listenForTheme: allowedOrigins must hold strings"))?;
        allowed_origins.push(js::exact_origin("allowedOrigins", &origin)?);
    }
    if allowed_origins.is_empty() {
        return Err(js::config_error(
            "listenForTheme: allowedOrigins must name at least one origin",
        ));
    }
    let apply = js_sys::Reflect::get(&options, &"apply".into())?;
    let apply = if apply.is_undefined() || apply.is_null() {
        None
    } else {
        Some(
            apply
                .dyn_into::<js_sys::Function>()
                .map_err(|_| js::config_error("listenForTheme: apply must be a function"))?,
        )
    };
    let window = web_sys::window()
        .ok_or_else(|| js::error("NotSupportedError", "listenForTheme: no window"))?;

    let inner = Rc::new(RefCell::new(Inner {
        window: window.clone(),
        allowed_origins,
        apply,
        on_message: None,
        current: None,
        applied: 0,
        ignored: 0,
        apply_errors: 0,
    }));
    // The listener keeps its state alive (like addEventListener) until `stop()` drops it, so a
    // page that ignores the returned handle keeps receiving themes.
    let state = Rc::clone(&inner);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let inner = Rc::clone(&state);
        // Decide under the borrow, then release it before running app code, which may call
        // back into the handle (`current`, `stop()`).
        let (accepted, apply, window) = {
            let Ok(mut guard) = inner.try_borrow_mut() else {
                return;
            };
            if guard.on_message.is_none() {
                return; // stopped
            }
            (
                guard.accept(&event),
                guard.apply.clone(),
                guard.window.clone(),
            )
        };
        let Some((theme, origin)) = accepted else {
            return;
        };
        let result = match &apply {
            Some(f) => f
                .call1(&JsValue::UNDEFINED, &js::theme_to_js(&theme))
                .map(|_| ()),
            None => apply_to_document(&window, &theme),
        };
        let ok = result.is_ok();
        if let Err(err) = result {
            web_sys::console::error_2(&"listenForTheme: applying the theme failed".into(), &err);
        }
        let id = theme.id.clone();
        if let Ok(mut guard) = inner.try_borrow_mut() {
            if ok {
                guard.applied += 1;
                guard.current = Some(theme);
            } else {
                guard.apply_errors += 1;
            }
        }
        if ok {
            if let Ok(Some(parent)) = window.parent() {
                if let Ok(ack) = js::message_to_js(&Message::Ack { id }) {
                    // `origin` is one of allowedOrigins: an exact origin, never '*'.
                    let _ = parent.post_message(&ack, &origin);
                }
            }
        }
    });
    window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())?;
    let origins = match inner.try_borrow_mut() {
        Ok(mut guard) => {
            guard.on_message = Some(on_message);
            guard.allowed_origins.clone()
        }
        // Not reachable (nothing else holds the new state); dropping the closure while it is
        // registered would make the next message throw, so keep it alive instead.
        Err(_) => {
            on_message.forget();
            Vec::new()
        }
    };
    let ready = js::message_to_js(&Message::Ready)?;

    // Announce ourselves, once per allowed origin; the browser delivers only the post whose
    // origin matches the parent's, and drops the others.
    if let Ok(Some(parent)) = window.parent() {
        if !js::same_window(&parent.clone().into(), &window.clone().into()) {
            for origin in origins {
                let _ = parent.post_message(&ready, &origin);
            }
        }
    }
    Ok(ThemeListener { inner })
}

/// Default apply: CSS custom properties on `<html>` plus `color-scheme` and data attributes.
fn apply_to_document(window: &Window, theme: &Theme) -> Result<(), JsValue> {
    let root = window
        .document()
        .and_then(|d| d.document_element())
        .ok_or_else(|| js::error("ThemeApplyError", "no document element"))?;
    let html: web_sys::HtmlElement = root
        .dyn_into()
        .map_err(|_| js::error("ThemeApplyError", "document element is not HTML"))?;
    let style = html.style();
    for (_, property, value) in theme.palette.entries() {
        style.set_property(property, value)?;
    }
    style.set_property(FONT_FAMILY_PROPERTY, &theme.font_family)?;
    style.set_property("color-scheme", theme.variant.as_str())?;
    html.set_attribute("data-theme-variant", theme.variant.as_str())?;
    html.set_attribute("data-theme-id", &theme.id)?;
    Ok(())
}

#[wasm_bindgen]
impl ThemeListener {
    /// Removes the listener; no theme is applied afterwards. Idempotent.
    pub fn stop(&self) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.remove_listener();
        }
    }

    /// `false` once `stop()` was called.
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> bool {
        self.inner
            .try_borrow()
            .map(|i| i.on_message.is_some())
            .unwrap_or(true)
    }

    /// Themes applied (by default or through `apply`).
    #[wasm_bindgen(getter = appliedCount)]
    pub fn applied_count(&self) -> u32 {
        self.inner.try_borrow().map(|i| i.applied).unwrap_or(0)
    }

    /// Messages not accepted: wrong source window, origin not allowed, or invalid.
    #[wasm_bindgen(getter = ignoredCount)]
    pub fn ignored_count(&self) -> u32 {
        self.inner.try_borrow().map(|i| i.ignored).unwrap_or(0)
    }

    /// Themes that passed validation but whose `apply` threw.
    #[wasm_bindgen(getter = applyErrorCount)]
    pub fn apply_error_count(&self) -> u32 {
        self.inner.try_borrow().map(|i| i.apply_errors).unwrap_or(0)
    }

    /// The last applied theme, or `null`.
    #[wasm_bindgen(getter, unchecked_return_type = "BridgeTheme | null")]
    pub fn current(&self) -> JsValue {
        match self.inner.try_borrow() {
            Ok(inner) => inner
                .current
                .as_ref()
                .map_or(JsValue::NULL, js::theme_to_js),
            Err(_) => JsValue::NULL,
        }
    }
}
