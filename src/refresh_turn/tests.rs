//! The turn policy on a fake clock: each wait ends when what it waits for arrives, or at its
//! limit, and a tab alone waits for nothing.

use super::*;
use core::future::Future;
use futures::executor::block_on;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Scripted tabs: time moves only when the policy sleeps; an announcement arrives at
/// `announce_at` (ms after the start), a session with it when `answers_hello`.
struct Script {
    now: Rc<Cell<f64>>,
    lock_free: bool,
    /// When the lock is granted to a waiting tab (ms after the start).
    granted_at: f64,
    announce_at: Option<f64>,
    sibling: bool,
    has_session: Cell<bool>,
    answers_hello: bool,
    hellos: Cell<u32>,
    slept: RefCell<Vec<u32>>,
}

impl Script {
    fn new() -> Script {
        Script {
            now: Rc::new(Cell::new(0.0)),
            lock_free: true,
            granted_at: 0.0,
            announce_at: None,
            sibling: false,
            has_session: Cell::new(false),
            answers_hello: false,
            hellos: Cell::new(0),
            slept: RefCell::new(Vec::new()),
        }
    }
}

struct Now(Rc<Cell<f64>>);
impl Clock for Now {
    fn now_ms(&self) -> f64 {
        self.0.get()
    }
}

impl Tabs for Script {
    type Guard = &'static str;
    fn lock(&self, if_available: bool) -> impl Future<Output = Option<&'static str>> {
        let granted = if self.lock_free {
            Some("at once")
        } else if if_available {
            None
        } else {
            self.now.set(self.granted_at); // waited for the holder
            Some("after waiting")
        };
        async move { granted }
    }
    fn announcements(&self) -> u64 {
        let arrived = self.announce_at.is_some_and(|at| self.now.get() >= at);
        if arrived && self.answers_hello && self.hellos.get() > 0 {
            self.has_session.set(true);
        }
        u64::from(arrived)
    }
    fn has_session(&self) -> bool {
        self.has_session.get()
    }
    fn sibling_has_session(&self) -> impl Future<Output = bool> {
        let sibling = self.sibling;
        async move { sibling }
    }
    fn post_hello(&self) -> bool {
        self.hellos.set(self.hellos.get() + 1);
        true
    }
    fn sleep(&self, ms: u32) -> impl Future<Output = ()> {
        self.slept.borrow_mut().push(ms);
        self.now.set(self.now.get() + f64::from(ms));
        async {}
    }
}

fn turn(script: &Script) -> Option<&'static str> {
    block_on(take_turn(script, &Now(script.now.clone())))
}

#[test]
fn a_tab_alone_with_a_free_lock_waits_for_nothing() {
    let s = Script::new();
    s.has_session.set(true);
    assert_eq!(turn(&s), Some("at once"));
    assert!(s.slept.borrow().is_empty());
    assert_eq!(s.hellos.get(), 0);
    // Without a session but without a sibling that has one: no hello, no wait either.
    s.has_session.set(false);
    assert_eq!(turn(&s), Some("at once"));
    assert_eq!(s.hellos.get(), 0);
    assert!(s.slept.borrow().is_empty());
}

#[test]
fn after_waiting_for_the_lock_the_holders_announcement_ends_the_grace_early() {
    let mut s = Script::new();
    s.lock_free = false;
    s.has_session.set(true);
    s.granted_at = 1_000.0;
    s.announce_at = Some(1_040.0);
    assert_eq!(turn(&s), Some("after waiting"));
    assert_eq!(s.now.get(), 1_040.0, "stopped when it arrived");
}

#[test]
fn without_an_announcement_the_grace_runs_out() {
    let mut s = Script::new();
    s.lock_free = false;
    s.has_session.set(true);
    s.granted_at = 1_000.0;
    assert_eq!(turn(&s), Some("after waiting"));
    assert_eq!(s.now.get(), 1_000.0 + ANNOUNCEMENT_GRACE_MS);
    assert!(s.slept.borrow().iter().all(|ms| *ms == POLL_MS));
}

#[test]
fn a_new_tab_asks_a_sibling_and_takes_its_answer() {
    let mut s = Script::new();
    s.sibling = true;
    s.answers_hello = true;
    s.announce_at = Some(30.0);
    assert_eq!(turn(&s), Some("at once"));
    assert_eq!(s.hellos.get(), 1);
    assert!(s.has_session());
    assert_eq!(s.now.get(), 30.0, "stopped at the answer");
}

#[test]
fn a_silent_sibling_costs_at_most_the_hello_wait() {
    let mut s = Script::new();
    s.sibling = true;
    assert_eq!(turn(&s), Some("at once"));
    assert_eq!(s.hellos.get(), 1);
    assert_eq!(s.now.get(), HELLO_WAIT_MS);
}
