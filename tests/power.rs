//! Proof of power: the emulator started with deliberately broken behaviour is caught,
//! and the report names the broken rule. A validation bound off by one shrinks to a
//! case sitting exactly on the bound.

use copyimage_conformance::case::ReplayStep;
use copyimage_conformance::emulator::fault::Fault;
use copyimage_conformance::harness::compare::{Acceptable, Expected, Observed};
use copyimage_conformance::harness::{RunConfig, run};
use copyimage_conformance::report::Report;
use copyimage_conformance::rules::RuleId;
use rstest::rstest;

async fn run_with(fault: Fault) -> Report {
    let failures_dir = Some(format!("target/test-failures/{fault}").into());
    let config =
        RunConfig { cases: 2_000, seed: 7, workers: 2, faults: vec![fault], failures_dir, ..RunConfig::default() };
    run(config).await.expect("the harness runs")
}

/// Whether the expected outcomes name this documented error (and not a success).
fn expects_error(expected: &Expected, status: u16, code: &str) -> bool {
    matches!(expected, Expected::Outcomes { any_of }
        if any_of.iter().any(|a| matches!(a, Acceptable::Error { status: s, code: c } if *s == status && c == code))
            && !any_of.contains(&Acceptable::Success))
}

/// Each fault's mismatch, as it must read: the documented outcome beside what the
/// fault makes the emulator answer.
type Shape = fn(&Expected, &Observed) -> bool;

fn status_403(e: &Expected, o: &Observed) -> bool {
    expects_error(e, 400, "IncorrectImageStatus")
        && *o == Observed::Error { status: 403, code: Some("IncorrectImageStatus".into()) }
}

fn misspelling_fixed(e: &Expected, o: &Observed) -> bool {
    expects_error(e, 403, "OperationDeined.EncryptedSnapshot")
        && *o == Observed::Error { status: 403, code: Some("OperationDenied.EncryptedSnapshot".into()) }
}

fn no_request_id(e: &Expected, o: &Observed) -> bool {
    *e == Expected::RequestId && *o == Observed::RequestId { value: None }
}

fn success_instead_of(code: &'static str) -> impl Fn(&Expected, &Observed) -> bool {
    move |e, o| {
        matches!(e, Expected::Outcomes { any_of } if !any_of.contains(&Acceptable::Success)
            && any_of.iter().any(|a| matches!(a, Acceptable::Error { code: c, .. } if c == code)))
            && matches!(o, Observed::Success { status: 200 })
    }
}

fn encrypted_copied(e: &Expected, o: &Observed) -> bool {
    success_instead_of("OperationDeined.EncryptedSnapshot")(e, o)
}

fn long_name_copied(e: &Expected, o: &Observed) -> bool {
    success_instead_of("InvalidImageName.Malformed")(e, o)
}

fn second_copy_started(e: &Expected, o: &Observed) -> bool {
    success_instead_of("OperationDenied.ImageCopying")(e, o)
}

#[rstest]
#[case::a_wrong_http_status_for_one_code(Fault::StatusCodeWrong, RuleId::ImageAvailable, status_403)]
#[case::a_misspelled_code(Fault::MisspellingFixed, RuleId::ImageUnencrypted, misspelling_fixed)]
#[case::a_missing_request_id(Fault::RequestIdMissing, RuleId::ReplyRequestId, no_request_id)]
#[case::a_success_where_an_error_is_documented(Fault::EncryptedIgnored, RuleId::ImageUnencrypted, encrypted_copied)]
#[case::a_bound_off_by_one(Fault::NameMaxPlusOne, RuleId::NameLength, long_name_copied)]
#[case::a_stateful_rule_ignored(Fault::CopyingIgnored, RuleId::ImageNotCopying, second_copy_started)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_catches_the_fault_and_names_the_rule(
    #[case] fault: Fault,
    #[case] rule: RuleId,
    #[case] reads: Shape,
) {
    let report = run_with(fault).await;
    assert!(!report.conformant(), "{fault} went unnoticed:\n{report}");
    assert!(report.rule(rule).unwrap().failed > 0, "{fault}: {rule} did not fail:\n{report}");
    let failure = report
        .failures
        .iter()
        .find(|f| f.rules.contains(&rule))
        .unwrap_or_else(|| panic!("no failure names {rule}:\n{report}"));
    assert!(failure.mismatches.iter().any(|m| m.rule == rule));
    assert!(!failure.steps.is_empty());
    // It can be replayed from the file it was saved to.
    let file = failure.replay_file.as_ref().expect("a replay file");
    assert!(failure.commands.iter().any(|c| c.contains("replay") && c.contains(&file.display().to_string())));
    // The mismatch says what was expected beside what came, as the fault makes it.
    let m = failure.mismatches.iter().find(|m| m.rule == rule).unwrap();
    assert!(reads(&m.expected, &m.observed), "{fault}: expected {:?}, observed {:?}", m.expected, m.observed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_off_by_one_bound_shrinks_onto_the_bound() {
    let report = run_with(Fault::NameMaxPlusOne).await;
    let failure = report.failures.iter().find(|f| f.rules == [RuleId::NameLength]).expect("a name.length failure");
    let [ReplayStep::Send { case }] = failure.steps.as_slice() else { panic!("one step: {:?}", failure.steps) };
    let name = case.param("DestinationImageName").expect("a name");
    assert_eq!(String::from_utf8_lossy(name).chars().count(), 129, "{case:?}");
    assert!(case.tampers.is_empty(), "{case:?}");
    assert_eq!(failure.size.1, 1, "shrunk to one violation");
    // The world is pruned to what the case needs.
    assert!(failure.world.images.len() <= 2 && failure.world.accounts.len() == 1, "{:?}", failure.world);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stateful_fault_is_caught_by_sequences_too() {
    let report = run_with(Fault::CopiesNeverComplete).await;
    assert!(report.rule(RuleId::CopyLifecycle).unwrap().failed > 0, "{report}");
}

/// Observers see every case once, as it finishes, with the rules it failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observers_see_each_case_and_its_failure() {
    use std::sync::{Arc, Mutex};

    use copyimage_conformance::harness::{CaseDone, Observer, Observers};

    #[derive(Default)]
    struct Log(Mutex<Vec<(u64, Vec<RuleId>, usize)>>);
    impl Observer for Log {
        fn case_done(&self, case: &CaseDone<'_>) {
            self.0.lock().unwrap().push((case.index, case.failed.to_vec(), case.requests_so_far));
        }
    }
    let log = Arc::new(Log::default());
    let config = RunConfig {
        cases: 300,
        seed: 7,
        workers: 2,
        faults: vec![Fault::StatusCodeWrong],
        observers: Observers(vec![log.clone()]),
        ..RunConfig::default()
    };
    let report = run(config).await.expect("the harness runs");
    let seen = log.0.lock().unwrap().clone();
    let mut indices: Vec<u64> = seen.iter().map(|(i, _, _)| *i).collect();
    indices.sort_unstable();
    indices.dedup();
    assert_eq!(indices.len(), seen.len(), "a case told twice");
    assert_eq!(seen.len(), report.cases, "{report}");
    let failed = seen.iter().filter(|(_, rules, _)| !rules.is_empty()).count();
    assert_eq!(failed, report.failed, "{report}");
    assert!(seen.iter().any(|(_, rules, _)| rules.contains(&RuleId::ImageAvailable)));
    assert!(seen.iter().map(|(_, _, r)| *r).max() == Some(report.requests), "{report}");
}
