//! An endpoint: where a target is, how to reach it, and what it offers.
//!
//! Owns talking to one endpoint: discovering the world-control contract, staging
//! worlds, reading them back, advancing the clock, and sending API requests under a
//! rate limit when the target is a real service. Staging errors are [`HarnessError`]s
//! (the run cannot go on); API replies, whatever they are, are data for the judge.

use std::time::Duration;

use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use std::sync::Arc;

use super::HarnessError;
use super::client::{self, TransportError};
use super::guard::{Guard, MAX_REPLY_BYTES, Stop};
use crate::emulator::Loader;
use crate::model::{Copy, HttpReply, HttpRequest, Image, Timestamp, World};

/// Requests at most this often.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next: Mutex<Instant>,
}

impl RateLimiter {
    /// At most `per_minute` requests a minute.
    pub fn per_minute(per_minute: u32) -> RateLimiter {
        RateLimiter {
            interval: Duration::from_secs_f64(60.0 / f64::from(per_minute.max(1))),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for the next slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        // A slot already due is taken at once: the timer rounds every deadline up to
        // its next millisecond tick, which would add up to a millisecond per request.
        if slot > Instant::now() {
            tokio::time::sleep_until(slot).await;
        }
    }
}

/// The images and copies a target reports.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct WorldView {
    /// Images.
    #[serde(default)]
    pub images: Vec<Image>,
    /// Copies in progress.
    #[serde(default)]
    pub copies: Vec<Copy>,
}

#[derive(Deserialize)]
struct ReadReply {
    now: Timestamp,
    world: WorldView,
}

#[derive(Deserialize)]
struct NowReply {
    now: Timestamp,
}

/// One endpoint.
#[derive(Debug)]
pub struct Endpoint {
    /// Scheme, host and port.
    pub base: String,
    /// `host[:port]` for the `Host` header and V3 signing.
    pub host: String,
    /// Whether it offers the world-control contract.
    pub control: bool,
    /// The documentation profile its replies are held to (default the seed's).
    pub doc: crate::rules::Doc,
    client: reqwest::Client,
    limiter: Option<RateLimiter>,
    /// Stages worlds in process instead of `PUT /_conformance/world` (an emulator this
    /// process started).
    loader: Option<Loader>,
    /// What bounds the requests sent to it.
    guard: Arc<Guard>,
}

impl Endpoint {
    /// Connects: checks the URL and asks `GET /_conformance`.
    pub async fn connect(
        endpoint: &str,
        timeout: Duration,
        rate_per_minute: Option<u32>,
    ) -> Result<Endpoint, HarnessError> {
        let url = reqwest::Url::parse(endpoint)
            .map_err(|e| HarnessError::Endpoint { endpoint: endpoint.to_owned(), reason: e.to_string() })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(HarnessError::Endpoint {
                endpoint: endpoint.to_owned(),
                reason: "expected http:// or https:// and a host".into(),
            });
        }
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let base = format!("{}://{host}", url.scheme());
        let client = client::client_for(&base, timeout)
            .map_err(|e| HarnessError::Endpoint { endpoint: endpoint.to_owned(), reason: e.to_string() })?;
        let control = match client.get(format!("{base}/_conformance")).send().await {
            Ok(r) if r.status().is_success() => r
                .json_value()
                .await
                .is_some_and(|v| v.get("contract").and_then(|c| c.as_str()) == Some("copyimage-conformance-control")),
            Ok(_) => false,
            // A target that does not answer the discovery in time is taken to have no
            // control: its API requests then get verdicts (and the breaker) of their own.
            Err(e) if e.is_timeout() => false,
            Err(e) if e.is_connect() => {
                return Err(HarnessError::Endpoint {
                    endpoint: endpoint.to_owned(),
                    reason: format!("cannot connect: {e}"),
                });
            }
            Err(_) => false,
        };
        let limiter = if control { None } else { rate_per_minute.map(RateLimiter::per_minute) };
        // On its own, a target without control may have nothing created on it.
        let guard = Arc::new(Guard::new((!control).then_some(0), Stop::new(), 0, MAX_REPLY_BYTES));
        let doc = crate::rules::Doc::June2018;
        Ok(Endpoint { base, host, control, doc, client, limiter, loader: None, guard })
    }

    /// Bounds its requests by `guard` (shared by a run's targets) from now on.
    pub fn with_guard(mut self, guard: Arc<Guard>) -> Endpoint {
        self.guard = guard;
        self
    }

    /// The same endpoint, held to another documentation profile.
    pub fn with_doc(mut self, doc: crate::rules::Doc) -> Endpoint {
        self.doc = doc;
        self
    }

    /// What bounds its requests.
    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    /// Stages worlds through `loader` from now on, not over HTTP. The clock and the
    /// read-back still use the contract's HTTP routes.
    pub fn with_loader(mut self, loader: Loader) -> Endpoint {
        self.loader = Some(loader);
        self
    }

    /// Sends an API request exactly as built, unless the run has stopped; a stop ends
    /// a send in flight. Callers ask [`Guard::allows`] first when the request may
    /// create an image ([`super::exchange::exchange`] does).
    pub async fn send(&self, req: &HttpRequest) -> Result<HttpReply, TransportError> {
        let stop = &self.guard.stop;
        if stop.is_stopped() {
            return Err(TransportError::Stopped);
        }
        let sent = async {
            if let Some(l) = &self.limiter {
                l.wait().await;
            }
            client::send(&self.client, &self.base, req, self.guard.max_reply_bytes).await
        };
        let reply = tokio::select! {
            reply = sent => reply,
            _ = stop.fired() => Err(TransportError::Stopped),
        };
        match &reply {
            Ok(_) => self.guard.delivered(true),
            Err(e) if e.unanswered() => self.guard.delivered(false),
            Err(_) => {}
        }
        reply
    }

    fn control_error(&self, reason: impl std::fmt::Display) -> HarnessError {
        HarnessError::Control { endpoint: self.base.clone(), reason: reason.to_string() }
    }

    async fn control_call(&self, method: reqwest::Method, path: &str, body: Vec<u8>) -> Result<Vec<u8>, HarnessError> {
        let send = || {
            self.client
                .request(method.clone(), format!("{}{path}", self.base))
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
        };
        // A pooled connection the target has just closed fails before the request is
        // sent; loading and reading a world are idempotent, so they are tried again.
        let r = match send().await {
            Err(e) if method != reqwest::Method::POST && e.is_request() => send().await,
            other => other,
        }
        .map_err(|e| self.control_error(e))?;
        let status = r.status();
        let bytes = r.bytes().await.map_err(|e| self.control_error(e))?.to_vec();
        if !status.is_success() {
            return Err(self.control_error(format!("{path} answered {status}: {}", String::from_utf8_lossy(&bytes))));
        }
        Ok(bytes)
    }

    /// Loads a world, replacing all state. Returns the target's time.
    pub async fn stage(&self, world: &World) -> Result<Timestamp, HarnessError> {
        if let Some(loader) = &self.loader {
            return loader.stage(world).map_err(|e| self.control_error(format!("loading a world: {e}")));
        }
        let body = serde_json::to_vec(world).map_err(|e| self.control_error(e))?;
        let bytes = self.control_call(reqwest::Method::PUT, "/_conformance/world", body).await?;
        let reply: NowReply =
            serde_json::from_slice(&bytes).map_err(|e| self.control_error(format!("PUT /_conformance/world: {e}")))?;
        Ok(reply.now)
    }

    /// Reads the images and copies the target holds, and its time.
    pub async fn read_world(&self) -> Result<(WorldView, Timestamp), HarnessError> {
        let bytes = self.control_call(reqwest::Method::GET, "/_conformance/world", Vec::new()).await?;
        let reply: ReadReply =
            serde_json::from_slice(&bytes).map_err(|e| self.control_error(format!("GET /_conformance/world: {e}")))?;
        Ok((reply.world, reply.now))
    }

    /// Advances the clock.
    pub async fn advance(&self, seconds: u32) -> Result<Timestamp, HarnessError> {
        let body = serde_json::to_vec(&serde_json::json!({ "advance_seconds": seconds })).unwrap_or_default();
        let bytes = self.control_call(reqwest::Method::POST, "/_conformance/clock", body).await?;
        let reply: NowReply =
            serde_json::from_slice(&bytes).map_err(|e| self.control_error(format!("POST /_conformance/clock: {e}")))?;
        Ok(reply.now)
    }
}

trait JsonValue {
    async fn json_value(self) -> Option<serde_json::Value>;
}

impl JsonValue for reqwest::Response {
    async fn json_value(self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.bytes().await.ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_rate_limiter_spaces_requests() {
        let limiter = RateLimiter::per_minute(60);
        let start = Instant::now();
        for _ in 0..5 {
            limiter.wait().await;
        }
        // Five requests at one a second: the fifth waits four seconds (virtual time).
        assert_eq!(start.elapsed().as_secs(), 4);
    }
}
