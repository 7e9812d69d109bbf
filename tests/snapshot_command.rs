//! `snapshot --out` records every outcome's reply format from a target; `--check` lists
//! each difference of shape against a later build. No access key id is recorded.

use std::path::PathBuf;
use std::time::Duration;

use copyimage_conformance::emulator::fault::{Fault, Faults};
use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::harness::snapshot::{check, outcome_cases, record};
use copyimage_conformance::harness::target::Target;
use copyimage_conformance::report::shape::ShapeDiff;

async fn target(faults: Vec<Fault>) -> (Emulator, Target) {
    let e = Emulator::start(EmulatorConfig { faults: Faults(faults), ..EmulatorConfig::default() }).await.unwrap();
    let t = Target::connect(&e.uri(), Duration::from_secs(10), None).await.unwrap();
    (e, t)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("copyimage-snapshots-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_then_check_a_release_against_later_builds() {
    let dir = scratch("release");
    let (e, t) = target(Vec::new()).await;
    let files = record(&t, &dir, None).await.unwrap();
    assert_eq!(files.len(), outcome_cases().len() * 2);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for key in ["testid", "deniedid", "disabledid", "testsecret"] {
            assert!(!text.contains(key), "{} records {key}", f.display());
        }
    }
    // The same build: no difference.
    let same = check(&t, &dir, None).await.unwrap();
    assert!(same.iter().all(|(_, d)| d.is_empty()), "{same:?}");
    e.shutdown().await;

    // Later builds with format bugs: each difference is named.
    type Wanted = fn(&ShapeDiff) -> bool;
    let expect: Vec<(Fault, Wanted)> = vec![
        (Fault::WrongErrorRoot, |d| matches!(d, ShapeDiff::Root { .. })),
        (Fault::StatusCodeWrong, |d| matches!(d, ShapeDiff::Status { recorded: 400, observed: 403 })),
        (Fault::MisspellingFixed, |d| matches!(d, ShapeDiff::Code { .. })),
        (Fault::HostIdMissing, |d| matches!(d, ShapeDiff::Missing { field } if field == "HostId")),
        (Fault::JsonEnvelope, |d| matches!(d, ShapeDiff::Added { field } if field == "Data")),
        (Fault::FormatIgnored, |d| matches!(d, ShapeDiff::Format { .. })),
    ];
    for (fault, wanted) in expect {
        let (e, t) = target(vec![fault]).await;
        let results = check(&t, &dir, None).await.unwrap();
        assert!(results.iter().flat_map(|(_, d)| d).any(wanted), "{fault}: {results:?}");
        e.shutdown().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
