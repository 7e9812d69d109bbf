//! Generators: proptest strategies for worlds, requests and their deviations.
//!
//! Owns every `arb_*` function. A generated case is an anchored world
//! ([`world::arb_anchor`]) plus a [`case::CaseSpec`]: a valid base request with knobs
//! (signing mode, format, name, description) and a list of deliberate
//! [`deviation::Deviation`]s, one strategy per rule so that every rule is reached and a
//! single deviation breaks exactly its rule. Generators aim; the oracle judges: what a
//! case is expected to do is always predicted from the request actually sent.

pub mod audit;
pub mod case;
pub mod deviation;
pub mod steps;
pub mod values;
pub mod world;

pub use case::{CaseSpec, arb_case};
pub use deviation::{Deviation, OpenProbe, arb_deviation};
pub use steps::{Step, arb_steps};
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
