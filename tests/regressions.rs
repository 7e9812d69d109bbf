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
    let config = EmulatorConfig { faults: Faults(faults), doc: repro.doc, ..EmulatorConfig::default() };
    let emulator = Emulator::start(config).await.unwrap();
    let target = Endpoint::connect(&emulator.uri(), Duration::from_secs(10), None).await.unwrap().with_doc(repro.doc);
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
fn every_fault_has_a_regression_under_its_profile() {
    for f in Fault::ALL {
        let path = PathBuf::from(format!("tests/regressions/{f}.json"));
        assert!(path.exists(), "{f}");
        assert_eq!(Repro::load(&path).unwrap().doc, f.doc(), "{f}");
    }
}

/// A format-1 file (mismatches as text) still loads, without its mismatches; a format
/// the suite does not know is refused with its name.
#[test]
fn a_format_1_file_loads_and_an_unknown_format_is_refused() {
    let path = PathBuf::from("tests/regressions/misspelling-fixed.json");
    let current = Repro::load(&path).unwrap();
    let mut old: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    old["format"] = "copyimage-conformance-replay/1".into();
    old["mismatches"] = serde_json::json!([{ "rule": "image.unencrypted", "expected": "403 X", "observed": "403 Y" }]);
    let dir = std::env::temp_dir().join(format!("replay-format-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("old.json");
    std::fs::write(&file, old.to_string()).unwrap();
    let loaded = Repro::load(&file).unwrap();
    assert_eq!((&loaded.world, &loaded.steps, &loaded.rules), (&current.world, &current.steps, &current.rules));
    assert!(loaded.mismatches.is_empty());
    old["format"] = "copyimage-conformance-replay/9".into();
    std::fs::write(&file, old.to_string()).unwrap();
    let refused = Repro::load(&file).unwrap_err().to_string();
    assert!(refused.contains("replay/9") && refused.contains("replay/2"), "{refused}");
    std::fs::remove_dir_all(&dir).unwrap();
}
