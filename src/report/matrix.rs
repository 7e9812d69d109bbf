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

    /// The HTML form: one self-contained page, a coloured grid. It reads without
    /// script; a small inline script sorts the rows by rule name or by one target's
    /// outcomes (click a header), and the targets by their share passed.
    pub fn html(&self) -> String {
        let mut out = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>CopyImage conformance matrix</title><style>{}\
table.matrix{{width:auto;max-width:100%;table-layout:auto}}table.matrix td.cell{{text-align:center;min-width:5.5em}}\
th[data-sort]{{cursor:pointer;user-select:none}}th[data-dir=asc]::after{{content:\" \\25B2\"}}th[data-dir=desc]::after{{content:\" \\25BC\"}}\
.score{{font-size:1.2em}}.score strong{{font-size:1.5em}}button{{font:inherit;margin:.5em 0}}</style></head><body>",
            super::html::stylesheet()
        );
        let _ = write!(
            out,
            "<h1>CopyImage conformance matrix</h1><p class=\"score\">Interop score: <strong id=\"score\">{:.1}%</strong> ({} of {} rules pass on every target)</p>",
            self.score() * 100.0,
            self.interoperable(),
            self.rules.len()
        );
        for m in self.mixed() {
            let _ =
                write!(out, "<p>Warning: {} differs in tool or profile from the first report.</p>", escape(m.as_str()));
        }
        out.push_str("<ul class=\"counts\">");
        for o in RuleOutcome::ALL {
            let _ = write!(out, "<li class=\"{}\">{}</li>", super::html::outcome_class(o), o.word());
        }
        out.push_str(
            "<li class=\"none\">missing</li></ul><p class=\"muted noscript\">Click a header to sort the rules by name or by that target's outcomes (failures first).</p><button type=\"button\" id=\"by-score\">Order targets by share passed</button>",
        );
        out.push_str("<table class=\"matrix\"><thead><tr><th data-sort=\"rule\">Rule</th>");
        for (k, c) in self.columns.iter().enumerate() {
            let _ = write!(
                out,
                "<th data-sort=\"{}\" data-target=\"{}\" title=\"{}\">{}</th>",
                k + 1,
                escape(c.name.as_str()),
                escape(c.target.as_str()),
                escape(c.name.as_str())
            );
        }
        out.push_str("</tr></thead><tbody>");
        for (i, rule) in self.rules.iter().enumerate() {
            let _ = write!(
                out,
                "<tr data-rule=\"{r}\" data-index=\"{i}\"><td><code>{r}</code></td>",
                r = escape(rule.as_str())
            );
            for o in self.row(rule) {
                let class = o.map_or("none", super::html::outcome_class);
                let _ = write!(out, "<td class=\"cell {class}\" data-outcome=\"{w}\">{w}</td>", w = word(o));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody><tfoot><tr><th>passed</th>");
        for s in self.target_scores() {
            let _ = write!(out, "<th data-share=\"{s}\">{:.1}%</th>", s * 100.0);
        }
        out.push_str("</tr></tfoot></table><ul>");
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
        out.push_str("</ul><script>");
        out.push_str(SORT_SCRIPT);
        out.push_str("</script></body></html>\n");
        out
    }
}

/// Sorting the matrix: rows by rule name or by one target's outcomes, columns by their
/// share passed. The page reads the same without it.
const SORT_SCRIPT: &str = r#"(function(){
var rank={"failed":0,"error":1,"disabled":2,"not checkable":3,"missing":4,"passed":5};
var table=document.querySelector("table.matrix"),body=table.tBodies[0];
function sortRows(th){
  var key=th.getAttribute("data-sort"),dir=th.getAttribute("data-dir")==="asc"?"desc":"asc",sign=dir==="asc"?1:-1;
  table.querySelectorAll("th[data-sort]").forEach(function(t){t.removeAttribute("data-dir");});
  th.setAttribute("data-dir",dir);
  var col=Array.prototype.indexOf.call(th.parentNode.children,th);
  var rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(a,b){
    if(key==="rule"){var x=a.getAttribute("data-rule"),y=b.getAttribute("data-rule");return sign*(x<y?-1:x>y?1:0);}
    var d=rank[a.cells[col].getAttribute("data-outcome")]-rank[b.cells[col].getAttribute("data-outcome")];
    return sign*d||(a.getAttribute("data-index")-b.getAttribute("data-index"));
  });
  rows.forEach(function(r){body.appendChild(r);});
}
table.querySelectorAll("th[data-sort]").forEach(function(th){th.addEventListener("click",function(){sortRows(th);});});
document.getElementById("by-score").addEventListener("click",function(){
  var shares=Array.prototype.slice.call(table.tFoot.rows[0].cells,1).map(function(c,k){return {k:k+1,s:parseFloat(c.getAttribute("data-share"))};});
  shares.sort(function(a,b){return b.s-a.s||a.k-b.k;});
  Array.prototype.forEach.call(table.rows,function(row){
    var cells=Array.prototype.slice.call(row.cells);
    shares.forEach(function(x){row.appendChild(cells[x.k]);});
  });
});
})();"#;

fn word(o: Option<RuleOutcome>) -> &'static str {
    o.map_or("missing", RuleOutcome::word)
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}
