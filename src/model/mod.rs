//! The nouns of the suite: worlds, HTTP messages, replies, time.
//!
//! Owns plain data and its JSON forms, nothing else: no rule, no I/O. Requests are
//! kept exactly as they cross the wire ([`http::HttpRequest`]) so that every decision
//! about them is made in one place, [`crate::oracle`].

pub mod http;
pub mod image_id;
pub mod reply;
pub mod time;
pub mod world;

pub use http::{HttpReply, HttpRequest};
pub use reply::{ErrorReply, Format, Reply};
pub use time::Timestamp;
pub use world::{
    AccessKey, Account, Clock, Copy, Image, ImageKind, ImageStatus, Region, Secret, TokenUse, World, WorldError,
};
