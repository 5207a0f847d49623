//! Multi-tab session sync: a `BroadcastChannel` per provider and environment carries validated
//! session announcements, a Web Lock makes the tabs take turns at `/refresh` (and skip it when
//! another tab's fresh session arrives first), and the `storage` event covers `localStorage`.

use crate::config::ClientConfig;
use crate::manager::{RefreshLock, SessionManager};
use crate::session::Session;
use crate::store::{self, StorageKind};
use crate::sync::{self, Kind, SyncEvent};
use futures::channel::oneshot;
use futures::future::{FutureExt, LocalBoxFuture};
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How long a tab that waited for the refresh lock gives the holder's announcement to arrive.
const ANNOUNCEMENT_GRACE_MS: f64 = 300.0;

pub struct TabSync {
    channel: Option<web_sys::BroadcastChannel>,
    provider: String,
    environment: String,
    sender: String,
    _on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    _on_storage: Option<Closure<dyn FnMut(web_sys::StorageEvent)>>,
}

impl Drop for TabSync {
    fn drop(&mut self) {
        if let Some(channel) = &self.channel {
            channel.close();
        }
        if let (Some(window), Some(cb)) = (web_sys::window(), &self._on_storage) {
            let _ =
                window.remove_event_listener_with_callback("storage", cb.as_ref().unchecked_ref());
        }
    }
}

fn random_id() -> String {
    format!(
        "{:x}{:x}",
        (js_sys::Math::random() * 1e15) as u64,
        js_sys::Date::now() as u64
    )
}

impl TabSync {
    /// Joins the channel and installs the cross-tab refresh lock on `manager`.
    pub fn start(manager: &SessionManager, config: &ClientConfig) -> TabSync {
        let (provider, environment) = (config.provider_id.clone(), config.environment.clone());
        let sender = random_id();
        let received = Rc::new(Cell::new(0u64));
        let name = sync::channel_name(&provider, &environment);
        let channel = web_sys::BroadcastChannel::new(&name).ok();

        let on_message = channel.as_ref().map(|channel| {
            let (manager, received) = (manager.clone(), received.clone());
            let (p, e, me) = (provider.clone(), environment.clone(), sender.clone());
            let cb = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |event: web_sys::MessageEvent| {
                    let Some(raw) = event.data().as_string() else {
                        return;
                    };
                    if let Ok(event) = sync::decode(&raw, &p, &e, &me, js_sys::Date::now()) {
                        received.set(received.get() + 1);
                        manager.apply_remote(event);
                    }
                },
            );
            channel.set_onmessage(Some(cb.as_ref().unchecked_ref()));
            cb
        });

        // localStorage is shared: another tab's write is this tab's session too.
        let on_storage = (config.storage == StorageKind::Local).then(|| {
            let (manager, received) = (manager.clone(), received.clone());
            let (key, p, e) = (
                store::storage_key(&provider, &environment),
                provider.clone(),
                environment.clone(),
            );
            let cb = Closure::<dyn FnMut(web_sys::StorageEvent)>::new(
                move |event: web_sys::StorageEvent| {
                    if event.key().as_deref() != Some(key.as_str()) {
                        return;
                    }
                    let now = js_sys::Date::now();
                    let remote = match event.new_value() {
                        None => Some(SyncEvent::SignedOut),
                        Some(raw) => store::decode(&raw, &p, &e, now).ok().map(|session| {
                            SyncEvent::Session {
                                kind: Kind::Refreshed,
                                session: Box::new(session),
                            }
                        }),
                    };
                    if let Some(remote) = remote {
                        received.set(received.get() + 1);
                        manager.apply_remote(remote);
                    }
                },
            );
            if let Some(window) = web_sys::window() {
                let _ =
                    window.add_event_listener_with_callback("storage", cb.as_ref().unchecked_ref());
            }
            cb
        });

        manager.set_refresh_lock(Rc::new(WebLock {
            name: format!("{name}:refresh"),
            received,
        }));
        TabSync {
            channel,
            provider,
            environment,
            sender,
            _on_message: on_message,
            _on_storage: on_storage,
        }
    }

    /// Tells the other tabs about a change made here.
    pub fn announce(&self, kind: Kind, session: Option<&Session>) {
        if let Some(channel) = &self.channel {
            let raw = sync::encode(
                &self.provider,
                &self.environment,
                &self.sender,
                kind,
                session,
            );
            let _ = channel.post_message(&raw.into());
        }
    }
}

/// Releases the Web Lock when dropped (resolves the promise the lock callback returned).
struct LockGuard(Function);

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.0.call0(&JsValue::UNDEFINED);
    }
}

struct WebLock {
    name: String,
    /// Announcements applied so far: tells whether the previous holder's one has arrived.
    received: Rc<Cell<u64>>,
}

fn call(target: &JsValue, method: &str, args: &[&JsValue]) -> Option<JsValue> {
    let f: Function = Reflect::get(target, &method.into()).ok()?.dyn_into().ok()?;
    let args: js_sys::Array = args.iter().map(|a| (*a).clone()).collect();
    f.apply(target, &args).ok()
}

/// `navigator.locks.request(name, {ifAvailable}, cb)`: the release function once granted;
/// `None` when not available right now (with `if_available`) or when Web Locks fail.
async fn request(locks: &JsValue, name: &str, if_available: bool) -> Option<LockGuard> {
    type Slot = Rc<RefCell<Option<oneshot::Sender<Option<Function>>>>>;
    let (sender, receiver) = oneshot::channel();
    let slot: Slot = Rc::new(RefCell::new(Some(sender)));
    let send = |slot: &Slot, value: Option<Function>| {
        if let Some(sender) = slot.borrow_mut().take() {
            let _ = sender.send(value);
        }
    };
    let granted_slot = slot.clone();
    let granted = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        if lock.is_null() {
            send(&granted_slot, None);
            return JsValue::UNDEFINED;
        }
        let mut release = None;
        let held = Promise::new(&mut |resolve, _reject| release = Some(resolve));
        send(&granted_slot, release);
        held.into()
    });
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &if_available.into());
    let failed_slot = slot.clone();
    let failed = Closure::once_into_js(move |_: JsValue| send(&failed_slot, None));
    match call(locks, "request", &[&name.into(), &options, &granted]) {
        Some(promise) => {
            let _ = call(&promise, "catch", &[&failed]);
        }
        None => send(&slot, None),
    }
    receiver.await.ok().flatten().map(LockGuard)
}

impl RefreshLock for WebLock {
    fn acquire(&self) -> LocalBoxFuture<'static, Box<dyn std::any::Any>> {
        let (name, received) = (self.name.clone(), self.received.clone());
        async move {
            let navigator = web_sys::window().map(|w| JsValue::from(w.navigator()));
            let locks = navigator
                .and_then(|n| Reflect::get(&n, &"locks".into()).ok())
                .filter(|l| l.is_object());
            // No Web Locks (old browsers, some sandboxes): tabs still share sessions by broadcast.
            let Some(locks) = locks else {
                return Box::new(()) as Box<dyn std::any::Any>;
            };
            if let Some(guard) = request(&locks, &name, true).await {
                return Box::new(guard) as Box<dyn std::any::Any>;
            }
            // Another tab is refreshing: wait for our turn, then give its announcement (posted
            // before it released the lock) a moment to arrive, so that we need not refresh.
            let seen = received.get();
            let guard = request(&locks, &name, false).await;
            let deadline = js_sys::Date::now() + ANNOUNCEMENT_GRACE_MS;
            while received.get() == seen && js_sys::Date::now() < deadline {
                gloo_timers::future::TimeoutFuture::new(10).await;
            }
            Box::new(guard) as Box<dyn std::any::Any>
        }
        .boxed_local()
    }
}
