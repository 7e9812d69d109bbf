//! Stateful sequences: copies, clock advances and world checks.
//!
//! Owns [`Step`] and [`arb_steps`]: sequences that copy a source again while its copy
//! runs, fill a destination's quota to the limit and past it, reuse a name an earlier
//! copy took, and advance the clock past a copy's completion before reading the world
//! back. [`Step::case`] turns a copy step into a [`Case`] against an anchor.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::values::{arb_valid_description, arb_valid_name};
use super::world::Anchor;
use crate::case::{Case, ParamValue, ReplayStep};
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
    },
    /// Advance the clock.
    Advance {
        /// Seconds.
        seconds: u32,
    },
    /// Read the target's world and compare it with the model.
    Check,
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

fn arb_step(signings: Vec<Signing>) -> impl Strategy<Value = Step> {
    let name = prop_oneof![1 => Just(NamePick::None), 2 => arb_valid_name().prop_map(NamePick::Fresh), 2 => (0usize..4).prop_map(NamePick::Reuse)];
    let copy = (
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
        });
    prop_oneof![
        6 => copy,
        2 => prop_oneof![1 => 1u32..30, 2 => 30u32..700].prop_map(|seconds| Step::Advance { seconds }),
        1 => Just(Step::Check),
    ]
}

/// Sequences of 2 to 10 steps, always ending with a world check.
pub fn arb_steps(signings: Vec<Signing>) -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(arb_step(signings), 2..10).prop_map(|mut steps| {
        if steps.last() != Some(&Step::Check) {
            steps.push(Step::Check);
        }
        steps
    })
}

impl Step {
    /// The case a copy step sends; `names` are the names earlier copy steps used.
    pub fn case(&self, anchor: &Anchor, names: &[String]) -> Option<(Case, Option<String>)> {
        let Step::Copy { signing, source, to_destination, other, name, description } = self else {
            return None;
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
        Some((case, chosen))
    }
}

/// Turns generated steps into replayable ones against an anchor: copy steps become
/// cases, names reused from earlier copies resolved.
pub fn resolve(anchor: &Anchor, steps: &[Step]) -> Vec<ReplayStep> {
    let mut names = Vec::new();
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Copy { .. } => s.case(anchor, &names).map(|(case, name)| {
                names.extend(name);
                ReplayStep::Send { case }
            }),
            Step::Advance { seconds } => Some(ReplayStep::Advance { seconds: *seconds }),
            Step::Check => Some(ReplayStep::Check),
        })
        .collect()
}
