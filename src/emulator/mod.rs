//! The built-in reference emulator: the oracle behind an HTTP server.
//!
//! Owns the server's life (bind, serve, shut down), its state (one world, the nonce memory)
//! and the two surfaces it serves: the CopyImage API on every path but `/_conformance/`
//! (module `api`) and the world-control contract under `/_conformance/` (module `control`).
//! It decides nothing itself: each API request goes `read → oracle::predict → pick the
//! first acceptable outcome → oracle::apply → render`. It starts the same way from tests
//! and from the CLI (`Emulator::start(config).await`, then `uri()`), on an ephemeral port
//! by default. A [`Loader`] loads worlds into it from the same process, by the same step as
//! the contract's `PUT /_conformance/world`.

mod api;
mod control;
pub mod fault;
mod server;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::model::{Timestamp, World, WorldError};
use crate::oracle::{NonceLog, Readings};

/// A choice the emulator makes in the replies it writes, where the documents allow more.
#[derive(Clone, Copy, Debug)]
pub struct ReplyChoice {
    /// What is chosen.
    pub what: &'static str,
    /// What the emulator writes.
    pub emulator: &'static str,
    /// What the harness accepts from other targets.
    pub accepted: &'static str,
}

/// The emulator's choices in its replies (README, "The emulator's own decisions").
pub const REPLY_CHOICES: &[ReplyChoice] = &[
    ReplyChoice {
        what: "`Message` texts",
        emulator: "the documented message where one is documented, its own wording for gateway errors",
        accepted: "any non-empty `Message`",
    },
    ReplyChoice {
        what: "`RequestId`",
        emulator: "a fresh uppercase UUID (the docs' examples), also in the `x-acs-request-id` header",
        accepted: "any UUID, in either case; the header is not checked",
    },
    ReplyChoice {
        what: "New image ids",
        emulator: "`m-` and 20 lowercase letters and digits (newer docs' examples)",
        accepted: "any non-empty id that no image of the world has",
    },
    ReplyChoice {
        what: "`HostId`, `Recommend`",
        emulator: "the world's `host_id` (`ecs.aliyuncs.com`), and a troubleshooting link as real gateways add",
        accepted: "any non-empty `HostId`; `Recommend` and other extra fields are not checked",
    },
    ReplyChoice {
        what: "Content-Type, JSON key order, XML declaration",
        emulator: "`text/xml;charset=utf-8` or `application/json;charset=utf-8`, `RequestId` first, a declaration",
        accepted: "not checked: the body is read as XML or JSON by its first character",
    },
];

/// How to start an emulator.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Where to listen; port 0 picks a free one.
    pub addr: SocketAddr,
    /// The world to load.
    pub world: World,
    /// Print one line per API request on standard error (never a secret or a key id).
    pub log: bool,
    /// Deliberate faults (none: the reference behaviour).
    pub faults: fault::Faults,
    /// Serve the world-control contract (off: behave like a real endpoint).
    pub control: bool,
    /// How to read what the documents leave open (default: the emulator's own readings).
    pub readings: Readings,
    /// The documentation profile it serves (`serve --doc`; default the seed's).
    pub doc: crate::rules::Doc,
    /// Timeouts and the connection limit.
    pub limits: ConnectionLimits,
    /// A fixed delay before each API reply (`serve --latency MS`): a slower target on
    /// loopback, and what SDK users want for timeout tests. The control contract is not
    /// delayed.
    pub latency: std::time::Duration,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            world: World::default_fixture(),
            log: false,
            faults: fault::Faults::default(),
            control: true,
            readings: Readings::emulator(),
            doc: crate::rules::Doc::June2018,
            limits: ConnectionLimits::default(),
            latency: std::time::Duration::ZERO,
        }
    }
}

/// Everything the server holds.
#[derive(Debug)]
pub(crate) struct State {
    /// The world, shared with requests being checked outside the lock; a change copies
    /// it only while such a request still holds the old one.
    pub world: Arc<World>,
    pub nonces: NonceLog,
    /// Images this emulator made by copying, since the world was loaded.
    pub made: Vec<String>,
    /// Images whose copies completed, since the world was loaded.
    pub completed: Vec<String>,
    /// Counts every change of `world`: a request checked against an older one is
    /// checked again.
    pub version: u64,
}

impl State {
    pub(crate) fn new(world: World) -> State {
        State { world: Arc::new(world), nonces: NonceLog::new(), made: Vec::new(), completed: Vec::new(), version: 0 }
    }

    /// The world, to change.
    pub fn world_mut(&mut self) -> &mut World {
        self.version += 1;
        Arc::make_mut(&mut self.world)
    }

    /// The world's time now, after letting due copies complete.
    pub fn settle(&mut self, faults: &fault::Faults) -> Timestamp {
        let now = self.world.clock.now(Timestamp::now_utc());
        if faults.copies_complete() && self.world.copies.iter().any(|c| c.completes_at <= now) {
            let done = self.world_mut().settle(now);
            self.completed.extend(done);
        }
        self.nonces.forget_before(now);
        now
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    log: bool,
    faults: fault::Faults,
    readings: Readings,
    doc: crate::rules::Doc,
    limits: ConnectionLimits,
    latency: std::time::Duration,
    /// API requests received since start (paths under `/_conformance/` not counted).
    received: std::sync::atomic::AtomicU64,
}

impl Shared {
    /// Locks the state. A panic while holding the lock cannot leave a half-applied
    /// change (every mutation is a single oracle step), so a poisoned lock is taken over.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces all state with `world` (nonces forgotten) and returns the world's time:
    /// what `PUT /_conformance/world` does once the body is a valid world. The old world
    /// is dropped outside the lock and, if it was large, its memory handed back to the
    /// system.
    pub fn load(&self, world: World) -> Timestamp {
        let (now, old) = {
            let mut state = self.lock();
            let old = std::mem::replace(&mut *state, State::new(world));
            (state.settle(&self.faults), old)
        };
        // Only a large world leaves much to hand back; trimming after every small one
        // costs each staging a walk of the heap.
        let large = is_large(old.world.images.len(), old.world.copies.len(), old.nonces.len());
        drop(old);
        if large {
            release_memory();
        }
        now
    }
}

/// Images, copies and nonces past which a replaced world's memory is handed back.
const LARGE_WORLD: usize = 10_000;

/// Whether a replaced world with these images, copies and nonces is worth a heap walk.
fn is_large(images: usize, copies: usize, nonces: usize) -> bool {
    images + copies + nonces > LARGE_WORLD
}

/// Hands freed heap memory back to the system (glibc keeps it otherwise: a large world
/// replaced by a small one would leave the process at its peak).
fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory at the top of the heaps and in free
    // pages to the kernel; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// How the server bounds its connections (README, "The emulator").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A connection that has not sent a whole request head this long after it opened or
    /// after its last reply is closed (slow and idle clients).
    pub header_timeout: Duration,
    /// A request whose body has not arrived this long after its head is answered 408
    /// and its connection closed.
    pub body_timeout: Duration,
    /// Connections open at once; one more is closed as soon as it is accepted.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: default_max_connections(),
        }
    }
}

/// 1,024 connections, or fewer where the process may open fewer files (keeping 64
/// descriptors for everything else).
fn default_max_connections() -> usize {
    const WANTED: usize = 1024;
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit writes the limit into the struct it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            let soft = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
            return WANTED.min(soft.saturating_sub(64).max(1));
        }
    }
    WANTED
}

/// Loads worlds into a running emulator from the same process, without HTTP.
///
/// The harness stages worlds this way on the emulators it starts itself: the world is
/// checked exactly as `PUT /_conformance/world` checks it and loaded by the same step,
/// but it is not serialized, sent and parsed again. The API is still served over HTTP.
#[derive(Clone, Debug)]
pub struct Loader {
    shared: Arc<Shared>,
}

impl Loader {
    /// Checks `world`, replaces all state with it and returns the world's time.
    pub fn stage(&self, world: &World) -> Result<Timestamp, WorldError> {
        world.check()?;
        Ok(self.shared.load(world.clone()))
    }
}

/// A running emulator.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Emulator {
    /// Binds `config.addr` and serves in the background.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(config.world)),
            log: config.log,
            faults: config.faults,
            readings: config.readings,
            doc: config.doc,
            limits: config.limits,
            latency: config.latency,
            received: std::sync::atomic::AtomicU64::new(0),
        });
        let app = router(shared.clone(), config.control);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, app, config.limits, stopped));
        Ok(Emulator { addr, shared, stop: Some(stop), task })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `host:port`, as a `Host` header.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// `http://host:port`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A copy of the current world (copies due by now completed).
    pub fn world(&self) -> World {
        let mut state = self.shared.lock();
        state.settle(&self.shared.faults);
        World::clone(&state.world)
    }

    /// How many API requests (paths under `/_conformance/` not counted) reached this emulator
    /// since it started: what a test asserts when it counts its client's calls.
    pub fn received(&self) -> u64 {
        self.shared.received.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The ids of the images this emulator made by copying since its world was loaded,
    /// in order.
    pub fn made(&self) -> Vec<String> {
        self.shared.lock().made.clone()
    }

    /// Replaces the world and forgets every nonce, as `PUT /_conformance/world` does.
    pub fn load(&self, world: World) {
        self.shared.load(world);
    }

    /// A handle that stages worlds on this emulator in process ([`Loader`]).
    pub fn loader(&self) -> Loader {
        Loader { shared: self.shared.clone() }
    }

    /// Stops serving: no connection is accepted any more and open ones are closed.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

fn router(shared: Arc<Shared>, control: bool) -> Router {
    let routes = if control { control::routes() } else { Router::new() };
    routes.fallback(api::handle).with_state(shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_world_is_large_by_its_images_copies_and_nonces_together() {
        assert!(!is_large(LARGE_WORLD, 0, 0));
        assert!(is_large(LARGE_WORLD + 1, 0, 0));
        // Each part counts: no one of them alone passes the bound here.
        assert!(is_large(6_000, 3_000, 2_000));
        assert!(!is_large(6_000, 3_000, 1_000));
        assert!(is_large(1_000, 2_000, 8_000));
    }
}
