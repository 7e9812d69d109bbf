//! The newest page's own CopyImage parameters (profile `2026-01`).
//!
//! Owns the checks of the parameters the seed does not have (copyimage-latest.md §2):
//! `Tag.N.Key`/`Tag.N.Value`, `Encrypted` and `DryRun` as booleans, `KMSKeyId` with
//! `Encrypted`, `EncryptAlgorithm` (documented as unavailable), `ClientToken`'s form and
//! its memory, `ResourceGroupId`, and whether an `Encrypted=true` copy may be made of
//! its source; and [`Newest::settle`], which turns a prediction's successes into a
//! dry run's `DryRunOperation` or an earlier copy's ImageId. The seed's rules, with the
//! newest page's replies, stay in [`super::api`] and [`super::profile`]. Under the
//! seed's profile nothing here is checked (the names are unknown parameters there).

use std::borrow::Cow;

use super::open::Readings;
use super::read::Params;
use super::text::{self, Finding};
use super::{CopyPlan, Effect, ErrorOutcome, OpenPoint, Outcome, Prediction, Scene, Violation};
use crate::model::{Account, World};
use crate::rules::newest::{
    CLIENT_TOKEN_MAX, NEWEST_PARAMETERS, TAG_FORBIDDEN, TAG_KEY_PREFIXES, TAG_TEXT_MAX, TAG_VALUE_PREFIXES, tag_index,
    tag_parameter,
};
use crate::rules::protocol::BUSINESS_PARAMETERS;
use crate::rules::{Doc, RuleId};

/// What the newest page's parameters make of a CopyImage request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Newest {
    /// The rules they break, certainly or perhaps.
    pub violations: Vec<Violation>,
    /// `Encrypted=true`.
    pub encrypted: bool,
    /// `DryRun=true`: check only.
    pub dry_run: bool,
    /// The token, and the request's parameters but it (sorted by name).
    pub token: Option<(String, Vec<(String, String)>)>,
    /// What the world remembers of the token.
    pub remembered: Remembered,
    /// Whether the server reads a used token as naming its copy whatever the
    /// parameters (point `client-token-reuse`, reading `token-only`).
    pub token_only: bool,
    /// The status the built-in emulator answers `DryRunOperation` with (point
    /// `dry-run-status`; any 4xx is accepted).
    pub dry_status: u16,
}

/// What the world remembers of a request's `ClientToken`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) enum Remembered {
    /// Nothing (or no token, or a world that is not exhaustive).
    #[default]
    Nothing,
    /// A copy made with the same parameters, whose image exists.
    Same(String),
    /// A copy made with other parameters, whose image exists.
    Other(String),
    /// A copy whose image is gone.
    Gone(String),
}

/// A boolean parameter's reading: `Some(true)`, `Some(false)`, or `None` for a value that
/// is neither (point `boolean-value`).
fn boolean(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A certain violation answered by any 4xx refusal too ([`RuleId::any_refusal`]).
fn refused(rule: RuleId, detail: Option<&str>) -> Violation {
    let mut v = Violation::certain(rule, detail);
    v.any_refusal = rule.any_refusal();
    v
}

/// An open one, likewise.
fn perhaps(rule: RuleId, point: OpenPoint, emulator_rejects: bool, detail: Option<&str>) -> Violation {
    let mut v = Violation::open(rule, point, emulator_rejects, detail);
    v.any_refusal = rule.any_refusal();
    v
}

/// Whether a tag text starts with one of `prefixes`: as written (`Broken`), in another
/// case only (point `tag-prefix-case`), or not.
fn prefixed(text: &str, prefixes: &[&str], readings: &Readings) -> Finding {
    if prefixes.iter().any(|p| text.starts_with(p)) {
        return Finding::Broken;
    }
    let lower = text.to_lowercase();
    if prefixes.iter().any(|p| lower.starts_with(p)) {
        let emulator_rejects = readings.is(OpenPoint::TagPrefixCase, "any-case");
        return Finding::Open { point: OpenPoint::TagPrefixCase, emulator_rejects };
    }
    Finding::Holds
}

/// The worst of several findings: broken, else open, else holding.
fn worst(findings: impl IntoIterator<Item = Finding>) -> Finding {
    let mut out = Finding::Holds;
    for f in findings {
        match (&out, &f) {
            (_, Finding::Broken) => return Finding::Broken,
            (Finding::Holds, Finding::Open { .. }) => out = f,
            _ => {}
        }
    }
    out
}

fn tag_text(text: &str, prefixes: &[&str], key: bool, readings: &Readings) -> Finding {
    let too_long = text::length(text, 0, TAG_TEXT_MAX, readings);
    let empty = if key && text.is_empty() { Finding::Broken } else { Finding::Holds };
    let url = if TAG_FORBIDDEN.iter().any(|u| text.contains(u)) { Finding::Broken } else { Finding::Holds };
    worst([empty, too_long, url, prefixed(text, prefixes, readings)])
}

/// The request's CopyImage parameters but `ClientToken`, sorted by name: what "the same
/// parameters" compares (the `Format` of the reply and the common parameters aside).
pub fn fingerprint(params: &Params) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = params
        .0
        .iter()
        .filter(|(n, _)| n != "ClientToken")
        .filter(|(n, _)| {
            BUSINESS_PARAMETERS.contains(&n.as_str())
                || NEWEST_PARAMETERS.contains(&n.as_str())
                || tag_parameter(n).is_some()
        })
        .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned()))
        .collect();
    out.sort();
    out
}

fn remembered(world: &World, caller: &Account, token: &str, request: &[(String, String)]) -> Remembered {
    let Some(used) = world.tokens.iter().rev().find(|t| t.account == caller.id && t.token == token) else {
        return Remembered::Nothing;
    };
    if world.image(&used.image).is_none() {
        Remembered::Gone(used.image.clone())
    } else if used.request == request {
        Remembered::Same(used.image.clone())
    } else {
        Remembered::Other(used.image.clone())
    }
}

/// The newest page's checks of a CopyImage request under `scene.doc` (none under the
/// seed). `source_encrypted`: whether the source image (if the world holds it) has
/// encrypted snapshots.
pub(super) fn check(
    scene: &Scene<'_>,
    caller: &Account,
    params: &Params,
    source_encrypted: Option<bool>,
    readings: &Readings,
) -> Newest {
    let mut out = Newest {
        token_only: readings.is(OpenPoint::ClientTokenReuse, "token-only"),
        dry_status: if readings.is(OpenPoint::DryRunStatus, "412") { 412 } else { 400 },
        ..Newest::default()
    };
    if scene.doc != Doc::January2026 {
        return out;
    }
    let v = &mut out.violations;
    let push = |v: &mut Vec<Violation>, rule: RuleId, finding: Finding, detail: Option<&str>| match finding {
        Finding::Holds => {}
        Finding::Broken => v.push(refused(rule, detail)),
        Finding::Open { point, emulator_rejects } => v.push(perhaps(rule, point, emulator_rejects, detail)),
    };

    // Tags.
    for (name, value) in &params.0 {
        let Some((n, key)) = tag_parameter(name) else { continue };
        if tag_index(n).is_none() {
            let refuses = readings.is(OpenPoint::TagIndex, "refuse");
            v.push(perhaps(RuleId::TagIndex, OpenPoint::TagIndex, refuses, Some(name)));
            continue;
        }
        let text = String::from_utf8_lossy(value);
        if key {
            push(v, RuleId::TagKey, tag_text(&text, &TAG_KEY_PREFIXES, true, readings), Some(name));
        } else {
            push(v, RuleId::TagValue, tag_text(&text, &TAG_VALUE_PREFIXES, false, readings), Some(name));
        }
    }

    // Booleans.
    let flag = |v: &mut Vec<Violation>, name: &str| -> bool {
        let Some(text) = params.text(name) else { return false };
        match boolean(&text) {
            Some(b) => b,
            None => {
                let refuses = readings.is(OpenPoint::BooleanValue, "refuse");
                v.push(perhaps(RuleId::BooleanValue, OpenPoint::BooleanValue, refuses, Some(name)));
                false
            }
        }
    };
    out.encrypted = flag(v, "Encrypted");
    out.dry_run = flag(v, "DryRun");
    let present = |name: &str| params.get(name).is_some_and(|x| !x.is_empty());

    // Encryption.
    if present("KMSKeyId") {
        if out.encrypted {
            let refuses = readings.is(OpenPoint::KmsKeys, "no-key");
            v.push(Violation::open(RuleId::KmsKey, OpenPoint::KmsKeys, refuses, None));
        } else {
            v.push(Violation::certain(RuleId::KmsKeyNeedsEncrypted, None));
        }
    }
    if present("EncryptAlgorithm") {
        let refuses = readings.is(OpenPoint::EncryptAlgorithmUnavailable, "refuse");
        let mut alg = Violation::open(RuleId::EncryptAlgorithm, OpenPoint::EncryptAlgorithmUnavailable, refuses, None);
        // Row 8 where Encrypted is not true, else row 9 only.
        if out.encrypted {
            alg.errors.truncate(1);
        } else {
            alg.emulator_error = 1;
        }
        v.push(alg);
    }
    if out.encrypted && source_encrypted == Some(false) {
        let refuses = readings.is(OpenPoint::EncryptedCopy, "rows");
        v.push(Violation::open(RuleId::EncryptedCopy, OpenPoint::EncryptedCopy, refuses, None));
    }
    if present("ResourceGroupId") {
        let point = if scene.world.exhaustive { OpenPoint::ResourceGroups } else { OpenPoint::UnknownWorld };
        let refuses = readings.is(OpenPoint::ResourceGroups, "no-group");
        v.push(Violation::open(RuleId::ResourceGroup, point, refuses, None));
    }

    // The client token.
    if let Some(raw) = params.get("ClientToken") {
        let token: Cow<'_, str> = String::from_utf8_lossy(raw);
        let ascii = raw.is_ascii();
        if !ascii || token.chars().count() > CLIENT_TOKEN_MAX {
            v.push(refused(RuleId::ClientTokenForm, None));
        } else if !raw.is_empty() {
            let request = fingerprint(params);
            if scene.world.exhaustive {
                out.remembered = remembered(scene.world, caller, &token, &request);
            } else {
                v.push(perhaps(RuleId::ClientTokenConflict, OpenPoint::UnknownWorld, false, None));
            }
            if let Remembered::Other(_) = out.remembered {
                v.push(refused(RuleId::ClientTokenConflict, None));
            }
            out.token = Some((token.into_owned(), request));
        }
    }
    out
}

impl Newest {
    /// The newest page's effect on a copy's plan: encrypted, made with a token.
    pub(super) fn plan(&self, mut plan: CopyPlan) -> CopyPlan {
        plan.encrypted = self.encrypted;
        plan.token = self.token.clone();
        plan
    }

    /// The plan of a retry answered with the earlier copy `image`.
    fn replay(plan: &CopyPlan, image: &str) -> Outcome {
        Outcome::Success(Effect::Copy(CopyPlan { replay: Some(image.to_owned()), token: None, ..plan.clone() }))
    }

    /// Carries the token's memory and a dry run into a prediction: a retry's earlier
    /// ImageId becomes acceptable (the only success of a retry with the same
    /// parameters); a dry run answers `DryRunOperation` wherever a copy would succeed.
    pub(super) fn settle(&self, prediction: &mut Prediction) {
        let plan = prediction.plan.as_ref().and_then(Effect::copy).cloned();
        if let Some(plan) = &plan {
            match &self.remembered {
                Remembered::Nothing | Remembered::Same(_) => {}
                Remembered::Other(image) => {
                    let replay = Newest::replay(plan, image);
                    if self.token_only {
                        prediction.acceptable.insert(0, replay);
                    } else {
                        prediction.acceptable.push(replay);
                    }
                }
                Remembered::Gone(image) => {
                    prediction.acceptable.push(Newest::replay(plan, image));
                    let refusal = Outcome::Refusal { rule: RuleId::ClientTokenConflict, code: None };
                    if !prediction.acceptable.contains(&refusal) {
                        prediction.acceptable.push(refusal);
                    }
                }
            }
        }
        if self.dry_run {
            let mut dry = ErrorOutcome::all_of(RuleId::DryRunPasses, None).remove(0);
            dry.status = self.dry_status;
            let mut settled: Vec<Outcome> = Vec::new();
            for o in prediction.acceptable.drain(..) {
                let o = match o {
                    Outcome::Success(Effect::Copy(_)) => Outcome::Error(dry.clone()),
                    o => o,
                };
                if !settled.contains(&o) {
                    settled.push(o);
                }
            }
            let any_status = Outcome::Refusal { rule: RuleId::DryRunPasses, code: Some(dry.code) };
            if settled.iter().any(|o| matches!(o, Outcome::Error(e) if e.rule == RuleId::DryRunPasses)) {
                settled.push(any_status);
            }
            prediction.acceptable = settled;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_and_tag_names() {
        assert_eq!(boolean("True"), Some(true));
        assert_eq!(boolean("false"), Some(false));
        assert_eq!(boolean("yes"), None);
        assert_eq!(tag_parameter("Tag.3.Key"), Some(("3", true)));
        assert_eq!(tag_parameter("Tag.20.Value"), Some(("20", false)));
        assert_eq!(tag_parameter("Tags.1.Key"), None);
        assert_eq!(tag_index("20"), Some(20));
        for bad in ["0", "21", "01", "+1", "x"] {
            assert_eq!(tag_index(bad), None, "{bad}");
        }
    }

    #[test]
    fn tag_texts() {
        let r = Readings::emulator();
        assert_eq!(tag_text("", &TAG_KEY_PREFIXES, true, &r), Finding::Broken);
        assert_eq!(tag_text("", &TAG_VALUE_PREFIXES, false, &r), Finding::Holds);
        assert_eq!(tag_text("aliyunx", &TAG_KEY_PREFIXES, true, &r), Finding::Broken);
        assert_eq!(tag_text("aliyunx", &TAG_VALUE_PREFIXES, false, &r), Finding::Holds);
        assert!(matches!(tag_text("ACS:x", &TAG_VALUE_PREFIXES, false, &r), Finding::Open { .. }));
        assert_eq!(tag_text("see http://x", &TAG_VALUE_PREFIXES, false, &r), Finding::Broken);
        assert_eq!(tag_text(&"k".repeat(128), &TAG_KEY_PREFIXES, true, &r), Finding::Holds);
        assert_eq!(tag_text(&"k".repeat(129), &TAG_KEY_PREFIXES, true, &r), Finding::Broken);
    }
}
