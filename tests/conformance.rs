//! The property suite: the built-in emulator, or the endpoint in `CONFORMANCE_ENDPOINT`,
//! certified by the harness. A nonconformant target fails with the report.

use copyimage_conformance::harness::{RunConfig, run};
use copyimage_conformance::rules::Layer;

fn endpoint() -> Option<String> {
    std::env::var("CONFORMANCE_ENDPOINT").ok().filter(|e| !e.is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_target_conforms() {
    let config = RunConfig { cases: 3_000, seed: 20_261_130, workers: 2, ..RunConfig::default() };
    let config = match endpoint() {
        Some(e) => RunConfig {
            failures_dir: Some("target/conformance-failures".into()),
            ..RunConfig { endpoints: vec![e], ..config }
        },
        None => config,
    };
    let report = run(config).await.expect("the harness runs");
    assert!(report.conformant(), "{report}");
    if report.control {
        let idle: Vec<String> = report.rules.iter().filter(|r| r.exercised == 0).map(|r| r.id.to_string()).collect();
        assert!(idle.is_empty(), "rules never exercised: {idle:?}");
    }
    assert!(report.rules.iter().filter(|r| r.layer == Layer::Reply).all(|r| r.exercised > 0));
}

/// The reference emulator raises no false alarm, over many seeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_false_alarm_over_many_seeds() {
    if endpoint().is_some() {
        return;
    }
    for seed in 0..20 {
        let config = RunConfig { cases: 500, seed, workers: 2, ..RunConfig::default() };
        let report = run(config).await.expect("the harness runs");
        assert!(report.conformant(), "seed {seed}:\n{report}");
        assert_eq!(report.flaky, 0, "seed {seed}:\n{report}");
    }
}

/// Loading worlds in process (the default for the built-in emulator) and staging them
/// through `PUT /_conformance/world` check the same cases with the same verdicts, on a
/// correct emulator and on a broken one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staging_in_process_and_over_http_agree() {
    use copyimage_conformance::emulator::fault::Fault;
    if endpoint().is_some() {
        return;
    }
    for faults in [vec![], vec![Fault::DuplicatesIgnored, Fault::CompletedCopiesInvisible]] {
        let config = RunConfig { cases: 1_000, seed: 7, workers: 2, faults: faults.clone(), ..RunConfig::default() };
        let local = run(config.clone()).await.expect("the harness runs");
        let http = run(RunConfig { stage_over_http: true, ..config }).await.expect("the harness runs");
        let tally = |r: &copyimage_conformance::report::Report| {
            let rules: Vec<_> = r.rules.iter().map(|t| (t.id, t.exercised, t.passed, t.failed)).collect();
            (r.cases, r.requests, r.stagings, r.passed, r.failed, rules)
        };
        assert_eq!(tally(&local), tally(&http), "faults {faults:?}");
        assert_eq!(local.conformant(), faults.is_empty(), "{local}");
    }
}
