//! Helpers shared by the integration tests: start an emulator, send a case, read the
//! reply. Every server is started on 127.0.0.1 with an ephemeral port.

#![allow(dead_code)]

use std::time::Duration;

use copyimage_conformance::case::Case;
use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::harness::client;
use copyimage_conformance::model::{HttpReply, HttpRequest, Timestamp, World};
use copyimage_conformance::wire::build::Built;
use copyimage_conformance::wire::sign::fresh_nonce;

/// Starts an emulator with `world`.
pub async fn emulator(world: World) -> Emulator {
    Emulator::start(EmulatorConfig { world, ..EmulatorConfig::default() }).await.expect("bind 127.0.0.1:0")
}

/// Starts an emulator with `world` serving profile `doc`.
pub async fn emulator_in(world: World, doc: copyimage_conformance::rules::Doc) -> Emulator {
    Emulator::start(EmulatorConfig { world, doc, ..EmulatorConfig::default() }).await.expect("bind 127.0.0.1:0")
}

/// A client for tests.
pub fn client() -> reqwest::Client {
    client::client(Duration::from_secs(10)).expect("client")
}

/// Sends one request.
pub async fn send(client: &reqwest::Client, emulator: &Emulator, req: &HttpRequest) -> HttpReply {
    client::send(client, &emulator.uri(), req, 64 << 20).await.expect("reply")
}

/// Builds a case at the emulator's current time and sends it (warm-up first).
pub async fn send_case(client: &reqwest::Client, emulator: &Emulator, case: &Case) -> (Built, HttpReply) {
    let world = emulator.world();
    let now = world.clock.now(Timestamp::now_utc());
    let built = case.build(&world, now, &emulator.host(), &fresh_nonce());
    if let Some(warmup) = &built.warmup {
        send(client, emulator, warmup).await;
    }
    let reply = send(client, emulator, &built.request).await;
    (built, reply)
}
