//! `fetch` for every request of the client (the Backstage backend's `/refresh` and `/logout`,
//! the PKCE flow's discovery, token, UserInfo and revocation requests), in a bounded time.
//!
//! Straight on `window.fetch` (web-sys), not gloo-net: a few calls with fixed headers need no
//! request builder, and gloo-net's error type formats through `core::fmt` (the PKCE module was
//! 5.4 KB gzip larger with it, 120.6 → 115.1 KB).

use crate::error::AuthError;
use crate::http::{HttpAnswer, HttpCall};
use futures::future::{select, Either};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The message of a rejected `fetch` (a `TypeError` such as "Failed to fetch").
fn network_error(error: JsValue) -> AuthError {
    let message = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "fetch failed".into());
    AuthError::Network(message)
}

/// Sends `request` with `window.fetch`; its status and body, or a typed error. Aborted after
/// `timeout_s` seconds (a `TimeoutError` naming `what`).
pub async fn fetch(
    request: HttpCall,
    timeout_s: u32,
    what: &'static str,
) -> Result<HttpAnswer, AuthError> {
    bounded(timeout_s, what, move |signal| async move {
        let window = web_sys::window().ok_or(AuthError::Environment("no window"))?;
        let init = web_sys::RequestInit::new();
        init.set_method(request.method);
        init.set_credentials(if request.with_cookies {
            web_sys::RequestCredentials::Include
        } else {
            web_sys::RequestCredentials::Omit
        });
        init.set_signal(Some(&signal));
        let headers = web_sys::Headers::new().map_err(network_error)?;
        for (name, value) in &request.headers {
            headers.set(name, value).map_err(network_error)?;
        }
        init.set_headers(&headers);
        if let Some(body) = &request.body {
            init.set_body(&JsValue::from_str(body));
        }
        let response = JsFuture::from(window.fetch_with_str_and_init(&request.url, &init))
            .await
            .map_err(network_error)?;
        let response: web_sys::Response = response.unchecked_into();
        let status = response.status();
        let text = response.text().map_err(network_error)?;
        let body = JsFuture::from(text).await.map_err(network_error)?;
        Ok(HttpAnswer {
            status,
            body: body.as_string().unwrap_or_default(),
        })
    })
    .await
}

/// Runs the request `make(signal)` builds; past `timeout_s` it is aborted through `signal` and
/// the answer is a `TimeoutError` naming `what`.
pub async fn bounded<T, F, Fut>(timeout_s: u32, what: &'static str, make: F) -> Result<T, AuthError>
where
    F: FnOnce(web_sys::AbortSignal) -> Fut,
    Fut: std::future::Future<Output = Result<T, AuthError>>,
{
    let controller = web_sys::AbortController::new()
        .map_err(|_| AuthError::Network("AbortController".into()))?;
    let request = make(controller.signal());
    let timeout = gloo_timers::future::TimeoutFuture::new(timeout_s.saturating_mul(1000));
    match select(Box::pin(request), timeout).await {
        Either::Left((result, _)) => result,
        Either::Right(((), _)) => {
            controller.abort();
            Err(AuthError::Timeout {
                what,
                seconds: timeout_s,
            })
        }
    }
}
