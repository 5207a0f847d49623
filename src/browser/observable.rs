//! `sessionState$()` as a JS Observable over the state tracker: the current state is delivered
//! synchronously on `subscribe`, then each change (in a task of its own, never from inside the
//! code that changed it); `unsubscribe` stops it.

use crate::state::{SessionState, StateTracker};
use js_sys::{Function, Object, Reflect};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// `observer` may be a function (onNext) or an object with `next`.
fn next_callback(observer: &JsValue) -> Option<(JsValue, Function)> {
    if let Some(f) = observer.dyn_ref::<Function>() {
        return Some((JsValue::UNDEFINED, f.clone()));
    }
    if observer.is_object() {
        let next = Reflect::get(observer, &"next".into()).ok()?;
        return next
            .dyn_into::<Function>()
            .ok()
            .map(|f| (observer.clone(), f));
    }
    None
}

fn subscription(stop: Box<dyn Fn()>) -> JsValue {
    let object = Object::new();
    let closed = Rc::new(Cell::new(false));
    let target = object.clone();
    let unsubscribe = Closure::<dyn FnMut()>::new(move || {
        if !closed.replace(true) {
            stop();
            let _ = Reflect::set(&target, &"closed".into(), &JsValue::TRUE);
        }
    });
    let _ = Reflect::set(&object, &"closed".into(), &JsValue::FALSE);
    let _ = Reflect::set(&object, &"unsubscribe".into(), &unsubscribe.into_js_value());
    object.into()
}

fn subscribe(tracker: &StateTracker, observer: JsValue) -> JsValue {
    let Some((this, next)) = next_callback(&observer) else {
        return subscription(Box::new(|| {}));
    };
    let first = tracker.get();
    let _ = next.call1(&this, &first.as_str().into());
    // What this observer saw last, and whether it still listens: a change queued before
    // `unsubscribe` is not delivered after it.
    let last = Rc::new(Cell::new(first));
    let active = Rc::new(Cell::new(true));
    let live = active.clone();
    let listening = tracker.listen(move |state: SessionState| {
        let (this, next, last, active) = (this.clone(), next.clone(), last.clone(), live.clone());
        wasm_bindgen_futures::spawn_local(async move {
            if active.get() && last.replace(state) != state {
                let _ = next.call1(&this, &state.as_str().into());
            }
        });
    });
    subscription(Box::new(move || {
        active.set(false);
        listening.stop();
    }))
}

/// Builds the Observable object (`subscribe`, `Symbol.observable`, `'@@observable'`).
pub fn session_state_observable(tracker: StateTracker) -> JsValue {
    let object = Object::new();
    let subscribe_fn = Closure::<dyn Fn(JsValue, JsValue, JsValue) -> JsValue>::new(
        move |observer: JsValue, _on_error: JsValue, _on_complete: JsValue| {
            subscribe(&tracker, observer)
        },
    );
    let _ = Reflect::set(&object, &"subscribe".into(), &subscribe_fn.into_js_value());
    let me = object.clone();
    let itself = Closure::<dyn Fn() -> JsValue>::new(move || me.clone().into()).into_js_value();
    let _ = Reflect::set(&object, &"@@observable".into(), &itself);
    let symbol = Reflect::get(&js_sys::global(), &"Symbol".into())
        .and_then(|s| Reflect::get(&s, &"observable".into()))
        .ok()
        .filter(|s| s.is_symbol());
    if let Some(symbol) = symbol {
        let _ = Reflect::set(&object, &symbol, &itself);
    }
    object.into()
}
