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
    /// No complete reply within the timeout.
    #[error("no reply within {0} ms")]
    Timeout(u64),
    /// The reply broke off (truncated body, reset connection).
    #[error("reply broke off: {0}")]
    Broken(String),
}

/// Builds the HTTP client used for every target.
pub fn client(timeout: Duration) -> Result<reqwest::Client, TransportError> {
    builder(timeout).build().map_err(|e| TransportError::Invalid(e.to_string()))
}

/// The HTTP client for one base URL: for a plain `http://` target the system's trust
/// store is not loaded (tens of milliseconds per client, and the harness makes one per
/// worker).
pub fn client_for(base: &str, timeout: Duration) -> Result<reqwest::Client, TransportError> {
    let mut b = builder(timeout);
    #[cfg(feature = "tls")]
    if base.starts_with("http://") {
        b = b.tls_certs_only(Vec::new());
    }
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

/// Sends `req` to `base` (scheme, host and port; the request's target is appended).
pub async fn send(client: &reqwest::Client, base: &str, req: &HttpRequest) -> Result<HttpReply, TransportError> {
    let method = reqwest::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| TransportError::Invalid(format!("method `{}`", req.method)))?;
    let url = format!("{}{}", base.trim_end_matches('/'), req.target);
    let mut builder = client.request(method, &url);
    for (name, value) in &req.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = builder.body(req.body.clone()).send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let body = response.bytes().await.map_err(classify)?.to_vec();
    Ok(HttpReply { status, content_type, body })
}

fn classify(e: reqwest::Error) -> TransportError {
    let detail = error_chain(&e);
    if e.is_timeout() {
        TransportError::Timeout(0)
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
