//! Each fault of the catalogue breaks what it says, and the request next to it stays
//! as the reference emulator answers it. Compared: status, Code, root element, field
//! names and format of the reply, between the emulator with the fault and without.

mod common;

use copyimage_conformance::case::{Case, ParamValue, Tamper};
use copyimage_conformance::emulator::fault::{Fault, Faults};
use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::model::{Clock, Timestamp, World};
use copyimage_conformance::wire::reply;
use copyimage_conformance::wire::sign::Signing;

fn base(image: &str, dest: &str) -> Case {
    Case::new(Signing::V1PostQuery, &[("RegionId", "cn-qingdao"), ("ImageId", image), ("DestinationRegionId", dest)])
}

fn ok() -> Case {
    base("m-available00000000001", "cn-hangzhou")
}

fn set(case: Case, name: &str, value: &str) -> Case {
    case.with(Tamper::Set { name: name.into(), value: ParamValue::text(value) })
}

fn name(n: &str) -> Case {
    set(ok(), "DestinationImageName", n)
}

fn desc(d: &str) -> Case {
    set(ok(), "DestinationDescription", d)
}

fn json(case: Case) -> Case {
    set(case, "Format", "JSON")
}

fn world() -> World {
    let mut w = World::default_fixture();
    w.clock = Clock::Frozen { now: Timestamp::parse("2026-03-01T00:00:00Z").unwrap() };
    w
}

fn created(w: &mut World, image: &str, at: &str) {
    w.images.iter_mut().find(|i| i.id == image).unwrap().created_at = Timestamp::parse(at).unwrap();
}

/// What a reply looks like, for comparing two emulators.
async fn answer(
    faults: Vec<Fault>,
    world: &World,
    case: &Case,
) -> (u16, Option<String>, Option<String>, Vec<String>, String) {
    let e =
        Emulator::start(EmulatorConfig { world: world.clone(), faults: Faults(faults), ..EmulatorConfig::default() })
            .await
            .unwrap();
    let client = common::client();
    let (_, http) = common::send_case(&client, &e, case).await;
    e.shutdown().await;
    match reply::parse(&http.body) {
        Ok(p) => (
            http.status,
            p.text("Code").map(str::to_owned),
            p.root.clone(),
            p.fields.iter().map(|(n, _)| n.clone()).collect(),
            p.format.to_string(),
        ),
        Err(err) => (http.status, None, None, Vec::new(), err.to_string()),
    }
}

struct Row {
    fault: Fault,
    /// A case the fault must change.
    breaks: Option<Case>,
    /// A case next to it that the fault must leave alone.
    spares: Option<Case>,
    world: World,
}

fn row(fault: Fault, breaks: Case, spares: Case) -> Row {
    Row { fault, breaks: Some(breaks), spares: Some(spares), world: world() }
}

fn rows() -> Vec<Row> {
    let mut old = world();
    created(&mut old, "m-tooold00000000000001", "2013-06-20T00:00:00Z");
    let mut older = world();
    created(&mut older, "m-tooold00000000000001", "2013-06-01T00:00:00Z");
    let mut over_quota = world();
    over_quota.regions.iter_mut().find(|r| r.id == "cn-beijing").unwrap().image_quota = 0;
    let mut over_snapshots = world();
    over_snapshots.regions.iter_mut().find(|r| r.id == "cn-shanghai").unwrap().snapshot_quota = 9;
    let mut denied = base("m-deniedown00000000001", "cn-hangzhou");
    denied.key = "deniedid".into();
    let form = Case { signing: Signing::V1PostForm, ..ok() };
    vec![
        row(Fault::NameMaxPlusOne, name(&"a".repeat(129)), name(&"a".repeat(130))),
        row(Fault::NameMaxMinusOne, name(&"a".repeat(128)), name(&"a".repeat(127))),
        row(Fault::NameMinMinusOne, name("a"), name("")),
        row(Fault::NameMinPlusOne, name("ab"), name("abc")),
        row(Fault::DescriptionMaxPlusOne, desc(&"d".repeat(257)), desc(&"d".repeat(258))),
        row(Fault::DescriptionMaxMinusOne, desc(&"d".repeat(256)), desc(&"d".repeat(255))),
        row(Fault::ChineseFirstRefused, name("中a"), name("a中")),
        row(Fault::AnyLetterFirst, name("éabc"), name("1abc")),
        row(Fault::DigitFirst, name("1abc"), name("_abc")),
        row(Fault::AnyPunctuation, name("a!b"), name(" ab")),
        row(Fault::DescriptionPrefixUnchecked, desc("http://x"), desc(&"d".repeat(257))),
        row(
            Fault::StatusIgnored,
            base("m-unavail0000000000001", "cn-hangzhou"),
            base("m-encrypted00000000001", "cn-hangzhou"),
        ),
        Row {
            fault: Fault::TooOldShifted,
            breaks: Some(base("m-tooold00000000000001", "cn-hangzhou")),
            spares: None,
            world: old,
        },
        Row {
            fault: Fault::TooOldShifted,
            breaks: None,
            spares: Some(base("m-tooold00000000000001", "cn-hangzhou")),
            world: older,
        },
        row(
            Fault::EncryptedIgnored,
            base("m-encrypted00000000001", "cn-hangzhou"),
            base("m-unavail0000000000001", "cn-hangzhou"),
        ),
        row(
            Fault::CopyingIgnored,
            base("m-copying0000000000001", "cn-hangzhou"),
            base("m-unavail0000000000001", "cn-hangzhou"),
        ),
        row(
            Fault::ImageQuotaIgnored,
            base("m-available00000000001", "cn-beijing"),
            base("m-available00000000001", "cn-nocopy-1"),
        ),
        row(
            Fault::ImageQuotaPlusOne,
            base("m-available00000000001", "cn-beijing"),
            base("m-unavail0000000000001", "cn-beijing"),
        ),
        Row {
            fault: Fault::ImageQuotaPlusOne,
            breaks: None,
            spares: Some(base("m-available00000000001", "cn-beijing")),
            world: over_quota,
        },
        row(Fault::SnapshotQuotaIgnored, base("m-available00000000001", "cn-shanghai"), ok()),
        row(Fault::SnapshotQuotaPlusOne, base("m-available00000000001", "cn-shanghai"), ok()),
        Row {
            fault: Fault::SnapshotQuotaPlusOne,
            breaks: None,
            spares: Some(base("m-available00000000001", "cn-shanghai")),
            world: over_snapshots,
        },
        row(Fault::DuplicatesIgnored, name("existing-name"), name("1bad")),
        row(Fault::DuplicatesWrongRegion, name("existing-name"), ok()),
        row(Fault::DuplicatesWrongRegion, name("available-image"), name("fresh-name")),
        row(
            Fault::SameRegionAccepted,
            base("m-available00000000001", "cn-qingdao"),
            base("m-unavail0000000000001", "cn-hangzhou"),
        ),
        row(
            Fault::RegionCodesSwapped,
            base("m-available00000000001", "cn-nowhere-1"),
            base("m-unavail0000000000001", "cn-hangzhou"),
        ),
        row(
            Fault::CrossAccountAllowed,
            base("m-otheracct00000000001", "cn-hangzhou"),
            base("m-system00000000000001", "cn-hangzhou"),
        ),
        row(Fault::ForbiddenIgnored, denied, base("m-unavail0000000000001", "cn-hangzhou")),
        row(
            Fault::StatusCodeWrong,
            base("m-unavail0000000000001", "cn-hangzhou"),
            base("m-encrypted00000000001", "cn-hangzhou"),
        ),
        // Its neighbours with other statuses (the one above is 403 like the fault's).
        row(Fault::StatusCodeWrong, base("m-unavail0000000000001", "cn-hangzhou"), ok()),
        row(Fault::StatusCodeWrong, base("m-unavail0000000000001", "cn-hangzhou"), name("1bad")),
        row(
            Fault::MisspellingFixed,
            base("m-encrypted00000000001", "cn-hangzhou"),
            base("m-unavail0000000000001", "cn-hangzhou"),
        ),
        row(Fault::WrongErrorRoot, base("m-unavail0000000000001", "cn-hangzhou"), ok()),
        row(Fault::JsonEnvelope, json(ok()), ok()),
        row(Fault::FormatIgnored, json(ok()), ok()),
        Row { fault: Fault::RequestIdMissing, breaks: Some(ok()), spares: None, world: world() },
        row(Fault::HostIdMissing, base("m-unavail0000000000001", "cn-hangzhou"), ok()),
        row(Fault::SignatureUnchecked, ok().with(Tamper::BadSignature), ok()),
        row(Fault::TimestampUnchecked, ok().with(Tamper::TimestampOffset { seconds: -3600 }), ok()),
        row(Fault::NonceReusable, ok().with(Tamper::ReuseNonce), ok()),
        row(Fault::PostRefused, ok(), Case { signing: Signing::V1Get, ..ok() }),
        row(Fault::FormBodyIgnored, form.clone(), ok()),
        row(Fault::V3Unsupported, Case { signing: Signing::V3, ..ok() }, ok()),
        // A form body is read as usual when a fault other than the form fault is on.
        row(Fault::V3Unsupported, Case { signing: Signing::V3, ..ok() }, form),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_breaks_what_it_says_and_spares_its_neighbour() {
    for r in rows() {
        if let Some(broken) = &r.breaks {
            let reference = answer(Vec::new(), &r.world, broken).await;
            let faulty = answer(vec![r.fault], &r.world, broken).await;
            assert_ne!(reference, faulty, "{} does not change {broken:?}", r.fault);
        }
        if let Some(spared) = &r.spares {
            let reference = answer(Vec::new(), &r.world, spared).await;
            let faulty = answer(vec![r.fault], &r.world, spared).await;
            assert_eq!(reference, faulty, "{} changes its neighbour {:?}", r.fault, spared);
        }
    }
}

#[test]
fn every_fault_that_acts_on_one_request_has_a_row() {
    let covered: Vec<Fault> = rows().iter().map(|r| r.fault).collect();
    let lifecycle = [Fault::CopiesNeverComplete, Fault::CompletedCopiesInvisible, Fault::ImageIdsReused];
    for f in Fault::ALL.iter().filter(|f| !lifecycle.contains(f)) {
        assert!(covered.contains(f), "{f} has no row");
    }
}

/// Copy, advance past the copy, read the world, copy again: what each step shows.
async fn lifecycle(faults: Vec<Fault>) -> (String, Vec<(String, String)>, String) {
    let e = Emulator::start(EmulatorConfig { world: world(), faults: Faults(faults), ..EmulatorConfig::default() })
        .await
        .unwrap();
    let client = common::client();
    let id = |http: &copyimage_conformance::model::HttpReply| {
        reply::parse(&http.body).unwrap().text("ImageId").unwrap_or_default().to_owned()
    };
    let (_, first) = common::send_case(&client, &e, &ok()).await;
    let r =
        client.post(format!("{}/_conformance/clock", e.uri())).body(r#"{"advance_seconds": 60}"#).send().await.unwrap();
    assert!(r.status().is_success());
    let shown: serde_json::Value =
        client.get(format!("{}/_conformance/world", e.uri())).send().await.unwrap().json_value().await;
    let images = shown["world"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap().to_owned(), i["status"].as_str().unwrap().to_owned()))
        .collect();
    let (_, second) = common::send_case(&client, &e, &base("m-available00000000001", "ap-southeast-1")).await;
    e.shutdown().await;
    (id(&first), images, id(&second))
}

trait Json {
    async fn json_value(self) -> serde_json::Value;
}

impl Json for reqwest::Response {
    async fn json_value(self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes().await.unwrap()).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_faults_break_only_the_copy_they_concern() {
    let (first, reference, second) = lifecycle(Vec::new()).await;
    assert_ne!(first, second);
    let status = |images: &[(String, String)], id: &str| images.iter().find(|(i, _)| i == id).map(|(_, s)| s.clone());
    assert_eq!(status(&reference, &first).as_deref(), Some("Available"));
    let others =
        |images: &[(String, String)], id: &str| images.iter().filter(|(i, _)| i != id).cloned().collect::<Vec<_>>();

    let (f, never, _) = lifecycle(vec![Fault::CopiesNeverComplete]).await;
    assert_eq!(status(&never, &f).as_deref(), Some("Creating"));
    assert_eq!(others(&never, &f), others(&reference, &first));

    let (f, invisible, _) = lifecycle(vec![Fault::CompletedCopiesInvisible]).await;
    assert_eq!(status(&invisible, &f), None);
    assert_eq!(invisible, others(&reference, &first));

    let (f, _, again) = lifecycle(vec![Fault::ImageIdsReused]).await;
    assert_eq!(f, again);
}
