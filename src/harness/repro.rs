//! Reproductions of failures: the replay file and the commands that run it again.
//!
//! Owns writing a failure's replay file (its concrete world and steps) and its world
//! beside it, once, for the failures a report keeps, and the shell commands that
//! reproduce it: the replay, and the exact request by hand with curl.

use std::path::PathBuf;

use super::HarnessError;
use super::replay::{REPLAY_FORMAT, Repro};
use super::schedule::Shared;
use crate::model::HttpRequest;
use crate::report::Failure;

/// Writes a failure's replay file (and its world beside it) and the commands that
/// reproduce it.
pub(super) fn finish_failure(shared: &Shared, f: &mut Failure) -> Result<(), HarnessError> {
    let config = &shared.config;
    let replay_file = match &config.failures_dir {
        Some(dir) => {
            let name = f.rules.first().map(|r| r.name()).unwrap_or("unknown");
            let path = dir.join(format!("failure-{:06}-{name}.json", f.case_index));
            let repro = Repro {
                format: REPLAY_FORMAT.into(),
                rules: f.rules.clone(),
                sentence: f.sentence.to_owned(),
                found_by: Some((config.seed, f.case_index)),
                world: f.world.clone(),
                steps: f.steps.clone(),
                mismatches: f.mismatches.clone(),
                doc: config.doc,
            };
            repro.save(&path)?;
            let world_path = path.with_extension("world.json");
            std::fs::write(&world_path, serde_json::to_string_pretty(&repro.world).unwrap_or_default())
                .map_err(|e| HarnessError::Io { path: world_path.clone(), reason: e.to_string() })?;
            Some(path)
        }
        None => None,
    };
    f.commands = commands(
        &shared.shown_base,
        shared.control,
        &config.endpoints,
        &config.faults,
        config.doc,
        replay_file.as_ref(),
        f.request.as_ref(),
    );
    f.replay_file = replay_file;
    Ok(())
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Commands that reproduce a failure: the replay, and the exact request by hand.
fn commands(
    shown_base: &str,
    control: bool,
    endpoints: &[String],
    faults: &[crate::emulator::fault::Fault],
    doc: crate::rules::Doc,
    replay_file: Option<&PathBuf>,
    request: Option<&HttpRequest>,
) -> Vec<String> {
    let builtin = endpoints.is_empty();
    let fault_flags: String = faults.iter().map(|f| format!(" --fault {f}")).collect();
    let base = if builtin { "http://127.0.0.1:8080".to_owned() } else { shown_base.to_owned() };
    let mut out = Vec::new();
    if let Some(f) = replay_file {
        if builtin {
            out.push(format!("copyimage-conformance replay {}{fault_flags}", f.display()));
        } else {
            out.push(format!("copyimage-conformance replay {} --endpoint {base}", f.display()));
        }
    }
    if let Some(req) = request {
        let size = req.target.len() + req.body.len();
        if size > 4096 {
            out.push(format!("# the request is {size} bytes: see the replay file"));
            return out;
        }
        if builtin {
            let doc_flag = if doc.is_seed() { String::new() } else { format!(" --doc {doc}") };
            out.push(format!("copyimage-conformance serve --addr 127.0.0.1:8080{doc_flag}{fault_flags} &"));
        }
        if control {
            let world = replay_file
                .map_or_else(|| "world.json".to_owned(), |f| f.with_extension("world.json").display().to_string());
            out.push(format!("curl -sS -X PUT --data-binary @{world} {base}/_conformance/world"));
        }
        let mut c = format!("curl -sS -i -X {} {}", req.method, shell_quote(&format!("{base}{}", req.target)));
        for (n, v) in &req.headers {
            if n != "host" {
                c.push_str(&format!(" -H {}", shell_quote(&format!("{n}: {v}"))));
            }
        }
        if !req.body.is_empty() {
            c.push_str(&format!(" --data-binary {}", shell_quote(&String::from_utf8_lossy(&req.body))));
        }
        out.push(c);
    }
    out
}
