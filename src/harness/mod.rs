//! The conformance harness: targets, sending, comparing.
//!
//! Owns talking to a target endpoint. [`transport`] sends requests exactly as built.

pub mod transport;
