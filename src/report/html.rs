//! The HTML form: one self-contained page, the rule matrix coloured by result.

use std::fmt::Write;

use quick_xml::escape::escape;

use super::trace::{Capped, Trace};
use super::{Report, RuleTally, Shown};

/// A rule row's class and the words it shows.
pub fn row_class(t: &RuleTally) -> (&'static str, &'static str) {
    let shown = t.shown();
    let class = match shown {
        Shown::Passed => "pass",
        Shown::ExpectedFailure => "xfail",
        Shown::Failed => "fail",
        Shown::Disabled => "off",
        Shown::NotCheckable => "skip",
        Shown::NotExercised => "none",
        Shown::Error => "error",
    };
    (class, shown.word())
}

/// Renders a report as one HTML page with no external resources.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>CopyImage conformance: {}</title><style>\
body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;width:100%}}\
td,th{{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.9em}}\
.pass{{background:#d9f2d9}}.fail{{background:#f8d0d0}}.none{{background:#eee}}.skip{{background:#fff3cd}}\
.off{{background:#e0e4f0}}.xfail{{background:#eadcf5}}.error{{background:#f5c28a}}\
pre{{white-space:pre-wrap;background:#f6f6f6;padding:.5em}}h1 .bad{{color:#b00}}h1 .good{{color:#070}}</style></head><body>",
        escape(r.target.as_str())
    );
    let verdict = if r.conformant() {
        "<span class=\"good\">conformant</span>"
    } else {
        "<span class=\"bad\">not conformant</span>"
    };
    let _ = write!(out, "<h1>CopyImage conformance: {verdict}</h1><p>{}</p>", escape(r.summary().as_str()));
    let _ = write!(out, "<p>Target {} · seed {} · {}</p>", escape(r.target.as_str()), r.seed, escape(r.tool.as_str()));
    out.push_str("<h2>Rules</h2><table><tr><th>Rule</th><th>Outcome</th><th>Layer</th><th>Codes</th><th>Exercised</th><th>Passed</th><th>Failed</th><th>Sentence</th></tr>");
    for t in &r.rules {
        let (class, outcome) = row_class(t);
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td><code>{}</code></td><td>{outcome}</td><td>{:?}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            t.id,
            t.layer,
            escape(t.codes.join(", ").as_str()),
            t.exercised,
            t.passed,
            t.failed,
            escape(t.sentence)
        );
    }
    out.push_str("</table>");
    if !r.declared_out.is_empty() {
        let _ = write!(out, "<p>Declared out by the target: {}</p>", escape(r.declared_out.join(", ").as_str()));
    }
    if !r.stale_expectations.is_empty() {
        out.push_str("<h2>Stale expectations</h2><ul>");
        for stale in &r.stale_expectations {
            let _ = write!(
                out,
                "<li class=\"fail\">line {}: <code>{}</code> no longer fails as listed; delete the entry</li>",
                stale.line,
                escape(stale.deviation.rule.as_str())
            );
        }
        out.push_str("</ul>");
    }
    if !r.failures.is_empty() {
        out.push_str("<h2>Failures</h2>");
        for f in &r.failures {
            let rules: Vec<String> = f.rules.iter().map(ToString::to_string).collect();
            let _ = write!(
                out,
                "<h3>{} ({} cases)</h3><p>{}</p><ul>",
                escape(rules.join(", ").as_str()),
                f.occurrences,
                escape(f.sentence)
            );
            for m in &f.mismatches {
                let _ = write!(
                    out,
                    "<li><code>{}</code>: expected {} — observed {}</li>",
                    m.rule,
                    escape(m.expected.to_string()),
                    escape(m.observed.to_string())
                );
            }
            out.push_str("</ul><pre>");
            for c in &f.commands {
                let _ = writeln!(out, "$ {}", escape(c.as_str()));
            }
            out.push_str("</pre>");
            trace(&mut out, &f.trace);
        }
    }
    if !r.not_checkable.is_empty() {
        let names: Vec<String> = r.not_checkable.iter().map(ToString::to_string).collect();
        let _ = write!(out, "<h2>Not checkable on this target</h2><p>{}</p>", escape(names.join(", ").as_str()));
    }
    out.push_str("</body></html>\n");
    out
}

/// A failure's trace: one block per exchange, request beside reply.
fn trace(out: &mut String, trace: &Trace) {
    if trace.0.is_empty() {
        return;
    }
    let _ = write!(out, "<details class=\"trace\"><summary>Trace ({} exchanges)</summary>", trace.0.len());
    for (i, step) in trace.0.iter().enumerate() {
        let mark = if step.failed { " (failed)" } else { "" };
        let _ = write!(
            out,
            "<h4>Exchange {}{mark}: sent at {:.3} ms, answered in {:.3} ms</h4>",
            i + 1,
            step.at_ms,
            step.elapsed_ms
        );
        let r = &step.request;
        let first = format!("{} {}", r.method, capped(&r.target));
        message(out, "request", &first, &r.headers, &r.body);
        match (&step.reply, &step.problem) {
            (Some(reply), _) => message(out, "reply", &format!("HTTP {}", reply.status), &reply.headers, &reply.body),
            (None, problem) => {
                let why = problem.as_deref().unwrap_or("no reply");
                let _ = write!(out, "<pre class=\"reply\">{}</pre>", escape(why));
            }
        }
    }
    out.push_str("</details>");
}

/// One HTTP message as a block: its first line, its headers, a blank line, its body.
fn message(out: &mut String, class: &str, first: &str, headers: &[(String, String)], body: &Capped) {
    let _ = write!(out, "<pre class=\"{class}\">{}", escape(first));
    for (n, v) in headers {
        let _ = write!(out, "\n{}: {}", escape(n.as_str()), escape(v.as_str()));
    }
    let _ = write!(out, "\n\n{}</pre>", escape(capped(body).as_str()));
}

fn capped(c: &Capped) -> String {
    if c.truncated { format!("{}… [{} bytes in all]", c.text, c.bytes) } else { c.text.clone() }
}
