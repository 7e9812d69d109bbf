//! Stateful properties: sequences of copies, clock advances and world checks, each
//! step checked against the oracle's model of the target.

mod common;

use std::time::Duration;

use copyimage_conformance::case::{Case, ParamValue, ReplayStep};
use copyimage_conformance::generate::{arb_anchor, arb_steps, steps::resolve};
use copyimage_conformance::harness::endpoint::Endpoint;
use copyimage_conformance::harness::exchange::{Mirror, StepRecord, run_steps};
use copyimage_conformance::model::{Clock, Timestamp, World};
use copyimage_conformance::wire::sign::Signing;
use proptest::prelude::*;

fn frozen_default_world() -> World {
    let mut w = World::default_fixture();
    w.clock = Clock::Frozen { now: Timestamp::parse("2026-03-01T00:00:00Z").unwrap() };
    w
}

fn copy(image: &str, dest: &str, name: Option<&str>) -> ReplayStep {
    let mut case = Case::new(
        Signing::V1PostQuery,
        &[("RegionId", "cn-qingdao"), ("ImageId", image), ("DestinationRegionId", dest)],
    );
    if let Some(n) = name {
        case.params.push(("DestinationImageName".into(), ParamValue::text(n)));
        case.params.push(("DestinationDescription".into(), ParamValue::text("made by a sequence")));
    }
    ReplayStep::Send { case }
}

/// Runs steps on a fresh emulator; every step must pass. Returns what each step saw.
async fn run(world: World, steps: &[ReplayStep]) -> Vec<StepRecord> {
    let emulator = common::emulator(world.clone()).await;
    let target = Endpoint::connect(&emulator.uri(), Duration::from_secs(10), None).await.unwrap();
    let mut mirror = Mirror::staged(&target, &world).await.unwrap();
    let records = run_steps(&target, &mut mirror, steps).await.unwrap();
    for r in &records {
        assert!(r.verdict.passed(), "{:?}\n{:?}", r.verdict.mismatches, r.request);
    }
    emulator.shutdown().await;
    records
}

fn seen(records: &[StepRecord]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            r.verdict
                .seen
                .code
                .clone()
                .unwrap_or_else(|| r.verdict.seen.status.map_or("check".into(), |s| s.to_string()))
        })
        .collect()
}

#[tokio::test]
async fn copying_again_while_the_copy_runs_is_refused_until_it_completes() {
    let steps = [
        copy("m-available00000000001", "cn-hangzhou", None),
        copy("m-available00000000001", "ap-southeast-1", None),
        ReplayStep::Advance { seconds: 59 },
        copy("m-available00000000001", "ap-southeast-1", None),
        ReplayStep::Advance { seconds: 1 },
        copy("m-available00000000001", "ap-southeast-1", None),
        ReplayStep::Check,
    ];
    let records = run(frozen_default_world(), &steps).await;
    assert_eq!(seen(&records), ["200", "OperationDenied.ImageCopying", "OperationDenied.ImageCopying", "200", "check"]);
}

#[tokio::test]
async fn filling_a_quota_to_the_limit_and_one_past() {
    let mut world = frozen_default_world();
    // testid holds one image (existing-name) in cn-hangzhou: room for two more.
    world.regions.iter_mut().find(|r| r.id == "cn-hangzhou").unwrap().image_quota = 3;
    let steps = [
        copy("m-available00000000001", "cn-hangzhou", None),
        ReplayStep::Advance { seconds: 60 },
        copy("m-available00000000001", "cn-hangzhou", None),
        ReplayStep::Advance { seconds: 60 },
        copy("m-available00000000001", "cn-hangzhou", None),
        ReplayStep::Check,
    ];
    let records = run(world, &steps).await;
    assert_eq!(seen(&records), ["200", "200", "QuotaExceed.Image", "check"]);
}

#[tokio::test]
async fn a_name_an_earlier_copy_took_is_a_duplicate_in_that_region_only() {
    let steps = [
        copy("m-available00000000001", "cn-hangzhou", Some("seq-name")),
        ReplayStep::Advance { seconds: 60 },
        copy("m-available00000000001", "cn-hangzhou", Some("seq-name")),
        copy("m-available00000000001", "ap-southeast-1", Some("seq-name")),
        ReplayStep::Check,
    ];
    let records = run(frozen_default_world(), &steps).await;
    assert_eq!(seen(&records), ["200", "InvalidImageName.Duplicated", "200", "check"]);
}

#[tokio::test]
async fn the_new_image_is_visible_with_its_name_and_becomes_available() {
    let steps = [
        copy("m-available00000000001", "cn-hangzhou", Some("visible")),
        ReplayStep::Check,
        ReplayStep::Advance { seconds: 60 },
        ReplayStep::Check,
    ];
    let records = run(frozen_default_world(), &steps).await;
    assert_eq!(seen(&records), ["200", "check", "check"]);
    // The checks compared the target's world with the model: Creating, then Available.
    assert!(
        records
            .iter()
            .filter(|r| r.request.is_none())
            .all(|r| r.verdict.exercised.contains(&copyimage_conformance::rules::RuleId::CopyLifecycle))
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random sequences over generated worlds: every reply and every world check
    /// matches the model.
    #[test]
    fn random_sequences_match_the_model(anchor in arb_anchor(), steps in arb_steps(Signing::ALL.to_vec())) {
        let replay = resolve(&anchor, &steps);
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(run(anchor.world.clone(), &replay));
    }
}
