//! The signature verifiers' parts on any input: the V3 `Authorization` grammar, the
//! canonical forms and strings to sign, percent-decoding. Never panics; what is parsed
//! renders back to a header that parses the same.
#![no_main]

use copyimage_conformance::wire::percent::{PairOrder, canonical, parse_pairs};
use copyimage_conformance::wire::{v1, v3};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(auth) = v3::Authorization::parse(&text) {
        assert_eq!(v3::Authorization::parse(&auth.render()), Some(auth));
    }
    let pairs = parse_pairs(data);
    let borrowed: Vec<(&[u8], &[u8])> = pairs.iter().map(|(n, v)| (n.as_slice(), v.as_slice())).collect();
    for order in [PairOrder::NameThenValue, PairOrder::NameOnly] {
        let c = canonical(borrowed.iter().copied(), order);
        // The canonical form is plain ASCII and decodes back to the same pairs, sorted
        // (a pair with an empty name, `=`, included).
        assert!(c.is_ascii());
        let mut sorted = pairs.clone();
        match order {
            PairOrder::NameThenValue => sorted.sort(),
            PairOrder::NameOnly => sorted.sort_by(|a, b| a.0.cmp(&b.0)),
        }
        assert_eq!(parse_pairs(c.as_bytes()), sorted);
        let sts = v1::string_to_sign("POST", &v1::canonical_query_in(&borrowed, order));
        let _ = v1::signature("secret", &sts);
    }
    let headers = vec![("host".to_owned(), text.chars().take(64).collect::<String>())];
    let cr = v3::canonical_request(&v3::CanonicalInput {
        method: "POST",
        path: "/",
        query: &borrowed,
        headers: &headers,
        signed_headers: &["host".to_owned()],
        body_sha256: &v3::sha256_hex(data),
        order: PairOrder::NameThenValue,
    });
    let _ = v3::signature("secret", &v3::string_to_sign(&cr));
});
