//! The terminal form of a report: summary, rule table, failures with reproductions.

use std::fmt::Write;

use super::{Report, Shown};

/// Renders a report for a terminal or a log.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — target {}{}",
        r.tool,
        r.target,
        if r.control { " (world control)" } else { " (no world control)" }
    );
    let signings: Vec<String> = r.signings.iter().map(ToString::to_string).collect();
    let formats: Vec<String> = r.formats.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "seed {}{}; signing {}; formats {}\n",
        r.seed,
        r.shard.as_ref().map(|s| format!(", shard {s}")).unwrap_or_default(),
        signings.join(","),
        formats.join(",")
    );
    if !r.declared_out.is_empty() {
        let _ = writeln!(out, "declared out by the target: {}\n", r.declared_out.join(", "));
    }
    let _ = writeln!(out, "{:<32} {:<13} {:>9} {:>8} {:>7}  codes", "rule", "outcome", "exercised", "passed", "failed");
    for t in &r.rules {
        let shown = t.shown();
        let mark = match shown {
            Shown::Passed => "✓",
            Shown::ExpectedFailure => "~",
            Shown::Failed => "✗",
            Shown::Disabled => "○",
            Shown::NotCheckable => "-",
            Shown::NotExercised => "·",
            Shown::Error => "!",
        };
        let _ = writeln!(
            out,
            "{mark} {:<30} {:<16} {:>9} {:>8} {:>7}  {}",
            t.id.to_string(),
            shown.word(),
            t.exercised,
            t.passed,
            t.failed,
            t.codes.join(", ")
        );
    }
    for stale in &r.stale_expectations {
        let _ = writeln!(
            out,
            "\nstale expectation, line {}: `{}`{}{} no longer fails as listed; the target is right now: delete the entry",
            stale.line,
            stale.deviation.rule,
            stale.deviation.status.map(|s| format!(" {s}")).unwrap_or_default(),
            stale.deviation.code.as_ref().map(|c| format!(" {c}")).unwrap_or_default(),
        );
    }
    for why in &r.error_reasons {
        let _ = writeln!(out, "\nthe harness could not send a case: {why}");
    }
    if !r.not_checkable.is_empty() {
        let names: Vec<String> = r.not_checkable.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "\nnot checkable on this target (no world control): {}", names.join(", "));
    }
    for (n, f) in r.failures.iter().enumerate() {
        let rules: Vec<String> = f.rules.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "\n── failure {} of {}: {} ({} case{}, first #{})",
            n + 1,
            r.failures.len(),
            rules.join(", "),
            f.occurrences,
            if f.occurrences == 1 { "" } else { "s" },
            f.case_index
        );
        let _ = writeln!(out, "   rule says: {}", f.sentence);
        for m in &f.mismatches {
            let _ = writeln!(
                out,
                "   {}: expected {}\n   {:width$}  observed {}",
                m.rule,
                m.expected,
                "",
                m.observed,
                width = m.rule.to_string().len()
            );
        }
        let _ = writeln!(out, "   shrunk from {} to {} deviation(s) in {} steps", f.size.0, f.size.1, f.shrink_steps);
        let _ = writeln!(out, "   world: {}", serde_json::to_string(&super::shown_world(&f.world)).unwrap_or_default());
        for step in &f.steps {
            let _ = writeln!(out, "   step: {}", serde_json::to_string(step).unwrap_or_default());
        }
        if let Some(req) = &f.request {
            let _ = writeln!(out, "   request: {} {}", req.method, req.target.chars().take(400).collect::<String>());
        }
        for c in &f.commands {
            let _ = writeln!(out, "   $ {c}");
        }
    }
    if !r.flaky_cases.is_empty() {
        let _ = writeln!(out, "\nflaky (failed once, passed when run again):");
        for f in &r.flaky_cases {
            let rules: Vec<String> = f.rules.iter().map(ToString::to_string).collect();
            let _ = writeln!(out, "   case #{}: {} ({})", f.case_index, rules.join(", "), f.seen);
        }
    }
    if !r.created_images.is_empty() {
        let _ = writeln!(out, "\nimages created on the target (delete them): {}", r.created_images.join(", "));
    }
    let _ = writeln!(out, "\n{}", r.summary());
    out
}
