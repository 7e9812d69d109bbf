//! The API layer: the seed's own rules for CopyImage.
//!
//! Owns the checks that need the caller and the world: authorization, the name and
//! description rules (through [`super::text`]), regions, the source image (existence,
//! owner, kind, status, age, encryption, copies in progress), the destination's name
//! uniqueness and quotas; and the [`CopyPlan`] of a copy that may succeed. In a world
//! that is not exhaustive (a real cloud) every rule that needs the world is open.

use super::newest::{self, Newest, Remembered};
use super::open::Readings;
use super::read::Params;
use super::text::{self, Finding};
use super::{CopyPlan, OpenPoint, Scene, Violation};
use crate::model::{Account, ImageKind, ImageStatus, Timestamp};
use crate::rules::newest::{NEWEST_DESCRIPTION_LENGTH, NEWEST_NAME_PREFIXES};
use crate::rules::{Doc, RuleId, WORLD_RULES};

/// The 15th of July 2013 has begun in every time zone (UTC+14).
pub const TOO_OLD_CERTAIN_BEFORE: Timestamp = Timestamp(1_373_796_000); // 2013-07-14T10:00:00Z
/// ... and has ended in every time zone (UTC-12).
pub const TOO_OLD_POSSIBLE_BEFORE: Timestamp = Timestamp(1_373_976_000); // 2013-07-16T12:00:00Z
/// The emulator's reading: before 2013-07-15 in UTC.
pub const TOO_OLD_EMULATOR_BEFORE: Timestamp = Timestamp(1_373_846_400); // 2013-07-15T00:00:00Z
/// The meaning column's reading, "on or before July 15", in UTC.
const TOO_OLD_UTC_16TH: Timestamp = Timestamp(1_373_932_800); // 2013-07-16T00:00:00Z

/// Where a server with these readings puts the too-old edge: images created before it
/// are refused.
fn too_old_edge(readings: &Readings) -> Timestamp {
    match readings.id(OpenPoint::TooOldBoundary) {
        "utc-16th" => TOO_OLD_UTC_16TH,
        "earliest" => TOO_OLD_CERTAIN_BEFORE,
        "latest" => TOO_OLD_POSSIBLE_BEFORE,
        _ => TOO_OLD_EMULATOR_BEFORE,
    }
}

/// Name length bounds.
pub const NAME_LENGTH: (usize, usize) = (2, 128);
/// Description length bounds.
pub const DESCRIPTION_LENGTH: (usize, usize) = (0, 256);

/// The API layer's violations and plan, and what the newest page's parameters make of
/// the request ([`Newest`], nothing under the seed).
pub(super) fn check(
    scene: &Scene<'_>,
    caller: &Account,
    params: &Params,
    readings: &Readings,
) -> (Vec<Violation>, Option<CopyPlan>, Newest) {
    let mut v: Vec<Violation> = Vec::new();
    let mut push = |rule: RuleId, finding: Finding| v.extend(Violation::from_finding(rule, finding));
    let world = scene.world;

    let region_id = params.text("RegionId").unwrap_or_default();
    let image_id = params.text("ImageId").unwrap_or_default();
    // Under 2026-01 an absent destination may mean the source region (point
    // `destination-region-missing`; protocol.md §6: "then the copy stays in the source
    // region"), which the gateway leaves open.
    let within = !scene.doc.destination_required() && params.get("DestinationRegionId").is_none();
    let dest_id = if within { region_id.clone() } else { params.text("DestinationRegionId").unwrap_or_default() };
    let mut name = params.text("DestinationImageName");
    let description = params.text("DestinationDescription");
    // Under 2026-01, where the newest page's conditions differ from the seed's, either
    // answer (point `newest-conditions`); the emulator answers as the seed does.
    let newest_page = scene.doc == Doc::January2026;
    let differs = |rejects: bool| Finding::Open { point: OpenPoint::NewestConditions, emulator_rejects: rejects };
    // The source image, in its region (none in a world that is not exhaustive).
    let image = world.image(&image_id).filter(|i| world.exhaustive && i.region == region_id.as_ref());
    let source_encrypted = image.map(|i| i.encrypted);
    let newest = newest::check(scene, caller, params, source_encrypted, readings);

    match &name {
        // An empty name: a name of 0 characters, or no name (point `empty-name`).
        Some(n) if n.is_empty() => {
            let malformed = readings.is(OpenPoint::EmptyName, "malformed");
            push(RuleId::NameLength, Finding::Open { point: OpenPoint::EmptyName, emulator_rejects: malformed });
            name = None;
        }
        Some(name) => {
            push(RuleId::NameLength, text::length(name, NAME_LENGTH.0, NAME_LENGTH.1, readings));
            let (mut first, mut prefix) =
                (text::name_first_character(name, readings), text::url_prefix(name, readings));
            if newest_page {
                // "must start with a letter": any letter, perhaps.
                if first == Finding::Broken && name.chars().next().is_some_and(char::is_alphabetic) {
                    first = differs(true);
                }
                // "cannot start with acs: or aliyun", in any case. ("Cannot contain
                // http://" needs no test of its own: `/` is a name character under
                // neither page.)
                let lower = name.to_lowercase();
                if prefix == Finding::Holds && NEWEST_NAME_PREFIXES.iter().any(|p| lower.starts_with(p)) {
                    prefix = differs(false);
                }
            }
            push(RuleId::NameFirstCharacter, first);
            push(RuleId::NameCharacters, text::name_characters(name, readings));
            push(RuleId::NamePrefix, prefix);
        }
        None => {}
    }
    if let Some(d) = &description {
        let mut length = text::length(d, DESCRIPTION_LENGTH.0, DESCRIPTION_LENGTH.1, readings);
        let (min, max) = NEWEST_DESCRIPTION_LENGTH;
        if newest_page && length == Finding::Holds && text::length(d, min, max, readings) != Finding::Holds {
            length = differs(false);
        }
        push(RuleId::DescriptionLength, length);
        push(RuleId::DescriptionPrefix, text::url_prefix(d, readings));
        push(RuleId::DescriptionWellFormed, text::description_characters(d, readings));
    }
    if region_id == dest_id && !within {
        push(RuleId::SameRegion, Finding::Broken);
    }

    if !world.exhaustive {
        // Nothing is known of the target's resources: every state rule is open.
        for rule in WORLD_RULES {
            v.push(Violation::open(rule, OpenPoint::UnknownWorld, false, None));
        }
    } else {
        if !caller.can_copy_images {
            push(RuleId::Authorized, Finding::Broken);
        }
        let source_region = world.region(&region_id);
        let dest_region = world.region(&dest_id);
        if source_region.is_none() {
            push(RuleId::SourceRegion, Finding::Broken);
        }
        match dest_region {
            None => push(RuleId::DestinationRegion, Finding::Broken),
            Some(r) if !r.supports_copy => push(RuleId::RegionSupportsCopy, Finding::Broken),
            Some(_) => {}
        }
        if source_region.is_some_and(|r| !r.supports_copy) {
            let refuses = readings.is(OpenPoint::SourceRegionNoCopy, "refuse");
            v.push(Violation::open(RuleId::RegionSupportsCopy, OpenPoint::SourceRegionNoCopy, refuses, None));
        }
        match image {
            None => v.push(Violation::certain(RuleId::ImageExists, None)),
            Some(img) => {
                if img.kind != ImageKind::Custom {
                    v.push(Violation::certain(RuleId::CustomImage, None).answering(readings));
                } else if img.owner.as_deref() != Some(caller.id.as_str()) {
                    v.push(Violation::certain(RuleId::OwnImage, None).answering(readings));
                }
                if img.status != ImageStatus::Available {
                    v.push(Violation::certain(RuleId::ImageAvailable, None));
                }
                if img.created_at < TOO_OLD_CERTAIN_BEFORE {
                    v.push(Violation::certain(RuleId::ImageAge, None));
                } else if img.created_at < TOO_OLD_POSSIBLE_BEFORE {
                    let emulator_rejects = img.created_at < too_old_edge(readings);
                    v.push(Violation::open(RuleId::ImageAge, OpenPoint::TooOldBoundary, emulator_rejects, None));
                }
                if img.encrypted && newest.encrypted {
                    // Rows 26 and 30 differ on a copy to an encrypted image (point
                    // `encrypted-copy`).
                    let refuses = readings.is(OpenPoint::EncryptedCopy, "rows");
                    v.push(Violation::open(RuleId::ImageUnencrypted, OpenPoint::EncryptedCopy, refuses, None));
                } else if img.encrypted {
                    v.push(Violation::certain(RuleId::ImageUnencrypted, None));
                }
                if world.copies.iter().any(|c| c.source_image == img.id) {
                    v.push(Violation::certain(RuleId::ImageNotCopying, None));
                }
                if let Some(dest) = dest_region {
                    // Point `snapshot-quota-boundary`: past the quota after the copy, or
                    // at or past it before.
                    let used = world.snapshots_used(&caller.id, &dest.id);
                    let quota = u64::from(dest.snapshot_quota);
                    let would_exceed = used + u64::from(img.snapshot_count) > quota;
                    let at_or_past = used >= quota;
                    if would_exceed && at_or_past {
                        v.push(Violation::certain(RuleId::SnapshotQuota, None));
                    } else if would_exceed || at_or_past {
                        let refuses = if readings.is(OpenPoint::SnapshotQuotaBoundary, "at-or-past") {
                            at_or_past
                        } else {
                            would_exceed
                        };
                        v.push(Violation::open(RuleId::SnapshotQuota, OpenPoint::SnapshotQuotaBoundary, refuses, None));
                    }
                }
            }
        }
        if let Some(dest) = dest_region {
            let held = world.owned_images(&caller.id, &dest.id).filter(|i| i.kind == ImageKind::Custom).count();
            if held as u64 >= u64::from(dest.image_quota) {
                v.push(Violation::certain(RuleId::ImageQuota, None));
            }
            if let Some(name) = &name {
                let mut exact = false;
                let mut folded = false;
                let lower = name.to_lowercase();
                for other in world.owned_images(&caller.id, &dest.id).filter_map(|i| i.name.as_deref()) {
                    exact |= other == name.as_ref();
                    folded |= other.to_lowercase() == lower;
                }
                if exact {
                    v.push(Violation::certain(RuleId::NameUnique, None));
                } else if folded {
                    let refuses = readings.is(OpenPoint::NameCase, "ignore-case");
                    v.push(Violation::open(RuleId::NameUnique, OpenPoint::NameCase, refuses, None));
                }
            }
        }
    }

    let plan = newest.plan(CopyPlan {
        account: caller.id.clone(),
        source_image: image_id.into_owned(),
        destination_region: dest_id.into_owned(),
        name: name.map(|n| n.into_owned()),
        description: description.map(|d| d.into_owned()),
        ..CopyPlan::default()
    });
    if let Remembered::Same(image) = &newest.remembered {
        // A retry: the same request was checked and copied before; it answers that copy
        // (rule `client-token.idempotent`).
        let plan = CopyPlan { replay: Some(image.clone()), token: None, ..plan };
        return (newest.violations.clone(), Some(plan), newest);
    }
    v.extend(newest.violations.iter().cloned());
    (v, Some(plan), newest)
}
