//! A failure's trace: every request its minimal case sent and every reply it got, as they
//! crossed the wire, with timings.
//!
//! Owns [`Trace`] (what the JSON and HTML reports carry for each failure, as ConnectRPC's
//! `--trace` and the OCI suite's report do), its caps (a body or header kept to a few
//! kilobytes, the byte count always given) and its redaction ([`Redactor`]): where the
//! credentials are the user's (a target without world control), their AccessKeyIds,
//! secrets, signatures and security tokens are replaced by bracketed placeholders, in
//! the request and in anything the target echoed. Generated keys are fixtures and stay,
//! so an emulator author can compare signatures.

use serde::Serialize;

use crate::harness::exchange::StepRecord;
use crate::model::{HttpRequest, World};

/// Bytes of a body (request or reply) a trace keeps.
pub const BODY_CAP: usize = 4096;
/// Characters of a request target or a header value a trace keeps.
pub const TEXT_CAP: usize = 1024;
/// Headers of one message a trace keeps.
pub const HEADERS_CAP: usize = 64;

/// Text kept up to a cap, with the size it had.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Capped {
    /// The text (invalid UTF-8 replaced), at most the cap.
    pub text: String,
    /// The size before capping, in bytes.
    pub bytes: usize,
    /// Whether the text was cut.
    pub truncated: bool,
}

impl Capped {
    fn of(bytes: &[u8], cap: usize, redactor: &Redactor) -> Capped {
        let whole = redactor.apply(&String::from_utf8_lossy(bytes));
        let mut end = whole.len().min(cap);
        while !whole.is_char_boundary(end) {
            end -= 1;
        }
        Capped { text: whole[..end].to_owned(), bytes: bytes.len(), truncated: end < whole.len() }
    }
}

/// One request as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TracedRequest {
    /// Method.
    pub method: String,
    /// Path and query.
    pub target: Capped,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Capped,
}

/// One reply as received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TracedReply {
    /// Status.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Capped,
}

/// One exchange of the minimal case.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceStep {
    /// When the request went out, in milliseconds after the case's first request.
    pub at_ms: f64,
    /// How long the reply took, in milliseconds.
    pub elapsed_ms: f64,
    /// The request.
    pub request: TracedRequest,
    /// The reply, if one came.
    pub reply: Option<TracedReply>,
    /// Why no reply was read (a timeout, a refused connection, an oversize reply).
    pub problem: Option<String>,
    /// Whether this exchange is one the verdict faults.
    pub failed: bool,
}

/// Every exchange of a failure's minimal case, in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Trace(pub Vec<TraceStep>);

impl Trace {
    /// The trace of a case's records: the steps that reached the target (control steps
    /// and requests not sent have no exchange).
    pub fn of(records: &[StepRecord], redactor: &Redactor) -> Trace {
        let first = records.iter().find_map(|r| r.wire.as_ref().map(|w| w.started));
        let steps = records
            .iter()
            .filter_map(|r| {
                let (wire, req) = (r.wire.as_ref()?, r.request.as_ref()?);
                let since = first.map_or(0.0, |f| wire.started.saturating_duration_since(f).as_secs_f64());
                Some(TraceStep {
                    at_ms: millis(since),
                    elapsed_ms: millis(wire.elapsed.as_secs_f64()),
                    request: TracedRequest {
                        method: req.method.clone(),
                        target: Capped::of(req.target.as_bytes(), TEXT_CAP, redactor),
                        headers: headers(&req.headers, redactor),
                        body: Capped::of(&req.body, BODY_CAP, redactor),
                    },
                    reply: wire.reply.as_ref().map(|reply| TracedReply {
                        status: reply.status,
                        headers: headers(&reply.headers, redactor),
                        body: Capped::of(&reply.body, BODY_CAP, redactor),
                    }),
                    problem: if wire.reply.is_none() { r.verdict.seen.problem.clone() } else { None },
                    failed: !r.verdict.passed(),
                })
            })
            .collect();
        Trace(steps)
    }
}

fn millis(seconds: f64) -> f64 {
    (seconds * 1_000_000.0).round() / 1000.0
}

fn headers(all: &[(String, String)], redactor: &Redactor) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = headers_redacted(&all[..all.len().min(HEADERS_CAP)], redactor)
        .into_iter()
        .map(|(n, v)| (n, Capped::of(v.as_bytes(), TEXT_CAP, &Redactor::none()).text))
        .collect();
    if all.len() > HEADERS_CAP {
        kept.push(("[MORE]".into(), format!("{} more headers", all.len() - HEADERS_CAP)));
    }
    kept
}

/// What a report must not show of the user's credentials, and the placeholders that
/// stand for it.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    words: Vec<(String, &'static str)>,
    signatures: bool,
}

impl Redactor {
    /// Redacts nothing: the credentials are generated fixtures.
    pub fn none() -> Redactor {
        Redactor::default()
    }

    /// Redacts the credentials of `world`'s accounts (the user's own, on a target
    /// without world control): key ids, secrets, and every signature and security token.
    pub fn user(world: &World) -> Redactor {
        let mut words = Vec::new();
        for k in world.accounts.iter().flat_map(|a| &a.access_keys) {
            if !k.secret.expose().is_empty() {
                words.push((k.secret.expose().to_owned(), "[SECRET]"));
            }
            if !k.id.is_empty() {
                words.push((k.id.clone(), "[ACCESS_KEY_ID]"));
            }
        }
        // Longer first, so a word inside another is not redacted half.
        words.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        Redactor { words, signatures: true }
    }

    /// Whether it redacts anything.
    pub fn redacts(&self) -> bool {
        self.signatures || !self.words.is_empty()
    }

    /// `text` with what must not show replaced.
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (word, placeholder) in &self.words {
            if out.contains(word.as_str()) {
                out = out.replace(word.as_str(), placeholder);
            }
        }
        if self.signatures {
            for (name, placeholder) in [("Signature=", "[SIGNATURE]"), ("SecurityToken=", "[SECURITY_TOKEN]")] {
                out = redact_values(&out, name, placeholder);
            }
        }
        out
    }

    /// A request with what must not show replaced (the `request` a failure shows).
    pub fn request(&self, req: &HttpRequest) -> HttpRequest {
        if !self.redacts() {
            return req.clone();
        }
        HttpRequest {
            method: req.method.clone(),
            target: self.apply(&req.target),
            headers: headers_redacted(&req.headers, self),
            body: self.apply(&String::from_utf8_lossy(&req.body)).into_bytes(),
        }
    }
}

fn headers_redacted(all: &[(String, String)], redactor: &Redactor) -> Vec<(String, String)> {
    all.iter()
        .map(|(n, v)| {
            let v = if redactor.signatures && n.eq_ignore_ascii_case("x-acs-security-token") {
                "[SECURITY_TOKEN]".to_owned()
            } else {
                redactor.apply(v)
            };
            (n.clone(), v)
        })
        .collect()
}

/// `text` with the value after each `name` (at the start, or after `?`, `&`, `,` or a
/// space: a query or form parameter, or a part of a V3 `Authorization` header) replaced
/// by `placeholder`, up to the next `&`, `,`, space or quote.
fn redact_values(text: &str, name: &str, placeholder: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(name) {
        let starts = at == 0 || rest[..at].ends_with(['?', '&', ',', ' ']);
        out.push_str(&rest[..at + name.len()]);
        rest = &rest[at + name.len()..];
        if starts {
            let stop = rest.find(['&', ',', ' ', '"']).unwrap_or(rest.len());
            if stop > 0 {
                out.push_str(placeholder);
            }
            rest = &rest[stop..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccessKey, Secret};

    fn world() -> World {
        let mut w: World = serde_json::from_str(include_str!("../../fixtures/worlds/default.json")).unwrap();
        w.accounts[0].access_keys =
            vec![AccessKey { id: "LTAIuserkey".into(), secret: Secret::new("s3cr3tvalue"), enabled: true }];
        w
    }

    #[test]
    fn user_credentials_never_show() {
        let r = Redactor::user(&world());
        let q = "/?AccessKeyId=LTAIuserkey&Signature=abc%3D&SignatureNonce=n1&SecurityToken=tok&X=s3cr3tvalue";
        assert_eq!(
            r.apply(q),
            "/?AccessKeyId=[ACCESS_KEY_ID]&Signature=[SIGNATURE]&SignatureNonce=n1&SecurityToken=[SECURITY_TOKEN]&X=[SECRET]"
        );
        let v3 = "ACS3-HMAC-SHA256 Credential=LTAIuserkey,SignedHeaders=host;x-acs-date,Signature=0a1b2c";
        assert_eq!(
            r.apply(v3),
            "ACS3-HMAC-SHA256 Credential=[ACCESS_KEY_ID],SignedHeaders=host;x-acs-date,Signature=[SIGNATURE]"
        );
        let req = HttpRequest {
            method: "POST".into(),
            target: "/".into(),
            headers: vec![("x-acs-security-token".into(), "tok".into()), ("authorization".into(), v3.into())],
            body: b"AccessKeyId=LTAIuserkey&Signature=zz".to_vec(),
        };
        let shown = serde_json::to_string(&r.request(&req)).unwrap();
        for word in ["LTAIuserkey", "tok\"", "0a1b2c", "zz"] {
            assert!(!shown.contains(word), "{word} in {shown}");
        }
    }

    #[test]
    fn generated_credentials_stay_and_caps_keep_the_size() {
        let r = Redactor::none();
        assert_eq!(r.apply("Signature=abc"), "Signature=abc");
        let big = "é".repeat(BODY_CAP);
        let c = Capped::of(big.as_bytes(), BODY_CAP, &r);
        assert!(c.truncated && c.text.len() <= BODY_CAP && c.bytes == big.len());
        let small = Capped::of(b"ok", BODY_CAP, &r);
        assert_eq!(small, Capped { text: "ok".into(), bytes: 2, truncated: false });
    }
}
