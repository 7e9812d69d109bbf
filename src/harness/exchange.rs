//! Executing steps against a target while keeping a mirror of what it holds.
//!
//! Owns [`Mirror`] (the world and nonces the harness believes the target holds, and
//! whether it is sure of them) and the three things a step can be: send a case
//! ([`send_case`]), advance the clock, check the target's world against the mirror.
//! Every request is predicted from the mirror exactly as built and sent; every reply is
//! judged, then carried into the mirror: a success is applied with the `ImageId` the
//! target chose, nonces are remembered. A reply that leaves the mirror unsure (a
//! success the documentation forbids) marks it [`Certainty::Unsure`], so the next case
//! stages its world again.

use serde::Serialize;

use super::HarnessError;
use super::client::TransportError;
use super::compare::{Expected, ImageBrief, Mismatch, Observed, Seen, Verdict, judge};
use super::endpoint::Endpoint;
use crate::case::Case;
use crate::case::{CopyRef, ReplayStep};
use crate::model::{HttpReply, HttpRequest, Timestamp, World};
use crate::oracle::{self, Answered, CopyPlan, Effect, NonceLog, Prediction, Recorder, Scene};
use crate::rules::RuleId;
use crate::wire::sign::fresh_nonce;

/// Whether the harness is sure a target holds its mirror's world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Certainty {
    /// The target holds exactly the mirror's world: staged, or assumed of a target
    /// without control, and every reply since was as documented.
    Exact,
    /// Nothing staged yet, or a reply the mirror could not follow: the next case
    /// stages its world again.
    Unsure,
}

/// What the harness believes a target holds. A mirror always exists; before anything is
/// staged it is [`Certainty::Unsure`] (of the default fixture, which it never vouches for).
#[derive(Clone, Debug)]
pub struct Mirror {
    /// The world.
    pub world: World,
    /// Nonces the target may remember.
    pub nonces: NonceLog,
    /// Whether the target is known to hold exactly `world`.
    pub certainty: Certainty,
}

impl Mirror {
    /// A mirror of a world the target is taken to hold (just staged, or, for a target
    /// without control, assumed).
    pub fn assumed(world: World) -> Mirror {
        Mirror { world, nonces: NonceLog::new(), certainty: Certainty::Exact }
    }

    /// A mirror of nothing known: the first [`Mirror::ensure`] stages.
    pub fn unsure() -> Mirror {
        Mirror { world: World::default_fixture(), nonces: NonceLog::new(), certainty: Certainty::Unsure }
    }

    /// Stages `world` on the target and mirrors it.
    pub async fn staged(target: &Endpoint, world: &World) -> Result<Mirror, HarnessError> {
        let mut m = Mirror::unsure();
        m.ensure(target, world).await?;
        Ok(m)
    }

    /// Makes sure the target holds `world`, staging it unless the mirror is exact and of
    /// that world. Returns whether it staged.
    pub async fn ensure(&mut self, target: &Endpoint, world: &World) -> Result<bool, HarnessError> {
        if self.certainty == Certainty::Exact && self.world == *world {
            return Ok(false);
        }
        let now = target.stage(world).await?;
        *self = Mirror::assumed(world.clone());
        self.world.settle(now);
        Ok(true)
    }

    /// Forgets what the target holds: the next [`Mirror::ensure`] stages.
    pub fn doubt(&mut self) {
        self.certainty = Certainty::Unsure;
    }

    /// The mirror's time.
    pub fn now(&self) -> Timestamp {
        self.world.clock.now(Timestamp::now_utc())
    }
}

/// Whether a step's request reached the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    /// Sent (or a control step), and judged.
    Sent,
    /// Not sent: it may create an image and the create budget is spent, or it needs a
    /// clock the target does not let the harness move.
    Withheld,
    /// The run stopped before the reply came; not judged.
    Stopped,
    /// Not sent: its prediction involves a rule the target declares it does not
    /// implement (`--features`).
    Disabled,
    /// Not sent: the harness could not send the request it built (its own failure, not
    /// the target's); the case's rules count an error.
    Unsendable,
}

/// What one step did.
#[derive(Clone, Debug, Serialize)]
pub struct StepRecord {
    /// The request sent, if the step sent one.
    pub request: Option<HttpRequest>,
    /// Its prediction.
    pub prediction: Option<Prediction>,
    /// The judgement (empty unless the step was sent).
    pub verdict: Verdict,
    /// An image the target created.
    pub created: Option<String>,
    /// Whether the request reached the target.
    pub delivery: Delivery,
    /// Mismatches that are listed known deviations (`--expectations`), taken out of the
    /// verdict: each rule with the entry it matched.
    pub expected: Vec<(RuleId, crate::harness::declared::Deviation)>,
    /// The exchange as it crossed the wire (a failure's trace is made of these).
    #[serde(skip)]
    pub wire: Option<Wire>,
}

/// When a request went out, how long its reply took, and the reply as received (moved
/// here after judging, not copied).
#[derive(Clone, Debug)]
pub struct Wire {
    /// When the request went out.
    pub started: std::time::Instant,
    /// Until the reply was read, or the send failed.
    pub elapsed: std::time::Duration,
    /// The reply, if one came.
    pub reply: Option<HttpReply>,
}

impl StepRecord {
    /// The copy this step made: the id the target gave and what the oracle planned.
    pub fn copy_made(&self) -> Option<(&str, &CopyPlan)> {
        made_copy(self.created.as_deref(), self.prediction.as_ref())
    }

    fn control(exercised: Vec<RuleId>, mismatches: Vec<Mismatch>) -> StepRecord {
        StepRecord {
            request: None,
            prediction: None,
            verdict: Verdict { exercised, mismatches, seen: Seen::default() },
            created: None,
            delivery: Delivery::Sent,
            expected: Vec::new(),
            wire: None,
        }
    }

    fn undelivered(request: Option<HttpRequest>, prediction: Option<Prediction>, delivery: Delivery) -> StepRecord {
        let verdict = Verdict { exercised: Vec::new(), mismatches: Vec::new(), seen: Seen::default() };
        StepRecord { request, prediction, verdict, created: None, delivery, expected: Vec::new(), wire: None }
    }
}

/// A created image and the copy plan it came from (where readings differ, the first).
/// An earlier copy answered again to a retry with its `ClientToken` is none.
fn made_copy<'a>(created: Option<&'a str>, prediction: Option<&'a Prediction>) -> Option<(&'a str, &'a CopyPlan)> {
    let (id, prediction) = (created?, prediction?);
    let plans = prediction.plans();
    if plans.iter().any(|p| p.replay.as_deref() == Some(id)) {
        return None;
    }
    Some((id, plans.into_iter().find(|p| p.replay.is_none())?))
}

/// Whether every step of a case reached the target.
pub fn delivered(records: &[StepRecord]) -> bool {
    records.iter().all(|r| r.delivery == Delivery::Sent)
}

/// Sends one request, judges the reply and carries it into the mirror. A request the
/// client refuses to send is the harness's failure, not the target's. The record keeps
/// the request (taken, not copied: a request can be a megabyte).
pub async fn exchange(
    target: &Endpoint,
    mirror: &mut Mirror,
    req: HttpRequest,
    now: Timestamp,
) -> Result<StepRecord, HarnessError> {
    let prediction = oracle::predict(&Scene::new(&mirror.world, &mirror.nonces, now).in_doc(target.doc), &req);
    // The one gate every send passes: a request about a rule declared out is not sent,
    // one that may create an image needs budget, and one that may cancel or delete is
    // never sent where the world is unknown (the images there are somebody's).
    if target.guard().declared_out(&prediction) {
        return Ok(StepRecord::undelivered(Some(req), Some(prediction), Delivery::Disabled));
    }
    let destroys = !mirror.world.exhaustive && prediction.may_destroy();
    if destroys || !target.guard().allows(prediction.may_create()) {
        return Ok(StepRecord::undelivered(Some(req), Some(prediction), Delivery::Withheld));
    }
    let started = std::time::Instant::now();
    let reply = target.send(&req).await;
    let elapsed = started.elapsed();
    if let Err(TransportError::Stopped) = &reply {
        return Ok(StepRecord::undelivered(Some(req), Some(prediction), Delivery::Stopped));
    }
    if let Err(TransportError::Invalid(reason)) = &reply {
        let mut record = StepRecord::undelivered(None, Some(prediction), Delivery::Unsendable);
        record.verdict.seen.problem =
            Some(format!("cannot send {} {}…: {reason}", req.method, req.target.chars().take(120).collect::<String>()));
        record.request = Some(req);
        return Ok(record);
    }
    let mut verdict = judge(&prediction, &reply);
    let answered = verdict.answered(&prediction);
    oracle::remember_nonce(&mut mirror.nonces, &prediction, answered, now, Recorder::Mirror);
    let mut created = None;
    if let (Some(s), None) = (verdict.seen.status, &verdict.seen.code) {
        if (200..300).contains(&s) {
            created = verdict.seen.image_id.clone();
        }
    }
    // The earlier copies a retry with a used ClientToken may answer (profile 2026-01).
    let replays: Vec<String> = prediction.plans().iter().filter_map(|p| p.replay.clone()).collect::<Vec<_>>();
    let replayed = created.as_ref().is_some_and(|id| replays.contains(id));
    if answered == Answered::Success && !replayed {
        let effects: Vec<&Effect> =
            prediction.effects().into_iter().filter(|e| e.copy().is_none_or(|p| p.replay.is_none())).collect();
        if effects.is_empty() && !replays.is_empty() {
            // Only the earlier copy is acceptable, and another id came back.
            let conflict = prediction.violations.iter().any(|v| v.rule == RuleId::ClientTokenConflict);
            verdict.mismatches.push(Mismatch {
                rule: if conflict { RuleId::ClientTokenConflict } else { RuleId::ClientTokenIdempotent },
                expected: Expected::EarlierImageId { id: replays[0].clone() },
                observed: Observed::OtherImageId { id: created.clone() },
            });
        }
        match (effects.first(), &created) {
            // Where readings of the request differ in what they copy, the mirror cannot
            // tell which copy the target made: it applies the first and stages afresh
            // next time.
            (Some(effect @ Effect::Copy(_)), Some(id)) if mirror.world.image(id).is_none() => {
                oracle::apply(&mut mirror.world, effect, id, now);
                if effects.len() > 1 {
                    mirror.doubt();
                }
            }
            (Some(Effect::Copy(_)), Some(id)) => {
                verdict.mismatches.push(Mismatch {
                    rule: RuleId::CopySucceeds,
                    expected: Expected::NewImageId,
                    observed: Observed::ExistingImageId { id: id.clone() },
                });
                mirror.doubt();
            }
            (Some(Effect::Copy(_)), None) | (None, _) => mirror.doubt(),
            (Some(effect), _) => {
                oracle::apply(&mut mirror.world, effect, "", now);
                if effects.len() > 1 {
                    mirror.doubt();
                }
            }
        }
    }
    if !verdict.passed() {
        // Whatever the target did, the mirror can no longer vouch for it.
        mirror.doubt();
    }
    if let Some((id, plan)) = made_copy(created.as_deref(), Some(&prediction)) {
        target.guard().created(id, &plan.destination_region);
    }
    let expected = target.guard().declared_mismatches(&mut verdict);
    Ok(StepRecord {
        request: Some(req),
        prediction: Some(prediction),
        verdict,
        created,
        delivery: Delivery::Sent,
        expected,
        wire: Some(Wire { started, elapsed, reply: reply.ok() }),
    })
}

/// Builds and sends a case (its warm-up first) at the mirror's time.
pub async fn send_case(target: &Endpoint, mirror: &mut Mirror, case: &Case) -> Result<Vec<StepRecord>, HarnessError> {
    let now = mirror.now();
    let built = case.build(&mirror.world, now, &target.host, &fresh_nonce());
    let mut records = Vec::new();
    if let Some(w) = built.warmup {
        records.push(exchange(target, mirror, w, now).await?);
        if !delivered(&records) {
            return Ok(records);
        }
    }
    if built.wait > 0 {
        if !target.control {
            records.push(StepRecord::undelivered(Some(built.request), None, Delivery::Withheld));
            return Ok(records);
        }
        advance(target, mirror, built.wait).await?;
    }
    let now = mirror.now();
    let record = exchange(target, mirror, built.request, now).await?;
    // Without control, a copy made is looked up as a client would.
    let made = record.copy_made().filter(|_| !target.control).map(|(id, plan)| (id.to_owned(), plan.clone()));
    records.push(record);
    if let Some((image, plan)) = made {
        // A look-up not sent (DescribeImages declared out, the run stopping) leaves the
        // copy's own verdict as it is.
        let seen = super::own::observe(target, mirror, case.signing, &case.key, &plan, &image).await?;
        if seen.delivery == Delivery::Sent {
            records.push(seen);
        }
    }
    Ok(records)
}

/// Advances the target's clock and the mirror's.
pub async fn advance(target: &Endpoint, mirror: &mut Mirror, seconds: u32) -> Result<(), HarnessError> {
    let now = target.advance(seconds).await?;
    mirror.world.clock.advance(i64::from(seconds));
    mirror.world.settle(now);
    Ok(())
}

/// Reads the target's world and compares images and copies with the mirror.
pub async fn check(target: &Endpoint, mirror: &mut Mirror) -> Result<StepRecord, HarnessError> {
    let (view, now) = target.read_world().await?;
    mirror.world.settle(now);
    let mut mismatches = Vec::new();
    let mut mismatch = |expected: Expected, observed: Observed| {
        mismatches.push(Mismatch { rule: RuleId::CopyLifecycle, expected, observed });
    };
    for want in &mirror.world.images {
        let want = ImageBrief::of(want);
        match view.images.iter().find(|i| i.id == want.id) {
            None => mismatch(Expected::Image { image: want }, Observed::Image { image: None }),
            Some(got) => {
                let got = ImageBrief::of(got);
                if want != got {
                    mismatch(Expected::Image { image: want }, Observed::Image { image: Some(got) });
                }
            }
        }
    }
    for got in &view.images {
        if mirror.world.image(&got.id).is_none() {
            mismatch(Expected::NoImage { id: got.id.clone() }, Observed::Image { image: Some(ImageBrief::of(got)) });
        }
    }
    let pairs = |copies: &[crate::model::Copy]| {
        let mut p: Vec<(String, String)> =
            copies.iter().map(|c| (c.source_image.clone(), c.destination_image.clone())).collect();
        p.sort();
        p
    };
    let (want, got) = (pairs(&mirror.world.copies), pairs(&view.copies));
    if want != got {
        mismatch(Expected::Copies { pairs: want }, Observed::Copies { pairs: got });
    }
    if !mismatches.is_empty() {
        mirror.doubt();
    }
    Ok(StepRecord::control(vec![RuleId::CopyLifecycle], mismatches))
}

/// The copy a record made, as later steps name it.
fn made(record: &StepRecord, world: &World) -> Option<CopyRef> {
    let (image, plan) = record.copy_made()?;
    let source_region = world.image(&plan.source_image).map(|i| i.region.clone()).unwrap_or_default();
    Some(CopyRef {
        image: image.to_owned(),
        region: plan.destination_region.clone(),
        source: plan.source_image.clone(),
        source_region,
    })
}

/// Runs replay steps in order; a step naming an earlier copy (see [`CopyRef`]) runs
/// with the ids the target gave, and is skipped while there is none.
pub async fn run_steps(
    target: &Endpoint,
    mirror: &mut Mirror,
    steps: &[ReplayStep],
) -> Result<Vec<StepRecord>, HarnessError> {
    let mut records: Vec<StepRecord> = Vec::new();
    let mut copies = Vec::new();
    for step in steps {
        if !delivered(&records) {
            break;
        }
        match step {
            ReplayStep::Send { case } => {
                // A step that names an earlier copy runs only once there is one.
                let Some(case) = case.resolved(&copies) else { continue };
                let from = records.len();
                records.extend(send_case(target, mirror, &case).await?);
                copies.extend(records[from..].iter().filter_map(|r| made(r, &mirror.world)));
            }
            ReplayStep::Advance { seconds } => advance(target, mirror, *seconds).await?,
            ReplayStep::Check => records.push(check(target, mirror).await?),
        }
    }
    Ok(records)
}
