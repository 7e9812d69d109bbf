//! What bounds the requests a run sends, whatever path sends them.
//!
//! Owns [`Guard`], shared by every [`super::endpoint::Endpoint`] of a run: the create
//! budget of a target without world control (a request whose documented outcome may
//! create an image is sent only while budget is left; every image created is listed),
//! the [`Stop`] signal (a deadline, Ctrl-C, SIGTERM, or the circuit breaker) that ends
//! sends in flight and keeps new ones from starting, and the breaker itself (so many
//! timeouts or broken connections in a row declare the target unresponsive). The
//! harness's one sending step ([`super::exchange::exchange`]) asks the guard before every
//! send: first sends, reruns, shrinking, replays and snapshots alike.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::harness::declared::Deviation;
use crate::harness::own::Created;

/// Why a run stops early, and the signal that tells its sends.
#[derive(Debug, Default)]
pub struct Stop {
    stopped: AtomicBool,
    reason: Mutex<Option<String>>,
    notify: Notify,
}

impl Stop {
    /// A signal that has not fired.
    pub fn new() -> Arc<Stop> {
        Arc::new(Stop::default())
    }

    /// Fires the signal (the first reason given is kept).
    pub fn stop(&self, reason: impl Into<String>) {
        {
            let mut r = self.reason.lock().unwrap_or_else(|p| p.into_inner());
            if r.is_none() {
                *r = Some(reason.into());
            }
        }
        self.stopped.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Whether it fired.
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Why it fired.
    pub fn reason(&self) -> Option<String> {
        self.reason.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Resolves once it has fired.
    pub async fn fired(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_stopped() {
                return;
            }
            notified.await;
        }
    }
}

/// Images a run may create on a target without world control, and those it did.
#[derive(Debug)]
pub struct Budget {
    remaining: AtomicUsize,
    withheld: AtomicUsize,
    created: Mutex<Vec<Created>>,
}

impl Budget {
    /// At most `n` requests that may create an image.
    pub fn new(n: usize) -> Budget {
        Budget { remaining: AtomicUsize::new(n), withheld: AtomicUsize::new(0), created: Mutex::new(Vec::new()) }
    }

    /// Takes one request's worth; `false` (and counted as withheld) when none is left.
    fn take(&self) -> bool {
        let took = self.remaining.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| b.checked_sub(1)).is_ok();
        if !took {
            self.withheld.fetch_add(1, Ordering::Relaxed);
        }
        took
    }

    /// Requests not sent because the budget was spent.
    pub fn withheld(&self) -> usize {
        self.withheld.load(Ordering::Relaxed)
    }

    /// The images created, in order.
    pub fn created(&self) -> Vec<Created> {
        self.created.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn record(&self, image: &str, region: &str) {
        let mut created = self.created.lock().unwrap_or_else(|p| p.into_inner());
        if !created.iter().any(|c| c.image == image) {
            created.push(Created { image: image.to_owned(), region: region.to_owned() });
        }
    }
}

/// The guard of one run (see the module doc).
#[derive(Debug)]
pub struct Guard {
    /// The create budget; `None` for a target whose world the harness stages.
    pub budget: Option<Budget>,
    /// The stop signal.
    pub stop: Arc<Stop>,
    /// Transport failures in a row that declare the target unresponsive (0: never).
    unresponsive_after: usize,
    in_a_row: AtomicUsize,
    /// The most reply bytes read.
    pub max_reply_bytes: usize,
    /// Rules the target declares it does not implement: a request whose prediction
    /// involves one is not sent.
    pub disabled: Vec<crate::rules::RuleId>,
    /// Known deviations: a mismatch that is one is taken out of the verdict.
    pub expectations: Option<Arc<crate::harness::declared::Expectations>>,
}

/// The default most reply bytes read: a documented reply is a few hundred bytes.
pub const MAX_REPLY_BYTES: usize = 4 << 20;

impl Guard {
    /// A guard: a create budget for a target without control (`None` for one with it),
    /// a stop signal, a breaker after `unresponsive_after` transport failures in a row.
    pub fn new(budget: Option<usize>, stop: Arc<Stop>, unresponsive_after: usize, max_reply_bytes: usize) -> Guard {
        Guard {
            budget: budget.map(Budget::new),
            stop,
            unresponsive_after,
            in_a_row: AtomicUsize::new(0),
            max_reply_bytes,
            disabled: Vec::new(),
            expectations: None,
        }
    }

    /// The same guard with rules declared out.
    pub fn with_disabled(mut self, disabled: Vec<crate::rules::RuleId>) -> Guard {
        self.disabled = disabled;
        self
    }

    /// The same guard with known deviations.
    pub fn with_expectations(mut self, expectations: Option<Arc<crate::harness::declared::Expectations>>) -> Guard {
        self.expectations = expectations;
        self
    }

    /// Applies the target's declarations to a verdict: the checks of rules declared out
    /// go (they count neither way), and mismatches that are listed known deviations are
    /// taken out and returned, each rule with the entry it matched.
    pub fn declared_mismatches(
        &self,
        verdict: &mut crate::harness::compare::Verdict,
    ) -> Vec<(crate::rules::RuleId, Deviation)> {
        if !self.disabled.is_empty() {
            verdict.exercised.retain(|r| !self.disabled.contains(r));
            verdict.mismatches.retain(|m| !self.disabled.contains(&m.rule));
        }
        let mut expected: Vec<(crate::rules::RuleId, Deviation)> = Vec::new();
        if let Some(e) = &self.expectations {
            let seen = &verdict.seen;
            verdict.mismatches.retain(|m| match e.expect(m.rule, seen) {
                Some(d) => {
                    if !expected.iter().any(|(r, _)| *r == m.rule) {
                        expected.push((m.rule, d.clone()));
                    }
                    false
                }
                None => true,
            });
        }
        expected
    }

    /// Whether a request with this prediction needs a rule declared out (without a
    /// declaration, nothing is computed: this is on every send's path).
    pub fn declared_out(&self, prediction: &crate::oracle::Prediction) -> bool {
        !self.disabled.is_empty() && prediction.rules().iter().any(|r| self.disabled.contains(r))
    }

    /// Whether a request that `may_create` an image may be sent (taking budget for it).
    pub fn allows(&self, may_create: bool) -> bool {
        match (&self.budget, may_create) {
            (Some(b), true) => b.take(),
            _ => true,
        }
    }

    /// Notes an image the target created, and its region.
    pub fn created(&self, image: &str, region: &str) {
        if let Some(b) = &self.budget {
            b.record(image, region);
        }
    }

    /// Notes how a send ended: a reply, or a timeout or broken connection (`false`).
    /// Trips the breaker after so many failures in a row.
    pub fn delivered(&self, answered: bool) {
        if answered {
            self.in_a_row.store(0, Ordering::Relaxed);
            return;
        }
        let n = self.in_a_row.fetch_add(1, Ordering::Relaxed) + 1;
        if self.unresponsive_after > 0 && n >= self.unresponsive_after {
            self.stop.stop(format!(
                "the target is unresponsive: {n} timeouts or broken connections in a row; no further case was sent"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_spent_once_and_withholds_the_rest() {
        let g = Guard::new(Some(2), Stop::new(), 0, MAX_REPLY_BYTES);
        assert!(g.allows(false) && g.allows(true) && g.allows(true));
        assert!(!g.allows(true) && !g.allows(true));
        assert!(g.allows(false));
        assert_eq!(g.budget.as_ref().unwrap().withheld(), 2);
        g.created("m-1", "cn-hangzhou");
        g.created("m-1", "cn-hangzhou");
        let created: Vec<String> = g.budget.as_ref().unwrap().created().into_iter().map(|c| c.image).collect();
        assert_eq!(created, ["m-1"]);
        // A target whose world the harness stages has no budget to spend.
        let staged = Guard::new(None, Stop::new(), 0, MAX_REPLY_BYTES);
        assert!((0..10).all(|_| staged.allows(true)));
    }

    #[test]
    fn the_breaker_trips_after_failures_in_a_row_only() {
        let g = Guard::new(None, Stop::new(), 3, MAX_REPLY_BYTES);
        g.delivered(false);
        g.delivered(false);
        g.delivered(true);
        g.delivered(false);
        g.delivered(false);
        assert!(!g.stop.is_stopped());
        g.delivered(false);
        assert!(g.stop.is_stopped());
        assert!(g.stop.reason().unwrap().contains("3 timeouts"));
        g.stop.stop("later");
        assert!(g.stop.reason().unwrap().contains("unresponsive"), "the first reason stays");
    }

    #[tokio::test]
    async fn stopping_wakes_whoever_waits() {
        let stop = Stop::new();
        let waiter = tokio::spawn({
            let stop = stop.clone();
            async move { stop.fired().await }
        });
        tokio::task::yield_now().await;
        stop.stop("deadline");
        waiter.await.unwrap();
        stop.fired().await;
    }
}
