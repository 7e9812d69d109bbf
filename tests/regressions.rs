//! Persisted regressions: one replay file per fault, saved from a run that caught it.
//!
//! Each file under `tests/regressions/` is named after the fault it caught. Replayed
//! against the reference emulator it passes; replayed against the emulator with that
//! fault it fails again, on the rules the file names.

use std::path::PathBuf;
use std::time::Duration;

use copyimage_conformance::emulator::fault::{Fault, Faults};
use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::harness::endpoint::Endpoint;
use copyimage_conformance::harness::replay::{Repro, replay};
use copyimage_conformance::rules::RuleId;
use rstest::rstest;

async fn failed_rules(repro: &Repro, faults: Vec<Fault>) -> Vec<RuleId> {
    let emulator =
        Emulator::start(EmulatorConfig { faults: Faults(faults), ..EmulatorConfig::default() }).await.unwrap();
    let target = Endpoint::connect(&emulator.uri(), Duration::from_secs(10), None).await.unwrap();
    let records = replay(&target, repro, None).await.unwrap();
    emulator.shutdown().await;
    let mut rules: Vec<RuleId> = records.iter().flat_map(|r| r.verdict.failed_rules()).collect();
    rules.sort_unstable();
    rules.dedup();
    rules
}

#[rstest]
#[tokio::test]
async fn regression(#[files("tests/regressions/*.json")] path: PathBuf) {
    let fault: Fault = path.file_stem().unwrap().to_str().unwrap().parse().unwrap();
    let repro = Repro::load(&path).unwrap();
    assert!(
        failed_rules(&repro, Vec::new()).await.is_empty(),
        "{fault}: the reference emulator fails {}",
        path.display()
    );
    let again = failed_rules(&repro, vec![fault]).await;
    assert!(
        repro.rules.iter().any(|r| again.contains(r)),
        "{fault}: the failure no longer repeats ({again:?} vs {:?})",
        repro.rules
    );
}

#[test]
fn every_fault_has_a_regression() {
    for f in Fault::ALL {
        assert!(std::path::Path::new(&format!("tests/regressions/{f}.json")).exists(), "{f}");
    }
}
