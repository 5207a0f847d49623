//! Multi-tab session sync: a `BroadcastChannel` per provider and environment carries validated
//! session announcements, a Web Lock makes the tabs take turns at `/refresh` (and skip it when
//! another tab's fresh session arrives first), and the `storage` event covers `localStorage`.
//!
//! Handoff to a new tab: while a client holds a session it holds a presence Web Lock
//! (`{channel}:session:{sender}:{expiry}`). A client about to refresh without a session looks
//! at the held locks (`navigator.locks.query()`) to tell whether another client of the channel
//! holds a live session worth asking for. When to ask and how long to wait is the pure
//! [`crate::refresh_turn`] policy; this file offers it the primitives ([`Tabs`]).

use super::BrowserClock;
use crate::config::{ClientConfig, Flow};
use crate::manager::{Announce, RefreshLock, SessionManager};
use crate::refresh_turn::{take_turn, Tabs};
use crate::session::Session;
use crate::store::{self, StorageKind};
use crate::sync::{self, Kind, SyncEvent};
use core::future::Future;
use futures::channel::oneshot;
use futures::future::{FutureExt, LocalBoxFuture};
use js_sys::{Function, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// `navigator.locks`, when the browser has Web Locks.
fn web_locks() -> Option<JsValue> {
    let navigator = web_sys::window().map(|w| JsValue::from(w.navigator()))?;
    Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(|l| l.is_object())
}

/// This client's presence lock, held while its manager has a session.
struct Presence {
    locks: Option<JsValue>,
    channel: String,
    sender: String,
    /// The lock name for the current session (`None`: no session).
    wanted: RefCell<Option<String>>,
    requested: RefCell<Option<String>>,
    held: RefCell<Option<(String, LockGuard)>>,
}

impl Presence {
    fn has_session(&self) -> bool {
        self.wanted.borrow().is_some()
    }

    fn update(self: &Rc<Self>, session: Option<&Session>) {
        let wanted =
            session.map(|s| sync::presence_lock_name(&self.channel, &self.sender, s.expires_at()));
        *self.wanted.borrow_mut() = wanted.clone();
        let held_name = self.held.borrow().as_ref().map(|(n, _)| n.clone());
        if held_name.is_some() && held_name != wanted {
            self.held.borrow_mut().take(); // released
        }
        let Some(name) = wanted else { return };
        let Some(locks) = self.locks.clone() else {
            return;
        };
        if held_name.as_ref() == Some(&name) || self.requested.borrow().as_ref() == Some(&name) {
            return;
        }
        *self.requested.borrow_mut() = Some(name.clone());
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let guard = request(&locks, &name, false).await;
            if this.requested.borrow().as_ref() == Some(&name) {
                this.requested.borrow_mut().take();
            }
            // Keep it only if it is still this session's (else it is released right here).
            if let Some(guard) = guard {
                if this.wanted.borrow().as_ref() == Some(&name) {
                    *this.held.borrow_mut() = Some((name, guard));
                }
            }
        });
    }

    fn release(&self) {
        self.wanted.borrow_mut().take();
        self.held.borrow_mut().take();
    }
}

pub struct TabSync {
    channel: Option<web_sys::BroadcastChannel>,
    provider: String,
    environment: String,
    sender: String,
    share_refresh_token: bool,
    presence: Rc<Presence>,
    _on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    _on_storage: Option<Closure<dyn FnMut(web_sys::StorageEvent)>>,
}

impl Drop for TabSync {
    fn drop(&mut self) {
        self.presence.release();
        if let Some(channel) = &self.channel {
            channel.close();
        }
        if let (Some(window), Some(cb)) = (web_sys::window(), &self._on_storage) {
            let _ =
                window.remove_event_listener_with_callback("storage", cb.as_ref().unchecked_ref());
        }
    }
}

/// A client id for the channel (only to tell a client its own echo): random digits and time.
fn random_id() -> String {
    let mut id = String::new();
    crate::json::push_uint(&mut id, (js_sys::Math::random() * 1e15) as u64);
    id.push('-');
    crate::json::push_uint(&mut id, js_sys::Date::now() as u64);
    id
}

impl TabSync {
    /// Joins the channel and installs the cross-tab refresh lock on `manager`.
    pub fn start(manager: &SessionManager, config: &ClientConfig) -> TabSync {
        let (provider, environment) = (config.provider_id.clone(), config.environment.clone());
        let sender = random_id();
        let share_refresh_token = config.pkce.as_ref().is_some_and(|p| p.share_refresh_token);
        let received = Rc::new(Cell::new(0u64));
        let name = sync::channel_name(&provider, &environment);
        let channel = web_sys::BroadcastChannel::new(&name).ok();

        let on_message = channel.as_ref().map(|channel| {
            let (manager, received) = (manager.clone(), received.clone());
            let (p, e, me) = (provider.clone(), environment.clone(), sender.clone());
            let answer_on = channel.clone();
            let cb = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |event: web_sys::MessageEvent| {
                    let Some(raw) = event.data().as_string() else {
                        return;
                    };
                    let now = js_sys::Date::now();
                    match sync::decode(&raw, &p, &e, &me, now) {
                        // A new tab asks: only a tab with a live session answers.
                        Ok(SyncEvent::Hello) => {
                            let current = manager.current();
                            if let Some(current) =
                                current.filter(|c| sync::answers_hello(Some(c), now))
                            {
                                let told = sync::announced(&current, share_refresh_token);
                                let answer =
                                    sync::encode(&p, &e, &me, Kind::Refreshed, Some(&told));
                                let _ = answer_on.post_message(&answer.into());
                            }
                        }
                        Ok(event) => {
                            // Every tab with this session answers a `hello`: those copies are
                            // not news (and must not cut a wait for a refresh's announcement).
                            let applied = event.into_remote().map(|r| manager.apply_remote(r));
                            if applied == Some(true) {
                                received.set(received.get() + 1);
                            }
                        }
                        Err(_) => {}
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
                    let remote = sync::storage_change(
                        event.old_value().as_deref(),
                        event.new_value().as_deref(),
                        &p,
                        &e,
                        js_sys::Date::now(),
                    );
                    if let Some(remote) = remote {
                        received.set(received.get() + 1);
                        if let Some(remote) = remote.into_remote() {
                            let _ = manager.apply_remote(remote);
                        }
                    }
                },
            );
            if let Some(window) = web_sys::window() {
                let _ =
                    window.add_event_listener_with_callback("storage", cb.as_ref().unchecked_ref());
            }
            cb
        });

        // Proxy providers: `/refresh` reads who the proxy says is signed in NOW (it is the
        // sign-in, never a popup); a sibling's session may be another user's. No handoff.
        let handoff = config.flow != Flow::Proxy;
        let presence = Rc::new(Presence {
            locks: web_locks().filter(|_| handoff),
            channel: name.clone(),
            sender: sender.clone(),
            wanted: RefCell::new(None),
            requested: RefCell::new(None),
            held: RefCell::new(None),
        });
        manager.set_refresh_lock(Rc::new(WebLock {
            name: name.clone() + ":refresh",
            received,
            presence: presence.clone(),
            hello: channel.clone().filter(|_| handoff).map(|channel| {
                let raw = sync::encode(&provider, &environment, &sender, Kind::Hello, None);
                (channel, raw)
            }),
        }));
        TabSync {
            channel,
            provider,
            environment,
            sender,
            share_refresh_token,
            presence,
            _on_message: on_message,
            _on_storage: on_storage,
        }
    }

    /// Told of every session change (local or remote): holds or releases the presence lock.
    pub fn session_changed(&self, session: Option<&Session>) {
        self.presence.update(session);
    }

    /// Tells the other tabs about a change made here.
    pub fn announce(&self, kind: Announce, session: Option<&Session>) {
        if let Some(channel) = &self.channel {
            let told = session.map(|s| sync::announced(s, self.share_refresh_token));
            let raw = sync::encode(
                &self.provider,
                &self.environment,
                &self.sender,
                kind.into(),
                told.as_deref(),
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
    presence: Rc<Presence>,
    /// The channel and this client's `hello` message.
    hello: Option<(web_sys::BroadcastChannel, String)>,
}

/// The names of the origin's held Web Locks.
async fn held_lock_names(locks: &JsValue) -> Vec<String> {
    let Some(promise) = call(locks, "query", &[]).and_then(|p| p.dyn_into::<Promise>().ok()) else {
        return Vec::new();
    };
    let Ok(snapshot) = wasm_bindgen_futures::JsFuture::from(promise).await else {
        return Vec::new();
    };
    let held = Reflect::get(&snapshot, &"held".into()).unwrap_or(JsValue::UNDEFINED);
    if !js_sys::Array::is_array(&held) {
        return Vec::new();
    }
    js_sys::Array::from(&held)
        .iter()
        .filter_map(|lock| Reflect::get(&lock, &"name".into()).ok()?.as_string())
        .collect()
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

/// The primitives of one turn: this client's view of the lock, the channel and a timer.
struct BrowserTabs {
    locks: JsValue,
    name: String,
    received: Rc<Cell<u64>>,
    presence: Rc<Presence>,
    hello: Option<(web_sys::BroadcastChannel, String)>,
}

impl Tabs for BrowserTabs {
    type Guard = LockGuard;

    fn lock(&self, if_available: bool) -> impl Future<Output = Option<LockGuard>> {
        request(&self.locks, &self.name, if_available)
    }

    fn announcements(&self) -> u64 {
        self.received.get()
    }

    fn has_session(&self) -> bool {
        self.presence.has_session()
    }

    async fn sibling_has_session(&self) -> bool {
        if self.hello.is_none() {
            return false;
        }
        let held = held_lock_names(&self.locks).await;
        sync::sibling_has_session(
            held.iter().map(String::as_str),
            &self.presence.channel,
            &self.presence.sender,
            js_sys::Date::now(),
        )
    }

    fn post_hello(&self) -> bool {
        self.hello
            .as_ref()
            .is_some_and(|(channel, raw)| channel.post_message(&raw.into()).is_ok())
    }

    fn sleep(&self, ms: u32) -> impl Future<Output = ()> {
        gloo_timers::future::TimeoutFuture::new(ms)
    }
}

impl RefreshLock for WebLock {
    fn acquire(&self) -> LocalBoxFuture<'static, Box<dyn std::any::Any>> {
        let tabs = web_locks().map(|locks| BrowserTabs {
            locks,
            name: self.name.clone(),
            received: self.received.clone(),
            presence: self.presence.clone(),
            hello: self.hello.clone(),
        });
        async move {
            // No Web Locks (old browsers, some sandboxes): tabs still share sessions by
            // broadcast, but take no turns and a new tab gets no handoff (it cannot tell
            // whether anyone has a session).
            let guard = match tabs {
                Some(tabs) => take_turn(&tabs, &BrowserClock).await,
                None => None,
            };
            Box::new(guard) as Box<dyn std::any::Any>
        }
        .boxed_local()
    }
}
