//! The world-control contract under `/_conformance/`.
//!
//! Owns the HTTP surface that lets a harness stage worlds on any emulator: read the
//! contract, load a world (replacing all state, nonces included), read the current
//! world (secrets left out), and advance the clock so copies in progress complete.
//! README specifies it for third-party emulators; this is the reference
//! implementation. Replies are JSON; refusals are 4xx with `{"error": "..."}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{any, get, post};
use serde_json::json;

use super::Shared;
use super::api::{body_timed_out, read_request};
use crate::model::World;

/// Name and version of the contract, as `GET /_conformance` reports them.
pub const CONTRACT: &str = "copyimage-conformance-control";
/// Contract version.
pub const CONTRACT_VERSION: u32 = 1;
/// Largest control body read.
const MAX_CONTROL_BODY: usize = 16 << 20;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_conformance", get(info))
        .route("/_conformance/world", get(read_world).put(load_world))
        .route("/_conformance/clock", post(advance_clock))
        .route("/_conformance/{*rest}", any(not_found))
}

fn json_reply(status: StatusCode, value: &serde_json::Value) -> Response {
    let mut r = Response::new(Body::from(serde_json::to_vec(value).unwrap_or_default()));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn refuse(status: StatusCode, message: impl std::fmt::Display) -> Response {
    json_reply(status, &json!({ "error": message.to_string() }))
}

async fn info() -> Response {
    json_reply(
        StatusCode::OK,
        &json!({
            "contract": CONTRACT,
            "version": CONTRACT_VERSION,
            "world": "/_conformance/world",
            "clock": "/_conformance/clock",
        }),
    )
}

async fn read_world(State(shared): State<Arc<Shared>>) -> Response {
    let mut state = shared.lock();
    let now = state.settle(&shared.faults);
    let shown = shared.faults.shown_world(&state.world, &state.completed);
    json_reply(StatusCode::OK, &json!({ "now": now, "world": shown.public_json() }))
}

async fn load_world(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let Ok(http) = tokio::time::timeout(shared.limits.body_timeout, read_request(req, MAX_CONTROL_BODY)).await else {
        return body_timed_out();
    };
    if http.body.len() > MAX_CONTROL_BODY {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, format!("a world is at most {MAX_CONTROL_BODY} bytes"));
    }
    let text = match std::str::from_utf8(&http.body) {
        Ok(t) => t,
        Err(_) => return refuse(StatusCode::BAD_REQUEST, "the world is not UTF-8"),
    };
    match World::from_json(text) {
        Err(e) => refuse(StatusCode::BAD_REQUEST, e),
        Ok(world) => json_reply(StatusCode::OK, &json!({ "now": shared.load(world) })),
    }
}

async fn advance_clock(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let Ok(http) = tokio::time::timeout(shared.limits.body_timeout, read_request(req, 4096)).await else {
        return body_timed_out();
    };
    let seconds = serde_json::from_slice::<serde_json::Value>(&http.body)
        .ok()
        .and_then(|v| v.get("advance_seconds").and_then(serde_json::Value::as_u64));
    let Some(seconds) = seconds.and_then(|s| i64::try_from(s).ok()) else {
        return refuse(StatusCode::BAD_REQUEST, "expected {\"advance_seconds\": <non-negative integer>}");
    };
    let mut state = shared.lock();
    state.world_mut().clock.advance(seconds);
    let now = state.settle(&shared.faults);
    json_reply(StatusCode::OK, &json!({ "now": now }))
}

async fn not_found() -> Response {
    refuse(StatusCode::NOT_FOUND, "no such control endpoint; see GET /_conformance")
}
