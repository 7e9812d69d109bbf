//! Signature V3: ACS3-HMAC-SHA256 over a canonical request (protocol.md §4).
//!
//! Owns the `Authorization` header's grammar, the canonical request, the string to sign
//! and the signature. The header list that is signed is whatever `SignedHeaders` names,
//! as the official SDK signs every header it sets.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::percent::{PairOrder, canonical};

/// The algorithm name that opens the `Authorization` header.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// The parts of an `Authorization: ACS3-HMAC-SHA256 ...` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    /// `Credential`: the AccessKeyId.
    pub key_id: String,
    /// `SignedHeaders`, lowercase, as listed.
    pub signed_headers: Vec<String>,
    /// `Signature`, lowercase hex.
    pub signature: String,
}

impl Authorization {
    /// Reads the header; `None` if it is not of the documented grammar.
    pub fn parse(value: &str) -> Option<Authorization> {
        let rest = value.trim().strip_prefix(ALGORITHM)?;
        if !rest.starts_with(' ') {
            return None;
        }
        let (mut key_id, mut signed, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let (k, v) = part.trim().split_once('=')?;
            let slot = match k.trim() {
                "Credential" => &mut key_id,
                "SignedHeaders" => &mut signed,
                "Signature" => &mut signature,
                _ => return None,
            };
            if slot.replace(v.trim().to_owned()).is_some() {
                return None;
            }
        }
        let signed_headers: Vec<String> = signed?.split(';').map(|h| h.trim().to_ascii_lowercase()).collect();
        let (key_id, signature) = (key_id?, signature?);
        if key_id.is_empty() || signature.is_empty() || signed_headers.iter().any(String::is_empty) {
            return None;
        }
        Some(Authorization { key_id, signed_headers, signature })
    }

    /// Writes the header value.
    pub fn render(&self) -> String {
        format!(
            "{ALGORITHM} Credential={},SignedHeaders={},Signature={}",
            self.key_id,
            self.signed_headers.join(";"),
            self.signature
        )
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The canonical query: every pair, in the canonical form of
/// [`super::percent::canonical`].
pub fn canonical_query<N: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(N, V)], order: PairOrder) -> String {
    canonical(pairs.iter().map(|(n, v)| (n.as_ref(), v.as_ref())), order)
}

/// What the canonical request is built from.
pub struct CanonicalInput<'a, N: AsRef<[u8]>, V: AsRef<[u8]>> {
    /// HTTP method.
    pub method: &'a str,
    /// Request path (`/`).
    pub path: &'a str,
    /// Query pairs, decoded.
    pub query: &'a [(N, V)],
    /// Request headers (any case).
    pub headers: &'a [(String, String)],
    /// Header names to sign, as listed in `SignedHeaders`.
    pub signed_headers: &'a [String],
    /// Hex SHA-256 of the body.
    pub body_sha256: &'a str,
    /// The order of query pairs of one name.
    pub order: PairOrder,
}

/// The canonical request.
pub fn canonical_request<N: AsRef<[u8]>, V: AsRef<[u8]>>(input: &CanonicalInput<'_, N, V>) -> String {
    let mut names: Vec<&str> = input.signed_headers.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let mut headers = String::new();
    for name in &names {
        let values: Vec<&str> =
            input.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()).collect();
        headers.push_str(name);
        headers.push(':');
        headers.push_str(&values.join(","));
        headers.push('\n');
    }
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        input.method,
        input.path,
        canonical_query(input.query, input.order),
        headers,
        names.join(";"),
        input.body_sha256
    )
}

/// `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// Hex HMAC-SHA256(secret, string to sign).
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    //! Test vectors E2 and F of protocol.md §4, reproduced exactly.
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    fn names(list: &str) -> Vec<String> {
        list.split(';').map(str::to_owned).collect()
    }

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn empty_body_hash() {
        assert_eq!(sha256_hex(b""), EMPTY_SHA256);
    }

    #[test]
    fn vector_e2_docs_worked_example() {
        let headers = h(&[
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-version", "2014-05-26"),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-content-sha256", EMPTY_SHA256),
        ]);
        let query = [("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"), ("RegionId", "cn-shanghai")];
        let signed = names("host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version");
        let cr = canonical_request(&CanonicalInput {
            method: "POST",
            path: "/",
            query: &query,
            headers: &headers,
            signed_headers: &signed,
            body_sha256: EMPTY_SHA256,
            order: PairOrder::NameThenValue,
        });
        assert_eq!(
            signature("YourAccessKeySecret", &string_to_sign(&cr)),
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn vector_f_copy_image() {
        let headers = h(&[
            ("accept", "application/json"),
            ("host", "ecs.cn-hangzhou.aliyuncs.com"),
            ("x-acs-action", "CopyImage"),
            ("x-acs-version", "2014-05-26"),
            ("x-acs-date", "2024-01-01T00:00:00Z"),
            ("x-acs-signature-nonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("x-acs-content-sha256", EMPTY_SHA256),
        ]);
        let query = [
            ("DestinationDescription", "This is a description example."),
            ("DestinationImageName", "YourImageName"),
            ("DestinationRegionId", "cn-shanghai"),
            ("Encrypted", "false"),
            ("ImageId", "m-bp1h46wfpjsjastc0001"),
            ("RegionId", "cn-hangzhou"),
            ("Tag.1.Key", "TestKey"),
            ("Tag.1.Value", "TestValue"),
        ];
        let signed =
            names("accept;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version");
        let cr = canonical_request(&CanonicalInput {
            method: "POST",
            path: "/",
            query: &query,
            headers: &headers,
            signed_headers: &signed,
            body_sha256: EMPTY_SHA256,
            order: PairOrder::NameThenValue,
        });
        assert_eq!(
            signature("testsecret", &string_to_sign(&cr)),
            "433760b2147c52aef19719080c06eda8161fd8d348e57b3cd50c7c561e822d9b"
        );
    }

    #[test]
    fn authorization_header_round_trips() {
        let a = Authorization::parse("ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-date,Signature=abc")
            .unwrap();
        assert_eq!(a.key_id, "testid");
        assert_eq!(a.signed_headers, ["host", "x-acs-date"]);
        assert_eq!(Authorization::parse(&a.render()), Some(a));
        for bad in [
            "",
            "ACS3-HMAC-SHA256",
            "ACS3-HMAC-SHA256Credential=a,SignedHeaders=h,Signature=s",
            "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=h",
            "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=h,Signature=s,Signature=t",
            "ACS3-HMAC-SHA256 Credential=,SignedHeaders=h,Signature=s",
            "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=h,Signature=",
            "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=h;;x,Signature=s",
            "HMAC-SHA1 Credential=a,SignedHeaders=h,Signature=s",
        ] {
            assert_eq!(Authorization::parse(bad), None, "{bad}");
        }
    }
}
