//! The matrix across implementations: rules × targets, from JSON reports.
//!
//! Owns `matrix REPORT.json...`: reading the JSON reports of several runs (each target
//! one column, named by its file), each cell the rule's outcome on that target, and the
//! interop score, the share of rules that pass on every target, as the Interop
//! dashboard of Web Platform Tests counts it; beside it each target's own share. Two
//! forms: Markdown and one self-contained HTML page.

use std::fmt::Write;

use quick_xml::escape::escape;
use serde::Deserialize;

use super::RuleOutcome;

/// What the matrix reads of a JSON report.
#[derive(Clone, Debug, Deserialize)]
pub struct Column {
    /// The column's name (the report's file name, without `.json`).
    #[serde(skip)]
    pub name: String,
    /// The tool and version that made the report.
    pub tool: String,
    /// The documentation profile (absent in reports before profiles were named).
    #[serde(default)]
    pub profile: Option<String>,
    /// The target.
    pub target: String,
    /// The seed.
    pub seed: u64,
    /// Every rule's outcome.
    pub rules: Vec<Cell>,
}

/// One rule on one target.
#[derive(Clone, Debug, Deserialize)]
pub struct Cell {
    /// The rule.
    pub id: String,
    /// Its outcome.
    pub outcome: RuleOutcome,
}

impl Column {
    /// Reads a JSON report as a column named `name`.
    pub fn parse(name: &str, text: &str) -> Result<Column, String> {
        let mut c: Column = serde_json::from_str(text).map_err(|e| format!("{name}: not a JSON report: {e}"))?;
        c.name = name.to_owned();
        Ok(c)
    }

    fn outcome(&self, rule: &str) -> Option<RuleOutcome> {
        self.rules.iter().find(|c| c.id == rule).map(|c| c.outcome)
    }
}

/// Rules × targets.
#[derive(Clone, Debug)]
pub struct Matrix {
    /// The targets, in the order given.
    pub columns: Vec<Column>,
    /// Every rule any report names, in the first report's order, then the others'.
    pub rules: Vec<String>,
}

impl Matrix {
    /// The matrix of some columns.
    pub fn new(columns: Vec<Column>) -> Matrix {
        let mut rules: Vec<String> = Vec::new();
        for c in &columns {
            for cell in &c.rules {
                if !rules.contains(&cell.id) {
                    rules.push(cell.id.clone());
                }
            }
        }
        Matrix { columns, rules }
    }

    /// Rule `rule`'s outcome on every target (`None`: the report does not name it).
    pub fn row(&self, rule: &str) -> Vec<Option<RuleOutcome>> {
        self.columns.iter().map(|c| c.outcome(rule)).collect()
    }

    /// Rules that pass on every target.
    pub fn interoperable(&self) -> usize {
        self.rules.iter().filter(|r| self.row(r).iter().all(|o| *o == Some(RuleOutcome::Passed))).count()
    }

    /// The interop score: the share of rules that pass on every target.
    pub fn score(&self) -> f64 {
        share(self.interoperable(), self.rules.len())
    }

    /// Each target's share of rules passed.
    pub fn target_scores(&self) -> Vec<f64> {
        self.columns
            .iter()
            .map(|c| {
                share(self.rules.iter().filter(|r| c.outcome(r) == Some(RuleOutcome::Passed)).count(), self.rules.len())
            })
            .collect()
    }

    /// Reports made by different tool versions or for different profiles: their rules
    /// may not be the same rules.
    pub fn mixed(&self) -> Vec<String> {
        let first = self.columns.first();
        self.columns
            .iter()
            .filter(|c| first.is_some_and(|f| f.tool != c.tool || f.profile != c.profile))
            .map(|c| format!("{} ({}, profile {})", c.name, c.tool, c.profile.as_deref().unwrap_or("unnamed")))
            .collect()
    }

    /// The Markdown form.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "Interop score: {:.1}% ({} of {} rules pass on every target)\n\n",
            self.score() * 100.0,
            self.interoperable(),
            self.rules.len()
        );
        for m in self.mixed() {
            let _ = writeln!(out, "Warning: {m} differs in tool or profile from the first report.\n");
        }
        out.push_str("| Rule |");
        for c in &self.columns {
            let _ = write!(out, " {} |", c.name.replace('|', "\\|"));
        }
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(self.columns.len()));
        out.push('\n');
        for rule in &self.rules {
            let _ = write!(out, "| `{rule}` |");
            for o in self.row(rule) {
                let _ = write!(out, " {} |", word(o));
            }
            out.push('\n');
        }
        out.push_str("| **passed** |");
        for s in self.target_scores() {
            let _ = write!(out, " {:.1}% |", s * 100.0);
        }
        out.push_str("\n\n");
        for c in &self.columns {
            let _ = writeln!(out, "* `{}`: {}, seed {}, {}", c.name, c.target, c.seed, c.tool);
        }
        out
    }

    /// The HTML form: one self-contained page.
    pub fn html(&self) -> String {
        let mut out = String::from(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>CopyImage conformance matrix</title><style>\
body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;font-size:.9em}\
.passed{background:#d9f2d9}.failed{background:#f8d0d0}.disabled{background:#e0e4f0}\
.not-checkable{background:#fff3cd}.error{background:#f5c28a}.missing{background:#eee}</style></head><body>",
        );
        let _ = write!(
            out,
            "<h1>CopyImage conformance matrix</h1><p class=\"score\">Interop score: <strong>{:.1}%</strong> ({} of {} rules pass on every target)</p>",
            self.score() * 100.0,
            self.interoperable(),
            self.rules.len()
        );
        for m in self.mixed() {
            let _ =
                write!(out, "<p>Warning: {} differs in tool or profile from the first report.</p>", escape(m.as_str()));
        }
        out.push_str("<table><tr><th>Rule</th>");
        for c in &self.columns {
            let _ = write!(out, "<th title=\"{}\">{}</th>", escape(c.target.as_str()), escape(c.name.as_str()));
        }
        out.push_str("</tr>");
        for rule in &self.rules {
            let _ = write!(out, "<tr><td><code>{}</code></td>", escape(rule.as_str()));
            for o in self.row(rule) {
                let class = o.map_or("missing", |o| o.word()).replace(' ', "-");
                let _ = write!(out, "<td class=\"{class}\">{}</td>", word(o));
            }
            out.push_str("</tr>");
        }
        out.push_str("<tr><th>passed</th>");
        for s in self.target_scores() {
            let _ = write!(out, "<th>{:.1}%</th>", s * 100.0);
        }
        out.push_str("</tr></table><ul>");
        for c in &self.columns {
            let _ = write!(
                out,
                "<li><code>{}</code>: {}, seed {}, {}</li>",
                escape(c.name.as_str()),
                escape(c.target.as_str()),
                c.seed,
                escape(c.tool.as_str())
            );
        }
        out.push_str("</ul></body></html>\n");
        out
    }
}

fn word(o: Option<RuleOutcome>) -> &'static str {
    o.map_or("missing", RuleOutcome::word)
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}
