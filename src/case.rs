//! A test case as data: a valid base request and the deliberate changes made to it.
//!
//! Owns [`Case`] and [`Tamper`], the one description of a request that fixtures, the
//! generators, the harness and replay files share; [`ReplayStep`], a step of a saved
//! sequence; and [`CaseFile`], a fixture. A case holds no world: it names keys, never
//! secrets, and [`crate::wire::build`] turns it into the exact HTTP requests to send in
//! a world, taking secrets from it. Shrinking a case means dropping tampers and
//! simplifying values, which converges on a single broken rule.

use std::fmt;

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::rules::protocol::Action;
use crate::wire::sign::Signing;

/// A parameter value: text, text repeated, or raw bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ParamValue(pub Vec<u8>);

impl ParamValue {
    /// A text value.
    pub fn text(s: &str) -> ParamValue {
        ParamValue(s.as_bytes().to_vec())
    }
}

impl fmt::Debug for ParamValue {
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

impl Serialize for ParamValue {
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

impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(ParamValue(match ValueForm::deserialize(d)? {
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
        value: ParamValue,
    },
    /// Send a parameter a second time, signed.
    Duplicate {
        /// Parameter name.
        name: String,
        /// The second value.
        value: ParamValue,
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
    /// The call (`Action`); CopyImage when left out.
    #[serde(default, skip_serializing_if = "Action::is_copy")]
    pub action: Action,
    /// How the request is signed.
    pub signing: Signing,
    /// The AccessKeyId that signs it.
    #[serde(default = "default_key")]
    pub key: String,
    /// CopyImage's parameters (and `Format`), in sending order.
    pub params: Vec<(String, ParamValue)>,
    /// Deliberate changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tampers: Vec<Tamper>,
}

fn default_key() -> String {
    "testid".into()
}

impl Case {
    /// A case with these parameters and no tampers.
    pub fn new(signing: Signing, params: &[(&str, &str)]) -> Case {
        Case {
            action: Action::CopyImage,
            signing,
            key: default_key(),
            params: params.iter().map(|(n, v)| (n.to_string(), ParamValue::text(v))).collect(),
            tampers: Vec::new(),
        }
    }

    /// The same case for another call.
    pub fn for_action(mut self, action: Action) -> Case {
        self.action = action;
        self
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
}

/// A copy an earlier step of a sequence made, as a later step names it: a parameter
/// value `{copy:N}` is the n-th such copy's image (counting from 0, wrapping),
/// `{copy-region:N}` its region, `{source:N}` the image it copies and
/// `{source-region:N}` that image's region. The ids are the target's, known only once
/// it answered, so a sequence is saved with the placeholders and resolved as it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyRef {
    /// The new image.
    pub image: String,
    /// Its region.
    pub region: String,
    /// The image copied.
    pub source: String,
    /// The source's region.
    pub source_region: String,
}

impl CopyRef {
    /// The placeholder for the n-th copy's `field`: `copy`, `copy-region`, `source` or
    /// `source-region`.
    pub fn placeholder(field: &str, n: usize) -> ParamValue {
        ParamValue::text(&format!("{{{field}:{n}}}"))
    }

    fn field(&self, name: &str) -> Option<&str> {
        Some(match name {
            "copy" => &self.image,
            "copy-region" => &self.region,
            "source" => &self.source,
            "source-region" => &self.source_region,
            _ => return None,
        })
    }
}

impl Case {
    /// The case with its placeholders replaced by the copies made so far (itself,
    /// uncopied, when it has none); `None` when it names a copy and none was made (the
    /// step is skipped).
    pub fn resolved(&self, copies: &[CopyRef]) -> Option<std::borrow::Cow<'_, Case>> {
        if !self.params.iter().any(|(_, v)| placeholder_of(&v.0).is_some()) {
            return Some(std::borrow::Cow::Borrowed(self));
        }
        let mut case = self.clone();
        for (_, value) in &mut case.params {
            if let Some((field, n)) = placeholder_of(&value.0) {
                let copy = copies.get(n % copies.len().max(1))?;
                *value = ParamValue::text(copy.field(field)?);
            }
        }
        Some(std::borrow::Cow::Owned(case))
    }
}

/// A placeholder's field and index.
fn placeholder_of(value: &[u8]) -> Option<(&str, usize)> {
    let text = std::str::from_utf8(value).ok()?.strip_prefix('{')?.strip_suffix('}')?;
    let (field, n) = text.split_once(':')?;
    let n = n.parse().ok()?;
    COPY_FIELDS.contains(&field).then_some((field, n))
}

/// The fields a placeholder may name.
const COPY_FIELDS: [&str; 4] = ["copy", "copy-region", "source", "source-region"];

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
    /// The documentation profile the answer follows (absent: the seed's).
    #[serde(default, skip_serializing_if = "crate::rules::Doc::is_seed")]
    pub doc: crate::rules::Doc,
}

/// Why a fixture is not a case file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CaseFileError {
    /// Not JSON of the case-file form.
    #[error("not a case file: {0}")]
    Form(String),
    /// The expected error is not one its rule documents (test262's closed `negative`: a
    /// file may only expect what its rule's sentence allows).
    #[error("{rule} documents {documented}, not {status} {code}")]
    Undocumented {
        /// The file's rule.
        rule: crate::rules::RuleId,
        /// The Code expected.
        code: String,
        /// The status expected.
        status: u16,
        /// What the rule documents.
        documented: String,
    },
}

impl CaseFile {
    /// Reads a case file from its JSON and checks it ([`CaseFile::check`]).
    pub fn from_json(text: &str) -> Result<CaseFile, CaseFileError> {
        let file: CaseFile = serde_json::from_str(text).map_err(|e| CaseFileError::Form(e.to_string()))?;
        file.check()?;
        Ok(file)
    }

    /// Checks that its rule holds in its profile and that an expected error is one of
    /// the rule's documented errors there.
    pub fn check(&self) -> Result<(), CaseFileError> {
        if !self.rule.holds_in(self.doc) {
            return Err(CaseFileError::Form(format!("{} does not hold under profile {}", self.rule, self.doc)));
        }
        let Expect::Error { code, status } = &self.expect else { return Ok(()) };
        let errors = self.rule.errors_in(self.doc);
        if errors.iter().any(|e| e.code == code && e.status == *status) {
            return Ok(());
        }
        let documented: Vec<String> = errors.iter().map(|e| format!("{} {}", e.status, e.code)).collect();
        Err(CaseFileError::Undocumented {
            rule: self.rule,
            code: code.clone(),
            status: *status,
            documented: if documented.is_empty() { "no error".into() } else { documented.join(" or ") },
        })
    }
}
