//! A test case: a world, a valid base request, and the deliberate changes made to it.
//!
//! Owns [`Case`] and [`Tamper`], the one description of a request that fixtures, the
//! generators, the harness and replay files share, and [`Case::build`], which turns a
//! case into the exact HTTP requests to send. A case names keys, never secrets: secrets
//! come from the world when the request is built. Shrinking a case means dropping
//! tampers and simplifying values, which converges on a single broken rule.

use std::fmt;

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::model::{HttpRequest, Timestamp, World};
use crate::wire::client::{Pairs, Signing, V1Draft, V3Draft};

/// A parameter value: text, text repeated, or raw bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Value(pub Vec<u8>);

impl Value {
    /// A text value.
    pub fn text(s: &str) -> Value {
        Value(s.as_bytes().to_vec())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(t) if t.chars().count() > 40 => {
                write!(f, "{:?}…({} chars)", t.chars().take(20).collect::<String>(), t.chars().count())
            }
            Ok(t) => write!(f, "{t:?}"),
            Err(_) => write!(f, "bytes{:02x?}", self.0),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ValueForm {
    Text(String),
    Repeat { repeat: String, times: usize },
    Base64 { base64: String },
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let form = match std::str::from_utf8(&self.0) {
            Ok(text) => {
                // Long runs of one character are written as a repetition.
                let first = text.chars().next();
                let n = text.chars().count();
                match first {
                    Some(c) if n > 16 && text.chars().all(|x| x == c) => {
                        ValueForm::Repeat { repeat: c.to_string(), times: n }
                    }
                    _ => ValueForm::Text(text.to_owned()),
                }
            }
            Err(_) => ValueForm::Base64 { base64: base64::engine::general_purpose::STANDARD.encode(&self.0) },
        };
        form.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Value(match ValueForm::deserialize(d)? {
            ValueForm::Text(t) => t.into_bytes(),
            ValueForm::Repeat { repeat, times } => {
                if repeat.len().saturating_mul(times) > 4 << 20 {
                    return Err(serde::de::Error::custom("repeated value larger than 4 MiB"));
                }
                repeat.repeat(times).into_bytes()
            }
            ValueForm::Base64 { base64 } => {
                base64::engine::general_purpose::STANDARD.decode(base64).map_err(serde::de::Error::custom)?
            }
        }))
    }
}

/// A deliberate change to a valid request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "tamper", rename_all = "kebab-case")]
pub enum Tamper {
    /// Leave a parameter out (for V3, `Action`, `Version`, `Timestamp` and
    /// `SignatureNonce` are headers; `AccessKeyId` and `Signature` the `Authorization`).
    Omit {
        /// Parameter name.
        name: String,
    },
    /// Give a parameter this value (added if absent), before signing.
    Set {
        /// Parameter name.
        name: String,
        /// Its value.
        value: Value,
    },
    /// Send a parameter a second time, signed.
    Duplicate {
        /// Parameter name.
        name: String,
        /// The second value.
        value: Value,
    },
    /// Use another HTTP method (and sign for it).
    Method {
        /// The method.
        method: String,
    },
    /// Alter the signature after signing.
    BadSignature,
    /// Sign with a secret that is not the key's.
    WrongSecret,
    /// Move the timestamp by this many seconds.
    TimestampOffset {
        /// Seconds added to server time.
        seconds: i64,
    },
    /// Send this text as the timestamp.
    TimestampText {
        /// The text.
        text: String,
    },
    /// Send a valid request with the same nonce first.
    ReuseNonce,
    /// Send a request with the same nonce and a bad signature first: whether a server
    /// remembers the nonce of a request that failed authentication is open.
    ReuseFailedNonce,
    /// Send a valid request with the same nonce first, then let the server's clock run
    /// this many seconds (900 to 1,199: whether it still remembers the nonce is open).
    /// Needs world control to move the clock.
    ReuseAgedNonce {
        /// Seconds between the two requests.
        seconds: u32,
    },
    /// Sign with this AccessKeyId (its secret from the world, or an invented one).
    Key {
        /// The AccessKeyId.
        id: String,
    },
    /// Append raw text to the query string after signing.
    RawQuery {
        /// Text appended verbatim (already percent-encoded or deliberately not).
        text: String,
    },
    /// Pad the request past the 1 MiB body limit: a signed `Padding` parameter in the
    /// form body of a V1 form POST or a V3 request (one reading: refused for its size,
    /// or read whole with one parameter more); for V1 GET and V1 query POSTs, which
    /// have no form body to sign, an unsigned form body (readings differ: see README).
    Oversize,
    /// V3: leave this header out of `SignedHeaders`.
    UnsignedHeader {
        /// Header name.
        name: String,
    },
}

/// A test case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// How the request is signed.
    pub signing: Signing,
    /// The AccessKeyId that signs it.
    #[serde(default = "default_key")]
    pub key: String,
    /// CopyImage's parameters (and `Format`), in sending order.
    pub params: Vec<(String, Value)>,
    /// Deliberate changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tampers: Vec<Tamper>,
}

fn default_key() -> String {
    "testid".into()
}

/// The requests a case sends: an optional warm-up (for nonce reuse) and the request
/// under test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Built {
    /// Sent first, with the same nonce, when the case reuses a nonce.
    pub warmup: Option<HttpRequest>,
    /// Seconds the server's clock must run between the warm-up and the request (the
    /// request is signed for that later time).
    pub wait: u32,
    /// The request under test.
    pub request: HttpRequest,
}

/// The secret a case signs with when its key is not in the world.
pub const INVENTED_SECRET: &str = "invented-secret";
/// The secret of [`Tamper::WrongSecret`].
pub const WRONG_SECRET: &str = "not-the-secret";

impl Case {
    /// A case with these parameters and no tampers.
    pub fn new(signing: Signing, params: &[(&str, &str)]) -> Case {
        Case {
            signing,
            key: default_key(),
            params: params.iter().map(|(n, v)| (n.to_string(), Value::text(v))).collect(),
            tampers: Vec::new(),
        }
    }

    /// Adds a tamper.
    pub fn with(mut self, tamper: Tamper) -> Case {
        self.tampers.push(tamper);
        self
    }

    /// The value of a business parameter as the case sends it (after `Set` and `Omit`).
    pub fn param(&self, name: &str) -> Option<&[u8]> {
        let mut value = self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.0.as_slice());
        for t in &self.tampers {
            match t {
                Tamper::Omit { name: n } if n == name => value = None,
                Tamper::Set { name: n, value: v } if n == name => value = Some(&v.0),
                _ => {}
            }
        }
        value
    }

    fn key_and_secret(&self, world: &World) -> (String, String) {
        let id = self
            .tampers
            .iter()
            .rev()
            .find_map(|t| match t {
                Tamper::Key { id } => Some(id.clone()),
                _ => None,
            })
            .unwrap_or_else(|| self.key.clone());
        let secret = if self.tampers.contains(&Tamper::WrongSecret) {
            WRONG_SECRET.to_owned()
        } else {
            world.access_key(&id).map_or_else(|| INVENTED_SECRET.to_owned(), |(_, k)| k.secret.expose().to_owned())
        };
        (id, secret)
    }

    /// Builds the requests at server time `now`, for `host`, with `nonce`.
    pub fn build(&self, world: &World, now: Timestamp, host: &str, nonce: &str) -> Built {
        let mut wait = 0;
        let warmup = self.tampers.iter().find_map(|t| {
            // A request that authenticates (or, to fail, carries a bad signature) and
            // changes nothing: an image that does not exist.
            let failing = match t {
                Tamper::ReuseNonce => false,
                Tamper::ReuseAgedNonce { seconds } => {
                    wait = *seconds;
                    false
                }
                Tamper::ReuseFailedNonce => true,
                _ => return None,
            };
            let mut plain =
                Case { signing: self.signing, key: self.key.clone(), params: self.params.clone(), tampers: Vec::new() };
            plain.params.retain(|(n, _)| n != "ImageId");
            plain.params.push(("ImageId".into(), Value::text("m-warmup0000000000000")));
            if failing {
                plain.tampers.push(Tamper::BadSignature);
            }
            Some(plain.build_one(world, now, host, nonce))
        });
        let request = self.build_one(world, now.plus(i64::from(wait)), host, nonce);
        Built { warmup, wait, request }
    }

    fn build_one(&self, world: &World, now: Timestamp, host: &str, nonce: &str) -> HttpRequest {
        let (key_id, secret) = self.key_and_secret(world);
        let business: Pairs = self.params.iter().map(|(n, v)| (n.clone(), v.0.clone())).collect();
        let mut timestamp = now.to_string();
        for t in &self.tampers {
            match t {
                Tamper::TimestampOffset { seconds } => timestamp = now.plus(*seconds).to_string(),
                Tamper::TimestampText { text } => timestamp = text.clone(),
                _ => {}
            }
        }
        let method = self.tampers.iter().rev().find_map(|t| match t {
            Tamper::Method { method } => Some(method.clone()),
            _ => None,
        });
        let signer = Signer {
            now,
            host,
            nonce,
            business: &business,
            key_id: &key_id,
            secret: &secret,
            timestamp: &timestamp,
            method,
        };
        let mut req = match self.signing {
            Signing::V3 => self.build_v3(signer),
            _ => self.build_v1(signer),
        };
        for t in &self.tampers {
            match t {
                Tamper::RawQuery { text } => {
                    req.target.push(if req.target.contains('?') { '&' } else { '?' });
                    req.target.push_str(text);
                }
                Tamper::Oversize if !signs_padding(self.signing) => {
                    if req.body.is_empty() {
                        req.set_header("content-type", crate::wire::client::FORM_CONTENT_TYPE);
                        req.body.extend_from_slice(b"Padding=");
                    } else {
                        req.body.extend_from_slice(b"&Padding=");
                    }
                    req.body.resize(req.body.len() + crate::oracle::MAX_BODY, b'x');
                }
                _ => {}
            }
        }
        req
    }

    fn build_v1(
        &self,
        Signer { now, host, nonce, business, key_id, secret, timestamp, method }: Signer<'_>,
    ) -> HttpRequest {
        let mut draft = V1Draft::new(self.signing, host, key_id, now, nonce, business);
        set(&mut draft.params, "Timestamp", timestamp.as_bytes());
        if let Some(m) = method {
            draft.method = m;
        }
        let mut omit_signature = false;
        for t in &self.tampers {
            match t {
                Tamper::Omit { name } if name == "Signature" => omit_signature = true,
                Tamper::Omit { name } => draft.params.retain(|(n, _)| n != name),
                Tamper::Set { name, value } => set(&mut draft.params, name, &value.0),
                Tamper::Duplicate { name, value } => draft.params.push((name.clone(), value.0.clone())),
                Tamper::Oversize if draft.in_body => draft.params.push(padding()),
                _ => {}
            }
        }
        let mut signature = draft.signature(secret);
        if self.tampers.contains(&Tamper::BadSignature) {
            signature = corrupt_base64(&signature);
        }
        draft.into_request((!omit_signature).then_some(signature.as_str()))
    }

    fn build_v3(
        &self,
        Signer { now, host, nonce, business, key_id, secret, timestamp, method }: Signer<'_>,
    ) -> HttpRequest {
        let mut draft = V3Draft::new(host, now, nonce, business);
        draft.set_header(crate::rules::protocol::v3_header("Timestamp").unwrap_or_default(), timestamp);
        if let Some(m) = method {
            draft.method = m;
        }
        let header_of = crate::rules::protocol::v3_header;
        let mut omit_auth = false;
        let mut omit_content_sha = false;
        for t in &self.tampers {
            match t {
                Tamper::Omit { name } if crate::rules::protocol::V3_AUTHORIZATION.contains(&name.as_str()) => {
                    omit_auth = true
                }
                Tamper::Omit { name } if name == crate::rules::protocol::V3_CONTENT_HASH => omit_content_sha = true,
                Tamper::Omit { name } => match header_of(name) {
                    Some(h) => draft.headers.retain(|(n, _)| n != h),
                    None => draft.query.retain(|(n, _)| n != name),
                },
                Tamper::Set { name, value } => match header_of(name) {
                    Some(h) => draft.set_header(h, &String::from_utf8_lossy(&value.0)),
                    None => set(&mut draft.query, name, &value.0),
                },
                Tamper::Duplicate { name, value } => draft.query.push((name.clone(), value.0.clone())),
                Tamper::Oversize => draft.form.push(padding()),
                _ => {}
            }
        }
        draft.seal_body();
        if omit_content_sha {
            draft.headers.retain(|(n, _)| n != crate::rules::protocol::V3_CONTENT_HASH);
        }
        let mut signed = draft.header_names();
        for t in &self.tampers {
            if let Tamper::UnsignedHeader { name } = t {
                signed.retain(|h| h != name);
            }
        }
        let mut auth = draft.authorization(key_id, secret, signed);
        if self.tampers.contains(&Tamper::BadSignature) {
            auth = corrupt_hex_tail(&auth);
        }
        draft.into_request((!omit_auth).then_some(auth))
    }
}

/// What both signing styles build a request from.
struct Signer<'a> {
    now: Timestamp,
    host: &'a str,
    nonce: &'a str,
    business: &'a Pairs,
    key_id: &'a str,
    secret: &'a str,
    timestamp: &'a str,
    method: Option<String>,
}

/// Whether a signing mode carries [`Tamper::Oversize`]'s padding as a signed parameter.
pub fn signs_padding(signing: Signing) -> bool {
    matches!(signing, Signing::V1PostForm | Signing::V3)
}

/// The `Padding` parameter of [`Tamper::Oversize`]: the body passes the limit by its
/// value alone.
fn padding() -> (String, Vec<u8>) {
    ("Padding".to_owned(), vec![b'x'; crate::oracle::MAX_BODY])
}

fn set(params: &mut Pairs, name: &str, value: &[u8]) {
    match params.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = value.to_vec(),
        None => params.push((name.to_owned(), value.to_vec())),
    }
}

/// Changes the first character of a Base64 signature to another Base64 character.
fn corrupt_base64(sig: &str) -> String {
    let mut chars: Vec<char> = sig.chars().collect();
    if let Some(c) = chars.first_mut() {
        *c = if *c == 'A' { 'B' } else { 'A' };
    } else {
        chars.push('A');
    }
    chars.into_iter().collect()
}

/// Changes the last hex digit of an `Authorization` value's signature.
fn corrupt_hex_tail(auth: &str) -> String {
    let mut s = auth.to_owned();
    match s.pop() {
        Some('0') => s.push('1'),
        Some(_) => s.push('0'),
        None => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::{self, NonceLog, Outcome, Scene};

    fn world() -> World {
        World::default_fixture()
    }

    fn valid() -> [(&'static str, &'static str); 3] {
        [("RegionId", "cn-qingdao"), ("ImageId", "m-available00000000001"), ("DestinationRegionId", "cn-hangzhou")]
    }

    fn pick(case: &Case) -> Outcome {
        let w = world();
        let now = Timestamp(1_700_000_000);
        let built = case.build(&w, now, "ecs.aliyuncs.com", "nonce-0001");
        let mut nonces = NonceLog::new();
        if let Some(warm) = &built.warmup {
            let p = oracle::predict(&Scene { world: &w, nonces: &nonces, now }, warm);
            oracle::remember_nonce(
                &mut nonces,
                &p,
                p.pick().into(),
                now,
                oracle::Recorder::emulator(&oracle::Readings::emulator()),
            );
        }
        oracle::predict(&Scene { world: &w, nonces: &nonces, now }, &built.request).pick().clone()
    }

    fn code(o: &Outcome) -> &str {
        match o {
            Outcome::Success(_) => "Success",
            Outcome::Error(e) => e.code,
            Outcome::Refusal { .. } => "any 4xx",
        }
    }

    #[test]
    fn every_signing_mode_builds_a_valid_request() {
        for s in Signing::ALL {
            assert_eq!(code(&pick(&Case::new(s, &valid()))), "Success", "{s}");
        }
    }

    #[test]
    fn tampers_break_what_they_say() {
        let cases: Vec<(Tamper, &str)> = vec![
            (Tamper::BadSignature, "SignatureDoesNotMatch"),
            (Tamper::WrongSecret, "SignatureDoesNotMatch"),
            (Tamper::TimestampOffset { seconds: -3600 }, "InvalidTimeStamp.Expired"),
            (Tamper::TimestampText { text: "yesterday".into() }, "IllegalTimestamp"),
            (Tamper::ReuseNonce, "SignatureNonceUsed"),
            (Tamper::ReuseFailedNonce, "Success"),
            (Tamper::Key { id: "nobody".into() }, "InvalidAccessKeyId.NotFound"),
            (Tamper::Method { method: "PUT".into() }, "UnsupportedHTTPMethod"),
            (Tamper::Omit { name: "ImageId".into() }, "MissingParameter"),
            (Tamper::Omit { name: "Signature".into() }, "MissingParameter"),
            (Tamper::Set { name: "Version".into(), value: Value::text("2016-11-11") }, "InvalidVersion"),
            (Tamper::Duplicate { name: "ImageId".into(), value: Value::text("m-x") }, "InvalidParameter"),
            (Tamper::RawQuery { text: "%FF=1".into() }, "InvalidParameter"),
            (Tamper::Oversize, "InvalidParameter"),
        ];
        for s in Signing::ALL {
            for (t, want) in &cases {
                if s == Signing::V1Get && *t == Tamper::Oversize {
                    continue; // a GET body is no parameter
                }
                let got = pick(&Case::new(s, &valid()).with(t.clone()));
                assert_eq!(code(&got), *want, "{s} {t:?}");
            }
        }
        let v3 = Case::new(Signing::V3, &valid()).with(Tamper::UnsignedHeader { name: "x-acs-date".into() });
        assert_eq!(code(&pick(&v3)), "IncompleteSignature");
    }

    #[test]
    fn values_serialize_compactly_and_round_trip() {
        for v in [Value::text("abc"), Value::text(&"a".repeat(129)), Value(vec![0xff, 0x00])] {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<Value>(&json).unwrap(), v, "{json}");
        }
        assert_eq!(serde_json::to_string(&Value::text(&"a".repeat(129))).unwrap(), r#"{"repeat":"a","times":129}"#);
    }
}

/// One step of a replayable sequence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum ReplayStep {
    /// Build and send a case.
    Send {
        /// The case.
        case: Case,
    },
    /// Advance the target's clock.
    Advance {
        /// Seconds.
        seconds: u32,
    },
    /// Compare the target's world with the model.
    Check,
}

/// What a fixture case expects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Expect {
    /// A success (`"success"`).
    Success(SuccessWord),
    /// An error reply.
    Error {
        /// `Code`.
        code: String,
        /// HTTP status.
        status: u16,
    },
}

/// The word `success`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SuccessWord {
    /// `success`.
    Success,
}

/// A fixture under `fixtures/cases/`: one behaviour, the rule it exercises, and the
/// emulator's documented answer in the default world.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// The rule exercised.
    pub rule: crate::rules::RuleId,
    /// One line on the behaviour.
    pub about: String,
    /// The case, in the default world.
    pub case: Case,
    /// The answer.
    pub expect: Expect,
}
