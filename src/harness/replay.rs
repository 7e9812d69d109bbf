//! Replay files: a failure saved as its concrete world and steps, not as a seed.
//!
//! Owns [`Repro`], its file form, and [`replay`], which stages the world on a target
//! (or, without control, uses the user's credentials) and runs the steps again. A seed
//! stops reproducing once a generator changes; a replay file does not.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::HarnessError;
use super::compare::Mismatch;
use super::endpoint::Endpoint;
use super::exchange::{Mirror, StepRecord, run_steps};
use crate::case::ReplayStep;
use crate::model::{Secret, World};
use crate::rules::{Doc, RuleId};
use crate::wire::sign::Credentials;

/// The format tag of replay files. Format 2 keeps mismatches as values.
pub const REPLAY_FORMAT: &str = "copyimage-conformance-replay/2";

/// Format 1 wrote mismatches as text; such files still load, without them (they are
/// informational: a replay judges afresh).
const REPLAY_FORMAT_1: &str = "copyimage-conformance-replay/1";

/// A saved failure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Repro {
    /// [`REPLAY_FORMAT`].
    pub format: String,
    /// Rules that failed.
    pub rules: Vec<RuleId>,
    /// The first rule's sentence.
    pub sentence: String,
    /// Seed and case index that first found it (informational).
    #[serde(default)]
    pub found_by: Option<(u64, u64)>,
    /// The world to stage.
    pub world: World,
    /// The steps to run.
    pub steps: Vec<ReplayStep>,
    /// What was expected beside what was observed when it was saved.
    #[serde(default)]
    pub mismatches: Vec<Mismatch>,
    /// The documentation profile it was judged under (absent: the seed's).
    #[serde(default, skip_serializing_if = "Doc::is_seed")]
    pub doc: Doc,
}

impl Repro {
    /// Reads a replay file.
    pub fn load(path: &Path) -> Result<Repro, HarnessError> {
        let io = |reason: String| HarnessError::Io { path: path.to_owned(), reason };
        let text = std::fs::read_to_string(path).map_err(|e| io(e.to_string()))?;
        let not = |e: serde_json::Error| io(format!("not a replay file: {e}"));
        let mut value: serde_json::Value = serde_json::from_str(&text).map_err(not)?;
        let format = value.get("format").and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
        if format == REPLAY_FORMAT_1 {
            if let Some(fields) = value.as_object_mut() {
                fields.remove("mismatches");
                fields.insert("format".into(), REPLAY_FORMAT.into());
            }
        } else if format != REPLAY_FORMAT {
            return Err(io(format!("format {format:?} (expected {REPLAY_FORMAT})")));
        }
        let repro: Repro = serde_json::from_value(value).map_err(not)?;
        repro.world.check().map_err(|e| io(e.to_string()))?;
        Ok(repro)
    }

    /// Writes a replay file.
    pub fn save(&self, path: &Path) -> Result<(), HarnessError> {
        let io = |reason: String| HarnessError::Io { path: path.to_owned(), reason };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io(e.to_string()))?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| io(e.to_string()))?;
        std::fs::write(path, text + "\n").map_err(|e| io(e.to_string()))
    }
}

/// Runs a replay against a target. With control the world is staged; without it, the
/// world's keys are replaced by `credentials` and nothing is staged.
pub async fn replay(
    target: &Endpoint,
    repro: &Repro,
    credentials: Option<&Credentials>,
) -> Result<Vec<StepRecord>, HarnessError> {
    if target.doc != repro.doc {
        return Err(HarnessError::Config(format!(
            "the replay file was judged under profile {}, the target is judged under {}",
            repro.doc, target.doc
        )));
    }
    let mut mirror = if target.control {
        Mirror::staged(target, &repro.world).await?
    } else {
        Mirror::assumed(credentialed(repro, credentials)?)
    };
    run_steps(target, &mut mirror, &repro.steps).await
}

/// Without control: cancels or deletes what a replay created on `target` (see
/// [`super::own::clean_up`]); nothing with control (the world is staged) or when
/// nothing was created.
pub async fn clean_up(
    target: &Endpoint,
    repro: &Repro,
    credentials: Option<&Credentials>,
    keep: bool,
) -> Result<Vec<super::own::Cleanup>, HarnessError> {
    let created = target.guard().budget.as_ref().map(|b| b.created()).unwrap_or_default();
    let Some(creds) = credentials.filter(|_| !target.control && !created.is_empty()) else {
        return Ok(Vec::new());
    };
    let world = credentialed(repro, Some(creds))?;
    let signing = repro
        .steps
        .iter()
        .find_map(|s| match s {
            ReplayStep::Send { case } => Some(case.signing),
            _ => None,
        })
        .unwrap_or(crate::wire::sign::Signing::V1PostQuery);
    // A guard of its own: cleaning up goes on after a stopped replay.
    let fresh = Endpoint::connect(&target.base, std::time::Duration::from_secs(10), Some(1_000)).await?;
    Ok(super::own::clean_up(&fresh, &world, signing, &creds.key_id, &created, keep).await)
}

/// The replay's world with the keys of `credentials` given their secret.
fn credentialed(repro: &Repro, credentials: Option<&Credentials>) -> Result<crate::model::World, HarnessError> {
    let creds = credentials.ok_or_else(|| {
        HarnessError::Credentials(
            "this target has no world control: give --access-key-id and ALIBABA_CLOUD_ACCESS_KEY_SECRET".into(),
        )
    })?;
    let mut world = repro.world.clone();
    for a in &mut world.accounts {
        for k in &mut a.access_keys {
            if k.id == creds.key_id {
                k.secret = Secret::new(creds.secret.expose());
            }
        }
    }
    Ok(world)
}
