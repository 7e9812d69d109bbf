//! The emulator's HTTP/1.1 server: accepting connections within bounds.
//!
//! Owns the accept loop: at most [`ConnectionLimits::max_connections`] connections at
//! once (one more is closed as soon as it is accepted), each closed when it sends no
//! whole request head within [`ConnectionLimits::header_timeout`] of opening or of its
//! last reply (hyper's header read timeout, which also runs while a kept-alive
//! connection is idle). Requests go to the router; the body timeout is applied where
//! bodies are read (`api::read_request`).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::ConnectionLimits;

/// Serves `app` on `listener` until `stopped` fires; then closes every connection.
pub(super) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    mut stopped: oneshot::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => accepted,
            // Reap finished connection tasks as they end, so the set stays small.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // Out of descriptors, or a connection reset before it was accepted: wait a
            // moment rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let app = app.clone();
        connections.spawn(async move {
            let _slot = slot;
            let _ = stream.set_nodelay(true);
            let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                let app = app.clone();
                async move { app.oneshot(req.map(axum::body::Body::new)).await }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
            let _ = builder.serve_connection(TokioIo::new(stream), service).await;
        });
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}
