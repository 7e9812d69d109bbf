//! The gateway layer: what every RPC call must satisfy before CopyImage sees it.
//!
//! Owns the checks of protocol.md §2 to §5 for both signature styles: `Action` and
//! `Version`, required parameters, the signature (V1 HMAC-SHA1 or V3
//! ACS3-HMAC-SHA256, recomputed over the request exactly as received), the timestamp
//! window, nonce reuse, unknown and disabled access keys, parameters the seed does not
//! list and values that are not UTF-8. It finds the calling account for the API layer.

use std::borrow::Cow;

use super::nonce::{Perhaps, Recall};
use super::open::Readings;
use super::read::{Mode, Params, Reading};
use super::{ErrorOutcome, OpenPoint, Scene, Violation};
use crate::model::time::TimestampText;
use crate::model::{Account, Format, HttpRequest, Timestamp};
use crate::rules::protocol::{
    Action, SIGNATURE_METHOD, SIGNATURE_VERSION, V1_COMMON_PARAMETERS, V3_CONTENT_HASH, VERSION, v3_header,
};
use crate::rules::{Doc, RuleId};
use crate::wire::{v1, v3};

/// What the gateway found.
pub(super) struct Gate<'w> {
    /// The action the request names; CopyImage when it names none the suite knows
    /// (its other rules are then read as CopyImage's, and `gateway.action` answers).
    pub action: Action,
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

/// What the gateway reads a request with: the scene, the request, how it was read.
pub(super) struct Input<'a, 'w> {
    pub scene: &'a Scene<'w>,
    pub req: &'a HttpRequest,
    pub reading: &'a Reading,
    pub params: &'a Params,
    pub mode: Mode,
    pub readings: &'a Readings,
}

pub(super) fn check<'w>(input: &Input<'_, 'w>) -> Gate<'w> {
    let Input { scene, req, reading, params, readings, .. } = *input;
    let mut v: Vec<Violation> = Vec::new();
    let slot = |name: &'static str| Slot { name, value: params.get(name) };
    // A common parameter as a V1 parameter, or as the V3 header that carries it.
    let header = |param: &'static str| {
        let name = v3_header(param).unwrap_or(param);
        Slot { name, value: req.header(name).map(str::as_bytes) }
    };

    let (action, version, key_id, timestamp, nonce) = if reading.v3 {
        (
            header("Action"),
            header("Version"),
            Slot { name: "Credential", value: None },
            header("Timestamp"),
            header("SignatureNonce"),
        )
    } else {
        (slot("Action"), slot("Version"), slot("AccessKeyId"), slot("Timestamp"), slot("SignatureNonce"))
    };

    // Action and Version.
    let mut named = Action::CopyImage;
    if let Some(a) = present(&mut v, readings, action, || ErrorOutcome::all_of(RuleId::Action, None)) {
        match Action::from_value(a) {
            Some(a) => named = a,
            None => v.push(Violation::certain(RuleId::Action, None)),
        }
    }
    if let Some(ver) = present(&mut v, readings, version, || ErrorOutcome::all_of(RuleId::Version, None)) {
        if ver != VERSION.as_bytes() {
            v.push(Violation::certain(RuleId::Version, None).answering(readings));
        }
    }

    // Timestamp.
    let ts_errors = || ErrorOutcome::all_of(RuleId::TimestampFormat, None);
    if let Some(text) = present(&mut v, readings, timestamp, ts_errors).and(timestamp.text()) {
        check_timestamp(&mut v, &text, scene.now, readings);
    }

    // Nonce.
    let nonce_alternatives = || ErrorOutcome::all_of(RuleId::IncompleteSignature, None);
    let nonce_value = present(&mut v, readings, nonce, nonce_alternatives).map(<[u8]>::to_vec);
    if let Some(n) = &nonce_value {
        match scene.nonces.recall(n, scene.now) {
            Recall::Used => v.push(Violation::certain(RuleId::NonceUsed, None)),
            Recall::Perhaps(why) => {
                let refuses = match why {
                    Perhaps::Unauthenticated { within_window } => {
                        within_window && readings.is(OpenPoint::NonceMemory, "failed-too")
                    }
                    Perhaps::Aged => readings.is(OpenPoint::NonceMemory, "1200-seconds"),
                };
                v.push(Violation::open(RuleId::NonceUsed, OpenPoint::NonceMemory, refuses, None));
            }
            Recall::Fresh => {}
        }
    }

    // Credentials and signature.
    let caller = if reading.v3 { check_v3(&mut v, input) } else { check_v1(&mut v, input, key_id) };

    // The action's required parameters.
    if named != Action::CopyImage {
        for name in named.required() {
            let rule = required_rule(named, name);
            present(&mut v, readings, slot(name), || ErrorOutcome::all_of(rule, None));
        }
    } else {
        copy_required(&mut v, readings, &slot, scene.doc);
    }

    // Parameters the action's page does not list, values that are no text, and the format.
    let known = |n: &str| {
        named.knows(n)
            || (named == Action::CopyImage && scene.doc.copy_knows(n))
            || n == "Format"
            || (!reading.v3 && V1_COMMON_PARAMETERS.contains(&n))
    };
    let unknown: Vec<&str> = params.0.iter().map(|(n, _)| n.as_str()).filter(|n| !known(n)).collect();
    if !unknown.is_empty() {
        let refuses = readings.is(OpenPoint::UnknownParameter, "refuse");
        v.push(Violation::open(
            RuleId::UnknownParameter,
            OpenPoint::UnknownParameter,
            refuses,
            Some(&unknown.join(", ")),
        ));
    }
    let not_text: Vec<&str> =
        params.0.iter().filter(|(_, val)| std::str::from_utf8(val).is_err()).map(|(n, _)| n.as_str()).collect();
    if !not_text.is_empty() {
        // Refused, judged with U+FFFD, or replaced before the string to sign is made
        // (and so not matched).
        let detail = not_text.join(", ");
        let refuses = !readings.is(OpenPoint::NonUtf8, "replaced");
        let answer = usize::from(readings.is(OpenPoint::NonUtf8, "replaced-before-signing"));
        v.push(
            Violation::open(RuleId::Utf8, OpenPoint::NonUtf8, refuses, Some(&detail))
                .or(OpenPoint::NonUtf8, ErrorOutcome::all_of(RuleId::Signature, None))
                .choosing(answer),
        );
    }
    if let Some(f) = params.get("Format") {
        if Format::from_param(f).is_none() {
            let refuses = readings.is(OpenPoint::FormatValue, "refuse");
            v.push(Violation::open(RuleId::FormatValue, OpenPoint::FormatValue, refuses, None));
        }
    }

    Gate { action: named, violations: v, caller, nonce: nonce_value }
}

/// CopyImage's required parameters (the seed's Required: Yes rows); an absent
/// destination is answered as point `destination-region-missing` says, and under a
/// profile where it is optional ([`Doc::destination_required`]) may also succeed.
fn copy_required<'a>(v: &mut Vec<Violation>, readings: &Readings, slot: &impl Fn(&'static str) -> Slot<'a>, doc: Doc) {
    for (name, rule) in [("RegionId", RuleId::SourceRegion), ("ImageId", RuleId::ImageExists)] {
        present(v, readings, slot(name), || ErrorOutcome::all_of(rule, None));
    }
    let dest = slot("DestinationRegionId");
    if dest.value.is_none() {
        let mut alternatives = ErrorOutcome::all_of(RuleId::SameRegion, None);
        alternatives.extend(ErrorOutcome::all_of(RuleId::DestinationRegion, None));
        let mut missing = Violation::certain(RuleId::MissingParameter, Some(dest.name))
            .or(OpenPoint::DestinationOptional, alternatives)
            .choosing(readings.index(OpenPoint::DestinationOptional));
        // The newest page makes it optional: a copy that stays in the source region is
        // acceptable too (`api::check` plans it); the emulator still refuses.
        missing.certain = doc.destination_required();
        v.push(missing);
    } else {
        let natural = || {
            let mut errors = ErrorOutcome::all_of(RuleId::DestinationRegion, None);
            errors.extend(ErrorOutcome::all_of(RuleId::SameRegion, None));
            errors
        };
        present(v, readings, dest, natural);
    }
}

/// The rule whose errors an empty required parameter of a companion call may also
/// get (point `empty-required`): its region or image rule.
fn required_rule(action: Action, name: &str) -> RuleId {
    match (action, name) {
        (Action::DescribeImages, _) => RuleId::DescribeRegion,
        (Action::CancelCopyImage, "RegionId") => RuleId::CancelRegion,
        (Action::CancelCopyImage, _) => RuleId::CancelImage,
        (Action::DeleteImage, "RegionId") => RuleId::DeleteRegion,
        (Action::DeleteImage, _) => RuleId::DeleteImageExists,
        // CopyImage's are its own (`copy_required`); DescribeRegions requires none.
        (Action::CopyImage | Action::DescribeRegions, _) => RuleId::MissingParameter,
    }
}

/// Records a missing or empty required value; returns it when it is present and not
/// empty. `natural` makes the errors of the value being wrong, accepted for an empty
/// one (made only then: most values are present).
fn present<'a>(
    v: &mut Vec<Violation>,
    readings: &Readings,
    slot: Slot<'a>,
    natural: impl FnOnce() -> Vec<ErrorOutcome>,
) -> Option<&'a [u8]> {
    match slot.value {
        None => {
            let missing = Violation::certain(RuleId::MissingParameter, Some(slot.name));
            v.push(if signature_part(slot.name) {
                missing
                    .or(OpenPoint::MissingSignatureParameter, ErrorOutcome::all_of(RuleId::IncompleteSignature, None))
                    .choosing(readings.index(OpenPoint::MissingSignatureParameter))
            } else {
                missing
            });
            None
        }
        Some([]) => {
            let answer = usize::from(readings.is(OpenPoint::EmptyRequired, "value-error"));
            v.push(
                Violation::certain(RuleId::MissingParameter, Some(slot.name))
                    .or(OpenPoint::EmptyRequired, natural())
                    .choosing(answer),
            );
            None
        }
        Some(value) => Some(value),
    }
}

fn signature_part(name: &str) -> bool {
    name == V3_CONTENT_HASH || matches!(name, "Signature" | "SignatureMethod" | "SignatureVersion")
}

/// The timestamp window: within [`WINDOW_CERTAIN`] seconds a timestamp is valid, beyond
/// [`WINDOW_OPEN`] it is expired, in between it is open (point `timestamp-window`,
/// "about ±15 minutes"); the emulator refuses beyond [`WINDOW_EMULATOR`].
pub const WINDOW_CERTAIN: u64 = 840;
/// See [`WINDOW_CERTAIN`].
pub const WINDOW_OPEN: u64 = 960;
/// See [`WINDOW_CERTAIN`].
pub const WINDOW_EMULATOR: u64 = 900;

fn check_timestamp(v: &mut Vec<Violation>, text: &str, now: Timestamp, readings: &Readings) {
    let at = match Timestamp::classify(text) {
        TimestampText::Malformed => {
            v.push(Violation::certain(RuleId::TimestampFormat, Some(text)).answering(readings));
            return;
        }
        TimestampText::OtherRfc3339(t) => {
            let refuses = readings.is(OpenPoint::TimestampForm, "documented-only");
            v.push(
                Violation::open(RuleId::TimestampFormat, OpenPoint::TimestampForm, refuses, Some(text))
                    .choosing(readings.index(OpenPoint::TimestampCode)),
            );
            t
        }
        TimestampText::Documented(t) => t,
    };
    let skew = now.0.abs_diff(at.0);
    if skew > WINDOW_OPEN {
        v.push(Violation::certain(RuleId::TimestampExpired, None));
    } else if skew > WINDOW_CERTAIN {
        let edge = match readings.id(OpenPoint::TimestampWindow) {
            "840-seconds" => WINDOW_CERTAIN,
            "960-seconds" => WINDOW_OPEN,
            _ => WINDOW_EMULATOR,
        };
        v.push(Violation::open(RuleId::TimestampExpired, OpenPoint::TimestampWindow, skew > edge, None));
    }
}

/// Looks the key up; records unknown and disabled keys.
fn lookup<'w>(v: &mut Vec<Violation>, scene: &Scene<'w>, readings: &Readings, key_id: &str) -> Option<&'w Account> {
    match scene.world.access_key(key_id) {
        None => {
            v.push(Violation::certain(RuleId::AccessKeyUnknown, None).answering(readings));
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

fn check_v1<'w>(v: &mut Vec<Violation>, input: &Input<'_, 'w>, key_slot: Slot<'_>) -> Option<&'w Account> {
    let Input { scene, req, reading, params, mode, readings } = *input;
    let slot = |name: &'static str| Slot { name, value: params.get(name) };
    let algorithm_errors = || ErrorOutcome::all_of(RuleId::IncompleteSignature, None);
    let method = present(v, readings, slot("SignatureMethod"), algorithm_errors);
    let sig_version = present(v, readings, slot("SignatureVersion"), algorithm_errors);
    let mut verifiable = true;
    for (value, want) in [(method, SIGNATURE_METHOD), (sig_version, SIGNATURE_VERSION)] {
        match value {
            Some(x) if x != want.as_bytes() => {
                // Another algorithm: refused as such, or verified with it (and so not
                // matched: the client signed with HMAC-SHA1).
                v.push(
                    Violation::certain(RuleId::IncompleteSignature, None)
                        .or(OpenPoint::SignatureAlgorithm, ErrorOutcome::all_of(RuleId::Signature, None))
                        .choosing(readings.index(OpenPoint::SignatureAlgorithm)),
                );
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
    let signature = present(v, readings, slot("Signature"), sig_natural);
    let key_id = present(v, readings, key_slot, || ErrorOutcome::all_of(RuleId::AccessKeyUnknown, None))?;
    let key_id = String::from_utf8_lossy(key_id);
    let account = lookup(v, scene, readings, &key_id)?;
    if let (true, Some(given)) = (verifiable, signature) {
        let secret = scene.world.access_key(&key_id).map(|(_, k)| k.secret.expose()).unwrap_or_default();
        let pairs = reading.signed_pairs(mode);
        let sts = v1::string_to_sign(&req.method, &v1::canonical_query_in(&pairs, mode.order));
        if v1::signature(secret, &sts).as_bytes() != given {
            v.push(Violation::certain(RuleId::Signature, Some(&sts)));
        }
    }
    Some(account)
}

fn check_v3<'w>(v: &mut Vec<Violation>, input: &Input<'_, 'w>) -> Option<&'w Account> {
    let Input { scene, req, reading, mode, readings, .. } = *input;
    if req.header(V3_CONTENT_HASH).is_none() {
        // Refused as missing, or verified with the body's own hash (point
        // `v3-content-hash`); the code is that of a missing signature part.
        let refuses = readings.is(OpenPoint::V3ContentHash, "required");
        v.push(
            Violation::open(RuleId::MissingParameter, OpenPoint::V3ContentHash, refuses, Some(V3_CONTENT_HASH))
                .or(OpenPoint::V3ContentHash, ErrorOutcome::all_of(RuleId::IncompleteSignature, None))
                .choosing(readings.index(OpenPoint::MissingSignatureParameter)),
        );
    } else {
        let content_sha = Slot { name: V3_CONTENT_HASH, value: req.header(V3_CONTENT_HASH).map(str::as_bytes) };
        present(v, readings, content_sha, || ErrorOutcome::all_of(RuleId::IncompleteSignature, None));
    }
    let Some(auth) = req.header("authorization").and_then(v3::Authorization::parse) else {
        // An unreadable header has no algorithm to verify with.
        let answer = readings.index(OpenPoint::SignatureAlgorithm).min(1);
        v.push(Violation::certain(RuleId::IncompleteSignature, None).choosing(answer));
        return None;
    };
    let account = lookup(v, scene, readings, &auth.key_id)?;
    // Headers that must be signed: host and every x-acs-* header sent.
    let unsigned: Vec<&str> = req
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| *n == "host" || n.starts_with("x-acs-"))
        .filter(|n| !auth.signed_headers.iter().any(|s| s == n))
        .collect();
    if !unsigned.is_empty() {
        let refuses = !readings.is(OpenPoint::V3UnsignedHeader, "accept");
        v.push(
            Violation::open(
                RuleId::IncompleteSignature,
                OpenPoint::V3UnsignedHeader,
                refuses,
                Some(&unsigned.join(", ")),
            )
            .or(OpenPoint::V3UnsignedHeader, ErrorOutcome::all_of(RuleId::Signature, None))
            .choosing(readings.index(OpenPoint::V3UnsignedHeader)),
        );
    }
    let secret = scene.world.access_key(&auth.key_id).map(|(_, k)| k.secret.expose()).unwrap_or_default();
    let body_sha256 = v3::sha256_hex(&req.body);
    let query = reading.signed_pairs(mode);
    let canonical = v3::canonical_request(&v3::CanonicalInput {
        method: &req.method,
        path: req.path(),
        query: &query,
        headers: &req.headers,
        signed_headers: &auth.signed_headers,
        body_sha256: &body_sha256,
        order: mode.order,
    });
    let sts = v3::string_to_sign(&canonical);
    if !v3::signature(secret, &sts).eq_ignore_ascii_case(&auth.signature) {
        v.push(Violation::certain(RuleId::Signature, Some(&sts)));
    }
    Some(account)
}
