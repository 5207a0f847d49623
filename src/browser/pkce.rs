//! The [`Connector`] of `flow: 'pkce'`: the OpenID provider straight from the page, without a
//! Backstage backend. Discovery and the token, refresh and revocation requests go over `fetch`
//! (no cookies, no custom headers: simple CORS requests); the sign-in is the same popup as
//! Backstage's, answered by `pkce-callback.html` on this app's origin. All protocol checks are
//! in [`crate::pkce`].

use super::http::fetch;
use super::popup::{self, Incoming, PopupRequest};
use super::{storage, BrowserClock};
use crate::clock::Clock;
use crate::config::{ClientConfig, PkceConfig};
use crate::error::AuthError;
use crate::http::{HttpAnswer, HttpCall};
use crate::manager::Connector;
use crate::pkce::{self, Carry, Provider, Randomness, CALLBACK_MESSAGE_TYPE};
use crate::protocol::AuthResponse;
use crate::scopes::ScopeSet;
use crate::session::Session;
use crate::store::{self, KeyValueStore};
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use std::cell::RefCell;
use std::rc::{Rc, Weak};

type SharedProvider = Shared<LocalBoxFuture<'static, Result<Rc<Provider>, AuthError>>>;

struct Inner {
    config: Rc<ClientConfig>,
    pkce: PkceConfig,
    /// Discovery, once: in flight or done (cleared again when it failed, to be retried).
    provider: Rc<RefCell<Option<SharedProvider>>>,
    /// The refresh token and what a refresh carries over, as last seen here. The stored session
    /// wins when it has one (another tab may have rotated the token); this copy covers memory
    /// storage, a reload after the access token expired, and the revocation at sign-out (the
    /// session manager clears the store before it calls `logout`).
    carry: RefCell<Option<Carry>>,
    /// The session store's storage, read (never written) for the current refresh token.
    storage: Option<Box<dyn KeyValueStore>>,
}

pub struct PkceConnector(Rc<Inner>);

impl PkceConnector {
    pub fn new(config: Rc<ClientConfig>, pkce: PkceConfig) -> Self {
        let storage = storage::open(config.storage).ok().flatten();
        let inner = Rc::new(Inner {
            config,
            pkce,
            provider: Rc::default(),
            carry: RefCell::new(None),
            storage,
        });
        // Read before the session manager loads the store (which drops an expired session):
        // the refresh token usually outlives the access token.
        let stored = inner.stored_carry();
        *inner.carry.borrow_mut() = stored;
        // Discover now, so that a sign-in click opens the popup at once (popup blockers want
        // `window.open` close to the user's gesture).
        wasm_bindgen_futures::spawn_local(inner.provider().map(|_| ()));
        PkceConnector(inner)
    }
}

impl Inner {
    fn provider(&self) -> SharedProvider {
        if let Some(in_flight) = self.provider.borrow().as_ref() {
            return in_flight.clone();
        }
        let (pkce, timeout_s) = (self.pkce.clone(), self.config.request_timeout_seconds);
        let slot: Weak<RefCell<Option<SharedProvider>>> = Rc::downgrade(&self.provider);
        let future = async move {
            let result = discover(pkce, timeout_s).await.map(Rc::new);
            if result.is_err() {
                if let Some(slot) = slot.upgrade() {
                    slot.borrow_mut().take();
                }
            }
            result
        }
        .boxed_local()
        .shared();
        *self.provider.borrow_mut() = Some(future.clone());
        future
    }

    /// The refresh token in the stored session, whatever the access token's expiry.
    fn stored_carry(&self) -> Option<Carry> {
        let raw = self
            .storage
            .as_ref()?
            .get(&store::storage_key(
                &self.config.provider_id,
                &self.config.environment,
            ))
            .ok()??;
        let session = store::decode(
            &raw,
            &self.config.provider_id,
            &self.config.environment,
            0.0,
        )
        .ok()?;
        Carry::from_session(&session)
    }

    fn current_carry(&self) -> Option<Carry> {
        if let Some(stored) = self.stored_carry() {
            *self.carry.borrow_mut() = Some(stored);
        }
        self.carry.borrow().clone()
    }

    fn remember(&self, response: &AuthResponse) {
        let session = Session::from_response(response.clone(), BrowserClock.now_ms());
        if let Some(carry) = session.ok().as_ref().and_then(Carry::from_session) {
            *self.carry.borrow_mut() = Some(carry);
        }
    }
}

async fn discover(pkce: PkceConfig, timeout_s: u32) -> Result<Provider, AuthError> {
    let request = HttpCall {
        method: "GET",
        url: pkce::discovery_url(&pkce.issuer),
        headers: vec![("accept", "application/json".into())],
        body: None,
        with_cookies: false,
    };
    let answer = fetch(request, timeout_s, PROVIDER).await?;
    let discovery = pkce::parse_discovery(answer.status, &answer.body, &pkce.issuer)?;
    Provider::new(pkce, discovery)
}

/// What a timed-out request was (the `TimeoutError`'s message).
const PROVIDER: &str = "Request to the OpenID provider";

fn http_client(
    timeout_s: u32,
) -> impl Fn(HttpCall) -> LocalBoxFuture<'static, Result<HttpAnswer, AuthError>> {
    move |request| fetch(request, timeout_s, PROVIDER).boxed_local()
}

/// The callback page's message: `{type, url}` (its `location.href`).
fn callback_message(value: &crate::json::Json) -> Option<Incoming<String>> {
    if value.get("type")?.as_str()? != CALLBACK_MESSAGE_TYPE {
        return None;
    }
    Some(Incoming::Done(
        value
            .get("url")
            .and_then(|u| u.as_str())
            .map(str::to_owned)
            .ok_or_else(|| AuthError::InvalidResponse("callback message without url".into())),
    ))
}

impl Connector for PkceConnector {
    fn refresh(
        &self,
        _scopes: &ScopeSet,
    ) -> LocalBoxFuture<'static, Result<AuthResponse, AuthError>> {
        // The refresh grant cannot widen the grant: a session with fewer scopes than wanted
        // comes back as is, and the session manager goes on to the popup.
        let inner = self.0.clone();
        async move {
            let previous = inner.current_carry().ok_or(AuthError::NoRefreshToken)?;
            let provider = inner.provider().await?;
            let http = http_client(inner.config.request_timeout_seconds);
            match provider.refresh(&http, &previous, &BrowserClock).await {
                Ok(response) => {
                    inner.remember(&response);
                    Ok(response)
                }
                Err(e) => {
                    // Revoked, expired or already used: this refresh token is dead.
                    if e.backend_name() == Some("invalid_grant") {
                        let mut carry = inner.carry.borrow_mut();
                        if carry.as_ref() == Some(&previous) {
                            carry.take();
                        }
                    }
                    Err(e)
                }
            }
        }
        .boxed_local()
    }

    fn create_session(
        &self,
        scopes: &ScopeSet,
    ) -> LocalBoxFuture<'static, Result<AuthResponse, AuthError>> {
        let (inner, scopes) = (self.0.clone(), scopes.clone());
        async move {
            let provider = inner.provider().await?;
            let window = web_sys::window().ok_or(AuthError::Environment("no window"))?;
            let app_origin = window
                .location()
                .origin()
                .map_err(|_| AuthError::Environment("no location.origin"))?;
            let callback_origin = web_sys::Url::new(&inner.pkce.redirect_uri)
                .map(|u| u.origin())
                .map_err(|_| AuthError::Config("pkce.redirectUri is not a URL".into()))?;
            if callback_origin != app_origin {
                // The callback page posts to its opener with its own origin as targetOrigin.
                return Err(AuthError::Config(format!(
                    "pkce.redirectUri must be on this app's origin ({app_origin})"
                )));
            }
            let pending = provider.authorize(&scopes, Randomness::new()?);
            let config = &inner.config;
            let callback_url = popup::show_with(
                PopupRequest {
                    url: pending.url.clone(),
                    name: popup::window_name(config),
                    features: popup::features(config, &window),
                    // The answer comes from our own callback page, in that very popup.
                    backend_origin: app_origin.clone(),
                    app_origin,
                    timeout_s: config.popup_timeout_seconds,
                },
                callback_message,
            )
            .await?;
            let code = provider.callback_code(&pending, &callback_url)?;
            let http = http_client(config.request_timeout_seconds);
            let response = provider
                .exchange_code(&http, pending, code, &BrowserClock)
                .await?;
            inner.remember(&response);
            Ok(response)
        }
        .boxed_local()
    }

    fn logout(&self) -> LocalBoxFuture<'static, Result<(), AuthError>> {
        let inner = self.0.clone();
        async move {
            // The session manager has already cleared the store: this copy is what is left.
            let Some(carry) = inner.carry.borrow_mut().take() else {
                return Ok(());
            };
            let provider = inner.provider().await?;
            let http = http_client(inner.config.request_timeout_seconds);
            provider.revoke(&http, &carry.refresh_token).await
        }
        .boxed_local()
    }

    fn forget(&self) {
        self.0.carry.borrow_mut().take();
    }

    fn adopt(&self, session: &Session) {
        // Another tab's session (announced or handed over) carries its current refresh token:
        // with memory storage this copy is the only place a later refresh can read it from.
        if let Some(carry) = Carry::from_session(session) {
            *self.0.carry.borrow_mut() = Some(carry);
        }
    }
}
