//! The session manager: when to serve the cached session, when to refresh, when to open a
//! popup, and ONE in-flight refresh (and popup) shared by every concurrent caller.
//!
//! It knows nothing of the browser: the backend is a [`Connector`], time is a [`Clock`], so the
//! whole policy runs under native `cargo test` with a scripted connector.

use crate::clock::Clock;
use crate::config::defaults::BACKGROUND_LEAD_MAX_SECONDS;
use crate::config::Flow;
use crate::error::AuthError;
use crate::lifecycle::{unanswered, Ended, Lifecycle};
use crate::protocol::AuthResponse;
use crate::scopes::ScopeSet;
use crate::session::Session;
use crate::state::{SessionState, StateTracker};
use crate::store::{Restored, SessionStore};
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use std::cell::RefCell;
use std::rc::Rc;

/// One flow's protocol: how a session is refreshed, created and ended. It keeps no session of
/// its own: the manager hands it the session it acts on.
pub trait Connector {
    /// A new session from `basis`, the session this tab holds (or last held: expired, it may
    /// still carry a PKCE refresh token), `None` when it holds none. Backstage: `/refresh` (the
    /// refresh cookie, or the proxy); PKCE: the refresh grant with `basis`'s refresh token.
    fn refresh(
        &self,
        basis: Option<&Session>,
        scopes: &ScopeSet,
    ) -> LocalBoxFuture<'static, Result<AuthResponse, AuthError>>;
    /// A new session through `/start` (popup; the redirect flow navigates away and never
    /// resolves), in `flow` when the call asks for one (popup or redirect), else as configured.
    fn create_session(
        &self,
        scopes: &ScopeSet,
        flow: Option<Flow>,
    ) -> LocalBoxFuture<'static, Result<AuthResponse, AuthError>>;
    /// Ends `ended` (the session just signed out here, if any) at the backend or provider:
    /// `/logout`, or the revocation of its refresh token.
    fn logout(&self, ended: Option<&Session>) -> LocalBoxFuture<'static, Result<(), AuthError>>;
}

/// A lock shared by the tabs of an origin around `/refresh` (Web Locks in the browser). The
/// guard is released when dropped, after the new session has been announced to the other tabs.
pub trait RefreshLock {
    fn acquire(&self) -> LocalBoxFuture<'static, Box<dyn std::any::Any>>;
}

/// The browser's view of the network. After a request got no answer while the browser says it
/// is offline, a caller waits (bounded) for it to come back and is answered then, instead of
/// failing at once.
pub trait Network {
    fn offline(&self) -> bool;
    /// `true` once the browser is online again, `false` after `ms`.
    fn back_online(&self, ms: f64) -> LocalBoxFuture<'static, bool>;
}

/// What this client tells the other tabs of a change it made (the browser glue turns it into a
/// channel message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announce {
    SignedIn,
    Refreshed,
    SignedOut,
    /// Signed out because the session ran out and could not be refreshed.
    Expired,
}

/// Where a session change came from: this client (to be announced to other tabs) or another tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Local(Announce),
    Remote,
    /// Not a new session: a refresh failed and the session is kept (a lifecycle change only).
    RefreshFailed,
}

/// What another tab did, already validated (the browser glue reads it from the channel or from
/// a `storage` event).
#[derive(Debug, Clone, PartialEq)]
pub enum Remote {
    /// A session it signed in (`Announce::SignedIn`) or refreshed, or handed to a new tab.
    Session {
        kind: Announce,
        session: Box<Session>,
    },
    /// It signed out, or (`expired`) its session ran out and could not be refreshed.
    SignedOut { expired: bool },
}

/// What a caller asks for.
#[derive(Debug, Clone, Default)]
pub struct SessionRequest {
    pub scopes: ScopeSet,
    /// Never open a popup; `Ok(None)` when there is no session.
    pub optional: bool,
    /// Skip the `/refresh` probe and go straight to the popup (keeps the user's click gesture).
    pub instant_popup: bool,
    /// This call's sign-in flow (popup or redirect), e.g. redirect from the sign-in page and a
    /// popup elsewhere; `None`: as configured.
    pub flow: Option<Flow>,
}

pub struct ManagerConfig {
    pub default_scopes: ScopeSet,
    pub refresh_margin_ms: f64,
    pub flow: Flow,
    /// `backgroundRefresh`: [`SessionManager::renew_at`] names a time, and `refresh_ahead` acts.
    pub background_refresh: bool,
    /// How long a caller waits for the network to come back (the request timeout).
    pub offline_wait_ms: f64,
}

/// Told of each new session (or `None`): the bindings rebuild their cached JS values and
/// announce local changes to the other tabs.
pub type OnChange = Box<dyn Fn(Option<&Rc<Session>>, Change)>;

type SharedResult = Shared<LocalBoxFuture<'static, Result<Rc<Session>, AuthError>>>;

struct Inner {
    connector: Box<dyn Connector>,
    clock: Box<dyn Clock>,
    store: SessionStore,
    config: ManagerConfig,
    state: StateTracker,
    lifecycle: RefCell<Lifecycle>,
    current: RefCell<Option<Rc<Session>>>,
    /// What a refresh starts from: the current session, or the last one after it expired (its
    /// PKCE refresh token may still be good). Gone with a sign-out or a refused refresh.
    basis: RefCell<Option<Rc<Session>>>,
    refreshing: RefCell<Option<SharedResult>>,
    creating: RefCell<Option<SharedResult>>,
    /// Called with the new session (or `None`) each time it changes: the bindings cache JS values.
    on_change: RefCell<Option<OnChange>>,
    lock: RefCell<Option<Rc<dyn RefreshLock>>>,
    network: RefCell<Option<Rc<dyn Network>>>,
}

#[derive(Clone)]
pub struct SessionManager(Rc<Inner>);

/// A manager reference that does not keep it alive (for callbacks the manager itself holds).
pub struct WeakSessionManager(std::rc::Weak<Inner>);

impl WeakSessionManager {
    pub fn upgrade(&self) -> Option<SessionManager> {
        self.0.upgrade().map(SessionManager)
    }
}

fn signed_in(session: &Session) -> Lifecycle {
    Lifecycle::SignedIn {
        expires_at: session.expires_at(),
        refresh_failed: None,
    }
}

/// At most this many rounds of refresh/popup per request (a backend that keeps answering with
/// too few scopes must not loop forever).
const MAX_ROUNDS: usize = 3;

impl SessionManager {
    pub fn new(
        connector: Box<dyn Connector>,
        clock: Box<dyn Clock>,
        store: SessionStore,
        config: ManagerConfig,
    ) -> Self {
        let (restored, basis) = match store.restore(clock.now_ms()) {
            Restored::Live(session) => {
                let session = Rc::new(session);
                (Some(session.clone()), Some(session))
            }
            Restored::Expired(session) => (None, Some(Rc::new(session))),
            Restored::Nothing => (None, None),
        };
        let (state, lifecycle) = match &restored {
            Some(session) => (SessionState::SignedIn, signed_in(session)),
            None => (
                SessionState::SignedOut,
                Lifecycle::SignedOut {
                    why: Ended::Initial,
                    error: None,
                },
            ),
        };
        let state = StateTracker::new(state);
        SessionManager(Rc::new(Inner {
            connector,
            clock,
            store,
            config,
            state,
            lifecycle: RefCell::new(lifecycle),
            current: RefCell::new(restored),
            basis: RefCell::new(basis),
            refreshing: RefCell::new(None),
            creating: RefCell::new(None),
            on_change: RefCell::new(None),
            lock: RefCell::new(None),
            network: RefCell::new(None),
        }))
    }

    pub fn state(&self) -> &StateTracker {
        &self.0.state
    }

    /// Where the session is in its life (`lifecycle$()`).
    pub fn lifecycle(&self) -> Lifecycle {
        self.0.lifecycle.borrow().clone()
    }

    pub fn set_on_change(&self, callback: OnChange) {
        *self.0.on_change.borrow_mut() = Some(callback);
    }

    /// Makes every `/refresh` of this client wait for (and hold) a lock shared with other tabs.
    pub fn set_refresh_lock(&self, lock: Rc<dyn RefreshLock>) {
        *self.0.lock.borrow_mut() = Some(lock);
    }

    /// Lets callers that met no answer while the browser is offline wait for it to come back.
    pub fn set_network(&self, network: Rc<dyn Network>) {
        *self.0.network.borrow_mut() = Some(network);
    }

    /// After no answer: when the browser says it is offline, waits (at most the request timeout)
    /// for it to come back; `true` when it did (worth one more try).
    async fn back_online(&self) -> bool {
        let network = self.0.network.borrow().clone();
        match network {
            Some(n) if n.offline() => n.back_online(self.0.config.offline_wait_ms).await,
            _ => false,
        }
    }

    /// Applies what another tab announced. Never announced again (no echo loops). `false` when
    /// it was only a copy of this tab's session (every tab holding it answers a `hello`).
    pub fn apply_remote(&self, event: Remote) -> bool {
        let current = self.0.current.borrow().clone();
        match event {
            Remote::SignedOut { expired } => {
                // Nothing may sign this tab back in silently.
                self.0.basis.borrow_mut().take();
                if current.is_some() {
                    let why = if expired {
                        Ended::Expired
                    } else {
                        Ended::OtherTab
                    };
                    self.end(Change::Remote, why, None);
                }
                true
            }
            Remote::Session { kind, session } => {
                let session = self.with_own_refresh_token(*session);
                // A refresh elsewhere must not take scopes away from this tab's session.
                let keeps_scopes = current
                    .as_ref()
                    .is_none_or(|c| session.scopes().contains_all(&c.scopes()));
                let changed = current.as_deref() != Some(&session);
                // Nor put back an older one, whatever its kind (a sibling answering `hello`
                // before it saw this tab's refresh, a `signedIn` delivered late): it may carry a
                // rotated-out PKCE refresh token. Older by when it was obtained, or, for records
                // without that time, by expiry.
                let older = current.as_ref().is_some_and(|c| {
                    let earlier = |theirs: Option<f64>, ours: Option<f64>| match (theirs, ours) {
                        (Some(theirs), Some(ours)) if theirs != ours => Some(theirs < ours),
                        _ => None,
                    };
                    earlier(session.obtained_at, c.obtained_at)
                        .or_else(|| earlier(session.expires_at(), c.expires_at()))
                        .unwrap_or(false)
                });
                if changed && !older && (kind == Announce::SignedIn || keeps_scopes) {
                    self.set_session(Some(Rc::new(session)), Change::Remote);
                }
                changed
            }
        }
    }

    /// A PKCE session announced without its refresh token (`pkce.shareRefreshToken` off) keeps
    /// the one this tab can use: the stored record's when it is that very session
    /// (`storage: 'local'`: the sender wrote it there before announcing it), else this tab's own
    /// (from its own sign-in), else none: then this tab follows the others' refreshes.
    fn with_own_refresh_token(&self, mut session: Session) -> Session {
        // Only the PKCE build has refresh tokens in sessions.
        if !cfg!(feature = "pkce") || self.0.config.flow != Flow::Pkce {
            return session;
        }
        let Some(provider) = session.provider.as_mut() else {
            return session;
        };
        if provider.refresh_token.is_some() {
            return session;
        }
        let token_of = |s: &Session| s.provider.as_ref().and_then(|p| p.refresh_token.clone());
        let same_grant = |s: &Session| {
            s.provider
                .as_ref()
                .is_some_and(|p| p.access_token.secret() == provider.access_token.secret())
        };
        let stored = self.0.store.load(self.0.clock.now_ms()).ok().flatten();
        provider.refresh_token = stored
            .filter(same_grant)
            .and_then(|s| token_of(&s))
            .or_else(|| self.0.basis.borrow().as_deref().and_then(token_of));
        session
    }

    /// The current session if it can be served right now without any I/O: valid for longer
    /// than the margin and holding `scopes`. The hot path of `getAccessToken`.
    pub fn cached(&self, scopes: &ScopeSet) -> Option<Rc<Session>> {
        let current = self.0.current.borrow();
        let session = current.as_ref()?;
        if session.should_refresh(self.0.clock.now_ms(), self.0.config.refresh_margin_ms) {
            return None;
        }
        // No union (it would allocate on every call): each set must be held on its own.
        let holds = |set: &ScopeSet| self.satisfies(session, set);
        (holds(&self.0.config.default_scopes) && holds(scopes)).then(|| session.clone())
    }

    pub fn downgrade(&self) -> WeakSessionManager {
        WeakSessionManager(Rc::downgrade(&self.0))
    }

    /// Until when (epoch ms) [`SessionManager::cached`] would serve `session` for the default
    /// scopes: the start of its refresh margin, `+inf` without an expiry, `0` when it lacks the
    /// default scopes. The JS side answers `getAccessToken()` by itself until then.
    pub fn serve_until(&self, session: &Session) -> f64 {
        if !self.satisfies(session, &self.0.config.default_scopes) {
            return 0.0;
        }
        session
            .refresh_at(self.0.config.refresh_margin_ms)
            .unwrap_or(f64::INFINITY)
    }

    fn wanted_scopes(&self, scopes: &ScopeSet) -> ScopeSet {
        self.0.config.default_scopes.union(scopes)
    }

    fn satisfies(&self, session: &Session, wanted: &ScopeSet) -> bool {
        // Proxy providers grant no OAuth scopes: there is nothing to ask for.
        self.0.config.flow == Flow::Proxy || session.has_scopes(wanted)
    }

    /// Until when (epoch ms) a visible page waits before it refreshes `session` in the
    /// background ([`Session::renew_at`]); `0`: never (`backgroundRefresh` off, no expiry, too
    /// short a lifetime, or the last refresh failed: then a call or a wake-up tries again, not a
    /// timer, so a refusal is not asked again and again).
    pub fn renew_at(&self, session: &Session) -> f64 {
        let failed = matches!(
            &*self.0.lifecycle.borrow(),
            Lifecycle::SignedIn {
                refresh_failed: Some(_),
                ..
            }
        );
        if !self.0.config.background_refresh || failed {
            return 0.0;
        }
        session
            .renew_at(
                self.0.config.refresh_margin_ms,
                BACKGROUND_LEAD_MAX_SECONDS * 1000.0,
            )
            .unwrap_or(0.0)
    }

    /// Ends the session here: `why` and `error` go to the lifecycle.
    fn end(&self, change: Change, why: Ended, error: Option<AuthError>) {
        *self.0.lifecycle.borrow_mut() = Lifecycle::SignedOut { why, error };
        self.set_session(None, change);
    }

    fn set_session(&self, session: Option<Rc<Session>>, change: Change) {
        match &session {
            Some(s) => {
                self.0.store.save(s);
                self.0.state.set(SessionState::SignedIn);
                *self.0.lifecycle.borrow_mut() = signed_in(s);
            }
            None => {
                self.0.store.clear();
                self.0.state.set(SessionState::SignedOut);
            }
        }
        if let Some(s) = &session {
            *self.0.basis.borrow_mut() = Some(s.clone());
        }
        *self.0.current.borrow_mut() = session.clone();
        self.notify(session.as_ref(), change);
    }

    fn notify(&self, session: Option<&Rc<Session>>, change: Change) {
        if let Some(cb) = self.0.on_change.borrow().as_ref() {
            cb(session, change);
        }
    }

    /// One `/refresh` for every concurrent caller. `ahead`: a background refresh, which the
    /// tabs' turn makes unnecessary as soon as this tab holds a session not yet due for one.
    fn shared_refresh(&self, scopes: ScopeSet, ahead: bool) -> SharedResult {
        if let Some(in_flight) = self.0.refreshing.borrow().as_ref() {
            return in_flight.clone();
        }
        let this = self.clone();
        let lock = self.0.lock.borrow().clone();
        let future = async move {
            let _guard = match &lock {
                Some(lock) => Some(lock.acquire().await),
                None => None,
            };
            // While this tab waited for the lock, another one may have refreshed and announced
            // its session: then there is nothing left to ask the backend.
            let margin = this.0.config.refresh_margin_ms;
            let current = this.0.current.borrow().clone();
            let now = this.0.clock.now_ms();
            let still_fresh = current.filter(|c| {
                let due = match ahead {
                    true => this.renew_at(c) <= now,
                    false => c.should_refresh(now, margin),
                };
                !due && this.satisfies(c, &scopes)
            });
            if let Some(session) = still_fresh {
                this.0.refreshing.borrow_mut().take();
                return Ok(session);
            }
            let basis = this.0.basis.borrow().clone();
            let mut result = this.0.connector.refresh(basis.as_deref(), &scopes).await;
            // No answer while the browser is offline and nothing to serve meanwhile (expired, or
            // no session): wait for the network (at most the request timeout) and ask once more,
            // so that a caller is answered instead of failing at once.
            let nothing_to_serve = || {
                let now = this.0.clock.now_ms();
                this.current().is_none_or(|c| c.is_expired(now))
            };
            if result.as_ref().is_err_and(unanswered)
                && nothing_to_serve()
                && this.back_online().await
            {
                result = this.0.connector.refresh(basis.as_deref(), &scopes).await;
            }
            let now = this.0.clock.now_ms();
            let result = result
                .and_then(|r| Session::from_response(r, now))
                .map(Rc::new);
            this.0.refreshing.borrow_mut().take();
            let current = this.0.current.borrow().clone();
            match &result {
                // Never trade a session for one with fewer scopes.
                Ok(fresh)
                    if current
                        .as_ref()
                        .is_none_or(|c| fresh.scopes().contains_all(&c.scopes())) =>
                {
                    let kind = if current.is_some() {
                        Announce::Refreshed
                    } else {
                        Announce::SignedIn
                    };
                    this.set_session(Some(fresh.clone()), Change::Local(kind));
                }
                Err(e) => {
                    // Only the PKCE build has refresh tokens in sessions.
                    if cfg!(feature = "pkce") && e.refresh_token_refused() {
                        this.drop_refresh_token();
                    }
                    // No answer is no refusal (offline, backend restarting): the session is
                    // kept, expired or not, and refreshed once the network is back (a later
                    // call, or a wake-up: `refresh_if_due`); never a sign-out, never a popup.
                    if current.is_some_and(|c| c.is_expired(now)) && !unanswered(e) {
                        // A tab without a PKCE refresh token asked no one: the other tabs'
                        // sessions (their refresh tokens) are theirs, so this sign-out is not
                        // announced.
                        let change = match e {
                            AuthError::NoRefreshToken => Change::Remote,
                            _ => Change::Local(Announce::Expired),
                        };
                        this.end(change, Ended::Expired, Some(e.clone()));
                        this.0.basis.borrow_mut().take();
                    } else if let (Some(kept), false) =
                        (this.current(), matches!(e, AuthError::NoRefreshToken))
                    {
                        // Served until it expires: the app may warn (`lifecycle$()`). Not a
                        // tab without a PKCE refresh token: it follows the others' refreshes.
                        *this.0.lifecycle.borrow_mut() = Lifecycle::SignedIn {
                            expires_at: kept.expires_at(),
                            refresh_failed: Some(e.clone()),
                        };
                        this.notify(Some(&kept), Change::RefreshFailed);
                    }
                }
                _ => {}
            }
            result
        }
        .boxed_local()
        .shared();
        *self.0.refreshing.borrow_mut() = Some(future.clone());
        future
    }

    /// One popup (or redirect) for every concurrent caller.
    fn shared_create(&self, scopes: ScopeSet, flow: Option<Flow>) -> SharedResult {
        if let Some(in_flight) = self.0.creating.borrow().as_ref() {
            return in_flight.clone();
        }
        let this = self.clone();
        let future = async move {
            let result = this.0.connector.create_session(&scopes, flow).await;
            let now = this.0.clock.now_ms();
            let result = result
                .and_then(|r| Session::from_response(r, now))
                .map(Rc::new);
            this.0.creating.borrow_mut().take();
            if let Ok(session) = &result {
                this.set_session(Some(session.clone()), Change::Local(Announce::SignedIn));
            }
            result
        }
        .boxed_local()
        .shared();
        *self.0.creating.borrow_mut() = Some(future.clone());
        future
    }

    /// A session holding `request.scopes`, refreshing or signing in as needed.
    pub async fn get_session(
        &self,
        request: SessionRequest,
    ) -> Result<Option<Rc<Session>>, AuthError> {
        let wanted = self.wanted_scopes(&request.scopes);
        let proxy = self.0.config.flow == Flow::Proxy;
        let mut probed = false;
        // The user asked to sign in again (a click: `instantPopup`) after the backend refused to
        // refresh this session: a popup now, not the session that is about to end.
        let renew = request.instant_popup && !proxy && self.refresh_refused();
        for _ in 0..MAX_ROUNDS {
            let current = self.0.current.borrow().clone();
            let current = current.filter(|_| !(renew && self.refresh_refused()));
            if let Some(session) = current.filter(|s| self.satisfies(s, &wanted)) {
                let now = self.0.clock.now_ms();
                if !session.should_refresh(now, self.0.config.refresh_margin_ms) {
                    return Ok(Some(session));
                }
                match self
                    .shared_refresh(session.scopes().union(&wanted), false)
                    .await
                {
                    Ok(fresh) if self.satisfies(&fresh, &wanted) => return Ok(Some(fresh)),
                    Ok(_) => {}
                    // Still valid (only inside the margin): serve it rather than fail.
                    Err(_) if !session.is_expired(self.0.clock.now_ms()) => {
                        return Ok(Some(session))
                    }
                    Err(_) if request.optional => return Ok(None),
                    Err(e) if proxy || unanswered(&e) => return Err(e),
                    Err(_) => {}
                }
            } else if self.0.current.borrow().is_none()
                && !probed
                && (!request.instant_popup || proxy)
            {
                // The refresh cookie (or the proxy) may still hold a session: try it first.
                probed = true;
                match self.shared_refresh(wanted.clone(), false).await {
                    // Fresh from the backend: served as is, even if its lifetime is under the margin.
                    Ok(fresh) if self.satisfies(&fresh, &wanted) => return Ok(Some(fresh)),
                    Ok(_) => {}
                    // Only a refusal (no session) leads to the popup: a backend that cannot be
                    // reached would only show the browser's error page in it.
                    Err(e) if proxy || unanswered(&e) => {
                        return if request.optional { Ok(None) } else { Err(e) };
                    }
                    Err(_) => {}
                }
            }
            if request.optional {
                return Ok(None);
            }
            if proxy {
                // Proxy sign-in is the refresh, which answered above; nothing else can be tried.
                return Err(AuthError::InvalidResponse(
                    "the proxy provider gave no session".into(),
                ));
            }
            let scopes = self
                .0
                .current
                .borrow()
                .as_ref()
                .map(|s| s.scopes())
                .unwrap_or_default()
                .union(&wanted);
            self.shared_create(scopes, request.flow).await?;
        }
        Err(AuthError::InvalidResponse(
            "the backend did not grant the requested scopes".into(),
        ))
    }

    /// A wake-up (the network is back, the page is in front of the user again): refreshes the
    /// session once when it is due, as a call would (one request for all tabs: the refresh
    /// lock), so that the next call does not wait for it. Never signs in, never opens a popup;
    /// a signed-out client stays signed out.
    pub async fn refresh_if_due(&self) {
        let Some(current) = self.current() else {
            return;
        };
        if current.should_refresh(self.0.clock.now_ms(), self.0.config.refresh_margin_ms) {
            let _ = self.shared_refresh(current.scopes(), false).await;
        }
    }

    /// The background refresh (`backgroundRefresh`, the JS half's timer at [`Self::renew_at`]
    /// while the page is visible): refreshes the session shortly before its refresh margin, so
    /// that no caller waits on `/refresh` in steady state. One request for all tabs: a tab that
    /// waited for the refresh lock and meanwhile got a sibling's fresh session asks nobody.
    pub async fn refresh_ahead(&self) {
        let Some(current) = self.current() else {
            return;
        };
        let at = self.renew_at(&current);
        if at > 0.0 && at <= self.0.clock.now_ms() {
            let _ = self.shared_refresh(current.scopes(), true).await;
        }
    }

    /// Whether the last refresh of the session held now was refused (not merely unanswered).
    fn refresh_refused(&self) -> bool {
        matches!(&*self.0.lifecycle.borrow(), Lifecycle::SignedIn { refresh_failed: Some(e), .. } if !unanswered(e))
    }

    /// Forgets the session here and at the backend. The local part always happens.
    pub async fn sign_out(&self) -> Result<(), AuthError> {
        let ended = self.0.basis.borrow_mut().take();
        self.end(Change::Local(Announce::SignedOut), Ended::SignOut, None);
        self.0.connector.logout(ended.as_deref()).await
    }

    /// The refresh token was refused (revoked, expired, already used): neither the session
    /// served until it expires nor the one kept after may send it again.
    fn drop_refresh_token(&self) {
        let without = |s: &Rc<Session>| {
            let mut copy = Session::clone(s);
            if let Some(p) = copy.provider.as_mut() {
                p.refresh_token = None;
            }
            Rc::new(copy)
        };
        let current = self.0.current.borrow().clone();
        match current {
            Some(c) if c.refresh_token().is_some() => {
                self.set_session(Some(without(&c)), Change::Remote)
            }
            _ => {
                let kept = self.0.basis.borrow().as_ref().map(without);
                *self.0.basis.borrow_mut() = kept;
            }
        }
    }

    pub fn current(&self) -> Option<Rc<Session>> {
        self.0.current.borrow().clone()
    }
}

#[cfg(test)]
mod tests;
