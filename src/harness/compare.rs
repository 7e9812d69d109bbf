//! Comparing a reply with the oracle's prediction.
//!
//! Owns [`judge`]: given the prediction for the exact request sent and what came back
//! (a reply, or a transport failure), it lists the rules the case exercised and every
//! check that failed, each with what was expected beside what was observed. Checks:
//! the outcome (success, or the Code and HTTP status of an acceptable error), the
//! format asked for, the root element or JSON shape, `RequestId` present and well
//! formed, `ImageId` on success, `HostId` and `Message` on errors.

use serde::{Deserialize, Serialize};

use super::client::TransportError;
use crate::model::{Format, HttpReply};
use crate::oracle::{Answered, Outcome, Prediction};
use crate::rules::protocol::{Action, ReplyField};
use crate::rules::{Doc, RuleId};
use crate::wire::reply::{self, ERROR_ROOT, ParsedReply, ReplyParseError};

/// The fields an error reply carries beyond `RequestId` (protocol.md §1).
const ERROR_FIELDS: [(&str, ReplyField); 3] =
    [("HostId", ReplyField::Text), ("Code", ReplyField::Text), ("Message", ReplyField::Text)];

/// A check that failed: the rule, what the documentation expects, what arrived. Both
/// sides are values; [`crate::report`] renders them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The rule not honoured.
    pub rule: RuleId,
    /// What was expected.
    pub expected: Expected,
    /// What was observed.
    pub observed: Observed,
}

/// One outcome the documentation accepts, in brief (two outcomes that differ only in
/// their message or copy plan are one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Acceptable {
    /// A 200 success with a new `ImageId`.
    Success,
    /// A documented error.
    Error {
        /// HTTP status.
        status: u16,
        /// `Code`.
        code: String,
    },
    /// Any 4xx refusal (a gateway's refusal no document names).
    Refusal,
    /// This Code with any 4xx status (a Code whose status no document gives).
    Coded {
        /// `Code`.
        code: String,
    },
}

/// What a check expected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Expected {
    /// One of these outcomes.
    Outcomes {
        /// The acceptable outcomes, each once, in the prediction's order.
        any_of: Vec<Acceptable>,
    },
    /// A body in this format.
    Format {
        /// The format asked for.
        format: Format,
    },
    /// A body that parses as XML or JSON.
    ReadableBody,
    /// The documented shape of a success or an error in `format`.
    Shape {
        /// Whether the reply is a success.
        success: bool,
        /// The body's format.
        format: Format,
    },
    /// A `RequestId` that is a UUID.
    RequestId,
    /// The `ImageId` of an image that did not exist.
    NewImageId,
    /// The `ImageId` of the copy an earlier request with the same `ClientToken` made.
    EarlierImageId {
        /// The id.
        id: String,
    },
    /// This image, as the mirror holds it.
    Image {
        /// The image.
        image: ImageBrief,
    },
    /// No image with this id.
    NoImage {
        /// The id.
        id: String,
    },
    /// These copies in progress (source, destination), sorted.
    Copies {
        /// The pairs.
        pairs: Vec<(String, String)>,
    },
    /// A field of a listing (DescribeImages, DescribeRegions) with this value.
    Field {
        /// The field, with the item it belongs to (`Images[m-1].Status`).
        field: String,
        /// What the documents allow.
        value: String,
    },
}

/// What an image is, as far as a check of the world compares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageBrief {
    /// Image id.
    pub id: String,
    /// Region.
    pub region: String,
    /// Status.
    pub status: crate::model::ImageStatus,
    /// Name (an empty one is none).
    pub name: Option<String>,
    /// Description (an empty one is none).
    pub description: Option<String>,
    /// Owner.
    pub owner: Option<String>,
}

impl ImageBrief {
    /// The brief of an image. An empty name or description and none at all are one
    /// (points `empty-name`; "Can be null" for descriptions).
    pub fn of(image: &crate::model::Image) -> ImageBrief {
        let text = |t: &Option<String>| t.clone().filter(|t| !t.is_empty());
        ImageBrief {
            id: image.id.clone(),
            region: image.region.clone(),
            status: image.status,
            name: text(&image.name),
            description: text(&image.description),
            owner: image.owner.clone(),
        }
    }
}

/// What a check observed. Text taken from a reply is clipped to [`CLIP`] characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Observed {
    /// No reply: why.
    NoReply {
        /// The transport failure.
        problem: String,
    },
    /// A success.
    Success {
        /// HTTP status.
        status: u16,
    },
    /// An error reply; `code` is `None` when the body names none.
    Error {
        /// HTTP status.
        status: u16,
        /// `Code`.
        code: Option<String>,
    },
    /// A reply whose body could not be read.
    Unreadable {
        /// HTTP status.
        status: u16,
        /// Why it could not be read.
        problem: String,
    },
    /// A body in this format.
    Format {
        /// The format.
        format: Format,
    },
    /// A `RequestId` that is not a UUID, or none.
    RequestId {
        /// The value, if any.
        value: Option<String>,
    },
    /// A departure from the documented shape.
    Shape {
        /// What departs.
        problem: ShapeProblem,
    },
    /// The id of an image that already existed.
    ExistingImageId {
        /// The id.
        id: String,
    },
    /// Another `ImageId` than the earlier copy's (`None`: none).
    OtherImageId {
        /// The id.
        id: Option<String>,
    },
    /// This image (or none with the id expected).
    Image {
        /// The image, if the target holds one with that id.
        image: Option<ImageBrief>,
    },
    /// These copies in progress (source, destination), sorted.
    Copies {
        /// The pairs.
        pairs: Vec<(String, String)>,
    },
    /// A field of a listing, as sent (`None`: not sent).
    Field {
        /// The field.
        field: String,
        /// Its value.
        value: Option<String>,
    },
}

/// How a body departs from its documented shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ShapeProblem {
    /// The XML root element.
    Root {
        /// Its name.
        name: String,
    },
    /// A required field is missing.
    Missing {
        /// The field.
        field: String,
    },
    /// A required field is empty.
    Empty {
        /// The field.
        field: String,
    },
    /// A required field is not text.
    NotText {
        /// The field.
        field: String,
        /// Its JSON type.
        type_name: String,
    },
    /// A success carries a `Code`.
    CodeInSuccess,
}

/// Characters kept of any text a reply supplies to an [`Observed`].
pub const CLIP: usize = 300;

/// What came back, in brief.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// HTTP status, if a reply came.
    pub status: Option<u16>,
    /// `Code`, if any.
    pub code: Option<String>,
    /// Format of the body, if it parsed.
    pub format: Option<Format>,
    /// `ImageId` of a success.
    pub image_id: Option<String>,
    /// The body's first 300 characters.
    pub body: String,
    /// A transport or parse problem.
    pub problem: Option<String>,
}

impl std::fmt::Display for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.status, &self.code, &self.image_id, &self.problem) {
            (None, _, _, Some(p)) => write!(f, "no reply ({p})"),
            (Some(s), Some(c), _, _) => write!(f, "{s} {c}"),
            (Some(s), None, Some(id), _) => write!(f, "{s} success, ImageId {id}"),
            (Some(s), None, None, Some(p)) => write!(f, "{s}, {p}"),
            (Some(s), None, None, None) => write!(f, "{s}"),
            (None, _, _, None) => write!(f, "nothing"),
        }
    }
}

/// The judgement of one reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Rules the case exercised.
    pub exercised: Vec<RuleId>,
    /// Failed checks; empty when the reply conforms.
    pub mismatches: Vec<Mismatch>,
    /// What came back.
    pub seen: Seen,
}

impl Verdict {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }

    /// Rules that failed, without repeats.
    pub fn failed_rules(&self) -> Vec<RuleId> {
        let mut r: Vec<RuleId> = self.mismatches.iter().map(|m| m.rule).collect();
        r.sort_unstable();
        r.dedup();
        r
    }

    /// What answered, for the nonce memory.
    pub fn answered(&self, prediction: &Prediction) -> Answered {
        match (&self.seen.status, &self.seen.code) {
            (Some(s), None) if (200..300).contains(s) => Answered::Success,
            (Some(s), code) => match prediction.error_matching(code.as_deref().unwrap_or_default(), *s) {
                Some(e) => Answered::Rule(e.rule),
                None => prediction.refusal_matching(*s, code.as_deref()).map_or(Answered::Unknown, Answered::Rule),
            },
            _ => Answered::Unknown,
        }
    }
}

/// Whether a RequestId is well formed: a UUID, 8-4-4-4-12 hex digits.
pub fn well_formed_request_id(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The acceptable outcomes in brief, each once (two outcomes may differ only in their
/// message or plan).
fn acceptable(prediction: &Prediction) -> Expected {
    let mut any_of: Vec<Acceptable> = Vec::new();
    for o in &prediction.acceptable {
        let a = match o {
            Outcome::Success(_) => Acceptable::Success,
            Outcome::Error(e) => Acceptable::Error { status: e.status, code: e.code.to_string() },
            Outcome::Refusal { code: None, .. } => Acceptable::Refusal,
            Outcome::Refusal { code: Some(code), .. } => Acceptable::Coded { code: code.to_string() },
        };
        if !any_of.contains(&a) {
            any_of.push(a);
        }
    }
    Expected::Outcomes { any_of }
}

/// Shortens text a reply supplied.
fn clip(s: &str) -> String {
    if s.chars().count() > CLIP { format!("{}…", s.chars().take(CLIP).collect::<String>()) } else { s.to_owned() }
}

/// Judges a reply (or its absence) against a prediction.
pub fn judge(prediction: &Prediction, reply: &Result<HttpReply, TransportError>) -> Verdict {
    let mut v = judge_full(prediction, reply);
    v.exercised.sort_unstable();
    v.exercised.dedup();
    v
}

/// The rules a wrong outcome is held against: for a success, the rules broken under
/// every reading; for an error, those whose acceptable replies come nearest the one
/// observed (the same Code, else a Code another profile gives the rule, else the same
/// status); else every rule the prediction is about. A reply of `InvalidImageId.NotFound` at 404 where 400 was due
/// fails the image rules, not a name rule whose refusal was acceptable too.
fn blamed(prediction: &Prediction, observed: &Observed) -> Vec<RuleId> {
    let errors = || prediction.acceptable.iter().filter_map(|o| if let Outcome::Error(e) = o { Some(e) } else { None });
    if let Observed::Success { .. } = observed {
        // A success where none is acceptable: the rules that forbid it, those broken
        // under every reading (and a dry run's), not those merely open beside them.
        let rules = prediction.rules();
        let mut why: Vec<RuleId> = prediction
            .violations
            .iter()
            .filter(|v| v.certain && rules.contains(&v.rule))
            .map(|v| v.rule)
            .chain(rules.iter().copied().filter(|r| *r == RuleId::DryRunPasses))
            .collect();
        why.sort_unstable();
        why.dedup();
        if !why.is_empty() {
            return why;
        }
    }
    if let Observed::Error { status, code } = observed {
        let mut near: Vec<RuleId> = errors().filter(|e| code.as_deref() == Some(e.code)).map(|e| e.rule).collect();
        if near.is_empty() {
            // A Code another profile documents for one of the rules (`Forbidden` where
            // the newest page spells `Forbbiden`): that rule.
            near = errors()
                .map(|e| e.rule)
                .filter(|r| Doc::ALL.iter().any(|d| r.errors_in(*d).iter().any(|x| code.as_deref() == Some(x.code))))
                .collect();
        }
        if near.is_empty() {
            near = errors().filter(|e| e.status == *status).map(|e| e.rule).collect();
        }
        near.sort_unstable();
        near.dedup();
        if !near.is_empty() {
            return near;
        }
    }
    prediction.rules()
}

/// A rule counts as exercised only when the reply let it be checked: the outcome is
/// always judged (a missing reply fails it), the reply rules only on a body that was
/// read; an unreadable body fails its shape rule and leaves format and RequestId
/// unchecked.
fn judge_full(prediction: &Prediction, reply: &Result<HttpReply, TransportError>) -> Verdict {
    let mut exercised = prediction.rules();
    let mut mismatches = Vec::new();
    let outcome_failed = |mismatches: &mut Vec<Mismatch>, observed: Observed| {
        for rule in blamed(prediction, &observed) {
            mismatches.push(Mismatch { rule, expected: acceptable(prediction), observed: observed.clone() });
        }
    };
    let reply = match reply {
        Err(e) => {
            outcome_failed(&mut mismatches, Observed::NoReply { problem: clip(&e.to_string()) });
            let seen = Seen { problem: Some(e.to_string()), ..Seen::default() };
            return Verdict { exercised, mismatches, seen };
        }
        Ok(r) => r,
    };
    let mut seen = Seen {
        status: Some(reply.status),
        body: String::from_utf8_lossy(&reply.body).chars().take(300).collect(),
        ..Seen::default()
    };
    let success = (200..300).contains(&reply.status);
    let parsed: Result<ParsedReply, ReplyParseError> = reply::parse(&reply.body);
    let shape_rule = if success { RuleId::ReplySuccessShape } else { RuleId::ReplyErrorShape };
    if let Ok(p) = &parsed {
        seen.format = Some(p.format);
        seen.code = p.text("Code").map(str::to_owned);
    }
    // The outcome: success, an acceptable error, or a refusal of any kind.
    if success {
        if !prediction.allows_success() {
            outcome_failed(&mut mismatches, Observed::Success { status: reply.status });
        }
    } else {
        let code = seen.code.as_deref().unwrap_or_default();
        if prediction.error_matching(code, reply.status).is_none() {
            if prediction.refusal_matching(reply.status, seen.code.as_deref()).is_some() {
                // A refusal no document names: its Code and body are not judged.
                return Verdict { exercised, mismatches, seen };
            }
            let observed = match &parsed {
                Err(e) => Observed::Unreadable { status: reply.status, problem: clip(&e.to_string()) },
                Ok(_) => Observed::Error { status: reply.status, code: seen.code.as_deref().map(clip) },
            };
            outcome_failed(&mut mismatches, observed);
        }
    }
    exercised.push(shape_rule);
    let parsed = match parsed {
        Err(e) => {
            seen.problem = Some(e.to_string());
            mismatches.push(Mismatch {
                rule: shape_rule,
                expected: Expected::ReadableBody,
                observed: Observed::Unreadable { status: reply.status, problem: clip(&e.to_string()) },
            });
            return Verdict { exercised, mismatches, seen };
        }
        Ok(p) => p,
    };
    exercised.extend([RuleId::ReplyFormat, RuleId::ReplyRequestId]);
    if !prediction.format.allows(parsed.format) {
        mismatches.push(Mismatch {
            rule: RuleId::ReplyFormat,
            expected: Expected::Format { format: prediction.format.emulator() },
            observed: Observed::Format { format: parsed.format },
        });
    }
    match parsed.text("RequestId") {
        Some(id) if well_formed_request_id(id) => {}
        id => mismatches.push(Mismatch {
            rule: RuleId::ReplyRequestId,
            expected: Expected::RequestId,
            observed: Observed::RequestId { value: id.map(clip) },
        }),
    }
    let mut shape = |problem: ShapeProblem| {
        mismatches.push(Mismatch {
            rule: shape_rule,
            expected: Expected::Shape { success, format: parsed.format },
            observed: Observed::Shape { problem },
        })
    };
    let (root, required): (String, &[(&str, ReplyField)]) = if success {
        (reply::success_root(prediction.action), prediction.action.reply_fields())
    } else {
        (ERROR_ROOT.to_owned(), &ERROR_FIELDS)
    };
    match (&parsed.root, parsed.format) {
        (Some(r), Format::Xml) if *r != root => shape(ShapeProblem::Root { name: clip(r) }),
        _ => {}
    }
    for (field, kind) in required {
        match (parsed.get(field), kind) {
            (None, _) => shape(ShapeProblem::Missing { field: (*field).to_owned() }),
            (Some(reply::FieldValue::Text(t)), ReplyField::Text) if t.is_empty() => {
                shape(ShapeProblem::Empty { field: (*field).to_owned() })
            }
            (Some(reply::FieldValue::Text(_)), ReplyField::Text) | (Some(_), ReplyField::Count | ReplyField::List) => {}
            (Some(v), ReplyField::Text) => {
                shape(ShapeProblem::NotText { field: (*field).to_owned(), type_name: v.type_name().to_owned() })
            }
        }
    }
    if success && parsed.get("Code").is_some() {
        shape(ShapeProblem::CodeInSuccess);
    }
    if success && prediction.action == Action::CopyImage {
        seen.image_id = parsed.text("ImageId").filter(|s| !s.is_empty()).map(str::to_owned);
    }
    if success && prediction.allows_success() {
        super::listing::judge(prediction, &parsed, &reply.body, &mut mismatches);
    }
    Verdict { exercised, mismatches, seen }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Case, Tamper};
    use crate::model::{ErrorReply, Reply, Timestamp, World};
    use crate::oracle::{self, NonceLog, Scene};
    use crate::wire::sign::Signing;

    fn prediction(case: &Case) -> Prediction {
        let w = World::default_fixture();
        let now = Timestamp(1_750_000_000);
        let req = case.build(&w, now, "h", "n").request;
        oracle::predict(&Scene::new(&w, &NonceLog::new(), now), &req)
    }

    fn base() -> Case {
        Case::new(
            Signing::V1Get,
            &[
                ("RegionId", "cn-qingdao"),
                ("ImageId", "m-unavail0000000000001"),
                ("DestinationRegionId", "cn-hangzhou"),
            ],
        )
    }

    fn error_reply(code: &str, status: u16, format: Format) -> HttpReply {
        let r = Reply::Error(ErrorReply {
            request_id: "C8B26B44-0189-443E-9816-D951F59623A9".into(),
            host_id: "ecs.aliyuncs.com".into(),
            code: code.into(),
            message: "m".into(),
        });
        let (ct, body) = reply::render(&r, format);
        HttpReply::new(status, Some(ct), body)
    }

    #[test]
    fn a_wrong_reply_is_held_against_the_rules_nearest_it() {
        // A name too short and an image that is not there: both refusals are acceptable.
        let case = Case::new(
            Signing::V1Get,
            &[
                ("RegionId", "cn-qingdao"),
                ("ImageId", "m-nosuchimage000000001"),
                ("DestinationRegionId", "cn-hangzhou"),
                ("DestinationImageName", "a"),
            ],
        );
        let p = prediction(&case);
        let failed = |reply: HttpReply| {
            let mut r = judge(&p, &Ok(reply)).failed_rules();
            r.retain(|r| r.rule().layer == crate::rules::Layer::Api);
            r
        };
        // The image's Code at another status: the image rules, not the name's.
        let image = failed(error_reply("InvalidImageId.NotFound", 404, Format::Xml));
        assert!(image.contains(&RuleId::ImageExists) && !image.contains(&RuleId::NameLength), "{image:?}");
        // A Code of neither, at the status they share: both.
        let both = failed(error_reply("InvalidParameter", 400, Format::Xml));
        assert!(both.contains(&RuleId::ImageExists) && both.contains(&RuleId::NameLength), "{both:?}");
        // A success: every rule the prediction is about.
        let ok = HttpReply::new(
            200,
            None,
            br#"{"RequestId":"C8B26B44-0189-443E-9816-D951F59623A9","ImageId":"m-x"}"#.to_vec(),
        );
        let all = failed(ok);
        assert!(all.contains(&RuleId::ImageExists) && all.contains(&RuleId::NameLength), "{all:?}");
    }

    #[test]
    fn the_documented_reply_passes() {
        let v = judge(&prediction(&base()), &Ok(error_reply("IncorrectImageStatus", 400, Format::Xml)));
        assert!(v.passed(), "{:?}", v.mismatches);
        assert!(v.exercised.contains(&RuleId::ImageAvailable));
    }

    #[test]
    fn each_departure_names_its_rule() {
        let p = prediction(&base());
        let cases = [
            (error_reply("IncorrectImageStatus", 403, Format::Xml), RuleId::ImageAvailable),
            (error_reply("IncorrectImageState", 400, Format::Xml), RuleId::ImageAvailable),
            (error_reply("IncorrectImageStatus", 400, Format::Json), RuleId::ReplyFormat),
        ];
        for (reply, rule) in cases {
            let v = judge(&p, &Ok(reply));
            assert_eq!(v.failed_rules(), vec![rule]);
        }
        let mut no_id = error_reply("IncorrectImageStatus", 400, Format::Xml);
        no_id.body = String::from_utf8(no_id.body)
            .unwrap()
            .replace("<RequestId>C8B26B44-0189-443E-9816-D951F59623A9</RequestId>", "")
            .into_bytes();
        assert_eq!(judge(&p, &Ok(no_id)).failed_rules(), vec![RuleId::ReplyRequestId]);
        let success = HttpReply::new(200, None, br#"<CopyImageResponse><RequestId>C8B26B44-0189-443E-9816-D951F59623A9</RequestId><ImageId>m-x</ImageId></CopyImageResponse>"#.to_vec());
        assert_eq!(judge(&p, &Ok(success)).failed_rules(), vec![RuleId::ImageAvailable]);
        let v = judge(&p, &Err(TransportError::Timeout(5000)));
        assert_eq!(v.failed_rules(), vec![RuleId::ImageAvailable]);
        let garbage = HttpReply::new(400, None, b"oops".to_vec());
        let v = judge(&p, &Ok(garbage));
        assert_eq!(v.failed_rules(), vec![RuleId::ImageAvailable, RuleId::ReplyErrorShape]);
        // An unreadable body checks neither its format nor its RequestId: they are not
        // counted as exercised, so never as passed.
        for rule in [RuleId::ReplyFormat, RuleId::ReplyRequestId] {
            assert!(!v.exercised.contains(&rule), "{rule} counted on an unreadable body");
        }
        let v = judge(&p, &Err(TransportError::Timeout(5000)));
        assert!(v.exercised.iter().all(|r| r.rule().layer != crate::rules::Layer::Reply), "{:?}", v.exercised);
    }

    #[test]
    fn a_success_needs_its_shape() {
        let case = Case::new(
            Signing::V1Get,
            &[
                ("RegionId", "cn-qingdao"),
                ("ImageId", "m-available00000000001"),
                ("DestinationRegionId", "cn-hangzhou"),
            ],
        );
        let p = prediction(&case);
        let ok = HttpReply::new(
            200,
            None,
            br#"{"RequestId":"C8B26B44-0189-443E-9816-D951F59623A9","ImageId":"m-1"}"#.to_vec(),
        );
        // JSON where XML was asked.
        assert_eq!(judge(&p, &Ok(ok)).failed_rules(), vec![RuleId::ReplyFormat]);
        let wrapped = HttpReply::new(200, None, br#"<Response><RequestId>C8B26B44-0189-443E-9816-D951F59623A9</RequestId><ImageId>m-1</ImageId></Response>"#.to_vec());
        assert_eq!(judge(&p, &Ok(wrapped)).failed_rules(), vec![RuleId::ReplySuccessShape]);
        let p = prediction(&case.with(Tamper::BadSignature));
        assert!(!p.allows_success());
    }
}
