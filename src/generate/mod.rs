//! Generators: proptest strategies for worlds, requests and their deviations.
//!
//! Owns every `arb_*` function. A generated case is an anchored world
//! ([`world::arb_anchor`]) plus a [`case::CaseSpec`]: a valid base request with knobs
//! (signing mode, format, name, description) and a list of deliberate
//! [`deviation::Deviation`]s, one strategy per rule so that every rule is reached and a
//! single deviation breaks exactly its rule. Generators aim; the oracle judges: what a
//! case is expected to do is always predicted from the request actually sent.

pub mod audit;
pub mod call;
pub mod case;
pub mod deviation;
pub mod newest;
pub mod steps;
pub mod values;
pub mod world;

pub use call::{Call, arb_call};
pub use case::{CaseSpec, arb_case, arb_case_in};
pub use deviation::{Deviation, OpenProbe, arb_deviation};
pub use steps::{Step, arb_steps, arb_steps_in};
pub use world::{Anchor, arb_anchor};

use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sha2::{Digest, Sha256};

/// A deterministic proptest runner for stream `stream` of run seed `seed`: the same
/// pair always generates the same values, whatever ran before.
pub fn runner(seed: u64, stream: &str, index: u64) -> TestRunner {
    let mut h = Sha256::new();
    h.update(seed.to_le_bytes());
    h.update(stream.as_bytes());
    h.update(index.to_le_bytes());
    let bytes: [u8; 32] = h.finalize().into();
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Consecutive cases of a run that share one generated world: staging a world costs a
/// round trip, and most cases of a span differ only in their request.
pub const WORLD_SPAN: u64 = 50;

/// The generated worlds (anchors) of a seed's cases: one per span of [`WORLD_SPAN`]
/// consecutive cases, made when the span's first case asks and kept for the rest. The
/// world of case `i` depends only on the seed and `i / WORLD_SPAN`.
pub struct CaseWorlds {
    seed: u64,
    held: Option<(u64, std::rc::Rc<Anchor>)>,
}

impl CaseWorlds {
    /// The worlds of `seed`'s cases.
    pub fn new(seed: u64) -> CaseWorlds {
        CaseWorlds { seed, held: None }
    }

    /// The world of case `index`, shared with the other cases of its span.
    pub fn get(&mut self, index: u64) -> Result<std::rc::Rc<Anchor>, String> {
        use proptest::strategy::{Strategy, ValueTree};
        let span = index / WORLD_SPAN;
        let held = match self.held.take() {
            Some((s, anchor)) if s == span => (s, anchor),
            _ => {
                let anchor = arb_anchor()
                    .new_tree(&mut runner(self.seed, "world", span))
                    .map_err(|e| format!("generating a world: {e}"))?
                    .current();
                (span, std::rc::Rc::new(anchor))
            }
        };
        Ok(self.held.insert(held).1.clone())
    }
}
