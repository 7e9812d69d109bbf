//! HTTP messages exactly as they cross the wire.
//!
//! Owns [`HttpRequest`] and [`HttpReply`]: method, target, headers and body bytes with
//! no interpretation. The harness builds an `HttpRequest`, sends exactly it and asks the
//! oracle about exactly it; the emulator turns what it receives into one and asks the
//! same oracle. Everything that reads meaning into these bytes lives in
//! [`crate::wire`] and [`crate::oracle`].

/// A request as sent or received.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HttpRequest {
    /// Method as sent (`GET`, `POST`, anything).
    pub method: String,
    /// Origin-form target: path plus optional `?query`, percent-encoded as sent.
    pub target: String,
    /// Headers in the order sent; names lowercase.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    #[serde(with = "body_text")]
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The path part of the target.
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(self.target.as_str(), |(p, _)| p)
    }

    /// The raw query string (without `?`), empty if none.
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    /// Every value of a header (name compared case-insensitively).
    pub fn header_values<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        values(&self.headers, name)
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).next()
    }

    /// Sets a header, replacing earlier values.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        let name = name.to_ascii_lowercase();
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.into()));
    }
}

/// A reply as received or sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpReply {
    /// Status code.
    pub status: u16,
    /// Headers in the order received; names lowercase.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl HttpReply {
    /// A reply with one header, `Content-Type`, if given.
    pub fn new(status: u16, content_type: Option<&str>, body: Vec<u8>) -> HttpReply {
        let headers = content_type.map(|c| vec![("content-type".to_owned(), c.to_owned())]).unwrap_or_default();
        HttpReply { status, headers, body }
    }

    /// The first value of a header (name compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        values(&self.headers, name).next()
    }

    /// The first `Content-Type`, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }
}

/// Every value of header `name` in `headers`, name compared case-insensitively: the one
/// lookup of requests and replies.
fn values<'a, 'n>(headers: &'a [(String, String)], name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
    headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Bodies are stored as text when they are UTF-8 and as `base64:` otherwise, so case
/// files stay readable.
mod body_text {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(body) {
            Ok(text) if !text.starts_with("base64:") => s.serialize_str(text),
            _ => s.serialize_str(&format!("base64:{}", base64::engine::general_purpose::STANDARD.encode(body))),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        match text.strip_prefix("base64:") {
            Some(b64) => base64::engine::general_purpose::STANDARD.decode(b64).map_err(serde::de::Error::custom),
            None => Ok(text.into_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_parts() {
        let r = HttpRequest {
            method: "GET".into(),
            target: "/?a=1&b=2".into(),
            headers: vec![("host".into(), "h".into())],
            body: vec![0xff, 0],
        };
        assert_eq!(r.path(), "/");
        assert_eq!(r.query(), "a=1&b=2");
        assert_eq!(r.header("HOST"), Some("h"));
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("base64:"));
        assert_eq!(serde_json::from_str::<HttpRequest>(&json).unwrap(), r);
    }
}
