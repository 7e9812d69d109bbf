//! What a target declares about itself: the features it implements and the deviations it
//! knows of.
//!
//! Owns [`Features`] (`run --features FILE`: signing modes, formats, the world-control
//! contract, groups of rules not implemented yet) and [`Expectations`] (`run
//! --expectations FILE`: known deviations, each a rule with an optional observed Code and
//! status, a reason and a link), both TOML, and the writing of an expectations file from a
//! run's failures (`--write-expectations`). A declaration narrows what is sent and how a
//! failure counts; it never changes a prediction: the documents stay the only source of
//! what a reply should be. Expectations are strict, after ConnectRPC's `--known-failing`
//! and Web Platform Tests' expectation files: a case that fails as listed is an expected
//! failure, one that fails otherwise fails the run, and an entry no case matched is stale
//! and fails the run too, naming its line.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::harness::compare::Seen;
use crate::model::Format;
use crate::rules::{Layer, RULES, RuleId};
use crate::wire::sign::Signing;

/// A declaration file that cannot be used: the file, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DeclarationError(pub String);

/// What a target implements (`--features FILE`). Every field may be left out: an absent
/// list declares everything the suite knows.
///
/// ```toml
/// signings = ["v1-get", "v1-post-query", "v1-post-form"]   # not v3 yet
/// formats = ["xml", "json"]
/// world_control = true                                     # the /_conformance/ contract
/// not_implemented = ["quota", "gateway.nonce-used"]        # rule groups, rules or layers
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Features {
    /// Signing modes the target implements.
    pub signings: Vec<Signing>,
    /// Reply formats it implements.
    pub formats: Vec<Format>,
    /// Whether it implements the world-control contract (`None`: as it answers).
    pub world_control: Option<bool>,
    /// Rules declared out: resolved from the groups named, and those no declared signing
    /// mode reaches ([`crate::generate::deviation::unreachable`]).
    pub disabled: Vec<RuleId>,
    /// The groups as written, for the report.
    pub groups: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeaturesFile {
    signings: Option<Vec<String>>,
    formats: Option<Vec<String>>,
    world_control: Option<bool>,
    #[serde(default)]
    not_implemented: Vec<String>,
}

/// The rules a group names: a rule id (`name.length`), the rules whose id begins with a
/// group and a period (`name` or `name.*`: every `name.` rule), or a layer (`request`,
/// `gateway`, `api`, `reply`). `None` when it names nothing.
pub fn rules_of_group(group: &str) -> Option<Vec<RuleId>> {
    let group = group.trim();
    let stem = group.strip_suffix(".*").unwrap_or(group);
    let layer = Layer::ALL.into_iter().find(|l| l.name() == stem);
    let rules: Vec<RuleId> = RULES
        .iter()
        .filter(|r| {
            let id = r.id.name();
            id == stem || id.starts_with(&format!("{stem}.")) || layer.is_some_and(|l| r.layer == l)
        })
        .map(|r| r.id)
        .collect();
    (!rules.is_empty()).then_some(rules)
}

impl Features {
    /// The declaration of everything the suite knows: what an absent file, or a file
    /// that leaves every key out, declares.
    pub fn all() -> Features {
        Features {
            signings: Signing::ALL.to_vec(),
            formats: Format::ALL.to_vec(),
            world_control: None,
            disabled: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// Reads a features file.
    pub fn parse(text: &str) -> Result<Features, DeclarationError> {
        let file: FeaturesFile =
            toml::from_str(text).map_err(|e| DeclarationError(format!("features: {}", e.message())))?;
        let all = Features::all();
        let signings = match file.signings {
            None => all.signings,
            Some(list) => list.iter().map(|s| s.parse()).collect::<Result<_, String>>().map_err(DeclarationError)?,
        };
        let formats = match file.formats {
            None => all.formats,
            Some(list) => list.iter().map(|s| s.parse()).collect::<Result<_, String>>().map_err(DeclarationError)?,
        };
        let mut disabled = Vec::new();
        for group in &file.not_implemented {
            let rules = rules_of_group(group).ok_or_else(|| {
                DeclarationError(format!(
                    "features: `{group}` in not_implemented names no rule (a rule id, a group such as `name`, or a layer: {})",
                    Layer::ALL.map(Layer::name).join(", ")
                ))
            })?;
            disabled.extend(rules);
        }
        // A rule no declared signing mode can reach is out with the modes.
        disabled.extend(crate::generate::deviation::unreachable(&signings));
        disabled.sort_unstable();
        disabled.dedup();
        if signings.is_empty() || formats.is_empty() {
            return Err(DeclarationError("features: declare at least one signing mode and one format".into()));
        }
        Ok(Features { signings, formats, world_control: file.world_control, disabled, groups: file.not_implemented })
    }

    /// What the declaration leaves out of the suite's whole, for the report: each
    /// signing mode, format and rule group not declared.
    pub fn declared_out(&self) -> Vec<String> {
        let mut out: Vec<String> = Signing::ALL
            .iter()
            .filter(|s| !self.signings.contains(s))
            .map(|s| format!("signing {}", s.name()))
            .collect();
        out.extend(Format::ALL.iter().filter(|f| !self.formats.contains(f)).map(|f| format!("format {f}")));
        if self.world_control == Some(false) {
            out.push("world control".into());
        }
        out.extend(self.groups.iter().map(|g| format!("rules {g}")));
        out.extend(
            crate::generate::deviation::unreachable(&self.signings)
                .iter()
                .map(|r| format!("rule {r} (no declared signing mode reaches it)")),
        );
        out
    }
}

/// One known deviation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    /// The rule that fails.
    pub rule: String,
    /// The Code the target answers instead, if the entry is that precise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The HTTP status it answers with, if the entry is that precise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why it deviates.
    #[serde(default)]
    pub reason: String,
    /// Where it is tracked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl Deviation {
    /// Whether a failure of `rule` with the reply `seen` is this deviation.
    pub fn matches(&self, rule: RuleId, seen: &Seen) -> bool {
        self.rule == rule.name()
            && self.status.is_none_or(|s| seen.status == Some(s))
            && self.code.as_ref().is_none_or(|c| seen.code.as_deref() == Some(c.as_str()))
    }
}

/// A deviation no case matched: the target is now right, and the line should go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stale {
    /// The entry's line in the file (1-based).
    pub line: usize,
    /// The entry.
    pub deviation: Deviation,
}

/// The known deviations of a target (`--expectations FILE`).
///
/// ```toml
/// [[deviation]]
/// rule = "name.length"
/// code = "InvalidParameter"      # optional: the Code observed instead
/// status = 400                   # optional: the status observed
/// reason = "we count bytes, not characters"
/// link = "https://example.org/our-emulator/issues/123"
/// ```
#[derive(Debug, Default)]
pub struct Expectations {
    entries: Vec<(usize, Deviation)>,
    hits: Vec<AtomicUsize>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ExpectationsFile {
    #[serde(default)]
    deviation: Vec<toml::Spanned<Deviation>>,
}

#[derive(Serialize)]
struct WrittenFile<'a> {
    deviation: &'a [Deviation],
}

impl Expectations {
    /// Reads an expectations file; every entry must name a rule of the table.
    pub fn parse(text: &str) -> Result<Expectations, DeclarationError> {
        let file: ExpectationsFile =
            toml::from_str(text).map_err(|e| DeclarationError(format!("expectations: {}", e.message())))?;
        let mut entries = Vec::new();
        for spanned in file.deviation {
            let line = text[..spanned.span().start.min(text.len())].matches('\n').count() + 1;
            let d = spanned.into_inner();
            if !RULES.iter().any(|r| r.id.name() == d.rule) {
                return Err(DeclarationError(format!("expectations, line {line}: `{}` is no rule", d.rule)));
            }
            entries.push((line, d));
        }
        let hits = entries.iter().map(|_| AtomicUsize::new(0)).collect();
        Ok(Expectations { entries, hits })
    }

    /// The entries, with their lines.
    pub fn entries(&self) -> impl Iterator<Item = (usize, &Deviation)> {
        self.entries.iter().map(|(l, d)| (*l, d))
    }

    /// The entry that a failure of `rule` with reply `seen` is, if any (and counts it).
    pub fn expect(&self, rule: RuleId, seen: &Seen) -> Option<&Deviation> {
        let i = self.entries.iter().position(|(_, d)| d.matches(rule, seen))?;
        self.hits[i].fetch_add(1, Ordering::Relaxed);
        Some(&self.entries[i].1)
    }

    /// Entries no case matched.
    pub fn stale(&self) -> Vec<Stale> {
        self.entries
            .iter()
            .zip(&self.hits)
            .filter(|(_, h)| h.load(Ordering::Relaxed) == 0)
            .map(|((line, d), _)| Stale { line: *line, deviation: d.clone() })
            .collect()
    }

    /// Writes a file listing `deviations`, readable by [`Expectations::parse`].
    pub fn write(deviations: &[Deviation]) -> String {
        let mut out = String::from(
            "# Known deviations of this target from the documented CopyImage API, written by\n\
             # `copyimage-conformance run --write-expectations`. Fill in each reason and link.\n\
             # An entry that no case matches any more fails the run as stale: delete it then.\n\n",
        );
        out.push_str(&toml::to_string(&WrittenFile { deviation: deviations }).unwrap_or_default());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_resolve_groups_and_refuse_unknown_ones() {
        let f = Features::parse(
            "signings = [\"v1-get\", \"v1-post-form\"]\nformats = [\"xml\"]\nnot_implemented = [\"quota\", \"gateway.nonce-used\"]\n",
        )
        .unwrap();
        assert_eq!(f.signings, [Signing::V1Get, Signing::V1PostForm]);
        assert_eq!(f.disabled, [RuleId::NonceUsed, RuleId::ImageQuota, RuleId::SnapshotQuota]);
        assert!(f.declared_out().contains(&"signing v3".to_owned()));
        assert!(f.declared_out().contains(&"format json".to_owned()));
        assert_eq!(rules_of_group("reply.*").map(|r| r.len()), Some(4));
        // A layer's name, as README gives it, names exactly that layer's rules.
        assert_eq!(Layer::ALL.map(Layer::name), ["request", "gateway", "api", "reply"]);
        for layer in Layer::ALL {
            let of_layer: Vec<RuleId> = RULES.iter().filter(|r| r.layer == layer).map(|r| r.id).collect();
            assert_eq!(rules_of_group(layer.name()), Some(of_layer), "{}", layer.name());
        }
        assert!(Features::parse("not_implemented = [\"nam\"]").unwrap_err().0.contains("`nam`"));
        assert!(Features::parse("signing = []").is_err(), "unknown keys are refused");
        assert!(Features::parse("signings = []").is_err());
        assert_eq!(Features::parse("").unwrap().signings, Signing::ALL);
    }

    #[test]
    fn an_entry_matches_its_rule_code_and_status_and_is_stale_until_it_does() {
        let text = "# known\n\n[[deviation]]\nrule = \"name.length\"\ncode = \"InvalidParameter\"\nreason = \"bytes\"\n\n[[deviation]]\nrule = \"image.age\"\nstatus = 400\n";
        let e = Expectations::parse(text).unwrap();
        let seen = |status, code: &str| Seen { status: Some(status), code: Some(code.into()), ..Seen::default() };
        assert!(e.expect(RuleId::NameLength, &seen(400, "InvalidImageName.Malformed")).is_none());
        assert!(e.expect(RuleId::NameLength, &seen(400, "InvalidParameter")).is_some());
        assert!(e.expect(RuleId::NameCharacters, &seen(400, "InvalidParameter")).is_none());
        let stale = e.stale();
        assert_eq!(stale.len(), 1);
        assert_eq!((stale[0].line, stale[0].deviation.rule.as_str()), (8, "image.age"));
        assert!(Expectations::parse("[[deviation]]\nrule = \"no.such\"\n").unwrap_err().0.contains("line 1"));
    }

    #[test]
    fn a_written_file_reads_back() {
        let d = vec![Deviation {
            rule: "quota.image".into(),
            code: Some("QuotaExceed".into()),
            status: Some(403),
            reason: "found by seed 1, case 7".into(),
            link: None,
        }];
        let e = Expectations::parse(&Expectations::write(&d)).unwrap();
        assert_eq!(e.entries().map(|(_, d)| d.clone()).collect::<Vec<_>>(), d);
    }
}
