//! One HTTP request and its answer, as the protocol clients (the Backstage connector, the PKCE
//! flow) describe them. Sent by the browser's `fetch` (`browser/http.rs`), by a script in tests.

use crate::error::AuthError;
use futures::future::LocalBoxFuture;

/// A request: only simple CORS requests, but the PKCE flow's UserInfo one (`authorization`).
#[derive(Clone, PartialEq)]
pub struct HttpCall {
    /// `GET` or `POST`.
    pub method: &'static str,
    pub url: String,
    /// `accept`, `content-type`, `authorization`, `x-requested-with`.
    pub headers: Vec<(&'static str, String)>,
    /// An `application/x-www-form-urlencoded` body.
    pub body: Option<String>,
    /// Send and accept cookies (`credentials: 'include'`): the Backstage backend's refresh
    /// cookie. Requests to an OpenID provider go without (`'omit'`).
    pub with_cookies: bool,
}

impl HttpCall {
    /// A request to the Backstage auth backend: with its cookies and the header its CSRF check
    /// wants (`X-Requested-With: XMLHttpRequest`, as Backstage's own client sends it).
    pub fn to_backend(method: &'static str, url: String) -> HttpCall {
        HttpCall {
            method,
            url,
            headers: vec![("x-requested-with", "XMLHttpRequest".into())],
            body: None,
            with_cookies: true,
        }
    }
}

// Bodies carry codes, verifiers and refresh tokens; headers a bearer token: never printed.
impl std::fmt::Debug for HttpCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpCall")
            .field("method", &self.method)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// The answer: its status and body (whatever the status), as `Response.text()` reads it
/// (invalid UTF-8 replaced).
#[derive(Debug, Clone, PartialEq)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: String,
}

/// Sends an [`HttpCall`]; `Network` / `Timeout` errors when no answer came.
pub trait Transport {
    fn call(&self, request: HttpCall) -> LocalBoxFuture<'static, Result<HttpAnswer, AuthError>>;
}

impl<F> Transport for F
where
    F: Fn(HttpCall) -> LocalBoxFuture<'static, Result<HttpAnswer, AuthError>>,
{
    fn call(&self, request: HttpCall) -> LocalBoxFuture<'static, Result<HttpAnswer, AuthError>> {
        self(request)
    }
}
