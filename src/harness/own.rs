//! The harness's own copies on a target without world control: observed, then cleaned
//! up.
//!
//! Owns [`observe`] and [`clean_up`]. Without the control contract the harness cannot
//! read the target's world, so after each copy it makes it looks the copy up as any
//! client would: DescribeImages of the destination, naming the new image, every status.
//! The image must be listed once, `Creating` or `Available` (protocol.md §7), with the
//! name and description the copy sent (CopyImage's `DestinationImageName` and
//! `DestinationDescription`); a departure is a failure of `copy.lifecycle`. At the end
//! of the run every image it created is cancelled (CancelCopyImage, while it copies)
//! or deleted (DeleteImage, once it is done): only those, never an image the harness
//! did not make. What could not be cleaned up is reported with the commands that finish
//! it by hand.

use std::time::Duration;

use serde::Serialize;

use super::HarnessError;
use super::compare::{Expected, Mismatch, Observed};
use super::endpoint::Endpoint;
use super::exchange::{Mirror, StepRecord, exchange};
use crate::case::Case;
use crate::model::{HttpReply, ImageStatus, Timestamp, World};
use crate::oracle::CopyPlan;
use crate::oracle::life::STATUS_VALUES;
use crate::rules::RuleId;
use crate::rules::protocol::Action;
use crate::wire::reply;
use crate::wire::sign::{Signing, fresh_nonce};

/// How long to wait before looking again for a copy not yet listed (a real cloud may
/// list a new image a moment after it answered).
const LOOK_AGAIN: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(3)];

/// An image the harness created, and where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Created {
    /// `ImageId`.
    pub image: String,
    /// Its region.
    pub region: String,
}

/// A DescribeImages case naming one image in its region, every status the page lists
/// (a value it does not list may be refused: point `describe-status-value`).
fn lookup(signing: Signing, key: &str, region: &str, image: &str) -> Case {
    let every = STATUS_VALUES.join(",");
    let mut case = Case::new(signing, &[("RegionId", region), ("ImageId", image), ("Status", &every)])
        .for_action(Action::DescribeImages);
    case.key = key.to_owned();
    case
}

/// Looks up the copy just made (`image`, by `plan`) and judges what the target lists;
/// the record of the last look.
pub async fn observe(
    target: &Endpoint,
    mirror: &mut Mirror,
    signing: Signing,
    key: &str,
    plan: &CopyPlan,
    image: &str,
) -> Result<StepRecord, HarnessError> {
    let case = lookup(signing, key, &plan.destination_region, image);
    let mut waits = LOOK_AGAIN.iter();
    loop {
        let now = mirror.now();
        let built = case.build(&mirror.world, now, &target.host, &fresh_nonce());
        let mut record = exchange(target, mirror, built.request, now).await?;
        // Only a listing the reply judged right is looked into; a refusal or a wrong
        // reply is judged as any request's.
        let listing = record.wire.as_ref().and_then(|w| w.reply.as_ref()).filter(|r| {
            record.verdict.passed() && record.verdict.seen.code.is_none() && (200..300).contains(&r.status)
        });
        let Some(reply) = listing else { return Ok(record) };
        let mismatches = match own_copy(reply, plan, image) {
            Some(mismatches) => mismatches,
            // Not listed yet: look again, a few times.
            None => match waits.next() {
                Some(wait) => {
                    tokio::time::sleep(*wait).await;
                    continue;
                }
                None => vec![field(format!("Images[{image}]"), "listed once, Creating or Available", None)],
            },
        };
        record.verdict.exercised.push(RuleId::CopyLifecycle);
        record.verdict.mismatches.extend(mismatches);
        // Through the same filter as the reply's own mismatches: rules declared out,
        // listed known deviations.
        let expected = target.guard().declared_mismatches(&mut record.verdict);
        record.expected.extend(expected);
        if !record.verdict.passed() {
            mirror.doubt();
        }
        return Ok(record);
    }
}

/// A departure of the listed copy from what it should show.
fn field(name: String, want: &str, got: Option<&str>) -> Mismatch {
    Mismatch {
        rule: RuleId::CopyLifecycle,
        expected: Expected::Field { field: name.clone(), value: want.to_owned() },
        observed: Observed::Field { field: name, value: got.map(str::to_owned) },
    }
}

/// What the listing shows of the copy: `None` when it is not listed, else the fields
/// that depart from what the copy sent.
fn own_copy(reply: &HttpReply, plan: &CopyPlan, image: &str) -> Option<Vec<Mismatch>> {
    let items = reply::parse_items(&reply.body, "Images", "Image").ok().flatten().unwrap_or_default();
    let get = |item: &[(String, String)], name: &str| item.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let mine: Vec<_> = items.iter().filter(|i| get(i, "ImageId").as_deref() == Some(image)).collect();
    let item = mine.first()?;
    let mut out = Vec::new();
    if mine.len() > 1 {
        out.push(field(format!("Images[{image}]"), "listed once", Some(&format!("listed {} times", mine.len()))));
    }
    let status = get(item, "Status");
    let (creating, available) = (ImageStatus::Creating.name(), ImageStatus::Available.name());
    if !matches!(status.as_deref(), Some(s) if s == creating || s == available) {
        out.push(field(format!("Images[{image}].Status"), &format!("{creating} or {available}"), status.as_deref()));
    }
    for (name, sent) in [("ImageName", &plan.name), ("Description", &plan.description)] {
        if let Some(sent) = sent {
            let got = get(item, name);
            if got.as_deref() != Some(sent.as_str()) {
                out.push(field(format!("Images[{image}].{name}"), sent, got.as_deref()));
            }
        }
    }
    Some(out)
}

/// What became of one created image at the end of the run.
#[derive(Clone, Debug, Serialize)]
pub struct Cleanup {
    /// The image.
    pub image: String,
    /// Its region.
    pub region: String,
    /// `cancelled`, `deleted`, `kept` (`--keep-created`) or `failed`.
    pub outcome: CleanupOutcome,
    /// Why it failed: each call's reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The commands that finish it by hand (when it failed or was kept).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
}

/// How a cleanup ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CleanupOutcome {
    /// CancelCopyImage succeeded: the copy stopped and its image is gone.
    Cancelled,
    /// DeleteImage succeeded.
    Deleted,
    /// Left on the target as asked.
    Kept,
    /// Neither call succeeded.
    Failed,
}

impl Cleanup {
    /// Whether the image still needs a hand.
    pub fn left_over(&self) -> bool {
        matches!(self.outcome, CleanupOutcome::Failed | CleanupOutcome::Kept)
    }
}

/// The commands that finish a cleanup by hand, with this tool and with Alibaba Cloud's
/// CLI.
fn by_hand(endpoint: &str, c: &Created) -> Vec<String> {
    let (r, i) = (&c.region, &c.image);
    vec![
        format!("copyimage-conformance call --endpoint {endpoint} Action=CancelCopyImage RegionId={r} ImageId={i}"),
        format!("copyimage-conformance call --endpoint {endpoint} Action=DeleteImage RegionId={r} ImageId={i}"),
        format!("aliyun ecs DeleteImage --RegionId {r} --ImageId {i}"),
    ]
}

/// One call's outcome: `Ok` on a 2xx reply without a Code, else what came back.
async fn attempt(target: &Endpoint, world: &World, case: &Case) -> Result<(), String> {
    let now: Timestamp = world.clock.now(Timestamp::now_utc());
    let built = case.build(world, now, &target.host, &fresh_nonce());
    let action = case.action.name();
    match target.send(&built.request).await {
        Err(e) => Err(format!("{action}: {e}")),
        Ok(reply) => succeeded(action, &reply),
    }
}

/// Whether a reply is a success: 2xx and no `Code`.
fn succeeded(action: &str, reply: &HttpReply) -> Result<(), String> {
    let code = reply::parse(&reply.body).ok().and_then(|p| p.text("Code").map(str::to_owned));
    match code {
        None if (200..300).contains(&reply.status) => Ok(()),
        code => Err(format!("{action}: {} {}", reply.status, code.unwrap_or_else(|| "(no Code)".into()))),
    }
}

/// Cancels, else deletes, each image the harness created, signing with `key` of
/// `world` (the user's credentials); `keep` leaves them and says how to remove them.
pub async fn clean_up(
    target: &Endpoint,
    world: &World,
    signing: Signing,
    key: &str,
    created: &[Created],
    keep: bool,
) -> Vec<Cleanup> {
    let mut out = Vec::new();
    for c in created {
        let mut done = Cleanup {
            image: c.image.clone(),
            region: c.region.clone(),
            outcome: CleanupOutcome::Kept,
            reason: None,
            commands: Vec::new(),
        };
        if !keep {
            let call = |action: Action| {
                let mut case = Case::new(signing, &[("RegionId", &c.region), ("ImageId", &c.image)]).for_action(action);
                case.key = key.to_owned();
                case
            };
            let cancelled = attempt(target, world, &call(Action::CancelCopyImage)).await;
            let deleted = match &cancelled {
                Ok(()) => Ok(()),
                Err(_) => attempt(target, world, &call(Action::DeleteImage)).await,
            };
            match (cancelled, deleted) {
                (Ok(()), _) => done.outcome = CleanupOutcome::Cancelled,
                (Err(_), Ok(())) => done.outcome = CleanupOutcome::Deleted,
                (Err(a), Err(b)) => {
                    done.outcome = CleanupOutcome::Failed;
                    done.reason = Some(format!("{a}; {b}"));
                }
            }
        }
        if done.left_over() {
            done.commands = by_hand(&target.base, c);
        }
        out.push(done);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> CopyPlan {
        CopyPlan {
            account: "a".into(),
            source_image: "m-source".into(),
            destination_region: "cn-hangzhou".into(),
            name: Some("made".into()),
            description: Some("by the suite".into()),
            ..CopyPlan::default()
        }
    }

    fn listing(images: &str) -> HttpReply {
        let body = format!(r#"{{"RequestId":"r","TotalCount":1,"Images":{{"Image":[{images}]}}}}"#);
        HttpReply::new(200, None, body.into_bytes())
    }

    const MINE: &str = r#"{"ImageId":"m-1","Status":"Creating","ImageName":"made","Description":"by the suite"}"#;

    fn fields(found: Option<Vec<Mismatch>>) -> Vec<String> {
        found.expect("listed").iter().map(|m| m.expected.to_string()).collect()
    }

    #[test]
    fn the_copy_listed_as_sent_passes_and_each_departure_is_named() {
        assert_eq!(fields(own_copy(&listing(MINE), &plan(), "m-1")), Vec::<String>::new());
        assert!(own_copy(&listing(&MINE.replace("Creating", "Available")), &plan(), "m-1").unwrap().is_empty());
        assert!(own_copy(&listing(MINE), &plan(), "m-2").is_none(), "another id is not the copy");
        assert!(own_copy(&listing(""), &plan(), "m-1").is_none());
        let twice = fields(own_copy(&listing(&format!("{MINE},{MINE}")), &plan(), "m-1"));
        assert!(twice.iter().any(|f| f.contains("listed once")), "{twice:?}");
        let failed = fields(own_copy(&listing(&MINE.replace("Creating", "CreateFailed")), &plan(), "m-1"));
        assert!(failed.iter().any(|f| f.contains("Status")), "{failed:?}");
        let renamed = fields(own_copy(&listing(&MINE.replace("\"made\"", "\"other\"")), &plan(), "m-1"));
        assert!(renamed.iter().any(|f| f.contains("ImageName")), "{renamed:?}");
        let described = fields(own_copy(&listing(&MINE.replace("by the suite", "x")), &plan(), "m-1"));
        assert!(described.iter().any(|f| f.contains("Description")), "{described:?}");
        // What the copy did not send is not judged.
        let unnamed = CopyPlan { name: None, description: None, ..plan() };
        assert!(own_copy(&listing(&MINE.replace("\"made\"", "\"other\"")), &unnamed, "m-1").unwrap().is_empty());
    }

    #[test]
    fn a_cleanup_call_succeeds_on_a_2xx_reply_without_a_code_only() {
        let ok = HttpReply::new(200, None, br#"{"RequestId":"r"}"#.to_vec());
        assert_eq!(succeeded("DeleteImage", &ok), Ok(()));
        let refused = HttpReply::new(403, None, br#"{"RequestId":"r","Code":"OperationDenied.ImageCopying"}"#.to_vec());
        assert_eq!(succeeded("DeleteImage", &refused), Err("DeleteImage: 403 OperationDenied.ImageCopying".into()));
        let page = HttpReply::new(502, None, b"<html>bad gateway</html>".to_vec());
        assert_eq!(succeeded("DeleteImage", &page), Err("DeleteImage: 502 (no Code)".into()));
        let odd = HttpReply::new(200, None, br#"{"RequestId":"r","Code":"Throttling"}"#.to_vec());
        assert!(succeeded("CancelCopyImage", &odd).is_err());
    }
}
