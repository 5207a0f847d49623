//! The refresh / popup policy under a scripted connector and a fake clock.

use super::*;
use crate::lifecycle::{Ended, Lifecycle};
#[cfg(feature = "pkce")]
use crate::secret::Secret;
use crate::session::tests::response;
use crate::store::{KeyValueStore, MemoryStore, SessionStore};
use futures::channel::oneshot;
use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use std::cell::{Cell, RefCell};

/// A refresh's basis as the script records it: its `obtained_at` and refresh token.
type Basis = (Option<f64>, Option<String>);

#[derive(Default)]
struct Script {
    refresh_calls: Cell<u32>,
    create_calls: Cell<u32>,
    logout_calls: Cell<u32>,
    refresh_scopes: RefCell<Vec<String>>,
    create_scopes: RefCell<Vec<String>>,
    /// The flow each sign-in was asked for (`None`: as configured).
    create_flows: RefCell<Vec<Option<Flow>>>,
    /// Each refresh answers with the next of these (the last one repeats).
    refresh_answers: RefCell<Vec<Result<u32, AuthError>>>,
    create_answer: RefCell<Option<Result<String, AuthError>>>,
    /// The session each refresh was handed (`None`: none), by its `obtained_at` and refresh token.
    refresh_bases: RefCell<Vec<Option<Basis>>>,
    /// The refresh token of the session each logout was handed.
    logout_ended: RefCell<Vec<Option<String>>>,
    /// When set, refreshes wait for this to fire (to hold a refresh in flight).
    gate: RefCell<Option<futures::future::Shared<oneshot::Receiver<()>>>>,
}

struct Scripted(Rc<Script>);

fn answer(ttl: u32, scope: &str) -> AuthResponse {
    let mut r = response(Some(ttl), Some(3600));
    if let Some(pi) = r.provider_info.as_mut() {
        pi.scope = Some(scope.into());
    }
    r
}

impl Connector for Scripted {
    fn refresh(
        &self,
        basis: Option<&Session>,
        scopes: &ScopeSet,
    ) -> LocalBoxFuture<'static, Result<AuthResponse, AuthError>> {
        let s = self.0.clone();
        s.refresh_bases.borrow_mut().push(basis.map(|b| {
            let token = b.refresh_token().map(|t| t.expose().to_owned());
            (b.obtained_at, token)
        }));
        s.refresh_calls.set(s.refresh_calls.get() + 1);
        s.refresh_scopes.borrow_mut().push(scopes.joined());
        let gate = s.gate.borrow().clone();
        async move {
            if let Some(gate) = gate {
                let _ = gate.await;
            }
            let answers = s.refresh_answers.borrow();
            let idx = (s.refresh_calls.get() as usize - 1).min(answers.len().saturating_sub(1));
            match answers.get(idx).cloned() {
                Some(Ok(ttl)) => Ok(answer(ttl, "openid email")),
                Some(Err(e)) => Err(e),
                None => Err(AuthError::AuthResponse {
                    backend_name: "AuthenticationError".into(),
                    message: "Missing session cookie".into(),
                }),
            }
        }
        .boxed_local()
    }

    fn create_session(
        &self,
        scopes: &ScopeSet,
        flow: Option<Flow>,
    ) -> LocalBoxFuture<'static, Result<AuthResponse, AuthError>> {
        let s = self.0.clone();
        s.create_flows.borrow_mut().push(flow);
        s.create_calls.set(s.create_calls.get() + 1);
        s.create_scopes.borrow_mut().push(scopes.joined());
        let granted = scopes.joined();
        async move {
            match s.create_answer.borrow().clone() {
                Some(Ok(scope)) => Ok(answer(3600, &scope)),
                Some(Err(e)) => Err(e),
                None => Ok(answer(3600, &granted)),
            }
        }
        .boxed_local()
    }

    fn logout(&self, ended: Option<&Session>) -> LocalBoxFuture<'static, Result<(), AuthError>> {
        self.0.logout_calls.set(self.0.logout_calls.get() + 1);
        let token = ended.and_then(|e| e.refresh_token().map(|t| t.expose().to_owned()));
        self.0.logout_ended.borrow_mut().push(token);
        async { Ok(()) }.boxed_local()
    }
}

struct FakeClock(Rc<Cell<f64>>);
impl Clock for FakeClock {
    fn now_ms(&self) -> f64 {
        self.0.get()
    }
}

struct Fixture {
    manager: SessionManager,
    script: Rc<Script>,
    clock: Rc<Cell<f64>>,
}

fn fixture(flow: Flow, refresh_answers: Vec<Result<u32, AuthError>>) -> Fixture {
    fixture_with_store(flow, refresh_answers, Box::new(MemoryStore::default()))
}

fn fixture_with_store(
    flow: Flow,
    refresh_answers: Vec<Result<u32, AuthError>>,
    kv: Box<dyn crate::store::KeyValueStore>,
) -> Fixture {
    fixture_at(flow, refresh_answers, kv, 1_000_000.0)
}

/// A manager made (its store restored) at `now_ms`.
fn fixture_at(
    flow: Flow,
    refresh_answers: Vec<Result<u32, AuthError>>,
    kv: Box<dyn crate::store::KeyValueStore>,
    now_ms: f64,
) -> Fixture {
    let script = Rc::new(Script::default());
    *script.refresh_answers.borrow_mut() = refresh_answers;
    let clock = Rc::new(Cell::new(now_ms));
    let store = SessionStore::new("oidc", "development", Ok(Some(kv)), Box::new(|_| {}));
    let manager = SessionManager::new(
        Box::new(Scripted(script.clone())),
        Box::new(FakeClock(clock.clone())),
        store,
        ManagerConfig {
            default_scopes: ScopeSet::parse("openid"),
            refresh_margin_ms: 180_000.0,
            flow,
            background_refresh: true,
            offline_wait_ms: 30_000.0,
        },
    );
    Fixture {
        manager,
        script,
        clock,
    }
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    futures::executor::block_on(f)
}

fn denied() -> AuthError {
    AuthError::AuthResponse {
        backend_name: "AuthenticationError".into(),
        message: "Missing session cookie".into(),
    }
}

#[test]
fn first_call_probes_refresh_then_serves_the_cache() {
    let f = fixture(Flow::Popup, vec![Ok(3600)]);
    assert_eq!(f.manager.state().get(), SessionState::SignedOut);
    let s = run(f.manager.get_session(SessionRequest::default()))
        .expect("ok")
        .expect("session");
    assert_eq!(
        s.provider
            .as_ref()
            .map(|p| p.access_token.secret().as_str()),
        Some("at")
    );
    assert_eq!(f.manager.state().get(), SessionState::SignedIn);
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    assert!(f.manager.cached(&ScopeSet::default()).is_some());
    assert_eq!(
        (f.script.refresh_calls.get(), f.script.create_calls.get()),
        (1, 0)
    );
    assert_eq!(*f.script.refresh_scopes.borrow(), vec!["openid"]);
}

#[test]
fn no_cookie_falls_back_to_the_popup_unless_optional() {
    let f = fixture(Flow::Popup, vec![Err(denied())]);
    let none = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..Default::default()
    }))
    .expect("ok");
    assert!(none.is_none());
    assert_eq!(f.script.create_calls.get(), 0);
    let s = run(f.manager.get_session(SessionRequest::default())).expect("ok");
    assert!(s.is_some());
    assert_eq!(
        (f.script.refresh_calls.get(), f.script.create_calls.get()),
        (2, 1)
    );
    assert_eq!(f.manager.state().get(), SessionState::SignedIn);
}

#[test]
fn instant_popup_skips_the_probe() {
    let f = fixture(Flow::Popup, vec![Ok(3600)]);
    run(f.manager.get_session(SessionRequest {
        instant_popup: true,
        ..Default::default()
    }))
    .expect("ok");
    assert_eq!(
        (f.script.refresh_calls.get(), f.script.create_calls.get()),
        (0, 1)
    );
}

#[test]
fn refreshes_inside_the_margin_and_only_then() {
    let f = fixture(Flow::Popup, vec![Ok(600), Ok(3600)]);
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    // 600 s token, 180 s margin: fresh until 420 s.
    f.clock.set(f.clock.get() + 419_000.0);
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    assert_eq!(f.script.refresh_calls.get(), 1);
    f.clock.set(f.clock.get() + 2_000.0);
    assert!(f.manager.cached(&ScopeSet::default()).is_none());
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    assert_eq!(f.script.refresh_calls.get(), 2);
    assert!(f.manager.cached(&ScopeSet::default()).is_some());
}

#[test]
fn concurrent_callers_share_one_refresh() {
    let f = fixture(Flow::Popup, vec![Ok(600), Ok(3600)]);
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    f.clock.set(f.clock.get() + 500_000.0);
    let (open, gate) = oneshot::channel();
    *f.script.gate.borrow_mut() = Some(gate.shared());
    let mut pool = LocalPool::new();
    let results = Rc::new(RefCell::new(Vec::new()));
    for _ in 0..100 {
        let (m, results) = (f.manager.clone(), results.clone());
        pool.spawner()
            .spawn_local(async move {
                let s = m.get_session(SessionRequest::default()).await;
                results
                    .borrow_mut()
                    .push(s.map(|s| s.and_then(|s| s.expires_at())));
            })
            .expect("spawn");
    }
    pool.run_until_stalled();
    assert_eq!(
        f.script.refresh_calls.get(),
        2,
        "one refresh in flight for 100 callers"
    );
    assert!(results.borrow().is_empty());
    open.send(()).expect("gate");
    pool.run_until_stalled();
    let results = results.borrow();
    assert_eq!(results.len(), 100);
    let expected = Some(f.clock.get() + 3_600_000.0);
    assert!(results.iter().all(|r| r.as_ref().ok() == Some(&expected)));
    assert_eq!(f.script.refresh_calls.get(), 2);
}

#[test]
fn failed_refresh_of_an_expired_session_signs_out_then_pops_up() {
    let f = fixture(Flow::Popup, vec![Ok(600), Err(denied())]);
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    f.clock.set(f.clock.get() + 601_000.0);
    let states = Rc::new(RefCell::new(Vec::new()));
    let none = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..Default::default()
    }))
    .expect("ok");
    assert!(none.is_none());
    assert_eq!(f.manager.state().get(), SessionState::SignedOut);
    assert!(f.manager.current().is_none());
    states.borrow_mut().push(f.manager.state().get());
    let s = run(f.manager.get_session(SessionRequest::default())).expect("ok");
    assert!(s.is_some());
    assert_eq!(f.script.create_calls.get(), 1);
    assert_eq!(f.manager.state().get(), SessionState::SignedIn);
}

#[test]
fn failed_refresh_inside_the_margin_keeps_serving_the_valid_session() {
    let f = fixture(
        Flow::Popup,
        vec![Ok(600), Err(AuthError::Network("down".into()))],
    );
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    f.clock.set(f.clock.get() + 500_000.0);
    let s = run(f.manager.get_session(SessionRequest::default())).expect("ok");
    assert!(s.is_some());
    assert_eq!(f.manager.state().get(), SessionState::SignedIn);
    assert_eq!(f.script.create_calls.get(), 0);
}

#[test]
fn missing_scopes_open_a_popup_with_the_union() {
    let f = fixture(Flow::Popup, vec![Ok(3600)]);
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    let want = SessionRequest {
        scopes: ScopeSet::parse("groups"),
        ..Default::default()
    };
    let none = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..want.clone()
    }))
    .expect("ok");
    assert!(none.is_none());
    let s = run(f.manager.get_session(want))
        .expect("ok")
        .expect("session");
    assert_eq!(
        *f.script.create_scopes.borrow(),
        vec!["email groups openid"]
    );
    assert!(s.has_scopes(&ScopeSet::parse("groups email openid")));
}

#[test]
fn a_backend_that_never_grants_the_scopes_does_not_loop() {
    let f = fixture(Flow::Popup, vec![Ok(3600)]);
    *f.script.create_answer.borrow_mut() = Some(Ok("openid".into()));
    let e = run(f.manager.get_session(SessionRequest {
        scopes: ScopeSet::parse("groups"),
        ..Default::default()
    }));
    assert_eq!(e.expect_err("error").name(), "InvalidResponseError");
    assert!(f.script.create_calls.get() <= MAX_ROUNDS as u32);
}

#[test]
fn popup_errors_reach_the_caller_and_state_stays_signed_out() {
    let f = fixture(Flow::Popup, vec![Err(denied())]);
    *f.script.create_answer.borrow_mut() = Some(Err(AuthError::PopupClosed));
    let e = run(f.manager.get_session(SessionRequest::default())).expect_err("error");
    assert_eq!(e, AuthError::PopupClosed);
    assert_eq!(f.manager.state().get(), SessionState::SignedOut);
}

#[test]
fn proxy_flow_never_pops_up() {
    let f = fixture(Flow::Proxy, vec![Err(denied())]);
    let e = run(f.manager.get_session(SessionRequest {
        instant_popup: true,
        ..Default::default()
    }))
    .expect_err("error");
    assert_eq!(e.backend_name(), Some("AuthenticationError"));
    let none = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..Default::default()
    }))
    .expect("ok");
    assert!(none.is_none());
    assert_eq!(f.script.create_calls.get(), 0);

    let f = fixture(Flow::Proxy, vec![Ok(3600)]);
    let s = run(f.manager.get_session(SessionRequest {
        scopes: ScopeSet::parse("anything"),
        ..Default::default()
    }));
    assert!(s.expect("ok").is_some());
    assert_eq!(
        (f.script.refresh_calls.get(), f.script.create_calls.get()),
        (1, 0)
    );
}

#[test]
fn sign_out_clears_everything_and_calls_logout() {
    let f = fixture(Flow::Popup, vec![Ok(3600)]);
    let changes = Rc::new(Cell::new(0));
    let c = changes.clone();
    f.manager
        .set_on_change(Box::new(move |_, _| c.set(c.get() + 1)));
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    run(f.manager.sign_out()).expect("ok");
    assert_eq!(f.script.logout_calls.get(), 1);
    assert!(f.manager.current().is_none());
    assert_eq!(f.manager.state().get(), SessionState::SignedOut);
    assert_eq!(changes.get(), 2);
}

/// One storage shared by several managers (`localStorage` seen by several tabs).
struct Shared(Rc<MemoryStore>);
impl crate::store::KeyValueStore for Shared {
    fn get(&self, k: &str) -> Result<Option<String>, crate::store::StorageFailure> {
        self.0.get(k)
    }
    fn set(&self, k: &str, v: &str) -> Result<(), crate::store::StorageFailure> {
        self.0.set(k, v)
    }
    fn remove(&self, k: &str) -> Result<(), crate::store::StorageFailure> {
        self.0.remove(k)
    }
}

#[test]
fn a_stored_session_is_restored_without_any_request() {
    let storage = Rc::new(MemoryStore::default());
    let first = fixture_with_store(
        Flow::Popup,
        vec![Ok(3600)],
        Box::new(Shared(storage.clone())),
    );
    run(first.manager.get_session(SessionRequest::default())).expect("ok");
    // A "page reload": a new manager over the same storage.
    let second = fixture_with_store(
        Flow::Popup,
        vec![Err(denied())],
        Box::new(Shared(storage.clone())),
    );
    assert_eq!(second.manager.state().get(), SessionState::SignedIn);
    assert!(run(second.manager.get_session(SessionRequest::default()))
        .expect("ok")
        .is_some());
    assert_eq!(
        (
            second.script.refresh_calls.get(),
            second.script.create_calls.get()
        ),
        (0, 0)
    );
    // Tampered storage: discarded, falls back to /refresh.
    storage
        .set(
            "backstage-wasm-auth:oidc:development",
            "{\"version\":1,\"evil\":true}",
        )
        .expect("set");
    let third = fixture_with_store(
        Flow::Popup,
        vec![Ok(3600)],
        Box::new(Shared(storage.clone())),
    );
    assert_eq!(third.manager.state().get(), SessionState::SignedOut);
    run(third.manager.get_session(SessionRequest::default())).expect("ok");
    assert_eq!(third.script.refresh_calls.get(), 1);
}

#[test]
fn a_session_shorter_than_the_margin_is_served_until_half_its_lifetime() {
    // 60 s tokens, 180 s margin (Keycloak-style short tokens, backstage#27281).
    let f = fixture(Flow::Popup, vec![Ok(60), Ok(60), Ok(60)]);
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    assert_eq!(f.script.refresh_calls.get(), 1, "the probe");
    // Just obtained: served, not refreshed again on every call.
    for _ in 0..5 {
        run(f.manager.get_session(SessionRequest::default())).expect("ok");
    }
    assert_eq!(f.script.refresh_calls.get(), 1, "no refresh loop");
    f.clock.set(f.clock.get() + 29_999.0);
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    assert_eq!(
        f.script.refresh_calls.get(),
        1,
        "fresh for half its lifetime"
    );
    f.clock.set(f.clock.get() + 1.0);
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    assert_eq!(f.script.refresh_calls.get(), 2, "due after 30 s");
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    assert_eq!(f.script.refresh_calls.get(), 2);
}

#[test]
fn short_tokens_a_refresh_announced_while_waiting_for_the_lock_saves_the_request() {
    // What N tabs at expiry do with default options and a token shorter than the margin: the
    // tab that waited for the lock is handed a sibling's 60 s session and serves it.
    let f = fixture(Flow::Popup, vec![Ok(60), Ok(60)]);
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    f.clock.set(f.clock.get() + 61_000.0);
    let lock = Rc::new(OtherTabRefreshes {
        manager: RefCell::new(Some(f.manager.clone())),
        session: RefCell::new(Some(session_with(60, "openid email", f.clock.get()))),
    });
    f.manager.set_refresh_lock(lock.clone());
    let s = run(f.manager.get_session(SessionRequest::default()))
        .expect("ok")
        .expect("session");
    assert_eq!(
        f.script.refresh_calls.get(),
        1,
        "the sibling's refresh served"
    );
    assert_eq!(s.expires_at(), Some(f.clock.get() + 60_000.0));
    lock.manager.borrow_mut().take();
}

fn session_with(ttl: u32, scope: &str, now: f64) -> Session {
    Session::from_response(answer(ttl, scope), now).expect("session")
}

#[test]
fn remote_announcements_are_applied_without_echo() {
    let f = fixture(Flow::Popup, vec![Err(denied())]);
    let local_changes = Rc::new(Cell::new(0));
    let c = local_changes.clone();
    f.manager.set_on_change(Box::new(move |_, change| {
        if matches!(change, Change::Local(_)) {
            c.set(c.get() + 1);
        }
    }));
    let now = f.clock.get();
    f.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(session_with(3600, "openid email", now)),
    });
    assert_eq!(f.manager.state().get(), SessionState::SignedIn);
    assert!(f.manager.cached(&ScopeSet::default()).is_some());
    // A refresh elsewhere with fewer scopes does not downgrade this tab; a sign-in does.
    f.manager.apply_remote(Remote::Session {
        kind: Announce::Refreshed,
        session: Box::new(session_with(7200, "openid", now)),
    });
    assert!(f
        .manager
        .current()
        .expect("s")
        .has_scopes(&ScopeSet::parse("email")));
    f.manager.apply_remote(Remote::SignedOut { expired: false });
    assert_eq!(f.manager.state().get(), SessionState::SignedOut);
    assert_eq!(local_changes.get(), 0, "nothing announced back");
    assert_eq!(
        f.script.refresh_calls.get() + f.script.create_calls.get(),
        0
    );
    // Nothing of the signed-out session is handed to a later refresh.
    let _ = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..Default::default()
    }));
    assert_eq!(*f.script.refresh_bases.borrow(), vec![None]);
    assert_eq!(f.script.refresh_calls.get(), 1);
}

#[test]
fn a_stale_sign_in_from_another_tab_does_not_replace_a_newer_session() {
    let f = fixture(Flow::Popup, vec![Err(denied())]);
    let start = f.clock.get();
    f.clock.set(start + 60_000.0);
    let newer = session_with(600, "openid email", f.clock.get());
    f.manager.apply_remote(Remote::Session {
        kind: Announce::Refreshed,
        session: Box::new(newer.clone()),
    });
    // A `signedIn` obtained a minute earlier, delivered late (even with a later expiry).
    let stale = session_with(3600, "openid email", start);
    f.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(stale),
    });
    assert_eq!(f.manager.current().as_deref(), Some(&newer));
    // A sign-in obtained later replaces it, even with fewer scopes.
    f.clock.set(start + 120_000.0);
    let later = session_with(600, "openid", f.clock.get());
    f.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(later.clone()),
    });
    assert_eq!(f.manager.current().as_deref(), Some(&later));
}

/// A lock whose holder is "another tab" that refreshes and announces before releasing.
struct OtherTabRefreshes {
    manager: RefCell<Option<SessionManager>>,
    session: RefCell<Option<Session>>,
}

impl RefreshLock for OtherTabRefreshes {
    fn acquire(&self) -> LocalBoxFuture<'static, Box<dyn std::any::Any>> {
        if let (Some(m), Some(s)) = (
            self.manager.borrow().as_ref(),
            self.session.borrow_mut().take(),
        ) {
            m.apply_remote(Remote::Session {
                kind: Announce::Refreshed,
                session: Box::new(s),
            });
        }
        async { Box::new(()) as Box<dyn std::any::Any> }.boxed_local()
    }
}

#[test]
fn a_refresh_announced_while_waiting_for_the_lock_saves_the_request() {
    let f = fixture(Flow::Popup, vec![Ok(600), Ok(3600)]);
    run(f.manager.get_session(SessionRequest::default())).expect("ok");
    f.clock.set(f.clock.get() + 500_000.0);
    let lock = Rc::new(OtherTabRefreshes {
        manager: RefCell::new(Some(f.manager.clone())),
        session: RefCell::new(None),
    });
    *lock.session.borrow_mut() = Some(session_with(3600, "openid email", f.clock.get()));
    f.manager.set_refresh_lock(lock.clone());
    let s = run(f.manager.get_session(SessionRequest::default()))
        .expect("ok")
        .expect("session");
    assert_eq!(
        f.script.refresh_calls.get(),
        1,
        "only the first probe went to the backend"
    );
    assert_eq!(s.expires_at(), Some(f.clock.get() + 3_600_000.0));
    lock.manager.borrow_mut().take();
}

#[test]
fn an_unreachable_backend_is_an_error_not_a_popup() {
    let f = fixture(
        Flow::Popup,
        vec![Err(AuthError::Network("connection refused".into()))],
    );
    let e = run(f.manager.get_session(SessionRequest::default())).expect_err("error");
    assert_eq!(e.name(), "AuthConnectionError");
    assert_eq!(f.script.create_calls.get(), 0, "no popup on a dead /start");
    let none = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..Default::default()
    }));
    assert!(none.expect("optional").is_none());
    // A refusal (no refresh cookie) still leads to the popup.
    let f = fixture(Flow::Popup, vec![Err(denied())]);
    run(f.manager.get_session(SessionRequest::default())).expect("popup");
    assert_eq!(f.script.create_calls.get(), 1);
}

#[test]
fn a_new_tab_adopts_a_session_handed_over_under_the_lock_without_a_refresh() {
    // No session here; the lock stands for the handoff: a sibling answers `hello` before the
    // lock is granted. The re-check serves it: no refresh, not even for an optional request.
    let f = fixture(Flow::Pkce, vec![Err(denied())]);
    let lock = Rc::new(OtherTabRefreshes {
        manager: RefCell::new(Some(f.manager.clone())),
        session: RefCell::new(Some(session_with(3600, "openid email", f.clock.get()))),
    });
    f.manager.set_refresh_lock(lock.clone());
    let s = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..Default::default()
    }))
    .expect("ok")
    .expect("the sibling's session");
    assert_eq!(f.script.refresh_calls.get(), 0, "no request");
    assert_eq!(f.manager.state().get(), SessionState::SignedIn);
    // The same session again (every sibling answers) and a hello change nothing.
    f.manager.apply_remote(Remote::Session {
        kind: Announce::Refreshed,
        session: Box::new((*s).clone()),
    });
    // An older session (a sibling that had not seen a refresh yet) does not replace it.
    f.manager.apply_remote(Remote::Session {
        kind: Announce::Refreshed,
        session: Box::new(session_with(3000, "openid email", f.clock.get())),
    });
    assert!(Rc::ptr_eq(&f.manager.current().expect("s"), &s));
    // The adopted session is what a later refresh starts from.
    f.clock.set(f.clock.get() + 3_500_000.0);
    let _ = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..Default::default()
    }));
    assert_eq!(
        *f.script.refresh_bases.borrow(),
        vec![Some((s.obtained_at, None))]
    );
    lock.manager.borrow_mut().take();
}

#[cfg(feature = "pkce")]
fn with_refresh_token(mut session: Session, token: Option<&str>) -> Session {
    if let Some(p) = session.provider.as_mut() {
        p.refresh_token = token.map(|t| Secret::new(t.into()));
    }
    session
}

#[cfg(feature = "pkce")]
fn refresh_token_of(m: &SessionManager) -> Option<String> {
    let current = m.current()?;
    let token = current.provider.as_ref()?.refresh_token.as_ref()?;
    Some(token.expose().to_owned())
}

#[test]
#[cfg(feature = "pkce")] // refresh tokens exist in the PKCE build only
fn a_pkce_session_announced_without_its_refresh_token_keeps_this_tabs_own() {
    let f = fixture(Flow::Pkce, vec![Err(denied())]);
    let now = f.clock.get();
    let mine = with_refresh_token(session_with(600, "openid email", now), Some("rt-mine"));
    assert!(f.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(mine.clone()),
    }));
    // Another tab refreshed with ITS refresh token and announced the session without it.
    f.clock.set(now + 1_000.0);
    let theirs = session_with(600, "openid email", f.clock.get());
    assert!(f.manager.apply_remote(Remote::Session {
        kind: Announce::Refreshed,
        session: Box::new(theirs.clone()),
    }));
    let current = f.manager.current().expect("adopted");
    assert_eq!(
        current.obtained_at, theirs.obtained_at,
        "their access token"
    );
    assert_eq!(refresh_token_of(&f.manager).as_deref(), Some("rt-mine"));
    // The same announcement again (every tab answers a `hello`) is not news.
    assert!(!f.manager.apply_remote(Remote::Session {
        kind: Announce::Refreshed,
        session: Box::new(theirs),
    }));
    // The Backstage flows have no refresh token to keep: nothing is merged there.
    let popup = fixture(Flow::Popup, vec![Err(denied())]);
    let _ = popup.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(mine),
    });
    let _ = popup.manager.apply_remote(Remote::Session {
        kind: Announce::Refreshed,
        session: Box::new(session_with(600, "openid email", f.clock.get())),
    });
    assert_eq!(refresh_token_of(&popup.manager), None);
}

#[test]
#[cfg(feature = "pkce")] // refresh tokens exist in the PKCE build only
fn with_shared_storage_the_announced_session_takes_the_stored_refresh_token() {
    // `storage: 'local'`: the sender stored the session (rotated refresh token inside) before
    // announcing it without the token. Saving the announced copy must not wipe that token.
    let storage = Rc::new(MemoryStore::default());
    let sender = fixture_with_store(Flow::Pkce, vec![], Box::new(Shared(storage.clone())));
    let receiver = fixture_with_store(Flow::Pkce, vec![], Box::new(Shared(storage.clone())));
    let now = sender.clock.get();
    let old = with_refresh_token(session_with(600, "openid email", now), Some("rt-1"));
    let _ = receiver.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(old),
    });
    let rotated = with_refresh_token(session_with(600, "openid email", now + 5.0), Some("rt-2"));
    let _ = sender.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(rotated.clone()),
    });
    let announced = crate::sync::announced(&rotated, false).into_owned();
    let _ = receiver.manager.apply_remote(Remote::Session {
        kind: Announce::Refreshed,
        session: Box::new(announced),
    });
    assert_eq!(refresh_token_of(&receiver.manager).as_deref(), Some("rt-2"));
    let stored = SessionStore::new(
        "oidc",
        "development",
        Ok(Some(Box::new(Shared(storage)))),
        Box::new(|_| {}),
    )
    .load(now)
    .expect("valid")
    .expect("stored");
    assert_eq!(stored, rotated, "the stored record keeps the rotated token");
}

#[test]
fn a_tab_without_a_refresh_token_signs_out_alone_when_its_session_expires() {
    let f = fixture(Flow::Pkce, vec![Err(AuthError::NoRefreshToken)]);
    let announced = Rc::new(RefCell::new(Vec::new()));
    let a = announced.clone();
    f.manager
        .set_on_change(Box::new(move |_, change| a.borrow_mut().push(change)));
    let now = f.clock.get();
    let _ = f.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(session_with(600, "openid", now)),
    });
    // Inside the margin: the refresh cannot be done here, the still-valid session is served.
    f.clock.set(now + 500_000.0);
    let served = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..Default::default()
    }))
    .expect("ok");
    assert!(served.is_some(), "served until it expires");
    // Expired: signed out HERE, and the other tabs (which hold their refresh tokens) are not told.
    f.clock.set(now + 700_000.0);
    let gone = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..Default::default()
    }))
    .expect("ok");
    assert!(gone.is_none());
    assert_eq!(f.manager.state().get(), SessionState::SignedOut);
    assert_eq!(
        *announced.borrow(),
        vec![Change::Remote, Change::Remote],
        "adopted, then signed out without an announcement"
    );
}

#[cfg(feature = "pkce")]
fn refresh_token_handed(f: &Fixture) -> Vec<Option<String>> {
    f.script
        .refresh_bases
        .borrow()
        .iter()
        .map(|b| b.as_ref().and_then(|(_, token)| token.clone()))
        .collect()
}

#[cfg(feature = "pkce")]
fn optional() -> SessionRequest {
    SessionRequest {
        optional: true,
        ..Default::default()
    }
}

#[test]
#[cfg(feature = "pkce")]
fn after_a_reload_an_expired_session_still_lends_its_refresh_token() {
    let storage = Rc::new(MemoryStore::default());
    let before = fixture_with_store(Flow::Pkce, vec![], Box::new(Shared(storage.clone())));
    let now = before.clock.get();
    let _ = before.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(with_refresh_token(
            session_with(600, "openid email", now),
            Some("rt-1"),
        )),
    });
    // Reloaded after the access token expired: signed out, but the refresh starts from it.
    let after = fixture_at(
        Flow::Pkce,
        vec![Ok(600)],
        Box::new(Shared(storage)),
        now + 700_000.0,
    );
    assert_eq!(after.manager.state().get(), SessionState::SignedOut);
    let s = run(after.manager.get_session(optional())).expect("ok");
    assert!(s.is_some(), "refreshed without a popup");
    assert_eq!(refresh_token_handed(&after), vec![Some("rt-1".to_owned())]);
    assert_eq!(after.script.create_calls.get(), 0);
}

#[test]
#[cfg(feature = "pkce")]
fn a_refused_refresh_token_is_never_sent_again() {
    let refused = AuthError::AuthResponse {
        backend_name: "invalid_grant".into(),
        message: "grant revoked".into(),
    };
    let f = fixture(Flow::Pkce, vec![Err(refused)]);
    let now = f.clock.get();
    let _ = f.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(with_refresh_token(
            session_with(600, "openid", now),
            Some("rt-dead"),
        )),
    });
    // Inside the margin: refused, the still-valid session is served without its refresh token.
    f.clock.set(now + 500_000.0);
    assert!(run(f.manager.get_session(optional()))
        .expect("ok")
        .is_some());
    assert_eq!(refresh_token_of(&f.manager), None);
    assert!(run(f.manager.get_session(optional()))
        .expect("ok")
        .is_some());
    assert_eq!(
        refresh_token_handed(&f),
        vec![Some("rt-dead".to_owned()), None],
        "the next refresh has nothing to send"
    );
}

#[test]
#[cfg(feature = "pkce")]
fn no_answer_at_expiry_keeps_the_session_for_later_and_sign_out_revokes_it() {
    let offline = AuthError::Network("Failed to fetch".into());
    let f = fixture(Flow::Pkce, vec![Err(offline), Ok(600)]);
    let now = f.clock.get();
    let _ = f.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(with_refresh_token(
            session_with(600, "openid", now),
            Some("rt-1"),
        )),
    });
    f.clock.set(now + 700_000.0);
    assert_eq!(
        run(f.manager.get_session(optional())).expect("optional"),
        None
    );
    assert_eq!(
        f.manager.state().get(),
        SessionState::SignedIn,
        "no answer is no sign-out"
    );
    // Back online: the next call starts from the kept refresh token, no popup.
    let s = run(f.manager.get_session(optional())).expect("ok");
    assert!(s.is_some());
    assert_eq!(
        refresh_token_handed(&f),
        vec![Some("rt-1".to_owned()), Some("rt-1".to_owned())]
    );
    assert_eq!(f.script.create_calls.get(), 0);
    // The answer (a scripted one, without a refresh token) is the session signed out: logout is
    // handed it; a refresh afterwards gets nothing.
    run(f.manager.sign_out()).expect("signed out");
    assert_eq!(*f.script.logout_ended.borrow(), vec![None]);
    let _ = run(f.manager.get_session(optional()));
    assert_eq!(f.script.refresh_bases.borrow().last(), Some(&None));
}

#[test]
#[cfg(feature = "pkce")]
fn sign_out_hands_the_ended_session_to_the_connector() {
    let f = fixture(Flow::Pkce, vec![]);
    let _ = f.manager.apply_remote(Remote::Session {
        kind: Announce::SignedIn,
        session: Box::new(with_refresh_token(
            session_with(600, "openid", f.clock.get()),
            Some("rt-1"),
        )),
    });
    run(f.manager.sign_out()).expect("signed out");
    assert_eq!(
        *f.script.logout_ended.borrow(),
        vec![Some("rt-1".to_owned())]
    );
    assert_eq!(f.manager.state().get(), SessionState::SignedOut);
}

#[test]
fn no_answer_at_expiry_is_no_sign_out_and_a_wake_up_refreshes() {
    let f = fixture(
        Flow::Popup,
        vec![
            Ok(600),
            Err(AuthError::Network("Failed to fetch".into())),
            Ok(600),
        ],
    );
    let announced = Rc::new(RefCell::new(Vec::new()));
    let a = announced.clone();
    f.manager
        .set_on_change(Box::new(move |_, change| a.borrow_mut().push(change)));
    run(f.manager.get_session(SessionRequest::default())).expect("signed in");
    // Expired while offline: the caller gets the connection error (no popup), the session stays.
    f.clock.set(f.clock.get() + 700_000.0);
    let e = run(f.manager.get_session(SessionRequest::default())).expect_err("offline");
    assert_eq!(e.name(), "AuthConnectionError");
    assert_eq!(f.manager.state().get(), SessionState::SignedIn);
    assert!(f.manager.current().is_some());
    assert_eq!(f.script.create_calls.get(), 0, "no popup");
    assert!(
        !announced
            .borrow()
            .iter()
            .any(|c| matches!(c, Change::Local(Announce::SignedOut | Announce::Expired))),
        "no sign-out told to the other tabs"
    );
    // The network is back: one wake-up refreshes it before anyone asks.
    run(f.manager.refresh_if_due());
    assert_eq!(f.script.refresh_calls.get(), 3);
    let fresh = f
        .manager
        .cached(&ScopeSet::default())
        .expect("fresh, served without I/O");
    assert!(!fresh.is_expired(f.clock.get()));
    // A wake-up with nothing due, or without a session, asks nothing.
    run(f.manager.refresh_if_due());
    assert_eq!(f.script.refresh_calls.get(), 3);
    let signed_out = fixture(Flow::Popup, vec![Ok(600)]);
    run(signed_out.manager.refresh_if_due());
    assert_eq!(signed_out.script.refresh_calls.get(), 0);
}

#[test]
fn a_call_may_choose_its_sign_in_flow() {
    let f = fixture(Flow::Popup, vec![Err(denied())]);
    run(f.manager.get_session(SessionRequest {
        flow: Some(Flow::Redirect),
        ..Default::default()
    }))
    .expect("signed in");
    run(f.manager.get_session(SessionRequest {
        scopes: ScopeSet::parse("groups"),
        ..Default::default()
    }))
    .expect("signed in");
    assert_eq!(
        *f.script.create_flows.borrow(),
        vec![Some(Flow::Redirect), None]
    );
}

fn ended(f: &Fixture) -> Option<(Ended, Option<String>)> {
    match f.manager.lifecycle() {
        Lifecycle::SignedOut { why, error } => Some((why, error.map(|e| e.name().to_owned()))),
        Lifecycle::SignedIn { .. } => None,
    }
}

fn failed(f: &Fixture) -> Option<String> {
    match f.manager.lifecycle() {
        Lifecycle::SignedIn { refresh_failed, .. } => refresh_failed.map(|e| e.name().to_owned()),
        Lifecycle::SignedOut { .. } => None,
    }
}

#[test]
fn the_lifecycle_says_when_it_expires_and_why_it_ended() {
    let f = fixture(
        Flow::Popup,
        vec![
            Ok(600),
            Err(AuthError::Network("offline".into())),
            Err(denied()),
        ],
    );
    let changes = Rc::new(RefCell::new(Vec::new()));
    let c = changes.clone();
    f.manager
        .set_on_change(Box::new(move |_, change| c.borrow_mut().push(change)));
    assert_eq!(ended(&f), Some((Ended::Initial, None)));
    let now = f.clock.get();
    run(f.manager.get_session(SessionRequest::default())).expect("signed in");
    let expected = Lifecycle::SignedIn {
        expires_at: Some(now + 600_000.0),
        refresh_failed: None,
    };
    assert_eq!(f.manager.lifecycle(), expected);
    // Inside the margin, no answer: served, and the lifecycle says the refresh failed.
    f.clock.set(now + 500_000.0);
    run(f.manager.get_session(SessionRequest::default())).expect("served");
    assert_eq!(failed(&f).as_deref(), Some("AuthConnectionError"));
    // Refused: still served until it expires, the failure now a refusal.
    run(f.manager.get_session(SessionRequest::default())).expect("served");
    assert_eq!(failed(&f).as_deref(), Some("AuthenticationError"));
    // Expired and refused: signed out, "expired", with the backend's error.
    f.clock.set(now + 700_000.0);
    let gone = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..Default::default()
    }));
    assert!(matches!(gone, Ok(None)));
    assert_eq!(
        ended(&f),
        Some((Ended::Expired, Some("AuthenticationError".into())))
    );
    assert_eq!(
        *changes.borrow(),
        vec![
            Change::Local(Announce::SignedIn),
            Change::RefreshFailed,
            Change::RefreshFailed,
            Change::Local(Announce::Expired),
        ]
    );
}

#[test]
fn the_lifecycle_tells_a_sign_out_here_from_one_elsewhere() {
    let f = fixture(Flow::Popup, vec![Ok(3600)]);
    run(f.manager.get_session(SessionRequest::default())).expect("signed in");
    run(f.manager.sign_out()).expect("signed out");
    assert_eq!(ended(&f), Some((Ended::SignOut, None)));
    run(f.manager.get_session(SessionRequest::default())).expect("signed in again");
    assert_eq!(ended(&f), None);
    f.manager.apply_remote(Remote::SignedOut { expired: false });
    assert_eq!(ended(&f), Some((Ended::OtherTab, None)));
    // Another tab's session ran out: explained as an expiry here too, not as a sign-out.
    run(f.manager.get_session(SessionRequest::default())).expect("signed in again");
    f.manager.apply_remote(Remote::SignedOut { expired: true });
    assert_eq!(ended(&f), Some((Ended::Expired, None)));
}

#[test]
fn background_refresh_comes_before_the_margin_once() {
    let f = fixture(Flow::Popup, vec![Ok(3600)]);
    let now = f.clock.get();
    let session = run(f.manager.get_session(SessionRequest::default()))
        .expect("ok")
        .expect("session");
    // One hour, margin 3 min: 60 s before the margin.
    let at = f.manager.renew_at(&session);
    assert_eq!(at, now + 3_360_000.0);
    // Not yet: nothing asked.
    f.clock.set(at - 1.0);
    run(f.manager.refresh_ahead());
    assert_eq!(f.script.refresh_calls.get(), 1);
    // Due: one refresh, and the next one is an hour later.
    f.clock.set(at);
    run(f.manager.refresh_ahead());
    assert_eq!(f.script.refresh_calls.get(), 2);
    let fresh = f.manager.current().expect("fresh");
    assert_eq!(f.manager.renew_at(&fresh), at + 3_360_000.0);
    // The session is not even in its margin: a caller never waited on it.
    assert!(!session.should_refresh(at, 180_000.0));
}

#[test]
fn a_failed_background_refresh_is_not_retried_by_the_timer() {
    let f = fixture(Flow::Popup, vec![Ok(3600), Err(denied())]);
    let session = run(f.manager.get_session(SessionRequest::default()))
        .expect("ok")
        .expect("session");
    f.clock.set(f.manager.renew_at(&session));
    run(f.manager.refresh_ahead());
    assert_eq!(f.script.refresh_calls.get(), 2);
    assert_eq!(failed(&f).as_deref(), Some("AuthenticationError"));
    // No timer after a failure; a direct call (a stale timer) does nothing either.
    assert_eq!(f.manager.renew_at(&session), 0.0);
    run(f.manager.refresh_ahead());
    assert_eq!(f.script.refresh_calls.get(), 2);
}

#[test]
fn a_siblings_fresh_session_makes_the_background_refresh_unnecessary() {
    let f = fixture(Flow::Popup, vec![Ok(3600)]);
    let session = run(f.manager.get_session(SessionRequest::default()))
        .expect("ok")
        .expect("session");
    let at = f.manager.renew_at(&session);
    f.clock.set(at);
    // A sibling's fresh session arrives before this tab's turn.
    f.manager.apply_remote(Remote::Session {
        kind: Announce::Refreshed,
        session: Box::new(session_with(3600, "openid email", at)),
    });
    run(f.manager.refresh_ahead());
    assert_eq!(f.script.refresh_calls.get(), 1, "only the first sign-in");
}

#[test]
fn sign_in_again_after_a_refused_refresh_opens_the_popup_instead_of_serving_the_ending_session() {
    let f = fixture(Flow::Popup, vec![Ok(600), Err(denied())]);
    let now = f.clock.get();
    run(f.manager.get_session(SessionRequest::default())).expect("signed in");
    f.clock.set(now + 500_000.0);
    let kept = run(f.manager.get_session(SessionRequest::default()))
        .expect("ok")
        .expect("served");
    assert_eq!(failed(&f).as_deref(), Some("AuthenticationError"));
    // A plain call is still served the ending session; a click (`instantPopup`) signs in again.
    let same = run(f.manager.get_session(SessionRequest::default()))
        .expect("ok")
        .expect("served");
    assert!(Rc::ptr_eq(&kept, &same));
    assert_eq!(f.script.create_calls.get(), 0);
    let fresh = run(f.manager.get_session(SessionRequest {
        instant_popup: true,
        ..Default::default()
    }))
    .expect("ok")
    .expect("signed in again");
    assert_eq!(f.script.create_calls.get(), 1);
    assert!(!Rc::ptr_eq(&kept, &fresh));
    assert_eq!(failed(&f), None, "the warning is over");
    // Only a refusal: after no answer, a click is served the session (the network may be back).
    let f = fixture(
        Flow::Popup,
        vec![Ok(600), Err(AuthError::Network("offline".into()))],
    );
    run(f.manager.get_session(SessionRequest::default())).expect("signed in");
    f.clock.set(now + 500_000.0);
    run(f.manager.get_session(SessionRequest::default())).expect("served");
    run(f.manager.get_session(SessionRequest {
        instant_popup: true,
        ..Default::default()
    }))
    .expect("served");
    assert_eq!(f.script.create_calls.get(), 0);
}

/// A network that is offline until the wait: then back (or not) as scripted.
struct FakeNetwork {
    offline: Cell<bool>,
    comes_back: bool,
    waits: Cell<u32>,
}

impl Network for Rc<FakeNetwork> {
    fn offline(&self) -> bool {
        self.offline.get()
    }
    fn back_online(&self, ms: f64) -> LocalBoxFuture<'static, bool> {
        assert_eq!(ms, 30_000.0, "bounded by the request timeout");
        self.waits.set(self.waits.get() + 1);
        self.offline.set(!self.comes_back);
        let back = self.comes_back;
        async move { back }.boxed_local()
    }
}

fn offline(f: &Fixture, comes_back: bool) -> Rc<FakeNetwork> {
    let network = Rc::new(FakeNetwork {
        offline: Cell::new(true),
        comes_back,
        waits: Cell::new(0),
    });
    f.manager.set_network(Rc::new(network.clone()));
    network
}

#[test]
fn a_caller_offline_is_answered_when_the_network_comes_back_within_the_timeout() {
    let unanswered = || Err(AuthError::Network("Failed to fetch".into()));
    // An expired session: no answer, the network comes back, the second try answers.
    let f = fixture(Flow::Popup, vec![Ok(600), unanswered(), Ok(600)]);
    let now = f.clock.get();
    run(f.manager.get_session(SessionRequest::default())).expect("signed in");
    let network = offline(&f, true);
    f.clock.set(now + 700_000.0);
    let fresh = run(f.manager.get_session(SessionRequest::default()));
    assert!(matches!(fresh, Ok(Some(_))), "{fresh:?}");
    assert_eq!((network.waits.get(), f.script.refresh_calls.get()), (1, 3));
    // Signed out, first call: the probe waits too, then the refresh cookie answers.
    let f = fixture(Flow::Popup, vec![unanswered(), Ok(600)]);
    let network = offline(&f, true);
    assert!(matches!(
        run(f.manager.get_session(SessionRequest::default())),
        Ok(Some(_))
    ));
    assert_eq!((network.waits.get(), f.script.create_calls.get()), (1, 0));
}

#[test]
fn offline_past_the_timeout_or_online_without_an_answer_is_an_error_at_once() {
    let unanswered = || Err(AuthError::Network("Failed to fetch".into()));
    // Still offline after the wait: the error, after one wait only.
    let f = fixture(Flow::Popup, vec![Ok(600), unanswered()]);
    let now = f.clock.get();
    run(f.manager.get_session(SessionRequest::default())).expect("signed in");
    let network = offline(&f, false);
    f.clock.set(now + 700_000.0);
    let e = run(f.manager.get_session(SessionRequest::default())).expect_err("no answer");
    assert_eq!(e.name(), "AuthConnectionError");
    assert_eq!((network.waits.get(), f.script.refresh_calls.get()), (1, 2));
    // Online but no answer (a backend restarting): no wait.
    network.offline.set(false);
    let e = run(f.manager.get_session(SessionRequest::default())).expect_err("no answer");
    assert_eq!(e.name(), "AuthConnectionError");
    assert_eq!(network.waits.get(), 1);
    // A still-valid session is served without waiting.
    let f = fixture(Flow::Popup, vec![Ok(600), unanswered()]);
    run(f.manager.get_session(SessionRequest::default())).expect("signed in");
    let network = offline(&f, true);
    f.clock.set(now + 500_000.0);
    assert!(matches!(
        run(f.manager.get_session(SessionRequest::default())),
        Ok(Some(_))
    ));
    assert_eq!(network.waits.get(), 0);
    // Expired: an optional caller waits too, then (still no answer) gets no session.
    f.clock.set(now + 700_000.0);
    network.offline.set(true);
    let optional = run(f.manager.get_session(SessionRequest {
        optional: true,
        ..Default::default()
    }));
    assert!(matches!(optional, Ok(None)));
    assert_eq!(network.waits.get(), 1);
}
