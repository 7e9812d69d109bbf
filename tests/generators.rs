//! The generators aim where they say: valid bases succeed, a single violation breaks
//! its rule and, unless it probes an open point, leaves one acceptable outcome.

use std::collections::BTreeMap;

use copyimage_conformance::generate::{self, CaseSpec, arb_anchor, arb_case};
use copyimage_conformance::model::Format;
use copyimage_conformance::oracle::{self, NonceLog, Scene};
use copyimage_conformance::rules::{Layer, RuleId};
use copyimage_conformance::wire::client::Signing;
use proptest::strategy::{Strategy, ValueTree};

fn predict(anchor: &generate::Anchor, spec: &CaseSpec) -> oracle::Prediction {
    let (world, case) = spec.materialize(anchor);
    world.check().expect("materialized worlds are consistent");
    let now = world.clock.now(copyimage_conformance::model::Timestamp(0));
    let mut nonces = NonceLog::new();
    let built = case.build(&world, now, "127.0.0.1:1", "0123456789abcdef0123456789abcdef");
    if let Some(w) = &built.warmup {
        let p = oracle::predict(&Scene { world: &world, nonces: &nonces, now }, w);
        oracle::remember_nonce(&mut nonces, &p, p.pick().into(), now, oracle::Recorder::Model);
    }
    oracle::predict(&Scene { world: &world, nonces: &nonces, now }, &built.request)
}

#[test]
fn generated_cases_hit_their_targets() {
    let mut hits: BTreeMap<RuleId, usize> = BTreeMap::new();
    let mut single = 0usize;
    let mut targeted = 0usize;
    for i in 0..3000u64 {
        let anchor = arb_anchor().new_tree(&mut generate::runner(7, "world", i / 50)).unwrap().current();
        let spec = arb_case(Signing::ALL.to_vec(), Format::ALL.to_vec())
            .new_tree(&mut generate::runner(7, "case", i))
            .unwrap()
            .current();
        let p = predict(&anchor, &spec);
        for r in p.rules() {
            *hits.entry(r).or_default() += 1;
        }
        match spec.violations.as_slice() {
            [] => assert!(p.must_succeed(), "a valid base fails: {spec:?} -> {:?}", p.acceptable),
            [v] if v.is_open() => {
                let named: Vec<RuleId> = p.violations.iter().map(|x| x.rule).collect();
                assert!(named.contains(&v.rule()) || p.allows_success(), "{v:?}: {named:?}");
            }
            [v] => {
                targeted += 1;
                let named: Vec<RuleId> = p.violations.iter().map(|x| x.rule).collect();
                assert!(named.contains(&v.rule()), "{v:?} does not break {}: {named:?}", v.rule());
                assert!(!p.allows_success(), "{v:?} lets the copy succeed");
                if p.acceptable.len() == 1 {
                    single += 1;
                }
            }
            _ => {}
        }
    }
    // Every rule with error replies is reached, and most targeted cases have one outcome.
    for rule in RuleId::ALL.iter().filter(|r| r.rule().layer != Layer::Reply && !r.rule().errors.is_empty()) {
        assert!(hits.get(rule).copied().unwrap_or(0) > 0, "{rule} never exercised: {hits:?}");
    }
    assert!(single * 10 >= targeted * 7, "only {single} of {targeted} targeted cases have a single outcome");
}

#[test]
fn materialized_worlds_are_always_consistent() {
    for i in 0..20_000u64 {
        let anchor = arb_anchor().new_tree(&mut generate::runner(11, "world", i / 50)).unwrap().current();
        let spec = arb_case(Signing::ALL.to_vec(), Format::ALL.to_vec())
            .new_tree(&mut generate::runner(11, "case", i))
            .unwrap()
            .current();
        let (world, _) = spec.materialize(&anchor);
        if let Err(e) = world.check() {
            panic!("case {i}: {e}\n{spec:?}");
        }
    }
}
