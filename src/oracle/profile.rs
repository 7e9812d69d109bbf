//! The replies of the seed's rules under another documentation profile.
//!
//! Owns [`remap`]: under `2026-01` a violation of one of CopyImage's rules answers with
//! the newest page's rows that continue the rule ([`RuleId::errors_in`]). A Code the
//! newest page keeps takes its newest status and message (`InvalidImageId.NotFound`
//! 400 → 404); a Code it spells otherwise gives way to the row of the same status
//! (`Forbidden` → `Forbbiden`); every other row continuing the rule is acceptable too
//! (`OperationDenied.ImageCopyConflict` beside `OperationDenied.ImageCopying`). The
//! emulator keeps its pick, remapped. The seed's conditions still decide when (point
//! `newest-conditions` where the pages differ); the newest page's own parameters are
//! [`super::newest`]'s (see `docs --diff 2018-06 2026-01`).

use super::{ErrorOutcome, Violation};
use crate::rules::{Doc, RuleId};

/// The violations with their replies as `doc` documents them.
pub(super) fn remap(doc: Doc, violations: Vec<Violation>) -> Vec<Violation> {
    if doc == Doc::June2018 {
        return violations;
    }
    violations.into_iter().map(|v| remap_one(doc, v)).collect()
}

fn remap_one(doc: Doc, mut v: Violation) -> Violation {
    if !v.errors.iter().any(|e| e.rule.on_copy_page()) {
        return v;
    }
    let pick = v.errors.get(v.emulator_error).cloned();
    let mut errors: Vec<ErrorOutcome> = Vec::new();
    let push = |e: ErrorOutcome, errors: &mut Vec<ErrorOutcome>| {
        if !errors.iter().any(|x| x.code == e.code && x.status == e.status) {
            errors.push(e);
        }
    };
    let mut picked = None;
    for e in &v.errors {
        let mapped = if e.rule.on_copy_page() { newest(doc, e) } else { e.clone() };
        if pick.as_ref() == Some(e) {
            picked = Some((mapped.code, mapped.status));
        }
        push(mapped, &mut errors);
    }
    // The rest of the rows that continue the rules answered.
    let rules: Vec<RuleId> = v.errors.iter().map(|e| e.rule).filter(|r| r.on_copy_page()).collect();
    for rule in rules {
        for spec in rule.errors_in(doc) {
            push(ErrorOutcome { rule, code: spec.code, status: spec.status, message: spec.message(None) }, &mut errors);
        }
    }
    v.emulator_error =
        picked.and_then(|(code, status)| errors.iter().position(|e| e.code == code && e.status == status)).unwrap_or(0);
    v.errors = errors;
    v
}

/// One of the seed's replies as the newest rows give it ([`RuleId::counterpart_in`]).
fn newest(doc: Doc, e: &ErrorOutcome) -> ErrorOutcome {
    match e.rule.counterpart_in(doc, e.code, e.status) {
        Some(r) => ErrorOutcome { rule: e.rule, code: r.code, status: r.status, message: r.message(None) },
        None => e.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(v: &Violation) -> Vec<(&'static str, u16)> {
        v.errors.iter().map(|e| (e.code, e.status)).collect()
    }

    #[test]
    fn the_seed_is_left_alone_and_the_newest_page_remaps() {
        let v = Violation::certain(RuleId::ImageExists, None);
        assert_eq!(remap(Doc::June2018, vec![v.clone()]), vec![v.clone()]);
        let n = remap(Doc::January2026, vec![v]).remove(0);
        assert_eq!(codes(&n), [("InvalidImageId.NotFound", 404)]);
        assert_eq!(n.emulator_error, 0);
    }

    #[test]
    fn a_code_spelt_otherwise_gives_way_and_the_pick_follows() {
        let mut own = Violation::certain(RuleId::OwnImage, None);
        own.emulator_error = 1; // Forbidden
        let n = remap(Doc::January2026, vec![own]).remove(0);
        assert_eq!(codes(&n), [("InvalidImageId.NotFound", 404), ("Forbbiden", 403)]);
        assert_eq!(n.emulator_error, 1);
        let copying = remap(Doc::January2026, vec![Violation::certain(RuleId::ImageNotCopying, None)]).remove(0);
        assert_eq!(
            codes(&copying),
            [("OperationDenied.ImageCopying", 403), ("OperationDenied.ImageCopyConflict", 400)]
        );
        assert_eq!(copying.emulator_error, 0, "the emulator keeps the seed's Code");
    }

    #[test]
    fn other_layers_and_pages_keep_their_replies() {
        for rule in [RuleId::Signature, RuleId::CancelImage, RuleId::DeleteNotCopying] {
            let v = Violation::certain(rule, None);
            assert_eq!(remap(Doc::January2026, vec![v.clone()]), vec![v]);
        }
    }
}
