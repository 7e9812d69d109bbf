//! Memory of signature nonces, bounded in time and size.
//!
//! Owns [`NonceLog`]: which nonces were seen, when, and whether they were certainly
//! remembered (the request passed authentication) or only perhaps (it did not, see
//! [`crate::oracle::OpenPoint::NonceMemory`]). Entries are keyed by a 64-bit hash, so a
//! nonce of any length costs the same; they are forgotten after [`KEEP_SECONDS`], and
//! the oldest is forgotten first once [`CAPACITY`] entries are held.

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::model::Timestamp;

/// Seconds within which reusing a remembered nonce is certainly refused.
pub const WINDOW_SECONDS: i64 = 900;
/// Seconds an entry is kept (the oracle's open margin past the window).
pub const KEEP_SECONDS: i64 = 1200;
/// Entries held at most.
pub const CAPACITY: usize = 262_144;

/// What the log knows of a nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recall {
    /// Certainly used less than [`WINDOW_SECONDS`] ago.
    Used,
    /// Perhaps remembered by the server (see [`Perhaps`]).
    Perhaps(Perhaps),
    /// Not remembered.
    Fresh,
}

/// Why a server may or may not remember a nonce (point `nonce-memory`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perhaps {
    /// Seen on a request that did not pass authentication (or whose answer the harness
    /// could not place); `within_window`: less than [`WINDOW_SECONDS`] ago.
    Unauthenticated {
        /// Seen less than [`WINDOW_SECONDS`] ago.
        within_window: bool,
    },
    /// Used on an authenticated request [`WINDOW_SECONDS`] to [`KEEP_SECONDS`] ago.
    Aged,
}

/// A bounded memory of nonces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NonceLog {
    entries: HashMap<u64, (Timestamp, bool)>,
    order: VecDeque<(u64, Timestamp)>,
}

fn key(nonce: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    nonce.hash(&mut h);
    h.finish()
}

impl NonceLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many nonces are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What the log knows of `nonce` at `now`.
    pub fn recall(&self, nonce: &[u8], now: Timestamp) -> Recall {
        match self.entries.get(&key(nonce)) {
            None => Recall::Fresh,
            Some(&(at, certain)) => {
                let age = now.0 - at.0;
                if age >= KEEP_SECONDS {
                    Recall::Fresh
                } else if !certain {
                    Recall::Perhaps(Perhaps::Unauthenticated { within_window: age < WINDOW_SECONDS })
                } else if age < WINDOW_SECONDS {
                    Recall::Used
                } else {
                    Recall::Perhaps(Perhaps::Aged)
                }
            }
        }
    }

    /// A log holding only what this one knows of `nonces`: all that the check of a
    /// request carrying them reads, taken out of a shared log at the cost of a lookup.
    pub fn view(&self, nonces: &[Vec<u8>]) -> NonceLog {
        let mut view = NonceLog::new();
        for n in nonces {
            let k = key(n);
            if let Some(&entry) = self.entries.get(&k) {
                view.entries.insert(k, entry);
            }
        }
        view
    }

    /// Remembers a nonce at `now`; `certain` when its request passed authentication.
    /// A certain entry is not weakened by a later uncertain one while it is in the window.
    pub fn remember(&mut self, nonce: &[u8], now: Timestamp, certain: bool) {
        self.forget_before(now);
        let k = key(nonce);
        let entry = self.entries.entry(k).or_insert((now, certain));
        if certain || !entry.1 || now.0 - entry.0.0 >= WINDOW_SECONDS {
            *entry = (now, certain);
        }
        self.order.push_back((k, now));
        while self.entries.len() > CAPACITY || self.order.len() > 2 * CAPACITY {
            self.pop_oldest();
        }
    }

    /// Forgets entries older than [`KEEP_SECONDS`] at `now`.
    pub fn forget_before(&mut self, now: Timestamp) {
        while self.order.front().is_some_and(|&(_, at)| now.0 - at.0 >= KEEP_SECONDS) {
            self.pop_oldest();
        }
    }

    fn pop_oldest(&mut self) {
        if let Some((k, at)) = self.order.pop_front() {
            // Only drop the entry if this queue slot is its latest sighting.
            if self.entries.get(&k).is_some_and(|&(t, _)| t == at) {
                self.entries.remove(&k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certain_use_within_window() {
        let mut log = NonceLog::new();
        log.remember(b"n1", Timestamp(1000), true);
        assert_eq!(log.recall(b"n1", Timestamp(1000)), Recall::Used);
        assert_eq!(log.recall(b"n1", Timestamp(1899)), Recall::Used);
        assert_eq!(log.recall(b"n1", Timestamp(1900)), Recall::Perhaps(Perhaps::Aged));
        assert_eq!(log.recall(b"n1", Timestamp(2200)), Recall::Fresh);
        assert_eq!(log.recall(b"n2", Timestamp(1000)), Recall::Fresh);
    }

    #[test]
    fn uncertain_entries_are_perhaps_and_do_not_weaken() {
        let mut log = NonceLog::new();
        log.remember(b"a", Timestamp(0), false);
        assert_eq!(log.recall(b"a", Timestamp(1)), Recall::Perhaps(Perhaps::Unauthenticated { within_window: true }));
        assert_eq!(
            log.recall(b"a", Timestamp(WINDOW_SECONDS)),
            Recall::Perhaps(Perhaps::Unauthenticated { within_window: false })
        );
        log.remember(b"b", Timestamp(0), true);
        log.remember(b"b", Timestamp(5), false);
        assert_eq!(log.recall(b"b", Timestamp(6)), Recall::Used);
    }

    #[test]
    fn windows_are_measured_at_real_clock_values() {
        // Seconds since 1970, as the emulator's clock gives them: an uncertain sighting
        // ten seconds after a certain one does not weaken it.
        let t = 1_764_460_800;
        let mut log = NonceLog::new();
        log.remember(b"r", Timestamp(t), true);
        log.remember(b"r", Timestamp(t + 10), false);
        assert_eq!(log.recall(b"r", Timestamp(t + 20)), Recall::Used);
        assert_eq!(log.recall(b"r", Timestamp(t + WINDOW_SECONDS)), Recall::Perhaps(Perhaps::Aged));
    }

    #[test]
    fn the_latest_authenticated_sighting_starts_the_window() {
        // A target that accepted a replay (a fault) used the nonce again: the model's
        // window runs from that later use.
        let mut log = NonceLog::new();
        log.remember(b"s", Timestamp(0), true);
        log.remember(b"s", Timestamp(500), true);
        assert_eq!(log.recall(b"s", Timestamp(1000)), Recall::Used);
        assert_eq!(log.recall(b"s", Timestamp(500 + WINDOW_SECONDS)), Recall::Perhaps(Perhaps::Aged));
    }

    #[test]
    fn a_stale_certain_entry_gives_way_to_a_newer_sighting() {
        let mut log = NonceLog::new();
        log.remember(b"n", Timestamp(0), true);
        // Recall again, unauthenticated, after the window: remembered from then on.
        log.remember(b"n", Timestamp(WINDOW_SECONDS + 100), false);
        assert_eq!(
            log.recall(b"n", Timestamp(KEEP_SECONDS + 50)),
            Recall::Perhaps(Perhaps::Unauthenticated { within_window: true })
        );
        // An uncertain entry becomes certain when the nonce authenticates.
        log.remember(b"m", Timestamp(0), false);
        log.remember(b"m", Timestamp(10), true);
        assert_eq!(log.recall(b"m", Timestamp(20)), Recall::Used);
        assert!(!log.is_empty() && log.len() == 2);
    }

    #[test]
    fn the_sighting_queue_is_bounded_too() {
        let mut log = NonceLog::new();
        for t in 0..(2 * CAPACITY + 10) {
            log.remember(b"same", Timestamp(i64::try_from(t % 800).unwrap_or(0)), false);
        }
        assert_eq!(log.len(), 1);
        assert_eq!(log.order.len(), 2 * CAPACITY);
    }

    #[test]
    fn memory_is_bounded_in_time_and_size() {
        let mut log = NonceLog::new();
        for i in 0..10u32 {
            log.remember(&i.to_le_bytes(), Timestamp(0), true);
        }
        log.forget_before(Timestamp(KEEP_SECONDS));
        assert!(log.is_empty());
        for i in 0..(CAPACITY as u32 + 10) {
            log.remember(&i.to_le_bytes(), Timestamp(1), true);
        }
        assert_eq!(log.len(), CAPACITY);
        assert_eq!(log.recall(&0u32.to_le_bytes(), Timestamp(1)), Recall::Fresh);
        assert_eq!(log.recall(&(CAPACITY as u32 + 9).to_le_bytes(), Timestamp(1)), Recall::Used);
    }
}
