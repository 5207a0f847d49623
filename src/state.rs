//! Session state: SignedIn / SignedOut, and the listeners told of each change.
//!
//! A plain listener list, not a futures-signals `Mutable`: the state has two values and one
//! kind of consumer (the JS Observable), and the signal and stream machinery cost ~6 KB of wasm
//! (measured, README). Listeners hear changes only, never a repeat of the same state.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

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

type Listener = Rc<dyn Fn(SessionState)>;

struct Inner {
    state: Cell<SessionState>,
    listeners: RefCell<Vec<(u32, Listener)>>,
    next_id: Cell<u32>,
}

#[derive(Clone)]
pub struct StateTracker(Rc<Inner>);

/// A registered listener; [`Listening::stop`] removes it (dropping it does not).
pub struct Listening {
    tracker: std::rc::Weak<Inner>,
    id: u32,
}

impl Listening {
    pub fn stop(&self) {
        if let Some(inner) = self.tracker.upgrade() {
            inner
                .listeners
                .borrow_mut()
                .retain(|(id, _)| *id != self.id);
        }
    }
}

impl StateTracker {
    pub fn new(initial: SessionState) -> Self {
        StateTracker(Rc::new(Inner {
            state: Cell::new(initial),
            listeners: RefCell::new(Vec::new()),
            next_id: Cell::new(0),
        }))
    }

    /// Changes the state; listeners hear of it only if it differs.
    pub fn set(&self, state: SessionState) {
        if self.0.state.replace(state) == state {
            return;
        }
        // A listener may subscribe or unsubscribe while being told: call a snapshot.
        let listeners: Vec<Listener> = self
            .0
            .listeners
            .borrow()
            .iter()
            .map(|(_, l)| l.clone())
            .collect();
        for listener in listeners {
            listener(state);
        }
    }

    pub fn get(&self) -> SessionState {
        self.0.state.get()
    }

    /// Calls `listener` with each later change (not with the current state).
    pub fn listen(&self, listener: impl Fn(SessionState) + 'static) -> Listening {
        let id = self.0.next_id.get();
        self.0.next_id.set(id.wrapping_add(1));
        self.0.listeners.borrow_mut().push((id, Rc::new(listener)));
        Listening {
            tracker: Rc::downgrade(&self.0),
            id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_changes_only_until_stopped() {
        let tracker = StateTracker::new(SessionState::SignedOut);
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = seen.clone();
        let listening = tracker.listen(move |s| sink.borrow_mut().push(s.as_str()));
        tracker.set(SessionState::SignedOut);
        tracker.set(SessionState::SignedIn);
        tracker.set(SessionState::SignedIn);
        tracker.set(SessionState::SignedOut);
        assert_eq!(*seen.borrow(), vec!["SignedIn", "SignedOut"]);
        assert_eq!(tracker.get(), SessionState::SignedOut);
        listening.stop();
        tracker.set(SessionState::SignedIn);
        assert_eq!(seen.borrow().len(), 2);
    }

    #[test]
    fn a_listener_may_stop_itself_while_told() {
        let tracker = StateTracker::new(SessionState::SignedOut);
        let slot: Rc<RefCell<Option<Listening>>> = Rc::new(RefCell::new(None));
        let calls = Rc::new(Cell::new(0));
        let (inner_slot, inner_calls) = (slot.clone(), calls.clone());
        *slot.borrow_mut() = Some(tracker.listen(move |_| {
            inner_calls.set(inner_calls.get() + 1);
            if let Some(l) = inner_slot.borrow().as_ref() {
                l.stop();
            }
        }));
        tracker.set(SessionState::SignedIn);
        tracker.set(SessionState::SignedOut);
        assert_eq!(calls.get(), 1);
    }
}
