//! The reference oracle: what the documentation says a request does in a world.
//!
//! Owns [`predict`], a pure and total function from a [`Scene`] (world, remembered
//! nonces, server time) and the exact [`HttpRequest`] to a [`Prediction`]: the set of
//! acceptable outcomes, each a success with its [`CopyPlan`] or an error reply (rule,
//! Code, HTTP status), the emulator's choice first. [`apply`] and [`remember_nonce`] are
//! the pure steps that carry an outcome into the next scene. Where the documentation is
//! silent or contradicts itself the prediction widens and names the [`OpenPoint`]; it
//! never guesses. The rules it evaluates are [`crate::rules`]; how a request is read is
//! [`read`]; the emulator and the harness both call this module and nothing else decides.
//!
//! ```
//! use copyimage_conformance::model::{HttpRequest, Timestamp, World};
//! use copyimage_conformance::oracle::{self, NonceLog, Outcome, Scene};
//! use copyimage_conformance::wire::client::{Credentials, Signing, sign_request};
//!
//! let world = World::default_fixture();
//! let now = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
//! let nonces = NonceLog::new();
//! let scene = Scene { world: &world, nonces: &nonces, now };
//! let req: HttpRequest = sign_request(
//!     Signing::V1Get,
//!     &Credentials::new("testid", "testsecret"),
//!     "ecs.aliyuncs.com",
//!     &[("RegionId", "cn-qingdao"), ("ImageId", "m-unavail0000000000001"),
//!       ("DestinationRegionId", "cn-hangzhou")],
//!     now,
//!     "nonce-1",
//! );
//! let prediction = oracle::predict(&scene, &req);
//! let Outcome::Error(e) = prediction.pick() else { panic!("expected an error") };
//! assert_eq!((e.code, e.status), ("IncorrectImageStatus", 400));
//! assert_eq!(prediction.acceptable.len(), 1);
//! ```

mod api;
mod gateway;
pub mod nonce;
pub mod open;
pub mod read;
pub mod text;

use serde::Serialize;

pub use api::{
    DESCRIPTION_LENGTH, NAME_LENGTH, TOO_OLD_CERTAIN_BEFORE, TOO_OLD_EMULATOR_BEFORE, TOO_OLD_POSSIBLE_BEFORE,
};
pub use nonce::NonceLog;
pub use open::{OpenPoint, PointKind};
pub use read::{FormatExpectation, MAX_BODY};

use crate::model::{Copy, HttpRequest, Image, ImageKind, ImageStatus, Timestamp, World};
use crate::rules::{Layer, RuleId};
use read::{Keep, Reading};

/// What the oracle predicts from.
#[derive(Clone, Copy, Debug)]
pub struct Scene<'a> {
    /// The world.
    pub world: &'a World,
    /// Nonces the server remembers.
    pub nonces: &'a NonceLog,
    /// Server time when the request arrives.
    pub now: Timestamp,
}

/// What a successful copy does: the input of [`apply`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CopyPlan {
    /// The calling account.
    pub account: String,
    /// The source image.
    pub source_image: String,
    /// Where the copy goes.
    pub destination_region: String,
    /// The new image's name.
    pub name: Option<String>,
    /// The new image's description.
    pub description: Option<String>,
}

/// An error reply the documentation allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorOutcome {
    /// The rule whose error it is.
    pub rule: RuleId,
    /// `Code`.
    pub code: &'static str,
    /// HTTP status.
    pub status: u16,
    /// `Message` as the emulator writes it.
    pub message: String,
}

impl ErrorOutcome {
    /// Every error reply a rule allows, its first choice first.
    pub fn all_of(rule: RuleId, detail: Option<&str>) -> Vec<ErrorOutcome> {
        rule.rule()
            .errors
            .iter()
            .map(|spec| ErrorOutcome { rule, code: spec.code, status: spec.status, message: spec.message(detail) })
            .collect()
    }

    /// Whether a reply with this Code and status is this outcome.
    pub fn matches(&self, code: &str, status: u16) -> bool {
        self.code == code && self.status == status
    }
}

/// One acceptable outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Outcome {
    /// The copy is accepted.
    Success(CopyPlan),
    /// An error reply.
    Error(ErrorOutcome),
}

/// A rule the request breaks, certainly or perhaps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The rule.
    pub rule: RuleId,
    /// Broken under every reading (else some reading lets the request through).
    pub certain: bool,
    /// Whether the built-in emulator treats it as broken.
    pub emulator_rejects: bool,
    /// The open point that makes it uncertain or widens its error replies.
    pub point: Option<OpenPoint>,
    /// Acceptable error replies, the emulator's choice first.
    pub errors: Vec<ErrorOutcome>,
}

impl Violation {
    /// A certain violation answered with the rule's own errors.
    pub fn certain(rule: RuleId, detail: Option<&str>) -> Violation {
        Violation {
            rule,
            certain: true,
            emulator_rejects: true,
            point: rule_point(rule),
            errors: ErrorOutcome::all_of(rule, detail),
        }
    }

    /// A violation that holds under some readings only.
    pub fn open(rule: RuleId, point: OpenPoint, emulator_rejects: bool, detail: Option<&str>) -> Violation {
        Violation {
            rule,
            certain: false,
            emulator_rejects,
            point: Some(point),
            errors: ErrorOutcome::all_of(rule, detail),
        }
    }

    /// Builds a violation from a text [`text::Verdict`]; `None` if the rule holds.
    pub fn from_verdict(rule: RuleId, verdict: text::Verdict) -> Option<Violation> {
        match verdict {
            text::Verdict::Holds => None,
            text::Verdict::Broken => Some(Violation::certain(rule, None)),
            text::Verdict::Open { point, emulator_rejects } => {
                Some(Violation::open(rule, point, emulator_rejects, None))
            }
        }
    }

    /// Adds alternative error replies (after the rule's own), naming the point.
    pub fn or(mut self, point: OpenPoint, alternatives: Vec<ErrorOutcome>) -> Violation {
        self.point = Some(point);
        self.errors.extend(alternatives);
        self
    }
}

/// Open points that belong to a rule's own error list.
fn rule_point(rule: RuleId) -> Option<OpenPoint> {
    match rule {
        RuleId::OwnImage => Some(OpenPoint::CrossAccount),
        RuleId::CustomImage => Some(OpenPoint::NonCustomImage),
        RuleId::AccessKeyUnknown => Some(OpenPoint::AccessKeyStatus),
        RuleId::Version => Some(OpenPoint::VersionCode),
        RuleId::TimestampFormat => Some(OpenPoint::TimestampCode),
        RuleId::IncompleteSignature => Some(OpenPoint::SignatureAlgorithm),
        _ => None,
    }
}

/// What the oracle predicts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Prediction {
    /// Acceptable outcomes, the emulator's choice first, no two alike.
    pub acceptable: Vec<Outcome>,
    /// The reply format.
    pub format: FormatExpectation,
    /// Rules the request breaks, certainly or perhaps, in every layer evaluated (also
    /// those after the layer that answers).
    pub violations: Vec<Violation>,
    /// The request's signature nonce, if it carries one.
    #[serde(skip)]
    pub nonce: Option<Vec<u8>>,
    /// What a success would do (also when success is not acceptable).
    #[serde(skip)]
    pub plan: Option<CopyPlan>,
}

impl Prediction {
    /// The emulator's choice.
    pub fn pick(&self) -> &Outcome {
        &self.acceptable[0]
    }

    /// Whether success is acceptable.
    pub fn allows_success(&self) -> bool {
        self.acceptable.iter().any(|o| matches!(o, Outcome::Success(_)))
    }

    /// Whether success is the only acceptable outcome.
    pub fn must_succeed(&self) -> bool {
        self.acceptable.len() == 1 && self.allows_success()
    }

    /// The acceptable error with this Code and status, if any.
    pub fn error_matching(&self, code: &str, status: u16) -> Option<&ErrorOutcome> {
        self.acceptable.iter().find_map(|o| match o {
            Outcome::Error(e) if e.matches(code, status) => Some(e),
            _ => None,
        })
    }

    /// The decision over other violations, as if the request broke exactly these: how a
    /// deliberately faulty server is built without touching the rules.
    pub fn reconsider(&self, violations: Vec<Violation>) -> Prediction {
        decide(violations, self.plan.clone(), self.format, self.nonce.clone())
    }

    /// Open points that widened this prediction.
    pub fn open_points(&self) -> Vec<OpenPoint> {
        let answering: Vec<RuleId> = self.rules();
        let mut points: Vec<OpenPoint> =
            self.violations.iter().filter(|v| answering.contains(&v.rule)).filter_map(|v| v.point).collect();
        points.sort_unstable();
        points.dedup();
        points
    }

    /// The rules this prediction is about: the rules of its acceptable outcomes, and
    /// `copy.success` when success is acceptable.
    pub fn rules(&self) -> Vec<RuleId> {
        let mut rules: Vec<RuleId> = self
            .acceptable
            .iter()
            .map(|o| match o {
                Outcome::Success(_) => RuleId::CopySucceeds,
                Outcome::Error(e) => e.rule,
            })
            .collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }
}

/// Predicts the documented outcome of `req` in `scene`. Pure and total.
pub fn predict(scene: &Scene<'_>, req: &HttpRequest) -> Prediction {
    let reading = Reading::of(req);
    let mut request_layer = Vec::new();
    if req.method != "GET" && req.method != "POST" {
        request_layer.push(Violation::certain(RuleId::Method, None));
    }
    if req.body.len() > MAX_BODY {
        request_layer.push(Violation::certain(RuleId::Size, Some(&MAX_BODY.to_string())));
    }
    let bad = reading.bad_names();
    if !bad.is_empty() {
        request_layer.push(Violation::certain(RuleId::Encoding, Some(&bad.join(", "))));
    }
    if !request_layer.is_empty() {
        let format = reading.params(Keep::First).format(reading.v3);
        return finish(vec![request_layer], None, format, None);
    }
    let repeated = reading.repeated_names();
    if repeated.is_empty() {
        return evaluate(scene, req, &reading, Keep::First);
    }
    // A repeated parameter: refused, or read with its first or its last value.
    let dup =
        Violation::open(RuleId::DuplicateParameter, OpenPoint::DuplicateParameter, true, Some(&repeated.join(", ")));
    let first = evaluate(scene, req, &reading, Keep::First);
    let last = evaluate(scene, req, &reading, Keep::Last);
    let mut acceptable = dup.errors.iter().cloned().map(Outcome::Error).collect::<Vec<_>>();
    for o in first.acceptable.into_iter().chain(last.acceptable) {
        push_unique(&mut acceptable, o);
    }
    let mut violations = vec![dup];
    for v in first.violations.into_iter().chain(last.violations) {
        if !violations.contains(&v) {
            violations.push(v);
        }
    }
    let format =
        if first.format == last.format { first.format } else { FormatExpectation::Either(first.format.emulator()) };
    Prediction { acceptable, format, violations, nonce: first.nonce, plan: first.plan }
}

fn evaluate(scene: &Scene<'_>, req: &HttpRequest, reading: &Reading, keep: Keep) -> Prediction {
    let params = reading.params(keep);
    let format = params.format(reading.v3);
    let gate = gateway::check(scene, req, reading, &params);
    let (api_layer, plan) = match gate.caller {
        Some(account) => api::check(scene, account, &params),
        None => (Vec::new(), None),
    };
    finish(vec![gate.violations, api_layer], plan, format, gate.nonce)
}

fn push_unique(list: &mut Vec<Outcome>, o: Outcome) {
    if !list.contains(&o) {
        list.push(o);
    }
}

/// Turns layered violations into the acceptable set and the emulator's choice.
fn finish(
    layers: Vec<Vec<Violation>>,
    plan: Option<CopyPlan>,
    format: FormatExpectation,
    nonce: Option<Vec<u8>>,
) -> Prediction {
    decide(layers.into_iter().flatten().collect(), plan, format, nonce)
}

/// The decision over a set of violations: layers answer in order (request, gateway,
/// API); the first layer with a certain violation stops; every error of a violated rule
/// in the layers reached is acceptable; success is acceptable when no layer stopped.
fn decide(
    violations: Vec<Violation>,
    plan: Option<CopyPlan>,
    format: FormatExpectation,
    nonce: Option<Vec<u8>>,
) -> Prediction {
    let mut acceptable: Vec<Outcome> = Vec::new();
    let mut pick: Option<Outcome> = None;
    let mut stopped = false;
    for layer in [Layer::Request, Layer::Gateway, Layer::Api] {
        let in_layer: Vec<&Violation> = violations.iter().filter(|v| v.rule.rule().layer == layer).collect();
        if pick.is_none() {
            pick = in_layer
                .iter()
                .filter(|v| v.certain || v.emulator_rejects)
                .min_by_key(|v| v.rule)
                .and_then(|v| v.errors.first().cloned())
                .map(Outcome::Error);
        }
        for v in &in_layer {
            for e in &v.errors {
                push_unique(&mut acceptable, Outcome::Error(e.clone()));
            }
        }
        if in_layer.iter().any(|v| v.certain) {
            stopped = true;
            break;
        }
    }
    if !stopped {
        if let Some(plan) = &plan {
            push_unique(&mut acceptable, Outcome::Success(plan.clone()));
        }
    }
    let pick = pick.or_else(|| plan.clone().map(Outcome::Success));
    if let Some(pick) = pick {
        acceptable.retain(|o| *o != pick);
        acceptable.insert(0, pick);
    }
    if acceptable.is_empty() {
        // Unreachable by construction (a request without a caller has a certain gateway
        // violation); kept total rather than panicking.
        acceptable.push(Outcome::Error(ErrorOutcome::all_of(RuleId::MissingParameter, Some("AccessKeyId")).remove(0)));
    }
    Prediction { acceptable, format, violations, nonce, plan }
}

/// Applies a successful copy to the world: the new image appears in the destination
/// region as `Creating`, with the requested name and description, and a copy in
/// progress completes after the world's copy duration. Pure.
pub fn apply(world: &mut World, plan: &CopyPlan, new_image_id: &str, now: Timestamp) {
    let snapshot_count = world.image(&plan.source_image).map_or(1, |i| i.snapshot_count);
    world.images.push(Image {
        id: new_image_id.to_owned(),
        region: plan.destination_region.clone(),
        owner: Some(plan.account.clone()),
        kind: ImageKind::Custom,
        status: ImageStatus::Creating,
        created_at: now,
        encrypted: false,
        snapshot_count,
        name: plan.name.clone(),
        description: plan.description.clone(),
    });
    world.copies.push(Copy {
        source_image: plan.source_image.clone(),
        destination_image: new_image_id.to_owned(),
        destination_region: plan.destination_region.clone(),
        started_at: now,
        completes_at: now.plus(i64::from(world.copy_duration_seconds)),
    });
}

/// Who records a nonce: the emulator (which remembers only what it certainly must) or a
/// model of some other target (which also notes what it perhaps remembers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorder {
    /// The built-in emulator.
    Emulator,
    /// The harness's model of a target.
    Model,
}

/// Carries a request's nonce into the log once its outcome is known. `outcome_layer` is
/// the layer of the rule that answered (`None` for a success, or for a reply that
/// matched nothing acceptable).
pub fn remember_nonce(
    log: &mut NonceLog,
    prediction: &Prediction,
    answered: Answered,
    now: Timestamp,
    recorder: Recorder,
) {
    let Some(nonce) = &prediction.nonce else {
        return;
    };
    if nonce.is_empty() {
        return;
    }
    let passed_authentication = match answered {
        Answered::Success => true,
        Answered::Rule(rule) => rule.rule().layer == Layer::Api,
        Answered::Unknown => false,
    };
    match (passed_authentication, recorder) {
        (true, _) => log.remember(nonce, now, true),
        (false, Recorder::Model) => log.remember(nonce, now, false),
        (false, Recorder::Emulator) => {}
    }
}

/// What answered a request, for [`remember_nonce`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answered {
    /// A success.
    Success,
    /// An error of this rule.
    Rule(RuleId),
    /// A reply that matched no acceptable outcome.
    Unknown,
}

impl From<&Outcome> for Answered {
    fn from(o: &Outcome) -> Self {
        match o {
            Outcome::Success(_) => Answered::Success,
            Outcome::Error(e) => Answered::Rule(e.rule),
        }
    }
}
