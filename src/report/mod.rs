//! Reports: what the suite tells people.
//!
//! Owns the certification [`Report`] (per-rule tallies, failures with their minimal
//! reproductions, rules that could not be checked, images created) and its four forms: the
//! terminal ([`terminal`]), JSON (serde, schema in README), JUnit XML ([`junit`]) and a
//! self-contained HTML page ([`html`]). It renders, never decides.
//! [`reference`](mod@reference) writes README's reference tables.

pub mod commands;
pub mod html;
pub mod junit;
pub mod mismatch;
pub mod reference;
pub mod shape;
pub mod terminal;

use std::path::PathBuf;

use serde::Serialize;

use crate::case::ReplayStep;
use crate::harness::compare::{Mismatch, Seen};
use crate::model::{Format, HttpRequest, World};
use crate::rules::{Layer, RULES, RuleId};
use crate::wire::sign::Signing;

/// One rule's results.
#[derive(Clone, Debug, Serialize)]
pub struct RuleTally {
    /// Rule id.
    pub id: RuleId,
    /// Layer.
    pub layer: Layer,
    /// The documentation's sentence.
    pub sentence: &'static str,
    /// Codes the rule answers with.
    pub codes: Vec<String>,
    /// Cases that exercised it.
    pub exercised: usize,
    /// Cases where it held.
    pub passed: usize,
    /// Cases where it failed.
    pub failed: usize,
    /// Whether this target lets it be checked.
    pub checkable: bool,
}

/// A failure, shrunk to a minimal reproduction.
#[derive(Clone, Debug, Serialize)]
pub struct Failure {
    /// Rules that failed.
    pub rules: Vec<RuleId>,
    /// The first rule's sentence.
    pub sentence: &'static str,
    /// Index of the case that first failed this way.
    pub case_index: u64,
    /// Cases that failed on the same rules.
    pub occurrences: usize,
    /// Expected beside observed, for the minimal case.
    pub mismatches: Vec<Mismatch>,
    /// What the minimal case received.
    pub seen: Seen,
    /// The minimal world (generated keys included; never a user's secret).
    pub world: World,
    /// The minimal steps.
    pub steps: Vec<ReplayStep>,
    /// The last request the minimal case sent, exactly.
    pub request: Option<HttpRequest>,
    /// Shell commands that reproduce it.
    pub commands: Vec<String>,
    /// Where the replay file was written.
    pub replay_file: Option<PathBuf>,
    /// Shrink steps taken (candidates tried).
    pub shrink_steps: usize,
    /// Deviations (a generated case's changes) before and after shrinking.
    pub size: (usize, usize),
}

/// A failure that did not repeat.
#[derive(Clone, Debug, Serialize)]
pub struct Flaky {
    /// Case index.
    pub case_index: u64,
    /// Rules that failed the first time.
    pub rules: Vec<RuleId>,
    /// What was seen the first time.
    pub seen: Seen,
}

/// The certification report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Tool and version.
    pub tool: String,
    /// The endpoint(s) certified, or `built-in emulator`.
    pub target: String,
    /// Whether the target offers the world-control contract.
    pub control: bool,
    /// Run seed.
    pub seed: u64,
    /// Shard `I/N`, if any.
    pub shard: Option<String>,
    /// Signing modes used.
    pub signings: Vec<Signing>,
    /// Formats used.
    pub formats: Vec<Format>,
    /// Cases run.
    pub cases: usize,
    /// API requests sent.
    pub requests: usize,
    /// Worlds staged through the control contract.
    pub stagings: usize,
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed (and repeated).
    pub failed: usize,
    /// Cases that failed once and passed when run again.
    pub flaky: usize,
    /// Cases not sent because they could create a resource beyond `--allow-create`.
    pub skipped: usize,
    /// Wall time.
    pub seconds: f64,
    /// Per rule.
    pub rules: Vec<RuleTally>,
    /// Minimal reproductions, one per distinct failure.
    pub failures: Vec<Failure>,
    /// Failures that did not repeat.
    pub flaky_cases: Vec<Flaky>,
    /// Rules this target does not let the suite check.
    pub not_checkable: Vec<RuleId>,
    /// Images the run created on a target without control.
    pub created_images: Vec<String>,
    /// Why the run stopped before its last case (a deadline, an interrupt, a target
    /// declared unresponsive); `None` for a run that ran every case.
    pub incomplete: Option<String>,
}

/// Where a target stands after a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Every case ran and none failed.
    Conformant,
    /// A failure repeated.
    NotConformant,
    /// The run stopped early and no failure was found: nothing is certified.
    Incomplete,
}

impl Standing {
    /// The process exit code ([`Ending::exit_code`]).
    pub fn exit_code(self) -> u8 {
        Ending::from(self).exit_code()
    }
}

/// How any command ends. The one place that maps an ending to the process's exit code:
/// 0 done, 1 the target departs from the documents, 2 could not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ending {
    /// The command did its job: a run found the target conformant, a replayed failure
    /// passes, recorded snapshots match, a listing was printed.
    Done,
    /// The target departs: a run found it not conformant, a replayed failure repeats,
    /// a recorded reply changed shape, a fault went undetected.
    Departs,
    /// Nothing could be decided: a bad argument or file, an unreachable target, a run
    /// stopped before its end with nothing found.
    CouldNotRun,
}

impl Ending {
    /// The process exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::Done => 0,
            Ending::Departs => 1,
            Ending::CouldNotRun => 2,
        }
    }

    /// [`Ending::Departs`] if `departs`, else [`Ending::Done`].
    pub fn departs_if(departs: bool) -> Ending {
        if departs { Ending::Departs } else { Ending::Done }
    }
}

impl From<Standing> for Ending {
    fn from(s: Standing) -> Ending {
        match s {
            Standing::Conformant => Ending::Done,
            Standing::NotConformant => Ending::Departs,
            Standing::Incomplete => Ending::CouldNotRun,
        }
    }
}

impl Report {
    /// An empty report with every rule listed.
    pub fn new(target: String, control: bool, seed: u64) -> Report {
        Report {
            tool: format!("copyimage-conformance {}", env!("CARGO_PKG_VERSION")),
            target,
            control,
            seed,
            shard: None,
            signings: Vec::new(),
            formats: Vec::new(),
            cases: 0,
            requests: 0,
            stagings: 0,
            passed: 0,
            failed: 0,
            flaky: 0,
            skipped: 0,
            seconds: 0.0,
            rules: RULES
                .iter()
                .map(|r| RuleTally {
                    id: r.id,
                    layer: r.layer,
                    sentence: r.sentence,
                    codes: r.errors.iter().map(|e| e.code.to_owned()).fold(Vec::new(), |mut v, c| {
                        if !v.contains(&c) {
                            v.push(c);
                        }
                        v
                    }),
                    exercised: 0,
                    passed: 0,
                    failed: 0,
                    checkable: true,
                })
                .collect(),
            failures: Vec::new(),
            flaky_cases: Vec::new(),
            not_checkable: Vec::new(),
            created_images: Vec::new(),
            incomplete: None,
        }
    }

    /// Counts one case: the rules it exercised and those that failed (a failed rule
    /// counts as exercised).
    pub fn tally(&mut self, exercised: &[RuleId], failed: &[RuleId]) {
        let mut all: Vec<RuleId> = exercised.iter().chain(failed).copied().collect();
        all.sort_unstable();
        all.dedup();
        for r in all {
            let t = &mut self.rules[r as usize];
            t.exercised += 1;
            if failed.contains(&r) {
                t.failed += 1;
            } else {
                t.passed += 1;
            }
        }
    }

    /// Marks rules as not checkable on this target.
    pub fn not_checkable(&mut self, rules: &[RuleId]) {
        for r in rules {
            self.rules[*r as usize].checkable = false;
        }
        self.not_checkable = rules.to_vec();
    }

    /// Whether the target conforms: every case ran and no failure repeated.
    pub fn conformant(&self) -> bool {
        self.standing() == Standing::Conformant
    }

    /// Where the target stands.
    pub fn standing(&self) -> Standing {
        if self.failed > 0 || !self.failures.is_empty() {
            Standing::NotConformant
        } else if self.incomplete.is_some() {
            Standing::Incomplete
        } else {
            Standing::Conformant
        }
    }

    /// The summary line.
    pub fn summary(&self) -> String {
        let rules_exercised = self.rules.iter().filter(|r| r.exercised > 0).count();
        let rules_failed = self.rules.iter().filter(|r| r.failed > 0).count();
        format!(
            "{}: {} cases ({} requests, {} worlds staged) in {:.1} s; {} passed, {} failed, {} flaky, {} skipped; {} of {} rules exercised, {} failed",
            match (self.standing(), &self.incomplete) {
                (Standing::Conformant, _) => "CONFORMANT".to_owned(),
                (Standing::NotConformant, None) => "NOT CONFORMANT".to_owned(),
                (Standing::NotConformant, Some(why)) => format!("NOT CONFORMANT (incomplete: {why})"),
                (Standing::Incomplete, why) => format!("INCOMPLETE ({})", why.as_deref().unwrap_or_default()),
            },
            self.cases,
            self.requests,
            self.stagings,
            self.seconds,
            self.passed,
            self.failed,
            self.flaky,
            self.skipped,
            rules_exercised,
            self.rules.len(),
            rules_failed
        )
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&terminal::render(self))
    }
}
