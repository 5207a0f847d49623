//! The [`Connector`] of the browser: `/refresh` and `/logout` over `fetch`, `/start` in a popup
//! or in the whole window.

use super::http::fetch;
use super::popup::{self, PopupRequest};
use super::redirect;
use crate::config::{ClientConfig, Flow};
use crate::error::AuthError;
use crate::http::HttpCall;
use crate::manager::Connector;
use crate::protocol::{follows_logout_url, logout_url_in, parse_refresh_body, AuthResponse};
use crate::scopes::ScopeSet;
use crate::session::Session;
use crate::urls::normalize_base_url;
use crate::urls::{logout_url, refresh_url, start_url, StartFlow};
use futures::future::{FutureExt, LocalBoxFuture};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The connector for `config`: the PKCE one for `flow: 'pkce'`, Backstage's otherwise.
pub fn for_config(
    config: Rc<ClientConfig>,
    base_fn: Option<js_sys::Function>,
    returned_error: ReturnedError,
) -> Box<dyn Connector> {
    #[cfg(feature = "pkce")]
    if let (Flow::Pkce, Some(pkce)) = (config.flow, config.pkce.clone()) {
        return Box::new(super::pkce::PkceConnector::new(config, pkce));
    }
    Box::new(BrowserConnector::new(config, base_fn, returned_error))
}

pub struct BrowserConnector {
    config: Rc<ClientConfig>,
    /// The auth base URL once known (given, or resolved once from `getAuthBaseUrl`).
    base: Rc<RefCell<Option<String>>>,
    base_fn: Option<js_sys::Function>,
    /// Redirect flow: the backend's error from the sign-in this tab came back from, not yet told.
    returned_error: ReturnedError,
}

/// Shared with the JS client, which can take it first (`takeRedirectError()`).
pub type ReturnedError = Rc<RefCell<Option<AuthError>>>;

impl BrowserConnector {
    pub fn new(
        config: Rc<ClientConfig>,
        base_fn: Option<js_sys::Function>,
        returned_error: ReturnedError,
    ) -> Self {
        let base = Rc::new(RefCell::new(config.auth_base_url.clone()));
        BrowserConnector {
            config,
            base,
            base_fn,
            returned_error,
        }
    }

    fn base_url(&self) -> LocalBoxFuture<'static, Result<String, AuthError>> {
        if let Some(base) = self.base.borrow().clone() {
            return futures::future::ready(Ok(base)).boxed_local();
        }
        let (cache, base_fn) = (self.base.clone(), self.base_fn.clone());
        async move {
            let base_fn = base_fn.ok_or_else(|| AuthError::Config("no auth base URL".into()))?;
            let returned = base_fn
                .call0(&wasm_bindgen::JsValue::NULL)
                .map_err(|_| AuthError::Config("getAuthBaseUrl threw".into()))?;
            let value = match returned.dyn_into::<js_sys::Promise>() {
                Ok(promise) => JsFuture::from(promise)
                    .await
                    .map_err(|_| AuthError::Config("getAuthBaseUrl rejected".into()))?,
                Err(value) => value,
            };
            let url = value.as_string().ok_or_else(|| {
                AuthError::Config("getAuthBaseUrl must resolve to a string".into())
            })?;
            let url = normalize_base_url(&url)?;
            *cache.borrow_mut() = Some(url.clone());
            Ok(url)
        }
        .boxed_local()
    }
}

fn window() -> Result<web_sys::Window, AuthError> {
    web_sys::window().ok_or(AuthError::Environment("no window"))
}

fn origin_of(url: &str) -> Result<String, AuthError> {
    web_sys::Url::new(url)
        .map(|u| u.origin())
        .map_err(|_| AuthError::Config("the auth base URL does not make a valid URL".into()))
}

/// What a timed-out request was (the `TimeoutError`'s message).
const BACKEND: &str = "Request to the auth backend";

fn timeout(config: &ClientConfig) -> u32 {
    config.request_timeout_seconds
}

impl Connector for BrowserConnector {
    /// `/refresh`: the backend's refresh cookie (or the proxy) is the credential, not `_basis`.
    fn refresh(
        &self,
        _basis: Option<&Session>,
        scopes: &ScopeSet,
    ) -> LocalBoxFuture<'static, Result<AuthResponse, AuthError>> {
        let (config, scopes, base) = (self.config.clone(), scopes.clone(), self.base_url());
        async move {
            let url = refresh_url(
                &base.await?,
                &config.provider_id,
                &scopes,
                &config.environment,
            );
            let answer = fetch(HttpCall::to_backend("GET", url), timeout(&config), BACKEND).await?;
            parse_refresh_body(answer.status, &answer.body)
        }
        .boxed_local()
    }

    fn create_session(
        &self,
        scopes: &ScopeSet,
        flow: Option<Flow>,
    ) -> LocalBoxFuture<'static, Result<AuthResponse, AuthError>> {
        let (config, scopes, base) = (self.config.clone(), scopes.clone(), self.base_url());
        // Coming back from a failed redirect sign-in: tell it once instead of leaving again
        // (an app that signs in on load would otherwise loop through the IdP).
        let returned = self.returned_error.borrow_mut().take();
        async move {
            if let Some(error) = returned {
                return Err(error);
            }
            let base = base.await?;
            let window = window()?;
            let app_origin = window
                .location()
                .origin()
                .map_err(|_| AuthError::Environment("no location.origin"))?;
            // A call may ask for the popup or the redirect flow; proxy and pkce clients keep theirs.
            let flow = match (config.flow, flow) {
                (Flow::Popup | Flow::Redirect, Some(asked @ (Flow::Popup | Flow::Redirect))) => {
                    asked
                }
                (configured, _) => configured,
            };
            let start = |flow, back: Option<&str>| {
                let (provider, env) = (&config.provider_id, &config.environment);
                start_url(&base, provider, &scopes, &app_origin, env, flow, back)
            };
            match flow {
                Flow::Popup => {
                    let url = start(StartFlow::Popup, None);
                    let shown = popup::show(PopupRequest {
                        backend_origin: origin_of(&url)?,
                        url,
                        name: popup::window_name(&config),
                        features: popup::features(&config, &window),
                        app_origin: app_origin.clone(),
                        timeout_s: config.popup_timeout_seconds,
                    })
                    .await;
                    match shown {
                        // Blocked (Safari/iOS, strict blockers): the whole window instead.
                        Err(AuthError::PopupRejected) if config.redirect_when_popup_blocked => {}
                        other => return other,
                    }
                }
                Flow::Redirect => {}
                Flow::Proxy => {
                    return Err(AuthError::Config(
                        "proxy providers sign in through /refresh only".into(),
                    ))
                }
                Flow::Pkce => {
                    return Err(AuthError::Config(
                        "the pkce flow signs in through its own connector".into(),
                    ))
                }
            }
            // The redirect flow: `/start` in the whole window, back to `redirectUrl` (default:
            // the exact current URL, path, query and hash).
            let back = match &config.redirect_url {
                Some(url) => url.clone(),
                None => window
                    .location()
                    .href()
                    .map_err(|_| AuthError::Environment("no location.href"))?,
            };
            let url = start(StartFlow::Redirect, Some(&back));
            redirect::leave_marker(&config);
            window
                .location()
                .assign(&url)
                .map_err(|_| AuthError::Config("navigation refused".into()))?;
            // The page is going away; the session comes back through /refresh after the redirect.
            futures::future::pending().await
        }
        .boxed_local()
    }

    fn logout(&self, _ended: Option<&Session>) -> LocalBoxFuture<'static, Result<(), AuthError>> {
        let (config, base) = (self.config.clone(), self.base_url());
        async move {
            let url = logout_url(&base.await?, &config.provider_id, &config.environment);
            let answer =
                fetch(HttpCall::to_backend("POST", url), timeout(&config), BACKEND).await?;
            match answer.status {
                200..=299 => {
                    // The provider's own sign-out page (Auth0's `logoutUrl`), as Backstage's
                    // client follows it: the page leaves, so this never resolves (an app that
                    // navigates after signOut() must not cut that navigation short).
                    let next = logout_url_in(&answer.body)
                        .and_then(|url| web_sys::Url::new(&url).ok())
                        .filter(|u| {
                            let credentials = !u.username().is_empty() || !u.password().is_empty();
                            follows_logout_url(&u.protocol(), &u.hostname(), credentials)
                        });
                    if let Some(next) = next {
                        window()?
                            .location()
                            .set_href(&next.href())
                            .map_err(|_| AuthError::Environment("location.href"))?;
                        futures::future::pending::<()>().await;
                    }
                    Ok(())
                }
                // Proxy providers (guest, ALB) have no /logout: signing out is local only.
                404 if config.flow == Flow::Proxy => Ok(()),
                status => parse_refresh_body(status, &answer.body).map(|_| ()),
            }
        }
        .boxed_local()
    }
}
