//! Each fault of the catalogue breaks what it says, and the request next to it stays
//! as the reference emulator answers it. Compared: status, Code, root element, field
//! names and format of the reply, between the emulator with the fault and without.

mod common;

use copyimage_conformance::case::{Case, ParamValue, Tamper};
use copyimage_conformance::emulator::fault::{Fault, Faults};
use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::model::{Clock, Timestamp, World};
use copyimage_conformance::rules::Doc;
use copyimage_conformance::rules::protocol::Action;
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

/// The page's example KMS key id.
const KMS_KEY: &str = "e522b26d-abf6-4e0d-b5da-04b7000000c3";

/// A retry of the default world's copy in progress with the ClientToken it was made
/// with (profile 2026-01): answered with that copy.
fn retry() -> Case {
    set(base("m-copying0000000000001", "ap-southeast-1"), "ClientToken", "copy-in-progress-0001")
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
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    status: u16,
    code: Option<String>,
    root: Option<String>,
    fields: Vec<String>,
    format: String,
    /// The items of a companion call's list: `id:Status:Progress` of each image, or
    /// each region's id.
    listed: Vec<String>,
}

const ERROR_FIELDS: [&str; 5] = ["RequestId", "HostId", "Code", "Message", "Recommend"];

/// A successful XML CopyImage reply.
fn success() -> Answer {
    Answer {
        status: 200,
        code: None,
        root: Some("CopyImageResponse".into()),
        fields: vec!["RequestId".into(), "ImageId".into()],
        format: "xml".into(),
        listed: Vec::new(),
    }
}

/// A successful XML reply of a companion call.
fn call_success(root: &str, fields: &[&str], listed: &[&str]) -> Answer {
    Answer {
        status: 200,
        code: None,
        root: Some(root.into()),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        format: "xml".into(),
        listed: listed.iter().map(|l| l.to_string()).collect(),
    }
}

const LISTING: [&str; 6] = ["RequestId", "RegionId", "TotalCount", "PageNumber", "PageSize", "Images"];

fn call(action: Action, params: &[(&str, &str)]) -> Case {
    Case::new(Signing::V1PostQuery, params).for_action(action)
}

/// A documented XML error reply.
fn error(status: u16, code: &str) -> Answer {
    Answer {
        status,
        code: Some(code.into()),
        root: Some("Error".into()),
        fields: ERROR_FIELDS.iter().map(|f| f.to_string()).collect(),
        format: "xml".into(),
        listed: Vec::new(),
    }
}

impl Answer {
    fn without(mut self, field: &str) -> Self {
        self.fields.retain(|f| f != field);
        self
    }
    fn root(self, root: Option<&str>) -> Self {
        Answer { root: root.map(str::to_owned), ..self }
    }
    fn json(self) -> Self {
        Answer { root: None, format: "json".into(), ..self }
    }
}

/// What an emulator with `faults` answers under profile `doc`.
async fn answer_in(doc: Doc, faults: Vec<Fault>, world: &World, case: &Case) -> Answer {
    let config = EmulatorConfig { world: world.clone(), faults: Faults(faults), doc, ..EmulatorConfig::default() };
    let e = Emulator::start(config).await.unwrap();
    let client = common::client();
    let (_, http) = common::send_case(&client, &e, case).await;
    e.shutdown().await;
    match reply::parse(&http.body) {
        Ok(p) => Answer {
            status: http.status,
            code: p.text("Code").map(str::to_owned),
            root: p.root.clone(),
            fields: p.fields.iter().map(|(n, _)| n.clone()).collect(),
            format: p.format.to_string(),
            listed: listed(&http.body),
        },
        Err(err) => Answer {
            status: http.status,
            code: None,
            root: None,
            fields: Vec::new(),
            format: err.to_string(),
            listed: Vec::new(),
        },
    }
}

/// The items of a reply's list, in brief.
fn listed(body: &[u8]) -> Vec<String> {
    let get = |i: &Vec<(String, String)>, n: &str| i.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    if let Ok(Some(images)) = reply::parse_items(body, "Images", "Image") {
        return images
            .iter()
            .map(|i| {
                let field = |n| get(i, n).unwrap_or_default();
                format!("{}:{}:{}", field("ImageId"), field("Status"), field("Progress"))
            })
            .collect();
    }
    match reply::parse_items(body, "Regions", "Region") {
        Ok(Some(regions)) => regions.iter().filter_map(|r| get(r, "RegionId")).collect(),
        _ => Vec::new(),
    }
}

struct Row {
    fault: Fault,
    /// A case the fault must change, and the reply the faulty emulator gives to it.
    breaks: Option<(Case, Answer)>,
    /// A case next to it that the fault must leave alone.
    spares: Option<Case>,
    world: World,
}

/// A fault, a case it changes and a neighbouring case it spares; `becomes` says how the
/// changed reply reads.
fn row(fault: Fault, breaks: Case, spares: Case) -> Row {
    Row { fault, breaks: Some((breaks, success())), spares: Some(spares), world: world() }
}

impl Row {
    fn becomes(mut self, answer: Answer) -> Self {
        if let Some((_, slot)) = &mut self.breaks {
            *slot = answer;
        }
        self
    }
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
    let (a, h, q) = ("ap-southeast-1", "cn-hangzhou", "cn-qingdao");
    let existing = [("RegionId", h), ("ImageId", "m-existing000000000001")];
    let copy = [("RegionId", a), ("ImageId", "m-copyinprogress000001")];
    let regions = ["cn-qingdao", "cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"];
    vec![
        // The companion calls.
        row(
            Fault::DeleteDuringCopy,
            call(Action::DeleteImage, &copy),
            call(Action::DeleteImage, &[("RegionId", q), ("ImageId", "m-creating000000000001")]),
        )
        .becomes(call_success("DeleteImageResponse", &["RequestId"], &[])),
        row(
            Fault::CancelCompletedAllowed,
            call(Action::CancelCopyImage, &[("RegionId", a), ("ImageId", "m-copieddone000000001")]),
            call(Action::CancelCopyImage, &[("RegionId", q), ("ImageId", "m-available00000000001")]),
        )
        .becomes(call_success("CancelCopyImageResponse", &["RequestId"], &[])),
        row(
            Fault::StatusDefaultIgnored,
            call(Action::DescribeImages, &copy),
            call(Action::DescribeImages, &[copy[0], copy[1], ("Status", "Available")]),
        )
        .becomes(call_success("DescribeImagesResponse", &LISTING, &["m-copyinprogress000001:Creating:0%"])),
        row(Fault::ProgressNeverMoves, call(Action::DescribeImages, &existing), ok()).becomes(call_success(
            "DescribeImagesResponse",
            &LISTING,
            &["m-existing000000000001:Available:0%"],
        )),
        row(Fault::PageOffByOne, call(Action::DescribeImages, &existing), call(Action::DescribeRegions, &[]))
            .becomes(call_success("DescribeImagesResponse", &LISTING, &[])),
        row(Fault::RegionMissing, call(Action::DescribeRegions, &[]), call(Action::DescribeImages, &existing))
            .becomes(call_success("DescribeRegionsResponse", &["RequestId", "Regions"], &regions)),
        row(Fault::NameMaxPlusOne, name(&"a".repeat(129)), name(&"a".repeat(130))).becomes(success()),
        row(Fault::NameMaxMinusOne, name(&"a".repeat(128)), name(&"a".repeat(127)))
            .becomes(error(400, "InvalidImageName.Malformed")),
        row(Fault::NameMinMinusOne, name("a"), name("")).becomes(success()),
        row(Fault::NameMinPlusOne, name("ab"), name("abc")).becomes(error(400, "InvalidImageName.Malformed")),
        row(Fault::DescriptionMaxPlusOne, desc(&"d".repeat(257)), desc(&"d".repeat(258))).becomes(success()),
        row(Fault::DescriptionMaxMinusOne, desc(&"d".repeat(256)), desc(&"d".repeat(255)))
            .becomes(error(400, "InvalidDescription.Malformed")),
        row(Fault::ChineseFirstRefused, name("中a"), name("a中")).becomes(error(400, "InvalidImageName.Malformed")),
        row(Fault::AnyLetterFirst, name("éabc"), name("1abc")).becomes(success()),
        row(Fault::DigitFirst, name("1abc"), name("_abc")).becomes(success()),
        row(Fault::AnyPunctuation, name("a!b"), name(" ab")).becomes(success()),
        row(Fault::DescriptionPrefixUnchecked, desc("http://x"), desc(&"d".repeat(257))).becomes(success()),
        row(
            Fault::StatusIgnored,
            base("m-unavail0000000000001", "cn-hangzhou"),
            base("m-encrypted00000000001", "cn-hangzhou"),
        )
        .becomes(success()),
        Row {
            fault: Fault::TooOldShifted,
            breaks: Some((base("m-tooold00000000000001", "cn-hangzhou"), success())),
            spares: None,
            world: old,
        }
        .becomes(success()),
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
        )
        .becomes(success()),
        row(
            Fault::CopyingIgnored,
            base("m-copying0000000000001", "cn-hangzhou"),
            base("m-unavail0000000000001", "cn-hangzhou"),
        )
        .becomes(success()),
        row(
            Fault::ImageQuotaIgnored,
            base("m-available00000000001", "cn-beijing"),
            base("m-available00000000001", "cn-nocopy-1"),
        )
        .becomes(success()),
        row(
            Fault::ImageQuotaPlusOne,
            base("m-available00000000001", "cn-beijing"),
            base("m-unavail0000000000001", "cn-beijing"),
        )
        .becomes(success()),
        Row {
            fault: Fault::ImageQuotaPlusOne,
            breaks: None,
            spares: Some(base("m-available00000000001", "cn-beijing")),
            world: over_quota,
        },
        row(Fault::SnapshotQuotaIgnored, base("m-available00000000001", "cn-shanghai"), ok()).becomes(success()),
        row(Fault::SnapshotQuotaPlusOne, base("m-available00000000001", "cn-shanghai"), ok()).becomes(success()),
        Row {
            fault: Fault::SnapshotQuotaPlusOne,
            breaks: None,
            spares: Some(base("m-available00000000001", "cn-shanghai")),
            world: over_snapshots,
        },
        row(Fault::DuplicatesIgnored, name("existing-name"), name("1bad")).becomes(success()),
        row(Fault::DuplicatesWrongRegion, name("existing-name"), ok()).becomes(success()),
        row(Fault::DuplicatesWrongRegion, name("available-image"), name("fresh-name"))
            .becomes(error(400, "InvalidImageName.Duplicated")),
        row(
            Fault::SameRegionAccepted,
            base("m-available00000000001", "cn-qingdao"),
            base("m-unavail0000000000001", "cn-hangzhou"),
        )
        .becomes(success()),
        row(
            Fault::RegionCodesSwapped,
            base("m-available00000000001", "cn-nowhere-1"),
            base("m-unavail0000000000001", "cn-hangzhou"),
        )
        .becomes(error(400, "SourceRegion.NotFound")),
        row(
            Fault::CrossAccountAllowed,
            base("m-otheracct00000000001", "cn-hangzhou"),
            base("m-system00000000000001", "cn-hangzhou"),
        )
        .becomes(success()),
        row(Fault::ForbiddenIgnored, denied, base("m-unavail0000000000001", "cn-hangzhou")).becomes(success()),
        row(
            Fault::StatusCodeWrong,
            base("m-unavail0000000000001", "cn-hangzhou"),
            base("m-encrypted00000000001", "cn-hangzhou"),
        )
        .becomes(error(403, "IncorrectImageStatus")),
        // Its neighbours with other statuses (the one above is 403 like the fault's).
        row(Fault::StatusCodeWrong, base("m-unavail0000000000001", "cn-hangzhou"), ok())
            .becomes(error(403, "IncorrectImageStatus")),
        row(Fault::StatusCodeWrong, base("m-unavail0000000000001", "cn-hangzhou"), name("1bad"))
            .becomes(error(403, "IncorrectImageStatus")),
        row(
            Fault::MisspellingFixed,
            base("m-encrypted00000000001", "cn-hangzhou"),
            base("m-unavail0000000000001", "cn-hangzhou"),
        )
        .becomes(error(403, "OperationDenied.EncryptedSnapshot")),
        row(Fault::WrongErrorRoot, base("m-unavail0000000000001", "cn-hangzhou"), ok())
            .becomes(error(400, "IncorrectImageStatus").root(Some("Response"))),
        row(Fault::JsonEnvelope, json(ok()), ok()).becomes(Answer {
            root: None,
            fields: vec!["Data".into()],
            format: "json".into(),
            ..success()
        }),
        row(Fault::FormatIgnored, json(ok()), ok()).becomes(success()),
        Row { fault: Fault::RequestIdMissing, breaks: Some((ok(), success())), spares: None, world: world() }
            .becomes(success().without("RequestId")),
        row(Fault::HostIdMissing, base("m-unavail0000000000001", "cn-hangzhou"), ok())
            .becomes(error(400, "IncorrectImageStatus").without("HostId")),
        row(Fault::SignatureUnchecked, ok().with(Tamper::BadSignature), ok()).becomes(success()),
        row(Fault::TimestampUnchecked, ok().with(Tamper::TimestampOffset { seconds: -3600 }), ok()).becomes(success()),
        row(Fault::NonceReusable, ok().with(Tamper::ReuseNonce), ok()).becomes(success()),
        row(Fault::PostRefused, ok(), Case { signing: Signing::V1Get, ..ok() })
            .becomes(error(403, "UnsupportedHTTPMethod")),
        row(Fault::FormBodyIgnored, form.clone(), ok()).becomes(error(400, "MissingParameter")),
        row(Fault::V3Unsupported, Case { signing: Signing::V3, ..ok() }, ok())
            .becomes(error(400, "IncompleteSignature").json()),
        // A form body is read as usual when a fault other than the form fault is on.
        row(Fault::V3Unsupported, Case { signing: Signing::V3, ..ok() }, form)
            .becomes(error(400, "IncompleteSignature").json()),
        // The newest page's own parameters (profile 2026-01).
        row(Fault::DryRunIgnored, set(ok(), "DryRun", "true"), set(ok(), "Encrypted", "false")).becomes(success()),
        row(
            Fault::DryRunSkipsChecks,
            set(base("m-unavail0000000000001", "cn-hangzhou"), "DryRun", "true"),
            set(ok(), "DryRun", "true"),
        )
        .becomes(error(400, "DryRunOperation")),
        row(Fault::DryRunStatus200, set(ok(), "DryRun", "true"), ok()).becomes(error(200, "DryRunOperation")),
        row(Fault::ClientTokenIgnored, retry(), ok()).becomes(error(403, "OperationDenied.ImageCopying")),
        row(Fault::ClientTokenConflictAccepted, set(retry(), "DestinationImageName", "another-name"), retry())
            .becomes(error(403, "OperationDenied.ImageCopying")),
        row(Fault::ClientTokenUnbounded, set(ok(), "ClientToken", &"t".repeat(65)), ok()).becomes(success()),
        row(
            Fault::KmsFlagUnchecked,
            set(ok(), "KMSKeyId", KMS_KEY),
            set(set(ok(), "Encrypted", "true"), "KMSKeyId", KMS_KEY),
        )
        .becomes(success()),
        row(
            Fault::TagKeyUnchecked,
            set(ok(), "Tag.1.Key", ""),
            set(set(ok(), "Tag.1.Key", "team"), "Tag.1.Value", "acs:x"),
        )
        .becomes(success()),
        row(
            Fault::TagValueUnchecked,
            set(set(ok(), "Tag.1.Key", "team"), "Tag.1.Value", "acs:x"),
            set(ok(), "Tag.1.Key", ""),
        )
        .becomes(success()),
        row(Fault::NewestParametersRefused, set(ok(), "Encrypted", "false"), ok())
            .becomes(error(400, "InvalidParameter")),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_breaks_what_it_says_and_spares_its_neighbour() {
    for r in rows() {
        // Under the profile in which the fault departs from the documents.
        let doc = r.fault.doc();
        if let Some((broken, becomes)) = &r.breaks {
            let reference = answer_in(doc, Vec::new(), &r.world, broken).await;
            let faulty = answer_in(doc, vec![r.fault], &r.world, broken).await;
            assert_ne!(&reference, becomes, "{}: the reference emulator already answers {broken:?} so", r.fault);
            assert_eq!(&faulty, becomes, "{} does not change {broken:?} as it says", r.fault);
        }
        if let Some(spared) = &r.spares {
            let reference = answer_in(doc, Vec::new(), &r.world, spared).await;
            let faulty = answer_in(doc, vec![r.fault], &r.world, spared).await;
            assert_eq!(reference, faulty, "{} changes its neighbour {:?}", r.fault, spared);
        }
    }
}

#[test]
fn every_fault_that_acts_on_one_request_has_a_row() {
    let covered: Vec<Fault> = rows().iter().map(|r| r.fault).collect();
    let lifecycle = [
        Fault::CopiesNeverComplete,
        Fault::CompletedCopiesInvisible,
        Fault::ImageIdsReused,
        Fault::CancelLeavesImage,
        Fault::CancelledStillCounted,
        Fault::DryRunPerforms,
    ];
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
    let images = shown(&client, &e).await.0;
    let (_, second) = common::send_case(&client, &e, &base("m-available00000000001", "ap-southeast-1")).await;
    e.shutdown().await;
    (id(&first), images, id(&second))
}

/// The world the control contract shows: each image's (id, status), and each copy's
/// destination image.
async fn shown(client: &reqwest::Client, e: &Emulator) -> (Vec<(String, String)>, Vec<String>) {
    let shown: serde_json::Value =
        client.get(format!("{}/_conformance/world", e.uri())).send().await.unwrap().json_value().await;
    let list = |key: &str| shown["world"][key].as_array().cloned().unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
    let images = list("images").iter().map(|i| (text(&i["id"]), text(&i["status"]))).collect();
    let copies = list("copies").iter().map(|c| text(&c["destination_image"])).collect();
    (images, copies)
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

/// Copy into a destination with room for one more image, cancel the copy, read the
/// world, copy again: the images and copies shown after the cancel, and the second
/// copy's status and Code.
async fn cancel_then_copy(faults: Vec<Fault>) -> (Vec<(String, String)>, usize, u16, Option<String>) {
    let mut w = world();
    let account = w.access_key("testid").unwrap().0.id.clone();
    let held = w.owned_images(&account, "cn-hangzhou").count() as u32;
    w.regions.iter_mut().find(|r| r.id == "cn-hangzhou").unwrap().image_quota = held + 1;
    let e = Emulator::start(EmulatorConfig { world: w, faults: Faults(faults), ..EmulatorConfig::default() })
        .await
        .unwrap();
    let client = common::client();
    let (_, first) = common::send_case(&client, &e, &ok()).await;
    let copy = reply::parse(&first.body).unwrap().text("ImageId").unwrap().to_owned();
    let cancel = call(Action::CancelCopyImage, &[("RegionId", "cn-hangzhou"), ("ImageId", &copy)]);
    let (_, cancelled) = common::send_case(&client, &e, &cancel).await;
    assert_eq!(cancelled.status, 200, "{}", String::from_utf8_lossy(&cancelled.body));
    let (images, copies) = shown(&client, &e).await;
    let images: Vec<(String, String)> = images.into_iter().filter(|(id, _)| *id == copy).collect();
    let copies = copies.iter().filter(|c| **c == copy).count();
    let (_, second) = common::send_case(&client, &e, &ok()).await;
    let code = reply::parse(&second.body).unwrap().text("Code").map(str::to_owned);
    e.shutdown().await;
    (images, copies, second.status, code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_faults_leave_the_image_or_its_quota_slot_behind() {
    let (images, copies, status, code) = cancel_then_copy(Vec::new()).await;
    assert_eq!((images.len(), copies, status, code), (0, 0, 200, None));

    let (images, copies, status, _) = cancel_then_copy(vec![Fault::CancelLeavesImage]).await;
    assert_eq!(images.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>(), ["Creating"]);
    assert_eq!(copies, 0, "the copy itself stops");
    assert_eq!(status, 403, "the image left behind fills the quota");

    let (images, copies, status, code) = cancel_then_copy(vec![Fault::CancelledStillCounted]).await;
    assert_eq!((images.len(), copies), (0, 0), "the image is gone");
    assert_eq!((status, code.as_deref()), (403, Some("QuotaExceed.Image")));
}
