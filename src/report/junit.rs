//! The JUnit XML form: one test case per rule, readable by CI systems.

use std::fmt::Write;

use quick_xml::escape::escape;

use super::Report;

/// Renders a report as JUnit XML.
pub fn render(r: &Report) -> String {
    let failed_rules = r.rules.iter().filter(|t| t.failed > 0).count();
    let skipped = r.rules.iter().filter(|t| !t.checkable || t.exercised == 0).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"copyimage-conformance\" tests=\"{}\" failures=\"{failed_rules}\" time=\"{:.3}\">",
        r.rules.len(),
        r.seconds
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed_rules}\" skipped=\"{skipped}\" time=\"{:.3}\">",
        escape(r.target.as_str()),
        r.rules.len(),
        r.seconds
    );
    let _ = writeln!(
        out,
        "    <properties><property name=\"seed\" value=\"{}\"/><property name=\"cases\" value=\"{}\"/></properties>",
        r.seed, r.cases
    );
    for t in &r.rules {
        let _ = write!(out, "    <testcase classname=\"copyimage.{:?}\" name=\"{}\">", t.layer, t.id);
        if !t.checkable {
            out.push_str("<skipped message=\"not checkable on this target\"/>");
        } else if t.exercised == 0 {
            out.push_str("<skipped message=\"not exercised\"/>");
        } else if t.failed > 0 {
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
        let _ = writeln!(
            out,
            "<system-out>exercised {}, passed {}, failed {}</system-out></testcase>",
            t.exercised, t.passed, t.failed
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
