//! The JUnit XML form: one test case per rule, readable by CI systems.

use std::fmt::Write;

use quick_xml::escape::escape;

use super::{Report, Shown};

/// Renders a report as JUnit XML.
pub fn render(r: &Report) -> String {
    let count = |shown: &[Shown]| r.rules.iter().filter(|t| shown.contains(&t.shown())).count();
    let failed_rules = count(&[Shown::Failed]) + r.stale_expectations.len();
    let tests = r.rules.len() + r.stale_expectations.len();
    let errors = count(&[Shown::Error]);
    let skipped = count(&[Shown::Disabled, Shown::NotCheckable, Shown::NotExercised, Shown::ExpectedFailure]);
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
        match t.shown() {
            Shown::Disabled => {
                out.push_str("<skipped message=\"disabled: the target declares it not implemented\"/>");
            }
            Shown::NotCheckable => out.push_str("<skipped message=\"not checkable on this target\"/>"),
            Shown::NotExercised => out.push_str("<skipped message=\"not exercised\"/>"),
            Shown::Error => {
                let _ = write!(
                    out,
                    "<error message=\"the harness could not send {} case(s) about this rule\" type=\"harness\"/>",
                    t.errors
                );
            }
            Shown::ExpectedFailure => {
                let _ = write!(
                    out,
                    "<skipped message=\"expected failure ({} cases): {}\"/>",
                    t.expected_failures,
                    escape(t.expectation.as_deref().unwrap_or("listed in the expectations file"))
                );
            }
            Shown::Passed => {}
            Shown::Failed => {
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
