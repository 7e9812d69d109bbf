//! Throughput measurements behind the `bench` subcommand.
//!
//! Owns measuring, not judging: how many predictions per second the oracle makes in
//! process, how many replies per second an emulator gives over loopback to signed
//! requests (built and signed before the clock starts, each with its own nonce, so the
//! figure is the server's and the client's transport, not the signer's), how many cases
//! per second the harness checks end to end beside what wrk and oha reach with one fixed
//! request, what one case costs the harness itself with no HTTP, and how well the
//! default run detects the emulator's deliberate faults.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use copyimage_conformance::case::{Case, ParamValue, Tamper};
use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::harness::client;
use copyimage_conformance::model::{HttpRequest, Timestamp, World};
use copyimage_conformance::oracle::{self, NonceLog, Scene};
use copyimage_conformance::report::Report;
use copyimage_conformance::wire::sign::Signing;

/// One measured rate.
#[derive(Clone, Debug, Serialize)]
pub struct Rate {
    /// What was measured.
    pub what: String,
    /// Operations completed.
    pub operations: usize,
    /// Operations that did not give the expected status.
    pub unexpected: usize,
    /// Seconds measured.
    pub seconds: f64,
    /// Operations per second.
    pub per_second: f64,
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<58} {:>10.0}/s  ({} in {:.2} s, {} unexpected)",
            self.what, self.per_second, self.operations, self.seconds, self.unexpected
        )
    }
}

/// The request mix: four documented errors that leave the world alone.
fn mix() -> Vec<(Case, u16)> {
    let base = |image: &str| {
        Case::new(
            Signing::V1PostQuery,
            &[("RegionId", "cn-qingdao"), ("ImageId", image), ("DestinationRegionId", "cn-hangzhou")],
        )
    };
    vec![
        (base("m-unavail0000000000001"), 400),
        (base("m-encrypted00000000001"), 403),
        (
            base("m-available00000000001")
                .with(Tamper::Set { name: "DestinationImageName".into(), value: ParamValue::text("1bad") }),
            400,
        ),
        (Case { signing: Signing::V3, ..base("m-tooold00000000000001") }, 403),
    ]
}

fn bench_world() -> World {
    World::default_fixture()
}

/// Oracle predictions per second in process, over the request mix.
pub fn oracle_rate(duration: Duration) -> Rate {
    let world = bench_world();
    let now = Timestamp::now_utc();
    let requests: Vec<HttpRequest> = mix()
        .iter()
        .enumerate()
        .map(|(i, (c, _))| c.build(&world, now, "127.0.0.1", &format!("nonce-{i}")).request)
        .collect();
    let nonces = NonceLog::new();
    let scene = Scene::new(&world, &nonces, now);
    let start = Instant::now();
    let mut n = 0usize;
    let mut unexpected = 0usize;
    while start.elapsed() < duration {
        for r in &requests {
            let p = oracle::predict(&scene, r);
            unexpected += usize::from(p.allows_success());
            n += 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    Rate {
        what: "oracle predictions, signed request mix (in process)".into(),
        operations: n,
        unexpected,
        seconds,
        per_second: n as f64 / seconds,
    }
}

/// Replies per second from an emulator over loopback, `connections` requests in flight.
/// `endpoint` `None` starts the built-in emulator in process.
pub async fn emulator_rate(
    endpoint: Option<&str>,
    connections: usize,
    duration: Duration,
) -> Result<Rate, client::TransportError> {
    let started = match endpoint {
        None => Some(
            Emulator::start(EmulatorConfig { world: bench_world(), ..EmulatorConfig::default() })
                .await
                .map_err(|e| client::TransportError::Connect(e.to_string()))?,
        ),
        Some(_) => None,
    };
    let base = endpoint.map(str::to_owned).or_else(|| started.as_ref().map(Emulator::uri)).unwrap_or_default();
    let host = base.trim_start_matches("http://").trim_start_matches("https://").trim_end_matches('/').to_owned();
    let client = client::client(Duration::from_secs(10))?;
    let world = bench_world();
    let now = world.clock.now(Timestamp::now_utc());
    // Pre-sign enough requests, each with its own nonce.
    let budget = 2_000_000usize.min((duration.as_secs_f64() * 60_000.0) as usize + 1000);
    let cases = mix();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let requests: Arc<Vec<(HttpRequest, u16)>> = Arc::new(
        (0..budget)
            .map(|i| {
                let (c, status) = &cases[i % cases.len()];
                (c.build(&world, now, &host, &format!("{run}-{i}")).request, *status)
            })
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let unexpected = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections.max(1) {
        let (client, base, requests, next, unexpected) =
            (client.clone(), base.clone(), requests.clone(), next.clone(), unexpected.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                if Instant::now() >= deadline {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((req, status)) = requests.get(i) else {
                    break;
                };
                match client::send(&client, &base, req, copyimage_conformance::harness::guard::MAX_REPLY_BYTES).await {
                    Ok(reply) if reply.status == *status => {}
                    _ => {
                        unexpected.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let seconds = start.elapsed().as_secs_f64();
    let operations = next.load(Ordering::Relaxed).min(requests.len());
    if let Some(e) = started {
        e.shutdown().await;
    }
    Ok(Rate {
        what: format!("emulator replies, signed request mix, {connections} connections"),
        operations,
        unexpected: unexpected.load(Ordering::Relaxed),
        seconds,
        per_second: operations as f64 / seconds,
    })
}

/// A signed GET URL for `base` in the default world, with the current time: one fixed
/// request for a load tool. Replayed, it is answered `SignatureNonceUsed` after the
/// first time, which still verifies the signature and the timestamp.
pub fn signed_url(base: &str) -> String {
    let host = base.trim_start_matches("http://").trim_start_matches("https://").trim_end_matches('/');
    let case = Case { signing: Signing::V1Get, ..mix().remove(0).0 };
    let world = bench_world();
    let req = case.build(&world, Timestamp::now_utc(), host, &copyimage_conformance::wire::sign::fresh_nonce()).request;
    format!("{}{}", base.trim_end_matches('/'), req.target)
}

/// The harness end to end against the built-in emulator, beside load tools' rates.
#[derive(Clone, Debug)]
pub struct HarnessBench {
    /// The harness's run: cases, requests, stagings, seconds (emulator start-up
    /// included) and whether the emulator was conformant (anything else is a bug here).
    pub run: Report,
    /// The same cases with every world staged through `PUT /_conformance/world`, as on
    /// a target of another process (the run above loads them in process).
    pub over_http: Report,
    /// Each load tool's rate with one fixed request, or why it was not measured.
    pub loads: Vec<(LoadTool, Result<Rate, String>)>,
}

/// A plain HTTP load tool the harness is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadTool {
    /// wrk (C, one event loop per thread).
    Wrk,
    /// oha (Rust, tokio and hyper).
    Oha,
}

impl LoadTool {
    /// Every tool, in the order measured.
    pub const ALL: [LoadTool; 2] = [LoadTool::Wrk, LoadTool::Oha];

    /// The command's name.
    pub fn name(self) -> &'static str {
        match self {
            LoadTool::Wrk => "wrk",
            LoadTool::Oha => "oha",
        }
    }

    /// Runs the tool against `url` with `connections` connections for `seconds`.
    fn measure(self, url: &str, connections: usize, seconds: f64) -> Result<Rate, String> {
        let (connections, secs) = (connections.max(2), seconds.ceil().max(1.0) as u64);
        let (c, d) = (connections.to_string(), format!("{secs}s"));
        let args: Vec<&str> = match self {
            LoadTool::Wrk => vec!["-t2", "-c", &c, "-d", &d, url],
            LoadTool::Oha => vec!["-z", &d, "-c", &c, "--no-tui", "--output-format", "json", url],
        };
        let name = self.name();
        let output = std::process::Command::new(name)
            .args(&args)
            .output()
            .map_err(|e| format!("cannot run {name} ({e}); install it to compare with it"))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let parsed = match self {
            LoadTool::Wrk => parse_wrk(&text),
            LoadTool::Oha => parse_oha(&text),
        };
        let (total, per_second) =
            parsed.ok_or_else(|| format!("{name} gave no request rate (exit {})", output.status))?;
        // Non-2xx replies are expected: the fixed request's nonce is used after the first.
        Ok(Rate {
            what: format!("{name}, one fixed signed request, {connections} connections"),
            operations: total,
            unexpected: 0,
            seconds: secs as f64,
            per_second,
        })
    }
}

fn cases_per_second(run: &Report) -> f64 {
    run.cases as f64 / run.seconds
}

impl HarnessBench {
    /// Cases per second.
    pub fn cases_per_second(&self) -> f64 {
        cases_per_second(&self.run)
    }

    /// Cases per second as a share of each measured load tool's requests per second.
    pub fn ratios(&self) -> Vec<(LoadTool, f64)> {
        let mine = self.cases_per_second();
        self.loads.iter().filter_map(|(t, r)| Some((*t, mine / r.as_ref().ok()?.per_second))).collect()
    }
}

impl std::fmt::Display for HarnessBench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let runs = [
            ("harness cases end to end, built-in emulator", &self.run),
            ("the same, worlds staged over HTTP", &self.over_http),
        ];
        for (what, r) in runs {
            let verdict = if r.conformant() { "conformant" } else { "NOT CONFORMANT: a bug of this build" };
            writeln!(
                f,
                "{what:<58} {:>10.0}/s  ({} cases, {} requests, {} worlds staged in {:.2} s, {verdict})",
                cases_per_second(r),
                r.cases,
                r.requests,
                r.stagings,
                r.seconds
            )?;
        }
        for (tool, load) in &self.loads {
            match load {
                Ok(rate) => writeln!(f, "{rate}")?,
                Err(why) => writeln!(f, "{} not measured: {why}", tool.name())?,
            }
        }
        for (tool, ratio) in self.ratios() {
            let what = format!("harness cases/s ÷ {} requests/s", tool.name());
            writeln!(f, "{what:<58} {ratio:>10.3}   (aim: 0.5)")?;
        }
        Ok(())
    }
}

/// Runs `cases` cases of `seed` against the built-in emulator, worlds loaded in process
/// and then staged over HTTP, then (unless `load_seconds` is zero) each load tool
/// ([`LoadTool::ALL`]) against a fresh built-in emulator in process with one fixed
/// signed request and `connections` connections. A missing tool is reported, not an
/// error.
pub async fn harness_bench(
    cases: usize,
    seed: u64,
    connections: usize,
    load_seconds: f64,
) -> Result<HarnessBench, copyimage_conformance::harness::HarnessError> {
    use copyimage_conformance::harness::{HarnessError, RunConfig, run};
    let config = RunConfig { cases, seed, ..RunConfig::default() };
    let report = run(config.clone()).await?;
    let over_http = run(RunConfig { stage_over_http: true, ..config }).await?;
    let mut loads = Vec::new();
    if load_seconds > 0.0 {
        for tool in LoadTool::ALL {
            let emulator = Emulator::start(EmulatorConfig { world: bench_world(), ..EmulatorConfig::default() })
                .await
                .map_err(|e| HarnessError::Emulator(e.to_string()))?;
            let url = signed_url(&emulator.uri());
            let rate = tokio::task::spawn_blocking(move || tool.measure(&url, connections, load_seconds))
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            emulator.shutdown().await;
            loads.push((tool, rate));
        }
    }
    Ok(HarnessBench { run: report, over_http, loads })
}

/// What one case costs the harness in process, with no HTTP: microseconds per case.
#[derive(Clone, Copy, Debug)]
pub struct Stages {
    /// Cases measured.
    pub cases: u64,
    /// Generating the case (and, once per world span, its world).
    pub generate: f64,
    /// Materializing the world and case.
    pub materialize: f64,
    /// Building and signing the request.
    pub build: f64,
    /// The oracle's prediction.
    pub predict: f64,
}

impl std::fmt::Display for Stages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "harness work per case, no HTTP ({} cases): generate {:.1} µs, materialize {:.1} µs, build and sign {:.1} µs, predict {:.1} µs; total {:.1} µs",
            self.cases,
            self.generate,
            self.materialize,
            self.build,
            self.predict,
            self.generate + self.materialize + self.build + self.predict
        )
    }
}

/// Times the harness's own work on `cases` cases of `seed`, in the run's order (a
/// world per span of cases), on one thread: the part of a case's cost that is not
/// the HTTP exchange, the staging or the emulator.
pub fn stages(cases: u64, seed: u64) -> Result<Stages, String> {
    use copyimage_conformance::generate::{self, arb_case};
    use copyimage_conformance::model::Format;
    use proptest::strategy::{Strategy, ValueTree};
    let strategy = arb_case(Signing::ALL.to_vec(), Format::ALL.to_vec());
    let nonces = NonceLog::new();
    let mut worlds = generate::CaseWorlds::new(seed);
    let mut spent = [Duration::ZERO; 4];
    for i in 0..cases {
        let t0 = Instant::now();
        let anchor = worlds.get(i)?;
        let spec = strategy.new_tree(&mut generate::runner(seed, "case", i)).map_err(|e| e.to_string())?.current();
        let t1 = Instant::now();
        let (world, case) = spec.materialize(&anchor);
        let t2 = Instant::now();
        let now = world.clock.now(Timestamp::now_utc());
        let built = case.build(&world, now, "127.0.0.1:8080", &copyimage_conformance::wire::sign::fresh_nonce());
        let t3 = Instant::now();
        std::hint::black_box(oracle::predict(&Scene::new(&world, &nonces, now), &built.request));
        let t4 = Instant::now();
        for (k, d) in [t1 - t0, t2 - t1, t3 - t2, t4 - t3].into_iter().enumerate() {
            spent[k] += d;
        }
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6 / cases.max(1) as f64;
    Ok(Stages { cases, generate: us(spent[0]), materialize: us(spent[1]), build: us(spent[2]), predict: us(spent[3]) })
}

/// Requests (the status code distribution summed) and `summary.requestsPerSec` from
/// oha's JSON output.
fn parse_oha(text: &str) -> Option<(usize, f64)> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let per_second = v.get("summary")?.get("requestsPerSec")?.as_f64()?;
    let codes = v.get("statusCodeDistribution")?.as_object()?;
    let total = codes.values().map(serde_json::Value::as_u64).sum::<Option<u64>>()?;
    Some((usize::try_from(total).ok()?, per_second))
}

/// Requests and requests per second from wrk's summary.
fn parse_wrk(text: &str) -> Option<(usize, f64)> {
    let total =
        text.lines().find_map(|l| l.split_once(" requests in ").and_then(|(n, _)| n.trim().parse::<usize>().ok()))?;
    let per_second =
        text.lines().find_map(|l| l.trim().strip_prefix("Requests/sec:")).and_then(|v| v.trim().parse::<f64>().ok())?;
    Some((total, per_second))
}

/// One fault's row in the detection table.
#[derive(Clone, Debug, Serialize)]
pub struct FaultRow {
    /// The fault.
    pub fault: copyimage_conformance::emulator::fault::Fault,
    /// Whether the run was not conformant.
    pub detected: bool,
    /// The rules of the failure seen in most cases (its minimal reproduction).
    pub rules: Vec<copyimage_conformance::rules::RuleId>,
    /// Cases finished when the first failing case was seen.
    pub cases_to_first: Option<usize>,
    /// API requests sent when the first failing case was seen (its own included).
    pub requests_to_first: Option<usize>,
    /// Seconds until the first failing case was seen.
    pub seconds_to_first: Option<f64>,
    /// Size of that failure's shrunk case: deviations left, or steps of a sequence.
    pub shrunk_size: Option<String>,
    /// Bytes of the shrunk case's last request (target and body).
    pub shrunk_request_bytes: Option<usize>,
    /// Cases that failed.
    pub failed_cases: usize,
    /// Cases that failed once and passed again.
    pub flaky_cases: usize,
    /// API requests the run sent.
    pub requests: usize,
    /// Worlds it staged.
    pub stagings: usize,
}

/// One run against the fault-free emulator.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct CleanRun {
    /// Its seed.
    pub seed: u64,
    /// The documentation profile it was judged under.
    pub doc: copyimage_conformance::rules::Doc,
    /// Cases run.
    pub cases: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases that failed once and passed again.
    pub flaky: usize,
}

/// The fault-detection benchmark: the default budget against every fault, and the
/// fault-free emulator over many seeds.
#[derive(Clone, Debug, Serialize)]
pub struct FaultBench {
    /// Cases per run.
    pub budget: usize,
    /// Seed of the fault runs.
    pub seed: u64,
    /// One row per fault.
    pub rows: Vec<FaultRow>,
    /// Fault-free runs.
    pub clean: Vec<CleanRun>,
    /// Wall time of the whole benchmark.
    pub seconds: f64,
}

/// Watches a run for its first failing case: cases finished by then, requests sent by
/// then, and seconds.
#[derive(Default)]
struct FirstFailure(std::sync::Mutex<Option<(usize, usize, f64)>>);

impl FirstFailure {
    fn get(&self) -> Option<(usize, usize, f64)> {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl copyimage_conformance::harness::Observer for FirstFailure {
    fn case_done(&self, case: &copyimage_conformance::harness::CaseDone<'_>) {
        if case.failed.is_empty() {
            return;
        }
        let mut first = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Workers finish out of order: keep the fewest cases finished.
        let this = (case.cases_so_far, case.requests_so_far, case.elapsed.as_secs_f64());
        if first.is_none_or(|(cases, _, _)| this.0 < cases) {
            *first = Some(this);
        }
    }
}

/// Runs the fault-detection benchmark.
pub async fn fault_bench(
    budget: usize,
    seed: u64,
    faults: &[copyimage_conformance::emulator::fault::Fault],
    clean_seeds: u64,
) -> Result<FaultBench, copyimage_conformance::harness::HarnessError> {
    use copyimage_conformance::harness::{Observers, RunConfig, run};
    let start = Instant::now();
    let mut clean = Vec::new();
    for doc in copyimage_conformance::rules::Doc::ALL {
        for s in 0..clean_seeds {
            let r = run(RunConfig { cases: budget, seed: s, doc, ..RunConfig::default() }).await?;
            clean.push(CleanRun { seed: s, doc, cases: r.cases, failed: r.failed, flaky: r.flaky });
        }
    }
    let mut rows = Vec::new();
    for fault in faults {
        let first = Arc::new(FirstFailure::default());
        let observers = Observers(vec![first.clone()]);
        // Under the profile in which the fault departs from the documents.
        let doc = fault.doc();
        let config = RunConfig { cases: budget, seed, faults: vec![*fault], observers, doc, ..RunConfig::default() };
        let r = run(config).await?;
        let first_failure = first.get();
        // The failure seen in most cases (the earliest on a tie) stands for the fault.
        let commonest = r.failures.iter().max_by_key(|f| (f.occurrences, std::cmp::Reverse(f.case_index)));
        rows.push(FaultRow {
            fault: *fault,
            detected: !r.conformant(),
            rules: commonest.map(|f| f.rules.clone()).unwrap_or_default(),
            cases_to_first: first_failure.map(|(cases, _, _)| cases),
            requests_to_first: first_failure.map(|(_, requests, _)| requests),
            seconds_to_first: first_failure.map(|(_, _, seconds)| seconds),
            shrunk_size: commonest.map(|f| format!("{} {}", f.size.1, f.size_unit())),
            shrunk_request_bytes: commonest.and_then(|f| f.request.as_ref()).map(|q| q.target.len() + q.body.len()),
            failed_cases: r.failed,
            flaky_cases: r.flaky,
            requests: r.requests,
            stagings: r.stagings,
        });
    }
    Ok(FaultBench { budget, seed, rows, clean, seconds: start.elapsed().as_secs_f64() })
}

impl FaultBench {
    /// Faults detected.
    pub fn detected(&self) -> usize {
        self.rows.iter().filter(|r| r.detected).count()
    }

    /// Failed or flaky cases over all fault-free runs: false alarms.
    pub fn false_alarms(&self) -> usize {
        self.clean.iter().map(|c| c.failed + c.flaky).sum()
    }

    /// Whether every fault was detected without a false alarm.
    pub fn perfect(&self) -> bool {
        self.false_alarms() == 0 && self.detected() == self.rows.len()
    }

    /// Median seconds to the first failure among detected faults.
    pub fn median_seconds(&self) -> Option<f64> {
        let mut t: Vec<f64> = self.rows.iter().filter_map(|r| r.seconds_to_first).collect();
        t.sort_by(f64::total_cmp);
        (!t.is_empty()).then(|| t[t.len() / 2])
    }

    /// The tables as Markdown.
    pub fn markdown(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Fault-free emulator: {} runs (seeds 0 to {} under each profile) × {} cases: {} failed or flaky cases.\n",
            self.clean.len(),
            (self.clean.len() / copyimage_conformance::rules::Doc::ALL.len()).saturating_sub(1),
            self.budget,
            self.false_alarms()
        );
        let _ = writeln!(
            out,
            "Faults detected: {} of {} with {} cases, seed {}; median time to the first failure {}.\n",
            self.detected(),
            self.rows.len(),
            self.budget,
            self.seed,
            self.median_seconds().map_or("n/a".into(), |s| format!("{s:.2} s"))
        );
        out.push_str("| Fault | Profile | Layer | Detected | Rule that caught it (most cases) | Cases to first failure | Time to first failure | Shrunk case | Failed cases |\n|---|---|---|---|---|---|---|---|---|\n");
        for r in &self.rows {
            let rules: Vec<String> = r.rules.iter().map(|x| format!("`{x}`")).collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | {:?} | {} | {} | {} | {} | {} | {} |",
                r.fault,
                r.fault.doc(),
                r.fault.layer(),
                if r.detected { "yes" } else { "**no**" },
                rules.join(", "),
                r.cases_to_first.map_or("—".into(), |c| c.to_string()),
                r.seconds_to_first.map_or("—".into(), |s| format!("{s:.2} s")),
                match (&r.shrunk_size, r.shrunk_request_bytes) {
                    (Some(size), Some(b)) => format!("{size}, request {b} B"),
                    (Some(size), None) => size.clone(),
                    _ => "—".into(),
                },
                r.failed_cases
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_summaries_are_read() {
        let text = "Running 8s test @ http://127.0.0.1:18081/?Action=CopyImage\n  2 threads and 32 connections\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency   821.56us  279.00us   9.79ms   83.51%\n  316146 requests in 8.10s, 157.08MB read\n  Non-2xx or 3xx responses: 316145\nRequests/sec:  39029.20\nTransfer/sec:     19.39MB\n";
        assert_eq!(parse_wrk(text), Some((316_146, 39_029.2)));
        assert_eq!(parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n"), None);
        assert_eq!(parse_wrk("  12 requests in 1.00s, 1KB read\n"), None);
    }

    #[test]
    fn oha_summaries_are_read() {
        let text = r#"{"summary":{"successRate":1.0,"requestsPerSec":41233.94},"statusCodeDistribution":{"400":82523,"200":1}}"#;
        assert_eq!(parse_oha(text), Some((82_524, 41_233.94)));
        assert_eq!(parse_oha(r#"{"summary":{"requestsPerSec":1.0}}"#), None);
        assert_eq!(parse_oha("error: connection refused"), None);
    }

    #[test]
    fn stages_time_every_part_of_every_case() {
        let s = stages(200, 1).unwrap();
        assert_eq!(s.cases, 200);
        for (part, us) in
            [("generate", s.generate), ("materialize", s.materialize), ("build", s.build), ("predict", s.predict)]
        {
            assert!(us.is_finite() && us > 0.0, "{part}: {us}");
        }
        assert!(s.to_string().contains("200 cases"), "{s}");
    }

    #[test]
    fn the_ratio_is_cases_per_second_over_each_load_tools_rate() {
        let load = Rate { what: "wrk".into(), operations: 40_000, unexpected: 0, seconds: 1.0, per_second: 40_000.0 };
        let mut run = Report::new("built-in emulator".into(), true, 2);
        (run.cases, run.passed, run.requests, run.stagings, run.seconds) = (20_000, 20_000, 23_406, 12_972, 2.0);
        let mut over_http = run.clone();
        over_http.seconds = 4.0;
        let loads = vec![(LoadTool::Wrk, Ok(load)), (LoadTool::Oha, Err("cannot run oha".into()))];
        let mut b = HarnessBench { run, over_http, loads };
        assert_eq!(b.cases_per_second(), 10_000.0);
        assert_eq!(b.ratios(), vec![(LoadTool::Wrk, 0.25)]);
        let shown = b.to_string();
        let line = |start: &str| shown.lines().find(|l| l.starts_with(start)).unwrap_or_default().to_owned();
        assert!(line("the same, worlds staged over HTTP").contains(" 5000/s"), "{shown}");
        assert!(line("harness cases/s ÷ wrk requests/s").contains("0.250"), "{shown}");
        assert!(line("oha not measured").contains("cannot run oha"), "{shown}");
        b.loads.clear();
        assert!(b.ratios().is_empty());
        assert!(!b.to_string().contains('÷'));
    }
}

/// A normal client's latency while abusive clients load an emulator.
#[derive(Clone, Debug, Serialize)]
pub struct HostileClients {
    /// Slow-loris connections kept open (reopened as the server closes them).
    pub slow_loris: usize,
    /// 0.9 MB, 70,000-parameter bodies sent, one after another.
    pub crowded_bodies: usize,
    /// The normal client's requests (one every 10 ms).
    pub requests: usize,
    /// Of them, replies with another status than expected, or none.
    pub unexpected: usize,
    /// Latency percentiles, milliseconds.
    pub p50_ms: f64,
    /// See `p50_ms`.
    pub p99_ms: f64,
    /// The worst.
    pub max_ms: f64,
}

impl std::fmt::Display for HostileClients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "normal client beside {} slow-loris connections and {} crowded bodies: {} requests, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {} unexpected",
            self.slow_loris, self.crowded_bodies, self.requests, self.p50_ms, self.p99_ms, self.max_ms, self.unexpected
        )
    }
}

/// Measures a normal client's latency against `endpoint` (or a built-in emulator
/// started on a runtime of its own) while `slow_loris` connections dribble request
/// heads a byte every second and another client sends 0.9 MB bodies of 70,000
/// parameters back to back, for `duration`. Loopback only.
pub async fn hostile_clients(
    endpoint: Option<&str>,
    slow_loris: usize,
    duration: Duration,
) -> Result<HostileClients, client::TransportError> {
    use tokio::io::AsyncWriteExt;
    let own = match endpoint {
        Some(_) => None,
        None => Some(start_on_own_runtime()?),
    };
    let base = endpoint.map(str::to_owned).or_else(|| own.as_ref().map(|(uri, _)| uri.clone())).unwrap_or_default();
    let host = base.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let deadline = Instant::now() + duration;
    let mut load = Vec::new();
    let crowded_sent = Arc::new(AtomicUsize::new(0));
    for _ in 0..slow_loris {
        let host = host.clone();
        load.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let Ok(mut s) = tokio::net::TcpStream::connect(&host).await else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                if s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.is_err() {
                    continue;
                }
                while Instant::now() < deadline && s.write_all(b"X").await.is_ok() {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }));
    }
    {
        let (base, sent) = (base.clone(), crowded_sent.clone());
        load.push(tokio::spawn(async move {
            let Ok(client) = client::client(Duration::from_secs(30)) else { return };
            let body: String = (0..70_000).map(|i| format!("p{i:07}=v&")).collect();
            let req = HttpRequest {
                method: "POST".into(),
                target: "/".into(),
                headers: vec![("content-type".into(), copyimage_conformance::wire::sign::FORM_CONTENT_TYPE.into())],
                body: body.into_bytes(),
            };
            while Instant::now() < deadline {
                let _ = client::send(&client, &base, &req, 1 << 20).await;
                sent.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // Let the slow connections open before measuring.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let client = client::client(Duration::from_secs(10))?;
    let world = bench_world();
    let (case, status) = mix().remove(0);
    let mut latencies: Vec<f64> = Vec::new();
    let mut unexpected = 0;
    let mut i = 0u64;
    while Instant::now() < deadline {
        i += 1;
        let now = world.clock.now(Timestamp::now_utc());
        let req = case.build(&world, now, &host, &copyimage_conformance::wire::sign::fresh_nonce()).request;
        let sent = Instant::now();
        match client::send(&client, &base, &req, copyimage_conformance::harness::guard::MAX_REPLY_BYTES).await {
            Ok(r) if r.status == status => {}
            _ => unexpected += 1,
        }
        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for t in load {
        t.abort();
    }
    if let Some((_, stop)) = own {
        let _ = stop.send(());
    }
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)));
    let _ = i;
    Ok(HostileClients {
        slow_loris,
        crowded_bodies: crowded_sent.load(Ordering::Relaxed),
        requests: latencies.len(),
        unexpected,
        p50_ms: at(0.50).copied().unwrap_or_default(),
        p99_ms: at(0.99).copied().unwrap_or_default(),
        max_ms: latencies.last().copied().unwrap_or_default(),
    })
}

/// A built-in emulator served from a multi-threaded runtime of its own thread, as
/// `serve` runs it; its URI, and the sender that stops it.
fn start_on_own_runtime() -> Result<(String, tokio::sync::oneshot::Sender<()>), client::TransportError> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Runtime::new() else { return };
        rt.block_on(async move {
            match Emulator::start(EmulatorConfig { world: bench_world(), ..EmulatorConfig::default() }).await {
                Ok(e) => {
                    let _ = ready_tx.send(Ok(e.uri()));
                    let _ = stop_rx.await;
                    e.shutdown().await;
                }
                Err(err) => {
                    let _ = ready_tx.send(Err(err.to_string()));
                }
            }
        });
    });
    match ready_rx.recv() {
        Ok(Ok(uri)) => Ok((uri, stop_tx)),
        Ok(Err(e)) => Err(client::TransportError::Connect(e)),
        Err(_) => Err(client::TransportError::Connect("the emulator's thread ended".into())),
    }
}
