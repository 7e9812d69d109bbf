//! Table-driven: every case file under `fixtures/cases/` against a running emulator.
//!
//! Each file names a rule, a request in the default world and the documented answer.
//! The test sends it over HTTP and checks the status, the Code, the reply's shape and
//! format, and that the oracle attributes the request to the file's rule.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use copyimage_conformance::case::{CaseFile, Expect};
use copyimage_conformance::model::{Format, Timestamp, World};
use copyimage_conformance::oracle::{self, NonceLog, Recorder, Scene};
use copyimage_conformance::rules::{Layer, RuleId};
use copyimage_conformance::wire::reply;
use rstest::rstest;

fn load(path: &PathBuf) -> CaseFile {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn is_request_id(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36 && s == s.to_uppercase()
}

#[rstest]
#[tokio::test]
async fn case_file(#[files("fixtures/cases/*.json")] path: PathBuf) {
    let file = load(&path);
    let emulator = common::emulator(World::default_fixture()).await;
    let client = common::client();
    let (built, http) = common::send_case(&client, &emulator, &file.case).await;
    let parsed = reply::parse(&http.body).unwrap_or_else(|e| panic!("{}: {e}", file.about));
    let request_id = parsed.text("RequestId").unwrap_or_default();
    assert!(is_request_id(request_id), "{}: RequestId {request_id:?}", file.about);
    match &file.expect {
        Expect::Success(_) => {
            assert_eq!(http.status, 200, "{}: {}", file.about, String::from_utf8_lossy(&http.body));
            let id = parsed.text("ImageId").unwrap_or_default();
            assert!(copyimage_conformance::model::image_id::is_documented_form(id), "{}: ImageId {id:?}", file.about);
            assert_eq!(parsed.root.as_deref().unwrap_or("CopyImageResponse"), "CopyImageResponse");
        }
        Expect::Error { code, status } => {
            assert_eq!(
                (parsed.text("Code").unwrap_or_default(), http.status),
                (code.as_str(), *status),
                "{}: {}",
                file.about,
                String::from_utf8_lossy(&http.body)
            );
            assert!(!parsed.text("Message").unwrap_or_default().is_empty(), "{}: no Message", file.about);
            assert_eq!(parsed.text("HostId"), Some("ecs.aliyuncs.com"), "{}", file.about);
            assert_eq!(parsed.root.as_deref().unwrap_or("Error"), "Error");
        }
    }
    // The oracle, asked about the same requests in the same world, names the file's
    // rule; a case on the valid side of a rule at least sets what the rule concerns.
    let world = World::default_fixture();
    let now = Timestamp::now_utc();
    let mut nonces = NonceLog::new();
    if let Some(warm) = &built.warmup {
        let p = oracle::predict(&Scene { world: &world, nonces: &nonces, now }, warm);
        oracle::remember_nonce(
            &mut nonces,
            &p,
            p.pick().into(),
            now,
            Recorder::emulator(&oracle::Readings::emulator()),
        );
    }
    let prediction = oracle::predict(&Scene { world: &world, nonces: &nonces, now }, &built.request);
    let named: BTreeSet<RuleId> =
        prediction.rules().into_iter().chain(prediction.violations.iter().map(|v| v.rule)).collect();
    let rule = file.rule.rule();
    let touches = rule.params.iter().any(|p| file.case.param(p).is_some());
    assert!(
        named.contains(&file.rule) || rule.layer == Layer::Reply || (prediction.must_succeed() && touches),
        "{}: oracle names {named:?}, not {}",
        file.about,
        file.rule
    );
    let want_format = prediction.format.emulator();
    assert_eq!(parsed.format, want_format, "{}: format", file.about);
    let content_type = http.content_type.unwrap_or_default();
    assert!(content_type.contains(if want_format == Format::Json { "json" } else { "xml" }), "{content_type}");
    emulator.shutdown().await;
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
