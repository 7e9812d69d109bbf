//! The HTML report and the matrix page rendered in a real browser (headless Chromium),
//! checked on the rendered DOM: the summary counts equal the JSON report's, every rule
//! has a row, every failure shows its expected beside its observed, nothing is wider
//! than a 1,280 px window, and the matrix sorts.
//!
//! It needs Chromium, so it is ignored by a plain `cargo test` and run by `.ci/run`,
//! which installs Chromium from the system's packages when it is missing:
//!
//! ```sh
//! apt-get install chromium        # or set CONFORMANCE_CHROMIUM to a Chrome or Chromium
//! cargo test --test browser -- --ignored
//! ```
//!
//! Asked to run without a browser, it fails and says what to install.

use std::path::{Path, PathBuf};
use std::process::Command;

use copyimage_conformance::emulator::fault::Fault;
use copyimage_conformance::harness::{RunConfig, run};
use copyimage_conformance::report::matrix::{Column, Matrix};
use copyimage_conformance::report::{Report, html};
use serde_json::Value;

fn chromium() -> PathBuf {
    if let Ok(p) = std::env::var("CONFORMANCE_CHROMIUM") {
        return PathBuf::from(p);
    }
    for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
        let found = Command::new("sh").args(["-c", &format!("command -v {name}")]).output();
        if let Ok(out) = found {
            if out.status.success() {
                return PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            }
        }
    }
    panic!(
        "no Chromium found: install it (apt-get install chromium) or set CONFORMANCE_CHROMIUM to a Chrome or Chromium"
    );
}

/// What the injected script measures, as JSON, from the rendered page.
const MEASURE: &str = r#"<script>
window.addEventListener("load", function () {
  var doc = document.documentElement, width = doc.clientWidth, r = {};
  r.clientWidth = width;
  r.scrollWidth = doc.scrollWidth;
  r.wide = [];
  document.querySelectorAll("body *").forEach(function (e) {
    var b = e.getBoundingClientRect();
    if (e.getClientRects().length && b.right > width + 1) r.wide.push(e.tagName + "." + e.className + " " + Math.round(b.right));
  });
  r.verdict = (document.getElementById("verdict") || {}).innerText || null;
  r.counts = {};
  document.querySelectorAll("header ul.counts li[data-outcome]").forEach(function (li) {
    r.counts[li.getAttribute("data-outcome")] = parseInt(li.querySelector("b").innerText, 10);
  });
  r.rules = [].map.call(document.querySelectorAll("table.rules tr[data-rule]"), function (tr) {
    return { id: tr.getAttribute("data-rule"), outcome: tr.getAttribute("data-outcome"), shown: tr.getClientRects().length > 0 && tr.innerText.length > 0 };
  });
  r.segments = document.querySelectorAll("svg.chart rect.seg").length;
  r.failures = [].map.call(document.querySelectorAll("details.failure"), function (d) {
    return [].map.call(d.querySelectorAll("tr.mismatch"), function (tr) {
      var e = tr.querySelector("td.expected"), o = tr.querySelector("td.observed");
      var eb = e.getBoundingClientRect(), ob = o.getBoundingClientRect();
      return { expected: e.innerText, observed: o.innerText, beside: eb.width > 0 && ob.width > 0 && ob.left >= eb.right - 1 && Math.abs(ob.top - eb.top) < 2 };
    });
  });
  var m = document.querySelector("table.matrix");
  if (m) {
    var first = function () { return m.tBodies[0].rows[0]; };
    r.matrix = { rows: m.tBodies[0].rows.length, cells: m.querySelectorAll("tbody td.cell").length, score: document.getElementById("score").innerText };
    var heads = m.tHead.rows[0].cells;
    // Sort by the last target: its failures come first.
    heads[heads.length - 1].click();
    r.matrix.afterTarget = first().cells[heads.length - 1].getAttribute("data-outcome");
    heads[0].click();
    var names = [].map.call(m.tBodies[0].rows, function (tr) { return tr.getAttribute("data-rule"); });
    r.matrix.byRule = names.every(function (n, i) { return i === 0 || names[i - 1] <= n; });
    document.getElementById("by-score").click();
    r.matrix.targets = [].map.call(m.tHead.rows[0].cells, function (c) { return c.getAttribute("data-target"); }).slice(1);
    r.matrix.shares = [].map.call(m.tFoot.rows[0].cells, function (c) { return parseFloat(c.getAttribute("data-share")); }).slice(1);
  }
  var pre = document.createElement("pre");
  pre.id = "conformance-check";
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
});
</script>"#;

/// Renders `page` in a 1,280 px wide window and returns what [`MEASURE`] found.
fn rendered(dir: &Path, name: &str, page: &str) -> Value {
    let measured = page.replacen("</body>", &format!("{MEASURE}</body>"), 1);
    assert_ne!(measured, page, "the page has a body");
    let file = dir.join(name);
    std::fs::write(&file, measured).unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,1000",
            "--virtual-time-budget=10000",
            &format!("--user-data-dir={}", dir.join("profile").display()),
            "--dump-dom",
        ])
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("Chromium starts");
    let dom = String::from_utf8_lossy(&out.stdout);
    let Some(text) = dom.split("<pre id=\"conformance-check\">").nth(1).and_then(|t| t.split("</pre>").next()) else {
        panic!("no measurement in the rendered page {name}; Chromium said:\n{}", String::from_utf8_lossy(&out.stderr));
    };
    let text = quick_xml::escape::unescape(text).unwrap();
    serde_json::from_str(&text).unwrap()
}

async fn report(faults: Vec<Fault>) -> Report {
    let config = RunConfig { cases: 1000, seed: 4, workers: 2, faults, failures_dir: None, ..RunConfig::default() };
    run(config).await.expect("the harness runs")
}

fn fits(v: &Value, name: &str) {
    assert!(v["scrollWidth"].as_u64().unwrap() <= 1280, "{name} scrolls sideways: {v}");
    assert!(v["wide"].as_array().unwrap().is_empty(), "{name}: wider than the window: {}", v["wide"]);
}

fn check_report(dir: &Path, name: &str, r: &Report) {
    let v = rendered(dir, name, &html::render(r));
    fits(&v, name);
    let json: Value = serde_json::from_str(&r.to_json()).unwrap();
    // The summary counts equal the JSON report's rules by outcome.
    for (outcome, n) in r.outcome_counts() {
        let word = outcome.word();
        let in_json = json["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["outcome"] == serde_json::to_value(outcome).unwrap())
            .count();
        assert_eq!(in_json, n);
        assert_eq!(v["counts"][word].as_u64(), Some(n as u64), "{name}: {word}");
    }
    // Every rule has a visible row, with the JSON report's outcome.
    let rows = v["rules"].as_array().unwrap();
    assert_eq!(rows.len(), seed_rules());
    for (row, rule) in rows.iter().zip(json["rules"].as_array().unwrap()) {
        assert_eq!(row["id"], rule["id"]);
        assert!(row["shown"].as_bool().unwrap(), "{row}");
        let word = serde_json::from_value::<copyimage_conformance::report::RuleOutcome>(rule["outcome"].clone())
            .unwrap()
            .word();
        assert_eq!(row["outcome"].as_str(), Some(word));
    }
    assert!(v["segments"].as_u64().unwrap() >= 4, "a bar per layer");
    // Every failure shows each expected beside its observed.
    let failures = v["failures"].as_array().unwrap();
    assert_eq!(failures.len(), r.failures.len());
    for (shown, f) in failures.iter().zip(&r.failures) {
        let shown = shown.as_array().unwrap();
        assert_eq!(shown.len(), f.mismatches.len());
        for (s, m) in shown.iter().zip(&f.mismatches) {
            assert_eq!(s["expected"].as_str(), Some(m.expected.to_string().as_str()));
            assert_eq!(s["observed"].as_str(), Some(m.observed.to_string().as_str()));
            assert!(s["beside"].as_bool().unwrap(), "{s}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium: .ci/run installs it (see the file's header)"]
async fn the_pages_render_as_they_should() {
    let dir = std::env::temp_dir().join(format!("browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let failing = report(vec![Fault::NameMaxPlusOne, Fault::StatusCodeWrong]).await;
    assert!(!failing.conformant() && !failing.failures.is_empty());
    check_report(&dir, "failing.html", &failing);
    let passing = report(Vec::new()).await;
    assert!(passing.conformant(), "{passing}");
    check_report(&dir, "passing.html", &passing);

    let one = report(vec![Fault::NameMaxPlusOne]).await;
    let columns: Vec<Column> = [("clean", &passing), ("name", &one), ("two-faults", &failing)]
        .iter()
        .map(|(n, r)| Column::parse(n, &r.to_json()).unwrap())
        .collect();
    let m = Matrix::new(columns);
    let v = rendered(&dir, "matrix.html", &m.html());
    fits(&v, "matrix.html");
    let shown = &v["matrix"];
    assert_eq!(shown["rows"].as_u64(), Some(seed_rules() as u64));
    assert_eq!(shown["cells"].as_u64(), Some((seed_rules() * 3) as u64));
    assert_eq!(shown["score"].as_str(), Some(format!("{:.1}%", m.score() * 100.0).as_str()));
    assert_eq!(shown["afterTarget"].as_str(), Some("failed"), "sorted by the last target, failures first");
    assert!(shown["byRule"].as_bool().unwrap(), "sorted by rule name");
    let shares: Vec<f64> = shown["shares"].as_array().unwrap().iter().map(|s| s.as_f64().unwrap()).collect();
    assert!(shares.windows(2).all(|w| w[0] >= w[1]), "targets by share passed: {shares:?}");
    assert_eq!(shown["targets"][0].as_str(), Some("clean"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The rules of the seed's profile, which a default run reports.
fn seed_rules() -> usize {
    copyimage_conformance::rules::RULES
        .iter()
        .filter(|r| r.id.holds_in(copyimage_conformance::rules::Doc::June2018))
        .count()
}
