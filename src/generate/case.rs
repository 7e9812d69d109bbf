//! Whole cases: an anchor, request knobs and a list of deviations.
//!
//! Owns [`CaseSpec`] (what proptest generates and shrinks), [`arb_case`] and
//! [`CaseSpec::materialize`], which turns an anchor and a spec into the concrete world
//! and [`Case`] to run. Most specs break one rule (targeted), some none (valid copies in
//! every signing mode and format), some several at once.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::call::{Call, arb_call};
use super::deviation::{Deviation, arb_deviation};
use super::newest::{arb_newest_extras, arb_newest_probe};
use super::values::{arb_valid_description, arb_valid_name};
use super::world::Anchor;
use crate::case::{Case, ParamValue};
use crate::model::{Format, World};
use crate::rules::Doc;
use crate::rules::newest::NEWEST_DESCRIPTION_LENGTH;
use crate::wire::sign::Signing;

/// How a case asks for its reply format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormatAsk {
    /// No `Format` parameter.
    Default,
    /// `Format=XML` or `Format=JSON`, in this spelling.
    Param(Format, Spelling),
}

/// The spelling of a `Format` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Spelling {
    /// `XML`, `JSON`.
    Upper,
    /// `xml`, `json`.
    Lower,
    /// `Xml`, `Json`.
    Title,
}

/// A generated case before it meets its anchor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseSpec {
    /// Signing mode.
    pub signing: Signing,
    /// Format asked for.
    pub format: FormatAsk,
    /// A valid destination name, if any.
    pub name: Option<String>,
    /// A valid destination description, if any.
    pub description: Option<String>,
    /// Deliberate deviations, applied in order.
    pub deviations: Vec<Deviation>,
    /// The newest page's parameters a valid request carries (profile 2026-01), added
    /// before the deviations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<(String, String)>,
    /// A companion call in its situation, instead of a CopyImage (then name,
    /// description and deviations are unused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<Call>,
}

impl FormatAsk {
    /// Adds the `Format` parameter it asks with, if any.
    fn apply(self, case: &mut Case) {
        if let FormatAsk::Param(f, spelling) = self {
            let v = f.param_value();
            let v = match spelling {
                Spelling::Upper => v.to_owned(),
                Spelling::Lower => v.to_ascii_lowercase(),
                Spelling::Title => format!("{}{}", &v[..1], v[1..].to_ascii_lowercase()),
            };
            case.params.push(("Format".into(), ParamValue::text(&v)));
        }
    }
}

/// How a case asks for its format. A V3 request carries no `Format` (protocol.md §4):
/// one that did could be answered in JSON whatever it asked, so V3 cases ask for their
/// default, JSON, and only where JSON is wanted.
fn arb_format(signing: Signing, formats: Vec<Format>) -> BoxedStrategy<FormatAsk> {
    if signing == Signing::V3 {
        return Just(FormatAsk::Default)
            .prop_filter("V3 answers JSON", move |_| formats.contains(&Format::Json))
            .boxed();
    }
    let spelling = prop::sample::select(vec![Spelling::Upper, Spelling::Lower, Spelling::Title]);
    let param = (prop::sample::select(formats.clone()), spelling).prop_map(|(f, s)| FormatAsk::Param(f, s));
    // Without XML, no case leaves the default (XML) to the target: the branch is left
    // out rather than filtered, so no draw is rejected (a run of `--format json` once
    // ended in "Too many local rejects").
    if formats.contains(&Format::Xml) {
        prop_oneof![1 => Just(FormatAsk::Default), 3 => param].boxed()
    } else {
        param.boxed()
    }
}

/// Cases in the given signing modes and formats under the seed's profile. Six in seven
/// are CopyImage cases: 15% valid, 60% one deviation, 25% two or three; one in seven is
/// a companion call ([`arb_call`]).
/// The strategy is built once per signing mode; generating a case builds nothing.
pub fn arb_case(signings: Vec<Signing>, formats: Vec<Format>) -> impl Strategy<Value = CaseSpec> {
    arb_case_in(Doc::June2018, signings, formats)
}

/// [`arb_case`] under a documentation profile: under `2026-01` a CopyImage case may
/// also carry the newest page's parameters ([`arb_newest_extras`]), and about one
/// deviation in four is one of them ([`arb_newest_probe`]).
pub fn arb_case_in(doc: Doc, signings: Vec<Signing>, formats: Vec<Format>) -> impl Strategy<Value = CaseSpec> {
    proptest::strategy::Union::new(signings.into_iter().map(move |s| arb_case_signed(doc, s, formats.clone()).boxed()))
}

fn arb_deviation_in(doc: Doc, signing: Signing) -> BoxedStrategy<Deviation> {
    match doc {
        Doc::June2018 => arb_deviation(signing).boxed(),
        Doc::January2026 => prop_oneof![
            3 => arb_deviation(signing),
            1 => arb_newest_probe().prop_map(|probe| Deviation::Newest { probe }),
        ]
        .boxed(),
    }
}

fn arb_case_signed(doc: Doc, signing: Signing, formats: Vec<Format>) -> impl Strategy<Value = CaseSpec> {
    // The several-deviation branch draws one to three (two or three in two draws of
    // three) rather than two or three, so that its cases can shrink to a single
    // deviation: proptest never shrinks a list below its smallest size. Weights keep
    // 15% valid, 60% one deviation, 25% two or three.
    let deviations = prop_oneof![
        6 => Just(Vec::new()),
        19 => prop::collection::vec(arb_deviation_in(doc, signing), 1..=1),
        15 => prop::collection::vec(arb_deviation_in(doc, signing), 1..=3),
    ];
    let extras = match doc {
        Doc::June2018 => Just(Vec::new()).boxed(),
        Doc::January2026 => {
            prop::option::weighted(0.5, arb_newest_extras()).prop_map(Option::unwrap_or_default).boxed()
        }
    };
    let copy = (
        Just(signing),
        arb_format(signing, formats.clone()),
        prop::option::weighted(0.5, arb_valid_name()),
        prop::option::weighted(0.3, arb_valid_description()),
        deviations,
        extras,
    )
        .prop_map(move |(signing, format, name, description, deviations, extras)| CaseSpec {
            signing,
            format,
            name,
            // The newest page's descriptions are 2 to 256 characters: a valid base keeps
            // to both pages.
            description: description.filter(|d| doc.is_seed() || d.chars().count() >= NEWEST_DESCRIPTION_LENGTH.0),
            deviations,
            extras,
            call: None,
        });
    let companion = (arb_format(signing, formats), arb_call()).prop_map(move |(format, call)| CaseSpec {
        signing,
        format,
        name: None,
        description: None,
        deviations: Vec::new(),
        extras: Vec::new(),
        call: Some(call),
    });
    prop_oneof![6 => copy, 1 => companion]
}

impl CaseSpec {
    /// The world and case this spec makes of an anchor.
    pub fn materialize(&self, anchor: &Anchor) -> (World, Case) {
        let mut world = anchor.world.clone();
        if let Some(call) = &self.call {
            let mut case = call.materialize(anchor, &mut world);
            case.signing = self.signing;
            self.format.apply(&mut case);
            return (world, case);
        }
        let mut case = Case::new(
            self.signing,
            &[
                ("RegionId", &anchor.source_region),
                ("ImageId", &anchor.image),
                ("DestinationRegionId", &anchor.destination),
            ],
        );
        case.key = anchor.key.clone();
        if let Some(n) = &self.name {
            case.params.push(("DestinationImageName".into(), ParamValue::text(n)));
        }
        if let Some(d) = &self.description {
            case.params.push(("DestinationDescription".into(), ParamValue::text(d)));
        }
        self.format.apply(&mut case);
        for (n, v) in &self.extras {
            case.params.push((n.clone(), ParamValue::text(v)));
        }
        for v in &self.deviations {
            v.apply(anchor, &mut world, &mut case);
        }
        (world, case)
    }

    /// The spec without deviations that a later one overrides (removing them leaves
    /// the world and the case unchanged).
    pub fn effective(&self, anchor: &Anchor) -> CaseSpec {
        let mut spec = self.clone();
        let made = spec.materialize(anchor);
        let mut i = 0;
        while i < spec.deviations.len() {
            let mut without = spec.clone();
            without.deviations.remove(i);
            if without.materialize(anchor) == made {
                spec = without;
            } else {
                i += 1;
            }
        }
        spec
    }

    /// The rules the spec means to break (a companion call's: the rule it aims at).
    pub fn targets(&self) -> Vec<crate::rules::RuleId> {
        match &self.call {
            Some(call) if !call.is_valid() => vec![call.rule()],
            Some(_) => Vec::new(),
            None => self.deviations.iter().map(Deviation::rule).collect(),
        }
    }
}
