//! Format snapshots of the emulator: every documented outcome, in XML and in JSON.
//!
//! Stored in the top-level `snapshots/` folder. Each snapshot's header names the outcome
//! and the request it came from. `RequestId` and `ImageId` change from run to run and
//! are redacted by field, and only when their value has the expected form, so a
//! malformed value shows in the diff. Snapshots change only through `cargo insta
//! review` or `INSTA_UPDATE`; CI sets `INSTA_UPDATE=no`, so a difference fails.

use std::time::Duration;

use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::harness::compare::well_formed_request_id;
use copyimage_conformance::harness::endpoint::Endpoint;
use copyimage_conformance::harness::snapshot::{capture, outcome_cases, snapshot_world};
use copyimage_conformance::model::Format;
use insta::internals::Content;

fn redact_if(
    placeholder: &'static str,
    form: fn(&str) -> bool,
) -> impl Fn(Content, insta::internals::ContentPath<'_>) -> Content {
    move |value, _path| match value.as_str() {
        Some(v) if form(v) => Content::from(placeholder),
        _ => value,
    }
}

/// The settings of one snapshot: where it lives, its heading and request, the
/// `RequestId` redacted.
fn settings(path: &str, description: String, case: &copyimage_conformance::case::Case) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(path);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_description(description);
    settings.set_info(case);
    settings.set_omit_expression(true);
    settings.add_dynamic_redaction(".fields.RequestId.value", redact_if("[REQUEST_ID]", well_formed_request_id));
    settings
}

fn image_id(v: &str) -> bool {
    v.len() == 22 && v.starts_with("m-") && v[2..].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_outcome_in_both_formats() {
    let emulator =
        Emulator::start(EmulatorConfig { world: snapshot_world(), ..EmulatorConfig::default() }).await.unwrap();
    let target = Endpoint::connect(&emulator.uri(), Duration::from_secs(10), None).await.unwrap();
    for (name, case) in outcome_cases() {
        for format in Format::ALL {
            // A fixed Host keeps V3 strings to sign independent of the ephemeral port.
            let reply = capture(&target, "ecs.aliyuncs.com", name, &case, format, None).await.unwrap();
            let mut settings = settings(
                "../snapshots",
                format!("outcome `{name}`, Format={}, in the default world frozen at 2026-01-01", format.param_value()),
                &case,
            );
            settings.add_dynamic_redaction(".fields.ImageId.value", redact_if("[IMAGE_ID]", image_id));
            settings.bind(|| insta::assert_json_snapshot!(format!("{name}.{format}"), reply));
        }
    }
    emulator.shutdown().await;
}

/// The replies of the newest page's own rules, in both formats, under
/// `snapshots/2026-01/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_newest_pages_own_replies() {
    use copyimage_conformance::harness::snapshot::newest_outcome_cases;
    use copyimage_conformance::rules::Doc;
    let config = EmulatorConfig { world: snapshot_world(), doc: Doc::January2026, ..EmulatorConfig::default() };
    let emulator = Emulator::start(config).await.unwrap();
    let target =
        Endpoint::connect(&emulator.uri(), Duration::from_secs(10), None).await.unwrap().with_doc(Doc::January2026);
    for (name, case) in newest_outcome_cases() {
        for format in Format::ALL {
            let reply = capture(&target, "ecs.aliyuncs.com", name, &case, format, None).await.unwrap();
            let mut settings = settings(
                "../snapshots/2026-01",
                format!(
                    "outcome `{name}` of the newest page's own rules, Format={}, in the default world frozen at 2026-01-01",
                    format.param_value()
                ),
                &case,
            );
            settings.add_dynamic_redaction(
                ".fields.ImageId.value",
                redact_if("[IMAGE_ID]", |id: &str| id != "m-copyinprogress000001"),
            );
            settings.bind(|| insta::assert_json_snapshot!(format!("{name}.{format}"), reply));
        }
    }
    emulator.shutdown().await;
}

/// The replies that profile `2026-01` changes, in both formats, under
/// `snapshots/2026-01/`: each outcome whose status or Code differs from the seed's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replies_the_newest_profile_changes() {
    use copyimage_conformance::rules::Doc;
    let start = |doc| Emulator::start(EmulatorConfig { world: snapshot_world(), doc, ..EmulatorConfig::default() });
    let (seed, newest) = (start(Doc::June2018).await.unwrap(), start(Doc::January2026).await.unwrap());
    let seed_target = Endpoint::connect(&seed.uri(), Duration::from_secs(10), None).await.unwrap();
    let newest_target = Endpoint::connect(&newest.uri(), Duration::from_secs(10), None).await.unwrap();
    let mut changed = Vec::new();
    for (name, case) in outcome_cases() {
        for format in Format::ALL {
            let old = capture(&seed_target, "ecs.aliyuncs.com", name, &case, format, None).await.unwrap();
            let reply = capture(&newest_target, "ecs.aliyuncs.com", name, &case, format, None).await.unwrap();
            let brief = |r: &copyimage_conformance::report::shape::ReplyShape| {
                serde_json::to_value(r).ok().map(|v| (v["status"].clone(), v["fields"]["Code"].clone()))
            };
            if brief(&old) == brief(&reply) {
                continue;
            }
            changed.push(format!("{name}.{format}"));
            let settings = settings(
                "../snapshots/2026-01",
                format!(
                    "outcome `{name}` under profile 2026-01, Format={}, in the default world frozen at 2026-01-01",
                    format.param_value()
                ),
                &case,
            );
            settings.bind(|| insta::assert_json_snapshot!(format!("{name}.{format}"), reply));
        }
    }
    seed.shutdown().await;
    newest.shutdown().await;
    // Exactly the outcomes of the four rules whose Codes or statuses changed.
    changed.sort();
    let expected: Vec<String> = ["cross-account-image", "forbidden", "invalid-image-id-not-found", "system-image"]
        .iter()
        .flat_map(|n| [format!("{n}.json"), format!("{n}.xml")])
        .collect();
    assert_eq!(changed, expected);
}
