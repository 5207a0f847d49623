//! `fetch` to the auth backend: the CSRF header, the refresh cookie, and a bounded time.

use crate::error::AuthError;
use futures::future::{select, Either};
use gloo_net::http::{Method, RequestBuilder};

/// Sends `method url` with `X-Requested-With: XMLHttpRequest` and `credentials: 'include'`;
/// the answer's status and body, or a typed error. Aborted after `timeout_s` seconds.
pub async fn call(method: Method, url: &str, timeout_s: u32) -> Result<(u16, String), AuthError> {
    let url = url.to_owned();
    bounded(
        timeout_s,
        "Request to the auth backend",
        move |signal| async move {
            let response = RequestBuilder::new(&url)
                .method(method)
                .header("X-Requested-With", "XMLHttpRequest")
                .credentials(web_sys::RequestCredentials::Include)
                .abort_signal(Some(&signal))
                .send()
                .await
                .map_err(|e| AuthError::Network(e.to_string()))?;
            let status = response.status();
            let body = response
                .text()
                .await
                .map_err(|e| AuthError::Network(e.to_string()))?;
            Ok((status, body))
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
