//! Building a case's exact HTTP requests: signing and tampering.
//!
//! Owns [`Case::build`]: the valid base request signed in the case's mode with the
//! world's secret for its key, each [`Tamper`] applied before or after signing as it
//! says, and the warm-up request of the tampers that reuse a nonce. The case is data
//! ([`crate::case`]); this is where it becomes bytes.

use crate::case::{Case, ParamValue, Tamper};
use crate::model::{HttpRequest, Timestamp, World};
use crate::wire::sign::{Pairs, Signing, V1Draft, V3Draft};

/// The requests a case sends: an optional warm-up (for nonce reuse) and the request
/// under test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Built {
    /// Sent first, with the same nonce, when the case reuses a nonce.
    pub warmup: Option<HttpRequest>,
    /// Seconds the server's clock must run between the warm-up and the request (the
    /// request is signed for that later time).
    pub wait: u32,
    /// The request under test.
    pub request: HttpRequest,
}

/// The secret a case signs with when its key is not in the world.
pub const INVENTED_SECRET: &str = "invented-secret";
/// The secret of [`Tamper::WrongSecret`].
pub const WRONG_SECRET: &str = "not-the-secret";

impl Case {
    fn key_and_secret(&self, world: &World) -> (String, String) {
        let id = self
            .tampers
            .iter()
            .rev()
            .find_map(|t| match t {
                Tamper::Key { id } => Some(id.clone()),
                _ => None,
            })
            .unwrap_or_else(|| self.key.clone());
        let secret = if self.tampers.contains(&Tamper::WrongSecret) {
            WRONG_SECRET.to_owned()
        } else {
            world.access_key(&id).map_or_else(|| INVENTED_SECRET.to_owned(), |(_, k)| k.secret.expose().to_owned())
        };
        (id, secret)
    }

    /// Builds the requests at server time `now`, for `host`, with `nonce`.
    pub fn build(&self, world: &World, now: Timestamp, host: &str, nonce: &str) -> Built {
        let mut wait = 0;
        let warmup = self.tampers.iter().find_map(|t| {
            // A request that authenticates (or, to fail, carries a bad signature) and
            // changes nothing: an image that does not exist.
            let failing = match t {
                Tamper::ReuseNonce => false,
                Tamper::ReuseAgedNonce { seconds } => {
                    wait = *seconds;
                    false
                }
                Tamper::ReuseFailedNonce => true,
                _ => return None,
            };
            let mut plain = Case {
                action: self.action,
                signing: self.signing,
                key: self.key.clone(),
                params: self.params.clone(),
                tampers: Vec::new(),
            };
            plain.params.retain(|(n, _)| n != "ImageId");
            plain.params.push(("ImageId".into(), ParamValue::text("m-warmup0000000000000")));
            if failing {
                plain.tampers.push(Tamper::BadSignature);
            }
            Some(plain.build_one(world, now, host, nonce))
        });
        let request = self.build_one(world, now.plus(i64::from(wait)), host, nonce);
        Built { warmup, wait, request }
    }

    fn build_one(&self, world: &World, now: Timestamp, host: &str, nonce: &str) -> HttpRequest {
        let (key_id, secret) = self.key_and_secret(world);
        let business: Pairs = self.params.iter().map(|(n, v)| (n.clone(), v.0.clone())).collect();
        let mut timestamp = now.to_string();
        for t in &self.tampers {
            match t {
                Tamper::TimestampOffset { seconds } => timestamp = now.plus(*seconds).to_string(),
                Tamper::TimestampText { text } => timestamp = text.clone(),
                _ => {}
            }
        }
        let method = self.tampers.iter().rev().find_map(|t| match t {
            Tamper::Method { method } => Some(method.clone()),
            _ => None,
        });
        let signer = Signer {
            now,
            host,
            nonce,
            business: &business,
            key_id: &key_id,
            secret: &secret,
            timestamp: &timestamp,
            method,
        };
        let mut req = match self.signing {
            Signing::V3 => self.build_v3(signer),
            _ => self.build_v1(signer),
        };
        for t in &self.tampers {
            match t {
                Tamper::RawQuery { text } => {
                    req.target.push(if req.target.contains('?') { '&' } else { '?' });
                    req.target.push_str(text);
                }
                Tamper::Oversize if !signs_padding(self.signing) => {
                    if req.body.is_empty() {
                        req.set_header("content-type", crate::wire::sign::FORM_CONTENT_TYPE);
                        req.body.extend_from_slice(b"Padding=");
                    } else {
                        req.body.extend_from_slice(b"&Padding=");
                    }
                    req.body.resize(req.body.len() + crate::oracle::MAX_BODY, b'x');
                }
                _ => {}
            }
        }
        req
    }

    fn build_v1(
        &self,
        Signer { now, host, nonce, business, key_id, secret, timestamp, method }: Signer<'_>,
    ) -> HttpRequest {
        let mut draft = V1Draft::new(self.signing, host, key_id, now, nonce, business);
        set(&mut draft.params, "Timestamp", timestamp.as_bytes());
        set(&mut draft.params, "Action", self.action.name().as_bytes());
        if let Some(m) = method {
            draft.method = m;
        }
        let mut omit_signature = false;
        for t in &self.tampers {
            match t {
                Tamper::Omit { name } if name == "Signature" => omit_signature = true,
                Tamper::Omit { name } => draft.params.retain(|(n, _)| n != name),
                Tamper::Set { name, value } => set(&mut draft.params, name, &value.0),
                Tamper::Duplicate { name, value } => draft.params.push((name.clone(), value.0.clone())),
                Tamper::Oversize if draft.in_body => draft.params.push(padding()),
                _ => {}
            }
        }
        let mut signature = draft.signature(secret);
        if self.tampers.contains(&Tamper::BadSignature) {
            signature = corrupt_base64(&signature);
        }
        draft.into_request((!omit_signature).then_some(signature.as_str()))
    }

    fn build_v3(
        &self,
        Signer { now, host, nonce, business, key_id, secret, timestamp, method }: Signer<'_>,
    ) -> HttpRequest {
        let mut draft = V3Draft::new(host, now, nonce, business);
        draft.set_header(crate::rules::protocol::v3_header("Timestamp").unwrap_or_default(), timestamp);
        draft.set_header(crate::rules::protocol::v3_header("Action").unwrap_or_default(), self.action.name());
        if let Some(m) = method {
            draft.method = m;
        }
        let header_of = crate::rules::protocol::v3_header;
        let mut omit_auth = false;
        let mut omit_content_sha = false;
        for t in &self.tampers {
            match t {
                Tamper::Omit { name } if crate::rules::protocol::V3_AUTHORIZATION.contains(&name.as_str()) => {
                    omit_auth = true
                }
                Tamper::Omit { name } if name == crate::rules::protocol::V3_CONTENT_HASH => omit_content_sha = true,
                Tamper::Omit { name } => match header_of(name) {
                    Some(h) => draft.headers.retain(|(n, _)| n != h),
                    None => draft.query.retain(|(n, _)| n != name),
                },
                Tamper::Set { name, value } => match header_of(name) {
                    Some(h) => draft.set_header(h, &String::from_utf8_lossy(&value.0)),
                    None => set(&mut draft.query, name, &value.0),
                },
                Tamper::Duplicate { name, value } => draft.query.push((name.clone(), value.0.clone())),
                Tamper::Oversize => draft.form.push(padding()),
                _ => {}
            }
        }
        draft.seal_body();
        if omit_content_sha {
            draft.headers.retain(|(n, _)| n != crate::rules::protocol::V3_CONTENT_HASH);
        }
        let mut signed = draft.header_names();
        for t in &self.tampers {
            if let Tamper::UnsignedHeader { name } = t {
                signed.retain(|h| h != name);
            }
        }
        let mut auth = draft.authorization(key_id, secret, signed);
        if self.tampers.contains(&Tamper::BadSignature) {
            auth = corrupt_hex_tail(&auth);
        }
        draft.into_request((!omit_auth).then_some(auth))
    }
}

/// What both signing styles build a request from.
struct Signer<'a> {
    now: Timestamp,
    host: &'a str,
    nonce: &'a str,
    business: &'a Pairs,
    key_id: &'a str,
    secret: &'a str,
    timestamp: &'a str,
    method: Option<String>,
}

/// Whether a signing mode carries [`Tamper::Oversize`]'s padding as a signed parameter.
pub fn signs_padding(signing: Signing) -> bool {
    matches!(signing, Signing::V1PostForm | Signing::V3)
}

/// The `Padding` parameter of [`Tamper::Oversize`]: the body passes the limit by its
/// value alone.
fn padding() -> (String, Vec<u8>) {
    ("Padding".to_owned(), vec![b'x'; crate::oracle::MAX_BODY])
}

fn set(params: &mut Pairs, name: &str, value: &[u8]) {
    match params.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = value.to_vec(),
        None => params.push((name.to_owned(), value.to_vec())),
    }
}

/// Changes the first character of a Base64 signature to another Base64 character.
fn corrupt_base64(sig: &str) -> String {
    let mut chars: Vec<char> = sig.chars().collect();
    if let Some(c) = chars.first_mut() {
        *c = if *c == 'A' { 'B' } else { 'A' };
    } else {
        chars.push('A');
    }
    chars.into_iter().collect()
}

/// Changes the last hex digit of an `Authorization` value's signature.
fn corrupt_hex_tail(auth: &str) -> String {
    let mut s = auth.to_owned();
    match s.pop() {
        Some('0') => s.push('1'),
        Some(_) => s.push('0'),
        None => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::{self, NonceLog, Outcome, Scene};

    fn world() -> World {
        World::default_fixture()
    }

    fn valid() -> [(&'static str, &'static str); 3] {
        [("RegionId", "cn-qingdao"), ("ImageId", "m-available00000000001"), ("DestinationRegionId", "cn-hangzhou")]
    }

    fn pick(case: &Case) -> Outcome {
        let w = world();
        let now = Timestamp(1_700_000_000);
        let built = case.build(&w, now, "ecs.aliyuncs.com", "nonce-0001");
        let mut nonces = NonceLog::new();
        if let Some(warm) = &built.warmup {
            let p = oracle::predict(&Scene::new(&w, &nonces, now), warm);
            oracle::remember_nonce(
                &mut nonces,
                &p,
                p.pick().into(),
                now,
                oracle::Recorder::emulator(&oracle::Readings::emulator()),
            );
        }
        oracle::predict(&Scene::new(&w, &nonces, now), &built.request).pick().clone()
    }

    fn code(o: &Outcome) -> &str {
        match o {
            Outcome::Success(_) => "Success",
            Outcome::Error(e) => e.code,
            Outcome::Refusal { .. } => "any 4xx",
        }
    }

    #[test]
    fn every_signing_mode_builds_a_valid_request() {
        for s in Signing::ALL {
            assert_eq!(code(&pick(&Case::new(s, &valid()))), "Success", "{s}");
        }
    }

    #[test]
    fn tampers_break_what_they_say() {
        let cases: Vec<(Tamper, &str)> = vec![
            (Tamper::BadSignature, "SignatureDoesNotMatch"),
            (Tamper::WrongSecret, "SignatureDoesNotMatch"),
            (Tamper::TimestampOffset { seconds: -3600 }, "InvalidTimeStamp.Expired"),
            (Tamper::TimestampText { text: "yesterday".into() }, "IllegalTimestamp"),
            (Tamper::ReuseNonce, "SignatureNonceUsed"),
            (Tamper::ReuseFailedNonce, "Success"),
            (Tamper::Key { id: "nobody".into() }, "InvalidAccessKeyId.NotFound"),
            (Tamper::Method { method: "PUT".into() }, "UnsupportedHTTPMethod"),
            (Tamper::Omit { name: "ImageId".into() }, "MissingParameter"),
            (Tamper::Omit { name: "Signature".into() }, "MissingParameter"),
            (Tamper::Set { name: "Version".into(), value: ParamValue::text("2016-11-11") }, "InvalidVersion"),
            (Tamper::Duplicate { name: "ImageId".into(), value: ParamValue::text("m-x") }, "InvalidParameter"),
            (Tamper::RawQuery { text: "%FF=1".into() }, "InvalidParameter"),
            (Tamper::Oversize, "InvalidParameter"),
        ];
        for s in Signing::ALL {
            for (t, want) in &cases {
                if s == Signing::V1Get && *t == Tamper::Oversize {
                    continue; // a GET body is no parameter
                }
                let got = pick(&Case::new(s, &valid()).with(t.clone()));
                assert_eq!(code(&got), *want, "{s} {t:?}");
            }
        }
        let v3 = Case::new(Signing::V3, &valid()).with(Tamper::UnsignedHeader { name: "x-acs-date".into() });
        assert_eq!(code(&pick(&v3)), "IncompleteSignature");
    }

    fn build(case: &Case) -> Built {
        case.build(&world(), Timestamp(1_700_000_000), "ecs.aliyuncs.com", "nonce-0001")
    }

    fn nonce_of(req: &HttpRequest) -> Option<String> {
        let text = format!("{}&{}", req.query(), String::from_utf8_lossy(&req.body));
        let from_params = text.split('&').find_map(|p| p.strip_prefix("SignatureNonce=")).map(str::to_owned);
        from_params.or_else(|| req.header("x-acs-signature-nonce").map(str::to_owned))
    }

    #[test]
    fn nonce_tampers_send_a_warm_up_with_the_same_nonce() {
        for s in Signing::ALL {
            let aged = build(&Case::new(s, &valid()).with(Tamper::ReuseAgedNonce { seconds: 1_000 }));
            let warm = aged.warmup.as_ref().expect("an aged reuse warms up");
            assert_eq!(aged.wait, 1_000, "{s}");
            assert_eq!(nonce_of(warm), nonce_of(&aged.request), "{s}");
            assert!(nonce_of(warm).is_some(), "{s}");
            let failed = build(&Case::new(s, &valid()).with(Tamper::ReuseFailedNonce));
            let warm = failed.warmup.as_ref().expect("a failed reuse warms up");
            assert_eq!((failed.wait, nonce_of(warm)), (0, nonce_of(&failed.request)), "{s}");
            // The warm-up of a failed reuse carries a bad signature; a plain reuse's does not.
            let plain = build(&Case::new(s, &valid()).with(Tamper::ReuseNonce));
            assert_ne!(warm, plain.warmup.as_ref().unwrap(), "{s}");
        }
        assert!(build(&Case::new(Signing::V1Get, &valid())).warmup.is_none());
    }

    #[test]
    fn oversize_pads_once_past_the_limit() {
        for s in Signing::ALL {
            if s == Signing::V1Get {
                continue;
            }
            let req = build(&Case::new(s, &valid()).with(Tamper::Oversize)).request;
            let padding = req.body.iter().filter(|b| **b == b'x').count();
            assert!(padding >= crate::oracle::MAX_BODY, "{s}: {padding}");
            assert!(req.body.len() < 2 * crate::oracle::MAX_BODY, "{s}: padded twice, {} bytes", req.body.len());
        }
        // Unsigned padding: exactly the limit's worth after `Padding=`.
        let q = build(&Case::new(Signing::V1PostQuery, &valid()).with(Tamper::Oversize)).request;
        assert_eq!(q.body.len(), "Padding=".len() + crate::oracle::MAX_BODY);
    }

    #[test]
    fn v3_without_its_content_hash_keeps_every_other_header() {
        let full = build(&Case::new(Signing::V3, &valid())).request;
        let name = crate::rules::protocol::V3_CONTENT_HASH;
        let bare = build(&Case::new(Signing::V3, &valid()).with(Tamper::Omit { name: name.into() })).request;
        assert!(full.header(name).is_some() && bare.header(name).is_none());
        let others = |r: &HttpRequest| -> Vec<String> {
            r.headers.iter().map(|(n, _)| n.clone()).filter(|n| n != name).collect()
        };
        assert_eq!(others(&bare), others(&full));
    }

    #[test]
    fn an_unsigned_header_is_left_out_of_the_signed_ones_and_no_other() {
        let signed = |r: &HttpRequest| -> Vec<String> {
            let auth = r.header("authorization").unwrap_or_default();
            let list = auth.split("SignedHeaders=").nth(1).unwrap_or_default();
            list.split(',').next().unwrap_or_default().split(';').map(str::to_owned).collect()
        };
        let full = signed(&build(&Case::new(Signing::V3, &valid())).request);
        let case = Case::new(Signing::V3, &valid()).with(Tamper::UnsignedHeader { name: "x-acs-date".into() });
        let left_out = signed(&build(&case).request);
        assert!(full.len() > 2 && full.contains(&"x-acs-date".to_owned()), "{full:?}");
        let want: Vec<String> = full.into_iter().filter(|h| h != "x-acs-date").collect();
        assert_eq!(left_out, want);
    }

    #[test]
    fn a_corrupted_signature_differs_in_its_first_character_only() {
        assert_eq!(corrupt_base64("Abc+/="), "Bbc+/=");
        assert_eq!(corrupt_base64("xyz="), "Ayz=");
        assert_eq!(corrupt_base64(""), "A");
    }

    #[test]
    fn values_serialize_compactly_and_round_trip() {
        for v in [ParamValue::text("abc"), ParamValue::text(&"a".repeat(129)), ParamValue(vec![0xff, 0x00])] {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<ParamValue>(&json).unwrap(), v, "{json}");
        }
        assert_eq!(
            serde_json::to_string(&ParamValue::text(&"a".repeat(129))).unwrap(),
            r#"{"repeat":"a","times":129}"#
        );
    }
}
