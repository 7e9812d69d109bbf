//! What a CopyImage reply says, apart from how it is written.
//!
//! Owns [`Format`], [`Reply`] and [`ErrorReply`]: the documented reply fields
//! (`RequestId`, `ImageId` on success; `RequestId`, `HostId`, `Code`, `Message` on
//! errors). Writing them as XML or JSON and reading them back is
//! [`crate::wire::reply`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A reply format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// XML, the default.
    Xml,
    /// JSON.
    Json,
}

impl Format {
    /// Both formats.
    pub const ALL: [Format; 2] = [Format::Xml, Format::Json];

    /// The value of the `Format` parameter that asks for this format.
    pub fn param_value(self) -> &'static str {
        match self {
            Format::Xml => "XML",
            Format::Json => "JSON",
        }
    }

    /// Reads a `Format` parameter value; case-insensitive (protocol.md §1).
    pub fn from_param(value: &[u8]) -> Option<Format> {
        if value.eq_ignore_ascii_case(b"xml") {
            Some(Format::Xml)
        } else if value.eq_ignore_ascii_case(b"json") {
            Some(Format::Json)
        } else {
            None
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Xml => "xml",
            Format::Json => "json",
        })
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::from_param(s.as_bytes()).ok_or_else(|| format!("unknown format `{s}` (xml, json)"))
    }
}

/// A documented error reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReply {
    /// `RequestId`.
    pub request_id: String,
    /// `HostId`.
    pub host_id: String,
    /// `Code`.
    pub code: String,
    /// `Message`.
    pub message: String,
}

/// A reply body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reply {
    /// The copy was accepted.
    Success {
        /// `RequestId`.
        request_id: String,
        /// `ImageId` of the new image.
        image_id: String,
    },
    /// A documented error.
    Error(ErrorReply),
}
