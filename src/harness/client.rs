//! Sending an [`HttpRequest`] exactly as built and receiving the reply.
//!
//! Owns the HTTP client (reqwest, with rustls and the ring provider for HTTPS targets),
//! the request timeout, and the translation of transport failures into
//! [`TransportError`] values: a refused connection, a timeout or a broken body is a
//! verdict on a case, never a panic.

use std::time::Duration;

use crate::model::{HttpReply, HttpRequest};

/// Why a reply did not arrive.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "kebab-case")]
pub enum TransportError {
    /// The endpoint URL or the request cannot be sent at all.
    #[error("request cannot be sent: {0}")]
    Invalid(String),
    /// No connection (refused, unreachable, TLS failure).
    #[error("cannot connect: {0}")]
    Connect(String),
    /// No complete reply within the timeout; the time waited, in milliseconds.
    #[error("no reply within {0} ms")]
    Timeout(u64),
    /// The reply broke off (truncated body, reset connection).
    #[error("reply broke off: {0}")]
    Broken(String),
    /// The reply was larger than the harness reads; it was read no further.
    #[error("the reply is larger than {limit} bytes{}; it was read no further", announced.map(|n| format!(" ({n} announced)")).unwrap_or_default())]
    TooLarge {
        /// The most bytes read.
        limit: usize,
        /// The size the reply announced, if it did.
        announced: Option<u64>,
    },
    /// The run was stopped while the request was on its way; it is not judged.
    #[error("the run stopped before the reply came")]
    Stopped,
}

impl TransportError {
    /// Whether the target failed to answer at all (a timeout, no connection, a reply
    /// that broke off): what the circuit breaker counts.
    pub fn unanswered(&self) -> bool {
        matches!(self, TransportError::Timeout(_) | TransportError::Connect(_) | TransportError::Broken(_))
    }
}

/// Builds the HTTP client used for every target.
pub fn client(timeout: Duration) -> Result<reqwest::Client, TransportError> {
    builder(timeout).build().map_err(|e| TransportError::Invalid(e.to_string()))
}

/// The HTTP client for one base URL: for a plain `http://` target the system's trust
/// store is not loaded (tens of milliseconds per client, and the harness makes one per
/// worker).
pub fn client_for(base: &str, timeout: Duration) -> Result<reqwest::Client, TransportError> {
    let b = builder(timeout);
    #[cfg(feature = "tls")]
    let b = if base.starts_with("http://") { b.tls_certs_only(Vec::new()) } else { b };
    #[cfg(not(feature = "tls"))]
    let _ = base;
    b.build().map_err(|e| TransportError::Invalid(e.to_string()))
}

fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    #[cfg(feature = "tls")]
    {
        // Installing twice is refused harmlessly; the first provider stays.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    reqwest::Client::builder().timeout(timeout).redirect(reqwest::redirect::Policy::none()).pool_max_idle_per_host(64)
}

/// Sends `req` to `base` (scheme, host and port; the request's target is appended) and
/// reads at most `max_reply_bytes` of the reply.
pub async fn send(
    client: &reqwest::Client,
    base: &str,
    req: &HttpRequest,
    max_reply_bytes: usize,
) -> Result<HttpReply, TransportError> {
    let method = reqwest::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| TransportError::Invalid(format!("method `{}`", req.method)))?;
    let url = format!("{}{}", base.trim_end_matches('/'), req.target);
    let mut builder = client.request(method, &url);
    for (name, value) in &req.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let started = std::time::Instant::now();
    let classify = |e: reqwest::Error| classify(e, started);
    let mut response = builder.body(req.body.clone()).send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let announced = response.content_length();
    if announced.is_some_and(|n| n > max_reply_bytes as u64) {
        return Err(TransportError::TooLarge { limit: max_reply_bytes, announced });
    }
    let mut body = Vec::with_capacity(announced.map_or(0, |n| n as usize));
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() + chunk.len() > max_reply_bytes {
            return Err(TransportError::TooLarge { limit: max_reply_bytes, announced });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpReply { status, headers, body })
}

fn classify(e: reqwest::Error, started: std::time::Instant) -> TransportError {
    let detail = error_chain(&e);
    if e.is_timeout() {
        TransportError::Timeout(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX))
    } else if e.is_connect() {
        TransportError::Connect(detail)
    } else if e.is_builder() || e.is_request() && e.url().is_none() {
        TransportError::Invalid(detail)
    } else {
        TransportError::Broken(detail)
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
