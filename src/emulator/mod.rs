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

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

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
        }
    }
}

/// Everything the server holds.
#[derive(Debug)]
pub(crate) struct State {
    pub world: World,
    pub nonces: NonceLog,
    /// Images this emulator made by copying, since the world was loaded.
    pub made: Vec<String>,
    /// Images whose copies completed, since the world was loaded.
    pub completed: Vec<String>,
}

impl State {
    pub(crate) fn new(world: World) -> State {
        State { world, nonces: NonceLog::new(), made: Vec::new(), completed: Vec::new() }
    }

    /// The world's time now, after letting due copies complete.
    pub fn settle(&mut self, faults: &fault::Faults) -> Timestamp {
        let now = self.world.clock.now(Timestamp::now_utc());
        if faults.copies_complete() {
            let done = self.world.settle(now);
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
}

impl Shared {
    /// Locks the state. A panic while holding the lock cannot leave a half-applied
    /// change (every mutation is a single oracle step), so a poisoned lock is taken over.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces all state with `world` (nonces forgotten) and returns the world's time:
    /// what `PUT /_conformance/world` does once the body is a valid world.
    pub fn load(&self, world: World) -> Timestamp {
        let mut state = self.lock();
        *state = State::new(world);
        state.settle(&self.faults)
    }
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
        });
        let app = router(shared.clone(), config.control);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                eprintln!("emulator stopped: {e}");
            }
        });
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
        state.world.clone()
    }

    /// Replaces the world and forgets every nonce, as `PUT /_conformance/world` does.
    pub fn load(&self, world: World) {
        self.shared.load(world);
    }

    /// A handle that stages worlds on this emulator in process ([`Loader`]).
    pub fn loader(&self) -> Loader {
        Loader { shared: self.shared.clone() }
    }

    /// Stops serving and waits for the server task.
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
