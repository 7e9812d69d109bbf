//! The conformance harness: targets, staging, sending, comparing, shrinking, replay.
//!
//! Owns running the suite against endpoints. [`run`] generates cases ([`crate::generate`]),
//! stages their worlds on targets that offer the control contract ([`endpoint`]; on the
//! built-in emulator, in process), sends each request exactly as built and judges the reply
//! against the oracle's prediction for that exact request ([`exchange`], [`compare`]). A
//! failing case is run again (one that does not repeat is flaky), then shrunk to a minimal
//! world and request and saved as a replay file ([`replay`]). Against a target without the
//! control contract it runs only cases decided by the request alone, under a rate limit,
//! and creates nothing beyond `allow_create`. Harness failures (a target that cannot be
//! reached, a control contract that misbehaves) are [`HarnessError`]s; everything a target
//! answers is a verdict.
//!
//! Certify an emulator from your own `cargo test`:
//!
//! ```no_run
//! # async fn certify() {
//! use copyimage_conformance::harness::RunConfig;
//!
//! let config = RunConfig { cases: 2_000, ..RunConfig::endpoint("http://127.0.0.1:8080") };
//! let report = copyimage_conformance::harness::run(config).await.expect("the target answers");
//! assert!(report.conformant(), "{report}");
//! # }
//! ```

pub mod call;
pub mod client;
pub mod compare;
pub mod declared;
pub mod endpoint;
pub mod exchange;
pub mod guard;
pub mod listing;
pub mod own;
pub mod replay;
mod repro;
mod schedule;
mod shrink;
pub mod snapshot;

use std::path::PathBuf;
use std::time::Duration;

pub use schedule::run;

use crate::emulator::fault::Fault;
use crate::model::Format;
use crate::oracle::Readings;
use crate::rules::RuleId;
use crate::wire::sign::{Credentials, Signing};

/// Why the harness could not run.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// An endpoint that cannot be used.
    #[error("endpoint {endpoint}: {reason}")]
    Endpoint {
        /// The endpoint.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// The control contract did not do what it promises.
    #[error("world control on {endpoint}: {reason}")]
    Control {
        /// The endpoint.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// The built-in emulator did not start.
    #[error("the built-in emulator: {0}")]
    Emulator(String),
    /// A target without control needs credentials.
    #[error("{0}")]
    Credentials(String),
    /// A file could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A configuration that cannot run.
    #[error("{0}")]
    Config(String),
}

/// A deterministic split of the cases: this is shard `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Zero-based index.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (i, n) = s.split_once('/').ok_or("expected I/N, e.g. 0/4")?;
        let (index, count): (u64, u64) =
            (i.parse().map_err(|_| "I is not a number")?, n.parse().map_err(|_| "N is not a number")?);
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count}: I must be below N"));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// How to show progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Nothing.
    Quiet,
    /// A progress bar on standard error.
    Bar,
    /// A plain line on standard error every tenth of the run.
    Lines,
}

/// What a run tells its observers as each case finishes (before a failure is shrunk).
#[derive(Clone, Copy, Debug)]
pub struct CaseDone<'a> {
    /// The case's index in the run.
    pub index: u64,
    /// Rules it failed; empty when it passed.
    pub failed: &'a [RuleId],
    /// Cases finished by now, this one included.
    pub cases_so_far: usize,
    /// API requests sent by now, this case's included.
    pub requests_so_far: usize,
    /// Time since the run started.
    pub elapsed: Duration,
}

/// Something that watches a run case by case (a measurement, a trace, a live view).
/// Called from the run's workers, so it must be cheap and must not block.
pub trait Observer: Send + Sync {
    /// A case finished.
    fn case_done(&self, case: &CaseDone<'_>);
}

/// The observers of a run; none by default.
#[derive(Clone, Default)]
pub struct Observers(pub Vec<std::sync::Arc<dyn Observer>>);

impl Observers {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Tells each observer.
    pub fn case_done(&self, case: &CaseDone<'_>) {
        for o in &self.0 {
            o.case_done(case);
        }
    }
}

impl std::fmt::Debug for Observers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Observers({})", self.0.len())
    }
}

/// What a run does.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Endpoints to certify (several instances of one build share the cases); empty
    /// starts the built-in emulator in process.
    pub endpoints: Vec<String>,
    /// Cases to generate (before sharding).
    pub cases: usize,
    /// Run seed: the same seed generates the same cases.
    pub seed: u64,
    /// Signing modes to use.
    pub signings: Vec<Signing>,
    /// Reply formats to ask for.
    pub formats: Vec<Format>,
    /// This run's shard.
    pub shard: Option<Shard>,
    /// Credentials for a target without control (from flags or the standard variables).
    pub credentials: Option<Credentials>,
    /// Against a target without control: how many requests that may create an image
    /// may be sent.
    pub allow_create: usize,
    /// Against a target without control: leave the images the run created instead of
    /// cancelling or deleting them at its end (the report says how to remove them).
    pub keep_created: bool,
    /// Against a target without control: requests per minute.
    pub rate_per_minute: u32,
    /// Against a target without control: the region, image and destination to probe.
    pub probe: Probe,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Built-in emulator instances when `endpoints` is empty, each served from its
    /// worker's own thread (default: one per core; more add memory, not speed).
    pub workers: usize,
    /// Faults to start the built-in emulator with (for measuring the suite).
    pub faults: Vec<Fault>,
    /// Readings of open points the built-in emulator serves instead of its own.
    pub readings: Readings,
    /// Stage worlds on the built-in emulator through `PUT /_conformance/world`, as on any other
    /// target. Off (the default), a worker loads worlds into the emulator it started directly
    /// ([`crate::emulator::Loader`]); API requests go over HTTP either way.
    pub stage_over_http: bool,
    /// Where replay files of failures go (none: not written).
    pub failures_dir: Option<PathBuf>,
    /// Shrink candidates tried per failure.
    pub shrink_budget: usize,
    /// Distinct failures shrunk per run (later ones are counted, not shrunk).
    pub max_shrunk: usize,
    /// Seconds spent shrinking one failure at most.
    pub shrink_seconds: f64,
    /// The most bytes of a reply read; a larger reply is a verdict that names its size.
    pub max_reply_bytes: usize,
    /// Stop the run after this long (its reports say it is incomplete).
    pub deadline: Option<Duration>,
    /// Timeouts or broken connections in a row after which the target is declared
    /// unresponsive and no further case is sent (0: never).
    pub unresponsive_after: usize,
    /// Fired from outside (Ctrl-C, SIGTERM), it stops the run as its deadline would.
    pub interrupt: Option<std::sync::Arc<guard::Stop>>,
    /// One case in this many is a stateful sequence (0: none).
    pub sequence_every: u64,
    /// Progress display.
    pub progress: Progress,
    /// Watchers told of each case as it finishes.
    pub observers: Observers,
    /// What the target declares it implements (`--features`): cases that need anything
    /// else are not sent, and the rules declared out are reported as disabled.
    pub features: Option<declared::Features>,
    /// Known deviations (`--expectations`): failures as listed do not fail the run;
    /// entries no case matched do.
    pub expectations: Option<std::sync::Arc<declared::Expectations>>,
    /// End the run once this many distinct failures are found (0: never).
    pub max_failures: usize,
    /// The documentation profile the target is held to (`--doc`); the built-in
    /// emulator serves the same.
    pub doc: crate::rules::Doc,
}

/// Names used against a target whose world is unknown.
#[derive(Clone, Debug)]
pub struct Probe {
    /// `RegionId`.
    pub region: String,
    /// `ImageId`.
    pub image: String,
    /// `DestinationRegionId`.
    pub destination: String,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            endpoints: Vec::new(),
            cases: 5_000,
            seed: 0,
            signings: Signing::ALL.to_vec(),
            formats: Format::ALL.to_vec(),
            shard: None,
            credentials: None,
            allow_create: 0,
            rate_per_minute: 1_000,
            probe: Probe {
                region: "cn-hangzhou".into(),
                image: "m-conformanceprobe0001".into(),
                destination: "cn-shanghai".into(),
            },
            timeout: Duration::from_secs(10),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 16)),
            faults: Vec::new(),
            readings: Readings::emulator(),
            stage_over_http: false,
            failures_dir: None,
            shrink_budget: 400,
            max_shrunk: 20,
            shrink_seconds: 30.0,
            max_reply_bytes: guard::MAX_REPLY_BYTES,
            deadline: None,
            unresponsive_after: 5,
            interrupt: None,
            sequence_every: 20,
            progress: Progress::Quiet,
            observers: Observers::default(),
            features: None,
            expectations: None,
            max_failures: 0,
            keep_created: false,
            doc: crate::rules::Doc::June2018,
        }
    }
}

impl RunConfig {
    /// Defaults against one endpoint.
    pub fn endpoint(url: &str) -> RunConfig {
        RunConfig { endpoints: vec![url.to_owned()], ..RunConfig::default() }
    }
}
