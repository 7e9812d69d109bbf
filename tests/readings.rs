//! Every other reading the built-in emulator can serve (`serve --reading POINT=READING`)
//! changes what it answers, and the harness accepts the answer of every one: a directed
//! case per reading (`fixtures/readings/`), then certification of the emulator under
//! each reading alone and under all compatible readings at once, over 20 seeds.

use std::path::PathBuf;
use std::time::Duration;

use copyimage_conformance::case::Case;
use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::harness::compare::Seen;
use copyimage_conformance::harness::endpoint::Endpoint;
use copyimage_conformance::harness::exchange::{Mirror, send_case};
use copyimage_conformance::harness::snapshot::snapshot_world;
use copyimage_conformance::harness::{RunConfig, run};
use copyimage_conformance::model::{Image, Region, TokenUse, World};
use copyimage_conformance::oracle::{OpenPoint, PointReading, Readings};
use copyimage_conformance::rules::Doc;
use rstest::rstest;
use serde::Deserialize;

/// A directed case for one reading.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadingFile {
    /// The reading the case tells apart from the default.
    reading: PointReading,
    /// The documentation profile both emulators serve (absent: the seed's).
    #[serde(default)]
    doc: Doc,
    /// Readings both emulators take (those the reading needs to matter).
    #[serde(default)]
    with: Vec<PointReading>,
    about: String,
    /// Images and regions that replace those of the same id in the snapshot world.
    #[serde(default)]
    world: Option<Patch>,
    case: Case,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Patch {
    #[serde(default)]
    images: Vec<Image>,
    #[serde(default)]
    regions: Vec<Region>,
    #[serde(default)]
    tokens: Vec<TokenUse>,
}

fn load(path: &PathBuf) -> ReadingFile {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn patched(patch: Option<Patch>) -> World {
    let mut world = snapshot_world();
    let patch = patch.unwrap_or_default();
    for image in patch.images {
        world.images.retain(|i| i.id != image.id);
        world.images.push(image);
    }
    for region in patch.regions {
        world.regions.retain(|r| r.id != region.id);
        world.regions.push(region);
    }
    world.tokens.extend(patch.tokens);
    world.check().expect("a consistent world");
    world
}

/// What an emulator with `readings` answers to the case, and whether the harness
/// accepts it.
async fn answer(doc: Doc, readings: Readings, world: &World, case: &Case) -> (Seen, bool) {
    let config = EmulatorConfig { world: world.clone(), readings, doc, ..EmulatorConfig::default() };
    let emulator = Emulator::start(config).await.unwrap();
    let target = Endpoint::connect(&emulator.uri(), Duration::from_secs(10), None).await.unwrap().with_doc(doc);
    let mut mirror = Mirror::staged(&target, world).await.unwrap();
    let records = send_case(&target, &mut mirror, case).await.unwrap();
    emulator.shutdown().await;
    let last = records.last().unwrap();
    // The whole body, not the first 300 characters a verdict keeps.
    let mut seen = last.verdict.seen.clone();
    if let Some(reply) = last.wire.as_ref().and_then(|w| w.reply.as_ref()) {
        seen.body = String::from_utf8_lossy(&reply.body).into_owned();
    }
    (seen, records.iter().all(|r| r.verdict.passed()))
}

/// What tells two answers apart: status, Code, format and the body with every UUID
/// (its RequestId) left out.
fn brief(seen: &Seen) -> (Option<u16>, Option<String>, Option<copyimage_conformance::model::Format>, String) {
    let uuid = |w: &[u8]| {
        w.len() == 36
            && w.iter()
                .enumerate()
                .all(|(i, b)| if [8, 13, 18, 23].contains(&i) { *b == b'-' } else { b.is_ascii_hexdigit() })
    };
    let bytes = seen.body.as_bytes();
    let mut body = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.len() - i >= 36 && uuid(&bytes[i..i + 36]) {
            i += 36;
        } else {
            body.push(bytes[i]);
            i += 1;
        }
    }
    (seen.status, seen.code.clone(), seen.format, String::from_utf8_lossy(&body).into_owned())
}

#[rstest]
#[tokio::test]
async fn each_reading_changes_an_answer_that_the_harness_accepts(#[files("fixtures/readings/*.json")] path: PathBuf) {
    let file = load(&path);
    let world = patched(file.world);
    let base = Readings::of(&file.with).unwrap();
    let mut all = file.with.clone();
    all.push(file.reading);
    let other = Readings::of(&all).unwrap();
    let (before, before_ok) = answer(file.doc, base, &world, &file.case).await;
    let (after, after_ok) = answer(file.doc, other, &world, &file.case).await;
    assert!(before_ok, "{}: the harness refuses the default answer {before}", file.about);
    assert!(after_ok, "{}: the harness refuses {}'s answer {after}", file.about, file.reading);
    assert_ne!(brief(&before), brief(&after), "{}: {} changes nothing ({before})", file.about, file.reading);
}

#[test]
fn every_other_reading_has_a_directed_case() {
    let mut covered = Vec::new();
    for entry in std::fs::read_dir("fixtures/readings").unwrap() {
        let path = entry.unwrap().path();
        let file = load(&path);
        assert_eq!(path.file_stem().unwrap().to_string_lossy(), file.reading.to_string(), "file name");
        covered.push(file.reading);
    }
    let missing: Vec<String> =
        PointReading::alternatives().into_iter().filter(|r| !covered.contains(r)).map(|r| r.to_string()).collect();
    assert!(missing.is_empty(), "readings without a directed case: {missing:?}");
}

/// The readings a reading needs to make a difference, and the profile it matters
/// under (from its directed case).
fn companions(reading: PointReading) -> (Vec<PointReading>, Doc) {
    let path = PathBuf::from(format!("fixtures/readings/{reading}.json"));
    let file = load(&path);
    (file.with, file.doc)
}

async fn certify(readings: Vec<PointReading>, doc: Doc) {
    let label: Vec<String> = readings.iter().map(ToString::to_string).collect();
    let readings = Readings::of(&readings).unwrap();
    for seed in 0..20 {
        let config =
            RunConfig { cases: 100, seed, workers: 2, readings: readings.clone(), doc, ..RunConfig::default() };
        let report = run(config).await.expect("the harness runs");
        assert!(report.conformant(), "{label:?}, seed {seed}:\n{report}");
        assert_eq!(report.flaky, 0, "{label:?}, seed {seed}:\n{report}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_conforms_under_each_reading_alone() {
    for reading in PointReading::alternatives() {
        let (mut readings, doc) = companions(reading);
        readings.push(reading);
        certify(readings, doc).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_conforms_under_all_compatible_readings_at_once() {
    // One other reading of every point, taken together: the first of each, then the last.
    for pick in [0usize, usize::MAX] {
        let readings: Vec<PointReading> = OpenPoint::ALL
            .iter()
            .filter_map(|p| {
                let others: Vec<PointReading> = p.alternatives().collect();
                others.get(pick.min(others.len().saturating_sub(1))).copied()
            })
            .collect();
        for doc in Doc::ALL {
            certify(readings.clone(), doc).await;
        }
    }
}
