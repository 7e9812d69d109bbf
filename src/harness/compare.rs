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
use crate::rules::RuleId;
use crate::wire::reply::{self, ERROR_ROOT, ParsedReply, ReplyParseError, SUCCESS_ROOT};

/// A check that failed: the rule, what the documentation expects, what arrived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The rule not honoured.
    pub rule: RuleId,
    /// What was expected.
    pub expected: String,
    /// What was observed.
    pub observed: String,
}

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
                None => prediction.refusal_matching(*s).map_or(Answered::Unknown, Answered::Rule),
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
fn describe(prediction: &Prediction) -> String {
    let mut seen: Vec<String> = Vec::new();
    for o in &prediction.acceptable {
        let text = match o {
            Outcome::Success(_) => "200 success".to_owned(),
            Outcome::Error(e) => format!("{} {}", e.status, e.code),
            Outcome::Refusal { .. } => "any 4xx refusal".to_owned(),
        };
        if !seen.contains(&text) {
            seen.push(text);
        }
    }
    seen.join(" or ")
}

/// Shortens observed text for reports.
fn clip(s: String) -> String {
    if s.chars().count() > 300 { format!("{}…", s.chars().take(300).collect::<String>()) } else { s }
}

/// Judges a reply (or its absence) against a prediction.
pub fn judge(prediction: &Prediction, reply: &Result<HttpReply, TransportError>) -> Verdict {
    let mut v = judge_full(prediction, reply);
    for m in &mut v.mismatches {
        m.observed = clip(std::mem::take(&mut m.observed));
        m.expected = clip(std::mem::take(&mut m.expected));
    }
    v.exercised.sort_unstable();
    v.exercised.dedup();
    v
}

/// A rule counts as exercised only when the reply let it be checked: the outcome is
/// always judged (a missing reply fails it), the reply rules only on a body that was
/// read; an unreadable body fails its shape rule and leaves format and RequestId
/// unchecked.
fn judge_full(prediction: &Prediction, reply: &Result<HttpReply, TransportError>) -> Verdict {
    let mut exercised = prediction.rules();
    let mut mismatches = Vec::new();
    let outcome_failed = |mismatches: &mut Vec<Mismatch>, observed: String| {
        for rule in prediction.rules() {
            mismatches.push(Mismatch { rule, expected: describe(prediction), observed: observed.clone() });
        }
    };
    let reply = match reply {
        Err(e) => {
            outcome_failed(&mut mismatches, format!("no reply: {e}"));
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
            outcome_failed(&mut mismatches, format!("{} success", reply.status));
        }
    } else {
        let code = seen.code.clone().unwrap_or_default();
        if prediction.error_matching(&code, reply.status).is_none() {
            if prediction.refusal_matching(reply.status).is_some() {
                // A refusal no document names: its Code and body are not judged.
                return Verdict { exercised, mismatches, seen };
            }
            let observed = match &parsed {
                Err(_) => format!("{} with an unreadable body", reply.status),
                Ok(_) => format!("{} {}", reply.status, if code.is_empty() { "(no Code)" } else { &code }),
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
                expected: "an XML or JSON body".into(),
                observed: e.to_string(),
            });
            return Verdict { exercised, mismatches, seen };
        }
        Ok(p) => p,
    };
    exercised.extend([RuleId::ReplyFormat, RuleId::ReplyRequestId]);
    if !prediction.format.allows(parsed.format) {
        mismatches.push(Mismatch {
            rule: RuleId::ReplyFormat,
            expected: prediction.format.emulator().to_string(),
            observed: parsed.format.to_string(),
        });
    }
    match parsed.text("RequestId") {
        Some(id) if well_formed_request_id(id) => {}
        Some(id) => mismatches.push(Mismatch {
            rule: RuleId::ReplyRequestId,
            expected: "a UUID".into(),
            observed: format!("{id:?}"),
        }),
        None => mismatches.push(Mismatch {
            rule: RuleId::ReplyRequestId,
            expected: "a RequestId".into(),
            observed: "none".into(),
        }),
    }
    let mut shape = |problem: String| {
        mismatches.push(Mismatch {
            rule: shape_rule,
            expected: expected_shape(success, parsed.format),
            observed: problem,
        })
    };
    let (root, required): (&str, &[&str]) =
        if success { (SUCCESS_ROOT, &["ImageId"]) } else { (ERROR_ROOT, &["HostId", "Code", "Message"]) };
    match (&parsed.root, parsed.format) {
        (Some(r), Format::Xml) if r != root => shape(format!("root <{r}>")),
        _ => {}
    }
    for field in required {
        match parsed.get(field) {
            None => shape(format!("no {field}")),
            Some(reply::FieldValue::Text(t)) if t.is_empty() => shape(format!("empty {field}")),
            Some(reply::FieldValue::Text(_)) => {}
            Some(v) => shape(format!("{field} is a {}", v.type_name())),
        }
    }
    if success && parsed.get("Code").is_some() {
        shape("a Code in a success".into());
    }
    if success {
        seen.image_id = parsed.text("ImageId").filter(|s| !s.is_empty()).map(str::to_owned);
    }
    Verdict { exercised, mismatches, seen }
}

fn expected_shape(success: bool, format: Format) -> String {
    match (success, format) {
        (true, Format::Xml) => "<CopyImageResponse> with RequestId and ImageId".into(),
        (true, Format::Json) => "a flat object with RequestId and ImageId".into(),
        (false, Format::Xml) => "<Error> with RequestId, HostId, Code, Message".into(),
        (false, Format::Json) => "a flat object with RequestId, HostId, Code, Message".into(),
    }
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
        oracle::predict(&Scene { world: &w, nonces: &NonceLog::new(), now }, &req)
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
        HttpReply { status, content_type: Some(ct.into()), body }
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
        let success = HttpReply { status: 200, content_type: None, body: br#"<CopyImageResponse><RequestId>C8B26B44-0189-443E-9816-D951F59623A9</RequestId><ImageId>m-x</ImageId></CopyImageResponse>"#.to_vec() };
        assert_eq!(judge(&p, &Ok(success)).failed_rules(), vec![RuleId::ImageAvailable]);
        let v = judge(&p, &Err(TransportError::Timeout(5000)));
        assert_eq!(v.failed_rules(), vec![RuleId::ImageAvailable]);
        let garbage = HttpReply { status: 400, content_type: None, body: b"oops".to_vec() };
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
        let ok = HttpReply {
            status: 200,
            content_type: None,
            body: br#"{"RequestId":"C8B26B44-0189-443E-9816-D951F59623A9","ImageId":"m-1"}"#.to_vec(),
        };
        // JSON where XML was asked.
        assert_eq!(judge(&p, &Ok(ok)).failed_rules(), vec![RuleId::ReplyFormat]);
        let wrapped = HttpReply { status: 200, content_type: None, body: br#"<Response><RequestId>C8B26B44-0189-443E-9816-D951F59623A9</RequestId><ImageId>m-1</ImageId></Response>"#.to_vec() };
        assert_eq!(judge(&p, &Ok(wrapped)).failed_rules(), vec![RuleId::ReplySuccessShape]);
        let p = prediction(&case.with(Tamper::BadSignature));
        assert!(!p.allows_success());
    }
}
