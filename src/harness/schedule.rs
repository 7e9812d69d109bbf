//! The run loop: generate, stage, send, judge, and hand failures on.
//!
//! Owns scheduling a run: discovering what the targets offer, the run's guard and stop,
//! splitting the cases over workers (each with its own runtime and, for the built-in
//! emulator, its own emulator), generating each case from its seed and index, staging
//! its world (or, on a target without control, keeping the assumed one), sending its
//! steps and tallying the verdicts. A failing case goes to [`super::shrink`]; the
//! failures the report keeps get their reproductions from [`super::repro`].

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use proptest::strategy::{Strategy, ValueTree};

use super::CaseDone;
use super::declared::Deviation;
use super::endpoint::Endpoint;
use super::exchange::{Delivery, Mirror, StepRecord, delivered, run_steps};
use super::guard::{Guard, Stop};
use super::{HarnessError, Progress, RunConfig};
use crate::case::ReplayStep;
use crate::emulator::fault::Faults;
use crate::emulator::{Emulator, EmulatorConfig};
use crate::generate::{self, Anchor, CaseSpec, CaseWorlds, Step, arb_case_in, arb_steps_in};
use crate::model::Format;
use crate::model::{AccessKey, Account, Clock, Region, World};
use crate::report::Report;
use crate::rules::{RuleId, WORLD_RULES};
use crate::wire::sign::Signing;

pub(super) struct Shared {
    pub(super) config: RunConfig,
    report: Mutex<Report>,
    /// Distinct failures by failed-rule set: index into `report.failures`.
    pub(super) seen_failures: Mutex<BTreeMap<Vec<RuleId>, usize>>,
    /// What bounds every send of the run.
    pub(super) guard: Arc<Guard>,
    /// The target as the reproduction commands name it, and whether it has control.
    pub(super) shown_base: String,
    pub(super) control: bool,
    pub(super) progress: Option<ProgressBar>,
    done: AtomicUsize,
    total: usize,
    started: Instant,
}

impl Shared {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, Report> {
        self.report.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn step(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        match (&self.progress, self.config.progress) {
            (Some(bar), _) => bar.inc(1),
            (None, Progress::Lines) if self.total >= 10 && done % (self.total / 10) == 0 => {
                let failed = self.lock().failed;
                eprintln!("{done}/{} cases, {failed} failed", self.total);
            }
            _ => {}
        }
    }
}

/// Runs the suite and returns the report.
pub async fn run(mut config: RunConfig) -> Result<Report, HarnessError> {
    // What the target declares narrows the signing modes and formats used; the checks
    // below hold for what is left.
    if let Some(f) = &config.features {
        config.signings.retain(|s| f.signings.contains(s));
        config.formats.retain(|x| f.formats.contains(x));
    }
    if config.signings.is_empty() || config.formats.is_empty() {
        return Err(HarnessError::Config("at least one signing mode and one format are needed".into()));
    }
    if config.signings.contains(&Signing::V3) && !config.formats.contains(&Format::Json) {
        return Err(HarnessError::Config(
            "V3 requests carry no Format and are answered in JSON (protocol.md §4): V3 needs JSON (--format json, or \"json\" in the features' formats), or leave v3 out of the signing modes"
                .into(),
        ));
    }
    let started = Instant::now();
    // Without an endpoint, each worker serves a built-in emulator of its own from its
    // own runtime (below), so a request and its reply never cross threads; the
    // built-in emulator offers the control contract. Given endpoints are asked.
    let builtin = config.endpoints.is_empty();
    let mut control = true;
    if !builtin {
        let mut offered = Vec::new();
        for e in &config.endpoints {
            offered.push(Endpoint::connect(e, config.timeout, Some(config.rate_per_minute)).await?.control);
        }
        control = offered[0];
        if offered.iter().any(|c| *c != control) {
            return Err(HarnessError::Config("some endpoints offer world control and some do not".into()));
        }
    }
    match config.features.as_ref().and_then(|f| f.world_control) {
        Some(true) if !control => {
            return Err(HarnessError::Config(
                "the features file declares world control, but the target does not answer /_conformance/".into(),
            ));
        }
        Some(false) => control = false,
        _ => {}
    }
    // The run's own stop: fired by its deadline, by the breaker, or by whoever holds the
    // configuration's interrupt (Ctrl-C in the binary).
    let stop = Stop::new();
    let guard = Arc::new(
        Guard::new(
            (!control).then_some(config.allow_create),
            stop.clone(),
            config.unresponsive_after,
            config.max_reply_bytes,
        )
        .with_disabled(config.features.as_ref().map(|f| f.disabled.clone()).unwrap_or_default())
        .with_expectations(config.expectations.clone()),
    );
    let watcher = tokio::spawn({
        let (stop, interrupt, deadline) = (stop.clone(), config.interrupt.clone(), config.deadline);
        async move {
            let by_deadline = async {
                match deadline {
                    Some(d) => {
                        tokio::time::sleep(d).await;
                        format!("the deadline of {} s was reached", d.as_secs_f64())
                    }
                    None => std::future::pending().await,
                }
            };
            let by_interrupt = async {
                match interrupt {
                    Some(i) => {
                        i.fired().await;
                        i.reason().unwrap_or_else(|| "interrupted".into())
                    }
                    None => std::future::pending().await,
                }
            };
            let reason = tokio::select! { r = by_deadline => r, r = by_interrupt => r, _ = stop.fired() => return };
            stop.stop(reason);
        }
    });
    let probe = if control { None } else { Some(probe_anchor(&config)?) };
    let target_name = if builtin {
        let list = |items: Vec<String>| items.join(",");
        let mut name = "built-in emulator".to_owned();
        if !config.faults.is_empty() {
            name.push_str(&format!(" with faults {}", list(config.faults.iter().map(ToString::to_string).collect())));
        }
        if !config.readings.is_default() {
            name.push_str(&format!(
                " reading {}",
                list(config.readings.chosen().iter().map(ToString::to_string).collect())
            ));
        }
        name
    } else {
        config.endpoints.join(", ")
    };
    let mut report = Report::new(target_name, control, config.seed).in_profile(config.doc);
    report.shard = config.shard.map(|s| s.to_string());
    report.signings = config.signings.clone();
    report.formats = config.formats.clone();
    if let Some(f) = &config.features {
        report.declared_out = f.declared_out();
        report.disable(&f.disabled);
    }
    if !control {
        let mut rules = WORLD_RULES.to_vec();
        // With a budget, each copy made is looked up (`own::observe`): its life is
        // checked as a client sees it.
        if config.allow_create == 0 {
            rules.extend([RuleId::CopyLifecycle, RuleId::CopySucceeds]);
        }
        report.not_checkable(&rules);
    }
    let indices: Vec<u64> =
        (0..config.cases as u64).filter(|i| config.shard.is_none_or(|s| i % s.count == s.index)).collect();
    let progress = match config.progress {
        Progress::Bar if std::io::stderr().is_terminal() => {
            let bar = ProgressBar::new(indices.len() as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} cases, {rate}, {eta} left, {msg}")
                    .map(|s| {
                        s.with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = write!(w, "{:.0}/s", state.per_sec());
                        })
                    })
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message("0 failed");
            Some(bar)
        }
        _ => None,
    };
    let shown_base = config.endpoints.first().cloned().unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let shared = Arc::new(Shared {
        guard,
        shown_base,
        control,
        config,
        report: Mutex::new(report),
        seen_failures: Mutex::new(BTreeMap::new()),
        progress,
        done: AtomicUsize::new(0),
        total: indices.len(),
        started,
    });
    // Each worker runs on a thread of its own with a single-threaded runtime: proptest's
    // shrinking trees are not Send, and the harness's own work then spreads over cores.
    let bases: Vec<Option<String>> = if builtin {
        vec![None; shared.config.workers.max(1)]
    } else {
        shared.config.endpoints.iter().cloned().map(Some).collect()
    };
    let workers = bases.len();
    let timeout = shared.config.timeout;
    let rate = shared.config.rate_per_minute;
    let mut results = Vec::new();
    // Each worker takes a contiguous block of cases: consecutive cases share a generated
    // world, so a worker stages it once for many of them.
    let block = indices.len().div_ceil(workers).max(1);
    let mut blocks = indices.chunks(block).map(<[u64]>::to_vec);
    for (w, base) in bases.into_iter().enumerate() {
        let mine: Vec<u64> = blocks.next().unwrap_or_default();
        let (shared, probe) = (shared.clone(), probe.clone());
        let (done, result) = tokio::sync::oneshot::channel();
        let spawned = std::thread::Builder::new().name(format!("worker-{w}")).spawn(move || {
            let outcome = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Err(e) => Err(HarnessError::Config(format!("worker runtime: {e}"))),
                Ok(rt) => rt.block_on(async {
                    let (base, own) = match base {
                        Some(base) => (base, None),
                        None => {
                            let faults = Faults(shared.config.faults.clone());
                            let readings = shared.config.readings.clone();
                            let doc = shared.config.doc;
                            let e =
                                Emulator::start(EmulatorConfig { faults, readings, doc, ..EmulatorConfig::default() })
                                    .await
                                    .map_err(|e| HarnessError::Emulator(e.to_string()))?;
                            (e.uri(), Some(e))
                        }
                    };
                    let mut target = Endpoint::connect(&base, timeout, Some(rate))
                        .await?
                        .with_guard(shared.guard.clone())
                        .with_doc(shared.config.doc);
                    // A target declared without world control is used as one without it.
                    target.control &= shared.control;
                    if let (Some(e), false) = (&own, shared.config.stage_over_http) {
                        target = target.with_loader(e.loader());
                    }
                    let target = Arc::new(target);
                    let outcome = worker(shared, target, mine, probe).await;
                    if let Some(e) = own {
                        e.shutdown().await;
                    }
                    outcome
                }),
            };
            let _ = done.send(outcome);
        });
        if let Err(e) = spawned {
            return Err(HarnessError::Config(format!("starting a worker: {e}")));
        }
        results.push(result);
    }
    let mut first_error = None;
    for result in results {
        let outcome = result.await.unwrap_or_else(|_| Err(HarnessError::Config("a worker stopped".into())));
        if let Err(e) = outcome {
            first_error.get_or_insert(e);
        }
    }
    watcher.abort();
    if let Some(bar) = &shared.progress {
        bar.finish_and_clear();
    }
    // What the run created is cancelled or deleted, with a guard of its own: a run that
    // stopped early, or failed, still cleans up.
    let created = shared.guard.budget.as_ref().map(|b| b.created()).unwrap_or_default();
    let mut cleanup = Vec::new();
    if let (Some(probe), Some(base), false) = (&probe, shared.config.endpoints.first(), created.is_empty()) {
        let target = Endpoint::connect(base, shared.config.timeout, Some(shared.config.rate_per_minute)).await?;
        let signing = shared.config.signings.first().copied().unwrap_or(Signing::V1PostQuery);
        let keep = shared.config.keep_created;
        cleanup = super::own::clean_up(&target, &probe.world, signing, &probe.key, &created, keep).await;
    }
    if let Some(e) = first_error {
        // No report to carry it: what was created, and what became of it, goes to stderr.
        if !cleanup.is_empty() {
            eprint!("the run failed; images it created:\n{}", crate::report::terminal::cleanup(&cleanup));
        }
        return Err(e);
    }
    let mut report = shared.lock().clone();
    report.seconds = started.elapsed().as_secs_f64();
    report.incomplete = shared.guard.stop.reason();
    report.created_images = created.into_iter().map(|c| c.image).collect();
    report.cleanup = cleanup;
    // Merged slots (no occurrences left) and failures not shrunk to completion go; the
    // replay files of those that stay are written now, once each.
    report.failures.retain(|f| f.occurrences > 0 && !f.steps.is_empty());
    report.failures.sort_by_key(|f| f.case_index);
    for f in &mut report.failures {
        super::repro::finish_failure(&shared, f)?;
    }
    // An entry no case matched is stale, judged only on a whole run: a shard or a run
    // stopped early may not have reached the case that matches it.
    if let (Some(e), None, None) = (&shared.config.expectations, &report.incomplete, &report.shard) {
        report.stale_expectations = e.stale();
    }
    report.observed_deviations.sort_by_key(|d| RuleId::from_name(&d.rule).map(|r| r as usize));
    Ok(report)
}

/// The world a target without control is assumed to be: only the caller's key known.
fn probe_anchor(config: &RunConfig) -> Result<Anchor, HarnessError> {
    let creds = config.credentials.clone().ok_or_else(|| {
        HarnessError::Credentials(
            "this target offers no world control: give credentials with --access-key-id and --access-key-secret or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET".into(),
        )
    })?;
    let p = &config.probe;
    let world = World {
        clock: Clock::System { offset_seconds: 0 },
        copy_duration_seconds: 600,
        host_id: String::new(),
        exhaustive: false,
        regions: [&p.region, &p.destination]
            .iter()
            .map(|r| Region { id: (*r).clone(), supports_copy: true, image_quota: 100, snapshot_quota: 1000 })
            .collect(),
        accounts: vec![Account {
            id: "caller".into(),
            can_copy_images: true,
            access_keys: vec![AccessKey { id: creds.key_id.clone(), secret: creds.secret.clone(), enabled: true }],
            standalone_snapshots: Default::default(),
        }],
        images: Vec::new(),
        copies: Vec::new(),
        tokens: Vec::new(),
    };
    Ok(Anchor {
        world,
        account: "caller".into(),
        key: creds.key_id,
        other_account: "another-account".into(),
        source_region: p.region.clone(),
        image: p.image.clone(),
        destination: p.destination.clone(),
        spares: Vec::new(),
    })
}

/// What a unit of work is: a single case or a sequence.
#[derive(Clone, Debug)]
pub(super) enum Unit {
    Single(Box<CaseSpec>),
    Sequence(Vec<Step>),
}

/// A unit of work as proptest generated it, shrinkable.
pub(super) type Work = Box<dyn ValueTree<Value = Unit>>;

/// A unit of work made concrete: its world and its steps.
pub(super) fn concrete(anchor: &Anchor, unit: &Unit) -> (World, Vec<ReplayStep>) {
    match unit {
        Unit::Single(spec) => {
            let (world, case) = spec.materialize(anchor);
            (world, vec![ReplayStep::Send { case }])
        }
        Unit::Sequence(steps) => (anchor.world.clone(), generate::steps::resolve(anchor, steps)),
    }
}

/// A unit's size in a failure report: the deviations that change a case (not those a
/// later one overrides), the steps of a sequence. Only failures need it.
pub(super) fn size(anchor: &Anchor, unit: &Unit) -> usize {
    match unit {
        Unit::Single(spec) => spec.effective(anchor).deviations.len(),
        Unit::Sequence(steps) => steps.len(),
    }
}

/// The API requests of `records` that reached the target.
fn sent(records: &[StepRecord]) -> usize {
    records.iter().filter(|r| r.request.is_some() && r.delivery == Delivery::Sent).count()
}

pub(super) fn failed_rules(records: &[StepRecord]) -> Vec<RuleId> {
    let mut r: Vec<RuleId> = records.iter().flat_map(|x| x.verdict.failed_rules()).collect();
    r.sort_unstable();
    r.dedup();
    r
}

/// One case drawn from its seed and index, before anything is sent.
struct Drawn {
    index: u64,
    anchor: std::rc::Rc<Anchor>,
    sequence: bool,
    work: Work,
    world: World,
    steps: Vec<ReplayStep>,
}

async fn worker(
    shared: Arc<Shared>,
    target: Arc<Endpoint>,
    indices: Vec<u64>,
    probe: Option<Anchor>,
) -> Result<(), HarnessError> {
    let config = &shared.config;
    let mut mirror = probe.as_ref().map_or_else(Mirror::unsure, |a| Mirror::assumed(a.world.clone()));
    let probe = probe.map(std::rc::Rc::new);
    let mut worlds = CaseWorlds::new(config.seed);
    // Strategies are built once; each case only draws from them.
    let case_strategy = arb_case_in(config.doc, config.signings.clone(), config.formats.clone())
        .prop_map(|s| Unit::Single(Box::new(s)));
    let steps_strategy = arb_steps_in(config.doc, config.signings.clone()).prop_map(Unit::Sequence);
    // Drawing a case needs neither the target nor the mirror, so the next case is drawn
    // while the current one's requests are in flight.
    let mut draw = |i: u64| -> Result<Drawn, HarnessError> {
        let anchor = match &probe {
            Some(a) => a.clone(),
            None => worlds.get(i).map_err(HarnessError::Config)?,
        };
        let sequence =
            target.control && config.sequence_every > 0 && i % config.sequence_every == config.sequence_every - 1;
        let work: Work = if sequence {
            Box::new(
                steps_strategy
                    .new_tree(&mut generate::runner(config.seed, "steps", i))
                    .map_err(|e| HarnessError::Config(e.to_string()))?,
            )
        } else {
            Box::new(
                case_strategy
                    .new_tree(&mut generate::runner(config.seed, "case", i))
                    .map_err(|e| HarnessError::Config(e.to_string()))?,
            )
        };
        let (world, steps) = concrete(&anchor, &work.current());
        Ok(Drawn { index: i, anchor, sequence, work, world, steps })
    };
    let mut pending = indices.into_iter();
    let mut next = pending.next().map(&mut draw);
    while let Some(drawn) = next.take() {
        let Drawn { index: i, anchor, sequence, work, world, steps } = drawn?;
        let anchor = &*anchor;
        if shared.guard.stop.is_stopped() {
            break;
        }
        if target.control {
            if sequence {
                mirror.doubt();
            }
            if mirror.ensure(&target, &world).await? {
                shared.lock().stagings += 1;
            }
        }
        let following = pending.next();
        let (records, drawn) = tokio::join!(run_steps(&target, &mut mirror, &steps), async {
            // Let the request go out first: on this one thread, the connection's task
            // writes it only once this task yields.
            tokio::task::yield_now().await;
            following.map(&mut draw)
        });
        let records = records?;
        next = drawn;
        if !delivered(&records) {
            if records.iter().any(|r| r.delivery == Delivery::Stopped) {
                break;
            }
            let mut report = shared.lock();
            // A warm-up sent before its case was withheld still reached the target.
            report.requests += sent(&records);
            if let Some(r) = records.iter().find(|r| r.delivery == Delivery::Unsendable) {
                let rules = r.prediction.as_ref().map(|p| p.rules()).unwrap_or_default();
                report.tally_error(&rules, r.verdict.seen.problem.as_deref());
            } else if records.iter().any(|r| r.delivery == Delivery::Disabled) {
                report.disabled += 1;
            } else {
                // Withheld: it may create an image beyond the budget.
                report.skipped += 1;
            }
            drop(report);
            shared.step();
            continue;
        }
        let failed = failed_rules(&records);
        let mut expected: Vec<(RuleId, Deviation)> = records.iter().flat_map(|r| r.expected.clone()).collect();
        expected.sort_by_key(|(r, _)| *r);
        expected.dedup_by_key(|(r, _)| *r);
        let requests = sent(&records);
        let requests_so_far = {
            let mut report = shared.lock();
            report.cases += 1;
            report.requests += requests;
            let mut exercised: Vec<RuleId> = records.iter().flat_map(|r| r.verdict.exercised.clone()).collect();
            exercised.sort_unstable();
            exercised.dedup();
            report.tally(&exercised, &failed, &expected);
            report.observe_deviations(&records, || format!("found by seed {}, case {i}", config.seed));
            if failed.is_empty() && expected.is_empty() {
                report.passed += 1;
            }
            report.requests
        };
        if !config.observers.is_empty() {
            let done = CaseDone {
                index: i,
                failed: &failed,
                cases_so_far: shared.done.load(Ordering::Relaxed) + 1,
                requests_so_far,
                elapsed: shared.started.elapsed(),
            };
            config.observers.case_done(&done);
        }
        if !failed.is_empty() {
            if target.control {
                mirror.doubt();
            }
            let mut work = work;
            super::shrink::on_failure(
                &shared,
                &target,
                anchor,
                &mut work,
                i,
                &records,
                probe.as_ref().map(|a| &a.world),
            )
            .await?;
            let distinct = shared.lock().failures.iter().filter(|f| f.occurrences > 0).count();
            if config.max_failures > 0 && distinct >= config.max_failures {
                shared.guard.stop.stop(format!(
                    "stopped early: {distinct} distinct failures found (--max-failures {})",
                    config.max_failures
                ));
            }
        }
        shared.step();
    }
    Ok(())
}
