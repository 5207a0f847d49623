//! Taking turns at the refresh across the tabs of an origin: the timing policy around the shared
//! refresh lock, on the core's clock. The browser glue (`browser/sync.rs`) supplies only the
//! primitives: the lock (Web Locks), the channel's counters and `hello`, a timer.
//!
//! A tab that finds the lock taken waits its turn, then gives the holder's announcement (posted
//! before it let go) [`ANNOUNCEMENT_GRACE_MS`] to arrive, so that it can take that session
//! instead of refreshing again. A tab without a session, when another tab holds a live one, asks
//! for it (`hello`) and waits at most [`HELLO_WAIT_MS`] for the answer. A tab alone waits for
//! nothing.

use crate::clock::Clock;
use core::future::Future;

/// How long a tab that waited for the refresh lock gives the holder's announcement to arrive.
pub const ANNOUNCEMENT_GRACE_MS: f64 = 300.0;
/// How long a tab without a session waits for a sibling's answer to its `hello` (a frozen or
/// busy sibling: then it refreshes as it would have).
pub const HELLO_WAIT_MS: f64 = 500.0;
/// How often a wait looks again (messages arrive between two looks).
pub const POLL_MS: u32 = 10;

/// What the tabs offer one client.
pub trait Tabs {
    /// Held until dropped.
    type Guard;
    /// The refresh lock: at once or `None` when `if_available` and another tab holds it; else
    /// when the tabs before this one are done (`None` if the lock cannot be had at all).
    fn lock(&self, if_available: bool) -> impl Future<Output = Option<Self::Guard>>;
    /// Announcements applied so far (copies of this tab's own session not counted).
    fn announcements(&self) -> u64;
    /// Whether this client holds a session now.
    fn has_session(&self) -> bool;
    /// Whether another client of the channel holds a live session (false when handoff is off).
    fn sibling_has_session(&self) -> impl Future<Output = bool>;
    /// Posts `hello`; false when it could not be sent.
    fn post_hello(&self) -> bool;
    fn sleep(&self, ms: u32) -> impl Future<Output = ()>;
}

/// Waits until `done()` or for `limit_ms`, looking every [`POLL_MS`].
async fn wait_until<T: Tabs>(tabs: &T, clock: &dyn Clock, limit_ms: f64, done: impl Fn() -> bool) {
    let deadline = clock.now_ms() + limit_ms;
    while !done() && clock.now_ms() < deadline {
        tabs.sleep(POLL_MS).await;
    }
}

/// This tab's turn at the refresh: the lock's guard (or `None` without a lock), taken after
/// the waits above.
pub async fn take_turn<T: Tabs>(tabs: &T, clock: &dyn Clock) -> Option<T::Guard> {
    let guard = match tabs.lock(true).await {
        Some(guard) => Some(guard),
        None => {
            let seen = tabs.announcements();
            let guard = tabs.lock(false).await;
            wait_until(tabs, clock, ANNOUNCEMENT_GRACE_MS, || {
                tabs.announcements() != seen
            })
            .await;
            guard
        }
    };
    // A new tab (no session yet): a sibling may hand its session over.
    if !tabs.has_session() && tabs.sibling_has_session().await {
        let seen = tabs.announcements();
        if tabs.post_hello() {
            wait_until(tabs, clock, HELLO_WAIT_MS, || {
                tabs.announcements() != seen || tabs.has_session()
            })
            .await;
        }
    }
    guard
}

#[cfg(test)]
mod tests;
