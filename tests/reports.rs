//! The report's four forms: terminal, JSON (with its documented fields), JUnit XML (one
//! test case per rule) and one self-contained HTML page.

use copyimage_conformance::emulator::fault::Fault;
use copyimage_conformance::harness::{RunConfig, Shard, run};
use copyimage_conformance::report::{Report, html, junit};
use copyimage_conformance::rules::{Doc, RULES};
use quick_xml::events::Event;

async fn faulty_report() -> Report {
    let config =
        RunConfig { cases: 400, seed: 11, workers: 2, faults: vec![Fault::StatusCodeWrong], ..RunConfig::default() };
    run(config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_form_carries_the_results() {
    let report = faulty_report().await;
    assert!(!report.conformant());

    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    for field in ["cases", "passed", "failed", "rules", "failures", "not_checkable", "seed"] {
        assert!(json.get(field).is_some(), "JSON lacks {field}");
    }
    let rules = json["rules"].as_array().unwrap();
    assert_eq!(rules.len(), seed_rules());
    for r in rules {
        assert!(r["id"].is_string() && r["exercised"].is_u64() && r["failed"].is_u64());
    }
    assert_eq!(json["cases"].as_u64().unwrap() as usize, report.cases);

    let xml = junit::render(&report);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event().expect("well-formed JUnit XML") {
            Event::Start(e) if e.name().as_ref() == "testcase" => cases += 1,
            Event::Start(e) if e.name().as_ref() == "failure" => failures += 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(cases, seed_rules());
    assert_eq!(failures, report.rules.iter().filter(|r| r.failed > 0).count());

    let page = html::render(&report);
    assert!(page.starts_with("<!doctype html>") && page.trim_end().ends_with("</body></html>"));
    assert!(!page.contains("src=") && !page.contains("href=\"http"), "self-contained");
    // One table row per rule, in table order, coloured by that rule's own result.
    let rows: Vec<(String, &str)> = page
        .split("<tr class=\"")
        .skip(1)
        .filter(|row| row.contains("\" data-rule=\""))
        .map(|row| {
            let class = &row[..row.find('"').unwrap()];
            let id = row.split("<td><code>").nth(1).and_then(|cell| cell.split("</code>").next()).unwrap();
            (id.to_owned(), class)
        })
        .collect();
    let expected: Vec<(String, &str)> = report.rules.iter().map(|t| (t.id.to_string(), html::row_class(t).0)).collect();
    assert_eq!(rows, expected);
    assert!(rows.iter().any(|(_, c)| *c == "fail") && rows.iter().any(|(_, c)| *c == "pass"));
    // The documented sentence is clean text: no Markdown table row in the rule table.
    let table = page.split("<table class=\"rules\">").nth(1).unwrap().split("</table>").next().unwrap();
    for cell in table.split("<td class=\"sentence\">").skip(1) {
        let cell = cell.split("</td>").next().unwrap();
        assert!(!cell.contains('|') && !cell.contains('`'), "{cell}");
    }
    // The summary counts the five outcomes as the JSON report does.
    for (outcome, n) in report.outcome_counts() {
        let item = format!("data-outcome=\"{}\"><b>{n}</b>", outcome.word());
        assert!(page.contains(&item), "the summary lacks {item}");
    }
    // Every mismatch of every failure is listed with its rule, expected beside observed.
    let listed = page.matches("<tr class=\"mismatch\">").count();
    assert_eq!(listed, report.failures.iter().map(|f| f.mismatches.len()).sum::<usize>());
    for f in &report.failures {
        for m in &f.mismatches {
            let row = format!(
                "<tr class=\"mismatch\"><td><code>{}</code></td><td class=\"expected\">{}</td><td class=\"observed\">{}</td>",
                m.rule,
                quick_xml::escape::escape(m.expected.to_string()),
                quick_xml::escape::escape(m.observed.to_string())
            );
            assert!(page.contains(&row), "the page lacks {row}");
        }
    }
    // The chart has a segment per layer and outcome present, and their rules add up.
    let segments: usize = page
        .split("<rect class=\"seg\"")
        .skip(1)
        .map(|seg| {
            let title = seg.split("<title>").nth(1).unwrap().split("</title>").next().unwrap();
            title.split(": ").nth(1).unwrap().split(' ').next().unwrap().parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(segments, report.rules.len());

    let text = report.to_string();
    assert!(text.contains("NOT CONFORMANT") && text.contains("image.available") && text.contains("rule says:"));
    // The terminal form fits 100 columns: the rule table always, every other line too
    // except a single word too long for any line (a command's quoted request body).
    let width = copyimage_conformance::report::terminal::WIDTH;
    assert_eq!(width, 100);
    for line in text.lines() {
        let words = line.trim_end_matches(" \\").split_whitespace().count();
        assert!(line.chars().count() <= width || words <= 2, "{} columns: {line}", line.chars().count());
    }
    let table: Vec<&str> =
        text.lines().filter(|l| report.rules.iter().any(|t| l.contains(&format!(" {} ", t.id)))).collect();
    assert!(table.len() >= report.rules.len());
    assert!(!text.contains('\u{1b}'), "no colour unless asked for");
    let coloured = copyimage_conformance::report::terminal::render_with(
        &report,
        copyimage_conformance::report::terminal::Look { colour: true },
    );
    assert!(coloured.contains("\u{1b}[31") && coloured.contains("\u{1b}[32"), "red failures and green passes");
}

/// Each failure carries the exchanges of its minimal case as they crossed the wire: the
/// request sent (the one the failure names), the reply with its headers, timings; the
/// HTML page shows the same exchanges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_carries_its_trace() {
    let report = faulty_report().await;
    assert!(!report.failures.is_empty());
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    let page = html::render(&report);
    for (f, shown) in report.failures.iter().zip(json["failures"].as_array().unwrap()) {
        let trace = &f.trace.0;
        assert!(!trace.is_empty(), "failure {:?} has no trace", f.rules);
        assert_eq!(shown["trace"].as_array().unwrap().len(), trace.len());
        let last = trace.iter().rev().find(|s| s.failed).expect("a failed exchange");
        let request = f.request.as_ref().unwrap();
        assert_eq!(last.request.method, request.method);
        assert_eq!(last.request.target.text, request.target);
        assert_eq!(last.request.body.bytes, request.body.len());
        let reply = last.reply.as_ref().expect("the fault answers");
        assert_eq!(Some(reply.status), f.seen.status, "the trace shows the reply the verdict judged");
        assert!(reply.headers.iter().any(|(n, _)| n == "content-type"));
        assert!(reply.body.text.contains(f.seen.code.as_deref().unwrap_or("RequestId")));
        assert!(trace.windows(2).all(|w| w[0].at_ms <= w[1].at_ms) && trace.iter().all(|s| s.elapsed_ms >= 0.0));
        assert!(page.contains(&format!("Trace ({} exchanges)", trace.len())));
        assert!(page.contains(&format!("HTTP {}", reply.status)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_split_the_same_cases_deterministically() {
    let base = RunConfig { cases: 300, seed: 5, workers: 2, sequence_every: 0, ..RunConfig::default() };
    let full = run(base.clone()).await.unwrap();
    let mut total = 0;
    let mut exercised = vec![0usize; full.rules.len()];
    for index in 0..3 {
        let part = run(RunConfig { shard: Some(Shard { index, count: 3 }), ..base.clone() }).await.unwrap();
        total += part.cases;
        for (i, r) in part.rules.iter().enumerate() {
            exercised[i] += r.exercised;
        }
        assert_eq!(part.shard.as_deref(), Some(format!("{index}/3").as_str()));
    }
    assert_eq!(total, full.cases);
    let whole: Vec<usize> = full.rules.iter().map(|r| r.exercised).collect();
    assert_eq!(exercised, whole, "the shards together exercise exactly what the whole run does");
    assert!("3/3".parse::<Shard>().is_err() && "1/0".parse::<Shard>().is_err() && "0/1".parse::<Shard>().is_ok());
}

/// `--color`: asked for, it colours (also under `NO_COLOR`); `auto` leaves a pipe plain;
/// `never` never colours.
#[test]
fn colour_is_there_when_asked_for_and_not_in_a_pipe() {
    let run = |colour: &str, no_color: bool| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_copyimage-conformance"));
        c.args(["run", "--cases", "30", "--seed", "3", "--quiet", "--failures-dir"])
            .arg(std::env::temp_dir().join(format!("colour-{}", std::process::id())))
            .args(["--color", colour]);
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().contains('\u{1b}')
    };
    assert!(run("always", false));
    assert!(run("always", true), "the flag is the user's own choice");
    assert!(!run("auto", false), "standard output is a pipe here");
    assert!(!run("never", false));
}

/// The rules of the seed's profile, which a default run reports.
fn seed_rules() -> usize {
    RULES.iter().filter(|r| r.id.holds_in(Doc::June2018)).count()
}
