//! `snapshot --out` records every outcome's reply format from a target; `--check` lists
//! each difference of shape against a later build. No access key id is recorded.

use std::path::PathBuf;
use std::time::Duration;

use copyimage_conformance::emulator::fault::{Fault, Faults};
use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::harness::endpoint::Endpoint;
use copyimage_conformance::harness::snapshot::{check, outcome_cases, record};
use copyimage_conformance::report::shape::ShapeDiff;
use copyimage_conformance::wire::sign::Credentials;

async fn target(faults: Vec<Fault>) -> (Emulator, Endpoint) {
    let e = Emulator::start(EmulatorConfig { faults: Faults(faults), ..EmulatorConfig::default() }).await.unwrap();
    let t = Endpoint::connect(&e.uri(), Duration::from_secs(10), None).await.unwrap();
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
    let done = record(&t, &dir, None).await.unwrap();
    assert!(done.skipped.is_empty(), "{:?}", done.skipped);
    assert_eq!(done.written.len(), outcome_cases().len() * 2);
    for f in &done.written {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_world_control_only_safe_outcomes_are_recorded_and_the_rest_named() {
    let dir = scratch("bare");
    let e = Emulator::start(EmulatorConfig { control: false, ..EmulatorConfig::default() }).await.unwrap();
    let t = Endpoint::connect(&e.uri(), Duration::from_secs(10), None).await.unwrap();
    assert!(!t.control);
    // Credentials are required: the target's own keys are not known.
    assert!(record(&t, &dir, None).await.is_err());
    let before = e.world().images.len();
    let creds = Credentials::new("testid", "testsecret");
    let done = record(&t, &dir, Some(&creds)).await.unwrap();
    for outcome in ["success", "success-v3", "quota-exceed-image", "forbidden"] {
        assert!(done.skipped.iter().any(|s| s == outcome), "{outcome} is not named as skipped: {:?}", done.skipped);
    }
    for outcome in ["signature-does-not-match", "timestamp-expired", "action-not-found"] {
        assert!(!done.skipped.iter().any(|s| s == outcome), "{outcome} was skipped");
    }
    assert_eq!(done.written.len() + done.skipped.len() * 2, outcome_cases().len() * 2);
    assert_eq!(e.world().images.len(), before, "recording created an image");
    for f in &done.written {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(!text.contains("testid") && !text.contains("testsecret"), "{} records the key", f.display());
    }
    e.shutdown().await;
}

/// Under profile 2026-01 the set holds the newest page's own replies too, and a build
/// that answers a dry run with 200 differs on exactly the dry run's two files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_newest_profile_records_its_own_replies() {
    use copyimage_conformance::harness::snapshot::cases_in;
    use copyimage_conformance::rules::Doc;
    let doc = Doc::January2026;
    let start = |faults: Vec<Fault>| async move {
        let e =
            Emulator::start(EmulatorConfig { faults: Faults(faults), doc, ..EmulatorConfig::default() }).await.unwrap();
        let t = Endpoint::connect(&e.uri(), Duration::from_secs(10), None).await.unwrap().with_doc(doc);
        (e, t)
    };
    let dir = scratch("newest");
    let (e, t) = start(Vec::new()).await;
    let done = record(&t, &dir, None).await.unwrap();
    assert_eq!(done.written.len(), cases_in(doc).len() * 2);
    assert!(cases_in(doc).len() > outcome_cases().len());
    e.shutdown().await;
    let (e, t) = start(vec![Fault::DryRunStatus200]).await;
    let results = check(&t, &dir, None).await.unwrap();
    let differ: Vec<String> = results
        .iter()
        .filter(|(_, d)| !d.is_empty())
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(differ, ["dry-run-operation.json.json", "dry-run-operation.xml.json"], "{results:?}");
    e.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
