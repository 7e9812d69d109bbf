//! The matrix across implementations: three builds of the emulator (one clean, two with a
//! fault each), their JSON reports, one table. Each cell is that rule's outcome in that
//! report, and the interop score counts exactly the rules every build passes.

use std::process::Command;

use copyimage_conformance::emulator::fault::Fault;
use copyimage_conformance::harness::{RunConfig, run};
use copyimage_conformance::report::RuleOutcome;
use copyimage_conformance::report::matrix::{Column, Matrix};
use copyimage_conformance::rules::{Doc, RULES, RuleId};

async fn report_json(faults: Vec<Fault>) -> String {
    let config = RunConfig { cases: 400, seed: 14, workers: 2, faults, failures_dir: None, ..RunConfig::default() };
    run(config).await.unwrap().to_json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cells_are_the_reports_outcomes_and_the_score_counts_rules_passed_everywhere() {
    let reports = [
        ("clean", report_json(Vec::new()).await),
        ("status", report_json(vec![Fault::StatusCodeWrong]).await),
        ("name", report_json(vec![Fault::NameMaxPlusOne]).await),
    ];
    let columns: Vec<Column> = reports.iter().map(|(n, j)| Column::parse(n, j).unwrap()).collect();
    let m = Matrix::new(columns);
    // The seed's rules: the newest page's own are not in a 2018-06 report.
    let seed_rules = RULES.iter().filter(|r| r.id.holds_in(Doc::June2018)).count();
    assert_eq!(m.rules.len(), seed_rules);
    // Every cell is the outcome its report gives.
    for (k, (_, json)) in reports.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        for r in v["rules"].as_array().unwrap() {
            let cell = m.row(r["id"].as_str().unwrap())[k].unwrap();
            assert_eq!(serde_json::to_value(cell).unwrap(), r["outcome"]);
        }
    }
    let row = |rule: RuleId| m.row(rule.name());
    use RuleOutcome::{Failed, Passed};
    assert_eq!(row(RuleId::ImageAvailable), vec![Some(Passed), Some(Failed), Some(Passed)]);
    assert_eq!(row(RuleId::NameLength), vec![Some(Passed), Some(Passed), Some(Failed)]);
    let everywhere = m.rules.iter().filter(|r| m.row(r).iter().all(|o| *o == Some(Passed))).count();
    assert!(everywhere < seed_rules - 1, "the two faults fail at least two rules");
    assert_eq!(m.interoperable(), everywhere);
    assert!((m.score() - everywhere as f64 / seed_rules as f64).abs() < 1e-9);
    assert!(m.target_scores()[0] > m.target_scores()[1]);
    assert!(m.mixed().is_empty());

    let md = m.markdown();
    assert!(md.starts_with(&format!("Interop score: {:.1}%", m.score() * 100.0)));
    assert_eq!(md.lines().filter(|l| l.starts_with("| `")).count(), seed_rules);
    assert!(md.contains("| `image.available` | passed | failed | passed |"), "{md}");
    let page = m.html();
    assert_eq!(
        page.matches("<td class=\"cell fail\" data-outcome=\"failed\">").count(),
        m.rules.iter().flat_map(|r| m.row(r)).filter(|o| *o == Some(Failed)).count()
    );
    assert!(!page.contains("src=") && !page.contains("href=\"http"), "self-contained");

    // The command reads the same files.
    let dir = std::env::temp_dir().join(format!("matrix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<_> = reports
        .iter()
        .map(|(n, j)| {
            let p = dir.join(format!("{n}.json"));
            std::fs::write(&p, j).unwrap();
            p
        })
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_copyimage-conformance"))
        .arg("matrix")
        .args(&files)
        .arg("--html")
        .arg(dir.join("m.html"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), md);
    assert_eq!(std::fs::read_to_string(dir.join("m.html")).unwrap(), page);
    let bad = Command::new(env!("CARGO_BIN_EXE_copyimage-conformance")).arg("matrix").arg(dir.join("m.html")).output();
    assert_eq!(bad.unwrap().status.code(), Some(2), "a file that is not a report cannot be read");
    let _ = std::fs::remove_dir_all(&dir);
}
