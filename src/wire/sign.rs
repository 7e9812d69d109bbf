//! Building signed requests the way the official clients do.
//!
//! Owns the four signing modes ([`Signing`]: V1 GET, V1 POST with parameters in the
//! query, V1 POST with a form body, V3) and drafts that let a caller change a request
//! before or after it is signed ([`V1Draft`], [`V3Draft`]), which is how the generators
//! make bad signatures, missing parameters and repeated ones. [`sign_request`] is the
//! one-call form for a correct request.

use std::fmt;
use std::str::FromStr;

use crate::model::{HttpRequest, Secret, Timestamp};
use crate::rules::protocol;

use super::percent::join_pairs;
use super::{v1, v3};

/// `Content-Type` of form bodies.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// How a request is signed and where its parameters go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Signing {
    /// V1, GET, every parameter in the query (the documentation's form).
    #[serde(rename = "v1-get")]
    V1Get,
    /// V1, POST, every parameter in the query and an empty body (the Python SDKs).
    #[serde(rename = "v1-post-query")]
    V1PostQuery,
    /// V1, POST, every parameter in a form body.
    #[serde(rename = "v1-post-form")]
    V1PostForm,
    /// V3 (ACS3-HMAC-SHA256), POST, business parameters in the query.
    #[serde(rename = "v3")]
    V3,
}

impl Signing {
    /// Every mode.
    pub const ALL: [Signing; 4] = [Signing::V1Get, Signing::V1PostQuery, Signing::V1PostForm, Signing::V3];

    /// The mode's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Signing::V1Get => "v1-get",
            Signing::V1PostQuery => "v1-post-query",
            Signing::V1PostForm => "v1-post-form",
            Signing::V3 => "v3",
        }
    }

    /// The HTTP method it uses.
    pub fn method(self) -> &'static str {
        match self {
            Signing::V1Get => "GET",
            _ => "POST",
        }
    }
}

impl fmt::Display for Signing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Signing {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Signing::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| format!("unknown signing mode `{s}` (v1-get, v1-post-query, v1-post-form, v3)"))
    }
}

/// An access key pair. `Debug` never shows the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// AccessKeyId.
    pub key_id: String,
    /// AccessKeySecret.
    pub secret: Secret,
}

impl Credentials {
    /// A key pair.
    pub fn new(key_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials { key_id: key_id.into(), secret: Secret::new(secret) }
    }
}

/// A parameter list: names and raw value bytes, in sending order.
pub type Pairs = Vec<(String, Vec<u8>)>;

/// Turns `&str` pairs into [`Pairs`].
pub fn pairs(list: &[(&str, &str)]) -> Pairs {
    list.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())).collect()
}

/// A V1 request before its `Signature` is added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V1Draft {
    /// HTTP method (normally GET or POST).
    pub method: String,
    /// Parameters in a form body rather than the query.
    pub in_body: bool,
    /// Host header.
    pub host: String,
    /// Every parameter but `Signature`, in sending order.
    pub params: Pairs,
}

impl V1Draft {
    /// A draft with the common parameters of protocol.md §2 followed by `business`.
    pub fn new(signing: Signing, host: &str, key_id: &str, now: Timestamp, nonce: &str, business: &Pairs) -> V1Draft {
        let mut params = pairs(&[
            ("AccessKeyId", key_id),
            ("Action", protocol::ACTION),
            ("SignatureMethod", protocol::SIGNATURE_METHOD),
            ("SignatureNonce", nonce),
            ("SignatureVersion", protocol::SIGNATURE_VERSION),
            ("Timestamp", &now.to_string()),
            ("Version", protocol::VERSION),
        ]);
        params.extend(business.iter().cloned());
        V1Draft {
            method: signing.method().to_owned(),
            in_body: signing == Signing::V1PostForm,
            host: host.to_owned(),
            params,
        }
    }

    /// The signature of the draft as it stands.
    pub fn signature(&self, secret: &str) -> String {
        v1::sign(&self.method, &self.params, secret)
    }

    /// The request, with `Signature` (if given) appended last.
    pub fn into_request(self, signature: Option<&str>) -> HttpRequest {
        let mut params = self.params;
        if let Some(s) = signature {
            params.push(("Signature".into(), s.as_bytes().to_vec()));
        }
        let encoded = join_pairs(&params);
        let mut headers = vec![("host".to_owned(), self.host)];
        let (target, body) = if self.in_body {
            headers.push(("content-type".to_owned(), FORM_CONTENT_TYPE.to_owned()));
            ("/".to_owned(), encoded.into_bytes())
        } else {
            (format!("/?{encoded}"), Vec::new())
        };
        HttpRequest { method: self.method, target, headers, body }
    }
}

/// A V3 request before its `Authorization` header is added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V3Draft {
    /// HTTP method.
    pub method: String,
    /// Query parameters, in sending order.
    pub query: Pairs,
    /// Form-body parameters, in sending order (none by default).
    pub form: Pairs,
    /// Headers, lowercase names.
    pub headers: Vec<(String, String)>,
}

impl V3Draft {
    /// A draft as the official SDK sends it: POST, business parameters in the query,
    /// `accept: application/json`, the `x-acs-*` headers.
    pub fn new(host: &str, now: Timestamp, nonce: &str, business: &Pairs) -> V3Draft {
        let header = |param: &str| protocol::v3_header(param).unwrap_or_default();
        let headers = [
            ("accept", "application/json"),
            ("host", host),
            (header("Action"), protocol::ACTION),
            (header("Version"), protocol::VERSION),
            (header("Timestamp"), &now.to_string()),
            (header("SignatureNonce"), nonce),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        V3Draft { method: "POST".into(), query: business.clone(), form: Vec::new(), headers }
    }

    fn body(&self) -> Vec<u8> {
        join_pairs(&self.form).into_bytes()
    }

    /// Sets `x-acs-content-sha256` (and the form `Content-Type`) for the current body.
    pub fn seal_body(&mut self) {
        let body = self.body();
        self.set_header(protocol::V3_CONTENT_HASH, &v3::sha256_hex(&body));
        if !self.form.is_empty() {
            self.set_header("content-type", FORM_CONTENT_TYPE);
        }
    }

    /// Sets a header, replacing earlier values.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| n != name);
        self.headers.push((name.to_owned(), value.to_owned()));
    }

    /// Names of every header currently set, sorted: what the SDK signs.
    pub fn header_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.headers.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// The `Authorization` value for this draft, signing `signed_headers`.
    pub fn authorization(&self, key_id: &str, secret: &str, signed_headers: Vec<String>) -> String {
        let canonical = v3::canonical_request(&v3::CanonicalInput {
            method: &self.method,
            path: "/",
            query: &self.query,
            headers: &self.headers,
            signed_headers: &signed_headers,
            body_sha256: &v3::sha256_hex(&self.body()),
            order: super::percent::PairOrder::NameThenValue,
        });
        let signature = v3::signature(secret, &v3::string_to_sign(&canonical));
        v3::Authorization { key_id: key_id.to_owned(), signed_headers, signature }.render()
    }

    /// The request, with `Authorization` (if given).
    pub fn into_request(self, authorization: Option<String>) -> HttpRequest {
        let body = self.body();
        let mut headers = self.headers;
        if let Some(a) = authorization {
            headers.push(("authorization".into(), a));
        }
        let target = if self.query.is_empty() { "/".to_owned() } else { format!("/?{}", join_pairs(&self.query)) };
        HttpRequest { method: self.method, target, headers, body }
    }
}

/// A correctly signed CopyImage request. `business` may include `Format`.
pub fn sign_request(
    signing: Signing,
    credentials: &Credentials,
    host: &str,
    business: &[(&str, &str)],
    now: Timestamp,
    nonce: &str,
) -> HttpRequest {
    sign_pairs(signing, credentials, host, &pairs(business), now, nonce)
}

/// [`sign_request`] with raw value bytes.
pub fn sign_pairs(
    signing: Signing,
    credentials: &Credentials,
    host: &str,
    business: &Pairs,
    now: Timestamp,
    nonce: &str,
) -> HttpRequest {
    match signing {
        Signing::V3 => {
            let mut draft = V3Draft::new(host, now, nonce, business);
            draft.seal_body();
            let auth = draft.authorization(&credentials.key_id, credentials.secret.expose(), draft.header_names());
            draft.into_request(Some(auth))
        }
        _ => {
            let draft = V1Draft::new(signing, host, &credentials.key_id, now, nonce, business);
            let signature = draft.signature(credentials.secret.expose());
            draft.into_request(Some(&signature))
        }
    }
}

/// A fresh nonce: 32 lowercase hex digits, as the SDKs send.
pub fn fresh_nonce() -> String {
    super::random_uuid().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::percent::parse_pairs;

    #[test]
    fn signing_modes_name_themselves() {
        for s in Signing::ALL {
            assert_eq!(s.name().parse::<Signing>(), Ok(s));
            assert_eq!(s.to_string(), s.name());
        }
        assert_eq!(Signing::V1Get.method(), "GET");
        assert_eq!(Signing::V1PostForm.method(), "POST");
        assert!("v2".parse::<Signing>().is_err());
        assert_eq!(Signing::ALL.map(Signing::name), ["v1-get", "v1-post-query", "v1-post-form", "v3"]);
    }

    #[test]
    fn each_mode_puts_parameters_where_it_says() {
        let creds = Credentials::new("k", "s");
        let business = pairs(&[("RegionId", "r")]);
        let now = Timestamp(1_700_000_000);
        let get = sign_pairs(Signing::V1Get, &creds, "h", &business, now, "n");
        assert!(get.method == "GET" && get.body.is_empty() && get.query().contains("Signature="));
        let form = sign_pairs(Signing::V1PostForm, &creds, "h", &business, now, "n");
        assert!(form.target == "/" && parse_pairs(&form.body).iter().any(|(n, _)| n == b"Signature"));
        let v3 = sign_pairs(Signing::V3, &creds, "h", &business, now, "n");
        assert!(v3.header("authorization").is_some_and(|a| a.starts_with("ACS3-HMAC-SHA256 Credential=k,")));
        assert!(!v3.query().contains("Signature"));
    }

    #[test]
    fn a_v3_form_body_is_sent_and_hashed() {
        let mut draft = V3Draft::new("h", Timestamp(0), "n", &Vec::new());
        draft.form = pairs(&[("ImageId", "m-1")]);
        draft.seal_body();
        assert_eq!(draft.header_names().iter().filter(|h| *h == "content-type").count(), 1);
        let req = draft.into_request(None);
        assert_eq!(req.body, b"ImageId=m-1");
        assert_eq!(req.header("x-acs-content-sha256"), Some(v3::sha256_hex(b"ImageId=m-1").as_str()));
    }
}
