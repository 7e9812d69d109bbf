//! Recording and checking the reply format of each documented outcome of a target.
//!
//! Owns the outcome catalogue ([`outcome_cases`]: a success and every documented error,
//! the gateway's included), how one outcome is captured from a target ([`capture`]:
//! the frozen default world staged where the target offers world control, the request
//! signed at that world's time with a fixed nonce), and the `snapshot` command's two
//! halves: [`record`] writes one shape file per outcome and format, redacted so that no
//! request id, image id or access key id is kept; [`check`] compares a target with a
//! recorded set and lists every difference of shape. The emulator's own insta snapshots
//! (`tests/snapshots.rs`) capture the same outcomes the same way.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::HarnessError;
use super::endpoint::Endpoint;
use super::exchange::{Mirror, exchange};
use crate::case::{Case, ParamValue, Tamper};
use crate::model::{Clock, Format, Timestamp, World};
use crate::oracle::{self, NonceLog, Scene};
use crate::report::shape::{ReplyShape, ShapeDiff, diff, redact, shape};
use crate::rules::Doc;
use crate::rules::protocol::Action;
use crate::wire::sign::{Credentials, Signing};

/// The instant the snapshot world is frozen at.
pub const SNAPSHOT_NOW: &str = "2026-01-01T00:00:00Z";

/// The default world, frozen at [`SNAPSHOT_NOW`], so that captures are repeatable.
pub fn snapshot_world() -> World {
    let mut w = World::default_fixture();
    w.clock = Clock::Frozen { now: Timestamp::parse(SNAPSHOT_NOW).unwrap_or(Timestamp(1_767_225_600)) };
    w
}

/// The snapshot world as a target without world control is taken to be: its own clock,
/// and nothing known of its resources.
fn uncontrolled_world() -> World {
    let mut w = snapshot_world();
    w.clock = Clock::System { offset_seconds: 0 };
    w.exhaustive = false;
    w
}

fn base(image: &str, dest: &str) -> Case {
    Case::new(Signing::V1PostQuery, &[("RegionId", "cn-qingdao"), ("ImageId", image), ("DestinationRegionId", dest)])
}

fn with(case: Case, name: &str, value: &str) -> Case {
    case.with(Tamper::Set { name: name.into(), value: ParamValue::text(value) })
}

/// Every documented outcome, each as a case in the snapshot world.
pub fn outcome_cases() -> Vec<(&'static str, Case)> {
    let ok = || base("m-available00000000001", "cn-hangzhou");
    let mut disabled = base("m-otheracct00000000001", "cn-hangzhou");
    disabled.key = "disabledid".into();
    let mut denied = base("m-deniedown00000000001", "cn-hangzhou");
    denied.key = "deniedid".into();
    vec![
        ("success", ok()),
        ("success-v3", Case { signing: Signing::V3, ..ok() }),
        ("destination-region-not-found", base("m-available00000000001", "cn-nowhere-1")),
        ("incorrect-image-status", base("m-unavail0000000000001", "cn-hangzhou")),
        ("invalid-description-malformed", with(ok(), "DestinationDescription", "http://example.com")),
        ("invalid-image-id-not-found", base("m-nosuchimage000000001", "cn-hangzhou")),
        ("invalid-image-name-duplicated", with(ok(), "DestinationImageName", "existing-name")),
        ("invalid-image-name-malformed-length", with(ok(), "DestinationImageName", "a")),
        ("invalid-image-name-malformed-format", with(ok(), "DestinationImageName", "1abc")),
        ("source-region-not-found", with(ok(), "RegionId", "cn-nowhere-1")),
        ("forbidden", denied),
        ("incorrect-destination-region", base("m-available00000000001", "cn-qingdao")),
        ("invalid-snapshot-too-old", base("m-tooold00000000000001", "cn-hangzhou")),
        ("operation-deined-encrypted-snapshot", base("m-encrypted00000000001", "cn-hangzhou")),
        ("operation-denied-image-copying", base("m-copying0000000000001", "cn-hangzhou")),
        ("quota-exceed-image", base("m-available00000000001", "cn-beijing")),
        ("quota-exceed-snapshot", base("m-available00000000001", "cn-shanghai")),
        ("region-not-support-copy", base("m-available00000000001", "cn-nocopy-1")),
        ("cross-account-image", base("m-otheracct00000000001", "cn-hangzhou")),
        ("system-image", base("m-system00000000000001", "cn-hangzhou")),
        ("signature-does-not-match", ok().with(Tamper::BadSignature)),
        ("signature-does-not-match-v3", Case { signing: Signing::V3, ..ok() }.with(Tamper::BadSignature)),
        ("timestamp-expired", ok().with(Tamper::TimestampOffset { seconds: -3600 })),
        ("timestamp-malformed", ok().with(Tamper::TimestampText { text: "yesterday".into() })),
        ("signature-nonce-used", ok().with(Tamper::ReuseNonce)),
        ("access-key-not-found", ok().with(Tamper::Key { id: "nosuchkey".into() })),
        ("access-key-disabled", disabled),
        ("action-not-found", with(ok(), "Action", "CopyImages")),
        ("version-invalid", with(ok(), "Version", "2016-11-11")),
        ("missing-parameter", ok().with(Tamper::Omit { name: "ImageId".into() })),
        ("incomplete-signature", with(ok(), "SignatureMethod", "HMAC-SHA256")),
        ("unsupported-http-method", ok().with(Tamper::Method { method: "PUT".into() })),
        (
            "duplicate-parameter",
            ok().with(Tamper::Duplicate { name: "ImageId".into(), value: ParamValue::text("m-x") }),
        ),
        ("parameter-name-not-utf8", ok().with(Tamper::RawQuery { text: "%FF=1".into() })),
        ("request-too-large", Case { signing: Signing::V3, ..ok() }.with(Tamper::Oversize)),
        // The companion calls (companions.md).
        ("describe-images", call(Action::DescribeImages, &[("RegionId", "cn-qingdao"), ("PageSize", "2")])),
        (
            "describe-images-copying",
            call(Action::DescribeImages, &[("RegionId", "ap-southeast-1"), ("Status", "Creating")]),
        ),
        ("describe-images-region-not-found", call(Action::DescribeImages, &[("RegionId", "cn-nowhere-1")])),
        (
            "describe-images-owner-alias-not-supported",
            call(Action::DescribeImages, &[("RegionId", "cn-qingdao"), ("ImageOwnerAlias", "friends")]),
        ),
        ("describe-images-invalid-usage", call(Action::DescribeImages, &[("RegionId", "cn-qingdao"), ("Usage", "x")])),
        ("describe-regions", call(Action::DescribeRegions, &[])),
        ("cancel-copy-image", call(Action::CancelCopyImage, &[("RegionId", A), ("ImageId", COPY)])),
        ("cancel-not-from-copy", call(Action::CancelCopyImage, &[("RegionId", Q), ("ImageId", AVAILABLE)])),
        ("cancel-completed", call(Action::CancelCopyImage, &[("RegionId", A), ("ImageId", "m-copieddone000000001")])),
        ("cancel-image-not-found", call(Action::CancelCopyImage, &[("RegionId", Q), ("ImageId", NO_IMAGE)])),
        ("cancel-region-not-found", call(Action::CancelCopyImage, &[("RegionId", "cn-nowhere-1"), ("ImageId", COPY)])),
        ("delete-image", call(Action::DeleteImage, &[("RegionId", Q), ("ImageId", "m-unavail0000000000001")])),
        ("delete-image-copying", call(Action::DeleteImage, &[("RegionId", A), ("ImageId", COPY)])),
        ("delete-image-creating", call(Action::DeleteImage, &[("RegionId", Q), ("ImageId", "m-creating000000000001")])),
        ("delete-image-not-found", call(Action::DeleteImage, &[("RegionId", Q), ("ImageId", NO_IMAGE)])),
    ]
}

/// The outcomes a target judged under `doc` is recorded on: every documented outcome,
/// and under `2026-01` those of the newest page's own rules too.
pub fn cases_in(doc: Doc) -> Vec<(&'static str, Case)> {
    let mut cases = outcome_cases();
    if !doc.is_seed() {
        cases.extend(newest_outcome_cases());
    }
    cases
}

/// The outcomes of the newest page's own rules (profile `2026-01`), each as a case in
/// the snapshot world.
pub fn newest_outcome_cases() -> Vec<(&'static str, Case)> {
    let ok = || base("m-available00000000001", "cn-hangzhou");
    let retry = || with(base("m-copying0000000000001", "ap-southeast-1"), "ClientToken", "copy-in-progress-0001");
    vec![
        ("dry-run-operation", with(ok(), "DryRun", "true")),
        ("client-token-retry", retry()),
        ("client-token-conflict", with(retry(), "DestinationImageName", "another-name")),
        ("client-token-too-long", with(ok(), "ClientToken", &"t".repeat(65))),
        ("kms-key-without-encrypted", with(ok(), "KMSKeyId", "e522b26d-abf6-4e0d-b5da-04b7000000c3")),
        ("encrypt-algorithm", with(with(ok(), "Encrypted", "true"), "EncryptAlgorithm", "hide")),
        ("tag-key-reserved", with(ok(), "Tag.1.Key", "aliyunteam")),
        ("tagged-encrypted-copy", with(with(ok(), "Tag.1.Key", "team"), "Encrypted", "true")),
    ]
}

const Q: &str = "cn-qingdao";
const A: &str = "ap-southeast-1";
const AVAILABLE: &str = "m-available00000000001";
const COPY: &str = "m-copyinprogress000001";
const NO_IMAGE: &str = "m-nosuchimage000000001";

fn call(action: Action, params: &[(&str, &str)]) -> Case {
    Case::new(Signing::V1PostQuery, params).for_action(action)
}

/// One captured outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    /// The outcome's name.
    pub outcome: String,
    /// The format asked for.
    pub asked: Format,
    /// The reply's shape.
    pub reply: ReplyShape,
}

/// Captures one outcome in one format. With world control the snapshot world is staged
/// first; without it, `credentials` sign the request. `host` is the `Host` header sent
/// and signed (the target's own, unless a fixed one keeps V3 signatures repeatable).
pub async fn capture(
    target: &Endpoint,
    host: &str,
    name: &str,
    case: &Case,
    format: Format,
    credentials: Option<&Credentials>,
) -> Result<ReplyShape, HarnessError> {
    let mut case = case.clone();
    case.params.retain(|(n, _)| n != "Format");
    case.params.push(("Format".into(), ParamValue::text(format.param_value())));
    let mut world = snapshot_world();
    if target.control {
        target.stage(&world).await?;
    } else if let Some(c) = credentials {
        world = uncontrolled_world();
        for k in world.accounts.iter_mut().flat_map(|a| a.access_keys.iter_mut()).filter(|k| k.id == "testid") {
            k.id = c.key_id.clone();
            k.secret = c.secret.clone();
        }
        if case.key == "testid" {
            case.key = c.key_id.clone();
        }
    }
    let mut mirror = Mirror::assumed(world);
    let now = mirror.now();
    let built = case.build(&mirror.world, now, host, &format!("snapshot-{name}-{format}"));
    if let Some(w) = built.warmup {
        exchange(target, &mut mirror, w, now).await?;
    }
    // The gate every send passes: nothing that may create an image beyond the budget
    // (none, on a target without control), nothing that may remove one of an unknown
    // world.
    let prediction =
        oracle::predict(&Scene::new(&mirror.world, &mirror.nonces, now).in_doc(target.doc), &built.request);
    if !mirror.world.exhaustive && prediction.may_destroy() {
        return Err(HarnessError::Config(format!("{name}: the request may remove an image; it was not sent")));
    }
    if !target.guard().allows(prediction.may_create()) {
        return Err(HarnessError::Config(format!("{name}: the request may create an image; it was not sent")));
    }
    let reply = target.send(&built.request).await;
    match reply {
        Ok(r) => Ok(shape(&r)),
        Err(e) => Err(HarnessError::Endpoint { endpoint: target.base.clone(), reason: format!("{name}: {e}") }),
    }
}

/// Whether an outcome can be captured from a target without world control without
/// risking the creation of an image or needing the default world's other keys.
fn safe_without_control(case: &Case, doc: Doc) -> bool {
    if case.key != "testid" {
        return false;
    }
    let world = uncontrolled_world();
    let now = world.clock.now(Timestamp::now_utc());
    let built = case.build(&world, now, "h", "n");
    let nonces = NonceLog::new();
    let scene = Scene::new(&world, &nonces, now).in_doc(doc);
    built.warmup.iter().chain(std::iter::once(&built.request)).all(|r| !oracle::predict(&scene, r).allows_success())
}

fn file_of(dir: &Path, name: &str, format: Format) -> PathBuf {
    dir.join(format!("{name}.{format}.json"))
}

/// What [`record`] did.
#[derive(Debug, Default)]
pub struct Recorded {
    /// The files written, one per outcome and format.
    pub written: Vec<PathBuf>,
    /// Outcomes left out on a target without world control: they need a staged world,
    /// another key of the default world, or might create an image.
    pub skipped: Vec<String>,
}

/// Records every outcome in both formats under `dir`.
pub async fn record(
    target: &Endpoint,
    dir: &Path,
    credentials: Option<&Credentials>,
) -> Result<Recorded, HarnessError> {
    let io = |path: &Path, e: std::io::Error| HarnessError::Io { path: path.to_owned(), reason: e.to_string() };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut key_ids: Vec<String> =
        snapshot_world().accounts.iter().flat_map(|a| a.access_keys.iter().map(|k| k.id.clone())).collect();
    key_ids.extend(credentials.map(|c| c.key_id.clone()));
    let key_ids: Vec<&str> = key_ids.iter().map(String::as_str).collect();
    let mut done = Recorded::default();
    for (name, case) in cases_in(target.doc) {
        if !target.control {
            if credentials.is_none() {
                return Err(HarnessError::Credentials("a target without world control needs credentials".into()));
            }
            if !safe_without_control(&case, target.doc) {
                done.skipped.push(name.to_string());
                continue;
            }
        }
        for format in Format::ALL {
            let mut reply = capture(target, &target.host, name, &case, format, credentials).await?;
            redact(&mut reply, &key_ids);
            let path = file_of(dir, name, format);
            let text = serde_json::to_string_pretty(&Capture { outcome: name.into(), asked: format, reply })
                .unwrap_or_default();
            std::fs::write(&path, text + "\n").map_err(|e| io(&path, e))?;
            done.written.push(path);
        }
    }
    Ok(done)
}

/// Compares a target with a recorded set: every recorded file, its differences.
pub async fn check(
    target: &Endpoint,
    dir: &Path,
    credentials: Option<&Credentials>,
) -> Result<Vec<(PathBuf, Vec<ShapeDiff>)>, HarnessError> {
    let io = |path: &Path, reason: String| HarnessError::Io { path: path.to_owned(), reason };
    let cases = cases_in(target.doc);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e.to_string()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    if entries.is_empty() {
        return Err(io(dir, "no recorded snapshots here".into()));
    }
    let mut out = Vec::new();
    for path in entries {
        let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e.to_string()))?;
        let recorded: Capture = serde_json::from_str(&text).map_err(|e| io(&path, format!("not a snapshot: {e}")))?;
        let Some((name, case)) = cases.iter().find(|(n, _)| *n == recorded.outcome) else {
            return Err(io(&path, format!("unknown outcome `{}`", recorded.outcome)));
        };
        let now = capture(target, &target.host, name, case, recorded.asked, credentials).await?;
        out.push((path, diff(&recorded.reply, &now)));
    }
    Ok(out)
}
