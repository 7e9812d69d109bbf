//! The run loop: generate, stage, send, judge, shrink, report.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use proptest::strategy::{Strategy, ValueTree};

use super::compare::{Mismatch, Seen};
use super::exec::{Delivery, Model, ReplayStep, StepRecord, delivered, ensure, run_steps};
use super::guard::{Guard, Stop};
use super::replay::{REPLAY_FORMAT, Repro};
use super::target::Target;
use super::{HarnessError, Progress, RunConfig};
use crate::emulator::fault::Faults;
use crate::emulator::{Emulator, EmulatorConfig};
use crate::generate::{self, Anchor, CaseSpec, Step, arb_anchor, arb_case, arb_steps};
use crate::model::Format;
use crate::model::{AccessKey, Account, Clock, HttpRequest, Region, World};
use crate::report::{Failure, FirstFailure, Flaky, Report};
use crate::rules::{RuleId, WORLD_RULES};
use crate::wire::client::Signing;

/// Cases that share one generated world.
const WORLD_SPAN: u64 = 50;

struct Shared {
    config: RunConfig,
    report: Mutex<Report>,
    /// Distinct failures by failed-rule set: index into `report.failures`.
    seen_failures: Mutex<BTreeMap<Vec<RuleId>, usize>>,
    /// What bounds every send of the run.
    guard: Arc<Guard>,
    /// The target as the reproduction commands name it, and whether it has control.
    shown_base: String,
    control: bool,
    progress: Option<ProgressBar>,
    done: AtomicUsize,
    total: usize,
    started: Instant,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Report> {
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
pub async fn run(config: RunConfig) -> Result<Report, HarnessError> {
    if config.signings.is_empty() || config.formats.is_empty() {
        return Err(HarnessError::Config("at least one signing mode and one format are needed".into()));
    }
    if config.signings.contains(&Signing::V3) && !config.formats.contains(&Format::Json) {
        return Err(HarnessError::Config(
            "V3 requests carry no Format and are answered in JSON (protocol.md §4): --signing v3 needs --format json"
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
            offered.push(Target::connect(e, config.timeout, Some(config.rate_per_minute)).await?.control);
        }
        control = offered[0];
        if offered.iter().any(|c| *c != control) {
            return Err(HarnessError::Config("some endpoints offer world control and some do not".into()));
        }
    }
    // The run's own stop: fired by its deadline, by the breaker, or by whoever holds the
    // configuration's interrupt (Ctrl-C in the binary).
    let stop = Stop::new();
    let guard = Arc::new(Guard::new(
        (!control).then_some(config.allow_create),
        stop.clone(),
        config.unresponsive_after,
        config.max_reply_bytes,
    ));
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
    let mut report = Report::new(target_name, control, config.seed);
    report.shard = config.shard.map(|s| s.to_string());
    report.signings = config.signings.clone();
    report.formats = config.formats.clone();
    if !control {
        let mut rules = WORLD_RULES.to_vec();
        rules.push(RuleId::CopyLifecycle);
        if config.allow_create == 0 {
            rules.push(RuleId::CopySucceeds);
        }
        report.not_checkable(&rules);
    }
    let indices: Vec<u64> =
        (0..config.cases as u64).filter(|i| config.shard.is_none_or(|s| i % s.count == s.index)).collect();
    let progress = match config.progress {
        Progress::Bar if std::io::stderr().is_terminal() => {
            let bar = ProgressBar::new(indices.len() as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} cases {per_sec} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
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
                            let e = Emulator::start(EmulatorConfig { faults, readings, ..EmulatorConfig::default() })
                                .await
                                .map_err(|e| HarnessError::Emulator(e.to_string()))?;
                            (e.uri(), Some(e))
                        }
                    };
                    let mut target =
                        Target::connect(&base, timeout, Some(rate)).await?.with_guard(shared.guard.clone());
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
    if let Some(e) = first_error {
        return Err(e);
    }
    let mut report = shared.lock().clone();
    report.seconds = started.elapsed().as_secs_f64();
    report.incomplete = shared.guard.stop.reason();
    if let Some(budget) = &shared.guard.budget {
        report.created_images = budget.created();
    }
    // Merged slots (no occurrences left) and failures not shrunk to completion go; the
    // replay files of those that stay are written now, once each.
    report.failures.retain(|f| f.occurrences > 0 && !f.steps.is_empty());
    report.failures.sort_by_key(|f| f.case_index);
    for f in &mut report.failures {
        finish_failure(&shared, f)?;
    }
    Ok(report)
}

/// Writes a failure's replay file (and its world beside it) and the commands that
/// reproduce it.
fn finish_failure(shared: &Shared, f: &mut Failure) -> Result<(), HarnessError> {
    let config = &shared.config;
    let replay_file = match &config.failures_dir {
        Some(dir) => {
            let name = f.rules.first().map(|r| r.name()).unwrap_or("unknown");
            let path = dir.join(format!("failure-{:06}-{name}.json", f.case_index));
            let repro = Repro {
                format: REPLAY_FORMAT.into(),
                rules: f.rules.clone(),
                sentence: f.sentence.to_owned(),
                found_by: Some((config.seed, f.case_index)),
                world: f.world.clone(),
                steps: f.steps.clone(),
                mismatches: f.mismatches.clone(),
            };
            repro.save(&path)?;
            let world_path = path.with_extension("world.json");
            std::fs::write(&world_path, serde_json::to_string_pretty(&repro.world).unwrap_or_default())
                .map_err(|e| HarnessError::Io { path: world_path.clone(), reason: e.to_string() })?;
            Some(path)
        }
        None => None,
    };
    f.commands = commands(
        &shared.shown_base,
        shared.control,
        &config.endpoints,
        &config.faults,
        replay_file.as_ref(),
        f.request.as_ref(),
    );
    f.replay_file = replay_file;
    Ok(())
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
enum Unit {
    Single(CaseSpec),
    Sequence(Vec<Step>),
}

/// A unit of work as proptest generated it, shrinkable.
type Work = Box<dyn ValueTree<Value = Unit>>;

/// The generated worlds (anchors) of a run's cases: one per span of [`WORLD_SPAN`]
/// consecutive cases, made when the span's first case asks and kept for the rest.
pub(crate) struct SpanWorlds {
    seed: u64,
    held: Option<(u64, Anchor)>,
}

impl SpanWorlds {
    /// The worlds of `seed`'s cases.
    pub(crate) fn new(seed: u64) -> SpanWorlds {
        SpanWorlds { seed, held: None }
    }

    /// The world of case `index`.
    pub(crate) fn get(&mut self, index: u64) -> Result<&Anchor, HarnessError> {
        let span = index / WORLD_SPAN;
        let held = match self.held.take() {
            Some((s, anchor)) if s == span => (s, anchor),
            _ => {
                let anchor = arb_anchor()
                    .new_tree(&mut generate::runner(self.seed, "world", span))
                    .map_err(|e| HarnessError::Config(format!("generating a world: {e}")))?
                    .current();
                (span, anchor)
            }
        };
        Ok(&self.held.insert(held).1)
    }
}

/// A unit of work made concrete: its world and its steps.
fn concrete(anchor: &Anchor, unit: &Unit) -> (World, Vec<ReplayStep>) {
    match unit {
        Unit::Single(spec) => {
            let (world, case) = spec.materialize(anchor);
            (world, vec![ReplayStep::Send { case }])
        }
        Unit::Sequence(steps) => (anchor.world.clone(), generate::steps::resolve(anchor, steps)),
    }
}

/// A unit's size in a failure report: the violations that change a case (not those a
/// later one overrides), the steps of a sequence. Only failures need it.
fn size(anchor: &Anchor, unit: &Unit) -> usize {
    match unit {
        Unit::Single(spec) => spec.effective(anchor).violations.len(),
        Unit::Sequence(steps) => steps.len(),
    }
}

fn failed_rules(records: &[StepRecord]) -> Vec<RuleId> {
    let mut r: Vec<RuleId> = records.iter().flat_map(|x| x.verdict.failed_rules()).collect();
    r.sort_unstable();
    r.dedup();
    r
}

async fn worker(
    shared: Arc<Shared>,
    target: Arc<Target>,
    indices: Vec<u64>,
    probe: Option<Anchor>,
) -> Result<(), HarnessError> {
    let config = &shared.config;
    let mut model: Option<Model> = probe.as_ref().map(|a| Model::new(a.world.clone()));
    let mut worlds = SpanWorlds::new(config.seed);
    // Strategies are built once; each case only draws from them.
    let case_strategy = arb_case(config.signings.clone(), config.formats.clone()).prop_map(Unit::Single);
    let steps_strategy = arb_steps(config.signings.clone()).prop_map(Unit::Sequence);
    for i in indices {
        let anchor = match &probe {
            Some(a) => a,
            None => worlds.get(i)?,
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
        let (world, steps) = concrete(anchor, &work.current());
        if shared.guard.stop.is_stopped() {
            break;
        }
        if target.control {
            if sequence {
                model = None;
            }
            if ensure(&target, &mut model, &world).await? {
                shared.lock().stagings += 1;
            }
        }
        let Some(m) = model.as_mut() else { break };
        let records = run_steps(&target, m, &steps).await?;
        if !delivered(&records) {
            if records.iter().any(|r| r.delivery == Delivery::Stopped) {
                break;
            }
            // Withheld: it may create an image beyond the budget.
            shared.lock().skipped += 1;
            shared.step();
            continue;
        }
        let failed = failed_rules(&records);
        {
            let mut report = shared.lock();
            report.cases += 1;
            report.requests += records.iter().filter(|r| r.request.is_some()).count();
            let mut exercised: Vec<RuleId> = records.iter().flat_map(|r| r.verdict.exercised.clone()).collect();
            exercised.sort_unstable();
            exercised.dedup();
            report.tally(&exercised, &failed);
            if failed.is_empty() {
                report.passed += 1;
            }
        }
        if !failed.is_empty() {
            {
                let mut report = shared.lock();
                if report.first_failure.is_none() {
                    let cases = shared.done.load(Ordering::Relaxed) + 1;
                    let (requests, seconds) = (report.requests, shared.started.elapsed().as_secs_f64());
                    report.first_failure = Some(FirstFailure { cases, requests, seconds });
                }
            }
            if target.control {
                model = None;
            }
            let mut work = work;
            on_failure(&shared, &target, anchor, &mut work, i, &records, probe.as_ref().map(|a| &a.world)).await?;
        }
        shared.step();
    }
    Ok(())
}

/// Runs a world and steps from scratch (staged afresh when the target has control).
async fn fresh_run(
    target: &Target,
    world: &World,
    steps: &[ReplayStep],
    probe_world: Option<&World>,
) -> Result<Vec<StepRecord>, HarnessError> {
    match probe_world {
        None => {
            let mut model = None;
            ensure(target, &mut model, world).await?;
            let m = model.as_mut().ok_or_else(|| HarnessError::Config("no model".into()))?;
            run_steps(target, m, steps).await
        }
        Some(w) => {
            let mut m = Model::new(w.clone());
            run_steps(target, &mut m, steps).await
        }
    }
}

/// Whether a case failed because no reply came (a timeout, no connection, a reply that
/// broke off or was too large): such a failure is not shrunk by sending it again and
/// again at full timeout.
fn unanswered(records: &[StepRecord]) -> bool {
    records.iter().any(|r| r.verdict.seen.status.is_none() && r.verdict.seen.problem.is_some())
}

async fn on_failure(
    shared: &Shared,
    target: &Target,
    anchor: &Anchor,
    work: &mut Work,
    index: u64,
    first: &[StepRecord],
    probe_world: Option<&World>,
) -> Result<(), HarnessError> {
    let config = &shared.config;
    let stop = &shared.guard.stop;
    let first_failed = failed_rules(first);
    let unit = work.current();
    let size_before = size(anchor, &unit);
    let (world, steps) = concrete(anchor, &unit);
    // A failure must repeat before it counts (unless the run stopped, or the rerun
    // could not be sent: then the failure it showed stands).
    let again = fresh_run(target, &world, &steps, probe_world).await?;
    let key = if delivered(&again) { failed_rules(&again) } else { first_failed.clone() };
    if key.is_empty() || !key.iter().any(|r| first_failed.contains(r)) {
        let seen = first.iter().find(|r| !r.verdict.passed()).map(|r| r.verdict.seen.clone()).unwrap_or_default();
        let mut report = shared.lock();
        report.flaky += 1;
        report.flaky_cases.push(Flaky { case_index: index, rules: first_failed, seen });
        return Ok(());
    }
    {
        let mut report = shared.lock();
        report.failed += 1;
        let mut seen = shared.seen_failures.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(&at) = seen.get(&key) {
            report.failures[at].occurrences += 1;
            return Ok(());
        }
        if seen.len() >= config.max_shrunk {
            return Ok(());
        }
        // Reserve the slot so other workers count into it.
        seen.insert(key.clone(), report.failures.len());
        report.failures.push(placeholder_failure(&key, index));
    }
    // Shrink the generated value, then the world; within a budget of requests and of
    // time, and not at all for a failure that is the absence of a reply.
    let budget = if target.control { config.shrink_budget } else { config.shrink_budget.min(60) };
    let shrink_until = Instant::now() + Duration::from_secs_f64(config.shrink_seconds.max(0.0));
    let may_go_on = || !stop.is_stopped() && Instant::now() < shrink_until;
    let mut tries = 0usize;
    let mut best_records: Vec<StepRecord> = if delivered(&again) { again } else { first.to_vec() };
    let mut best = (world, steps, unit);
    let trial_failed =
        |records: &[StepRecord]| delivered(records) && failed_rules(records).iter().any(|r| key.contains(r));
    let shrinkable = !unanswered(first) && !unanswered(&best_records);
    if shrinkable && work.simplify() {
        while tries < budget && may_go_on() {
            tries += 1;
            let unit = work.current();
            let (world, steps) = concrete(anchor, &unit);
            let records = fresh_run(target, &world, &steps, probe_world).await?;
            if trial_failed(&records) {
                best = (world, steps, unit);
                best_records = records;
                if !work.simplify() {
                    break;
                }
            } else if !work.complicate() {
                break;
            }
        }
    }
    let (mut world, steps, best_unit) = best;
    let size_after = size(anchor, &best_unit);
    if shrinkable && probe_world.is_none() && may_go_on() {
        let mut pruned = |records: &[StepRecord]| trial_failed(records);
        tries += prune_world(target, &mut world, &steps, &mut pruned, &may_go_on).await?;
        // The pruned world, run once more for the records shown.
        if may_go_on() {
            let records = fresh_run(target, &world, &steps, probe_world).await?;
            if trial_failed(&records) {
                best_records = records;
            }
        }
    }
    let records = best_records;
    let mismatches: Vec<Mismatch> = records.iter().flat_map(|r| r.verdict.mismatches.clone()).collect();
    let seen = records.iter().rev().find(|r| !r.verdict.passed()).map(|r| r.verdict.seen.clone()).unwrap_or_default();
    let request = records.iter().rev().find(|r| !r.verdict.passed()).and_then(|r| r.request.clone());
    let rules = if mismatches.is_empty() { key.clone() } else { failed_rules(&records) };
    let mut shown_world = world.clone();
    if probe_world.is_some() {
        strip_secrets(&mut shown_world);
    }
    let mut report = shared.lock();
    let mut seen_failures = shared.seen_failures.lock().unwrap_or_else(|p| p.into_inner());
    let at = seen_failures.get(&key).copied();
    // Failures that shrink to the same rules are one failure.
    let twin =
        report.failures.iter().enumerate().position(|(k, f)| Some(k) != at && f.rules == rules && !f.steps.is_empty());
    if let (Some(at), Some(twin)) = (at, twin) {
        let moved = std::mem::take(&mut report.failures[at].occurrences);
        report.failures[twin].occurrences += moved;
        seen_failures.insert(key.clone(), twin);
        return Ok(());
    }
    if let Some(slot) = at.and_then(|at| report.failures.get_mut(at)) {
        let occurrences = slot.occurrences;
        *slot = Failure {
            sentence: rules.first().map(|r| r.rule().sentence).unwrap_or_default(),
            rules,
            case_index: index,
            occurrences,
            mismatches,
            seen,
            world: shown_world,
            steps,
            request,
            commands: Vec::new(),
            replay_file: None,
            shrink_steps: tries,
            size: (size_before, size_after),
        };
    }
    Ok(())
}

fn placeholder_failure(key: &[RuleId], index: u64) -> Failure {
    Failure {
        rules: key.to_vec(),
        sentence: key.first().map(|r| r.rule().sentence).unwrap_or_default(),
        case_index: index,
        occurrences: 1,
        mismatches: Vec::new(),
        seen: Seen::default(),
        world: World {
            clock: Clock::default(),
            copy_duration_seconds: 0,
            host_id: String::new(),
            exhaustive: true,
            regions: vec![],
            accounts: vec![],
            images: vec![],
            copies: vec![],
        },
        steps: Vec::new(),
        request: None,
        commands: Vec::new(),
        replay_file: None,
        shrink_steps: 0,
        size: (0, 0),
    }
}

fn strip_secrets(world: &mut World) {
    for a in &mut world.accounts {
        for k in &mut a.access_keys {
            k.secret = crate::model::Secret::new("");
        }
    }
}

/// Removes world entities one at a time while the failure persists.
async fn prune_world(
    target: &Target,
    world: &mut World,
    steps: &[ReplayStep],
    still_fails: &mut impl FnMut(&[StepRecord]) -> bool,
    may_go_on: &impl Fn() -> bool,
) -> Result<usize, HarnessError> {
    let mut tries = 0;
    // What the steps name must stay: their images.
    let named = |id: &str| {
        steps.iter().any(|s| match s {
            ReplayStep::Send { case } => case.params.iter().any(|(_, v)| v.0 == id.as_bytes()),
            _ => false,
        })
    };
    // Copies, then images, then accounts, then regions.
    let mut candidates: Vec<Removal> = Vec::new();
    candidates.extend(world.copies.iter().map(|c| Removal::Copy(c.destination_image.clone())));
    candidates.extend(world.images.iter().map(|i| Removal::Image(i.id.clone())));
    candidates.extend(world.accounts.iter().map(|a| Removal::Account(a.id.clone())));
    candidates.extend(world.regions.iter().map(|r| Removal::Region(r.id.clone())));
    for removal in candidates {
        if !may_go_on() {
            break;
        }
        let mut cand = world.clone();
        if !removal.apply(&mut cand) || cand.check().is_err() {
            continue;
        }
        // Keep what the steps name: the key's account, the images and regions in params.
        let keys_kept = steps.iter().all(|s| match s {
            ReplayStep::Send { case } => cand.access_key(&case.key).is_some() || world.access_key(&case.key).is_none(),
            _ => true,
        });
        let images_kept = world.images.iter().filter(|i| named(&i.id)).all(|i| cand.image(&i.id).is_some());
        if !keys_kept || !images_kept {
            continue;
        }
        tries += 1;
        let mut model = None;
        ensure(target, &mut model, &cand).await?;
        let Some(m) = model.as_mut() else { continue };
        let records = run_steps(target, m, steps).await?;
        if still_fails(&records) {
            *world = cand;
        }
    }
    Ok(tries)
}

/// One thing pruning tries to take out of a world.
enum Removal {
    /// A copy in progress and its destination image.
    Copy(String),
    Image(String),
    Account(String),
    Region(String),
}

impl Removal {
    /// Removes it; false if it was not there.
    fn apply(&self, w: &mut World) -> bool {
        let (before, after) = match self {
            Removal::Copy(dest) => {
                let before = w.copies.len();
                w.copies.retain(|c| c.destination_image != *dest);
                w.images.retain(|i| i.id != *dest);
                (before, w.copies.len())
            }
            Removal::Image(id) => {
                let before = w.images.len();
                w.images.retain(|i| i.id != *id);
                (before, w.images.len())
            }
            Removal::Account(id) => {
                let before = w.accounts.len();
                w.accounts.retain(|a| a.id != *id);
                (before, w.accounts.len())
            }
            Removal::Region(id) => {
                let before = w.regions.len();
                w.regions.retain(|r| r.id != *id);
                (before, w.regions.len())
            }
        };
        before != after
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Commands that reproduce a failure: the replay, and the exact request by hand.
fn commands(
    shown_base: &str,
    control: bool,
    endpoints: &[String],
    faults: &[crate::emulator::fault::Fault],
    replay_file: Option<&PathBuf>,
    request: Option<&HttpRequest>,
) -> Vec<String> {
    let builtin = endpoints.is_empty();
    let fault_flags: String = faults.iter().map(|f| format!(" --fault {f}")).collect();
    let base = if builtin { "http://127.0.0.1:8080".to_owned() } else { shown_base.to_owned() };
    let mut out = Vec::new();
    if let Some(f) = replay_file {
        if builtin {
            out.push(format!("copyimage-conformance replay {}{fault_flags}", f.display()));
        } else {
            out.push(format!("copyimage-conformance replay {} --endpoint {base}", f.display()));
        }
    }
    if let Some(req) = request {
        let size = req.target.len() + req.body.len();
        if size > 4096 {
            out.push(format!("# the request is {size} bytes: see the replay file"));
            return out;
        }
        if builtin {
            out.push(format!("copyimage-conformance serve --addr 127.0.0.1:8080{fault_flags} &"));
        }
        if control {
            let world = replay_file
                .map_or_else(|| "world.json".to_owned(), |f| f.with_extension("world.json").display().to_string());
            out.push(format!("curl -sS -X PUT --data-binary @{world} {base}/_conformance/world"));
        }
        let mut c = format!("curl -sS -i -X {} {}", req.method, shell_quote(&format!("{base}{}", req.target)));
        for (n, v) in &req.headers {
            if n != "host" {
                c.push_str(&format!(" -H {}", shell_quote(&format!("{n}: {v}"))));
            }
        }
        if !req.body.is_empty() {
            c.push_str(&format!(" --data-binary {}", shell_quote(&String::from_utf8_lossy(&req.body))));
        }
        out.push(c);
    }
    out
}
