//! Stateful sequences: copies, the companion calls on them, clock advances and world
//! checks.
//!
//! Owns [`Step`] and [`arb_steps`]: sequences that copy a source again while its copy
//! runs, fill a destination's quota to the limit and past it, reuse a name an earlier
//! copy took, describe, cancel (naming the copy or its source) and delete the copies
//! made, list the destination a page at a time, and advance the clock past a copy's
//! completion before reading the world back; and the scripted lives of a copy the
//! companion pages describe. [`Step::case`] turns a step into a [`Case`] against an anchor.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::values::{DIGITS, LOWER, arb_text, arb_valid_description, arb_valid_name};
use super::world::Anchor;
use crate::case::{Case, CopyRef, ParamValue, ReplayStep};
use crate::model::ImageStatus;
use crate::oracle::life::STATUS_VALUES;
use crate::rules::Doc;
use crate::rules::protocol::Action;
use crate::wire::sign::Signing;

/// One step of a sequence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// Copy an image.
    Copy {
        /// Signing mode.
        signing: Signing,
        /// Which image: 0 is the anchor's, then its spares (wrapping).
        source: usize,
        /// To the anchor's destination (else another region, wrapping).
        to_destination: bool,
        /// Another region, by index.
        other: usize,
        /// Name: none, fresh, or the name of an earlier copy step.
        name: NamePick,
        /// Description.
        description: Option<String>,
        /// The newest page's parameters it carries (profile 2026-01): a `ClientToken`,
        /// `DryRun=true`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        extra: Vec<(String, String)>,
    },
    /// Advance the clock.
    Advance {
        /// Seconds.
        seconds: u32,
    },
    /// Advance the clock past the end of every copy made so far.
    Finish,
    /// Read the target's world and compare it with the model.
    Check,
    /// DescribeImages of an earlier copy's image, in its region.
    Describe {
        /// Signing mode.
        signing: Signing,
        /// Which copy (wrapping).
        copy: usize,
        /// `Status`: none (the default, `Available`), or documented values.
        status: Option<String>,
    },
    /// DescribeImages of the anchor's destination, one page of every status.
    List {
        /// Signing mode.
        signing: Signing,
        /// `PageSize`.
        page_size: u64,
        /// `PageNumber`.
        page_number: u64,
    },
    /// CancelCopyImage of an earlier copy, naming its image or its source.
    Cancel {
        /// Signing mode.
        signing: Signing,
        /// Which copy (wrapping).
        copy: usize,
        /// Name the source image (in its region) rather than the copy.
        source: bool,
    },
    /// DeleteImage of an earlier copy's image. (Deleting its source while it runs is
    /// left to single cases, point `delete-copy-source`: what then becomes of the copy
    /// no page says, so no later step could be judged.)
    Delete {
        /// Signing mode.
        signing: Signing,
        /// Which copy (wrapping).
        copy: usize,
    },
}

/// How a copy step names its image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "value", rename_all = "kebab-case")]
pub enum NamePick {
    /// No name.
    None,
    /// A fresh valid name.
    Fresh(String),
    /// The name of the n-th earlier named copy (wrapping); fresh if there is none.
    Reuse(usize),
}

fn arb_copy(signings: Vec<Signing>) -> impl Strategy<Value = Step> {
    let name = prop_oneof![1 => Just(NamePick::None), 2 => arb_valid_name().prop_map(NamePick::Fresh), 2 => (0usize..4).prop_map(NamePick::Reuse)];
    (
        prop::sample::select(signings),
        0usize..4,
        prop::bool::weighted(0.8),
        0usize..6,
        name,
        prop::option::weighted(0.3, arb_valid_description()),
    )
        .prop_map(|(signing, source, to_destination, other, name, description)| Step::Copy {
            signing,
            source,
            to_destination,
            other,
            name,
            description,
            extra: Vec::new(),
        })
}

/// The statuses a copy has in its life, `Creating,Available`, as a `Status` filter.
fn copy_statuses() -> String {
    format!("{},{}", ImageStatus::Creating.name(), ImageStatus::Available.name())
}

/// A `Status` filter: none (the default), one documented value, or both a copy's.
fn arb_status() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        prop::sample::select(STATUS_VALUES.to_vec()).prop_map(|s| Some(s.to_owned())),
        Just(Some(copy_statuses())),
    ]
}

fn arb_life(signings: Vec<Signing>) -> impl Strategy<Value = Step> {
    let signing = prop::sample::select(signings);
    prop_oneof![
        (signing.clone(), 0usize..4, arb_status()).prop_map(|(signing, copy, status)| Step::Describe {
            signing,
            copy,
            status
        }),
        (signing.clone(), 1u64..4, 1u64..4).prop_map(|(signing, page_size, page_number)| Step::List {
            signing,
            page_size,
            page_number
        }),
        (signing.clone(), 0usize..4, prop::bool::weighted(0.2)).prop_map(|(signing, copy, source)| Step::Cancel {
            signing,
            copy,
            source
        }),
        (signing, 0usize..4).prop_map(|(signing, copy)| Step::Delete { signing, copy }),
    ]
}

fn arb_step(signings: Vec<Signing>) -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => arb_copy(signings.clone()),
        2 => prop_oneof![1 => 1u32..30, 2 => 30u32..700].prop_map(|seconds| Step::Advance { seconds }),
        1 => Just(Step::Finish),
        3 => arb_life(signings),
        1 => Just(Step::Check),
    ]
}

/// The same copy, always of the anchor's image to its destination.
fn to_destination(mut step: Step) -> Step {
    if let Step::Copy { source, to_destination, .. } = &mut step {
        *source = 0;
        *to_destination = true;
    }
    step
}

/// The life of a copy, as the issue of the companion calls spells it out: watched
/// until it finishes; refused deletion, cancelled, gone, its source copyable again
/// (also into the slot of the quota it freed); cancelled after it finished; listed a
/// page at a time among others; hidden by the default `Status` while it runs.
fn arb_scenario(signings: Vec<Signing>) -> impl Strategy<Value = Vec<Step>> {
    let signing = prop::sample::select(signings.clone());
    let copy = arb_copy(signings).prop_map(to_destination).boxed();
    let copies = prop::collection::vec(copy.clone(), 1..4);
    let watch = (copy.clone(), signing.clone(), arb_status()).prop_map(|(c, signing, status)| {
        vec![
            c,
            Step::Describe { signing, copy: 0, status },
            Step::Finish,
            Step::Describe { signing, copy: 0, status: None },
            Step::Check,
        ]
    });
    let cancel = (copies.clone(), copy.clone(), signing.clone(), prop::bool::weighted(0.25)).prop_map(
        |(mut steps, again, signing, source)| {
            steps.extend([
                Step::Delete { signing, copy: 0 },
                Step::Cancel { signing, copy: 0, source },
                Step::Describe { signing, copy: 0, status: Some(copy_statuses()) },
                Step::Check,
                again,
                Step::Check,
            ]);
            steps
        },
    );
    let finished = (copy.clone(), signing.clone()).prop_map(|(c, signing)| {
        vec![
            c,
            Step::Finish,
            Step::Cancel { signing, copy: 0, source: false },
            Step::Delete { signing, copy: 0 },
            Step::Check,
        ]
    });
    let pages = (copies, signing.clone(), 1u64..3).prop_map(|(mut steps, signing, page_size)| {
        for page_number in 1..=3 {
            steps.push(Step::List { signing, page_size, page_number });
        }
        steps.extend([Step::Finish, Step::List { signing, page_size, page_number: 1 }, Step::Check]);
        steps
    });
    let hidden = (copy, signing)
        .prop_map(|(c, signing)| vec![c, Step::Describe { signing, copy: 0, status: None }, Step::Check]);
    prop_oneof![watch, cancel, finished, pages, hidden]
}

/// The newest page's lives of a copy (profile 2026-01): a copy made with a
/// `ClientToken` and retried with it (the same ImageId, nothing more copied, though the
/// source is being copied), then with another name (a conflict, not a second copy); a
/// dry run that copies nothing, then the copy itself.
fn arb_newest_scenario(signings: Vec<Signing>) -> impl Strategy<Value = Vec<Step>> {
    let copy = arb_copy(signings).prop_map(to_destination).boxed();
    let token = arb_text(&[LOWER, DIGITS], 8..=24).prop_map(|t| format!("ct-{t}"));
    let with = |step: &Step, extra: Vec<(String, String)>| match step.clone() {
        Step::Copy { signing, source, to_destination, other, name, description, .. } => {
            Step::Copy { signing, source, to_destination, other, name, description, extra }
        }
        other => other,
    };
    let retry = (copy.clone(), token, any::<bool>()).prop_map(move |(c, token, conflict)| {
        let tagged = with(&c, vec![("ClientToken".into(), token.clone())]);
        let mut steps = vec![tagged.clone(), tagged.clone(), Step::Check];
        if conflict {
            let renamed = match tagged {
                Step::Copy { signing, source, to_destination, other, description, extra, .. } => Step::Copy {
                    signing,
                    source,
                    to_destination,
                    other,
                    name: NamePick::Fresh("another-name".into()),
                    description,
                    extra,
                },
                other => other,
            };
            steps.extend([renamed, Step::Check]);
        }
        steps
    });
    let dry =
        copy.prop_map(move |c| vec![with(&c, vec![("DryRun".into(), "true".into())]), Step::Check, c, Step::Check]);
    prop_oneof![retry, dry]
}

/// Sequences of 2 to 10 steps, always ending with a world check: random mixes of
/// copies, clock steps and the companion calls, or one of the scripted lives of a copy.
pub fn arb_steps(signings: Vec<Signing>) -> impl Strategy<Value = Vec<Step>> {
    arb_steps_in(Doc::June2018, signings)
}

/// [`arb_steps`] under a documentation profile: under `2026-01` one sequence in five
/// is one of the newest page's lives of a copy (a token retried, a dry run).
pub fn arb_steps_in(doc: Doc, signings: Vec<Signing>) -> impl Strategy<Value = Vec<Step>> {
    let mixed = prop::collection::vec(arb_step(signings.clone()), 2..10);
    let seed = prop_oneof![3 => mixed, 2 => arb_scenario(signings.clone())];
    let all = match doc {
        Doc::June2018 => seed.boxed(),
        Doc::January2026 => prop_oneof![4 => seed, 1 => arb_newest_scenario(signings)].boxed(),
    };
    all.prop_map(|mut steps| {
        if steps.last() != Some(&Step::Check) {
            steps.push(Step::Check);
        }
        steps
    })
}

impl Step {
    /// The case a copy step sends; `names` are the names earlier copy steps used.
    pub fn case(&self, anchor: &Anchor, names: &[String]) -> Option<(Case, Option<String>)> {
        let Step::Copy { signing, source, to_destination, other, name, description, extra } = self else {
            return self.life(anchor).map(|case| (case, None));
        };
        let sources: Vec<&String> = std::iter::once(&anchor.image).chain(anchor.spares.iter()).collect();
        let image = sources[source % sources.len()];
        let others: Vec<&String> =
            anchor.world.regions.iter().map(|r| &r.id).filter(|r| **r != anchor.source_region).collect();
        let dest =
            if *to_destination || others.is_empty() { &anchor.destination } else { others[other % others.len()] };
        let mut case = Case::new(
            *signing,
            &[("RegionId", &anchor.source_region), ("ImageId", image), ("DestinationRegionId", dest)],
        );
        case.key = anchor.key.clone();
        let chosen = match name {
            NamePick::None => None,
            NamePick::Fresh(n) => Some(n.clone()),
            NamePick::Reuse(i) if !names.is_empty() => Some(names[i % names.len()].clone()),
            NamePick::Reuse(i) => Some(format!("reused-{i}")),
        };
        if let Some(n) = &chosen {
            case.params.push(("DestinationImageName".into(), ParamValue::text(n)));
        }
        if let Some(d) = description {
            case.params.push(("DestinationDescription".into(), ParamValue::text(d)));
        }
        for (n, v) in extra {
            case.params.push((n.clone(), ParamValue::text(v)));
        }
        Some((case, chosen))
    }

    /// The case a companion step sends, naming earlier copies by placeholder.
    fn life(&self, anchor: &Anchor) -> Option<Case> {
        let named = |signing: &Signing, action: Action, copy: usize, source: bool| {
            let (region, image) = if source { ("source-region", "source") } else { ("copy-region", "copy") };
            let mut case = Case::new(*signing, &[]).for_action(action);
            case.key = anchor.key.clone();
            case.params.push(("RegionId".into(), CopyRef::placeholder(region, copy)));
            case.params.push(("ImageId".into(), CopyRef::placeholder(image, copy)));
            case
        };
        Some(match self {
            Step::Describe { signing, copy, status } => {
                let mut case = named(signing, Action::DescribeImages, *copy, false);
                if let Some(s) = status {
                    case.params.push(("Status".into(), ParamValue::text(s)));
                }
                case
            }
            Step::Cancel { signing, copy, source } => named(signing, Action::CancelCopyImage, *copy, *source),
            Step::Delete { signing, copy } => named(signing, Action::DeleteImage, *copy, false),
            Step::List { signing, page_size, page_number } => {
                let every = STATUS_VALUES.join(",");
                let (size, number) = (page_size.to_string(), page_number.to_string());
                let mut case = Case::new(
                    *signing,
                    &[
                        ("RegionId", &anchor.destination),
                        ("Status", &every),
                        ("PageSize", &size),
                        ("PageNumber", &number),
                    ],
                )
                .for_action(Action::DescribeImages);
                case.key = anchor.key.clone();
                case
            }
            Step::Copy { .. } | Step::Advance { .. } | Step::Finish | Step::Check => return None,
        })
    }
}

/// Turns generated steps into replayable ones against an anchor: copy and companion
/// steps become cases, names reused from earlier copies resolved (the copies' ids stay
/// placeholders until the target gives them), `Finish` the anchor's copy duration.
pub fn resolve(anchor: &Anchor, steps: &[Step]) -> Vec<ReplayStep> {
    let mut names = Vec::new();
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Advance { seconds } => Some(ReplayStep::Advance { seconds: *seconds }),
            Step::Finish => Some(ReplayStep::Advance { seconds: anchor.world.copy_duration_seconds.saturating_add(1) }),
            Step::Check => Some(ReplayStep::Check),
            _ => s.case(anchor, &names).map(|(case, name)| {
                names.extend(name);
                ReplayStep::Send { case }
            }),
        })
        .collect()
}
