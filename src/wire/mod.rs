//! The wire codec, shared by the harness and the emulator.
//!
//! Owns how CopyImage crosses HTTP: percent-encoding and form pairs ([`percent`]), the
//! two signature algorithms ([`v1`], [`v3`]), building signed requests ([`client`]) and
//! writing and reading XML and JSON replies ([`reply`]). It decides nothing about
//! whether a request is acceptable: that is [`crate::oracle`].

pub mod client;
pub mod percent;
pub mod reply;
pub mod v1;
pub mod v3;
