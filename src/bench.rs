//! Throughput measurements behind the `bench` subcommand.
//!
//! Owns measuring, not judging: how many predictions per second the oracle makes in
//! process, and how many replies per second an emulator gives over loopback to signed
//! requests. Requests are built and signed before the clock starts, each with its own
//! nonce, so the figure is the server's (and the client's transport), not the signer's.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::case::{Case, Tamper, Value};
use crate::emulator::{Emulator, EmulatorConfig};
use crate::harness::transport;
use crate::model::{HttpRequest, Timestamp, World};
use crate::oracle::{self, NonceLog, Scene};
use crate::wire::client::Signing;

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
                .with(Tamper::Set { name: "DestinationImageName".into(), value: Value::text("1bad") }),
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
    let scene = Scene { world: &world, nonces: &nonces, now };
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
) -> Result<Rate, transport::TransportError> {
    let started = match endpoint {
        None => Some(
            Emulator::start(EmulatorConfig { world: bench_world(), ..EmulatorConfig::default() })
                .await
                .map_err(|e| transport::TransportError::Connect(e.to_string()))?,
        ),
        Some(_) => None,
    };
    let base = endpoint.map(str::to_owned).or_else(|| started.as_ref().map(Emulator::uri)).unwrap_or_default();
    let host = base.trim_start_matches("http://").trim_start_matches("https://").trim_end_matches('/').to_owned();
    let client = transport::client(Duration::from_secs(10))?;
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
                match transport::send(&client, &base, req).await {
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
    let req = case.build(&world, Timestamp::now_utc(), host, &crate::wire::client::fresh_nonce()).request;
    format!("{}{}", base.trim_end_matches('/'), req.target)
}

/// One fault's row in the detection table.
#[derive(Clone, Debug, Serialize)]
pub struct FaultRow {
    /// The fault.
    pub fault: crate::emulator::fault::Fault,
    /// Whether the run was not conformant.
    pub detected: bool,
    /// The rules of the failure seen in most cases (its minimal reproduction).
    pub rules: Vec<crate::rules::RuleId>,
    /// Cases finished when the first failing case was seen.
    pub cases_to_first: Option<usize>,
    /// Seconds until the first failing case was seen.
    pub seconds_to_first: Option<f64>,
    /// Size of that failure's shrunk case: violations left, or steps of a sequence.
    pub shrunk_size: Option<String>,
    /// Bytes of the shrunk case's last request (target and body).
    pub shrunk_request_bytes: Option<usize>,
    /// Cases that failed.
    pub failed_cases: usize,
}

/// One run against the fault-free emulator.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct CleanRun {
    /// Its seed.
    pub seed: u64,
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

/// Runs the fault-detection benchmark.
pub async fn fault_bench(
    budget: usize,
    seed: u64,
    faults: &[crate::emulator::fault::Fault],
    clean_seeds: u64,
) -> Result<FaultBench, crate::harness::HarnessError> {
    use crate::harness::{RunConfig, run};
    let start = Instant::now();
    let mut clean = Vec::new();
    for s in 0..clean_seeds {
        let r = run(RunConfig { cases: budget, seed: s, ..RunConfig::default() }).await?;
        clean.push(CleanRun { seed: s, cases: r.cases, failed: r.failed, flaky: r.flaky });
    }
    let mut rows = Vec::new();
    for fault in faults {
        let r = run(RunConfig { cases: budget, seed, faults: vec![*fault], ..RunConfig::default() }).await?;
        // The failure seen in most cases (the earliest on a tie) stands for the fault.
        let commonest = r.failures.iter().max_by_key(|f| (f.occurrences, std::cmp::Reverse(f.case_index)));
        rows.push(FaultRow {
            fault: *fault,
            detected: !r.conformant(),
            rules: commonest.map(|f| f.rules.clone()).unwrap_or_default(),
            cases_to_first: r.first_failure.map(|f| f.cases),
            seconds_to_first: r.first_failure.map(|f| f.seconds),
            shrunk_size: commonest.map(|f| {
                let sequence =
                    f.steps.len() > 1 || f.steps.iter().any(|s| !matches!(s, crate::case::ReplayStep::Send { .. }));
                if sequence { format!("{} steps", f.steps.len()) } else { format!("{} violation(s)", f.size.1) }
            }),
            shrunk_request_bytes: commonest.and_then(|f| f.request.as_ref()).map(|q| q.target.len() + q.body.len()),
            failed_cases: r.failed,
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
            "Fault-free emulator: {} seeds (0 to {}) × {} cases: {} failed or flaky cases.\n",
            self.clean.len(),
            self.clean.len().saturating_sub(1),
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
        out.push_str("| Fault | Layer | Detected | Rule that caught it (most cases) | Cases to first failure | Time to first failure | Shrunk case | Failed cases |\n|---|---|---|---|---|---|---|---|\n");
        for r in &self.rows {
            let rules: Vec<String> = r.rules.iter().map(|x| format!("`{x}`")).collect();
            let _ = writeln!(
                out,
                "| `{}` | {:?} | {} | {} | {} | {} | {} | {} |",
                r.fault,
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
