//! The request reader and the oracle on any request: method, target, headers and body
//! taken from the fuzzer's bytes. Never panics; always an acceptable outcome; what the
//! emulator answers under its readings is among the outcomes predicted.
#![no_main]

use copyimage_conformance::model::{HttpRequest, Timestamp, World};
use copyimage_conformance::oracle::{self, NonceLog, Readings, Scene};
use libfuzzer_sys::fuzz_target;

fn split(data: &[u8]) -> HttpRequest {
    let mut parts = data.splitn(4, |&b| b == 0);
    let text = |b: Option<&[u8]>| String::from_utf8_lossy(b.unwrap_or_default()).into_owned();
    let method = text(parts.next());
    let target = format!("/?{}", text(parts.next()));
    let headers = text(parts.next())
        .lines()
        .filter_map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned())))
        .collect();
    let body = parts.next().unwrap_or_default().to_vec();
    HttpRequest { method, target, headers, body }
}

fuzz_target!(|data: &[u8]| {
    let req = split(data);
    let world = World::default_fixture();
    let nonces = NonceLog::new();
    let scene = Scene { world: &world, nonces: &nonces, now: Timestamp(1_750_000_000) };
    let p = oracle::predict(&scene, &req);
    assert!(!p.acceptable.is_empty());
    let a = oracle::answer(&scene, &req, &Readings::emulator());
    assert!(p.acceptable.contains(a.pick()), "{:?} not in {:?}", a.pick(), p.acceptable);
});
