//! The gateway layer: what every RPC call must satisfy before CopyImage sees it.
//!
//! Owns the checks of protocol.md §2 to §5 for both signature styles: `Action` and
//! `Version`, required parameters, the signature (V1 HMAC-SHA1 or V3
//! ACS3-HMAC-SHA256, recomputed over the request exactly as received), the timestamp
//! window, nonce reuse, unknown and disabled access keys, parameters the seed does not
//! list and values that are not UTF-8. It finds the calling account for the API layer.

use std::borrow::Cow;

use super::nonce::Seen;
use super::read::{Params, Reading};
use super::{ErrorOutcome, OpenPoint, Scene, Violation};
use crate::model::time::TimestampText;
use crate::model::{Account, HttpRequest, Timestamp};
use crate::rules::RuleId;
use crate::wire::{v1, v3};

/// The only action served.
pub const ACTION: &str = "CopyImage";
/// The only version served.
pub const VERSION: &str = "2014-05-26";
/// The only V1 signature method.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
/// The only V1 signature version.
pub const SIGNATURE_VERSION: &str = "1.0";

/// CopyImage's own parameters (seed, "Request parameters").
pub const BUSINESS_PARAMETERS: [&str; 5] =
    ["RegionId", "ImageId", "DestinationRegionId", "DestinationImageName", "DestinationDescription"];
/// Common parameters of a V1 request (protocol.md §2), `Format` and `SignatureType`
/// included.
pub const V1_COMMON_PARAMETERS: [&str; 11] = [
    "Action",
    "Version",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "Format",
    "SignatureType",
    "SecurityToken",
];

/// What the gateway found.
pub(super) struct Gate<'w> {
    pub violations: Vec<Violation>,
    pub caller: Option<&'w Account>,
    pub nonce: Option<Vec<u8>>,
}

/// A common value as sent: by a V1 parameter or a V3 header.
#[derive(Clone, Copy)]
struct Slot<'a> {
    /// The parameter or header name, for messages.
    name: &'a str,
    value: Option<&'a [u8]>,
}

impl<'a> Slot<'a> {
    fn text(&self) -> Option<Cow<'a, str>> {
        self.value.map(String::from_utf8_lossy)
    }
}

pub(super) fn check<'w>(scene: &Scene<'w>, req: &HttpRequest, reading: &Reading, params: &Params) -> Gate<'w> {
    let mut v: Vec<Violation> = Vec::new();
    let slot = |name: &'static str| Slot { name, value: params.get(name) };
    let header = |name: &'static str| Slot { name, value: req.header(name).map(str::as_bytes) };

    let (action, version, key_id, timestamp, nonce) = if reading.v3 {
        (
            header("x-acs-action"),
            header("x-acs-version"),
            Slot { name: "Credential", value: None },
            header("x-acs-date"),
            header("x-acs-signature-nonce"),
        )
    } else {
        (slot("Action"), slot("Version"), slot("AccessKeyId"), slot("Timestamp"), slot("SignatureNonce"))
    };

    // Action and Version.
    if let Some(a) = present(&mut v, action, || ErrorOutcome::all_of(RuleId::Action, None)) {
        if a != ACTION.as_bytes() {
            v.push(Violation::certain(RuleId::Action, None));
        }
    }
    if let Some(ver) = present(&mut v, version, || ErrorOutcome::all_of(RuleId::Version, None)) {
        if ver != VERSION.as_bytes() {
            v.push(Violation::certain(RuleId::Version, None));
        }
    }

    // Timestamp.
    let ts_errors = || ErrorOutcome::all_of(RuleId::TimestampFormat, None);
    if let Some(text) = present(&mut v, timestamp, ts_errors).and(timestamp.text()) {
        check_timestamp(&mut v, &text, scene.now);
    }

    // Nonce.
    let nonce_alternatives = || ErrorOutcome::all_of(RuleId::IncompleteSignature, None);
    let nonce_value = present(&mut v, nonce, nonce_alternatives).map(<[u8]>::to_vec);
    if let Some(n) = &nonce_value {
        match scene.nonces.seen(n, scene.now) {
            Seen::Used => v.push(Violation::certain(RuleId::NonceUsed, None)),
            Seen::Perhaps => v.push(Violation::open(RuleId::NonceUsed, OpenPoint::NonceMemory, false, None)),
            Seen::Fresh => {}
        }
    }

    // Credentials and signature.
    let caller = if reading.v3 {
        check_v3(&mut v, scene, req, reading)
    } else {
        check_v1(&mut v, scene, req, reading, params, key_id)
    };

    // CopyImage's required parameters.
    for (name, rule) in [("RegionId", RuleId::SourceRegion), ("ImageId", RuleId::ImageExists)] {
        present(&mut v, slot(name), || ErrorOutcome::all_of(rule, None));
    }
    let dest = slot("DestinationRegionId");
    if dest.value.is_none() {
        let mut alternatives = ErrorOutcome::all_of(RuleId::SameRegion, None);
        alternatives.extend(ErrorOutcome::all_of(RuleId::DestinationRegion, None));
        v.push(
            Violation::certain(RuleId::MissingParameter, Some(dest.name))
                .or(OpenPoint::DestinationOptional, alternatives),
        );
    } else {
        let natural = || {
            let mut errors = ErrorOutcome::all_of(RuleId::DestinationRegion, None);
            errors.extend(ErrorOutcome::all_of(RuleId::SameRegion, None));
            errors
        };
        present(&mut v, dest, natural);
    }

    // Parameters the seed does not list, and values that are no text.
    let known = |n: &str| {
        BUSINESS_PARAMETERS.contains(&n) || n == "Format" || (!reading.v3 && V1_COMMON_PARAMETERS.contains(&n))
    };
    let unknown: Vec<&str> = params.0.iter().map(|(n, _)| n.as_str()).filter(|n| !known(n)).collect();
    if !unknown.is_empty() {
        v.push(Violation::open(
            RuleId::UnknownParameter,
            OpenPoint::UnknownParameter,
            false,
            Some(&unknown.join(", ")),
        ));
    }
    let not_text: Vec<&str> =
        params.0.iter().filter(|(_, val)| std::str::from_utf8(val).is_err()).map(|(n, _)| n.as_str()).collect();
    if !not_text.is_empty() {
        v.push(Violation::open(RuleId::Utf8, OpenPoint::NonUtf8, true, Some(&not_text.join(", "))));
    }

    Gate { violations: v, caller, nonce: nonce_value }
}

/// Records a missing or empty required value; returns it when it is present and not
/// empty. `natural` makes the errors of the value being wrong, accepted for an empty
/// one (made only then: most values are present).
fn present<'a>(
    v: &mut Vec<Violation>,
    slot: Slot<'a>,
    natural: impl FnOnce() -> Vec<ErrorOutcome>,
) -> Option<&'a [u8]> {
    match slot.value {
        None => {
            let missing = Violation::certain(RuleId::MissingParameter, Some(slot.name));
            v.push(if signature_part(slot.name) {
                missing
                    .or(OpenPoint::MissingSignatureParameter, ErrorOutcome::all_of(RuleId::IncompleteSignature, None))
            } else {
                missing
            });
            None
        }
        Some([]) => {
            v.push(
                Violation::certain(RuleId::MissingParameter, Some(slot.name)).or(OpenPoint::EmptyRequired, natural()),
            );
            None
        }
        Some(value) => Some(value),
    }
}

fn signature_part(name: &str) -> bool {
    matches!(name, "Signature" | "SignatureMethod" | "SignatureVersion" | "x-acs-content-sha256")
}

fn check_timestamp(v: &mut Vec<Violation>, text: &str, now: Timestamp) {
    let at = match Timestamp::classify(text) {
        TimestampText::Malformed => {
            v.push(Violation::certain(RuleId::TimestampFormat, Some(text)));
            return;
        }
        TimestampText::OtherRfc3339(t) => {
            v.push(Violation::open(RuleId::TimestampFormat, OpenPoint::TimestampForm, false, Some(text)));
            t
        }
        TimestampText::Documented(t) => t,
    };
    let skew = now.0.abs_diff(at.0);
    if skew > 960 {
        v.push(Violation::certain(RuleId::TimestampExpired, None));
    } else if skew > 840 {
        v.push(Violation::open(RuleId::TimestampExpired, OpenPoint::TimestampWindow, skew > 900, None));
    }
}

/// Looks the key up; records unknown and disabled keys.
fn lookup<'w>(v: &mut Vec<Violation>, scene: &Scene<'w>, key_id: &str) -> Option<&'w Account> {
    match scene.world.access_key(key_id) {
        None => {
            v.push(Violation::certain(RuleId::AccessKeyUnknown, None));
            None
        }
        Some((account, key)) => {
            if !key.enabled {
                v.push(Violation::certain(RuleId::AccessKeyDisabled, None));
            }
            Some(account)
        }
    }
}

fn check_v1<'w>(
    v: &mut Vec<Violation>,
    scene: &Scene<'w>,
    req: &HttpRequest,
    reading: &Reading,
    params: &Params,
    key_slot: Slot<'_>,
) -> Option<&'w Account> {
    let slot = |name: &'static str| Slot { name, value: params.get(name) };
    let algorithm_errors = || ErrorOutcome::all_of(RuleId::IncompleteSignature, None);
    let method = present(v, slot("SignatureMethod"), algorithm_errors);
    let sig_version = present(v, slot("SignatureVersion"), algorithm_errors);
    let mut verifiable = true;
    for (value, want) in [(method, SIGNATURE_METHOD), (sig_version, SIGNATURE_VERSION)] {
        match value {
            Some(x) if x != want.as_bytes() => {
                v.push(Violation::certain(RuleId::IncompleteSignature, None));
                verifiable = false;
            }
            Some(_) => {}
            None => verifiable = false,
        }
    }
    let sig_natural = || {
        let mut errors = algorithm_errors();
        errors.extend(ErrorOutcome::all_of(RuleId::Signature, None));
        errors
    };
    let signature = present(v, slot("Signature"), sig_natural);
    let key_id = present(v, key_slot, || ErrorOutcome::all_of(RuleId::AccessKeyUnknown, None))?;
    let key_id = String::from_utf8_lossy(key_id);
    let account = lookup(v, scene, &key_id)?;
    if let (true, Some(given)) = (verifiable, signature) {
        let secret = scene.world.access_key(&key_id).map(|(_, k)| k.secret.expose()).unwrap_or_default();
        let pairs: Vec<&(Vec<u8>, Vec<u8>)> = reading.pairs().collect();
        let pairs: Vec<(&[u8], &[u8])> = pairs.iter().map(|(n, val)| (n.as_slice(), val.as_slice())).collect();
        let sts = v1::string_to_sign(&req.method, &v1::canonical_query(&pairs));
        if v1::signature(secret, &sts).as_bytes() != given {
            v.push(Violation::certain(RuleId::Signature, Some(&sts)));
        }
    }
    Some(account)
}

fn check_v3<'w>(
    v: &mut Vec<Violation>,
    scene: &Scene<'w>,
    req: &HttpRequest,
    reading: &Reading,
) -> Option<&'w Account> {
    let content_sha =
        Slot { name: "x-acs-content-sha256", value: req.header("x-acs-content-sha256").map(str::as_bytes) };
    present(v, content_sha, || ErrorOutcome::all_of(RuleId::IncompleteSignature, None));
    let Some(auth) = req.header("authorization").and_then(v3::Authorization::parse) else {
        v.push(Violation::certain(RuleId::IncompleteSignature, None));
        return None;
    };
    let account = lookup(v, scene, &auth.key_id)?;
    // Headers that must be signed: host and every x-acs-* header sent.
    let unsigned: Vec<&str> = req
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| *n == "host" || n.starts_with("x-acs-"))
        .filter(|n| !auth.signed_headers.iter().any(|s| s == n))
        .collect();
    if !unsigned.is_empty() {
        v.push(
            Violation::open(RuleId::IncompleteSignature, OpenPoint::V3UnsignedHeader, true, Some(&unsigned.join(", ")))
                .or(OpenPoint::V3UnsignedHeader, ErrorOutcome::all_of(RuleId::Signature, None)),
        );
    }
    let secret = scene.world.access_key(&auth.key_id).map(|(_, k)| k.secret.expose()).unwrap_or_default();
    let body_sha256 = v3::sha256_hex(&req.body);
    let canonical = v3::canonical_request(&v3::CanonicalInput {
        method: &req.method,
        path: req.path(),
        query: &reading.query,
        headers: &req.headers,
        signed_headers: &auth.signed_headers,
        body_sha256: &body_sha256,
    });
    let sts = v3::string_to_sign(&canonical);
    if !v3::signature(secret, &sts).eq_ignore_ascii_case(&auth.signature) {
        v.push(Violation::certain(RuleId::Signature, Some(&sts)));
    }
    Some(account)
}
