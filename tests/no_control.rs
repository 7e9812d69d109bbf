//! A target without the world-control contract, as a real cloud endpoint is: only
//! cases decided by the request alone are checked, the rest is reported as not
//! checkable, and nothing is created beyond `allow_create`.

mod common;

use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::harness::own::CleanupOutcome;
use copyimage_conformance::harness::{HarnessError, Probe, RunConfig, run};
use copyimage_conformance::rules::RuleId;
use copyimage_conformance::wire::sign::Credentials;

async fn bare_emulator() -> Emulator {
    Emulator::start(EmulatorConfig { control: false, ..EmulatorConfig::default() }).await.unwrap()
}

fn config(endpoint: String, allow_create: usize, probe: Probe) -> RunConfig {
    RunConfig {
        endpoints: vec![endpoint],
        cases: 300,
        seed: 3,
        credentials: Some(Credentials::new("testid", "testsecret")),
        allow_create,
        rate_per_minute: 6_000_000,
        probe,
        ..RunConfig::default()
    }
}

/// A probe of the default world (what the emulator holds): a copy that may succeed.
fn fixture_probe() -> Probe {
    Probe { region: "cn-qingdao".into(), image: "m-available00000000001".into(), destination: "cn-hangzhou".into() }
}

fn unknown_probe() -> Probe {
    Probe { region: "cn-hangzhou".into(), image: "m-conformanceprobe0001".into(), destination: "cn-shanghai".into() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_request_decided_rules_are_checked_and_nothing_is_created() {
    let emulator = bare_emulator().await;
    let before = emulator.world().images.len();
    let report = run(config(emulator.uri(), 0, unknown_probe())).await.expect("the harness runs");
    assert!(!report.control);
    assert!(report.conformant(), "{report}");
    assert!(report.skipped > 0, "cases that could create an image are not sent");
    assert!(report.cases > 100 && report.requests > 100);
    for rule in [RuleId::ImageAvailable, RuleId::ImageQuota, RuleId::CopyLifecycle, RuleId::CopySucceeds] {
        assert!(report.not_checkable.contains(&rule), "{rule}");
        assert!(!report.rule(rule).unwrap().checkable);
    }
    for rule in [RuleId::Signature, RuleId::NameLength, RuleId::DescriptionPrefix, RuleId::SameRegion] {
        assert!(report.rule(rule).unwrap().exercised > 0, "{rule} not exercised:\n{report}");
    }
    assert!(report.created_images.is_empty());
    assert_eq!(emulator.world().images.len(), before, "nothing was created");
    // Every API request that reached the target is counted, warm-ups of withheld cases
    // included (the run shrinks nothing here: it is conformant).
    assert_eq!(emulator.received(), report.requests as u64, "{report}");
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_budget_creates_at_most_that_many_images_and_lists_them() {
    let emulator = bare_emulator().await;
    let before = emulator.world().images.len();
    let probe = fixture_probe();
    let report = run(config(emulator.uri(), 5, probe)).await.expect("the harness runs");
    assert!(report.conformant(), "{report}");
    let made = emulator.made();
    assert!((1..=5).contains(&made.len()), "{} images created", made.len());
    assert_eq!(report.created_images, made);
    // Each copy was looked up through DescribeImages and judged.
    let lifecycle = report.rule(RuleId::CopyLifecycle).unwrap();
    assert!(lifecycle.exercised >= made.len() && lifecycle.failed == 0, "{report}");
    // And cleaned up at the end: cancelled while copying, gone from the target.
    assert_eq!(report.cleanup.len(), made.len());
    for c in &report.cleanup {
        assert_eq!(c.outcome, CleanupOutcome::Cancelled, "{c:?}");
        assert!(c.commands.is_empty());
        assert!(emulator.world().image(&c.image).is_none(), "{} is still there", c.image);
    }
    assert_eq!(emulator.world().images.len(), before, "the target holds what it held before");
    let text = report.to_string();
    assert!(text.contains(&made[0]) && text.contains("cleaned up: cancelled"), "{text}");
    emulator.shutdown().await;
}

/// `keep_created` leaves the images and the report says how to remove them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_images_are_listed_with_the_commands_that_remove_them() {
    let emulator = bare_emulator().await;
    let probe = fixture_probe();
    let mut c = config(emulator.uri(), 2, probe);
    c.keep_created = true;
    let report = run(c).await.expect("the harness runs");
    assert!(!report.cleanup.is_empty(), "{report}");
    for c in &report.cleanup {
        assert_eq!(c.outcome, CleanupOutcome::Kept);
        assert!(emulator.world().image(&c.image).is_some());
        assert!(c.commands.iter().any(|k| k.contains("Action=DeleteImage") && k.contains(&c.image)), "{c:?}");
    }
    emulator.shutdown().await;
}

/// A cleanup that fails says so, with each call's reply and the commands to finish it.
#[tokio::test]
async fn a_failed_cleanup_is_reported_with_the_commands_that_finish_it() {
    use copyimage_conformance::harness::endpoint::Endpoint;
    use copyimage_conformance::harness::own::{Created, clean_up};
    use copyimage_conformance::model::World;
    use copyimage_conformance::wire::sign::Signing;
    let emulator = bare_emulator().await;
    let target = Endpoint::connect(&emulator.uri(), std::time::Duration::from_secs(5), None).await.unwrap();
    let gone = Created { image: "m-nosuchimage00000000".into(), region: "cn-nowhere-9".into() };
    let done = clean_up(&target, &World::default_fixture(), Signing::V1PostQuery, "testid", &[gone], false).await;
    assert_eq!(done[0].outcome, CleanupOutcome::Failed);
    let reason = done[0].reason.as_deref().unwrap();
    assert!(reason.contains("CancelCopyImage: 4") && reason.contains("DeleteImage: 4"), "{reason}");
    assert!(done[0].commands.iter().any(|k| k.starts_with("aliyun ecs DeleteImage --RegionId cn-nowhere-9")));
    let text = copyimage_conformance::report::terminal::cleanup(&done);
    assert!(text.contains("NOT cleaned up") && text.contains("Action=CancelCopyImage"), "{text}");
    emulator.shutdown().await;
}

/// A copy the target does not list afterwards fails `copy.lifecycle`, observed without
/// control (here the first image of every page goes missing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_the_target_does_not_list_fails_its_lifecycle() {
    use copyimage_conformance::emulator::fault::{Fault, Faults};
    let faults = Faults(vec![Fault::PageOffByOne]);
    let emulator =
        Emulator::start(EmulatorConfig { control: false, faults, ..EmulatorConfig::default() }).await.unwrap();
    let probe = fixture_probe();
    let mut c = config(emulator.uri(), 3, probe);
    c.failures_dir = None;
    c.max_failures = 1;
    let report = run(c).await.expect("the harness runs");
    assert!(report.rule(RuleId::CopyLifecycle).unwrap().failed > 0, "{report}");
    // Rerun, the copy meets a world the first copy changed (its name taken, say), so the
    // failure may not repeat: it is reported as a failure or as flaky, never dropped.
    let failure = report.failures.iter().any(|f| f.rules.contains(&RuleId::CopyLifecycle));
    let flaky = report.flaky_cases.iter().any(|f| f.rules.contains(&RuleId::CopyLifecycle));
    assert!(failure || flaky, "{report}");
    assert!(!report.conformant(), "{report}");
    let made = emulator.made();
    assert!(!made.is_empty() && made.len() <= 3, "the budget holds while the failure is rerun and shrunk: {made:?}");
    // Stopped at the first failure, the run still cleans up what it made.
    assert_eq!(report.cleanup.len(), made.len(), "{report}");
    assert!(report.cleanup.iter().all(|c| c.outcome == CleanupOutcome::Cancelled), "{:?}", report.cleanup);
    assert!(made.iter().all(|id| emulator.world().image(id).is_none()));
    emulator.shutdown().await;
}

/// The create budget holds on every path that sends: first sends, reruns, shrinking
/// and the final run of a failure. Faults make nearly every case fail (so nearly every
/// case is rerun and shrunk); the emulator counts the copies it made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_path_creates_more_than_the_budget_and_the_report_lists_what_was_created() {
    use copyimage_conformance::emulator::fault::{Fault, Faults};
    for budget in [0, 4] {
        let faults = Faults(vec![Fault::HostIdMissing, Fault::RequestIdMissing]);
        let emulator =
            Emulator::start(EmulatorConfig { control: false, faults, ..EmulatorConfig::default() }).await.unwrap();
        let probe = fixture_probe();
        let mut c = config(emulator.uri(), budget, probe);
        c.cases = 120;
        c.seed = 1;
        c.failures_dir = None;
        let report = run(c).await.expect("the harness runs");
        assert!(report.failed > 10 && !report.failures.is_empty(), "the faults make cases fail:\n{report}");
        assert!(report.failures.iter().any(|f| f.shrink_steps > 0), "failures are shrunk:\n{report}");
        let made = emulator.made();
        assert!(made.len() <= budget, "budget {budget}: {} images made: {made:?}", made.len());
        assert_eq!(made.is_empty(), budget == 0, "budget {budget}: {made:?}");
        assert_eq!(report.created_images, made, "budget {budget}: the report lists exactly what was made");
        // The user's credentials are redacted in what a failure shows of the wire.
        for f in &report.failures {
            assert!(!f.trace.0.is_empty(), "failure {:?} has a trace", f.rules);
            let shown = serde_json::to_string(&(&f.trace, &f.request)).unwrap();
            for word in ["testid", "testsecret", "Signature=%", "Signature=A"] {
                assert!(!shown.contains(word), "{word} shows in {shown}");
            }
            assert!(shown.contains("[ACCESS_KEY_ID]") && shown.contains("Signature=[SIGNATURE]"), "{shown}");
        }
        emulator.shutdown().await;
    }
}

#[tokio::test]
async fn without_credentials_it_says_so() {
    let emulator = bare_emulator().await;
    let mut c = config(emulator.uri(), 0, unknown_probe());
    c.credentials = None;
    match run(c).await {
        Err(HarnessError::Credentials(m)) => assert!(m.contains("ALIBABA_CLOUD_ACCESS_KEY_ID")),
        other => panic!("expected a credentials error, got {:?}", other.map(|r| r.summary())),
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    match run(config(format!("http://{addr}"), 0, unknown_probe())).await {
        Err(HarnessError::Endpoint { reason, .. }) => assert!(reason.contains("connect"), "{reason}"),
        other => panic!("expected an endpoint error, got {:?}", other.map(|r| r.summary())),
    }
    match run(config("not a url".into(), 0, unknown_probe())).await {
        Err(HarnessError::Endpoint { .. }) => {}
        other => panic!("expected an endpoint error, got {:?}", other.map(|r| r.summary())),
    }
}

#[tokio::test]
async fn the_secret_never_appears_in_the_report() {
    let emulator = bare_emulator().await;
    let report = run(config(emulator.uri(), 0, unknown_probe())).await.unwrap();
    let text = format!("{report}{}", report.to_json());
    assert!(!text.contains("testsecret"));
    emulator.shutdown().await;
}
