//! Signature V1: HMAC-SHA1 over the canonicalized parameters (protocol.md §3).
//!
//! Owns the canonical query string, the string to sign and the signature. Signing and
//! verifying are the same computation; the caller compares. Parameters are bytes, so a
//! request carrying invalid UTF-8 is signed and verified exactly as sent.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::percent::{PairOrder, canonical, encode_into};

/// The canonicalized query string: every pair but `Signature`, in the canonical form
/// of [`super::percent::canonical`].
pub fn canonical_query<N: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(N, V)]) -> String {
    canonical_query_in(pairs, PairOrder::NameThenValue)
}

/// [`canonical_query`] with pairs of one name in `order`.
pub fn canonical_query_in<N: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(N, V)], order: PairOrder) -> String {
    canonical(pairs.iter().map(|(n, v)| (n.as_ref(), v.as_ref())).filter(|(n, _)| *n != b"Signature"), order)
}

/// `METHOD&%2F&percentEncode(canonicalized query)`.
pub fn string_to_sign(method: &str, canonical_query: &str) -> String {
    const SEPARATOR: &str = "&%2F&";
    let mut out = String::with_capacity(method.len() + SEPARATOR.len() + canonical_query.len() * 3 / 2);
    out.push_str(method);
    out.push_str(SEPARATOR);
    encode_into(&mut out, canonical_query.as_bytes());
    out
}

/// Base64(HMAC-SHA1(secret + "&", string to sign)).
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let key = format!("{secret}&");
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Signs parameters for a method: the value of `Signature`.
pub fn sign<N: AsRef<[u8]>, V: AsRef<[u8]>>(method: &str, pairs: &[(N, V)], secret: &str) -> String {
    signature(secret, &string_to_sign(method, &canonical_query(pairs)))
}

#[cfg(test)]
mod tests {
    //! Test vectors of protocol.md §3, reproduced exactly.
    use super::*;

    fn vector_a() -> Vec<(&'static str, &'static str)> {
        vec![
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("Format", "XML"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Version", "2014-05-26"),
        ]
    }

    fn vector_c() -> Vec<(&'static str, &'static str)> {
        vec![
            ("AccessKeyId", "testid"),
            ("Action", "CopyImage"),
            ("DestinationDescription", "This is a description example."),
            ("DestinationImageName", "YourImageName"),
            ("DestinationRegionId", "cn-shanghai"),
            ("Encrypted", "false"),
            ("Format", "JSON"),
            ("ImageId", "m-bp1h46wfpjsjastc0001"),
            ("RegionId", "cn-hangzhou"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Tag.1.Key", "TestKey"),
            ("Tag.1.Value", "TestValue"),
            ("Timestamp", "2024-01-01T00:00:00Z"),
            ("Version", "2014-05-26"),
        ]
    }

    fn with(
        mut v: Vec<(&'static str, &'static str)>,
        extra: &[(&'static str, &'static str)],
    ) -> Vec<(&'static str, &'static str)> {
        for (n, val) in extra {
            v.retain(|(k, _)| k != n);
            v.push((n, val));
        }
        v
    }

    #[test]
    fn vector_a_docs_example() {
        assert_eq!(sign("GET", &vector_a(), "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    #[test]
    fn vector_b_with_empty_signature_type() {
        let b = with(vector_c(), &[("SignatureType", "")]);
        assert_eq!(sign("POST", &b, "testsecret"), "yn68T5IcR3GRMzxwLhTgVpFhUsI=");
        assert_eq!(sign("GET", &b, "testsecret"), "alCDJC2DDlQeC3fw6U6nY80Omms=");
    }

    #[test]
    fn vector_c_copy_image() {
        assert_eq!(sign("POST", &vector_c(), "testsecret"), "el3aZT8iPmoXv3Qrf4DD83uMoeI=");
        assert_eq!(sign("GET", &vector_c(), "testsecret"), "svhu59BQrgztfpR2YMnXYY6vLHE=");
    }

    #[test]
    fn vector_d_reserved_characters_and_chinese() {
        let d = with(
            vector_c(),
            &[("DestinationDescription", "a b*c~d+e/f:g=h&i 中文"), ("DestinationImageName", "img.name:v1_x-y")],
        );
        assert_eq!(sign("POST", &d, "testsecret"), "2vwmd97GisFA82kyzc+9lJLXVdA=");
        let d2 = with(d, &[("SignatureType", "")]);
        assert_eq!(sign("POST", &d2, "testsecret"), "RnSQc62usl1lG38niA9NHrYmMWY=");
    }

    #[test]
    fn order_and_signature_parameter_do_not_matter() {
        let mut v = vector_c();
        v.reverse();
        v.push(("Signature", "anything"));
        assert_eq!(sign("POST", &v, "testsecret"), "el3aZT8iPmoXv3Qrf4DD83uMoeI=");
    }

    #[test]
    fn the_misprinted_docs_signature_does_not_reproduce() {
        assert_ne!(sign("GET", &vector_a(), "testsecret"), "CT9X0VtwR86fNWSnsc6v8YGOjuE=");
    }
}
