//! Alibaba Cloud's official Python SDK for ECS (`alibabacloud-ecs20140526`, pinned in
//! `tests/sdk/requirements.txt`) against the built-in emulator, unchanged, through its
//! endpoint override: V3 (its default signing) and V1 (`signature_algorithm='v2'`).
//! `interop.py` sends CopyImage's documented cases; `workflow.py` drives the life of a
//! copy (copy, poll DescribeImages until `Available` with the clock advanced through
//! the control contract, delete refused during the copy, cancel a second copy, cancel
//! refused once finished, delete, DescribeRegions) and the new calls' errors;
//! `newest.py` sends the SDK's newer CopyImage fields (DryRun, ClientToken, Encrypted,
//! KMSKeyId, EncryptAlgorithm, Tag) to `serve --doc 2026-01`.
//!
//! It needs Python and the SDK, so it is ignored by a plain `cargo test` (the listing
//! says so) and run by `.ci/run`, which installs both into `.venv`:
//!
//! ```sh
//! python3 -m venv .venv && .venv/bin/pip install -r tests/sdk/requirements.txt
//! COPYIMAGE_SDK_PYTHON=.venv/bin/python cargo test --test sdk_interop -- --ignored
//! ```
//!
//! Asked to run without them, it fails and says what to install.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::model::World;
use copyimage_conformance::rules::{Doc, Layer, RULES, RuleId, Source};

/// An interpreter that can load an official SDK: `$variable`, else `default`; a clear
/// panic that says how to install it otherwise.
struct Runtime {
    variable: &'static str,
    default: &'static str,
    /// Where the probe runs (Node resolves its modules from there).
    dir: &'static str,
    probe: [&'static str; 2],
    what: &'static str,
    install: &'static str,
}

impl Runtime {
    fn find(&self) -> String {
        let candidate = std::env::var(self.variable).unwrap_or_else(|_| self.default.into());
        let Runtime { variable, what, install, .. } = self;
        match Command::new(&candidate).current_dir(self.dir).args(self.probe).output() {
            Ok(out) if out.status.success() => candidate,
            Ok(out) => panic!(
                "{candidate} cannot load the official {what} SDK ({}). Install it:\n  {install}",
                String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or_default()
            ),
            Err(e) => panic!(
                "no {what} at {candidate} ({e}). Install {what} and the SDK:\n  {install}\nor set {variable} to one that has it."
            ),
        }
    }
}

fn python() -> String {
    Runtime {
        variable: "COPYIMAGE_SDK_PYTHON",
        default: ".venv/bin/python",
        dir: ".",
        probe: ["-c", "import alibabacloud_ecs20140526, alibabacloud_tea_openapi; print('ok')"],
        what: "Python",
        install: "python3 -m venv .venv && .venv/bin/pip install -r tests/sdk/requirements.txt",
    }
    .find()
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Python and the official SDK: .ci/run installs them (see the file's header)"]
async fn the_official_python_sdk_works_unchanged() {
    let lines = workflow_lines(python(), "tests/sdk/interop.py").await;
    // The documented Codes and statuses come from the rule table, their one home: the
    // first reply of every API rule (the seed's fifteen error codes).
    let expected: BTreeSet<(&str, u64)> = RULES
        .iter()
        .filter(|r| r.layer == Layer::Api && matches!(r.source, Source::Seed(_)))
        .filter_map(|r| r.errors.first())
        .map(|e| (e.code, u64::from(e.status)))
        .collect();
    assert_eq!(expected.len(), 15, "{expected:?}");
    let first = |id: RuleId| id.rule().errors.first().map(|e| (e.code, u64::from(e.status)));
    for signing in ["v3", "v1"] {
        let line = |case: &str| {
            lines
                .iter()
                .find(|l| l["signing"] == signing && l["case"] == case)
                .unwrap_or_else(|| panic!("{signing} {case}: no line"))
        };
        for case in ["success", "success-chinese-name"] {
            let l = line(case);
            assert_eq!(l["result"], "ok", "{signing} {case}: {l}");
            let id = l["image_id"].as_str().unwrap_or_default();
            assert!(id.len() == 22 && id.starts_with("m-"), "{signing} {case}: ImageId {id}");
            assert!(is_uuid(l["request_id"].as_str().unwrap_or_default()), "{signing} {case}: {l}");
        }
        for &(code, status) in &expected {
            let l = line(code);
            assert_eq!(
                (l["result"].as_str(), l["code"].as_str(), l["status"].as_u64()),
                (Some("error"), Some(code), Some(status)),
                "{signing}: {l}"
            );
        }
        let l = line("wrong-secret");
        assert_eq!(first(RuleId::Signature), Some(("SignatureDoesNotMatch", 400)));
        assert_eq!(l["code"].as_str().zip(l["status"].as_u64()), first(RuleId::Signature), "{signing}: {l}");
        // The string to sign in the message shows which algorithm the SDK used.
        let algorithm =
            if signing == "v3" { "string to sign is:ACS3-HMAC-SHA256" } else { "string to sign is:POST&%2F&" };
        assert!(l["message"].as_str().unwrap_or_default().contains(algorithm), "{signing}: {l}");
        let l = line("unknown-key");
        assert_eq!(first(RuleId::AccessKeyUnknown), Some(("InvalidAccessKeyId.NotFound", 404)));
        assert_eq!(l["code"].as_str().zip(l["status"].as_u64()), first(RuleId::AccessKeyUnknown), "{signing}: {l}");
    }
}

/// Every documented reply of `rule`, as (Code, status).
fn replies(rule: RuleId) -> Vec<(String, u64)> {
    rule.rule().errors.iter().map(|e| (e.code.to_owned(), u64::from(e.status))).collect()
}

/// A listing line's images.
fn images(line: &serde_json::Value) -> Vec<serde_json::Value> {
    line["body"]["Images"]["Image"].as_array().cloned().unwrap_or_default()
}

fn percent(image: &serde_json::Value) -> Option<u64> {
    image["Progress"].as_str()?.trim_end_matches('%').parse().ok()
}

/// Runs a script (`program script HOST:PORT WORLD`) against the built-in emulator with
/// the default world and returns its JSON lines.
async fn workflow_lines(program: String, script: &'static str) -> Vec<serde_json::Value> {
    lines_in(program, script, Doc::June2018).await
}

/// [`workflow_lines`] against the emulator of a documentation profile.
async fn lines_in(program: String, script: &'static str, doc: Doc) -> Vec<serde_json::Value> {
    let config = EmulatorConfig { world: World::default_fixture(), doc, ..EmulatorConfig::default() };
    let emulator = Emulator::start(config).await.expect("bind 127.0.0.1:0");
    let host = emulator.host();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(program).args([script, &host, "fixtures/worlds/default.json"]).output()
    })
    .await
    .unwrap()
    .expect("the workflow script runs");
    emulator.shutdown().await;
    assert!(out.status.success(), "{script} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

/// The line a script printed for `signing` whose `key` is `value`.
fn line_of(lines: &[serde_json::Value], signing: &str, key: &str, value: &str) -> serde_json::Value {
    lines
        .iter()
        .find(|l| l["signing"] == signing && l[key] == value)
        .unwrap_or_else(|| panic!("{signing} {value}: no line"))
        .clone()
}

/// A line of a call the SDK returned from with 200.
fn assert_ok(l: &serde_json::Value, signing: &str, what: &str) {
    assert_eq!((l["result"].as_str(), l["status"].as_u64()), (Some("ok"), Some(200)), "{signing} {what}: {l}");
}

/// What both SDKs' workflows must show, V3 and V1, the Codes and statuses taken from the
/// rule table.
fn check_workflow(lines: &[serde_json::Value], exception: &str) {
    let regions: Vec<String> = World::default_fixture().regions.iter().map(|r| r.id.clone()).collect();
    for signing in ["v3", "v1"] {
        let line = |step: &str| line_of(lines, signing, "step", step);
        let ok = |step: &str| {
            let l = line(step);
            assert_ok(&l, signing, step);
            l
        };
        let refused = |step: &str, rule: RuleId| {
            let l = line(step);
            let got = (l["code"].as_str().unwrap_or_default().to_owned(), l["status"].as_u64().unwrap_or_default());
            assert!(
                l["result"] == "error" && replies(rule).contains(&got),
                "{signing} {step}: {l} not one of {rule}'s"
            );
        };
        let image = ok("copy")["body"]["ImageId"].as_str().unwrap_or_default().to_owned();
        assert!(image.starts_with("m-"), "{signing}: {image}");
        // Creating, below 100%, with the name sent; hidden by the default Status.
        let creating = images(&ok("describe-creating"));
        assert_eq!(creating.len(), 1, "{signing}: {creating:?}");
        assert_eq!(creating[0]["ImageId"], image.as_str());
        assert_eq!(creating[0]["Status"], "Creating");
        assert_eq!(creating[0]["ImageName"], format!("sdk-{signing}-first"));
        assert!(percent(&creating[0]).is_some_and(|p| p < 100), "{signing}: {:?}", creating[0]);
        assert!(images(&ok("describe-default-status")).is_empty(), "{signing}: the default Status hides a copy");
        refused("delete-copying", RuleId::DeleteNotCopying);
        // Polled until Available, 100%.
        let polls = line("polled")["polls"].as_u64().unwrap_or_default();
        assert!((1..100).contains(&polls), "{signing}: {polls} polls");
        let available = images(&ok("describe-available"));
        assert_eq!(available.len(), 1, "{signing}: {available:?}");
        assert_eq!(available[0]["Status"], "Available");
        assert_eq!(percent(&available[0]), Some(100), "{signing}: {:?}", available[0]);
        // A second copy cancelled is gone; the finished one cannot be cancelled, only deleted.
        ok("copy-second");
        ok("cancel");
        assert!(images(&ok("describe-cancelled")).is_empty(), "{signing}: a cancelled copy is gone");
        refused("cancel-finished", RuleId::CancelNotComplete);
        ok("delete");
        assert!(images(&ok("describe-deleted")).is_empty(), "{signing}: a deleted image is gone");
        let listed: Vec<String> = ok("regions")["body"]["Regions"]["Region"]
            .as_array()
            .map(|r| r.iter().filter_map(|x| x["RegionId"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        assert_eq!(listed, regions, "{signing}");
        // Each documented error of the new calls, raised as the SDK's exception.
        for step in [
            "cancel.region-exists",
            "cancel.image-exists",
            "cancel.copy-target",
            "delete.region-exists",
            "delete.not-creating",
            "delete.own-custom",
            "describe.usage",
            "describe.owner-alias",
        ] {
            let rule = RuleId::from_name(step).unwrap_or_else(|| panic!("{step} is a rule"));
            refused(step, rule);
            assert_eq!(line(step)["type"], exception, "{signing} {step}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Python and the official SDK: .ci/run installs them (see the file's header)"]
async fn the_official_python_sdk_drives_the_life_of_a_copy() {
    let lines = workflow_lines(python(), "tests/sdk/workflow.py").await;
    check_workflow(&lines, "ClientException");
}

/// Node and the official Node.js SDK (`tests/sdk/node/package.json`, pinned with its
/// lock file), installed with `npm ci` in `tests/sdk/node`.
fn node() -> String {
    Runtime {
        variable: "COPYIMAGE_SDK_NODE",
        default: "node",
        dir: "tests/sdk/node",
        probe: ["-e", "require('@alicloud/ecs20140526'); require('@alicloud/openapi-client'); console.log('ok')"],
        what: "Node.js",
        install: "(cd tests/sdk/node && npm ci)",
    }
    .find()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js and the official SDK: .ci/run installs them (see the file's header)"]
async fn the_official_node_sdk_drives_the_life_of_a_copy() {
    let lines = workflow_lines(node(), "tests/sdk/node/workflow.js").await;
    check_workflow(&lines, "ClientError");
    // Each signing is the one asked for: the string to sign the server shows.
    for (signing, algorithm) in [("v3", "string to sign is:ACS3-HMAC-SHA256"), ("v1", "string to sign is:POST&%2F&")] {
        let l = lines.iter().find(|l| l["signing"] == signing && l["step"] == "wrong-secret").expect("a line");
        assert_eq!(l["code"], "SignatureDoesNotMatch", "{signing}: {l}");
        assert!(l["message"].as_str().unwrap_or_default().contains(algorithm), "{signing}: {l}");
    }
}

/// Under `serve --doc 2026-01` the SDK raises the newest page's reply for each of the
/// seed's errors (`InvalidImageId.NotFound` at 404, `Forbbiden`), the rest unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Python and the official SDK: .ci/run installs them (see the file's header)"]
async fn the_official_python_sdk_meets_the_newest_replies() {
    let lines = lines_in(python(), "tests/sdk/interop.py", Doc::January2026).await;
    let rules = RULES.iter().filter(|r| r.layer == Layer::Api && matches!(r.source, Source::Seed(_)));
    let (mut changed, mut checked) = (0, 0);
    for rule in rules {
        let Some(seed) = rule.errors.first() else { continue };
        let Some(newest) = rule.id.counterpart_in(Doc::January2026, seed.code, seed.status) else { continue };
        changed += usize::from((newest.code, newest.status) != (seed.code, seed.status));
        for signing in ["v3", "v1"] {
            let Some(l) = lines.iter().find(|l| l["signing"] == signing && l["case"] == seed.code) else { continue };
            checked += 1;
            assert_eq!(
                (l["code"].as_str(), l["status"].as_u64()),
                (Some(newest.code), Some(u64::from(newest.status))),
                "{signing} {}: {l}",
                rule.id
            );
        }
    }
    assert!(changed >= 2, "InvalidImageId.NotFound's status and Forbidden's spelling change");
    assert!(checked >= 30, "the seed's fifteen Codes, V3 and V1: {checked} checked");
    for signing in ["v3", "v1"] {
        let l = lines.iter().find(|l| l["signing"] == signing && l["case"] == "success").expect("a line");
        assert_eq!(l["result"], "ok", "{signing}: {l}");
    }
}

/// Under `serve --doc 2026-01` the SDK's newer fields are the newest page's parameters:
/// a dry run answers `DryRunOperation` (or the check's error), a retry with the
/// ClientToken of a copy answers that copy and a reuse with another name the conflict,
/// a fresh token sent twice makes one copy, and the constraints without a documented
/// Code are refused; the Codes and statuses come from the rule table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Python and the official SDK: .ci/run installs them (see the file's header)"]
async fn the_official_python_sdk_sends_the_newest_parameters() {
    let lines = lines_in(python(), "tests/sdk/newest.py", Doc::January2026).await;
    let first = |rule: RuleId| rule.rule().errors[0];
    for signing in ["v3", "v1"] {
        let line = |case: &str| line_of(&lines, signing, "case", case);
        let error = |case: &str, rule: RuleId| {
            let (l, e) = (line(case), first(rule));
            assert_eq!(
                (l["result"].as_str(), l["code"].as_str(), l["status"].as_u64()),
                (Some("error"), Some(e.code), Some(u64::from(e.status))),
                "{signing} {case}: {l}"
            );
        };
        let ok = |case: &str| {
            let l = line(case);
            assert_ok(&l, signing, case);
            l
        };
        error("dry-run", RuleId::DryRunPasses);
        error("dry-run-refused", RuleId::ImageAvailable);
        ok("tagged-encrypted");
        error("tag-value-acs", RuleId::TagValue);
        error("kms-without-encrypted", RuleId::KmsKeyNeedsEncrypted);
        error("encrypt-algorithm", RuleId::EncryptAlgorithm);
        error("token-too-long", RuleId::ClientTokenForm);
        assert_eq!(ok("retry")["image_id"], "m-copyinprogress000001", "{signing}: the earlier copy");
        error("conflict", RuleId::ClientTokenConflict);
        let twice = ok("fresh-token-twice");
        assert_eq!(twice["again"]["result"], "ok", "{signing}: {twice}");
        assert_eq!(twice["again"]["image_id"], twice["image_id"], "{signing}: one copy, answered twice");
    }
}
