//! An emulator author's adoption workflow on the built-in emulator with faults: declare
//! features, write the known deviations from one run, run again against them, and see
//! the run fail when a deviation is fixed (stale) or changes (another Code or status).

use std::sync::Arc;

use copyimage_conformance::emulator::fault::Fault;
use copyimage_conformance::harness::declared::{Expectations, Features};
use copyimage_conformance::harness::{RunConfig, run};
use copyimage_conformance::report::{Report, RuleOutcome, Standing, junit};
use copyimage_conformance::rules::RuleId;

fn config(faults: Vec<Fault>) -> RunConfig {
    RunConfig { cases: 400, seed: 13, workers: 2, faults, ..RunConfig::default() }
}

async fn with_expectations(faults: Vec<Fault>, text: &str) -> Report {
    let expectations = Some(Arc::new(Expectations::parse(text).unwrap()));
    run(RunConfig { expectations, ..config(faults) }).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn written_expectations_pass_go_stale_when_fixed_and_fail_when_the_deviation_changes() {
    // Adoption: one run against the faulty build writes the file.
    let first = run(config(vec![Fault::StatusCodeWrong])).await.unwrap();
    assert_eq!(first.standing(), Standing::NotConformant);
    let written = Expectations::write(&first.observed_deviations);
    assert!(written.contains("rule = \"image.available\"") && written.contains("status = 403"), "{written}");

    // The same build against its file: every failure is expected, exit 0.
    let again = with_expectations(vec![Fault::StatusCodeWrong], &written).await;
    assert_eq!(again.standing(), Standing::Conformant, "{again}");
    assert_eq!(again.failed, 0);
    assert!(again.expected_failures > 0);
    assert!(again.stale_expectations.is_empty());
    let available = again.rule(RuleId::ImageAvailable).unwrap();
    assert!(available.expected_failures > 0 && available.failed == 0);
    assert_eq!(available.settled(), RuleOutcome::Passed);
    // Writing the file again keeps the entries in use, as they were written.
    let listed = Expectations::parse(&written).unwrap();
    for (_, entry) in listed.entries() {
        assert!(again.observed_deviations.contains(entry), "{entry:?} is kept");
    }
    let xml = junit::render(&again);
    assert!(xml.contains("<skipped message=\"expected failure"), "JUnit shows expected failures as skipped");

    // The deviation is fixed: the entry no case matched is stale, and the run fails.
    let fixed = with_expectations(Vec::new(), &written).await;
    assert_eq!(fixed.standing(), Standing::NotConformant);
    assert!(fixed.stale_expectations.iter().any(|s| s.deviation.rule == "image.available"));
    let line = fixed.stale_expectations[0].line;
    assert!(written.lines().nth(line - 1).unwrap().starts_with("[[deviation]]"), "the stale line is the entry's");
    assert!(fixed.to_string().contains(&format!("stale expectation, line {line}")));

    // Another fault on the same rule answers otherwise (success instead of 403): it fails.
    let other = with_expectations(vec![Fault::StatusIgnored], &written).await;
    assert_eq!(other.standing(), Standing::NotConformant);
    assert!(other.rule(RuleId::ImageAvailable).unwrap().failed > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mode_declared_out_is_not_sent_and_its_rules_are_disabled() {
    // V3 broken, and declared out: no V3 case is sent, so the run is conformant.
    let features = Features::parse(
        "signings = [\"v1-get\", \"v1-post-query\", \"v1-post-form\"]\nnot_implemented = [\"quota\"]\n",
    )
    .unwrap();
    let report =
        run(RunConfig { features: Some(features), ..config(vec![Fault::V3Unsupported, Fault::ImageQuotaIgnored]) })
            .await
            .unwrap();
    assert_eq!(report.standing(), Standing::Conformant, "{report}");
    assert!(!report.signings.contains(&copyimage_conformance::wire::sign::Signing::V3));
    assert!(report.declared_out.contains(&"signing v3".to_owned()));
    assert!(report.disabled > 0, "cases about the quota were not sent");
    for rule in [RuleId::ImageQuota, RuleId::SnapshotQuota] {
        let t = report.rule(rule).unwrap();
        assert_eq!((t.settled(), t.exercised, t.passed), (RuleOutcome::Disabled, 0, 0), "{rule}");
    }
    // The same faults, nothing declared: both are found.
    let undeclared = run(config(vec![Fault::V3Unsupported, Fault::ImageQuotaIgnored])).await.unwrap();
    assert_eq!(undeclared.standing(), Standing::NotConformant);
    assert_eq!(undeclared.rule(RuleId::ImageQuota).unwrap().settled(), RuleOutcome::Failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_failures_ends_the_run_early_and_says_so() {
    let faults = vec![
        Fault::NameMaxPlusOne,
        Fault::DescriptionMaxPlusOne,
        Fault::DigitFirst,
        Fault::StatusIgnored,
        Fault::EncryptedIgnored,
        Fault::SameRegionAccepted,
        Fault::SignatureUnchecked,
        Fault::TimestampUnchecked,
        Fault::RequestIdMissing,
        Fault::WrongErrorRoot,
    ];
    let started = std::time::Instant::now();
    let report = run(RunConfig { cases: 5_000, max_failures: 3, ..config(faults) }).await.unwrap();
    assert_eq!(report.standing(), Standing::NotConformant);
    assert!(report.incomplete.as_deref().is_some_and(|why| why.contains("--max-failures 3")), "{report}");
    assert!(report.cases < 5_000, "{} cases ran", report.cases);
    // Failures still being shrunk when the run stopped are dropped; those finished stay.
    assert!(!report.failures.is_empty());
    assert!(started.elapsed().as_secs() < 60);
}

/// Any declaration the suite accepts runs: a JSON-only V1 GET target is certified (no
/// draw rejected for leaving the default format), and `request.size`, which only a
/// mode that signs its padding reaches, is disabled with the modes, not "not exercised".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn narrow_declarations_run_and_rules_out_of_reach_are_disabled() {
    let features = Features::parse("signings = [\"v1-get\"]\nformats = [\"json\"]\n").unwrap();
    // Enough cases that every companion call's rule is reached too.
    let report = run(RunConfig { features: Some(features), cases: 1500, ..config(Vec::new()) }).await.unwrap();
    assert_eq!(report.standing(), Standing::Conformant, "{report}");
    assert_eq!(report.formats, vec![copyimage_conformance::model::Format::Json]);
    let size = report.rule(RuleId::Size).unwrap();
    assert_eq!((size.settled(), size.exercised), (RuleOutcome::Disabled, 0));
    assert!(report.declared_out.iter().any(|d| d.contains("request.size")), "{:?}", report.declared_out);
    assert!(report.rules.iter().all(|t| t.settled() != RuleOutcome::NotCheckable || t.id == RuleId::Size), "{report}");

    // XML only, with V3 still declared: refused, saying how to declare it.
    let xml_only = Features::parse("formats = [\"xml\"]\n").unwrap();
    let refused = run(RunConfig { features: Some(xml_only), ..config(Vec::new()) }).await;
    let why = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(why.contains("features") && why.contains("v3"), "{why}");
}
