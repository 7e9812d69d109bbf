//! The life of a copy: DescribeImages, CancelCopyImage, DeleteImage, DescribeRegions.
//!
//! Owns the API-layer checks of the four companion calls (companions.md, their 2018
//! pages) and the [`Effect`] of each success: the [`Listing`] DescribeImages shows, the
//! copy a cancel stops, the image a delete removes, the regions. Where the pages are
//! silent or contradict each other (which image a cancel takes, which Code refuses a
//! deletion during a copy, 404 or 400 for an unknown image, filters and paging given
//! odd values) the prediction widens and names the point. In a world that is not
//! exhaustive every rule that needs the world is open and no listing is judged.

use serde::Serialize;

use super::open::Readings;
use super::read::Params;
use super::{Effect, ErrorOutcome, OpenPoint, Scene, Violation};
use crate::model::{Account, Image, ImageKind, ImageStatus, Timestamp, World};
use crate::rules::RuleId;

/// The values of `Status` the 2018 page lists.
pub const STATUS_VALUES: [&str; 4] = ["Creating", "Available", "UnAvailable", "CreateFailed"];
/// `Status` when none is given ("Default value: Available").
pub const STATUS_DEFAULT: &str = "Available";
/// The values of `ImageOwnerAlias`.
pub const OWNER_ALIASES: [&str; 4] = ["system", "self", "others", "marketplace"];
/// The aliases listed when none is given ("Null indicates that results of `system`,
/// `self` and `others` are returned.").
pub const OWNER_DEFAULT: [&str; 3] = ["system", "self", "others"];
/// The values of `Usage`.
pub const USAGE_VALUES: [&str; 2] = ["instance", "none"];
/// `PageSize`: default and maximum ("Maximum value: 50.Default value: 10.").
pub const PAGE_SIZE: (u64, u64) = (10, 50);
/// `Force` values.
pub const FORCE_VALUES: [&str; 2] = ["true", "false"];

/// One image a listing may show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listed {
    /// `ImageId`.
    pub id: String,
    /// `Status`.
    pub status: ImageStatus,
    /// `Progress` in percent: of its copy while one runs, 100 once `Available`.
    pub progress: Option<u8>,
    /// `IsCopied`.
    pub copied: bool,
    /// `ImageOwnerAlias` as the emulator writes it.
    pub alias: &'static str,
    /// `ImageName`.
    pub name: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `CreationTime`.
    pub created_at: Timestamp,
    /// Every reading of the filters lists it (else only some do).
    pub certain: bool,
    /// The built-in emulator, under its readings, lists it.
    pub emulator: bool,
}

/// What a DescribeImages success shows: the images that may match, the page asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listing {
    /// The account it lists for (its `self`).
    pub account: String,
    /// `RegionId`.
    pub region: String,
    /// `PageNumber` as the emulator reads it.
    pub page_number: u64,
    /// `PageSize` as the emulator reads it.
    pub page_size: u64,
    /// Images that may match, in the emulator's order.
    pub candidates: Vec<Listed>,
    /// Whether the documents settle what the listing holds (else only its shape is
    /// judged: an unknown world, an odd filter or page value, filters the model does
    /// not hold such as tags and snapshots).
    pub judged: bool,
    /// The reply's `PageSize` is the images on the page, not the page size (the
    /// emulator's reading of point `reply-page-size`).
    pub size_on_page: bool,
    /// `CreationTime` to the minute (the emulator's reading of `creation-time-format`).
    pub time_in_minutes: bool,
}

impl Listing {
    /// The images the emulator lists on the page asked for, and the total it counts.
    pub fn page(&self) -> (Vec<&Listed>, usize) {
        let matched: Vec<&Listed> = self.candidates.iter().filter(|l| l.emulator).collect();
        let total = matched.len();
        let skip =
            usize::try_from(self.page_number.saturating_sub(1).saturating_mul(self.page_size)).unwrap_or(usize::MAX);
        let take = usize::try_from(self.page_size).unwrap_or(usize::MAX);
        (matched.into_iter().skip(skip).take(take).collect(), total)
    }

    /// The fewest and most images any reading counts (`TotalCount`).
    pub fn total_bounds(&self) -> (usize, usize) {
        (self.candidates.iter().filter(|l| l.certain).count(), self.candidates.len())
    }
}

/// DescribeRegions: the world's regions (none known of a world that is not exhaustive).
pub(super) fn regions(world: &World) -> Effect {
    Effect::Regions { regions: world.exhaustive.then(|| world.regions.iter().map(|r| r.id.clone()).collect()) }
}

/// `InvalidImageId.NotFound`, its status chosen by point `image-not-found-status`.
fn not_found(rule: RuleId, readings: &Readings) -> Violation {
    Violation::certain(rule, None).choosing(readings.index(OpenPoint::ImageNotFoundStatus))
}

/// The state rules of an unknown world: each may hold or not.
fn unknown_world(rules: &[RuleId]) -> Vec<Violation> {
    rules.iter().map(|r| Violation::open(*r, OpenPoint::UnknownWorld, false, None)).collect()
}

/// The image the caller names in the region, if it is there.
fn image_in<'w>(world: &'w World, region: &str, id: &str) -> Option<&'w Image> {
    world.image(id).filter(|i| i.region == region)
}

pub(super) fn cancel(
    world: &World,
    caller: &Account,
    params: &Params,
    readings: &Readings,
) -> (Vec<Violation>, Option<Effect>) {
    let region = params.text("RegionId").unwrap_or_default();
    let id = params.text("ImageId").unwrap_or_default();
    if !world.exhaustive {
        let v = unknown_world(&[RuleId::CancelRegion, RuleId::CancelImage, RuleId::CancelCopyTarget]);
        return (v, Some(Effect::Cancel { copy: id.into_owned() }));
    }
    let mut v = Vec::new();
    if world.region(&region).is_none() {
        v.push(Violation::certain(RuleId::CancelRegion, None));
        return (v, None);
    }
    let image = image_in(world, &region, &id);
    let Some(image) = image.filter(|i| i.owner.as_deref() == Some(caller.id.as_str())) else {
        // Another account's image is none of the caller's: not found, or refused some
        // other way (no row names it).
        let mut missing = not_found(RuleId::CancelImage, readings);
        missing.any_refusal = image.is_some();
        v.push(missing);
        return (v, None);
    };
    let takes_source = readings.is(OpenPoint::CancelImage, "source");
    let as_copy = world.copies.iter().find(|c| c.destination_image == image.id);
    let as_source = world.copies.iter().find(|c| c.source_image == image.id);
    // Which of CancelCopyTarget's replies the emulator gives: the copy reading's
    // ImageCreatedNotFromCopy, or the source reading's "not coping".
    let target_answer = usize::from(takes_source);
    let effect = match (as_copy, as_source) {
        (Some(c), _) => {
            // The copy reading cancels it; the source reading finds no copy of it.
            v.push(Violation::open(RuleId::CancelCopyTarget, OpenPoint::CancelImage, takes_source, None).choosing(1));
            Some(Effect::Cancel { copy: c.destination_image.clone() })
        }
        (None, Some(c)) => {
            v.push(Violation::open(RuleId::CancelCopyTarget, OpenPoint::CancelImage, !takes_source, None).choosing(0));
            Some(Effect::Cancel { copy: c.destination_image.clone() })
        }
        (None, None) if image.copied => {
            // A finished copy: "the image has completed copy", or (the source
            // reading) an image that is not being copied.
            v.push(
                Violation::certain(RuleId::CancelNotComplete, None)
                    .or(OpenPoint::CancelImage, ErrorOutcome::all_of(RuleId::CancelCopyTarget, None).split_off(1))
                    .choosing(if takes_source { 2 } else { 0 }),
            );
            // What a server that let it through would do: remove the finished copy.
            Some(Effect::Cancel { copy: image.id.clone() })
        }
        (None, None) => {
            v.push(Violation::certain(RuleId::CancelCopyTarget, None).choosing(target_answer));
            None
        }
    };
    (v, effect)
}

pub(super) fn delete(
    world: &World,
    caller: &Account,
    params: &Params,
    readings: &Readings,
) -> (Vec<Violation>, Option<Effect>) {
    let region = params.text("RegionId").unwrap_or_default();
    let id = params.text("ImageId").unwrap_or_default();
    let mut v = Vec::new();
    if let Some(force) = params.text("Force") {
        if !FORCE_VALUES.contains(&force.as_ref()) {
            let refuses = readings.is(OpenPoint::DeleteForceValue, "refuse");
            v.push(Violation::open(RuleId::DeleteForce, OpenPoint::DeleteForceValue, refuses, None));
        }
    }
    if !world.exhaustive {
        v.extend(unknown_world(&[
            RuleId::DeleteRegion,
            RuleId::DeleteImageExists,
            RuleId::DeleteOwnCustom,
            RuleId::DeleteNotCopying,
            RuleId::DeleteNotCreating,
        ]));
        return (v, Some(Effect::Delete { image: Some(id.into_owned()) }));
    }
    if world.region(&region).is_none() {
        v.push(Violation::certain(RuleId::DeleteRegion, None));
        return (v, None);
    }
    let Some(image) = image_in(world, &region, &id) else {
        let refuses = readings.is(OpenPoint::DeleteMissingImage, "refuse");
        v.push(
            Violation::open(RuleId::DeleteImageExists, OpenPoint::DeleteMissingImage, refuses, None)
                .choosing(readings.index(OpenPoint::ImageNotFoundStatus)),
        );
        return (v, Some(Effect::Delete { image: None }));
    };
    if image.kind != ImageKind::Custom || image.owner.as_deref() != Some(caller.id.as_str()) {
        let answer = if readings.is(OpenPoint::DeleteNotOwn, "forbidden") {
            2
        } else {
            readings.index(OpenPoint::ImageNotFoundStatus)
        };
        let mut refused = Violation::certain(RuleId::DeleteOwnCustom, None).choosing(answer);
        refused.point = Some(OpenPoint::DeleteNotOwn);
        refused.any_refusal = true;
        v.push(refused);
        return (v, None);
    }
    if world.copies.iter().any(|c| c.destination_image == image.id) {
        // The copy itself: refused under every reading, with either Code.
        v.push(
            Violation::certain(RuleId::DeleteNotCopying, None)
                .choosing(readings.index(OpenPoint::DeleteCopyCode))
                .or(OpenPoint::DeleteCopyCode, Vec::new()),
        );
    } else if world.copies.iter().any(|c| c.source_image == image.id) {
        let refuses = readings.is(OpenPoint::DeleteCopySource, "refuse");
        let mut source = Violation::open(RuleId::DeleteNotCopying, OpenPoint::DeleteCopySource, refuses, None);
        source.errors.truncate(1);
        v.push(source);
    } else if image.status == ImageStatus::Creating {
        v.push(Violation::certain(RuleId::DeleteNotCreating, None));
    }
    (v, Some(Effect::Delete { image: Some(image.id.clone()) }))
}

/// A filter's values: `None` when not given, else its comma-separated items.
fn items(params: &Params, name: &str) -> Option<Vec<String>> {
    params.text(name).map(|t| t.split(',').map(str::to_owned).collect())
}

/// The alias an image has for the caller; `None` when the caller cannot see it (an
/// image of another account, shared with nobody in the model) or, for a community
/// image under the `excluded` reading, when no alias lists it.
fn alias_of(image: &Image, caller: &str, public_as_system: bool) -> Option<&'static str> {
    match image.kind {
        ImageKind::Custom if image.owner.as_deref() == Some(caller) => Some("self"),
        ImageKind::Custom => None,
        ImageKind::System => Some("system"),
        ImageKind::Public if public_as_system => Some("system"),
        ImageKind::Public => None,
        ImageKind::Marketplace => Some("marketplace"),
    }
}

/// A page value as the emulator reads it: `Ok` a documented value, `Err` the value
/// its `clamp` reading takes.
fn page_value(text: Option<&str>, default: u64, max: u64) -> Result<u64, u64> {
    let Some(t) = text else { return Ok(default) };
    match t.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        Ok(n) => Err(n.clamp(1, max)),
        Err(_) => Err(default),
    }
}

/// DescribeImages' checks and listing (also what a deliberately faulty emulator asks
/// again with other filters).
pub fn describe(
    scene: &Scene<'_>,
    caller: &Account,
    params: &Params,
    readings: &Readings,
) -> (Vec<Violation>, Option<Effect>) {
    let world = scene.world;
    let region = params.text("RegionId").unwrap_or_default().into_owned();
    let mut v = Vec::new();
    let mut judged = world.exhaustive;
    // Filters given empty: as if absent, or refused.
    let empty_refuses = readings.is(OpenPoint::DescribeEmptyFilter, "refuse");
    let mut given = |name: &str, rule: RuleId| -> Option<Vec<String>> {
        match items(params, name) {
            Some(list) if list.iter().all(String::is_empty) => {
                let mut open = Violation::open(rule, OpenPoint::DescribeEmptyFilter, empty_refuses, None);
                open.any_refusal = true;
                v.push(open);
                judged = false;
                None
            }
            other => other,
        }
    };
    let statuses = given("Status", RuleId::DescribeStatus);
    let aliases = given("ImageOwnerAlias", RuleId::DescribeOwnerAlias);
    let usage = given("Usage", RuleId::DescribeUsage);
    let ids = given("ImageId", RuleId::DescribeListed);
    let name = given("ImageName", RuleId::DescribeListed).map(|n| n.join(","));

    if let Some(s) = &statuses {
        if s.iter().any(|x| !STATUS_VALUES.contains(&x.as_str())) {
            let refuses = readings.is(OpenPoint::DescribeStatusValue, "refuse");
            let mut open = Violation::open(RuleId::DescribeStatus, OpenPoint::DescribeStatusValue, refuses, None);
            open.any_refusal = true;
            v.push(open);
            judged = false;
        }
    }
    if let Some(a) = &aliases {
        if a.len() != 1 || !OWNER_ALIASES.contains(&a[0].as_str()) {
            v.push(
                Violation::certain(RuleId::DescribeOwnerAlias, None)
                    .choosing(readings.index(OpenPoint::OwnerAliasSpelling))
                    .or(OpenPoint::OwnerAliasSpelling, Vec::new()),
            );
        }
    }
    if let Some(u) = &usage {
        if u.len() != 1 || !USAGE_VALUES.contains(&u[0].as_str()) {
            v.push(Violation::certain(RuleId::DescribeUsage, None));
        }
    }
    let clamp = readings.is(OpenPoint::DescribePagingValue, "clamp");
    let mut page = |name: &str, default: u64, max: u64| -> u64 {
        match page_value(params.text(name).as_deref(), default, max) {
            Ok(n) => n,
            Err(clamped) => {
                let mut open =
                    Violation::open(RuleId::DescribePaging, OpenPoint::DescribePagingValue, !clamp, Some(name));
                open.any_refusal = true;
                v.push(open);
                judged = false;
                clamped
            }
        }
    };
    let page_number = page("PageNumber", 1, u64::MAX);
    let page_size = page("PageSize", PAGE_SIZE.0, PAGE_SIZE.1);
    // Filters on what the model does not hold (tags, snapshots): not judged.
    if params.0.iter().any(|(n, _)| n.starts_with("Tag.") || n == "SnapshotId") {
        judged = false;
    }

    if !world.exhaustive {
        v.extend(unknown_world(&[RuleId::DescribeRegion]));
    } else if world.region(&region).is_none() {
        let refuses = readings.is(OpenPoint::DescribeUnknownRegion, "refuse");
        let mut open = Violation::open(RuleId::DescribeRegion, OpenPoint::DescribeUnknownRegion, refuses, None);
        open.any_refusal = true;
        v.push(open);
    }

    let public_as_system = readings.is(OpenPoint::PublicImageAlias, "system");
    let contains = readings.is(OpenPoint::DescribeNameMatch, "contains");
    let wanted_status: Vec<&str> =
        statuses.as_ref().map_or_else(|| vec![STATUS_DEFAULT], |s| s.iter().map(String::as_str).collect());
    let wanted_alias: Vec<&str> =
        aliases.as_ref().map_or_else(|| OWNER_DEFAULT.to_vec(), |a| a.iter().map(String::as_str).collect());
    let usage_instance = usage.as_ref().is_some_and(|u| u.iter().any(|x| x == "instance"));
    let mut candidates: Vec<Listed> = Vec::new();
    if world.exhaustive {
        for image in world.images.iter().filter(|i| i.region == region) {
            if !wanted_status.contains(&image.status.name()) || usage_instance {
                continue;
            }
            if ids.as_ref().is_some_and(|ids| !ids.contains(&image.id)) {
                continue;
            }
            // Name: exactly, or (some readings) containing it.
            let (name_certain, name_maybe) = match &name {
                None => (true, true),
                Some(n) => {
                    let own = image.name.as_deref().unwrap_or_default();
                    (own == n, own.contains(n.as_str()))
                }
            };
            if !name_maybe {
                continue;
            }
            // Alias: a community image is listed under `system` by some readings only.
            let listed_as =
                |as_system: bool| alias_of(image, &caller.id, as_system).filter(|a| wanted_alias.contains(a));
            let (alias_certain, alias_maybe) = (
                listed_as(true).is_some() && listed_as(false).is_some(),
                listed_as(true).is_some() || listed_as(false).is_some(),
            );
            if !alias_maybe {
                continue;
            }
            let emulator = listed_as(public_as_system).is_some() && (name_certain || contains);
            let progress = match image.status {
                ImageStatus::Available => Some(100),
                _ => world.copy_progress(&image.id, scene.now),
            };
            candidates.push(Listed {
                id: image.id.clone(),
                status: image.status,
                progress,
                copied: image.copied,
                alias: alias_of(image, &caller.id, true).unwrap_or("system"),
                name: image.name.clone(),
                description: image.description.clone(),
                created_at: image.created_at,
                certain: name_certain && alias_certain,
                emulator,
            });
        }
    }
    let oldest_first = readings.is(OpenPoint::DescribeOrder, "oldest-first");
    candidates.sort_by(|a, b| {
        let by_time = if oldest_first { a.created_at.cmp(&b.created_at) } else { b.created_at.cmp(&a.created_at) };
        by_time.then_with(|| a.id.cmp(&b.id))
    });
    let listing = Listing {
        account: caller.id.clone(),
        region,
        page_number,
        page_size,
        candidates,
        judged,
        size_on_page: readings.is(OpenPoint::ReplyPageSize, "on-page"),
        time_in_minutes: readings.is(OpenPoint::CreationTimeFormat, "minutes"),
    };
    (v, Some(Effect::Describe(listing)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_values_are_documented_or_clamped() {
        assert_eq!(page_value(None, 10, 50), Ok(10));
        assert_eq!(page_value(Some("50"), 10, 50), Ok(50));
        assert_eq!(page_value(Some("51"), 10, 50), Err(50));
        assert_eq!(page_value(Some("0"), 10, 50), Err(1));
        assert_eq!(page_value(Some("ten"), 10, 50), Err(10));
        assert_eq!(page_value(Some("-1"), 10, 50), Err(10));
    }

    #[test]
    fn a_page_holds_what_the_emulator_lists_from_its_offset() {
        let item = |i: usize, emulator: bool| Listed {
            id: format!("m-{i}"),
            status: ImageStatus::Available,
            progress: Some(100),
            copied: false,
            alias: "self",
            name: None,
            description: None,
            created_at: Timestamp(0),
            certain: emulator,
            emulator,
        };
        let mut listing = Listing {
            account: "a".into(),
            region: "r".into(),
            page_number: 2,
            page_size: 2,
            candidates: (0..5).map(|i| item(i, i != 1)).collect(),
            judged: true,
            size_on_page: false,
            time_in_minutes: false,
        };
        let (page, total) = listing.page();
        assert_eq!(total, 4);
        assert_eq!(page.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), ["m-3", "m-4"]);
        assert_eq!(listing.total_bounds(), (4, 5));
        listing.page_number = 3;
        assert!(listing.page().0.is_empty());
    }
}
