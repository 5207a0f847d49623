//! `fetch` to the auth backend: the CSRF header, the refresh cookie, and a bounded time.
//!
//! Straight on `window.fetch` (web-sys), not gloo-net: two calls with fixed headers need no
//! request builder, and gloo-net's error type formats through `core::fmt`.

use crate::error::AuthError;
use futures::future::{select, Either};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `GET` or `POST`: the only methods the backend's routes take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// The message of a rejected `fetch` (a `TypeError` such as "Failed to fetch").
fn network_error(error: JsValue) -> AuthError {
    let message = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "fetch failed".into());
    AuthError::Network(message)
}

/// Sends `method url` with `X-Requested-With: XMLHttpRequest` and `credentials: 'include'`;
/// the answer's status and body, or a typed error. Aborted after `timeout_s` seconds.
pub async fn call(method: Method, url: &str, timeout_s: u32) -> Result<(u16, String), AuthError> {
    let url = url.to_owned();
    bounded(
        timeout_s,
        "Request to the auth backend",
        move |signal| async move {
            let window = web_sys::window().ok_or_else(|| AuthError::Network("no window".into()))?;
            let init = web_sys::RequestInit::new();
            init.set_method(match method {
                Method::Get => "GET",
                Method::Post => "POST",
            });
            init.set_credentials(web_sys::RequestCredentials::Include);
            init.set_signal(Some(&signal));
            let headers = web_sys::Headers::new().map_err(network_error)?;
            headers
                .set("X-Requested-With", "XMLHttpRequest")
                .map_err(network_error)?;
            init.set_headers(&headers);
            let response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
                .await
                .map_err(network_error)?;
            let response: web_sys::Response = response.unchecked_into();
            let status = response.status();
            let text = response.text().map_err(network_error)?;
            let body = JsFuture::from(text).await.map_err(network_error)?;
            Ok((status, body.as_string().unwrap_or_default()))
        },
    )
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
