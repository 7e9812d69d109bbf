//! Reports: what the suite tells people.
//!
//! Owns the certification [`Report`] (per-rule tallies, failures with their minimal
//! reproductions, rules that could not be checked, images created) and its four forms: the
//! terminal ([`terminal`]), JSON (serde, schema in README), JUnit XML ([`junit`]) and a
//! self-contained HTML page ([`html`]). It renders, never decides.
//! [`reference`](mod@reference) writes README's reference tables.

pub mod certificate;
pub mod commands;
pub mod html;
pub mod junit;
pub mod matrix;
pub mod mismatch;
pub mod quote;
pub mod reference;
pub mod shape;
pub mod terminal;
pub mod trace;

use std::path::PathBuf;

use serde::Serialize;

use crate::case::ReplayStep;
use crate::harness::compare::{Mismatch, Seen};
use crate::harness::declared::Deviation;
use crate::harness::exchange::StepRecord;
use crate::model::{Format, HttpRequest, World};
use crate::rules::{Layer, RULES, RuleId};
use crate::wire::sign::Signing;

/// The tool and version, as reports and certificates name it.
pub fn tool() -> String {
    format!("copyimage-conformance {}", env!("CARGO_PKG_VERSION"))
}

/// Distinct reasons kept of the cases the harness could not send.
const ERROR_REASONS_KEPT: usize = 10;

/// One rule's results.
#[derive(Clone, Debug)]
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
    /// Declared not implemented (`--features`): its cases are not sent.
    pub disabled: bool,
    /// Cases where it failed as a listed known deviation (`--expectations`).
    pub expected_failures: usize,
    /// The reason of the known deviation it failed as, if any.
    pub expectation: Option<String>,
    /// Cases about it that the harness could not send, for a reason of its own.
    pub errors: usize,
}

/// The JSON form: the counts, and the outcome derived from them (never stored, so it
/// cannot disagree with them).
impl Serialize for RuleTally {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("RuleTally", 14)?;
        m.serialize_field("id", &self.id)?;
        m.serialize_field("layer", &self.layer)?;
        m.serialize_field("sentence", self.sentence)?;
        m.serialize_field("codes", &self.codes)?;
        m.serialize_field("exercised", &self.exercised)?;
        m.serialize_field("passed", &self.passed)?;
        m.serialize_field("failed", &self.failed)?;
        m.serialize_field("checkable", &self.checkable)?;
        m.serialize_field("disabled", &self.disabled)?;
        m.serialize_field("expected_failures", &self.expected_failures)?;
        m.serialize_field("expectation", &self.expectation)?;
        m.serialize_field("errors", &self.errors)?;
        m.serialize_field("outcome", &self.settled())?;
        m.serialize_field("shown", self.shown().word())?;
        m.end()
    }
}

/// What a run says of one rule: five outcomes, as OCI's conformance suite has them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleOutcome {
    /// Exercised and held in every case (or failed only as a listed known deviation,
    /// which [`RuleTally::expected_failures`] shows).
    Passed,
    /// Failed in some case, not as listed.
    Failed,
    /// Declared not implemented by the target: not sent, never counted as passed.
    Disabled,
    /// This target does not let the suite check it (no world control, no budget), or
    /// no case of this run reached it.
    NotCheckable,
    /// The harness could not judge a case about it for a reason of its own.
    Error,
}

impl RuleOutcome {
    /// The five, in the order reports count them.
    pub const ALL: [RuleOutcome; 5] = [
        RuleOutcome::Passed,
        RuleOutcome::Failed,
        RuleOutcome::Disabled,
        RuleOutcome::NotCheckable,
        RuleOutcome::Error,
    ];

    /// The word reports print.
    pub fn word(self) -> &'static str {
        match self {
            RuleOutcome::Passed => "passed",
            RuleOutcome::Failed => "failed",
            RuleOutcome::Disabled => "disabled",
            RuleOutcome::NotCheckable => "not checkable",
            RuleOutcome::Error => "error",
        }
    }
}

/// How a report shows a rule: its [`RuleOutcome`], told apart where a reader needs more
/// (a pass that includes expected failures; not checkable on this target, or not
/// reached by this run). The one place every report form takes it from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// Held in every case.
    Passed,
    /// Held, except where it failed as a listed known deviation.
    ExpectedFailure,
    /// Failed, not as listed.
    Failed,
    /// Declared not implemented.
    Disabled,
    /// The target does not let the suite check it.
    NotCheckable,
    /// No case of this run reached it.
    NotExercised,
    /// The harness could not send a case about it.
    Error,
}

impl Shown {
    /// The outcome it shows.
    pub fn outcome(self) -> RuleOutcome {
        match self {
            Shown::Passed | Shown::ExpectedFailure => RuleOutcome::Passed,
            Shown::Failed => RuleOutcome::Failed,
            Shown::Disabled => RuleOutcome::Disabled,
            Shown::NotCheckable | Shown::NotExercised => RuleOutcome::NotCheckable,
            Shown::Error => RuleOutcome::Error,
        }
    }

    /// The words reports print.
    pub fn word(self) -> &'static str {
        match self {
            Shown::ExpectedFailure => "expected failure",
            Shown::NotExercised => "not exercised",
            other => other.outcome().word(),
        }
    }
}

/// The counts a rule's outcome is derived from, wherever they are kept (a run's tally,
/// a certificate's rule): [`Counts::shown`] is the one classification.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Cases that exercised it.
    pub exercised: usize,
    /// Cases where it held.
    pub passed: usize,
    /// Cases where it failed, not as listed.
    pub failed: usize,
    /// Cases where it failed as a listed known deviation.
    pub expected_failures: usize,
    /// Cases about it the harness could not send.
    pub errors: usize,
    /// Whether the target lets it be checked.
    pub checkable: bool,
    /// Declared not implemented.
    pub disabled: bool,
}

impl Counts {
    /// How reports show a rule with these counts.
    pub fn shown(&self) -> Shown {
        if self.disabled {
            Shown::Disabled
        } else if self.failed > 0 {
            Shown::Failed
        } else if self.errors > 0 {
            Shown::Error
        } else if !self.checkable {
            Shown::NotCheckable
        } else if self.exercised == 0 {
            Shown::NotExercised
        } else if self.expected_failures > 0 {
            Shown::ExpectedFailure
        } else {
            Shown::Passed
        }
    }
}

impl RuleTally {
    /// A rule's tally before any case.
    fn of(r: &crate::rules::Rule) -> RuleTally {
        RuleTally {
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
            disabled: false,
            expected_failures: 0,
            expectation: None,
            errors: 0,
        }
    }

    /// How reports show it, from its counts.
    pub fn shown(&self) -> Shown {
        self.counts().shown()
    }

    /// The counts its outcome comes from.
    pub fn counts(&self) -> Counts {
        Counts {
            exercised: self.exercised,
            passed: self.passed,
            failed: self.failed,
            expected_failures: self.expected_failures,
            errors: self.errors,
            checkable: self.checkable,
            disabled: self.disabled,
        }
    }

    /// Its outcome, from its counts.
    pub fn settled(&self) -> RuleOutcome {
        self.shown().outcome()
    }
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
    /// The last request the minimal case sent, exactly (the user's credentials
    /// redacted, [`trace::Redactor`]).
    pub request: Option<HttpRequest>,
    /// Every exchange of the minimal case: requests and replies, capped and redacted,
    /// with timings.
    pub trace: trace::Trace,
    /// Shell commands that reproduce it.
    pub commands: Vec<String>,
    /// Where the replay file was written.
    pub replay_file: Option<PathBuf>,
    /// Shrink steps taken (candidates tried).
    pub shrink_steps: usize,
    /// Its size before and after shrinking: a generated case's deviations, or a
    /// sequence's steps ([`Failure::size_unit`]).
    pub size: (usize, usize),
}

impl Failure {
    /// Whether it is a sequence rather than one case.
    pub fn is_sequence(&self) -> bool {
        self.steps.len() > 1 || self.steps.iter().any(|s| !matches!(s, ReplayStep::Send { .. }))
    }

    /// What [`Failure::size`] counts.
    pub fn size_unit(&self) -> &'static str {
        if self.is_sequence() { "step(s)" } else { "deviation(s)" }
    }
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
    /// The documentation profile whose rules the run checks ([`crate::rules::PROFILE`]).
    pub profile: &'static str,
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
    /// API requests the run's cases sent (a warm-up whose case was then withheld
    /// included; shrinking's and reruns' requests not).
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
    /// What became of each created image at the end of the run.
    pub cleanup: Vec<crate::harness::own::Cleanup>,
    /// Why the run stopped before its last case (a deadline, an interrupt, a target
    /// declared unresponsive, `--max-failures`); `None` for a run that ran every case.
    pub incomplete: Option<String>,
    /// What the target declared out (`--features`): signing modes, formats, rule groups.
    pub declared_out: Vec<String>,
    /// Cases not sent because they need something declared out.
    pub disabled: usize,
    /// Cases that failed only as listed known deviations.
    pub expected_failures: usize,
    /// Known deviations no case matched: the target is now right there; delete the line.
    pub stale_expectations: Vec<crate::harness::declared::Stale>,
    /// Cases the harness could not send, for a reason of its own.
    pub errors: usize,
    /// Why, the first few distinct reasons.
    pub error_reasons: Vec<String>,
    /// Every way a case failed on its first send: the rule, and the status and Code
    /// observed; what `--write-expectations` writes.
    pub observed_deviations: Vec<crate::harness::declared::Deviation>,
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
            tool: tool(),
            profile: crate::rules::PROFILE,
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
            rules: RULES.iter().filter(|r| r.id.holds_in(crate::rules::Doc::June2018)).map(RuleTally::of).collect(),
            failures: Vec::new(),
            flaky_cases: Vec::new(),
            not_checkable: Vec::new(),
            created_images: Vec::new(),
            cleanup: Vec::new(),
            incomplete: None,
            declared_out: Vec::new(),
            disabled: 0,
            expected_failures: 0,
            stale_expectations: Vec::new(),
            errors: 0,
            error_reasons: Vec::new(),
            observed_deviations: Vec::new(),
        }
    }

    /// The report under another documentation profile: its name, and the rules that
    /// hold there ([`RuleId::holds_in`]).
    pub fn in_profile(mut self, doc: crate::rules::Doc) -> Report {
        self.profile = doc.name();
        let held = std::mem::take(&mut self.rules);
        self.rules = RULES
            .iter()
            .filter(|r| r.id.holds_in(doc))
            .map(|r| held.iter().find(|t| t.id == r.id).cloned().unwrap_or_else(|| RuleTally::of(r)))
            .collect();
        self
    }

    /// The tally of a rule, if it holds in the report's profile.
    pub fn rule(&self, r: RuleId) -> Option<&RuleTally> {
        self.rules.iter().find(|t| t.id == r)
    }

    /// The tally of a rule to change, if it holds in the report's profile.
    pub fn rule_mut(&mut self, r: RuleId) -> Option<&mut RuleTally> {
        self.rules.iter_mut().find(|t| t.id == r)
    }

    /// Counts a case the harness could not send: an error for each rule it was about,
    /// and why (the first few distinct reasons are kept).
    pub fn tally_error(&mut self, rules: &[RuleId], why: Option<&str>) {
        for r in rules {
            if let Some(t) = self.rule_mut(*r) {
                t.errors += 1;
            }
        }
        self.errors += 1;
        if let Some(why) = why {
            if self.error_reasons.len() < ERROR_REASONS_KEPT && !self.error_reasons.iter().any(|w| w == why) {
                self.error_reasons.push(why.to_owned());
            }
        }
    }

    /// Notes how a case failed on its first send: each mismatch as a deviation (rule,
    /// status, Code), and each listed deviation it matched as written, so that
    /// `--write-expectations` keeps the entries in use with their reasons and links.
    pub fn observe_deviations(&mut self, records: &[StepRecord], found_by: impl Fn() -> String) {
        for r in records {
            for (_, listed) in &r.expected {
                if !self.observed(&listed.rule, &listed.code, listed.status) {
                    self.observed_deviations.push(listed.clone());
                }
            }
            let (code, status) = (&r.verdict.seen.code, r.verdict.seen.status);
            for m in &r.verdict.mismatches {
                if !self.observed(m.rule.name(), code, status) {
                    let (rule, code, reason) = (m.rule.name().to_owned(), code.clone(), found_by());
                    self.observed_deviations.push(Deviation { rule, code, status, reason, link: None });
                }
            }
        }
    }

    fn observed(&self, rule: &str, code: &Option<String>, status: Option<u16>) -> bool {
        self.observed_deviations.iter().any(|o| o.rule == rule && o.code == *code && o.status == status)
    }

    /// Cases generated: run, not sent (declared out, beyond the create budget) or not
    /// sendable.
    pub fn generated(&self) -> usize {
        self.cases + self.disabled + self.skipped + self.errors
    }

    /// Marks rules declared not implemented.
    pub fn disable(&mut self, rules: &[RuleId]) {
        for r in rules {
            if let Some(t) = self.rule_mut(*r) {
                t.disabled = true;
            }
        }
    }

    /// How many rules have each outcome, in the order passed, failed, disabled, not
    /// checkable, error.
    pub fn outcome_counts(&self) -> [(RuleOutcome, usize); 5] {
        RuleOutcome::ALL.map(|o| (o, self.rules.iter().filter(|t| t.settled() == o).count()))
    }

    /// Counts one case: the rules it exercised, those that failed, and those that failed
    /// as listed known deviations (with the entry each matched). A failed rule counts as
    /// exercised; a case with expected failures and no other counts in
    /// `expected_failures`.
    pub fn tally(&mut self, exercised: &[RuleId], failed: &[RuleId], expected: &[(RuleId, Deviation)]) {
        let mut all: Vec<RuleId> =
            exercised.iter().chain(failed).chain(expected.iter().map(|(r, _)| r)).copied().collect();
        all.sort_unstable();
        all.dedup();
        for r in all {
            let Some(t) = self.rule_mut(r) else { continue };
            t.exercised += 1;
            if failed.contains(&r) {
                t.failed += 1;
            } else if let Some((_, d)) = expected.iter().find(|(e, _)| *e == r) {
                t.expected_failures += 1;
                t.expectation.get_or_insert_with(|| d.reason.clone());
            } else {
                t.passed += 1;
            }
        }
        if failed.is_empty() && !expected.is_empty() {
            self.expected_failures += 1;
        }
    }

    /// Marks rules as not checkable on this target.
    pub fn not_checkable(&mut self, rules: &[RuleId]) {
        for r in rules {
            if let Some(t) = self.rule_mut(*r) {
                t.checkable = false;
            }
        }
        self.not_checkable = rules.to_vec();
    }

    /// Whether the target conforms: every case ran and no failure repeated.
    pub fn conformant(&self) -> bool {
        self.standing() == Standing::Conformant
    }

    /// Where the target stands.
    pub fn standing(&self) -> Standing {
        if self.failed > 0 || !self.failures.is_empty() || !self.stale_expectations.is_empty() {
            Standing::NotConformant
        } else if self.incomplete.is_some() || self.errors > 0 {
            Standing::Incomplete
        } else {
            Standing::Conformant
        }
    }

    /// The summary line.
    pub fn summary(&self) -> String {
        let rules_exercised = self.rules.iter().filter(|r| r.exercised > 0).count();
        let mut line = format!(
            "{}: {} cases ({} requests, {} worlds staged) in {:.1} s; {} passed, {} failed, {} flaky, {} skipped; {} of {} rules exercised",
            match (self.standing(), &self.incomplete) {
                (Standing::Conformant, _) => "CONFORMANT".to_owned(),
                (Standing::NotConformant, None) => "NOT CONFORMANT".to_owned(),
                (Standing::NotConformant, Some(why)) => format!("NOT CONFORMANT (incomplete: {why})"),
                (Standing::Incomplete, Some(why)) => format!("INCOMPLETE ({why})"),
                (Standing::Incomplete, None) => {
                    format!("INCOMPLETE ({} cases the harness could not send)", self.errors)
                }
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
        );
        if self.expected_failures > 0 {
            line.push_str(&format!("; {} failed as known deviations", self.expected_failures));
        }
        if self.disabled > 0 {
            line.push_str(&format!("; {} not sent (declared out)", self.disabled));
        }
        if !self.stale_expectations.is_empty() {
            line.push_str(&format!("; {} stale expectations", self.stale_expectations.len()));
        }
        let counts: Vec<String> = self.outcome_counts().iter().map(|(o, n)| format!("{n} {}", o.word())).collect();
        line.push_str(&format!("\nrules: {}", counts.join(", ")));
        line
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

/// A failure's world as reports show it: every secret replaced by `[SECRET]`. The
/// secrets of generated keys are fixtures, but a report is no place for any secret.
pub fn shown_world(w: &crate::model::World) -> serde_json::Value {
    let mut v = serde_json::to_value(w).unwrap_or_default();
    if let Some(accounts) = v.get_mut("accounts").and_then(|a| a.as_array_mut()) {
        for a in accounts {
            if let Some(keys) = a.get_mut("access_keys").and_then(|k| k.as_array_mut()) {
                for k in keys {
                    if let Some(o) = k.as_object_mut() {
                        o.insert("secret".into(), serde_json::Value::String("[SECRET]".into()));
                    }
                }
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_shown_world_is_the_world_with_every_secret_replaced() {
        let world = crate::model::World::default_fixture();
        let shown = super::shown_world(&world);
        let mut expected = serde_json::to_value(&world).unwrap();
        let mut secrets = 0;
        for a in expected["accounts"].as_array_mut().unwrap() {
            for k in a["access_keys"].as_array_mut().unwrap() {
                assert_ne!(k["secret"], "[SECRET]");
                k["secret"] = "[SECRET]".into();
                secrets += 1;
            }
        }
        assert!(secrets > 0, "the fixture has keys");
        assert_eq!(shown, expected);
    }
}
