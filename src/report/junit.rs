//! The JUnit XML form: one test case per rule, readable by CI systems.

use std::fmt::Write;

use quick_xml::escape::escape;

use super::{Report, RuleOutcome};

/// Renders a report as JUnit XML.
pub fn render(r: &Report) -> String {
    let count = |o: RuleOutcome| r.rules.iter().filter(|t| t.settled() == o).count();
    let failed_rules = count(RuleOutcome::Failed) + r.stale_expectations.len();
    let tests = r.rules.len() + r.stale_expectations.len();
    let errors = count(RuleOutcome::Error);
    let expected = r.rules.iter().filter(|t| t.settled() == RuleOutcome::Passed && t.expected_failures > 0).count();
    let skipped = count(RuleOutcome::Disabled) + count(RuleOutcome::NotCheckable) + expected;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"copyimage-conformance\" tests=\"{}\" failures=\"{failed_rules}\" errors=\"{errors}\" time=\"{:.3}\">",
        tests, r.seconds
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed_rules}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{:.3}\">",
        escape(r.target.as_str()),
        tests,
        r.seconds
    );
    let _ = writeln!(
        out,
        "    <properties><property name=\"seed\" value=\"{}\"/><property name=\"cases\" value=\"{}\"/></properties>",
        r.seed, r.cases
    );
    for t in &r.rules {
        let _ = write!(out, "    <testcase classname=\"copyimage.{:?}\" name=\"{}\">", t.layer, t.id);
        match t.settled() {
            RuleOutcome::Disabled => {
                out.push_str("<skipped message=\"disabled: the target declares it not implemented\"/>");
            }
            RuleOutcome::NotCheckable if !t.checkable => {
                out.push_str("<skipped message=\"not checkable on this target\"/>");
            }
            RuleOutcome::NotCheckable => out.push_str("<skipped message=\"not exercised\"/>"),
            RuleOutcome::Error => {
                let _ = write!(
                    out,
                    "<error message=\"the harness could not send {} case(s) about this rule\" type=\"harness\"/>",
                    t.errors
                );
            }
            RuleOutcome::Passed if t.expected_failures > 0 => {
                let _ = write!(
                    out,
                    "<skipped message=\"expected failure ({} cases): {}\"/>",
                    t.expected_failures,
                    escape(t.expectation.as_deref().unwrap_or("listed in the expectations file"))
                );
            }
            RuleOutcome::Passed => {}
            RuleOutcome::Failed => {
                let detail: String = r
                    .failures
                    .iter()
                    .filter(|f| f.rules.contains(&t.id))
                    .flat_map(|f| {
                        f.mismatches.iter().filter(|m| m.rule == t.id).map(move |m| {
                            format!("case #{}: expected {}, observed {}\n", f.case_index, m.expected, m.observed)
                        })
                    })
                    .collect();
                let _ = write!(
                    out,
                    "<failure message=\"{} of {} cases failed\" type=\"nonconformance\">{}\n{}</failure>",
                    t.failed,
                    t.exercised,
                    escape(t.sentence),
                    escape(detail.as_str())
                );
            }
        }
        let _ = writeln!(
            out,
            "<system-out>exercised {}, passed {}, failed {}</system-out></testcase>",
            t.exercised, t.passed, t.failed
        );
    }
    for stale in &r.stale_expectations {
        let _ = writeln!(
            out,
            "    <testcase classname=\"copyimage.expectations\" name=\"line {} {}\"><failure message=\"stale: no case failed as listed; the target is right now: delete line {}\" type=\"stale-expectation\"/></testcase>",
            stale.line,
            escape(stale.deviation.rule.as_str()),
            stale.line
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
