//! What the smaller commands print: a replay's steps, a snapshot check, one call.
//!
//! Owns the text of `replay`, `snapshot --check`, `call`, `faults` and
//! `verify-certificate`, and the
//! [`Ending`] each implies, so that the command line only parses, dispatches and exits.
//! Like the rest of [`crate::report`], it renders and never decides a rule: whether a
//! step failed is the harness's judgement, carried in its record.

use std::fmt::Write;
use std::path::PathBuf;

use super::Ending;
use super::shape::ShapeDiff;
use crate::emulator::fault::Fault;
use crate::harness::exchange::{Delivery, StepRecord};
use crate::model::HttpReply;
use crate::wire::reply;

/// Characters of a request target printed per step.
const TARGET_SHOWN: usize = 300;

/// What `verify-certificate` prints: that the file is complete and consistent, or each
/// problem found.
pub fn verified(file: &str, problems: &[String]) -> String {
    if problems.is_empty() {
        return format!("{file}: complete and consistent\n");
    }
    let mut out = format!("{file}: {} problems\n", problems.len());
    for p in problems {
        let _ = writeln!(out, "  - {p}");
    }
    out
}

/// The steps of a replay, each with what came back and every mismatch; the images it
/// created on a target without control; and whether the failure repeats.
pub fn replay(records: &[StepRecord], created: &[String]) -> (String, Ending) {
    let mut out = String::new();
    let mut failed = false;
    let mut unsendable = false;
    for r in records {
        if let Some(req) = &r.request {
            let _ = writeln!(out, "{} {}", req.method, req.target.chars().take(TARGET_SHOWN).collect::<String>());
        }
        match r.delivery {
            Delivery::Sent => {}
            Delivery::Withheld => {
                out.push_str("  -> not sent: it may create an image beyond --allow-create, or needs world control\n");
                continue;
            }
            Delivery::Stopped => {
                out.push_str("  -> stopped before the reply came\n");
                continue;
            }
            Delivery::Disabled => {
                out.push_str("  -> not sent: it needs a rule the target declares it does not implement\n");
                continue;
            }
            Delivery::Unsendable => {
                out.push_str("  -> not sent: the harness could not send the request it built\n");
                unsendable = true;
                continue;
            }
        }
        let _ = writeln!(out, "  -> {}", r.verdict.seen);
        for m in &r.verdict.mismatches {
            failed = true;
            let _ = writeln!(out, "  ✗ {}: expected {}; observed {}", m.rule, m.expected, m.observed);
        }
    }
    if !created.is_empty() {
        let _ = writeln!(out, "images created on the target (delete them): {}", created.join(", "));
    }
    if unsendable && !failed {
        out.push_str("nothing could be decided\n");
        return (out, Ending::CouldNotRun);
    }
    out.push_str(if failed { "the failure repeats\n" } else { "the case passes\n" });
    (out, Ending::departs_if(failed))
}

/// The recorded replies whose shape changed, and how many of how many.
pub fn snapshot_check(results: &[(PathBuf, Vec<ShapeDiff>)]) -> (String, Ending) {
    let mut out = String::new();
    let mut differ = 0;
    for (path, diffs) in results {
        if diffs.is_empty() {
            continue;
        }
        differ += 1;
        let _ = writeln!(out, "{}:", path.display());
        for d in diffs {
            let _ = writeln!(out, "  {d}");
        }
    }
    let _ = writeln!(out, "{} of {} recorded replies differ in shape", differ, results.len());
    (out, Ending::departs_if(differ > 0))
}

/// One reply as `call` prints it: status and content type, then the body, with the
/// reason when it is neither XML nor JSON.
pub fn call(reply: &HttpReply) -> String {
    let content_type = reply.content_type().map(|c| format!("  ({c})")).unwrap_or_default();
    let body = String::from_utf8_lossy(&reply.body);
    match reply::parse(&reply.body) {
        Ok(_) => format!("HTTP {}{content_type}\n{body}\n", reply.status),
        Err(e) => format!("HTTP {}{content_type}\n{body} [{e}]\n", reply.status),
    }
}

/// The fault catalogue, one line per fault: name, layer, what it breaks.
pub fn faults() -> String {
    let mut out = String::new();
    for f in Fault::ALL {
        let _ = writeln!(out, "{:<30} {:<10} {}", f.name(), format!("{:?}", f.layer()).to_lowercase(), f.about());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::compare::{Expected, Mismatch, Observed, Seen, Verdict};
    use crate::model::HttpRequest;
    use crate::rules::RuleId;

    fn record(mismatches: Vec<Mismatch>, delivery: Delivery) -> StepRecord {
        StepRecord {
            request: Some(HttpRequest {
                method: "GET".into(),
                target: format!("/?{}", "a".repeat(1000)),
                headers: Vec::new(),
                body: Vec::new(),
            }),
            prediction: None,
            verdict: Verdict { exercised: Vec::new(), mismatches, seen: Seen { status: Some(403), ..Seen::default() } },
            created: None,
            delivery,
            expected: Vec::new(),
            wire: None,
        }
    }

    #[test]
    fn a_replay_departs_exactly_when_a_step_mismatches() {
        let m = Mismatch {
            rule: RuleId::ReplyRequestId,
            expected: Expected::RequestId,
            observed: Observed::RequestId { value: None },
        };
        let (text, ending) = replay(&[record(Vec::new(), Delivery::Sent), record(vec![m], Delivery::Sent)], &[]);
        assert_eq!(ending, Ending::Departs);
        assert!(
            text.contains("✗ reply.request-id: expected a RequestId that is a UUID; observed no RequestId"),
            "{text}"
        );
        assert!(text.ends_with("the failure repeats\n"), "{text}");
        // A request target is cut short.
        assert!(text.lines().all(|l| l.chars().count() <= TARGET_SHOWN + 8), "{text}");
        let (text, ending) = replay(&[record(Vec::new(), Delivery::Withheld)], &["m-1".into()]);
        assert_eq!(ending, Ending::Done);
        assert!(text.contains("not sent") && text.contains("(delete them): m-1"), "{text}");
        assert_eq!(Ending::Departs.exit_code(), 1);
        assert_eq!(crate::report::Standing::Incomplete.exit_code(), 2);
    }
}
