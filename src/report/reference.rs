//! Reference tables for README, written from the code that they describe.
//!
//! Owns the Markdown of the rule table, the open points and the default world. README
//! embeds them between `<!-- generated:NAME -->` markers and a test keeps README equal
//! to what these functions print (`copyimage-conformance docs`), so the documentation
//! cannot drift from the rules.

use std::fmt::Write;

use crate::model::World;
use crate::oracle::{OpenPoint, PointKind};
use crate::rules::newest::{CHANGES, Continues, ROWS, Reach};
use crate::rules::{Doc, RULES, Source};

/// The sections README embeds, by marker name.
pub fn sections() -> Vec<(&'static str, String)> {
    vec![
        ("rules", rules()),
        ("open-points", open_points()),
        ("emulator-decisions", emulator_decisions()),
        ("audit", audit()),
        ("default-world", default_world()),
        ("profile-diff", diff(Doc::June2018, Doc::January2026)),
    ]
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The rule table, in precedence order.
pub fn rules() -> String {
    let mut out = String::from(
        "| # | Rule | Layer | Replies (emulator's first) | Source | Sentence |\n|---|---|---|---|---|---|\n",
    );
    for (i, r) in RULES.iter().enumerate() {
        let replies = if r.errors.is_empty() {
            "—".to_owned()
        } else {
            r.errors.iter().map(|e| format!("`{}` {}", e.code, e.status)).collect::<Vec<_>>().join(", ")
        };
        let layer = r.layer.name();
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} |",
            i + 1,
            r.id,
            layer,
            replies,
            cell(&r.source.to_string()),
            cell(r.sentence)
        );
    }
    out
}

/// The open points and decisions.
pub fn open_points() -> String {
    let mut out = String::from(
        "**Decided** (one reading: the other contradicts the sentence quoted):\n\n| Point | Question | Sentence | Oracle |\n|---|---|---|---|\n",
    );
    for p in OpenPoint::ALL.iter().map(|p| p.info()).filter(|p| p.kind == PointKind::Decided) {
        let _ = writeln!(out, "| `{}` | {} | {} | {} |", p.id, cell(p.question), cell(p.sentence), cell(p.oracle));
    }
    out.push_str(
        "\n**Open** (the documents are silent or contradict themselves; the oracle accepts every reading):\n\n| Point | Question | Sentence | Oracle | Readings (`serve --reading POINT=READING`; the emulator's first) |\n|---|---|---|---|---|\n",
    );
    for p in OpenPoint::ALL.iter().map(|p| p.info()).filter(|p| p.kind == PointKind::Open) {
        let readings: Vec<String> = p.readings.iter().map(|r| format!("`{}`: {}", r.id, r.does)).collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            p.id,
            cell(p.question),
            cell(p.sentence),
            cell(p.oracle),
            cell(&readings.join("; "))
        );
    }
    out
}

/// The built-in emulator's own decisions, apart from the documented rules, and what
/// the suite accepts from other targets for each.
pub fn emulator_decisions() -> String {
    let mut out = String::from("| Decision | The built-in emulator | Accepted from other targets |\n|---|---|---|\n");
    for p in OpenPoint::ALL.iter().map(|p| p.info()).filter(|p| p.kind == PointKind::Emulator) {
        let others: Vec<String> = p.readings[1..].iter().map(|r| format!("`{}`: {}", r.id, r.does)).collect();
        let _ = writeln!(
            out,
            "| `{}`: {} | {} (`{}`; others: {}) | {} |",
            p.id,
            cell(p.question),
            cell(p.readings[0].does),
            p.readings[0].id,
            cell(&others.join("; ")),
            cell(p.oracle)
        );
    }
    for c in crate::emulator::REPLY_CHOICES {
        let _ = writeln!(out, "| {} | {} | {} |", cell(c.what), cell(c.emulator), cell(c.accepted));
    }
    let _ = writeln!(
        out,
        "| Each open point (above) | its first reading | every reading's outcome; `serve --reading POINT=READING` serves another |"
    );
    out
}

/// How each generated request is built, its readings, what is accepted.
pub fn audit() -> String {
    let mut out = String::from("| Change | Built as | Readings | Accepted |\n|---|---|---|---|\n");
    for c in crate::generate::audit::AUDIT {
        let _ = writeln!(out, "| `{}` | {} | {} | {} |", c.key, cell(c.built), cell(c.readings), cell(c.accepted));
    }
    out
}

/// Every reading the emulator can serve, grouped by point, with the sentence each
/// point reads: what `copyimage-conformance readings` prints.
pub fn readings_list() -> String {
    let mut out = String::new();
    for p in OpenPoint::ALL {
        let info = p.info();
        if info.readings.len() < 2 {
            continue;
        }
        let _ = writeln!(out, "{} ({:?})\n  {}\n  reads: {}", info.id, info.kind, info.question, info.sentence);
        for (i, r) in info.readings.iter().enumerate() {
            let mark = if i == 0 { " (the emulator's own)" } else { "" };
            let _ = writeln!(out, "  --reading {}={}{mark}\n      {}", info.id, r.id, r.does);
        }
        out.push('\n');
    }
    out
}

/// The default world as tables.
pub fn default_world() -> String {
    let w = World::default_fixture();
    let mut out =
        String::from("| Access key | Secret | Account | Enabled | May copy images |\n|---|---|---|---|---|\n");
    for a in &w.accounts {
        for k in &a.access_keys {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} | {} |",
                k.id,
                k.secret.expose(),
                a.id,
                yes(k.enabled),
                yes(a.can_copy_images)
            );
        }
    }
    out.push_str("\n| Region | Copy supported | Image quota | Snapshot quota |\n|---|---|---|---|\n");
    for r in &w.regions {
        let _ = writeln!(out, "| `{}` | {} | {} | {} |", r.id, yes(r.supports_copy), r.image_quota, r.snapshot_quota);
    }
    out.push_str("\n| Image | Region | Owner | Kind | Status | Created | Encrypted | Snapshots | Name |\n|---|---|---|---|---|---|---|---|---|\n");
    for i in &w.images {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {:?} | {:?} | {} | {} | {} | {} |",
            i.id,
            i.region,
            i.owner.as_deref().unwrap_or("—"),
            i.kind,
            i.status,
            i.created_at.to_string().get(..10).unwrap_or_default(),
            yes(i.encrypted),
            i.snapshot_count,
            i.name.as_deref().map(|n| format!("`{n}`")).unwrap_or_default()
        );
    }
    out.push_str("\n| Copy in progress | To | Completes |\n|---|---|---|\n");
    for c in &w.copies {
        let _ = writeln!(
            out,
            "| `{}` → `{}` | {} | {} |",
            c.source_image, c.destination_image, c.destination_region, c.completes_at
        );
    }
    let standalone: Vec<String> = w
        .accounts
        .iter()
        .flat_map(|a| {
            a.standalone_snapshots
                .iter()
                .map(move |(r, n)| format!("account {} holds {n} standalone snapshots in `{r}`", a.id))
        })
        .collect();
    if !standalone.is_empty() {
        let _ = writeln!(out, "\nAlso: {}.", standalone.join("; "));
    }
    for t in &w.tokens {
        let request: Vec<String> = t.request.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let _ = writeln!(
            out,
            "\nUnder profile 2026-01: account {} made `{}` with ClientToken `{}` ({}).",
            t.account,
            t.image,
            t.token,
            request.join(", ")
        );
    }
    out
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// What changed from one documentation profile to another, rule by rule (`docs --diff
/// FROM TO`): the replies of each rule that changed, the parameters and usage notes
/// that changed with the rules they concern, the rows only the newest page has (those
/// the world model can reach, and those it cannot, with why), and the rules unchanged.
pub fn diff(from: Doc, to: Doc) -> String {
    let mut out = String::new();
    if from == to {
        let _ = writeln!(out, "No difference: both are {from}, {}.", from.page());
        return out;
    }
    let _ = writeln!(out, "From {from}, {}, to {to}, {}.\n", from.page(), to.page());
    let replies = |id: crate::rules::RuleId, doc: Doc| {
        id.errors_in(doc).iter().map(|e| format!("`{}` {} \"{}\"", e.code, e.status, e.message)).collect::<Vec<_>>()
    };
    let mut unchanged = Vec::new();
    for (a, b) in [(from, to), (to, from)] {
        let only: Vec<&crate::rules::Rule> = RULES.iter().filter(|r| r.id.holds_in(a) && !r.id.holds_in(b)).collect();
        if only.is_empty() {
            continue;
        }
        let _ = writeln!(out, "**Rules only in {a}** ({}).\n\n| Rule | Source | Replies |\n|---|---|---|", only.len());
        for r in only {
            let replies = replies(r.id, a).join("; ");
            let any = if r.id.any_refusal() { " (or any 4xx refusal)" } else { "" };
            let _ = writeln!(out, "| `{}` | {} | {}{any} |", r.id, cell(&r.source.to_string()), cell(&replies));
        }
        out.push('\n');
    }
    out.push_str(&format!("**Replies that changed.**\n\n| Rule | {from} | {to} |\n|---|---|---|\n"));
    for rule in RULES.iter().filter(|r| r.id.holds_in(from) && r.id.holds_in(to)) {
        let (a, b) = (replies(rule.id, from), replies(rule.id, to));
        if a == b {
            unchanged.push(format!("`{}`", rule.id));
        } else {
            let _ = writeln!(out, "| `{}` | {} | {} |", rule.id, cell(&a.join("; ")), cell(&b.join("; ")));
        }
    }
    let (old, new) = if from < to { ("seed", "newest") } else { ("newest", "seed") };
    let _ = writeln!(
        out,
        "\n**Parameters and usage notes that changed** (copyimage-latest.md §7.1, §7.2; the {old} page's words first).\n\n| Topic | {from} | {to} | Rules |\n|---|---|---|---|"
    );
    for c in &CHANGES {
        let (a, b) = if from < to { (c.seed, c.newest) } else { (c.newest, c.seed) };
        let rules = if c.rules.is_empty() {
            format!("none yet (a {new} rule)")
        } else {
            c.rules.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
        };
        let _ = writeln!(out, "| {} | {} | {} | {} |", cell(c.topic), cell(a), cell(b), rules);
    }
    let newest = from.max(to);
    let reply = |r: &crate::rules::newest::Row| format!("`{}` {} \"{}\"", r.code, r.status, r.message);
    let _ = writeln!(
        out,
        "\n**Rows only in {newest}, encoded by its own rules.**\n\n| Row | Reply | Rules |\n|---|---|---|"
    );
    for r in &ROWS {
        if let Continues::Encoded(rules) = r.continues {
            let rules: Vec<String> = rules.iter().map(|x| format!("`{x}`")).collect();
            let _ = writeln!(out, "| {} | {} | {} |", r.n, cell(&reply(r)), rules.join(", "));
        }
    }
    let _ = writeln!(
        out,
        "\n**Rows only in {newest}, not yet encoded.** Reachable once the world model holds what the row needs.\n\n| Row | Reply | Reached by |\n|---|---|---|"
    );
    for r in &ROWS {
        let needs = match r.continues {
            Continues::New(Reach::Request(what)) => format!("the request: {what}"),
            Continues::New(Reach::World(what)) => format!("the world: {what}"),
            _ => continue,
        };
        let _ = writeln!(out, "| {} | {} | {} |", r.n, cell(&reply(r)), cell(&needs));
    }
    let _ = writeln!(
        out,
        "\n**Rows only in {newest} that the model cannot reach.**\n\n| Row | Reply | Why |\n|---|---|---|"
    );
    for r in &ROWS {
        if let Continues::New(Reach::Beyond(why)) = r.continues {
            let _ = writeln!(out, "| {} | {} | {} |", r.n, cell(&reply(r)), cell(why));
        }
    }
    let page_rules = RULES.iter().filter(|r| matches!(r.source, Source::Seed(_))).count();
    let both = RULES.iter().filter(|r| r.id.holds_in(from) && r.id.holds_in(to)).count();
    let changed = both - unchanged.len();
    let _ = writeln!(
        out,
        "\n**Unchanged in their replies**: {} of the {both} rules both profiles hold (the CopyImage page is the source of {page_rules}; {changed} of them changed above): {}.",
        unchanged.len(),
        unchanged.join(", ")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_names_what_changed_in_either_direction() {
        let forward = diff(Doc::June2018, Doc::January2026);
        assert!(forward.contains("| `image.exists` | `InvalidImageId.NotFound` 400"), "{forward}");
        assert!(forward.contains("`InvalidImageId.NotFound` 404 \"The specified image %s does not exist.\""));
        assert!(forward.contains("| `account.authorized` | `Forbidden` 403"));
        assert!(forward.contains("| 49 | `InvalidOperation.Conflict` 409"), "{forward}");
        assert!(forward.contains("**Rules only in 2026-01** (13)"), "{forward}");
        assert!(forward.contains("| `dry-run.passes` | copyimage-latest.md, §2, DryRun |"), "{forward}");

        assert!(forward.contains("| 40 | `SizeExceed.Image` 403"));
        assert!(!forward.contains("| `gateway.signature` |"), "an unchanged rule is not a row");
        let back = diff(Doc::January2026, Doc::June2018);
        assert!(back.contains("**Rules only in 2026-01** (13)"), "{back}");
        assert!(back.contains("| `image.exists` | `InvalidImageId.NotFound` 404"), "{back}");
        assert!(back.contains("| DestinationDescription, length | 2 to 256 characters | [0,256] |"));
        assert!(diff(Doc::January2026, Doc::January2026).starts_with("No difference"));
    }
}
