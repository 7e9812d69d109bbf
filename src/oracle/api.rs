//! The API layer: the seed's own rules for CopyImage.
//!
//! Owns the checks that need the caller and the world: authorization, the name and
//! description rules (through [`super::text`]), regions, the source image (existence,
//! owner, kind, status, age, encryption, copies in progress), the destination's name
//! uniqueness and quotas; and the [`CopyPlan`] of a copy that may succeed. In a world
//! that is not exhaustive (a real cloud) every rule that needs the world is open.

use super::text::{self, Verdict};
use super::{CopyPlan, OpenPoint, Scene, Violation};
use crate::model::{Account, ImageKind, ImageStatus, Timestamp};
use crate::rules::{RuleId, WORLD_RULES};

use super::read::Params;

/// The 15th of July 2013 has begun in every time zone (UTC+14).
pub const TOO_OLD_CERTAIN_BEFORE: Timestamp = Timestamp(1_373_796_000); // 2013-07-14T10:00:00Z
/// ... and has ended in every time zone (UTC-12).
pub const TOO_OLD_POSSIBLE_BEFORE: Timestamp = Timestamp(1_373_976_000); // 2013-07-16T12:00:00Z
/// The emulator's reading: before 2013-07-15 in UTC.
pub const TOO_OLD_EMULATOR_BEFORE: Timestamp = Timestamp(1_373_846_400); // 2013-07-15T00:00:00Z

/// Name length bounds.
pub const NAME_LENGTH: (usize, usize) = (2, 128);
/// Description length bounds.
pub const DESCRIPTION_LENGTH: (usize, usize) = (0, 256);

pub(super) fn check(scene: &Scene<'_>, caller: &Account, params: &Params) -> (Vec<Violation>, Option<CopyPlan>) {
    let mut v: Vec<Violation> = Vec::new();
    let mut push = |rule: RuleId, verdict: Verdict| v.extend(Violation::from_verdict(rule, verdict));
    let world = scene.world;

    let region_id = params.text("RegionId").unwrap_or_default();
    let image_id = params.text("ImageId").unwrap_or_default();
    let dest_id = params.text("DestinationRegionId").unwrap_or_default();
    let name = params.text("DestinationImageName");
    let description = params.text("DestinationDescription");

    if let Some(name) = &name {
        push(RuleId::NameLength, text::length(name, NAME_LENGTH.0, NAME_LENGTH.1));
        push(RuleId::NameFirstCharacter, text::name_first_character(name));
        push(RuleId::NameCharacters, text::name_characters(name));
        push(RuleId::NamePrefix, text::url_prefix(name));
    }
    if let Some(d) = &description {
        push(RuleId::DescriptionLength, text::length(d, DESCRIPTION_LENGTH.0, DESCRIPTION_LENGTH.1));
        push(RuleId::DescriptionPrefix, text::url_prefix(d));
        push(RuleId::DescriptionWellFormed, text::description_characters(d));
    }
    if region_id == dest_id {
        push(RuleId::SameRegion, Verdict::Broken);
    }

    if !world.exhaustive {
        // Nothing is known of the target's resources: every state rule is open.
        for rule in WORLD_RULES {
            v.push(Violation::open(rule, OpenPoint::UnknownWorld, false, None));
        }
    } else {
        if !caller.can_copy_images {
            push(RuleId::Authorized, Verdict::Broken);
        }
        let source_region = world.region(&region_id);
        let dest_region = world.region(&dest_id);
        if source_region.is_none() {
            push(RuleId::SourceRegion, Verdict::Broken);
        }
        match dest_region {
            None => push(RuleId::DestinationRegion, Verdict::Broken),
            Some(r) if !r.supports_copy => push(RuleId::RegionSupportsCopy, Verdict::Broken),
            Some(_) => {}
        }
        if source_region.is_some_and(|r| !r.supports_copy) {
            v.push(Violation::open(RuleId::RegionSupportsCopy, OpenPoint::SourceRegionNoCopy, false, None));
        }
        let image = world.image(&image_id).filter(|i| i.region == region_id.as_ref());
        match image {
            None => v.push(Violation::certain(RuleId::ImageExists, None)),
            Some(img) => {
                if img.kind != ImageKind::Custom {
                    v.push(Violation::certain(RuleId::CustomImage, None));
                } else if img.owner.as_deref() != Some(caller.id.as_str()) {
                    v.push(Violation::certain(RuleId::OwnImage, None));
                }
                if img.status != ImageStatus::Available {
                    v.push(Violation::certain(RuleId::ImageAvailable, None));
                }
                if img.created_at < TOO_OLD_CERTAIN_BEFORE {
                    v.push(Violation::certain(RuleId::ImageAge, None));
                } else if img.created_at < TOO_OLD_POSSIBLE_BEFORE {
                    let emulator_rejects = img.created_at < TOO_OLD_EMULATOR_BEFORE;
                    v.push(Violation::open(RuleId::ImageAge, OpenPoint::TooOldBoundary, emulator_rejects, None));
                }
                if img.encrypted {
                    v.push(Violation::certain(RuleId::ImageUnencrypted, None));
                }
                if world.copies.iter().any(|c| c.source_image == img.id) {
                    v.push(Violation::certain(RuleId::ImageNotCopying, None));
                }
                if let Some(dest) = dest_region {
                    let used = world.snapshots_used(&caller.id, &dest.id);
                    if used + u64::from(img.snapshot_count) > u64::from(dest.snapshot_quota) {
                        v.push(Violation::certain(RuleId::SnapshotQuota, None));
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
                    v.push(Violation::open(RuleId::NameUnique, OpenPoint::NameCase, false, None));
                }
            }
        }
    }

    let plan = CopyPlan {
        account: caller.id.clone(),
        source_image: image_id.into_owned(),
        destination_region: dest_id.into_owned(),
        name: name.map(|n| n.into_owned()),
        description: description.map(|d| d.into_owned()),
    };
    (v, Some(plan))
}
