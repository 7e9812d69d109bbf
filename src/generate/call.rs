//! Cases for the companion calls: DescribeImages, CancelCopyImage, DeleteImage and
//! DescribeRegions, valid and adversarial, one situation at a time.
//!
//! Owns [`Call`] and [`arb_call`]: each call names the situation it puts an anchor's
//! world in (a copy of the anchor's image in progress, a finished copy, an image being
//! created, another account's or a system image) and the request it sends (valid
//! filters and pages, or one odd value: an unknown region or image, a Status, alias,
//! Usage or page value outside the page's lists, an empty filter, a `Force` that is
//! neither `true` nor `false`). [`Call::rule`] is the rule it aims at and
//! [`Call::is_open`] whether that rule's outcome is open.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::deviation::{fresh_image_id, placeholder};
use super::world::Anchor;
use crate::case::Case;
use crate::model::{Copy, ImageKind, ImageStatus, World};
use crate::oracle::life::{FORCE_VALUES, OWNER_ALIASES, PAGE_SIZE, STATUS_VALUES, USAGE_VALUES};
use crate::rules::RuleId;
use crate::rules::protocol::Action;

/// A region id no generated world holds.
const NO_REGION: &str = "cn-nowhere-9";
/// An image id no generated world holds.
const NO_IMAGE: &str = "m-nosuchimage00000000";

/// What DescribeImages filters by (every value documented).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// `Status`: documented values, comma-separated.
    pub status: Option<Vec<String>>,
    /// `ImageOwnerAlias`.
    pub alias: Option<String>,
    /// `ImageId`: the anchor's image, its spares, or an id no image has.
    pub ids: Option<Vec<usize>>,
    /// `ImageName`: the anchor image's name.
    pub by_name: bool,
    /// `Usage`: `none` or `instance`.
    pub usage: Option<String>,
    /// `PageSize`, 1 to 50.
    pub page_size: Option<u64>,
    /// `PageNumber`, 1 to 3.
    pub page_number: Option<u64>,
}

/// One companion call in one situation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "kebab-case")]
pub enum Call {
    /// DescribeRegions.
    Regions,
    /// DescribeImages with documented filters: of the source region, or, with a copy
    /// of the anchor's image in progress, of the destination it runs into.
    Describe {
        /// The filters.
        filters: Filters,
        /// Whether a copy of the anchor's image runs (and the destination is listed).
        copying: bool,
    },
    /// DescribeImages of a region that does not exist.
    DescribeUnknownRegion,
    /// DescribeImages with a `Status` no 2018 page lists.
    DescribeOddStatus {
        /// The value.
        value: String,
    },
    /// DescribeImages with an `ImageOwnerAlias` no page lists.
    DescribeBadAlias {
        /// The value.
        value: String,
    },
    /// DescribeImages with a `Usage` no page lists.
    DescribeBadUsage {
        /// The value.
        value: String,
    },
    /// DescribeImages with a `PageSize` or `PageNumber` outside its range.
    DescribeOddPage {
        /// `PageSize` (else `PageNumber`).
        size: bool,
        /// The value.
        value: String,
    },
    /// DescribeImages with a filter given empty.
    DescribeEmptyFilter {
        /// The filter.
        name: String,
    },
    /// CancelCopyImage of a copy in progress of the anchor's image, naming the copy
    /// in its region (else the source in its own).
    CancelCopy {
        /// Name the source rather than the copy.
        source: bool,
    },
    /// CancelCopyImage of a copy that finished.
    CancelFinished,
    /// CancelCopyImage of the anchor's image, which no copy made.
    CancelNotCopy,
    /// CancelCopyImage of an image that does not exist.
    CancelMissing,
    /// CancelCopyImage in a region that does not exist.
    CancelUnknownRegion,
    /// DeleteImage of the anchor's image, `Force` as given.
    Delete {
        /// `Force`: `true`, `false` or another value.
        force: Option<String>,
    },
    /// DeleteImage of a copy in progress of the anchor's image (else of its source).
    DeleteCopying {
        /// Name the source rather than the copy.
        source: bool,
    },
    /// DeleteImage of an image being created (no copy).
    DeleteCreating,
    /// DeleteImage of an image that is not the caller's custom image.
    DeleteNotOwn {
        /// A system image (else another account's custom image).
        system: bool,
    },
    /// DeleteImage of an image that does not exist.
    DeleteMissing,
    /// DeleteImage in a region that does not exist.
    DeleteUnknownRegion,
}

fn arb_filters() -> impl Strategy<Value = Filters> {
    let status = prop::option::weighted(0.4, prop::sample::subsequence(STATUS_VALUES.to_vec(), 1..=4))
        .prop_map(|s| s.map(|s| s.into_iter().map(str::to_owned).collect()));
    let alias = prop::option::weighted(0.3, prop::sample::select(OWNER_ALIASES.to_vec()).prop_map(str::to_owned));
    let ids = prop::option::weighted(0.3, prop::collection::vec(0usize..5, 1..4));
    let usage = prop::option::weighted(0.1, prop::sample::select(USAGE_VALUES.to_vec()).prop_map(str::to_owned));
    let size = prop::option::weighted(0.4, prop_oneof![1u64..=3, Just(PAGE_SIZE.1)]);
    let number = prop::option::weighted(0.3, 1u64..=3);
    (status, alias, ids, prop::bool::weighted(0.2), usage, size, number).prop_map(
        |(status, alias, ids, by_name, usage, page_size, page_number)| Filters {
            status,
            alias,
            ids,
            by_name,
            usage,
            page_size,
            page_number,
        },
    )
}

/// `PageSize` values outside the 2018 page's range: each side of it, past the later
/// pages' maximum (100), and values that are no integer.
fn odd_page_sizes() -> Vec<String> {
    let numbers = [0, PAGE_SIZE.1 + 1, 2 * PAGE_SIZE.1 + 1].map(|n| n.to_string());
    numbers.into_iter().chain(["ten".to_owned(), "-1".to_owned()]).collect()
}

/// Companion calls: about a third valid, the rest one odd value or situation each.
pub fn arb_call() -> impl Strategy<Value = Call> {
    let text = |v: Vec<&'static str>| prop::sample::select(v).prop_map(str::to_owned);
    prop_oneof![
        2 => Just(Call::Regions),
        6 => (arb_filters(), prop::bool::weighted(0.5)).prop_map(|(filters, copying)| Call::Describe { filters, copying }),
        1 => Just(Call::DescribeUnknownRegion),
        1 => text(vec!["Waiting", "Deprecated", "Sleeping", "available"]).prop_map(|value| Call::DescribeOddStatus { value }),
        1 => text(vec!["friends", "Self", "SYSTEM", "public"]).prop_map(|value| Call::DescribeBadAlias { value }),
        1 => text(vec!["sometimes", "Instance", "all"]).prop_map(|value| Call::DescribeBadUsage { value }),
        1 => prop_oneof![
            // Each side of the documented range, the later pages' maximum, no integer.
            prop::sample::select(odd_page_sizes()).prop_map(|value| Call::DescribeOddPage { size: true, value }),
            text(vec!["0", "first", "-1"]).prop_map(|value| Call::DescribeOddPage { size: false, value }),
        ],
        1 => text(vec!["Status", "ImageOwnerAlias", "Usage", "ImageId", "ImageName"]).prop_map(|name| Call::DescribeEmptyFilter { name }),
        3 => any::<bool>().prop_map(|source| Call::CancelCopy { source }),
        1 => Just(Call::CancelFinished),
        1 => Just(Call::CancelNotCopy),
        1 => Just(Call::CancelMissing),
        1 => Just(Call::CancelUnknownRegion),
        3 => prop::option::weighted(
            0.4,
            prop::sample::select(FORCE_VALUES.iter().chain(&["maybe", "TRUE", "1"]).map(|f| f.to_string()).collect::<Vec<_>>())
        )
        .prop_map(|force| Call::Delete { force }),
        2 => any::<bool>().prop_map(|source| Call::DeleteCopying { source }),
        1 => Just(Call::DeleteCreating),
        1 => any::<bool>().prop_map(|system| Call::DeleteNotOwn { system }),
        1 => Just(Call::DeleteMissing),
        1 => Just(Call::DeleteUnknownRegion),
    ]
}

impl Call {
    /// The call it makes.
    pub fn action(&self) -> Action {
        match self {
            Call::Regions => Action::DescribeRegions,
            Call::Describe { .. }
            | Call::DescribeUnknownRegion
            | Call::DescribeOddStatus { .. }
            | Call::DescribeBadAlias { .. }
            | Call::DescribeBadUsage { .. }
            | Call::DescribeOddPage { .. }
            | Call::DescribeEmptyFilter { .. } => Action::DescribeImages,
            Call::CancelCopy { .. }
            | Call::CancelFinished
            | Call::CancelNotCopy
            | Call::CancelMissing
            | Call::CancelUnknownRegion => Action::CancelCopyImage,
            _ => Action::DeleteImage,
        }
    }

    /// The rule it aims at.
    pub fn rule(&self) -> RuleId {
        match self {
            Call::Regions => RuleId::RegionsListed,
            Call::Describe { .. } => RuleId::DescribeListed,
            Call::DescribeUnknownRegion => RuleId::DescribeRegion,
            Call::DescribeOddStatus { .. } => RuleId::DescribeStatus,
            Call::DescribeBadAlias { .. } => RuleId::DescribeOwnerAlias,
            Call::DescribeBadUsage { .. } => RuleId::DescribeUsage,
            Call::DescribeOddPage { .. } => RuleId::DescribePaging,
            Call::DescribeEmptyFilter { name } => match name.as_str() {
                "Status" => RuleId::DescribeStatus,
                "ImageOwnerAlias" => RuleId::DescribeOwnerAlias,
                "Usage" => RuleId::DescribeUsage,
                _ => RuleId::DescribeListed,
            },
            Call::CancelCopy { .. } => RuleId::CancelCopyTarget,
            Call::CancelFinished => RuleId::CancelNotComplete,
            Call::CancelNotCopy => RuleId::CancelCopyTarget,
            Call::CancelMissing => RuleId::CancelImage,
            Call::CancelUnknownRegion => RuleId::CancelRegion,
            Call::Delete { force: Some(f) } if !FORCE_VALUES.contains(&f.as_str()) => RuleId::DeleteForce,
            Call::Delete { .. } => RuleId::DeleteSucceeds,
            Call::DeleteCopying { .. } => RuleId::DeleteNotCopying,
            Call::DeleteCreating => RuleId::DeleteNotCreating,
            Call::DeleteNotOwn { .. } => RuleId::DeleteOwnCustom,
            Call::DeleteMissing => RuleId::DeleteImageExists,
            Call::DeleteUnknownRegion => RuleId::DeleteRegion,
        }
    }

    /// Whether the documents leave its outcome open (the request may succeed or not).
    pub fn is_open(&self) -> bool {
        match self {
            Call::DescribeUnknownRegion
            | Call::DescribeOddStatus { .. }
            | Call::DescribeOddPage { .. }
            | Call::DescribeEmptyFilter { .. }
            | Call::CancelCopy { .. }
            | Call::DeleteMissing => true,
            Call::DeleteCopying { source } => *source,
            Call::Delete { force } => force.as_deref().is_some_and(|f| !FORCE_VALUES.contains(&f)),
            _ => false,
        }
    }

    /// Whether it is valid (success is its only outcome).
    pub fn is_valid(&self) -> bool {
        matches!(self, Call::Regions | Call::Describe { .. }) || matches!(self, Call::Delete { .. }) && !self.is_open()
    }

    /// Puts the situation into `world` and returns the request's parameters.
    pub fn materialize(&self, anchor: &Anchor, world: &mut World) -> Case {
        let name = "life";
        let src = anchor.source_region.as_str();
        let dest = anchor.destination.as_str();
        let mut params: Vec<(&str, String)> = Vec::new();
        let mut put = |k: &'static str, v: &str| params.push((k, v.to_owned()));
        match self {
            Call::Regions => {}
            Call::Describe { filters, copying } => {
                // With a copy running: the destination's list, where the copy is.
                if *copying {
                    add_copy(anchor, world, dest, name);
                }
                put("RegionId", if *copying { dest } else { src });
                describe_filters(anchor, filters, &mut put);
            }
            Call::DescribeUnknownRegion => put("RegionId", NO_REGION),
            Call::DescribeOddStatus { value } => {
                put("RegionId", src);
                put("Status", value);
            }
            Call::DescribeBadAlias { value } => {
                put("RegionId", src);
                put("ImageOwnerAlias", value);
            }
            Call::DescribeBadUsage { value } => {
                put("RegionId", src);
                put("Usage", value);
            }
            Call::DescribeOddPage { size, value } => {
                put("RegionId", src);
                put(if *size { "PageSize" } else { "PageNumber" }, value);
            }
            Call::DescribeEmptyFilter { name } => {
                put("RegionId", src);
                let key = match name.as_str() {
                    "Status" => "Status",
                    "ImageOwnerAlias" => "ImageOwnerAlias",
                    "Usage" => "Usage",
                    "ImageId" => "ImageId",
                    _ => "ImageName",
                };
                put(key, "");
            }
            Call::CancelCopy { source } | Call::DeleteCopying { source } => {
                let copy = add_copy(anchor, world, dest, name);
                if *source {
                    put("RegionId", src);
                    put("ImageId", &anchor.image);
                } else {
                    put("RegionId", dest);
                    put("ImageId", &copy);
                }
            }
            Call::CancelFinished => {
                let id = add_image(anchor, world, dest, name, |i| i.copied = true);
                put("RegionId", dest);
                put("ImageId", &id);
            }
            Call::CancelNotCopy | Call::Delete { .. } => {
                put("RegionId", src);
                put("ImageId", &anchor.image);
                if let Call::Delete { force: Some(f) } = self {
                    put("Force", f);
                }
            }
            Call::CancelMissing | Call::DeleteMissing => {
                put("RegionId", src);
                put("ImageId", NO_IMAGE);
            }
            Call::CancelUnknownRegion | Call::DeleteUnknownRegion => {
                put("RegionId", NO_REGION);
                put("ImageId", &anchor.image);
            }
            Call::DeleteCreating => {
                let id = add_image(anchor, world, src, name, |i| i.status = ImageStatus::Creating);
                put("RegionId", src);
                put("ImageId", &id);
            }
            Call::DeleteNotOwn { system } => {
                let other = anchor.other_account.clone();
                let id = add_image(anchor, world, src, name, |i| {
                    if *system {
                        i.kind = ImageKind::System;
                        i.owner = None;
                    } else {
                        i.owner = Some(other);
                    }
                });
                put("RegionId", src);
                put("ImageId", &id);
            }
        }
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut case = Case::new(crate::wire::sign::Signing::V1Get, &pairs).for_action(self.action());
        case.key = anchor.key.clone();
        case
    }
}

fn describe_filters(anchor: &Anchor, f: &Filters, put: &mut impl FnMut(&'static str, &str)) {
    if let Some(s) = &f.status {
        put("Status", &s.join(","));
    }
    if let Some(a) = &f.alias {
        put("ImageOwnerAlias", a);
    }
    if let Some(ids) = &f.ids {
        let pool: Vec<&str> =
            std::iter::once(anchor.image.as_str()).chain(anchor.spares.iter().map(String::as_str)).collect();
        let chosen: Vec<&str> = ids.iter().map(|i| pool.get(*i).copied().unwrap_or(NO_IMAGE)).collect();
        put("ImageId", &chosen.join(","));
    }
    if f.by_name {
        if let Some(n) = anchor.world.image(&anchor.image).and_then(|i| i.name.clone()) {
            put("ImageName", &n);
        }
    }
    if let Some(u) = &f.usage {
        put("Usage", u);
    }
    if let Some(n) = f.page_size {
        put("PageSize", &n.to_string());
    }
    if let Some(n) = f.page_number {
        put("PageNumber", &n.to_string());
    }
}

/// Adds an image of the caller's in `region`, changed by `edit`; returns its id.
fn add_image(
    anchor: &Anchor,
    world: &mut World,
    region: &str,
    name: &str,
    edit: impl FnOnce(&mut crate::model::Image),
) -> String {
    let mut image = placeholder(anchor);
    image.id = fresh_image_id(world);
    image.region = region.to_owned();
    image.name = Some(format!("{name}-life"));
    image.created_at = world.clock.now(crate::model::Timestamp(0)).plus(-3_600);
    edit(&mut image);
    let id = image.id.clone();
    world.images.push(image);
    id
}

/// Adds a copy in progress of the anchor's image into `region`; returns the copy's id.
fn add_copy(anchor: &Anchor, world: &mut World, region: &str, name: &str) -> String {
    let now = world.clock.now(crate::model::Timestamp(0));
    let id = add_image(anchor, world, region, name, |i| {
        i.status = ImageStatus::Creating;
        i.copied = true;
        i.created_at = now.plus(-10);
    });
    world.copies.push(Copy {
        source_image: anchor.image.clone(),
        destination_image: id.clone(),
        destination_region: region.to_owned(),
        started_at: now.plus(-10),
        completes_at: now.plus(i64::from(world.copy_duration_seconds.max(60))),
    });
    id
}
