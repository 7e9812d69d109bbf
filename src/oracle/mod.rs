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
//! use copyimage_conformance::wire::sign::{Credentials, Signing, sign_request};
//!
//! let world = World::default_fixture();
//! let now = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
//! let nonces = NonceLog::new();
//! let scene = Scene::new(&world, &nonces, now);
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
pub mod life;
mod newest;
pub mod nonce;
pub mod open;
mod profile;
pub mod read;
pub mod text;

use serde::Serialize;

pub use api::{
    DESCRIPTION_LENGTH, NAME_LENGTH, TOO_OLD_CERTAIN_BEFORE, TOO_OLD_EMULATOR_BEFORE, TOO_OLD_POSSIBLE_BEFORE,
};
pub use gateway::{WINDOW_CERTAIN, WINDOW_EMULATOR, WINDOW_OPEN};
pub use life::{Listed, Listing};
pub use newest::fingerprint as token_request;
pub use nonce::NonceLog;
pub use open::{OpenPoint, PointKind, Reading as PointReading, Readings};
pub use read::{FormatExpectation, MAX_BODY, MAX_BODY_WHOLE, Mode};

use crate::model::{Copy, Format, HttpRequest, Image, ImageKind, ImageStatus, Timestamp, World};
use crate::rules::protocol::Action;
use crate::rules::{Doc, Layer, RuleId};
use read::Reading;

/// What the oracle predicts from.
#[derive(Clone, Copy, Debug)]
pub struct Scene<'a> {
    /// The world.
    pub world: &'a World,
    /// Nonces the server remembers.
    pub nonces: &'a NonceLog,
    /// Server time when the request arrives.
    pub now: Timestamp,
    /// The documentation profile the outcome follows.
    pub doc: Doc,
}

impl<'a> Scene<'a> {
    /// A scene under the seed's profile.
    pub fn new(world: &'a World, nonces: &'a NonceLog, now: Timestamp) -> Scene<'a> {
        Scene { world, nonces, now, doc: Doc::June2018 }
    }

    /// The same scene under another profile.
    pub fn in_doc(self, doc: Doc) -> Scene<'a> {
        Scene { doc, ..self }
    }
}

/// What a successful copy does: the input of [`apply`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
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
    /// Whether the new image is encrypted (`Encrypted=true`, profile 2026-01).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub encrypted: bool,
    /// The `ClientToken` the copy is made with, and the request's parameters but it
    /// (profile 2026-01): [`apply`] remembers them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<(String, Vec<(String, String)>)>,
    /// A retry with a token already used: the earlier copy's ImageId, answered again;
    /// nothing is copied (rule `client-token.idempotent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<String>,
}

/// What a success does and shows: the input of [`apply`] and of the reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Effect {
    /// CopyImage: a new image, `Creating`, in the destination.
    Copy(CopyPlan),
    /// DescribeImages: the images that match, and the page asked for.
    Describe(Listing),
    /// CancelCopyImage: this copy stops and its image is gone.
    Cancel {
        /// The copy's (destination) image.
        copy: String,
    },
    /// DeleteImage: this image is gone (`None`: an absent image, ignored).
    Delete {
        /// The image.
        image: Option<String>,
    },
    /// DescribeRegions: these regions.
    Regions {
        /// Region ids, in the world's order (`None`: a world that is not exhaustive).
        regions: Option<Vec<String>>,
    },
}

impl Effect {
    /// The action whose success it is.
    pub fn action(&self) -> Action {
        match self {
            Effect::Copy(_) => Action::CopyImage,
            Effect::Describe(_) => Action::DescribeImages,
            Effect::Cancel { .. } => Action::CancelCopyImage,
            Effect::Delete { .. } => Action::DeleteImage,
            Effect::Regions { .. } => Action::DescribeRegions,
        }
    }

    /// The rule its success is about.
    pub fn rule(&self) -> RuleId {
        match self {
            Effect::Copy(CopyPlan { replay: Some(_), .. }) => RuleId::ClientTokenIdempotent,
            Effect::Copy(_) => RuleId::CopySucceeds,
            Effect::Describe(_) => RuleId::DescribeListed,
            Effect::Cancel { .. } => RuleId::CancelSucceeds,
            Effect::Delete { .. } => RuleId::DeleteSucceeds,
            Effect::Regions { .. } => RuleId::RegionsListed,
        }
    }

    /// The copy plan, if it is a copy.
    pub fn copy(&self) -> Option<&CopyPlan> {
        match self {
            Effect::Copy(plan) => Some(plan),
            _ => None,
        }
    }
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
    /// The call succeeds, with this effect.
    Success(Effect),
    /// An error reply.
    Error(ErrorOutcome),
    /// Any refusal with a 4xx status, whatever its Code and body: what a server with
    /// its own limit may answer where no document names a reply (point `body-limit`),
    /// or, with `code`, a documented Code whose status no document gives
    /// (`DryRunOperation`, point `dry-run-status`).
    Refusal {
        /// The rule the refusal is for.
        rule: RuleId,
        /// The Code the refusal must carry, if one is documented.
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<&'static str>,
    },
}

impl Outcome {
    /// The rule the outcome is about (its action's success rule for a success).
    pub fn rule(&self) -> RuleId {
        match self {
            Outcome::Success(effect) => effect.rule(),
            Outcome::Error(e) => e.rule,
            Outcome::Refusal { rule, .. } => *rule,
        }
    }
}

/// A rule the request breaks, certainly or perhaps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The rule.
    pub rule: RuleId,
    /// Broken under every reading (else some reading lets the request through).
    pub certain: bool,
    /// Whether the built-in emulator, under the readings it serves, treats it as broken.
    pub emulator_rejects: bool,
    /// The open point that makes it uncertain or widens its error replies.
    pub point: Option<OpenPoint>,
    /// Acceptable error replies, in the order of the point's readings where a point
    /// chooses among them.
    pub errors: Vec<ErrorOutcome>,
    /// Which of `errors` the built-in emulator answers.
    pub emulator_error: usize,
    /// Whether any 4xx refusal is acceptable too ([`Outcome::Refusal`]).
    pub any_refusal: bool,
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
            emulator_error: 0,
            any_refusal: false,
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
            emulator_error: 0,
            any_refusal: false,
        }
    }

    /// Builds a violation from a text [`text::Finding`]; `None` if the rule holds.
    pub fn from_finding(rule: RuleId, finding: text::Finding) -> Option<Violation> {
        match finding {
            text::Finding::Holds => None,
            text::Finding::Broken => Some(Violation::certain(rule, None)),
            text::Finding::Open { point, emulator_rejects } => {
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

    /// Makes the built-in emulator answer `errors[index]` (the last one if there are
    /// fewer).
    pub fn choosing(mut self, index: usize) -> Violation {
        self.emulator_error = index.min(self.errors.len().saturating_sub(1));
        self
    }

    /// Makes the built-in emulator answer the error its reading of the rule's own code
    /// point picks (cross-account, non-custom, access-key status, version, timestamp).
    pub fn answering(self, readings: &Readings) -> Violation {
        match rule_point(self.rule) {
            Some(p) => self.choosing(readings.index(p)),
            None => self,
        }
    }

    /// The error the built-in emulator answers, if it refuses.
    fn emulator_answer(&self) -> Option<&ErrorOutcome> {
        if self.emulator_rejects { self.errors.get(self.emulator_error).or(self.errors.first()) } else { None }
    }
}

/// Open points that choose among a rule's own error replies.
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
    /// Rules the request breaks, certainly or perhaps, under any reading, in every
    /// layer evaluated (also those after the stage that answers).
    pub violations: Vec<Violation>,
    /// The request's signature nonce, if it carries one.
    #[serde(skip)]
    pub nonce: Option<Vec<u8>>,
    /// What a success would do (also when success is not acceptable).
    #[serde(skip)]
    pub plan: Option<Effect>,
    /// The action the request names (CopyImage when it names none the suite knows).
    #[serde(skip)]
    pub action: Action,
    /// The violations of the mode the emulator reads the request in.
    #[serde(skip)]
    decided: Vec<Violation>,
    /// Whether the emulator answers the last acceptable outcome (`outcome-pick=last`).
    #[serde(skip)]
    pick_last: bool,
    /// What the newest page's parameters do to the decision (a dry run, a token's
    /// memory), carried into [`Prediction::reconsider`].
    #[serde(skip)]
    newest: Option<newest::Newest>,
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

    /// Whether an acceptable success creates an image (a copy): what the create
    /// budget counts.
    pub fn may_create(&self) -> bool {
        self.acceptable.iter().any(|o| matches!(o, Outcome::Success(Effect::Copy(_))))
    }

    /// Whether an acceptable success removes something (a cancel, a delete): never
    /// sent where the world is unknown, for it may be somebody's.
    pub fn may_destroy(&self) -> bool {
        self.acceptable
            .iter()
            .any(|o| matches!(o, Outcome::Success(Effect::Cancel { .. } | Effect::Delete { image: Some(_) })))
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

    /// The rule of an acceptable [`Outcome::Refusal`] that a reply with this status and
    /// Code is, if any.
    pub fn refusal_matching(&self, status: u16, code: Option<&str>) -> Option<RuleId> {
        self.acceptable.iter().find_map(|o| match o {
            Outcome::Refusal { rule, code: want } if (400..500).contains(&status) => {
                (want.is_none() || *want == code).then_some(*rule)
            }
            _ => None,
        })
    }

    /// The distinct successes acceptable (several when readings of the request differ
    /// in what they would copy).
    pub fn plans(&self) -> Vec<&CopyPlan> {
        let mut plans: Vec<&CopyPlan> = Vec::new();
        for p in self.effects().into_iter().filter_map(Effect::copy) {
            if !plans.contains(&p) {
                plans.push(p);
            }
        }
        plans
    }

    /// The effects of the acceptable successes, each once.
    pub fn effects(&self) -> Vec<&Effect> {
        let mut effects: Vec<&Effect> = Vec::new();
        for o in &self.acceptable {
            if let Outcome::Success(e) = o {
                if !effects.contains(&e) {
                    effects.push(e);
                }
            }
        }
        effects
    }

    /// The violations of the mode the emulator reads the request in: what a faulty
    /// emulator edits before [`Prediction::reconsider`].
    pub fn decided(&self) -> &[Violation] {
        &self.decided
    }

    /// The decision over other violations, as if the request broke exactly these: how a
    /// deliberately faulty server is built without touching the rules.
    pub fn reconsider(&self, violations: Vec<Violation>) -> Prediction {
        let call = Call { action: self.action, plan: self.plan.clone() };
        let mut p = decide(violations, call, self.format, self.nonce.clone(), self.pick_last);
        if let Some(newest) = &self.newest {
            newest.settle(&mut p);
            p.newest = Some(newest.clone());
        }
        p
    }

    /// Whether the request is a dry run (`DryRun=true`, profile 2026-01), as the
    /// newest page's checks read it.
    pub fn dry_run(&self) -> bool {
        self.newest.as_ref().is_some_and(|n| n.dry_run)
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

    /// The rules this prediction is about: the rules of its acceptable outcomes (a
    /// success's is its action's success rule).
    pub fn rules(&self) -> Vec<RuleId> {
        let mut rules: Vec<RuleId> = self.acceptable.iter().map(Outcome::rule).collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }
}

/// Predicts the documented outcome of `req` in `scene`: every outcome some defensible
/// server may give, the built-in emulator's (under its default readings) first. Pure and
/// total.
pub fn predict(scene: &Scene<'_>, req: &HttpRequest) -> Prediction {
    predict_as(scene, req, &Readings::emulator())
}

/// [`predict`], with the outcome a server with `readings` gives first.
pub fn predict_as(scene: &Scene<'_>, req: &HttpRequest, readings: &Readings) -> Prediction {
    let reading = Reading::of(req);
    let mut modes = reading.modes(readings).into_iter();
    let first = modes.next().unwrap_or_default();
    let mut prediction = evaluate(scene, req, &reading, first, readings);
    for mode in modes {
        let other = evaluate(scene, req, &reading, mode, readings);
        for o in other.acceptable {
            push_unique(&mut prediction.acceptable, o);
        }
        for v in other.violations {
            if !prediction.violations.contains(&v) {
                prediction.violations.push(v);
            }
        }
        prediction.format = prediction.format.or(other.format);
    }
    // A refusal of the request itself may come before its format is read.
    if prediction.acceptable.iter().any(|o| o.rule().rule().layer == Layer::Request) {
        prediction.format = FormatExpectation::Either(prediction.format.emulator());
    }
    prediction
}

/// What a server with `readings` answers: the outcome of the one mode it reads the
/// request in (its acceptable list covers that mode only). What the built-in emulator
/// serves; [`predict`] accepts whatever this gives under any readings.
pub fn answer(scene: &Scene<'_>, req: &HttpRequest, readings: &Readings) -> Prediction {
    answer_read(scene, req, &Reading::of_as(req, readings), readings)
}

/// [`answer`] for a request already read ([`Reading::of_as`] with the same readings).
pub fn answer_read(scene: &Scene<'_>, req: &HttpRequest, reading: &Reading, readings: &Readings) -> Prediction {
    let mode = reading.modes(readings).first().copied().unwrap_or_default();
    let mut prediction = evaluate(scene, req, reading, mode, readings);
    if readings.is(OpenPoint::EarlyRefusalFormat, "default")
        && matches!(prediction.pick(), Outcome::Error(e) if e.rule.rule().layer == Layer::Request)
    {
        prediction.format = FormatExpectation::Either(Format::Xml);
    }
    prediction
}

/// The prediction for one mode of reading the request.
fn evaluate(scene: &Scene<'_>, req: &HttpRequest, reading: &Reading, mode: Mode, readings: &Readings) -> Prediction {
    let pick_last = readings.is(OpenPoint::OutcomePick, "last");
    let unknown_format = if readings.is(OpenPoint::FormatValue, "json") { Format::Json } else { Format::Xml };
    let mut request_layer = Vec::new();
    if req.method != "GET" && req.method != "POST" {
        request_layer.push(Violation::certain(RuleId::Method, None));
    }
    if reading.refused_for_size(mode) {
        // Refused before the body is read: nothing else of it is known.
        let mut size = Violation::certain(RuleId::Size, Some(&MAX_BODY.to_string()));
        size.any_refusal = true;
        request_layer.push(size);
        let format = reading.params(mode).format(reading.v3, unknown_format);
        return decide(request_layer, Call { action: Action::CopyImage, plan: None }, format, None, pick_last);
    }
    let bad = reading.bad_names(mode);
    if !bad.is_empty() {
        request_layer.push(Violation::certain(RuleId::Encoding, Some(&bad.join(", "))));
    }
    let repeated = reading.repeated_names(mode);
    if !repeated.is_empty() {
        let refuses = readings.is(OpenPoint::DuplicateParameter, "refuse");
        request_layer.push(Violation::open(
            RuleId::DuplicateParameter,
            OpenPoint::DuplicateParameter,
            refuses,
            Some(&repeated.join(", ")),
        ));
    }
    let params = reading.params(mode);
    let format = params.format(reading.v3, unknown_format);
    let gate = gateway::check(&gateway::Input { scene, req, reading, params: &params, mode, readings });
    let mut settle = None;
    let (api_layer, plan) = match (gate.caller, gate.action) {
        (None, _) => (Vec::new(), None),
        (Some(account), Action::CopyImage) => {
            let (v, plan, newest) = api::check(scene, account, &params, readings);
            settle = Some(newest);
            (v, plan.map(Effect::Copy))
        }
        (Some(_), Action::DescribeRegions) => (Vec::new(), Some(life::regions(scene.world))),
        (Some(account), Action::DescribeImages) => life::describe(scene, account, &params, readings),
        (Some(account), Action::CancelCopyImage) => life::cancel(scene.world, account, &params, readings),
        (Some(account), Action::DeleteImage) => life::delete(scene.world, account, &params, readings),
    };
    let mut violations = request_layer;
    violations.extend(gate.violations);
    violations.extend(api_layer);
    let violations = profile::remap(scene.doc, violations);
    let mut prediction = decide(violations, Call { action: gate.action, plan }, format, gate.nonce, pick_last);
    if let Some(newest) = settle {
        newest.settle(&mut prediction);
        prediction.newest = Some(newest);
    }
    prediction
}

fn push_unique(list: &mut Vec<Outcome>, o: Outcome) {
    if !list.contains(&o) {
        list.push(o);
    }
}

/// The stages a request passes, in order: the gateway (reading the request and the
/// gateway's own checks, protocol.md §5, in no documented order between them), then the
/// API (the seed's rules). See the decided point `several-violations`.
const STAGES: [&[Layer]; 2] = [&[Layer::Request, Layer::Gateway], &[Layer::Api]];

/// The call a request makes: its action (CopyImage when it names none the suite knows)
/// and what a success would do.
struct Call {
    action: Action,
    plan: Option<Effect>,
}

/// The decision over a set of violations: stages answer in order; the first stage with a
/// certain violation stops; every error of a violated rule in the stages reached is
/// acceptable; success is acceptable when no stage stopped. The emulator answers the
/// first rule it refuses in rule-table order (or, with `pick_last`, the last acceptable
/// outcome).
fn decide(
    violations: Vec<Violation>,
    Call { action, plan }: Call,
    format: FormatExpectation,
    nonce: Option<Vec<u8>>,
    pick_last: bool,
) -> Prediction {
    let mut acceptable: Vec<Outcome> = Vec::new();
    let mut pick: Option<Outcome> = None;
    let mut stopped = false;
    for stage in STAGES {
        let in_stage: Vec<&Violation> = violations.iter().filter(|v| stage.contains(&v.rule.rule().layer)).collect();
        if pick.is_none() {
            pick = in_stage
                .iter()
                .filter_map(|v| v.emulator_answer().map(|e| (v.rule, e)))
                .min_by_key(|(rule, _)| *rule)
                .map(|(_, e)| Outcome::Error(e.clone()));
        }
        for v in &in_stage {
            for e in &v.errors {
                push_unique(&mut acceptable, Outcome::Error(e.clone()));
            }
            if v.any_refusal {
                push_unique(&mut acceptable, Outcome::Refusal { rule: v.rule, code: None });
            }
        }
        if in_stage.iter().any(|v| v.certain) {
            stopped = true;
            break;
        }
    }
    if !stopped {
        if let Some(plan) = &plan {
            push_unique(&mut acceptable, Outcome::Success(plan.clone()));
        }
    }
    let mut pick = pick.or_else(|| plan.clone().map(Outcome::Success));
    if pick_last {
        pick = acceptable.iter().rev().find(|o| !matches!(o, Outcome::Refusal { .. })).cloned().or(pick);
    }
    if let Some(pick) = pick {
        acceptable.retain(|o| *o != pick);
        acceptable.insert(0, pick);
    }
    if acceptable.is_empty() {
        // Unreachable by construction (a request without a caller has a certain gateway
        // violation); kept total rather than panicking.
        acceptable.push(Outcome::Error(ErrorOutcome::all_of(RuleId::MissingParameter, Some("AccessKeyId")).remove(0)));
    }
    Prediction {
        acceptable,
        format,
        decided: violations.clone(),
        violations,
        nonce,
        plan,
        action,
        pick_last,
        newest: None,
    }
}

/// Applies a success to the world. A copy: the new image (`new_image_id`) appears in
/// the destination region as `Creating`, with the requested name and description, and
/// completes after the world's copy duration. A cancel: the copy stops and its image is
/// gone ("the destination image created in the target region is deleted, and the
/// source image remains unchanged"). A delete: the image is gone. A listing changes
/// nothing. Pure.
pub fn apply(world: &mut World, effect: &Effect, new_image_id: &str, now: Timestamp) {
    match effect {
        Effect::Copy(plan) => apply_copy(world, plan, new_image_id, now),
        Effect::Cancel { copy } => {
            world.copies.retain(|c| c.destination_image != *copy);
            world.images.retain(|i| i.id != *copy);
        }
        Effect::Delete { image: Some(id) } => world.images.retain(|i| i.id != *id),
        Effect::Delete { image: None } | Effect::Describe(_) | Effect::Regions { .. } => {}
    }
}

fn apply_copy(world: &mut World, plan: &CopyPlan, new_image_id: &str, now: Timestamp) {
    if plan.replay.is_some() {
        return;
    }
    if let Some((token, request)) = &plan.token {
        world.tokens.push(crate::model::TokenUse {
            account: plan.account.clone(),
            token: token.clone(),
            request: request.clone(),
            image: new_image_id.to_owned(),
        });
    }
    let snapshot_count = world.image(&plan.source_image).map_or(1, |i| i.snapshot_count);
    world.images.push(Image {
        id: new_image_id.to_owned(),
        region: plan.destination_region.clone(),
        owner: Some(plan.account.clone()),
        kind: ImageKind::Custom,
        status: ImageStatus::Creating,
        created_at: now,
        encrypted: plan.encrypted,
        snapshot_count,
        name: plan.name.clone(),
        description: plan.description.clone(),
        copied: true,
    });
    world.copies.push(Copy {
        source_image: plan.source_image.clone(),
        destination_image: new_image_id.to_owned(),
        destination_region: plan.destination_region.clone(),
        started_at: now,
        completes_at: now.plus(i64::from(world.copy_duration_seconds)),
    });
}

/// Who records a nonce: the emulator (which remembers what its reading of
/// `nonce-memory` says) or the harness's mirror of some other target (which also notes what it
/// perhaps remembers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorder {
    /// The built-in emulator; `failed_too`: it remembers the nonces of requests that
    /// failed authentication too (`nonce-memory=failed-too`).
    Emulator {
        /// Whether nonces of unauthenticated requests are remembered.
        failed_too: bool,
    },
    /// The harness's mirror of a target ([`crate::harness::exchange::Mirror`]).
    Mirror,
}

impl Recorder {
    /// The built-in emulator with these readings.
    pub fn emulator(readings: &Readings) -> Recorder {
        Recorder::Emulator { failed_too: readings.is(OpenPoint::NonceMemory, "failed-too") }
    }
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
        (false, Recorder::Mirror | Recorder::Emulator { failed_too: true }) => log.remember(nonce, now, false),
        (false, Recorder::Emulator { failed_too: false }) => {}
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
            Outcome::Refusal { rule, .. } => Answered::Rule(*rule),
        }
    }
}
