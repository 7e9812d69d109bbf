//! Table-driven: every case file under `fixtures/cases/` against a running emulator.
//!
//! Each file names a rule, a request in the default world and the documented answer.
//! A file may expect only an error its rule documents ([`CaseFile::check`]). The test
//! sends it over HTTP, checks the status and Code against the file, judges the reply
//! with the harness's own [`judge`] (shape, format, RequestId, HostId), and checks that
//! the oracle attributes the request to the file's rule: an expected error is the
//! acceptable outcome of exactly that rule; an expected success is the oracle's pick
//! and the case sets what the rule concerns.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use copyimage_conformance::case::{CaseFile, CaseFileError, Expect};
use copyimage_conformance::harness::compare::judge;
use copyimage_conformance::model::{Timestamp, World};
use copyimage_conformance::oracle::{self, NonceLog, Outcome, Recorder, Scene};
use copyimage_conformance::rules::newest::tag_parameter;
use copyimage_conformance::rules::{Layer, RuleId, protocol};
use copyimage_conformance::wire::reply;
use rstest::rstest;

fn load(path: &PathBuf) -> CaseFile {
    let text = std::fs::read_to_string(path).unwrap();
    CaseFile::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Whether the case sets what the rule concerns: one of its parameters, or (for a rule
/// on parameters no document names) a parameter outside the documented lists.
fn touches(file: &CaseFile) -> bool {
    let rule = file.rule.rule();
    // A call with no parameters of its own concerns its rule by being made.
    if rule.params.is_empty() && !file.case.action.is_copy() {
        return true;
    }
    if rule.params.is_empty() {
        let known = |n: &str| {
            protocol::V1_COMMON_PARAMETERS.contains(&n)
                || protocol::BUSINESS_PARAMETERS.contains(&n)
                || n == "Format"
                || file.doc.copy_knows(n)
        };
        return file.case.params.iter().any(|(n, _)| !known(n));
    }
    // `Tag.N.Key` stands for the key of any tag N.
    let tag = |p: &str| {
        p.starts_with("Tag.N.")
            && file.case.params.iter().any(|(n, _)| tag_parameter(n).is_some_and(|(_, key)| key == p.ends_with(".Key")))
    };
    rule.params.iter().any(|p| file.case.param(p).is_some() || tag(p))
}

#[rstest]
#[tokio::test]
async fn case_file(#[files("fixtures/cases/*.json")] path: PathBuf) {
    let file = load(&path);
    let emulator = common::emulator_in(World::default_fixture(), file.doc).await;
    let client = common::client();
    let (built, http) = common::send_case(&client, &emulator, &file.case).await;
    let parsed = reply::parse(&http.body).unwrap_or_else(|e| panic!("{}: {e}", file.about));
    // What the built-in emulator writes beyond what the judge demands of any target: an
    // upper-case RequestId, the documented ImageId form, its HostId.
    let request_id = parsed.text("RequestId").unwrap_or_default();
    assert!(request_id == request_id.to_uppercase(), "{}: RequestId {request_id:?}", file.about);
    if let Some(id) = parsed.text("ImageId") {
        assert!(copyimage_conformance::model::image_id::is_documented_form(id), "{}: ImageId {id:?}", file.about);
    }
    if let Some(host) = parsed.text("HostId") {
        assert_eq!(host, "ecs.aliyuncs.com", "{}", file.about);
    }
    match &file.expect {
        Expect::Success(_) => assert_eq!(http.status, 200, "{}: {}", file.about, String::from_utf8_lossy(&http.body)),
        Expect::Error { code, status } => assert_eq!(
            (parsed.text("Code").unwrap_or_default(), http.status),
            (code.as_str(), *status),
            "{}: {}",
            file.about,
            String::from_utf8_lossy(&http.body)
        ),
    }
    // The oracle, asked about the same requests in the same world.
    let world = World::default_fixture();
    let now = Timestamp::now_utc();
    let mut nonces = NonceLog::new();
    if let Some(warm) = &built.warmup {
        let p = oracle::predict(&Scene::new(&world, &nonces, now).in_doc(file.doc), warm);
        oracle::remember_nonce(
            &mut nonces,
            &p,
            p.pick().into(),
            now,
            Recorder::emulator(&oracle::Readings::emulator()),
        );
    }
    let prediction = oracle::predict(&Scene::new(&world, &nonces, now).in_doc(file.doc), &built.request);
    // The harness's own judgement of the reply: outcome, shape, format, RequestId.
    let verdict = judge(&prediction, &Ok(http));
    assert!(verdict.passed(), "{}: {:?}", file.about, verdict.mismatches);
    match &file.expect {
        Expect::Error { code, status } => {
            // Where the request breaks several rules with one Code (a name `http://…`
            // also has characters no name may hold), the file's rule is among them.
            let rules: Vec<RuleId> = prediction
                .acceptable
                .iter()
                .filter_map(|o| match o {
                    Outcome::Error(e) if e.matches(code, *status) => Some(e.rule),
                    _ => None,
                })
                .collect();
            assert!(rules.contains(&file.rule), "{}: the oracle attributes {code} to {rules:?}", file.about);
            assert!(verdict.exercised.contains(&file.rule), "{}", file.about);
        }
        Expect::Success(_) => {
            assert!(
                matches!(prediction.pick(), Outcome::Success(_)),
                "{}: the oracle picks {:?}",
                file.about,
                prediction.pick()
            );
            assert!(touches(&file), "{}: the case sets nothing {} concerns", file.about, file.rule);
        }
    }
    emulator.shutdown().await;
}

/// A file that expects an error its rule does not document is refused, naming both.
#[test]
fn a_case_file_expects_only_what_its_rule_documents() {
    let text =
        std::fs::read_to_string("fixtures/cases/account-authorized-a-key-not-authorized-to-copy-images.json").unwrap();
    let mut file = CaseFile::from_json(&text).unwrap();
    file.expect = Expect::Error { code: "Forbidden".into(), status: 400 };
    let err = file.check().unwrap_err();
    assert!(matches!(&err, CaseFileError::Undocumented { status: 400, .. }), "{err}");
    assert!(err.to_string().contains("403 Forbidden"), "{err}");
    file.expect = Expect::Error { code: "InvalidImageName.Malformed".into(), status: 400 };
    assert!(file.check().is_err());
}

#[test]
fn every_rule_but_reply_shapes_and_the_lifecycle_has_a_case_file() {
    let mut covered = BTreeSet::new();
    for entry in std::fs::read_dir("fixtures/cases").unwrap() {
        covered.insert(load(&entry.unwrap().path()).rule);
    }
    let missing: Vec<RuleId> = RuleId::ALL
        .iter()
        .copied()
        .filter(|r| r.rule().layer != Layer::Reply && *r != RuleId::CopyLifecycle)
        .filter(|r| !covered.contains(r))
        .collect();
    assert!(missing.is_empty(), "rules without a case file: {missing:?}");
}
