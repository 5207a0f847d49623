//! Session state: SignedIn / SignedOut in a futures-signals `Mutable`, so that any number of
//! observers see the current state first and then only changes.

use futures_signals::signal::{Mutable, Signal, SignalExt};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    SignedIn,
    SignedOut,
}

impl SessionState {
    /// The string Backstage's `SessionState` enum uses.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::SignedIn => "SignedIn",
            SessionState::SignedOut => "SignedOut",
        }
    }
}

#[derive(Clone)]
pub struct StateTracker(Mutable<SessionState>);

impl StateTracker {
    pub fn new(initial: SessionState) -> Self {
        StateTracker(Mutable::new(initial))
    }

    /// Changes the state; observers hear of it only if it differs.
    pub fn set(&self, state: SessionState) {
        self.0.set_neq(state);
    }

    pub fn get(&self) -> SessionState {
        self.0.get()
    }

    /// The current state, then each change (consecutive duplicates removed).
    pub fn signal(&self) -> impl Signal<Item = SessionState> {
        self.0.signal().dedupe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::LocalPool;
    use futures::task::LocalSpawnExt;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[test]
    fn emits_current_then_changes_only() {
        let tracker = StateTracker::new(SessionState::SignedOut);
        let seen = Rc::new(RefCell::new(Vec::new()));
        let mut pool = LocalPool::new();
        let sink = seen.clone();
        let stream = tracker.signal().to_stream();
        pool.spawner()
            .spawn_local(futures::StreamExt::for_each(stream, move |s| {
                sink.borrow_mut().push(s.as_str());
                async {}
            }))
            .expect("spawn");
        pool.run_until_stalled();
        tracker.set(SessionState::SignedOut);
        pool.run_until_stalled();
        tracker.set(SessionState::SignedIn);
        pool.run_until_stalled();
        tracker.set(SessionState::SignedIn);
        pool.run_until_stalled();
        tracker.set(SessionState::SignedOut);
        pool.run_until_stalled();
        assert_eq!(*seen.borrow(), vec!["SignedOut", "SignedIn", "SignedOut"]);
    }
}
