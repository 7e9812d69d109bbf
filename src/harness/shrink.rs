//! Shrinking a failure: run it again, shrink the generated value, prune the world.
//!
//! Owns what happens once a case fails: the rerun that tells a failure from a flake,
//! proptest's shrinking of the generated case within a budget of requests and of time
//! (not for a failure that is the absence of a reply), the pruning of the world one
//! entity at a time, and merging failures that shrink to the same rules. Every request
//! it sends goes through the same step and gate as the first one
//! ([`super::exchange::exchange`]).

use std::time::{Duration, Instant};

use proptest::strategy::ValueTree;

use super::HarnessError;
use super::compare::{Mismatch, Seen};
use super::endpoint::Endpoint;
use super::exchange::{Mirror, StepRecord, delivered, run_steps};
use super::schedule::{Shared, Work, concrete, failed_rules, size};
use crate::case::ReplayStep;
use crate::generate::Anchor;
use crate::model::{Clock, World};
use crate::report::trace::{Redactor, Trace};
use crate::report::{Failure, Flaky};
use crate::rules::RuleId;

/// Runs a world and steps from scratch (staged afresh when the target has control).
async fn fresh_run(
    target: &Endpoint,
    world: &World,
    steps: &[ReplayStep],
    probe_world: Option<&World>,
) -> Result<Vec<StepRecord>, HarnessError> {
    match probe_world {
        None => run_steps(target, &mut Mirror::staged(target, world).await?, steps).await,
        Some(w) => run_steps(target, &mut Mirror::assumed(w.clone()), steps).await,
    }
}

/// Whether a case failed because no reply came (a timeout, no connection, a reply that
/// broke off or was too large): such a failure is not shrunk by sending it again and
/// again at full timeout.
fn unanswered(records: &[StepRecord]) -> bool {
    records.iter().any(|r| r.verdict.seen.status.is_none() && r.verdict.seen.problem.is_some())
}

/// Whether a case failed on a server error without a Code (an HTML 500 page, say): the
/// target broke rather than answered. Against a target without control
/// (rate-limited, perhaps someone's money) such a failure is not shrunk: every candidate
/// would cost a request to show the same broken reply.
fn broken(records: &[StepRecord]) -> bool {
    records.iter().any(|r| r.verdict.seen.status.is_some_and(|s| s >= 500) && r.verdict.seen.code.is_none())
}

pub(super) async fn on_failure(
    shared: &Shared,
    target: &Endpoint,
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
    // Without control, a case that created an image changed a world the harness cannot
    // stage again: a rerun would meet another world (the copy's name taken, a quota
    // slot used) and spend budget, so its failure stands as seen, unshrunk.
    let changed_world = !target.control && first.iter().any(|r| r.created.is_some());
    let again = if changed_world { first.to_vec() } else { fresh_run(target, &world, &steps, probe_world).await? };
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
        if let Some(bar) = &shared.progress {
            bar.set_message(format!("{} failed", report.failed));
        }
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
    // time, and not at all for a failure that is the absence of a reply, or (without
    // control) a server error without a Code.
    let budget = if target.control { config.shrink_budget } else { config.shrink_budget.min(60) };
    let shrink_until = Instant::now() + Duration::from_secs_f64(config.shrink_seconds.max(0.0));
    let may_go_on = || !stop.is_stopped() && Instant::now() < shrink_until;
    let mut tries = 0usize;
    let mut best_records: Vec<StepRecord> = if delivered(&again) { again } else { first.to_vec() };
    let mut best = (world, steps, unit);
    // A candidate fails this way when it breaks the failure's first rule (in table order:
    // request, gateway, API, reply), so that a failure of `name.length` with a missing
    // RequestId does not shrink into the valid request that only lacks the RequestId,
    // and ten faults at once stay ten failures.
    let primary = key[0];
    let trial_failed = |records: &[StepRecord]| delivered(records) && failed_rules(records).contains(&primary);
    let shrinkable = !changed_world
        && !unanswered(first)
        && !unanswered(&best_records)
        && (target.control || !broken(first) || !broken(&best_records));
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
    let (mut world, mut steps, best_unit) = best;
    let mut size_after = size(anchor, &best_unit);
    // A scripted sequence shrinks as a whole or not at all: its steps are taken out one
    // at a time, last first, while the failure persists (only with control: a sequence
    // is never run without it).
    if shrinkable && target.control && steps.len() > 1 {
        let left = budget.saturating_sub(tries);
        let (n, records) = prune_steps(target, &world, &mut steps, left, &trial_failed, &may_go_on).await?;
        tries += n;
        if let Some(records) = records {
            best_records = records;
            size_after = steps.len();
        }
    }
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
    // The user's credentials (a target without control) never show; generated keys do.
    let redactor = probe_world.map_or_else(Redactor::none, Redactor::user);
    let request = records.iter().rev().find(|r| !r.verdict.passed()).and_then(|r| r.request.as_ref());
    let request = request.map(|r| redactor.request(r));
    let trace = Trace::of(&records, &redactor);
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
            trace,
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
            tokens: vec![],
        },
        steps: Vec::new(),
        request: None,
        trace: Trace::default(),
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

/// Removes steps one at a time, last first, while the failure persists and `budget`
/// runs are left; the records of the last run that still failed, if any step went.
async fn prune_steps(
    target: &Endpoint,
    world: &World,
    steps: &mut Vec<ReplayStep>,
    budget: usize,
    still_fails: &impl Fn(&[StepRecord]) -> bool,
    may_go_on: &impl Fn() -> bool,
) -> Result<(usize, Option<Vec<StepRecord>>), HarnessError> {
    let (mut tries, mut kept) = (0, None);
    for k in (0..steps.len()).rev() {
        if !may_go_on() || steps.len() == 1 || tries >= budget {
            break;
        }
        let mut cand = steps.clone();
        cand.remove(k);
        tries += 1;
        let records = fresh_run(target, world, &cand, None).await?;
        if still_fails(&records) {
            *steps = cand;
            kept = Some(records);
        }
    }
    Ok((tries, kept))
}

/// Removes world entities one at a time while the failure persists.
async fn prune_world(
    target: &Endpoint,
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
        let records = run_steps(target, &mut Mirror::staged(target, &cand).await?, steps).await?;
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
