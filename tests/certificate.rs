//! Certification: `run --certify` runs the fixed budget, refuses flags that narrow it and
//! writes a certificate whose level follows from the rules; `verify-certificate` accepts
//! what was issued and names every edit.

use std::process::Command;

use copyimage_conformance::emulator::fault::Fault;
use copyimage_conformance::harness::declared::Features;
use copyimage_conformance::harness::{RunConfig, run};
use copyimage_conformance::report::RuleOutcome;
use copyimage_conformance::report::certificate::{BUDGET_CASES, Certificate, Level, NotIssued, verify};
use copyimage_conformance::rules::{Doc, PROFILE, RULES};

fn certify_config(faults: Vec<Fault>, features: Option<Features>) -> RunConfig {
    RunConfig { cases: BUDGET_CASES, seed: 7, workers: 2, faults, features, ..RunConfig::default() }
}

async fn certificate(faults: Vec<Fault>, features: Option<Features>) -> Certificate {
    let report = run(certify_config(faults, features.clone())).await.unwrap();
    Certificate::issue(&report, features.as_ref(), None).unwrap()
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_copyimage-conformance"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn levels_follow_from_the_rules_and_every_issued_certificate_verifies() {
    let clean = certificate(Vec::new(), None).await;
    assert_eq!(clean.level, Level::Conformant, "{}", clean.summary());
    assert_eq!((clean.profile.as_str(), clean.cases, clean.seed), (PROFILE, BUDGET_CASES, 7));
    assert_eq!(clean.rules.len(), RULES.iter().filter(|r| r.id.holds_in(Doc::June2018)).count());
    assert!(
        clean.rules.iter().all(|r| r.outcome == RuleOutcome::Passed),
        "every rule is reached on a target with control"
    );
    assert_eq!(verify(&clean.to_json()).unwrap(), Vec::<String>::new());

    let features =
        Features::parse("signings = [\"v1-get\", \"v1-post-form\"]\nnot_implemented = [\"quota\"]\n").unwrap();
    let gaps = certificate(vec![Fault::V3Unsupported, Fault::ImageQuotaIgnored], Some(features)).await;
    assert_eq!(gaps.level, Level::ConformantWithDeclaredGaps, "{}", gaps.summary());
    assert_eq!(gaps.features.not_implemented, vec!["quota".to_owned()]);
    assert!(gaps.rules.iter().any(|r| r.outcome == RuleOutcome::Disabled));
    assert_eq!(verify(&gaps.to_json()).unwrap(), Vec::<String>::new());

    let faulty = certificate(vec![Fault::StatusCodeWrong], None).await;
    assert_eq!(faulty.level, Level::NotConformant);
    assert_eq!(verify(&faulty.to_json()).unwrap(), Vec::<String>::new(), "a failing certificate is still consistent");

    // Edits are found: an outcome changed, a rule removed, the level raised.
    let mut json: serde_json::Value = serde_json::from_str(&faulty.to_json()).unwrap();
    let failed = json["rules"].as_array().unwrap().iter().position(|r| r["outcome"] == "failed").unwrap();
    json["rules"][failed]["outcome"] = "passed".into();
    json["level"] = "conformant".into();
    let problems = verify(&json.to_string()).unwrap();
    assert!(problems.iter().any(|p| p.contains("disagrees with its counts")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("digest")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("counts per outcome")), "{problems:?}");
    json["rules"].as_array_mut().unwrap().remove(0);
    let problems = verify(&json.to_string()).unwrap();
    assert!(problems.iter().any(|p| p.contains(&format!("rule {} is missing", RULES[0].id))), "{problems:?}");
    assert!(verify("{}").is_err() && verify("not json").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_narrowed_or_stopped_run_gets_no_certificate() {
    let report = run(RunConfig { cases: 100, ..certify_config(Vec::new(), None) }).await.unwrap();
    assert!(matches!(Certificate::issue(&report, None, None), Err(NotIssued::Narrowed(_))));
    let stopped =
        run(RunConfig { deadline: Some(std::time::Duration::from_millis(1)), ..certify_config(Vec::new(), None) })
            .await
            .unwrap();
    assert!(matches!(Certificate::issue(&stopped, None, None), Err(NotIssued::Incomplete(_))));
}

#[test]
fn the_command_refuses_narrowing_flags_and_verifies_what_it_wrote() {
    let dir = std::env::temp_dir().join(format!("certify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for flag in
        [["--cases", "10"], ["--signing", "v3"], ["--format", "xml"], ["--shard", "0/2"], ["--max-failures", "1"]]
    {
        let out = bin().args(["run", "--certify", "--quiet"]).args(flag).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(flag[0]), "the refusal names {}", flag[0]);
    }
    let cert = dir.join("cert.json");
    let out = bin()
        .args(["run", "--certify", "--quiet", "--seed", "3", "--fault", "name-max-plus-one", "--certificate"])
        .arg(&cert)
        .args(["--failures-dir"])
        .arg(dir.join("failures"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("certificate: NOT CONFORMANT"));
    let verified = bin().arg("verify-certificate").arg(&cert).output().unwrap();
    assert_eq!(verified.status.code(), Some(0), "{}", String::from_utf8_lossy(&verified.stdout));
    let edited = std::fs::read_to_string(&cert).unwrap().replace("\"not-conformant\"", "\"conformant\"");
    std::fs::write(&cert, edited).unwrap();
    let verified = bin().arg("verify-certificate").arg(&cert).output().unwrap();
    assert_eq!(verified.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&verified.stdout).contains("level conformant but the rules make it not conformant")
    );
    let missing = bin().arg("verify-certificate").arg(dir.join("none.json")).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A certificate names the documentation profile it certifies against, and one naming a
/// profile this tool does not know is flagged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_names_its_profile() {
    let config = RunConfig { doc: Doc::January2026, ..certify_config(Vec::new(), None) };
    let report = run(config).await.unwrap();
    let newest = Certificate::issue(&report, None, None).unwrap();
    assert_eq!((newest.profile.as_str(), newest.level), ("2026-01", Level::Conformant), "{}", newest.summary());
    assert_eq!(verify(&newest.to_json()).unwrap(), Vec::<String>::new());
    // The newest page's own rules are certified too, every one reached.
    assert_eq!(newest.rules.len(), RULES.len());
    assert!(newest.rules.iter().all(|r| r.outcome == RuleOutcome::Passed), "{}", newest.summary());
    let mut json: serde_json::Value = serde_json::from_str(&newest.to_json()).unwrap();
    json["profile"] = "2020-01".into();
    let problems = verify(&json.to_string()).unwrap();
    assert!(problems.iter().any(|p| p.contains("profile 2020-01") && p.contains("2018-06, 2026-01")), "{problems:?}");
}
