//! Certificates: what `run --certify` writes and `verify-certificate` checks.
//!
//! Owns the certification budget ([`BUDGET_CASES`]: fixed, documented, not narrowed by
//! any flag), the [`Certificate`] (tool version, documentation profile, seed, what the
//! target declared, its known deviations, every rule's outcome with its counts, and the
//! [`Level`] these make), its digest, and [`verify`]: a certificate is complete (every
//! rule of this version's table, once) and consistent (each outcome agrees with its
//! counts, the declared gaps with the features, the expected failures with the listed
//! deviations, the counts with the outcomes, the level with the rules, the digest with
//! the content). As in Kubernetes conformance, a certification run may skip nothing it
//! did not declare; as in MCP's, the requirement set is named by its profile.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Counts, Report, RuleOutcome, Standing, tool};
use crate::harness::declared::{Deviation, Expectations, Features, rules_of_group};
use crate::model::Format;
use crate::rules::{Doc, RuleId};
use crate::wire::sign::Signing;

/// Cases of a certification run: every mode the target declares, no shard, no early
/// stop, no deadline.
pub const BUDGET_CASES: usize = 10_000;

/// The format of the certificate file.
pub const FORMAT_VERSION: u32 = 1;

/// What a certification says of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Every rule passed or cannot be checked on this target.
    Conformant,
    /// Every rule passed, cannot be checked, is declared not implemented, or failed only
    /// as a listed known deviation.
    ConformantWithDeclaredGaps,
    /// A rule failed otherwise, or a listed deviation is stale.
    NotConformant,
}

impl Level {
    /// The words a person reads.
    pub fn words(self) -> &'static str {
        match self {
            Level::Conformant => "conformant",
            Level::ConformantWithDeclaredGaps => "conformant with declared gaps",
            Level::NotConformant => "not conformant",
        }
    }
}

/// What the target declared (`--features`), as certified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    /// Signing modes implemented (every one was run).
    pub signings: Vec<Signing>,
    /// Formats implemented (every one was run).
    pub formats: Vec<Format>,
    /// The world-control contract, as declared.
    pub world_control: Option<bool>,
    /// Rule groups declared not implemented.
    pub not_implemented: Vec<String>,
}

impl Declared {
    /// The declaration of `features`, or of everything when there is none.
    pub fn of(features: Option<&Features>) -> Declared {
        let all = Features::all();
        let f = features.unwrap_or(&all);
        Declared {
            signings: f.signings.clone(),
            formats: f.formats.clone(),
            world_control: f.world_control,
            not_implemented: f.groups.clone(),
        }
    }
}

/// One rule's certified outcome and the counts it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertifiedRule {
    /// The rule.
    pub id: String,
    /// Its outcome.
    pub outcome: RuleOutcome,
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

impl CertifiedRule {
    fn counts(&self) -> Counts {
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
}

/// A certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// [`FORMAT_VERSION`].
    pub certificate: u32,
    /// The tool and version that made it.
    pub tool: String,
    /// The documentation profile whose rules were certified.
    pub profile: String,
    /// The target.
    pub target: String,
    /// Whether it offered the world-control contract.
    pub control: bool,
    /// The run's seed: the same seed sends the same cases.
    pub seed: u64,
    /// Cases generated ([`BUDGET_CASES`]).
    pub cases: usize,
    /// Of those, cases sent and judged.
    pub sent: usize,
    /// Cases not sent because they need something declared out.
    pub disabled: usize,
    /// Cases not sent because they could create an image beyond `--allow-create`.
    pub skipped: usize,
    /// What the target declared.
    pub features: Declared,
    /// Its known deviations.
    pub expectations: Vec<Deviation>,
    /// Every rule, in table order.
    pub rules: Vec<CertifiedRule>,
    /// Rules per outcome: passed, failed, disabled, not checkable, error.
    pub counts: Vec<(RuleOutcome, usize)>,
    /// Known deviations no case matched.
    pub stale_expectations: usize,
    /// The level.
    pub level: Level,
    /// `sha256:` of the certificate with this field empty.
    pub digest: String,
}

/// Why a certificate cannot be issued for a run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotIssued {
    /// The run stopped early or could not judge some cases: it certifies nothing.
    #[error("the run is incomplete ({0}); no certificate is issued")]
    Incomplete(String),
    /// The run was not the certification budget.
    #[error("a certificate needs the whole certification run: {0}")]
    Narrowed(String),
}

impl Certificate {
    /// The certificate of a certification run.
    pub fn issue(
        report: &Report,
        features: Option<&Features>,
        expectations: Option<&Expectations>,
    ) -> Result<Certificate, NotIssued> {
        if report.standing() == Standing::Incomplete {
            let why = report.incomplete.clone().unwrap_or_else(|| format!("{} cases not sent", report.errors));
            return Err(NotIssued::Incomplete(why));
        }
        if report.shard.is_some() || report.generated() != BUDGET_CASES {
            return Err(NotIssued::Narrowed(format!("{} cases, shard {:?}", report.generated(), report.shard)));
        }
        let rules: Vec<CertifiedRule> = report
            .rules
            .iter()
            .map(|t| CertifiedRule {
                id: t.id.name().to_owned(),
                outcome: t.settled(),
                exercised: t.exercised,
                passed: t.passed,
                failed: t.failed,
                expected_failures: t.expected_failures,
                errors: t.errors,
                checkable: t.checkable,
                disabled: t.disabled,
            })
            .collect();
        let mut c = Certificate {
            certificate: FORMAT_VERSION,
            tool: report.tool.clone(),
            profile: report.profile.to_owned(),
            target: report.target.clone(),
            control: report.control,
            seed: report.seed,
            cases: report.generated(),
            sent: report.cases,
            disabled: report.disabled,
            skipped: report.skipped,
            features: Declared::of(features),
            expectations: expectations.map(|e| e.entries().map(|(_, d)| d.clone()).collect()).unwrap_or_default(),
            counts: counts(&rules),
            level: level(&rules, report.stale_expectations.len()),
            rules,
            stale_expectations: report.stale_expectations.len(),
            digest: String::new(),
        };
        c.digest = c.computed_digest();
        Ok(c)
    }

    /// The digest of the content (every field but `digest`).
    pub fn computed_digest(&self) -> String {
        let mut bare = self.clone();
        bare.digest = String::new();
        let text = serde_json::to_string(&bare).unwrap_or_default();
        format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())))
    }

    /// The JSON file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A person's summary.
    pub fn summary(&self) -> String {
        let counts: Vec<String> = self.counts.iter().map(|(o, n)| format!("{n} {}", o.word())).collect();
        format!(
            "certificate: {} ({} profile {}, seed {}, {} cases): {}",
            self.level.words().to_uppercase(),
            self.tool,
            self.profile,
            self.seed,
            self.cases,
            counts.join(", ")
        )
    }
}

fn counts(rules: &[CertifiedRule]) -> Vec<(RuleOutcome, usize)> {
    RuleOutcome::ALL.iter().map(|o| (*o, rules.iter().filter(|r| r.outcome == *o).count())).collect()
}

fn level(rules: &[CertifiedRule], stale: usize) -> Level {
    let clean = |r: &CertifiedRule| {
        matches!(r.outcome, RuleOutcome::Passed | RuleOutcome::NotCheckable) && r.expected_failures == 0
    };
    if stale > 0 || rules.iter().any(|r| matches!(r.outcome, RuleOutcome::Failed | RuleOutcome::Error)) {
        Level::NotConformant
    } else if rules.iter().all(clean) {
        Level::Conformant
    } else {
        Level::ConformantWithDeclaredGaps
    }
}

/// Checks a certificate file: every problem found, empty when it is complete and
/// consistent.
pub fn verify(text: &str) -> Result<Vec<String>, String> {
    let c: Certificate = serde_json::from_str(text).map_err(|e| format!("not a certificate: {e}"))?;
    let mut problems = Vec::new();
    let mut problem = |p: String| problems.push(p);
    let tool = tool();
    if c.certificate != FORMAT_VERSION {
        problem(format!("certificate format {} (this tool reads {FORMAT_VERSION})", c.certificate));
    }
    if c.tool != tool {
        problem(format!("made by {}; verify it with that version (this is {tool})", c.tool));
    }
    if c.profile.parse::<Doc>().is_err() {
        let known: Vec<&str> = Doc::ALL.iter().map(|d| d.name()).collect();
        problem(format!("profile {} (this tool certifies {})", c.profile, known.join(", ")));
    }
    if c.cases != BUDGET_CASES {
        problem(format!("{} cases; a certification runs {BUDGET_CASES}", c.cases));
    }
    if c.sent + c.disabled + c.skipped != c.cases {
        problem(format!(
            "{} sent, {} disabled and {} skipped make no {} cases",
            c.sent, c.disabled, c.skipped, c.cases
        ));
    }
    if c.disabled > 0 && c.features.not_implemented.is_empty() {
        problem(format!("{} cases disabled but nothing declared not implemented", c.disabled));
    }
    if c.features.signings.is_empty() || c.features.formats.is_empty() {
        problem("no signing mode or no format declared".into());
    }
    // Complete: every rule of the profile's table, once, in order.
    let ids: Vec<&str> = c.rules.iter().map(|r| r.id.as_str()).collect();
    let doc = c.profile.parse::<Doc>().unwrap_or_default();
    let table: Vec<&str> = RuleId::ALL.iter().filter(|r| r.holds_in(doc)).map(|r| r.name()).collect();
    for missing in table.iter().filter(|t| !ids.contains(t)) {
        problem(format!("rule {missing} is missing"));
    }
    for (i, id) in ids.iter().enumerate() {
        if !table.contains(id) {
            problem(format!("rule {id} is not in this version's table for profile {doc}"));
        } else if ids[..i].contains(id) {
            problem(format!("rule {id} appears twice"));
        }
    }
    // Consistent: the declared gaps are exactly the rules disabled.
    let mut disabled: Vec<&str> =
        crate::generate::deviation::unreachable(&c.features.signings).iter().map(|r| r.name()).collect();
    for group in &c.features.not_implemented {
        match rules_of_group(group) {
            Some(rules) => disabled.extend(rules.iter().map(|r| r.name())),
            None => problem(format!("declared group `{group}` names no rule")),
        }
    }
    for r in &c.rules {
        let declared_out = disabled.contains(&r.id.as_str());
        let listed = c.expectations.iter().any(|d| d.rule == r.id);
        if r.outcome != r.counts().shown().outcome() {
            problem(format!("rule {}: outcome {} disagrees with its counts", r.id, r.outcome.word()));
        }
        if declared_out != r.disabled {
            problem(format!(
                "rule {} is {}declared not implemented but {}",
                r.id,
                if declared_out { "" } else { "not " },
                r.outcome.word()
            ));
        }
        if r.passed + r.failed + r.expected_failures != r.exercised {
            problem(format!("rule {}: passed, failed and expected failures do not add up to exercised", r.id));
        }
        if r.expected_failures > 0 && !listed {
            problem(format!("rule {}: expected failures without a listed deviation", r.id));
        }
    }
    if c.counts != counts(&c.rules) {
        problem("the counts per outcome disagree with the rules".into());
    }
    let want = level(&c.rules, c.stale_expectations);
    if c.level != want {
        problem(format!("level {} but the rules make it {}", c.level.words(), want.words()));
    }
    if c.digest != c.computed_digest() {
        problem("the digest does not match the content (edited after it was issued?)".into());
    }
    Ok(problems)
}
