//! The terminal form of a report: summary, rule table, failures with reproductions.
//!
//! Owns how a report reads in a terminal or a log: at most [`WIDTH`] columns for the
//! rule table and the prose (wrapped with a hanging indent), colour only when asked
//! for or when [`Colour::Auto`] finds a terminal and no `NO_COLOR`. Shell commands are
//! folded between their words with `\` continuations, so they still run when pasted; a
//! failure's world, steps and request are cut to the width, and the line after them
//! says where they are whole (its replay file, or the JSON report).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::{Report, Shown, Standing};
use crate::harness::own::{Cleanup, CleanupOutcome};

/// The columns the report fits.
pub const WIDTH: usize = 100;

/// When the report is coloured (`--color`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Colour {
    /// When standard output is a terminal, `NO_COLOR` is unset or empty, and `TERM` is
    /// not `dumb`.
    #[default]
    Auto,
    /// Always (also when `NO_COLOR` is set: the flag is the user's own choice).
    Always,
    /// Never.
    Never,
}

impl std::str::FromStr for Colour {
    type Err = String;

    fn from_str(s: &str) -> Result<Colour, String> {
        match s {
            "auto" => Ok(Colour::Auto),
            "always" => Ok(Colour::Always),
            "never" => Ok(Colour::Never),
            other => Err(format!("`{other}`: the colour is auto, always or never")),
        }
    }
}

impl Colour {
    /// Whether to colour, given whether the output is a terminal and the environment's
    /// `NO_COLOR` and `TERM`.
    pub fn enabled(self, terminal: bool, no_color: Option<&str>, term: Option<&str>) -> bool {
        match self {
            Colour::Always => true,
            Colour::Never => false,
            Colour::Auto => terminal && no_color.is_none_or(str::is_empty) && term != Some("dumb"),
        }
    }

    /// [`Colour::enabled`] for standard output and this process's environment.
    pub fn for_stdout(self) -> bool {
        use std::io::IsTerminal;
        let var = |name: &str| std::env::var(name).ok();
        self.enabled(std::io::stdout().is_terminal(), var("NO_COLOR").as_deref(), var("TERM").as_deref())
    }
}

/// How the report is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    /// ANSI colour.
    pub colour: bool,
}

impl Look {
    fn paint(self, style: Style, text: &str) -> String {
        if self.colour { format!("{style}{text}{style:#}") } else { text.to_owned() }
    }
}

fn fg(c: AnsiColor) -> Style {
    Style::new().fg_color(Some(c.into()))
}

/// The mark and style of a rule's outcome.
fn mark(shown: Shown) -> (&'static str, Style) {
    match shown {
        Shown::Passed => ("✓", fg(AnsiColor::Green)),
        Shown::ExpectedFailure => ("~", fg(AnsiColor::Magenta)),
        Shown::Failed => ("✗", fg(AnsiColor::Red).bold()),
        Shown::Disabled => ("○", fg(AnsiColor::Blue)),
        Shown::NotCheckable => ("-", fg(AnsiColor::Yellow)),
        Shown::NotExercised => ("·", Style::new().dimmed()),
        Shown::Error => ("!", fg(AnsiColor::Yellow).bold()),
    }
}

/// Renders a report for a terminal or a log, without colour.
pub fn render(r: &Report) -> String {
    render_with(r, Look { colour: false })
}

/// Column widths of the rule table: mark, rule, outcome, cases, passed, failed; the
/// codes take what is left of [`WIDTH`].
const RULE: usize = 28;
const OUTCOME: usize = 16;
const COUNT: usize = 7;
const CODES: usize = WIDTH - (1 + 1 + RULE + 1 + OUTCOME + 3 * (1 + COUNT) + 2);

/// Renders a report for a terminal or a log.
pub fn render_with(r: &Report, look: Look) -> String {
    let mut out = String::new();
    let bold = Style::new().bold();
    let head = format!(
        "{} — target {}{}",
        r.tool,
        r.target,
        if r.control { " (world control)" } else { " (no world control)" }
    );
    wrap_into(&mut out, &head, "", "  ");
    let signings: Vec<String> = r.signings.iter().map(ToString::to_string).collect();
    let formats: Vec<String> = r.formats.iter().map(ToString::to_string).collect();
    let facts = format!(
        "profile {}; seed {}{}; signing {}; formats {}",
        r.profile,
        r.seed,
        r.shard.as_ref().map(|s| format!(", shard {s}")).unwrap_or_default(),
        signings.join(","),
        formats.join(",")
    );
    wrap_into(&mut out, &facts, "", "  ");
    out.push('\n');
    if !r.declared_out.is_empty() {
        wrap_into(&mut out, &format!("declared out by the target: {}", r.declared_out.join(", ")), "", "  ");
        out.push('\n');
    }
    let header = format!(
        "  {:<RULE$} {:<OUTCOME$} {:>COUNT$} {:>COUNT$} {:>COUNT$}  codes",
        "rule", "outcome", "cases", "passed", "failed"
    );
    let _ = writeln!(out, "{}", look.paint(bold, &header));
    for t in &r.rules {
        let shown = t.shown();
        let (m, style) = mark(shown);
        let _ = writeln!(
            out,
            "{} {:<RULE$} {} {:>COUNT$} {:>COUNT$} {:>COUNT$}  {}",
            look.paint(style, m),
            t.id.to_string(),
            look.paint(style, &format!("{:<OUTCOME$}", shown.word())),
            t.exercised,
            t.passed,
            t.failed,
            codes(&t.codes, CODES)
        );
    }
    for stale in &r.stale_expectations {
        out.push('\n');
        let text = format!(
            "stale expectation, line {}: `{}`{}{} no longer fails as listed; the target is right now: delete the entry",
            stale.line,
            stale.deviation.rule,
            stale.deviation.status.map(|s| format!(" {s}")).unwrap_or_default(),
            stale.deviation.code.as_ref().map(|c| format!(" {c}")).unwrap_or_default(),
        );
        wrap_into(&mut out, &text, "", "  ");
    }
    for why in &r.error_reasons {
        out.push('\n');
        wrap_into(&mut out, &format!("the harness could not send a case: {why}"), "", "  ");
    }
    if !r.not_checkable.is_empty() {
        let names: Vec<String> = r.not_checkable.iter().map(ToString::to_string).collect();
        out.push('\n');
        wrap_into(
            &mut out,
            &format!("not checkable on this target (no world control): {}", names.join(", ")),
            "",
            "  ",
        );
    }
    for (n, f) in r.failures.iter().enumerate() {
        let rules: Vec<String> = f.rules.iter().map(ToString::to_string).collect();
        let title = format!(
            "── failure {} of {}: {} ({} case{}, first #{})",
            n + 1,
            r.failures.len(),
            rules.join(", "),
            f.occurrences,
            if f.occurrences == 1 { "" } else { "s" },
            f.case_index
        );
        out.push('\n');
        for line in textwrap::wrap(&title, options().subsequent_indent("   ")) {
            let _ = writeln!(out, "{}", look.paint(fg(AnsiColor::Red).bold(), &line));
        }
        let sentence = f.rules.first().map(|r| super::quote::clean(r.rule())).unwrap_or_else(|| f.sentence.to_owned());
        wrap_into(&mut out, &format!("rule says: {sentence}"), "   ", "              ");
        for m in &f.mismatches {
            let name = m.rule.to_string();
            let pad = " ".repeat(name.len() + 2);
            wrap_into(&mut out, &format!("{name}: expected {}", m.expected), "   ", &format!("   {pad}         "));
            wrap_into(&mut out, &format!("{pad}observed {}", m.observed), "   ", &format!("   {pad}         "));
        }
        let (unit, tries) = (f.size_unit(), f.shrink_steps);
        let _ = writeln!(out, "   shrunk from {} to {} {unit} in {tries} tries", f.size.0, f.size.1);
        // Cut to the width: the replay file and the JSON report hold them whole.
        let world = serde_json::to_string(&super::shown_world(&f.world)).unwrap_or_default();
        line_into(&mut out, &format!("   world: {world}"));
        for step in &f.steps {
            line_into(&mut out, &format!("   step: {}", serde_json::to_string(step).unwrap_or_default()));
        }
        if let Some(req) = &f.request {
            line_into(&mut out, &format!("   request: {} {}", req.method, req.target));
        }
        match &f.replay_file {
            Some(p) => wrap_into(&mut out, &format!("whole in {}", p.display()), "   ", "     "),
            None => wrap_into(&mut out, "whole in the JSON report (--report-json)", "   ", "     "),
        }
        for c in &f.commands {
            for line in fold_command(c) {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    if !r.flaky_cases.is_empty() {
        let _ = writeln!(out, "\nflaky (failed once, passed when run again):");
        for f in &r.flaky_cases {
            let rules: Vec<String> = f.rules.iter().map(ToString::to_string).collect();
            wrap_into(&mut out, &format!("case #{}: {} ({})", f.case_index, rules.join(", "), f.seen), "   ", "     ");
        }
    }
    if !r.created_images.is_empty() {
        out.push('\n');
        let text = format!("images created on the target: {}", r.created_images.join(", "));
        wrap_into(&mut out, &text, "", "  ");
        out.push_str(&cleanup(&r.cleanup));
    }
    out.push('\n');
    let verdict = match r.standing() {
        Standing::Conformant => fg(AnsiColor::Green).bold(),
        Standing::NotConformant => fg(AnsiColor::Red).bold(),
        Standing::Incomplete => fg(AnsiColor::Yellow).bold(),
    };
    for line in textwrap::wrap(&r.summary(), options().subsequent_indent("  ")) {
        let _ = writeln!(out, "{}", look.paint(verdict, &line));
    }
    out
}

/// Wrapping at spaces only: a Code, a rule id or a fault name is never split at its
/// hyphens.
fn options() -> textwrap::Options<'static> {
    textwrap::Options::new(WIDTH).word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// `text` wrapped to [`WIDTH`], its first line indented by `first`, the rest by `rest`.
fn wrap_into(out: &mut String, text: &str, first: &str, rest: &str) {
    let options = options().initial_indent(first).subsequent_indent(rest);
    for line in textwrap::wrap(text, options) {
        let _ = writeln!(out, "{line}");
    }
}

/// One line, cut to [`WIDTH`] with `…`.
fn line_into(out: &mut String, line: &str) {
    if line.chars().count() <= WIDTH {
        let _ = writeln!(out, "{line}");
    } else {
        let cut: String = line.chars().take(WIDTH - 1).collect();
        let _ = writeln!(out, "{cut}…");
    }
}

/// A shell command as lines of at most [`WIDTH`] columns, broken between its words with
/// `\` continuations, so that it still runs when pasted. A single word longer than a
/// line (a quoted request body) is kept whole on its own line.
fn fold_command(command: &str) -> Vec<String> {
    let (first, rest) = ("   $ ", "       ");
    let mut words = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, ch) in command.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' if !quoted => escaped = true,
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if i > start {
                    words.push(&command[start..i]);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < command.len() {
        words.push(&command[start..]);
    }
    let mut lines = Vec::new();
    let mut line = first.to_owned();
    for w in words {
        let bare = line == first || line == rest;
        // Room for " " + word + " \\".
        if !bare && line.chars().count() + 1 + w.chars().count() + 2 > WIDTH {
            line.push_str(" \\");
            lines.push(std::mem::replace(&mut line, rest.to_owned()));
        }
        if line != first && line != rest {
            line.push(' ');
        }
        line.push_str(w);
    }
    lines.push(line);
    lines
}

/// As many of `codes` as fit in `room` columns, and how many more there are.
fn codes(codes: &[String], room: usize) -> String {
    let mut shown = String::new();
    for (i, c) in codes.iter().enumerate() {
        let more = codes.len() - i - 1;
        let sep = if shown.is_empty() { "" } else { ", " };
        let tail = if more > 0 { format!(" +{more}") } else { String::new() };
        if shown.chars().count() + sep.len() + c.chars().count() + tail.len() > room {
            let left = codes.len() - i;
            if shown.is_empty() {
                // Not even the first fits: cut it.
                let cut: String = c.chars().take(room.saturating_sub(1 + format!(" +{more}").len())).collect();
                return format!("{cut}…{}", if more > 0 { format!(" +{more}") } else { String::new() });
            }
            return format!("{shown} +{left}");
        }
        shown.push_str(sep);
        shown.push_str(c);
    }
    shown
}

/// What became of the images a run or replay created: one line each, and for those
/// left over the commands that remove them by hand.
pub fn cleanup(done: &[Cleanup]) -> String {
    let mut out = String::new();
    for c in done {
        let outcome = match c.outcome {
            CleanupOutcome::Cancelled => "cleaned up: cancelled (CancelCopyImage)",
            CleanupOutcome::Deleted => "cleaned up: deleted (DeleteImage)",
            CleanupOutcome::Kept => "kept (--keep-created); remove it by hand",
            CleanupOutcome::Failed => "NOT cleaned up; remove it by hand",
        };
        let mut line = format!("  {} in {}: {outcome}", c.image, c.region);
        if let Some(reason) = &c.reason {
            line.push_str(&format!(" ({reason})"));
        }
        wrap_into(&mut out, &line, "", "    ");
        for command in &c.commands {
            for line in fold_command(command) {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_flag_the_terminal_and_no_color() {
        assert!(Colour::Auto.enabled(true, None, Some("xterm-256color")));
        assert!(Colour::Auto.enabled(true, Some(""), None), "an empty NO_COLOR is unset");
        assert!(!Colour::Auto.enabled(true, Some("1"), None));
        assert!(!Colour::Auto.enabled(false, None, None));
        assert!(!Colour::Auto.enabled(true, None, Some("dumb")));
        assert!(Colour::Always.enabled(false, Some("1"), Some("dumb")));
        assert!(!Colour::Never.enabled(true, None, None));
    }

    #[test]
    fn a_long_command_folds_between_its_words_and_keeps_them_whole() {
        let body = format!("'a=1&b={}&c=it'\\''s'", "x".repeat(150));
        let command =
            format!("curl -sS -i -X POST 'http://127.0.0.1:8080/' -H 'content-type: a b' --data-binary {body} --next");
        let lines = fold_command(&command);
        assert!(lines.len() >= 3, "{lines:?}");
        for l in &lines[..lines.len() - 1] {
            assert!(l.ends_with(" \\"), "{l}");
        }
        for l in &lines {
            assert!(l.chars().count() <= WIDTH || !l.trim_end_matches(" \\").trim().contains(' '), "{l}");
        }
        // Joined again as a shell joins continuations, it is the command.
        let joined: Vec<&str> =
            lines.iter().map(|l| l.trim_end_matches(" \\").trim_start().trim_start_matches("$ ")).collect();
        assert_eq!(joined.join(" "), command);
        assert!(lines.iter().any(|l| l.trim_end_matches(" \\").trim() == body), "the body is one word: {lines:?}");
        assert_eq!(fold_command("ls -l"), vec!["   $ ls -l".to_owned()]);
    }

    #[test]
    fn the_flag_reads_its_three_words() {
        assert_eq!("auto".parse::<Colour>(), Ok(Colour::Auto));
        assert_eq!("always".parse::<Colour>(), Ok(Colour::Always));
        assert_eq!("never".parse::<Colour>(), Ok(Colour::Never));
        assert!("yes".parse::<Colour>().unwrap_err().contains("auto, always or never"));
    }

    #[test]
    fn codes_fit_their_room_and_say_how_many_more() {
        let c = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(codes(&c(&["A", "B"]), 10), "A, B");
        assert_eq!(codes(&c(&["IllegalTimestamp", "InvalidTimeStamp.Format"]), 24), "IllegalTimestamp +1");
        let one = codes(&c(&["InvalidAccessKeyId.NotFound.Very.Long.Code"]), 20);
        assert!(one.chars().count() <= 20 && one.ends_with('…'), "{one}");
        let two = codes(&c(&["InvalidAccessKeyId.NotFound.Very.Long.Code", "B"]), 20);
        assert!(two.chars().count() <= 20 && two.ends_with(" +1"), "{two}");
    }
}
