//! The browser edges: each file wraps one web API; all policy lives in the pure modules.

pub mod bindings;
mod connector;
mod http;
mod js_error;
mod observable;
#[cfg(feature = "pkce")]
mod pkce;
mod popup;
mod redirect;
mod storage;
mod sync;

/// `Date.now()`, the clock of the session manager in the browser.
pub struct BrowserClock;

impl crate::clock::Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}
