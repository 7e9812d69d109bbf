//! The HTML form: one self-contained page that reads like a certificate.
//!
//! Owns the page: a summary (verdict, target, profile, seed, the five outcomes
//! counted), a chart of rules by layer and outcome (inline SVG), the rule table (the
//! documented sentence as clean text, its Codes, statuses and source in columns of
//! their own), then each failure with expected beside observed, the minimal world and
//! request, the trace and the commands that reproduce it. No external resource and no
//! script: it reads offline and prints.

use std::fmt::Write;

use quick_xml::escape::escape;

use super::quote::{self, Piece};
use super::trace::{Capped, Trace};
use super::{Failure, Report, RuleOutcome, RuleTally, Shown, Standing};
use crate::rules::Layer;

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

/// The class (and colour) of one of the five outcomes, shared with the matrix page.
pub fn outcome_class(o: RuleOutcome) -> &'static str {
    match o {
        RuleOutcome::Passed => "pass",
        RuleOutcome::Failed => "fail",
        RuleOutcome::Disabled => "off",
        RuleOutcome::NotCheckable => "skip",
        RuleOutcome::Error => "error",
    }
}

/// The colour of each outcome class, as the stylesheet and the chart use it.
const COLOURS: [(&str, &str); 7] = [
    ("pass", "#cdeccd"),
    ("xfail", "#e6d8f3"),
    ("fail", "#f6c7c7"),
    ("off", "#dde3f2"),
    ("skip", "#fbefc4"),
    ("none", "#e9e9e9"),
    ("error", "#f4c18c"),
];

fn colour(class: &str) -> &'static str {
    COLOURS.iter().find(|(c, _)| *c == class).map_or("#fff", |(_, v)| v)
}

/// The page's stylesheet: readable at 1,280 px and narrower, nothing wider than the
/// page, failures kept whole when printed.
pub fn stylesheet() -> String {
    let mut css = String::from(
        "*{box-sizing:border-box}\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;padding:1.5em 2em;max-width:1280px;color:#1d1d1f;line-height:1.4}\
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}\
table{border-collapse:collapse;width:100%;table-layout:fixed}\
td,th{border:1px solid #d0d0d0;padding:.3em .45em;text-align:left;vertical-align:top;font-size:.86em;overflow-wrap:break-word}\
th{background:#f3f3f3}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}\
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:.5em;margin:.3em 0;font-size:.82em}\
.verdict{display:inline-block;padding:.25em .7em;border-radius:4px;font-weight:700;font-size:1.1em}\
.verdict.good{background:#1f7a1f;color:#fff}.verdict.bad{background:#b3261e;color:#fff}.verdict.neutral{background:#8a6d00;color:#fff}\
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:.8em 0}dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}\
ul.counts{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5em}\
ul.counts li{padding:.4em .8em;border-radius:4px;border:1px solid #ccc}ul.counts b{font-size:1.3em;margin-right:.3em}\
svg.chart{max-width:100%;height:auto}\
details.failure{border:1px solid #d0d0d0;border-left:6px solid #b3261e;border-radius:4px;padding:.4em .8em;margin:.8em 0}\
details.failure>summary{font-weight:600;cursor:pointer}\
table.sides td.expected{background:#eef6ee}table.sides td.observed{background:#fbecec}\
.muted{color:#666}\
@media print{body{max-width:none;padding:0}details.failure{break-inside:avoid}summary{list-style:none}}",
    );
    for (class, c) in COLOURS {
        let _ = write!(css, ".{class}{{background:{c}}}");
    }
    css
}

/// Renders a report as one HTML page with no external resources.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>CopyImage conformance: {}</title><style>{}</style></head><body>",
        escape(r.target.as_str()),
        stylesheet()
    );
    summary(&mut out, r);
    chart(&mut out, r);
    rules(&mut out, r);
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
        let _ = write!(out, "<h2 id=\"failures\">Failures ({})</h2>", r.failures.len());
        for (n, f) in r.failures.iter().enumerate() {
            failure(&mut out, n, f);
        }
    }
    if !r.flaky_cases.is_empty() {
        out.push_str("<h2>Flaky (failed once, passed when run again)</h2><ul>");
        for f in &r.flaky_cases {
            let rules: Vec<String> = f.rules.iter().map(ToString::to_string).collect();
            let _ = write!(
                out,
                "<li>case #{}: <code>{}</code> ({})</li>",
                f.case_index,
                escape(rules.join(", ").as_str()),
                escape(f.seen.to_string())
            );
        }
        out.push_str("</ul>");
    }
    if !r.created_images.is_empty() {
        let _ =
            write!(out, "<h2>Images created on the target</h2><p>{}</p>", escape(r.created_images.join(", ").as_str()));
        if !r.cleanup.is_empty() {
            out.push_str("<table><tr><th>Image</th><th>Region</th><th>Cleanup</th><th>By hand</th></tr>");
            for c in &r.cleanup {
                let outcome = serde_json::to_value(c.outcome).ok().and_then(|v| v.as_str().map(str::to_owned));
                let reason = c.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}{}</td><td><pre>{}</pre></td></tr>",
                    escape(c.image.as_str()),
                    escape(c.region.as_str()),
                    escape(outcome.unwrap_or_default().as_str()),
                    escape(reason.as_str()),
                    escape(c.commands.join("\n").as_str())
                );
            }
            out.push_str("</table>");
        }
    }
    let _ = write!(out, "<p class=\"muted\">{}</p>", escape(r.summary().as_str()));
    out.push_str("</body></html>\n");
    out
}

fn summary(out: &mut String, r: &Report) {
    let (class, word) = match r.standing() {
        Standing::Conformant => ("good", "Conformant"),
        Standing::NotConformant => ("bad", "Not conformant"),
        Standing::Incomplete => ("neutral", "Incomplete"),
    };
    let _ = write!(
        out,
        "<header class=\"summary\"><h1>CopyImage conformance</h1><p><span class=\"verdict {class}\" id=\"verdict\">{word}</span></p><dl class=\"facts\">"
    );
    let signings: Vec<String> = r.signings.iter().map(ToString::to_string).collect();
    let formats: Vec<String> = r.formats.iter().map(ToString::to_string).collect();
    let mut facts = vec![
        ("Target", r.target.clone() + if r.control { " (world control)" } else { " (no world control)" }),
        ("Documentation profile", r.profile.to_owned()),
        ("Seed", r.seed.to_string() + &r.shard.as_ref().map(|s| format!(", shard {s}")).unwrap_or_default()),
        (
            "Run",
            format!(
                "{} cases, {} requests, {} worlds staged, {:.1} s; {} passed, {} failed, {} flaky, {} skipped",
                r.cases, r.requests, r.stagings, r.seconds, r.passed, r.failed, r.flaky, r.skipped
            ),
        ),
        ("Signing, formats", format!("{}; {}", signings.join(", "), formats.join(", "))),
        ("Tool", r.tool.clone()),
    ];
    if let Some(why) = &r.incomplete {
        facts.push(("Incomplete", why.clone()));
    }
    if !r.declared_out.is_empty() {
        facts.push(("Declared out", r.declared_out.join(", ")));
    }
    for (term, value) in facts {
        let _ = write!(out, "<dt>{term}</dt><dd>{}</dd>", escape(value.as_str()));
    }
    out.push_str("</dl><ul class=\"counts\" aria-label=\"rules by outcome\">");
    for (o, n) in r.outcome_counts() {
        let _ =
            write!(out, "<li class=\"{}\" data-outcome=\"{}\"><b>{n}</b>{}</li>", outcome_class(o), o.word(), o.word());
    }
    let _ = write!(out, "</ul><p class=\"muted\">{} rules in all.</p></header>", r.rules.len());
}

/// Rules by layer and outcome: one bar per layer, a segment per outcome.
fn chart(out: &mut String, r: &Report) {
    const LABEL: f64 = 90.0;
    const BAR: f64 = 560.0;
    const ROW: f64 = 30.0;
    let widest = Layer::ALL.iter().map(|l| r.rules.iter().filter(|t| t.layer == *l).count()).max().unwrap_or(1).max(1);
    let height = ROW * Layer::ALL.len() as f64 + 34.0;
    let _ = write!(
        out,
        "<h2>Rules by layer</h2><svg class=\"chart\" role=\"img\" aria-label=\"rules by layer and outcome\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" font-family=\"system-ui,sans-serif\" font-size=\"13\">",
        w = LABEL + BAR + 70.0
    );
    for (row, layer) in Layer::ALL.iter().enumerate() {
        let y = row as f64 * ROW + 4.0;
        let tallies: Vec<&RuleTally> = r.rules.iter().filter(|t| t.layer == *layer).collect();
        let _ = write!(out, "<text x=\"0\" y=\"{}\">{}</text>", y + 16.0, layer.name());
        let mut x = LABEL;
        for o in RuleOutcome::ALL {
            let n = tallies.iter().filter(|t| t.shown().outcome() == o).count();
            if n == 0 {
                continue;
            }
            let w = BAR * n as f64 / widest as f64;
            let class = outcome_class(o);
            let _ = write!(
                out,
                "<rect class=\"seg\" data-layer=\"{}\" data-outcome=\"{}\" x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"22\" fill=\"{}\" stroke=\"#777\" stroke-width=\"0.5\"><title>{}: {n} {}</title></rect>",
                layer.name(),
                o.word(),
                colour(class),
                layer.name(),
                o.word()
            );
            if w >= 18.0 {
                let _ =
                    write!(out, "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{n}</text>", x + w / 2.0, y + 16.0);
            }
            x += w;
        }
        let _ =
            write!(out, "<text x=\"{:.1}\" y=\"{}\" fill=\"#555\">{} rules</text>", x + 6.0, y + 16.0, tallies.len());
    }
    // The legend.
    let mut x = LABEL;
    let y = ROW * Layer::ALL.len() as f64 + 12.0;
    for o in RuleOutcome::ALL {
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\" stroke=\"#777\" stroke-width=\"0.5\"/><text x=\"{:.1}\" y=\"{}\">{}</text>",
            colour(outcome_class(o)),
            x + 16.0,
            y + 11.0,
            o.word()
        );
        x += 16.0 + 8.0 * o.word().len() as f64 + 18.0;
    }
    out.push_str("</svg>");
}

fn rules(out: &mut String, r: &Report) {
    out.push_str(
        "<h2>Rules</h2><table class=\"rules\"><colgroup><col style=\"width:14%\"><col style=\"width:7%\"><col style=\"width:6%\"><col style=\"width:34%\"><col style=\"width:17%\"><col style=\"width:6%\"><col style=\"width:8%\"><col style=\"width:8%\"></colgroup>\
<tr><th>Rule</th><th>Outcome</th><th>Layer</th><th>Documented sentence</th><th>Code</th><th>Status</th><th>Source</th><th>Cases: exercised / passed / failed</th></tr>",
    );
    for t in &r.rules {
        let (class, outcome) = row_class(t);
        let rule = t.id.rule();
        let mut sentence = String::new();
        for p in quote::pieces(rule) {
            match p {
                Piece::Text(s) => sentence.push_str(&escape(s)),
                Piece::Code(s) => {
                    let _ = write!(sentence, "<code>{}</code>", escape(s));
                }
            }
        }
        let mut codes: Vec<String> = Vec::new();
        for e in rule.errors {
            // A break may fall after each dot of a long Code, nowhere inside a word.
            let code = format!("<code>{}</code>", escape(e.code).replace('.', ".<wbr>"));
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        let mut statuses: Vec<u16> = rule.errors.iter().map(|e| e.status).collect();
        statuses.dedup();
        let statuses: Vec<String> = statuses.iter().map(ToString::to_string).collect();
        let note = t.expectation.as_ref().map(|e| format!("<br><span class=\"muted\">{}</span>", escape(e.as_str())));
        let _ = write!(
            out,
            "<tr class=\"{class}\" data-rule=\"{id}\" data-outcome=\"{}\"><td><code>{id}</code></td><td>{outcome}{}</td><td>{}</td><td class=\"sentence\">{sentence}</td><td>{}</td><td>{}</td><td>{}</td><td>{} / {} / {}</td></tr>",
            t.shown().outcome().word(),
            note.unwrap_or_default(),
            t.layer.name(),
            if codes.is_empty() { "—".to_owned() } else { codes.join("<br>") },
            if statuses.is_empty() { "—".to_owned() } else { statuses.join(", ") },
            escape(rule.source.to_string()),
            t.exercised,
            t.passed,
            t.failed,
            id = t.id,
        );
    }
    out.push_str("</table>");
    if !r.not_checkable.is_empty() {
        let names: Vec<String> = r.not_checkable.iter().map(ToString::to_string).collect();
        let _ =
            write!(out, "<p class=\"muted\">Not checkable on this target: {}</p>", escape(names.join(", ").as_str()));
    }
}

fn failure(out: &mut String, n: usize, f: &Failure) {
    let rules: Vec<String> = f.rules.iter().map(ToString::to_string).collect();
    let first = f.rules.first().map(|r| quote::clean(r.rule())).unwrap_or_else(|| f.sentence.to_owned());
    let _ = write!(
        out,
        "<details class=\"failure\" open data-rules=\"{}\"><summary>Failure {}: <code>{}</code> ({} case{}, first #{})</summary><p>{}</p>",
        escape(rules.join(" ").as_str()),
        n + 1,
        escape(rules.join(", ").as_str()),
        f.occurrences,
        if f.occurrences == 1 { "" } else { "s" },
        f.case_index,
        escape(first.as_str())
    );
    out.push_str("<table class=\"sides\"><colgroup><col style=\"width:18%\"><col style=\"width:41%\"><col style=\"width:41%\"></colgroup><tr><th>Rule</th><th>Expected (documented)</th><th>Observed</th></tr>");
    for m in &f.mismatches {
        let _ = write!(
            out,
            "<tr class=\"mismatch\"><td><code>{}</code></td><td class=\"expected\">{}</td><td class=\"observed\">{}</td></tr>",
            m.rule,
            escape(m.expected.to_string()),
            escape(m.observed.to_string())
        );
    }
    out.push_str("</table>");
    let _ = write!(
        out,
        "<p class=\"muted\">Shrunk from {} to {} {} in {} tries.</p>",
        f.size.0,
        f.size.1,
        f.size_unit(),
        f.shrink_steps
    );
    out.push_str("<h4>Reproduce</h4><pre class=\"commands\">");
    for c in &f.commands {
        let _ = writeln!(out, "$ {}", escape(c.as_str()));
    }
    out.push_str("</pre>");
    if let Some(req) = &f.request {
        let _ = write!(
            out,
            "<h4>Minimal request</h4><pre class=\"request\">{} {}\n\n{}</pre>",
            escape(req.method.as_str()),
            escape(cut(&req.target, req.target.len()).as_str()),
            escape(cut(&String::from_utf8_lossy(&req.body), req.body.len()).as_str()),
        );
    }
    let world = serde_json::to_string_pretty(&super::shown_world(&f.world)).unwrap_or_default();
    let _ = write!(
        out,
        "<details class=\"world\"><summary>Minimal world</summary><pre>{}</pre></details>",
        escape(world.as_str())
    );
    for step in &f.steps {
        let _ = write!(
            out,
            "<pre class=\"step muted\">step: {}</pre>",
            escape(serde_json::to_string(step).unwrap_or_default().as_str())
        );
    }
    trace(out, &f.trace);
    out.push_str("</details>");
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

/// At most 2,000 characters of `text`, saying how large the whole was (`bytes`).
fn cut(text: &str, bytes: usize) -> String {
    match text.char_indices().nth(2000) {
        Some((end, _)) => format!("{}… [{bytes} bytes in all]", &text[..end]),
        None => text.to_owned(),
    }
}

fn capped(c: &Capped) -> String {
    if c.truncated { format!("{}… [{} bytes in all]", c.text, c.bytes) } else { c.text.clone() }
}

#[cfg(test)]
mod tests {
    use quick_xml::events::Event;

    use super::*;
    use crate::rules::RuleId;

    /// An element of the chart: its name, attributes and text.
    type Element = (String, Vec<(String, String)>, String);

    /// The chart's width and its elements.
    fn svg_elements(page: &str) -> (f64, Vec<Element>) {
        let svg = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap() + 6];
        let mut reader = quick_xml::Reader::from_str(svg);
        let (mut width, mut out) = (0.0, Vec::new());
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e) => {
                    let name = e.name().into_inner().to_owned();
                    let attrs: Vec<(String, String)> = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            (a.key.into_inner().to_owned(), a.value.to_string())
                        })
                        .collect();
                    if name == "svg" {
                        width = attrs.iter().find(|(k, _)| k == "width").unwrap().1.parse().unwrap();
                    }
                    out.push((name, attrs, String::new()));
                }
                Event::Text(t) => {
                    if let Some(last) = out.last_mut() {
                        last.2.push_str(&t.xml10_content());
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        (width, out)
    }

    fn num(attrs: &[(String, String)], key: &str) -> f64 {
        attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.parse().unwrap()).unwrap()
    }

    fn attr<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
        attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    #[test]
    fn the_chart_draws_each_layer_as_contiguous_segments_in_proportion() {
        let mut r = Report::new("t".into(), true, 1);
        for t in &mut r.rules {
            (t.exercised, t.passed) = (10, 10);
        }
        for id in [RuleId::NameLength, RuleId::NameCharacters, RuleId::ImageAvailable] {
            r.rule_mut(id).unwrap().failed = 1;
        }
        r.rule_mut(RuleId::Signature).unwrap().disabled = true;
        let page = render(&r);
        let (width, elements) = svg_elements(&page);
        let segments: Vec<_> =
            elements.iter().filter(|(n, a, _)| n == "rect" && attr(a, "class") == Some("seg")).collect();
        let widest = Layer::ALL.iter().map(|l| r.rules.iter().filter(|t| t.layer == *l).count()).max().unwrap();
        let per_rule = 560.0 / widest as f64;
        for layer in Layer::ALL {
            let mine: Vec<_> =
                segments.iter().filter(|(_, a, _)| attr(a, "data-layer") == Some(layer.name())).collect();
            let mut x = 90.0;
            let mut rules = 0;
            for (_, a, _) in &mine {
                let outcome = attr(a, "data-outcome").unwrap();
                let n = r.rules.iter().filter(|t| t.layer == layer && t.shown().outcome().word() == outcome).count();
                assert!((num(a, "x") - x).abs() < 0.11, "{layer:?} {outcome}: starts where the last ended");
                assert!((num(a, "width") - n as f64 * per_rule).abs() < 0.11, "{layer:?} {outcome}: in proportion");
                assert!(num(a, "x") + num(a, "width") <= width);
                x += n as f64 * per_rule;
                rules += n;
            }
            assert_eq!(rules, r.rules.iter().filter(|t| t.layer == layer).count());
            // The layer's name, its count labels and its total sit on its bar's line.
            let y = num(&mine[0].1, "y");
            let texts: Vec<_> = elements.iter().filter(|(n, a, _)| n == "text" && num(a, "y") == y + 16.0).collect();
            assert!(texts.iter().any(|(_, a, t)| t == layer.name() && num(a, "x") == 0.0));
            let total = texts.iter().find(|(_, _, t)| t.ends_with(" rules")).unwrap();
            assert_eq!(total.2, format!("{rules} rules"));
            assert!((num(&total.1, "x") - (x + 6.0)).abs() < 0.11 && num(&total.1, "x") + 60.0 <= width);
            for (_, a, _) in &mine {
                let (sx, sw) = (num(a, "x"), num(a, "width"));
                let label = texts
                    .iter()
                    .find(|(_, t, _)| attr(t, "text-anchor").is_some() && (num(t, "x") - (sx + sw / 2.0)).abs() < 0.11);
                assert_eq!(label.is_some(), sw >= 18.0, "a count is written inside a segment wide enough");
            }
        }
        // The legend: a swatch and its word per outcome, left to right, none overlapping.
        let legend_y = 30.0 * Layer::ALL.len() as f64 + 12.0;
        let swatches: Vec<_> = elements.iter().filter(|(n, a, _)| n == "rect" && num(a, "y") == legend_y).collect();
        let words: Vec<_> = elements.iter().filter(|(n, a, _)| n == "text" && num(a, "y") == legend_y + 11.0).collect();
        assert_eq!(swatches.len(), RuleOutcome::ALL.len());
        assert_eq!(words.iter().map(|w| w.2.as_str()).collect::<Vec<_>>(), RuleOutcome::ALL.map(RuleOutcome::word));
        for k in 0..swatches.len() {
            let x = num(&swatches[k].1, "x");
            assert_eq!(num(&words[k].1, "x"), x + 16.0);
            if k + 1 < swatches.len() {
                assert!(num(&swatches[k + 1].1, "x") >= x + 16.0 + 7.0 * words[k].2.len() as f64 + 10.0);
            }
        }
        assert!(num(&words.last().unwrap().1, "x") + 8.0 * words.last().unwrap().2.len() as f64 <= width);
    }

    #[test]
    fn optional_sections_appear_exactly_when_there_is_something_to_show() {
        let plain = render(&Report::new("t".into(), true, 1));
        for section in
            ["Stale expectations", "Failures (", "Declared out", "Flaky", "Images created", "Not checkable on"]
        {
            assert!(!plain.contains(section), "{section} with nothing in it");
        }
        let mut r = Report::new("t".into(), false, 1);
        r.declared_out = vec!["v3".into()];
        r.created_images = vec!["m-made".into()];
        r.not_checkable = vec![RuleId::ImageQuota];
        let deviation = crate::harness::declared::Deviation {
            rule: "name.length".into(),
            code: None,
            status: None,
            reason: "ours".into(),
            link: None,
        };
        r.stale_expectations = vec![crate::harness::declared::Stale { line: 7, deviation }];
        let page = render(&r);
        for section in [
            "Stale expectations",
            "line 7: <code>name.length</code>",
            "<dt>Declared out</dt><dd>v3</dd>",
            "m-made",
            "Not checkable on this target: quota.image",
        ] {
            assert!(page.contains(section), "{section} missing");
        }
    }

    #[test]
    fn a_long_text_is_cut_and_says_how_long_it_was() {
        assert_eq!(cut("short", 5), "short");
        let long = "é".repeat(2001);
        let shown = cut(&long, long.len());
        assert_eq!(shown, format!("{}… [{} bytes in all]", "é".repeat(2000), long.len()));
        assert_eq!(cut(&"x".repeat(2000), 2000), "x".repeat(2000));
    }

    #[test]
    fn a_rules_codes_are_listed_once_each() {
        let page = render(&Report::new("t".into(), true, 1));
        let row = page.split("data-rule=\"gateway.version\"").nth(1).unwrap().split("</tr>").next().unwrap();
        assert_eq!(row.matches("<code>InvalidVersion</code>").count(), 1, "{row}");
        let row = page.split("data-rule=\"reply.success-shape\"").nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(row.contains("<td>—</td><td>—</td>"), "no Code and no status: {row}");
    }
}
