//! # copyimage-conformance
//!
//! A conformance suite for the Alibaba Cloud ECS `CopyImage` API: generators of worlds
//! and requests, a reference oracle that knows what the documentation says, a harness
//! that compares any endpoint with the oracle, and a reference emulator that serves
//! exactly the documented behaviour.
//!
//! ```text
//! generate ─► world + case {valid request + deviations}
//!               ├─► oracle::predict(scene, exact request sent) ─► Prediction
//!               └─► wire::build (sign, tamper) ─► harness::client ─► target ─► reply
//!                                harness::compare::judge(prediction, reply) ─► report
//! emulator = read ─► oracle::predict ─► first acceptable outcome ─► oracle::apply ─► render
//! ```
//!
//! * [`model`]: worlds, HTTP messages, replies, time.
//! * [`rules`]: the rule table, one row per documented behaviour, with its sentence.
//! * [`oracle`]: predict (pure, total), apply, the open points.
//! * [`wire`]: percent-encoding, V1 and V3 signatures, building a case's exact requests,
//!   XML and JSON replies.
//! * [`case`]: a case as data, a valid base plus tampers; replay steps; case files.
//! * [`generate`]: the `arb_*` strategies: worlds, values, deviations, cases, sequences.
//! * [`harness`]: endpoints, the send guard, scheduling, judging, shrinking, replay;
//!   [`harness::run`].
//! * [`emulator`]: the HTTP server, the world-control contract, faults.
//! * [`report`]: terminal, JSON, JUnit and HTML reports; how a run ends ([`report::Ending`]).
//!
//! A complete example: start the emulator on an ephemeral port, sign a request as the
//! SDKs do, and read the reply.
//!
//! ```
//! use std::time::Duration;
//! use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
//! use copyimage_conformance::harness::client;
//! use copyimage_conformance::model::{Timestamp, World};
//! use copyimage_conformance::wire::sign::{Credentials, Signing, fresh_nonce, sign_request};
//! use copyimage_conformance::wire::reply;
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
//! let req = sign_request(
//!     Signing::V1PostQuery,
//!     &Credentials::new("testid", "testsecret"),
//!     &emulator.host(),
//!     &[("RegionId", "cn-qingdao"), ("ImageId", "m-available00000000001"),
//!       ("DestinationRegionId", "cn-hangzhou"), ("Format", "JSON")],
//!     Timestamp::now_utc(),
//!     &fresh_nonce(),
//! );
//! let client = client::client(Duration::from_secs(5)).unwrap();
//! let http = client::send(&client, &emulator.uri(), &req, 1 << 20).await.unwrap();
//! assert_eq!(http.status, 200);
//! let body = reply::parse(&http.body).unwrap();
//! assert!(body.text("ImageId").unwrap().starts_with("m-"));
//! emulator.shutdown().await;
//! # });
//! ```

#![warn(missing_docs)]

pub mod case;
pub mod emulator;
pub mod generate;
pub mod harness;
pub mod model;
pub mod oracle;
pub mod report;
pub mod rules;
pub mod wire;
