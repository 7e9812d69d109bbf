//! The generators aim where they say: valid bases succeed, a single violation breaks
//! its rule and, unless it probes an open point, leaves one acceptable outcome.

use std::collections::BTreeMap;

use copyimage_conformance::generate::{self, CaseSpec, CaseWorlds, arb_case};
use copyimage_conformance::model::Format;
use copyimage_conformance::oracle::{self, NonceLog, Scene};
use copyimage_conformance::rules::{Layer, RuleId};
use copyimage_conformance::wire::sign::Signing;
use proptest::strategy::{Strategy, ValueTree};

fn predict(anchor: &generate::Anchor, spec: &CaseSpec) -> oracle::Prediction {
    let (world, case) = spec.materialize(anchor);
    world.check().expect("materialized worlds are consistent");
    let now = world.clock.now(copyimage_conformance::model::Timestamp(0));
    let mut nonces = NonceLog::new();
    let built = case.build(&world, now, "127.0.0.1:1", "0123456789abcdef0123456789abcdef");
    if let Some(w) = &built.warmup {
        let p = oracle::predict(&Scene::new(&world, &nonces, now), w);
        oracle::remember_nonce(&mut nonces, &p, p.pick().into(), now, oracle::Recorder::Mirror);
    }
    oracle::predict(&Scene::new(&world, &nonces, now), &built.request)
}

#[test]
fn generated_cases_hit_their_targets() {
    let mut hits: BTreeMap<RuleId, usize> = BTreeMap::new();
    let mut single = 0usize;
    let mut targeted = 0usize;
    let mut worlds = CaseWorlds::new(7);
    for i in 0..3000u64 {
        let anchor = worlds.get(i).unwrap();
        let spec = arb_case(Signing::ALL.to_vec(), Format::ALL.to_vec())
            .new_tree(&mut generate::runner(7, "case", i))
            .unwrap()
            .current();
        let p = predict(&anchor, &spec);
        for r in p.rules() {
            *hits.entry(r).or_default() += 1;
        }
        if let Some(call) = &spec.call {
            let named: Vec<RuleId> = p.violations.iter().map(|x| x.rule).collect();
            if call.is_valid() {
                assert!(p.must_succeed(), "a valid call fails: {call:?} -> {:?}", p.acceptable);
                assert!(p.rules().contains(&call.rule()), "{call:?}: {:?}", p.rules());
            } else if call.is_open() {
                assert!(named.contains(&call.rule()), "{call:?}: {named:?}");
            } else {
                // Most companion errors come in two documented forms (404 or 400, two
                // spellings, two Codes): not counted among the single-outcome ones.
                assert!(named.contains(&call.rule()), "{call:?} does not break {}: {named:?}", call.rule());
                assert!(!p.allows_success(), "{call:?} succeeds");
            }
            continue;
        }
        match spec.deviations.as_slice() {
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
    let mut worlds = CaseWorlds::new(11);
    for i in 0..20_000u64 {
        let anchor = worlds.get(i).unwrap();
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

#[test]
fn cases_with_several_violations_shrink_to_one_and_keep_the_mix() {
    // A failure that only needs one of a case's violations: shrinking must be able to
    // take the others away, whatever branch of the strategy the case came from.
    let strategy = arb_case(Signing::ALL.to_vec(), Format::ALL.to_vec());
    let (mut several, mut counts, mut calls) = (0usize, [0usize; 4], 0usize);
    for i in 0..2000u64 {
        let mut tree = strategy.new_tree(&mut generate::runner(13, "case", i)).unwrap();
        if tree.current().call.is_some() {
            calls += 1;
            continue;
        }
        let first = tree.current().deviations;
        counts[first.len().min(3)] += 1;
        if first.len() < 2 {
            continue;
        }
        several += 1;
        let kept = first[0].rule();
        // The failure: some violation of the first one's rule is still there.
        let fails = |spec: &CaseSpec| spec.deviations.iter().any(|v| v.rule() == kept);
        // proptest's shrinking loop, keeping the smallest case that still fails.
        let mut best = tree.current();
        let mut more = tree.simplify();
        for _ in 0..2000 {
            if !more {
                break;
            }
            more = if fails(&tree.current()) {
                best = tree.current();
                tree.simplify()
            } else {
                tree.complicate()
            };
        }
        if fails(&tree.current()) {
            best = tree.current();
        }
        let last = best;
        assert_eq!(last.deviations.len(), 1, "case {i} shrank to {:?} from {first:?}", last.deviations);
    }
    assert!(several > 250, "only {several} of 2000 cases have several violations");
    // The documented mix: one case in seven a companion call; of CopyImage cases, 15%
    // valid, 60% one violation, 25% two or three.
    assert!((calls as f64 / 2000.0 - 1.0 / 7.0).abs() < 0.03, "{calls} companion calls");
    let copies = (2000 - calls) as f64;
    let share = |n: usize| n as f64 / copies;
    assert!((share(counts[0]) - 0.15).abs() < 0.03, "valid {counts:?}");
    assert!((share(counts[1]) - 0.60).abs() < 0.04, "one {counts:?}");
    assert!((share(counts[2] + counts[3]) - 0.25).abs() < 0.04, "several {counts:?}");
}
