//! Documentation profiles: the built-in emulator of each profile certified against the
//! other. Each conforms to its own; against the other it fails exactly on the replies
//! that changed between the pages (`docs --diff 2018-06 2026-01`) and that the emulators
//! answer: `Forbidden` against `Forbbiden`, and `InvalidImageId.NotFound` at 400
//! against 404; held to the newest page, the seed's emulator also fails the newest
//! page's own rules whose outcome is certain (it ignores their parameters).

use std::collections::BTreeSet;

use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::harness::compare::Observed;
use copyimage_conformance::harness::{RunConfig, run};
use copyimage_conformance::report::Report;
use copyimage_conformance::rules::{Doc, RULES, RuleId};

async fn certify(served: Doc, held_to: Doc) -> Report {
    let emulator = Emulator::start(EmulatorConfig { doc: served, ..EmulatorConfig::default() }).await.unwrap();
    let config = RunConfig {
        endpoints: vec![emulator.uri()],
        cases: 1_500,
        seed: 1,
        doc: held_to,
        failures_dir: None,
        ..RunConfig::default()
    };
    let report = run(config).await.expect("the harness runs");
    emulator.shutdown().await;
    report
}

/// The rules whose Codes or statuses differ between the profiles.
fn changed() -> BTreeSet<RuleId> {
    let replies = |id: RuleId, doc: Doc| {
        let mut r: Vec<(&str, u16)> = id.errors_in(doc).iter().map(|e| (e.code, e.status)).collect();
        r.sort_unstable();
        r.dedup();
        r
    };
    RULES.iter().map(|r| r.id).filter(|&id| replies(id, Doc::June2018) != replies(id, Doc::January2026)).collect()
}

/// What the target answered where the reply was judged wrong: (Code, status).
fn observed(report: &Report) -> BTreeSet<(String, u16)> {
    report
        .failures
        .iter()
        .flat_map(|f| &f.mismatches)
        .filter_map(|m| match &m.observed {
            Observed::Error { code: Some(code), status } => Some((code.clone(), *status)),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_profile_conforms_to_itself_and_fails_the_other_only_where_the_pages_differ() {
    // Five rules' replies changed; image.not-copying only gains a Code
    // (OperationDenied.ImageCopyConflict beside OperationDenied.ImageCopying), which
    // neither emulator answers, so the other four are where they part.
    let mut changed = changed();
    let widened = [RuleId::ImageNotCopying];
    let expected: BTreeSet<RuleId> =
        [RuleId::Authorized, RuleId::ImageExists, RuleId::OwnImage, RuleId::CustomImage].into_iter().collect();
    assert_eq!(changed.iter().filter(|r| !widened.contains(r)).copied().collect::<BTreeSet<_>>(), expected);
    assert!(widened.iter().all(|r| changed.contains(r)));
    changed.retain(|r| !widened.contains(r));
    for doc in Doc::ALL {
        let report = certify(doc, doc).await;
        assert!(report.conformant(), "{doc} against itself:\n{report}");
        assert_eq!(report.profile, doc.name());
    }
    // The newest page's own rules that the seed's emulator breaks: it ignores their
    // parameters as unknown (reading `unknown-parameter=ignore`), so a bad tag, a KMS key
    // without Encrypted, a bad or reused token and a dry run all copy. Those whose
    // outcome the newest page leaves open (a tag's N, booleans, EncryptAlgorithm,
    // Encrypted, KMS keys, resource groups) accept its answers.
    let broken_new: BTreeSet<RuleId> = [
        RuleId::TagKey,
        RuleId::TagValue,
        RuleId::KmsKeyNeedsEncrypted,
        RuleId::ClientTokenForm,
        RuleId::ClientTokenConflict,
        RuleId::ClientTokenIdempotent,
        RuleId::DryRunPasses,
    ]
    .into_iter()
    .collect();
    let only_newest: BTreeSet<RuleId> = RULES.iter().map(|r| r.id).filter(|r| !r.holds_in(Doc::June2018)).collect();
    assert!(broken_new.is_subset(&only_newest));
    for (served, held_to, answered) in [
        (Doc::June2018, Doc::January2026, [("Forbidden", 403), ("InvalidImageId.NotFound", 400)]),
        (Doc::January2026, Doc::June2018, [("Forbbiden", 403), ("InvalidImageId.NotFound", 404)]),
    ] {
        let report = certify(served, held_to).await;
        assert!(!report.conformant(), "{served} held to {held_to}");
        assert_eq!(report.flaky, 0, "{report}");
        let answered: BTreeSet<(String, u16)> = answered.iter().map(|(c, s)| (c.to_string(), *s)).collect();
        let seen = observed(&report);
        // Where rules both pages hold were judged wrong, these replies were why.
        assert!(answered.is_subset(&seen), "{served} held to {held_to}: what was judged wrong\n{report}");
        let expected: BTreeSet<RuleId> = match held_to {
            Doc::January2026 => changed.union(&broken_new).copied().collect(),
            Doc::June2018 => changed.clone(),
        };
        // Every failure is about a rule whose replies changed or that only the newest
        // page has, and each such rule the other emulator breaks fails.
        for f in &report.failures {
            assert!(f.rules.iter().any(|r| expected.contains(r)), "{served} held to {held_to}: {:?}", f.rules);
        }
        let named: BTreeSet<RuleId> =
            report.failures.iter().flat_map(|f| f.rules.iter().copied()).filter(|r| expected.contains(r)).collect();
        assert_eq!(named, expected, "{served} held to {held_to}");
        if held_to == Doc::June2018 {
            assert_eq!(seen, answered, "{served} held to {held_to}: nothing else was judged wrong\n{report}");
            // The report's tallies (what a matrix shows) name exactly those rules.
            let failed: BTreeSet<RuleId> = report.rules.iter().filter(|t| t.failed > 0).map(|t| t.id).collect();
            assert_eq!(failed, expected, "{served} held to {held_to}: the rules that fail\n{report}");
        }
    }
}

mod conditions {
    use copyimage_conformance::case::{Case, ParamValue};
    use copyimage_conformance::model::{Timestamp, World};
    use copyimage_conformance::oracle::{self, NonceLog, OpenPoint, Outcome, Scene};
    use copyimage_conformance::rules::Doc;
    use copyimage_conformance::wire::sign::Signing;

    /// Whether success and a refusal are acceptable for a copy with this parameter.
    fn answers(doc: Doc, name: &str, value: &str) -> (bool, bool, Vec<OpenPoint>) {
        let world = World::default_fixture();
        let now = Timestamp(1_750_000_000);
        let mut case = Case::new(
            Signing::V1Get,
            &[
                ("RegionId", "cn-qingdao"),
                ("ImageId", "m-available00000000001"),
                ("DestinationRegionId", "cn-hangzhou"),
            ],
        );
        case.params.push((name.into(), ParamValue::text(value)));
        let built = case.build(&world, now, "ecs.aliyuncs.com", "0123456789abcdef0123456789abcdef");
        let p = oracle::predict(&Scene::new(&world, &NonceLog::new(), now).in_doc(doc), &built.request);
        let success = p.acceptable.iter().any(|o| matches!(o, Outcome::Success(_)));
        let refusal = p.acceptable.iter().any(|o| matches!(o, Outcome::Error(_)));
        (success, refusal, p.open_points())
    }

    /// A copy without `DestinationRegionId`: its acceptable outcomes as (success into
    /// the source region, refusal Codes).
    fn without_destination(doc: Doc) -> (bool, Vec<&'static str>) {
        let world = World::default_fixture();
        let now = Timestamp(1_750_000_000);
        let case = Case::new(Signing::V1Get, &[("RegionId", "cn-qingdao"), ("ImageId", "m-available00000000001")]);
        let built = case.build(&world, now, "ecs.aliyuncs.com", "0123456789abcdef0123456789abcdef");
        let p = oracle::predict(&Scene::new(&world, &NonceLog::new(), now).in_doc(doc), &built.request);
        let within = p.acceptable.iter().any(|o| {
            matches!(o, Outcome::Success(copyimage_conformance::oracle::Effect::Copy(plan)) if plan.destination_region == "cn-qingdao")
        });
        let codes =
            p.acceptable.iter().filter_map(|o| if let Outcome::Error(e) = o { Some(e.code) } else { None }).collect();
        (within, codes)
    }

    #[test]
    fn an_absent_destination_may_stay_in_the_source_region_under_the_newest_page() {
        let refusals = ["MissingParameter", "IncorrectDestinationRegion", "DestinationRegion.NotFound"];
        let (within, codes) = without_destination(Doc::June2018);
        assert!(!within, "the seed requires it");
        assert!(refusals.iter().all(|c| codes.contains(c)), "{codes:?}");
        let (within, codes) = without_destination(Doc::January2026);
        assert!(within, "protocol.md §6: the copy stays in the source region");
        assert!(refusals.iter().all(|c| codes.contains(c)), "{codes:?}");
    }

    #[test]
    fn where_the_newest_page_changes_a_condition_either_answer_is_accepted() {
        let newest = vec![OpenPoint::NewestConditions];
        for (name, value, seed) in [
            ("DestinationDescription", "a", (true, false)),
            ("DestinationDescription", "", (true, false)),
            ("DestinationImageName", "aliyun-copy", (true, false)),
            ("DestinationImageName", "ACS:copy", (true, false)),
            ("DestinationImageName", "\u{e9}copy", (false, true)),
        ] {
            let (s, r, _) = answers(Doc::June2018, name, value);
            assert_eq!((s, r), seed, "2018-06, {name}={value:?}");
            let (s, r, points) = answers(Doc::January2026, name, value);
            assert_eq!((s, r, points), (true, true, newest.clone()), "2026-01, {name}={value:?}");
        }
        // Where the pages agree, nothing is widened.
        assert_eq!(answers(Doc::January2026, "DestinationImageName", "copy-1"), (true, false, vec![]));
        assert!(!answers(Doc::January2026, "DestinationImageName", "1copy").0);
        assert!(!answers(Doc::January2026, "DestinationDescription", "http://x").0);
        // `/` is no name character under either page, so http:// inside a name is refused
        // by the character rule already.
        assert!(!answers(Doc::January2026, "DestinationImageName", "ab-http://x").0);
    }
}
