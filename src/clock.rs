//! Time, as the pure core sees it: epoch milliseconds from whoever runs it (`Date.now()` in the
//! browser, a fake clock in tests).

pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
}
