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

/// How often a caller waiting for the network looks at `navigator.onLine` again.
const ONLINE_POLL_MS: u32 = 250;

/// `navigator.onLine`, looked at again every [`ONLINE_POLL_MS`] while a caller waits (a short
/// poll, bounded by the request timeout: no listener to add and remove).
pub struct BrowserNetwork;

impl crate::manager::Network for BrowserNetwork {
    fn offline(&self) -> bool {
        web_sys::window().is_some_and(|w| !w.navigator().on_line())
    }

    fn back_online(&self, ms: f64) -> futures::future::LocalBoxFuture<'static, bool> {
        Box::pin(async move {
            let mut waited = 0.0;
            while waited < ms {
                gloo_timers::future::TimeoutFuture::new(ONLINE_POLL_MS).await;
                waited += f64::from(ONLINE_POLL_MS);
                if !BrowserNetwork.offline() {
                    return true;
                }
            }
            false
        })
    }
}
