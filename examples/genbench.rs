use copyimage_conformance::generate::{self, arb_anchor, arb_case};
use copyimage_conformance::model::{Format, Timestamp};
use copyimage_conformance::oracle::{self, NonceLog, Scene};
use copyimage_conformance::wire::client::Signing;
use proptest::strategy::{Strategy, ValueTree};
use std::time::Instant;
fn main() {
    let n = 20000u64;
    let t = Instant::now();
    let anchors: Vec<_> =
        (0..n / 50).map(|i| arb_anchor().new_tree(&mut generate::runner(1, "world", i)).unwrap().current()).collect();
    println!("anchors {:?}", t.elapsed());
    let t = Instant::now();
    let specs: Vec<_> = (0..n)
        .map(|i| {
            arb_case(Signing::ALL.to_vec(), Format::ALL.to_vec())
                .new_tree(&mut generate::runner(1, "case", i))
                .unwrap()
                .current()
        })
        .collect();
    println!("specs {:?}", t.elapsed());
    let t = Instant::now();
    let strat = arb_case(Signing::ALL.to_vec(), Format::ALL.to_vec());
    let _specs2: Vec<_> =
        (0..n).map(|i| strat.new_tree(&mut generate::runner(1, "case", i)).unwrap().current()).collect();
    println!("specs, strategy reused {:?}", t.elapsed());
    let t = Instant::now();
    for i in 0..n {
        let _ = generate::runner(1, "case", i);
    }
    println!("runners {:?}", t.elapsed());
    let t = Instant::now();
    let mats: Vec<_> = specs.iter().enumerate().map(|(i, s)| s.materialize(&anchors[i / 50])).collect();
    println!("materialize {:?}", t.elapsed());
    let t = Instant::now();
    let reqs: Vec<_> =
        mats.iter().map(|(w, c)| c.build(w, w.clock.now(Timestamp(0)), "127.0.0.1:1", "nonce").request).collect();
    println!("build {:?}", t.elapsed());
    let t = Instant::now();
    let nonces = NonceLog::new();
    for ((w, _), r) in mats.iter().zip(&reqs) {
        let _ = oracle::predict(&Scene { world: w, nonces: &nonces, now: w.clock.now(Timestamp(0)) }, r);
    }
    println!("predict {:?}", t.elapsed());
    let t = Instant::now();
    for (w, _) in &mats {
        let _ = serde_json::to_vec(w).unwrap();
    }
    println!("serialize worlds {:?}", t.elapsed());
    let t = Instant::now();
    let mut eq = 0;
    for i in 1..mats.len() {
        if mats[i].0 == mats[i - 1].0 {
            eq += 1;
        }
    }
    println!("world eq {:?} ({eq} equal to previous)", t.elapsed());
}
