//! Deliberate faults: the bugs emulator authors really write, for measuring the suite.
//!
//! Owns the [`Fault`] catalogue and the one layer where faults act. The emulator's
//! pipeline offers six hooks and a fault uses some of them: the decision (a fault
//! changes which violations count and the oracle's own `reconsider` decides again), the
//! new image's id, carrying a success into the world, letting due copies complete, the
//! world that the control contract shows, and the reply before it is written. The
//! oracle itself is never changed: a faulty emulator is the correct decision wrapped in
//! a wrong one.

use std::fmt;
use std::str::FromStr;

use crate::model::{Format, HttpRequest, ImageKind, ImageStatus, Timestamp, World};
use crate::oracle::read::{Mode, Reading};
use crate::oracle::text::{CharClass, classify};
use crate::oracle::{self, Effect, Outcome, Prediction, Readings, Scene, Violation};
use crate::oracle::{DESCRIPTION_LENGTH, NAME_LENGTH};
use crate::rules::{Doc, Layer, RuleId};
use crate::wire::reply::Value;
use crate::wire::sign::FORM_CONTENT_TYPE;

/// Where a fault acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultLayer {
    /// Parameter validation.
    Validation,
    /// State rules.
    State,
    /// The reply's format.
    Wire,
    /// The gateway protocol.
    Protocol,
    /// The copy's life after it is accepted.
    Lifecycle,
}

macro_rules! faults {
    ($($variant:ident => $name:literal, $layer:ident, $about:literal;)*) => {
        /// A deliberate fault.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault { $(#[doc = $about] $variant,)* }

        impl Fault {
            /// Every fault, in catalogue order.
            pub const ALL: &'static [Fault] = &[$(Fault::$variant,)*];

            /// Its name on the command line.
            pub fn name(self) -> &'static str {
                match self { $(Fault::$variant => $name,)* }
            }

            /// Where it acts.
            pub fn layer(self) -> FaultLayer {
                match self { $(Fault::$variant => FaultLayer::$layer,)* }
            }

            /// One line on what it breaks.
            pub fn about(self) -> &'static str {
                match self { $(Fault::$variant => $about,)* }
            }
        }
    };
}

faults! {
    NameMaxPlusOne => "name-max-plus-one", Validation, "accepts names one character longer than the longest allowed";
    NameMaxMinusOne => "name-max-minus-one", Validation, "refuses names of the longest allowed length";
    NameMinMinusOne => "name-min-minus-one", Validation, "accepts names one character shorter than the shortest allowed";
    NameMinPlusOne => "name-min-plus-one", Validation, "refuses names of the shortest allowed length";
    DescriptionMaxPlusOne => "description-max-plus-one", Validation, "accepts descriptions one character longer than the longest allowed";
    DescriptionMaxMinusOne => "description-max-minus-one", Validation, "refuses descriptions of the longest allowed length";
    ChineseFirstRefused => "chinese-first-refused", Validation, "refuses names that begin with a Chinese character (class too narrow)";
    AnyLetterFirst => "any-letter-first", Validation, "accepts names that begin with any alphabetic character, e.g. é or Д (class too wide)";
    DigitFirst => "digit-first", Validation, "accepts names that begin with a digit";
    AnyPunctuation => "any-punctuation", Validation, "accepts any character after the first (class too wide)";
    DescriptionPrefixUnchecked => "description-prefix-unchecked", Validation, "accepts descriptions that begin with http:// or https://";
    StatusIgnored => "status-ignored", State, "copies images in any status";
    TooOldShifted => "too-old-shifted", State, "moves the 2013-07-15 boundary a month earlier (2013-06-15)";
    EncryptedIgnored => "encrypted-ignored", State, "copies images with encrypted snapshots";
    CopyingIgnored => "copying-ignored", State, "accepts a second copy while the first runs";
    ImageQuotaIgnored => "image-quota-ignored", State, "ignores the custom-image quota";
    ImageQuotaPlusOne => "image-quota-plus-one", State, "refuses only past quota + 1 custom images";
    SnapshotQuotaIgnored => "snapshot-quota-ignored", State, "ignores the snapshot quota";
    SnapshotQuotaPlusOne => "snapshot-quota-plus-one", State, "allows one snapshot past the quota";
    DuplicatesIgnored => "duplicates-ignored", State, "accepts a name already used in the destination";
    DuplicatesWrongRegion => "duplicates-wrong-region", State, "checks name duplicates in the source region instead of the destination";
    SameRegionAccepted => "same-region-accepted", State, "accepts copies into the source region";
    RegionCodesSwapped => "region-codes-swapped", State, "answers SourceRegion.NotFound for the destination and the reverse";
    CrossAccountAllowed => "cross-account-allowed", State, "copies other accounts' images";
    ForbiddenIgnored => "forbidden-ignored", State, "lets keys without permission copy images";
    StatusCodeWrong => "status-code-wrong", Wire, "answers IncorrectImageStatus with 403 instead of 400";
    MisspellingFixed => "misspelling-fixed", Wire, "writes OperationDenied.EncryptedSnapshot (the documented Code is OperationDeined.EncryptedSnapshot)";
    WrongErrorRoot => "wrong-error-root", Wire, "writes XML errors under `<Response>` instead of `<Error>`";
    JsonEnvelope => "json-envelope", Wire, "wraps JSON replies in {\"Data\": ...}";
    FormatIgnored => "format-ignored", Wire, "always answers XML";
    RequestIdMissing => "request-id-missing", Wire, "leaves RequestId out of replies";
    HostIdMissing => "host-id-missing", Wire, "leaves HostId out of errors";
    SignatureUnchecked => "signature-unchecked", Protocol, "does not verify signatures";
    TimestampUnchecked => "timestamp-unchecked", Protocol, "accepts any timestamp";
    NonceReusable => "nonce-reusable", Protocol, "accepts reused nonces";
    PostRefused => "post-refused", Protocol, "refuses POST (only GET works)";
    FormBodyIgnored => "form-body-ignored", Protocol, "ignores parameters in a form body";
    V3Unsupported => "v3-unsupported", Protocol, "refuses ACS3-HMAC-SHA256 signatures";
    CopiesNeverComplete => "copies-never-complete", Lifecycle, "copies stay Creating forever";
    CompletedCopiesInvisible => "completed-copies-invisible", Lifecycle, "a completed copy's image disappears from the world";
    ImageIdsReused => "image-ids-reused", Lifecycle, "gives every copy in a world the id of the first one";
    DeleteDuringCopy => "delete-during-copy", Lifecycle, "deletes an image while it is being copied";
    CancelCompletedAllowed => "cancel-completed-allowed", Lifecycle, "answers success to a cancel of a copy that finished";
    StatusDefaultIgnored => "status-default-ignored", Lifecycle, "DescribeImages lists every status when no Status is given";
    ProgressNeverMoves => "progress-never-moves", Lifecycle, "DescribeImages shows every image's Progress as 0%";
    PageOffByOne => "page-off-by-one", Lifecycle, "DescribeImages starts each page one image late";
    RegionMissing => "region-missing", Lifecycle, "DescribeRegions leaves the last region out";
    CancelLeavesImage => "cancel-leaves-image", Lifecycle, "a cancelled copy stops, but its image stays behind, Creating";
    CancelledStillCounted => "cancelled-still-counted", Lifecycle, "counts a cancelled copy against the destination's custom-image quota";
    DryRunIgnored => "dry-run-ignored", Validation, "2026-01: copies for real when DryRun=true";
    DryRunPerforms => "dry-run-performs", Lifecycle, "2026-01: answers DryRunOperation to a dry run, and copies all the same";
    DryRunSkipsChecks => "dry-run-skips-checks", Validation, "2026-01: answers DryRunOperation to a dry run that a check refuses";
    DryRunStatus200 => "dry-run-status-200", Wire, "2026-01: answers DryRunOperation with HTTP 200";
    ClientTokenIgnored => "client-token-ignored", State, "2026-01: forgets ClientTokens, so a retry is checked and copied afresh";
    ClientTokenConflictAccepted => "client-token-conflict-accepted", State, "2026-01: makes a second copy for a used ClientToken with other parameters";
    ClientTokenUnbounded => "client-token-unbounded", Validation, "2026-01: accepts ClientTokens over 64 characters or outside ASCII";
    KmsFlagUnchecked => "kms-flag-unchecked", Validation, "2026-01: accepts a KMSKeyId without Encrypted=true";
    TagKeyUnchecked => "tag-key-unchecked", Validation, "2026-01: accepts empty, over-long, URL-holding or reserved tag keys";
    TagValueUnchecked => "tag-value-unchecked", Validation, "2026-01: accepts over-long, URL-holding or acs:-prefixed tag values";
    NewestParametersRefused => "newest-parameters-refused", Protocol, "2026-01: refuses the newest page's parameters as unknown (an emulator still at 2018)";
}

impl Fault {
    /// The documentation profile under which the fault departs from the documents (a
    /// fault of the newest page's own parameters is none under the seed, whose page
    /// does not have them).
    pub fn doc(self) -> Doc {
        match self {
            Fault::DryRunIgnored
            | Fault::DryRunPerforms
            | Fault::DryRunSkipsChecks
            | Fault::DryRunStatus200
            | Fault::ClientTokenIgnored
            | Fault::ClientTokenConflictAccepted
            | Fault::ClientTokenUnbounded
            | Fault::KmsFlagUnchecked
            | Fault::TagKeyUnchecked
            | Fault::TagValueUnchecked
            | Fault::NewestParametersRefused => Doc::January2026,
            _ => Doc::June2018,
        }
    }
}

impl serde::Serialize for Fault {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s)
            .ok_or_else(|| format!("unknown fault `{s}` (see `copyimage-conformance faults`)"))
    }
}

/// The faults an emulator runs with. Empty: the reference behaviour.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults(pub Vec<Fault>);

/// A reply about to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// HTTP status.
    pub status: u16,
    /// Format.
    pub format: Format,
    /// XML root element.
    pub root: String,
    /// Fields in order.
    pub fields: Vec<(String, String)>,
    /// Structured fields after them (a companion call's counts and lists).
    pub values: Vec<(String, crate::wire::reply::Value)>,
    /// Wrap the JSON object in `{"Data": ...}`.
    pub envelope: bool,
}

impl Faults {
    fn has(&self, f: Fault) -> bool {
        self.0.contains(&f)
    }

    /// The decision hook: the prediction the faulty emulator acts on, given what the
    /// emulator with `readings` would answer.
    pub fn decide(
        &self,
        scene: &Scene<'_>,
        req: &HttpRequest,
        readings: &Readings,
        prediction: Prediction,
    ) -> Prediction {
        if self.0.is_empty() {
            return prediction;
        }
        if self.has(Fault::ClientTokenIgnored) && !scene.world.tokens.is_empty() {
            let mut forgetful = scene.world.clone();
            forgetful.tokens.clear();
            let scene = Scene { world: &forgetful, ..*scene };
            return self.adjust(&scene, req, readings, oracle::answer(&scene, req, readings));
        }
        if self.has(Fault::FormBodyIgnored)
            && req.header("content-type").is_some_and(|c| c.starts_with(FORM_CONTENT_TYPE))
        {
            let mut stripped = req.clone();
            stripped.body.clear();
            return self.adjust(scene, &stripped, readings, oracle::answer(scene, &stripped, readings));
        }
        self.adjust(scene, req, readings, prediction)
    }

    fn adjust(&self, scene: &Scene<'_>, req: &HttpRequest, readings: &Readings, prediction: Prediction) -> Prediction {
        let params = Reading::of(req).params(Mode::default());
        let name = params.text("DestinationImageName").map(|n| n.into_owned());
        let description = params.text("DestinationDescription").map(|d| d.into_owned());
        let region = params.text("RegionId").unwrap_or_default().into_owned();
        let image =
            scene.world.image(&params.text("ImageId").unwrap_or_default()).filter(|i| i.region == region).cloned();
        let dest = params.text("DestinationRegionId").unwrap_or_default().into_owned();
        let chars = |s: &Option<String>| s.as_ref().map(|s| s.chars().count());
        let caller = prediction.plan.as_ref().and_then(Effect::copy).map(|p| p.account.clone()).unwrap_or_default();
        let mut v: Vec<Violation> = prediction.decided().to_vec();
        let before = v.clone();
        let drop = |v: &mut Vec<Violation>, rule: RuleId| v.retain(|x| x.rule != rule);
        let add = |v: &mut Vec<Violation>, rule: RuleId| {
            if !v.iter().any(|x| x.rule == rule && x.certain) {
                v.push(Violation::certain(rule, None));
            }
        };
        for fault in &self.0 {
            match fault {
                // Off by one at each bound of the table.
                Fault::NameMaxPlusOne if chars(&name) == Some(NAME_LENGTH.1 + 1) => drop(&mut v, RuleId::NameLength),
                Fault::NameMaxMinusOne if chars(&name) == Some(NAME_LENGTH.1) => add(&mut v, RuleId::NameLength),
                Fault::NameMinMinusOne if chars(&name) == Some(NAME_LENGTH.0 - 1) => drop(&mut v, RuleId::NameLength),
                Fault::NameMinPlusOne if chars(&name) == Some(NAME_LENGTH.0) => add(&mut v, RuleId::NameLength),
                Fault::DescriptionMaxPlusOne if chars(&description) == Some(DESCRIPTION_LENGTH.1 + 1) => {
                    drop(&mut v, RuleId::DescriptionLength)
                }
                Fault::DescriptionMaxMinusOne if chars(&description) == Some(DESCRIPTION_LENGTH.1) => {
                    add(&mut v, RuleId::DescriptionLength)
                }
                Fault::ChineseFirstRefused
                    if name
                        .as_ref()
                        .and_then(|n| n.chars().next())
                        .is_some_and(|c| classify(c) == CharClass::Chinese) =>
                {
                    add(&mut v, RuleId::NameFirstCharacter)
                }
                Fault::AnyLetterFirst
                    if name.as_ref().and_then(|n| n.chars().next()).is_some_and(char::is_alphabetic) =>
                {
                    drop(&mut v, RuleId::NameFirstCharacter)
                }
                Fault::DigitFirst
                    if name.as_ref().and_then(|n| n.chars().next()).is_some_and(|c| c.is_ascii_digit()) =>
                {
                    drop(&mut v, RuleId::NameFirstCharacter)
                }
                Fault::AnyPunctuation => drop(&mut v, RuleId::NameCharacters),
                Fault::DescriptionPrefixUnchecked => drop(&mut v, RuleId::DescriptionPrefix),
                Fault::StatusIgnored => drop(&mut v, RuleId::ImageAvailable),
                Fault::TooOldShifted => {
                    let shifted = Timestamp(1_371_254_400); // 2013-06-15T00:00:00Z
                    if image.as_ref().is_some_and(|i| i.created_at >= shifted) {
                        drop(&mut v, RuleId::ImageAge);
                    }
                }
                Fault::EncryptedIgnored => drop(&mut v, RuleId::ImageUnencrypted),
                Fault::CopyingIgnored => drop(&mut v, RuleId::ImageNotCopying),
                Fault::ImageQuotaIgnored => drop(&mut v, RuleId::ImageQuota),
                Fault::ImageQuotaPlusOne => {
                    let held =
                        scene.world.owned_images(&caller, &dest).filter(|i| i.kind == ImageKind::Custom).count() as u64;
                    if scene.world.region(&dest).is_some_and(|r| held == u64::from(r.image_quota)) {
                        drop(&mut v, RuleId::ImageQuota);
                    }
                }
                Fault::SnapshotQuotaIgnored => drop(&mut v, RuleId::SnapshotQuota),
                Fault::SnapshotQuotaPlusOne => {
                    let used = scene.world.snapshots_used(&caller, &dest)
                        + image.as_ref().map_or(0, |i| u64::from(i.snapshot_count));
                    if scene.world.region(&dest).is_some_and(|r| used == u64::from(r.snapshot_quota) + 1) {
                        drop(&mut v, RuleId::SnapshotQuota);
                    }
                }
                Fault::DuplicatesIgnored => drop(&mut v, RuleId::NameUnique),
                Fault::DuplicatesWrongRegion => {
                    drop(&mut v, RuleId::NameUnique);
                    if let Some(n) = &name {
                        if scene.world.owned_images(&caller, &region).any(|i| i.name.as_deref() == Some(n.as_str())) {
                            add(&mut v, RuleId::NameUnique);
                        }
                    }
                }
                Fault::SameRegionAccepted => drop(&mut v, RuleId::SameRegion),
                Fault::CrossAccountAllowed => drop(&mut v, RuleId::OwnImage),
                Fault::ForbiddenIgnored => drop(&mut v, RuleId::Authorized),
                Fault::SignatureUnchecked => drop(&mut v, RuleId::Signature),
                Fault::TimestampUnchecked => {
                    drop(&mut v, RuleId::TimestampExpired);
                    drop(&mut v, RuleId::TimestampFormat);
                }
                Fault::NonceReusable => drop(&mut v, RuleId::NonceUsed),
                Fault::PostRefused if req.method == "POST" => add(&mut v, RuleId::Method),
                Fault::V3Unsupported if Reading::of(req).v3 => add(&mut v, RuleId::IncompleteSignature),
                Fault::DeleteDuringCopy => drop(&mut v, RuleId::DeleteNotCopying),
                Fault::ClientTokenConflictAccepted => drop(&mut v, RuleId::ClientTokenConflict),
                Fault::ClientTokenUnbounded => drop(&mut v, RuleId::ClientTokenForm),
                Fault::KmsFlagUnchecked => drop(&mut v, RuleId::KmsKeyNeedsEncrypted),
                Fault::TagKeyUnchecked => drop(&mut v, RuleId::TagKey),
                Fault::TagValueUnchecked => drop(&mut v, RuleId::TagValue),
                Fault::NewestParametersRefused
                    if params.0.iter().any(|(n, _)| Doc::January2026.copy_knows(n) && !scene.doc.is_seed()) =>
                {
                    add(&mut v, RuleId::UnknownParameter)
                }
                Fault::CancelCompletedAllowed => drop(&mut v, RuleId::CancelNotComplete),
                _ => {}
            }
        }
        let mut decided = if v == before { prediction } else { prediction.reconsider(v) };
        if decided.dry_run() {
            let dry = |o: &Outcome| matches!(o, Outcome::Error(e) if e.rule == RuleId::DryRunPasses);
            let first = decided.acceptable.first().cloned();
            match first {
                Some(o) if dry(&o) && self.has(Fault::DryRunIgnored) => {
                    if let Some(plan) = decided.plan.clone() {
                        decided.acceptable[0] = Outcome::Success(plan);
                    }
                }
                Some(Outcome::Error(e))
                    if self.has(Fault::DryRunSkipsChecks)
                        && e.rule.rule().layer == Layer::Api
                        && e.rule != RuleId::DryRunPasses =>
                {
                    decided.acceptable[0] =
                        Outcome::Error(oracle::ErrorOutcome::all_of(RuleId::DryRunPasses, None).remove(0));
                }
                _ => {}
            }
        }
        if self.has(Fault::StatusDefaultIgnored) && params.get("Status").is_none() {
            let listed_for = match decided.acceptable.first() {
                Some(Outcome::Success(Effect::Describe(listing))) => scene.world.account(&listing.account),
                _ => None,
            };
            if let Some(account) = listed_for {
                let mut every = params.clone();
                let all: Vec<&str> = ImageStatus::ALL.iter().map(|s| s.name()).collect();
                every.0.push(("Status".into(), all.join(",").into_bytes()));
                if let (_, Some(effect)) = oracle::life::describe(scene, account, &every, readings) {
                    decided.acceptable[0] = Outcome::Success(effect);
                }
            }
        }
        decided
    }

    /// The id hook: the id a new copy gets, given the ids this emulator made since the
    /// world was loaded.
    pub fn image_id(&self, fresh: String, made: &[String]) -> String {
        match made.first() {
            Some(first) if self.has(Fault::ImageIdsReused) => first.clone(),
            _ => fresh,
        }
    }

    /// The apply hook: carries a success into the world.
    pub fn apply(&self, world: &mut World, effect: &Effect, new_image_id: &str, now: Timestamp) {
        let Effect::Cancel { copy } = effect else {
            return oracle::apply(world, effect, new_image_id, now);
        };
        if self.has(Fault::CancelLeavesImage) {
            world.copies.retain(|c| c.destination_image != *copy);
            return;
        }
        let region = world.image(copy).map(|i| i.region.clone());
        oracle::apply(world, effect, new_image_id, now);
        if self.has(Fault::CancelledStillCounted) {
            // The cancelled copy's slot is never given back: the same as the quota
            // shrinking by one for the caller.
            if let Some(r) = world.regions.iter_mut().find(|r| Some(&r.id) == region.as_ref()) {
                r.image_quota = r.image_quota.saturating_sub(1);
            }
        }
    }

    /// The copy a faulty emulator makes although it answers `e`, a dry run's
    /// `DryRunOperation`.
    pub fn dry_run_effect(&self, e: &oracle::ErrorOutcome, prediction: &Prediction) -> Option<Effect> {
        let copy = prediction.plan.as_ref().filter(|p| p.copy().is_some_and(|c| c.replay.is_none()))?;
        (self.has(Fault::DryRunPerforms) && e.rule == RuleId::DryRunPasses).then(|| copy.clone())
    }

    /// Whether due copies complete.
    pub fn copies_complete(&self) -> bool {
        !self.has(Fault::CopiesNeverComplete)
    }

    /// The world the control contract shows.
    pub fn shown_world(&self, world: &World, completed: &[String]) -> World {
        let mut w = world.clone();
        if self.has(Fault::CompletedCopiesInvisible) {
            w.images.retain(|i| !(completed.contains(&i.id) && i.status == ImageStatus::Available));
        }
        w
    }

    /// The reply hook.
    pub fn reply(&self, mut out: Outgoing) -> Outgoing {
        for fault in &self.0 {
            match fault {
                Fault::StatusCodeWrong if code(&out) == Some(code_of(RuleId::ImageAvailable)) => out.status = 403,
                Fault::DryRunStatus200 if code(&out) == Some(code_of(RuleId::DryRunPasses)) => out.status = 200,
                Fault::MisspellingFixed if code(&out) == Some(code_of(RuleId::ImageUnencrypted)) => {
                    // The documented Code keeps its misspelling; the fault "fixes" it.
                    set_field(&mut out, "Code", &code_of(RuleId::ImageUnencrypted).replace("Deined", "Denied"));
                }
                Fault::RegionCodesSwapped => {
                    let (source, dest) = (code_of(RuleId::SourceRegion), code_of(RuleId::DestinationRegion));
                    match code(&out) {
                        Some(c) if c == source => set_field(&mut out, "Code", dest),
                        Some(c) if c == dest => set_field(&mut out, "Code", source),
                        _ => {}
                    }
                }
                Fault::WrongErrorRoot if out.root == crate::wire::reply::ERROR_ROOT => out.root = "Response".into(),
                Fault::JsonEnvelope => out.envelope = true,
                Fault::FormatIgnored => out.format = Format::Xml,
                Fault::RequestIdMissing => out.fields.retain(|(k, _)| k != "RequestId"),
                Fault::HostIdMissing => out.fields.retain(|(k, _)| k != "HostId"),
                Fault::ProgressNeverMoves => each_item(&mut out, "Images", |items| {
                    for item in items.iter_mut() {
                        for (k, v) in item.iter_mut() {
                            if *k == "Progress" {
                                *v = Value::Text("0%".into());
                            }
                        }
                    }
                }),
                Fault::PageOffByOne => each_item(&mut out, "Images", |items| {
                    if !items.is_empty() {
                        items.remove(0);
                    }
                }),
                Fault::RegionMissing => each_item(&mut out, "Regions", |items| {
                    items.pop();
                }),
                _ => {}
            }
        }
        out
    }
}

/// Edits the items of a list the reply holds.
fn each_item(out: &mut Outgoing, list: &str, edit: impl FnOnce(&mut Vec<Vec<(&'static str, Value)>>)) {
    if let Some((_, Value::List { items, .. })) = out.values.iter_mut().find(|(k, _)| k == list) {
        edit(items);
    }
}

/// A rule's first documented Code: faults name Codes through the rule table.
fn code_of(rule: RuleId) -> &'static str {
    rule.rule().errors.first().map_or("", |e| e.code)
}

fn code(out: &Outgoing) -> Option<&str> {
    out.fields.iter().find(|(k, _)| k == "Code").map(|(_, v)| v.as_str())
}

fn set_field(out: &mut Outgoing, key: &str, value: &str) {
    if let Some(slot) = out.fields.iter_mut().find(|(k, _)| k == key) {
        slot.1 = value.to_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
        for f in Fault::ALL {
            assert_eq!(f.name().parse::<Fault>(), Ok(*f));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Fault::ALL.len());
    }

    #[test]
    fn every_layer_has_faults_and_every_fault_says_what_it_breaks() {
        // `ALL` is generated from the variant list, so it is complete by construction;
        // what can go wrong is a layer left without faults or two faults described alike.
        for layer in
            [FaultLayer::Validation, FaultLayer::State, FaultLayer::Wire, FaultLayer::Protocol, FaultLayer::Lifecycle]
        {
            assert!(Fault::ALL.iter().any(|f| f.layer() == layer), "no fault in {layer:?}");
        }
        let mut about: Vec<&str> = Fault::ALL.iter().map(|f| f.about()).collect();
        assert!(about.iter().all(|a| a.len() > 10), "every fault says what it breaks");
        about.sort_unstable();
        about.dedup();
        assert_eq!(about.len(), Fault::ALL.len(), "two faults are described alike");
    }

    #[test]
    fn swapped_region_codes_swap_both_ways_and_leave_other_codes() {
        let faults = Faults(vec![Fault::RegionCodesSwapped]);
        let with_code = |c: &str| Outgoing {
            status: 400,
            format: Format::Xml,
            root: crate::wire::reply::ERROR_ROOT.into(),
            fields: vec![("Code".into(), c.into())],
            values: Vec::new(),
            envelope: false,
        };
        let (source, dest) = (code_of(RuleId::SourceRegion), code_of(RuleId::DestinationRegion));
        assert_eq!(code(&faults.reply(with_code(source))), Some(dest));
        assert_eq!(code(&faults.reply(with_code(dest))), Some(source));
        let other = code_of(RuleId::ImageAvailable);
        assert_eq!(code(&faults.reply(with_code(other))), Some(other));
    }
}
