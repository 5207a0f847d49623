//! The [`Connector`] of `flow: 'pkce'`: the OpenID provider straight from the page, without a
//! Backstage backend. Discovery and the token, refresh and revocation requests go over `fetch`
//! (no cookies, no custom headers: simple CORS requests); the sign-in is the same popup as
//! Backstage's, answered by `pkce-callback.html` on this app's origin. All protocol checks are
//! in [`crate::pkce`].

use super::http::fetch;
use super::popup::{self, Incoming, PopupRequest};
use super::BrowserClock;
use crate::config::{ClientConfig, Flow, PkceConfig};
use crate::error::AuthError;
use crate::http::{HttpAnswer, HttpCall};
use crate::manager::Connector;
use crate::pkce::{self, Carry, Provider, Randomness, CALLBACK_MESSAGE_TYPE};
use crate::protocol::AuthResponse;
use crate::scopes::ScopeSet;
use crate::session::Session;
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use std::cell::RefCell;
use std::rc::{Rc, Weak};

type SharedProvider = Shared<LocalBoxFuture<'static, Result<Rc<Provider>, AuthError>>>;

struct Inner {
    config: Rc<ClientConfig>,
    pkce: PkceConfig,
    /// Discovery, once: in flight or done (cleared again when it failed, to be retried).
    provider: Rc<RefCell<Option<SharedProvider>>>,
}

pub struct PkceConnector(Rc<Inner>);

impl PkceConnector {
    pub fn new(config: Rc<ClientConfig>, pkce: PkceConfig) -> Self {
        let inner = Rc::new(Inner {
            config,
            pkce,
            provider: Rc::default(),
        });
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
        basis: Option<&Session>,
        _scopes: &ScopeSet,
    ) -> LocalBoxFuture<'static, Result<AuthResponse, AuthError>> {
        // The refresh grant cannot widen the grant: a session with fewer scopes than wanted
        // comes back as is, and the session manager goes on to the popup.
        let (inner, previous) = (self.0.clone(), basis.and_then(Carry::from_session));
        async move {
            let previous = previous.ok_or(AuthError::NoRefreshToken)?;
            let provider = inner.provider().await?;
            let http = http_client(inner.config.request_timeout_seconds);
            provider.refresh(&http, &previous, &BrowserClock).await
        }
        .boxed_local()
    }

    /// Always the popup: the PKCE flow has no redirect variant (`_flow` is not followed).
    fn create_session(
        &self,
        scopes: &ScopeSet,
        _flow: Option<Flow>,
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
            provider
                .exchange_code(&http, pending, code, &BrowserClock)
                .await
        }
        .boxed_local()
    }

    fn logout(&self, ended: Option<&Session>) -> LocalBoxFuture<'static, Result<(), AuthError>> {
        let inner = self.0.clone();
        let refresh_token = ended.and_then(Session::refresh_token).cloned();
        let id_token = ended.and_then(|s| s.provider.as_ref()?.id_token.clone());
        async move {
            if refresh_token.is_none() && inner.pkce.post_logout_redirect_uri.is_none() {
                return Ok(());
            }
            let provider = inner.provider().await?;
            let revoked = match refresh_token {
                Some(token) => {
                    let http = http_client(inner.config.request_timeout_seconds);
                    provider.revoke(&http, &token).await
                }
                None => Ok(()),
            };
            // RP-initiated logout (`pkce.postLogoutRedirectUri`): the provider ends its own
            // session and sends the browser back; the page leaves, so this never resolves.
            if let Some(url) = provider.end_session_url(id_token.as_ref()) {
                web_sys::window()
                    .ok_or(AuthError::Environment("no window"))?
                    .location()
                    .set_href(&url)
                    .map_err(|_| AuthError::Environment("location.href"))?;
                futures::future::pending::<()>().await;
            }
            revoked
        }
        .boxed_local()
    }
}
