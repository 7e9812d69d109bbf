//! What a rule's quoted sentence reads as in a report.
//!
//! Owns taking a rule's sentence apart for a reader. The rule table quotes the
//! documentation as it is written, often a row of a Markdown table
//! (`|InvalidImageName.Malformed|The specified … wrongly formed.|400|…|`); a report
//! shows the documented words as clean text, and the Code and status in columns of
//! their own (from the rule's [`ErrorSpec`](crate::rules::ErrorSpec)s, not from the
//! text). The sentence in the rule table stays the one source; this only reads it.

use crate::rules::Rule;

/// One run of a clean sentence: words, or a name the documentation sets as code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Plain words.
    Text(&'a str),
    /// A name set in backticks in the documentation (`DestinationImageName`).
    Code(&'a str),
}

/// The rule's sentence as clean text: the cells of a table row that are words, joined;
/// the cells that are only a Code or an HTTP status left to the columns that show them;
/// a parameter row (`|Action|String|Yes|…|`) read as "Action (String, required): …".
pub fn clean(rule: &Rule) -> String {
    pieces(rule)
        .iter()
        .map(|p| match p {
            Piece::Text(t) | Piece::Code(t) => *t,
        })
        .collect()
}

/// [`clean`] in pieces, so that a page can set names as code.
pub fn pieces(rule: &Rule) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let cells = cells(rule);
    // A sentence that is only a Code and a status reads as its documented message.
    if cells.is_empty() {
        if let Some(e) = rule.errors.first() {
            spans(e.message, &mut out);
        }
        return out;
    }
    for (i, cell) in cells.into_iter().enumerate() {
        match cell {
            Cell::Close(c) => out.push(Piece::Text(c)),
            Cell::Parameter { name, kind, required, rest } => {
                if i > 0 {
                    out.push(Piece::Text(" — "));
                }
                out.push(Piece::Code(name));
                out.push(Piece::Text(" ("));
                out.push(Piece::Text(kind));
                out.push(Piece::Text(match required {
                    Some(true) => ", required): ",
                    Some(false) => ", optional): ",
                    None => "): ",
                }));
                spans(rest, &mut out);
            }
            Cell::Words(w) => {
                if i > 0 {
                    out.push(Piece::Text(" — "));
                }
                spans(w, &mut out);
            }
        }
    }
    out
}

enum Cell<'a> {
    /// A row of a request parameter table (required or not) or of a response one.
    Parameter {
        name: &'a str,
        kind: &'a str,
        required: Option<bool>,
        rest: &'a str,
    },
    Words(&'a str),
    /// Closing punctuation left after a status cell (`404)`): glued to what it closes.
    Close(&'a str),
}

/// The word cells of the sentence, in order.
fn cells(rule: &Rule) -> Vec<Cell<'_>> {
    let codes: Vec<&str> = rule.errors.iter().map(|e| e.code).collect();
    let raw: Vec<&str> = rule.sentence.split('|').map(str::trim).collect();
    let mut out: Vec<Cell<'_>> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let cell = raw[i];
        i += 1;
        if cell.is_empty() {
            continue;
        }
        // A row of a parameter table: name, type, Yes/No, description; or of a response
        // table: name, type, description.
        if let (Some(kind), Some(next)) = (raw.get(i), raw.get(i + 1)) {
            if is_type(kind) && !next.is_empty() {
                let required = matches!(*next, "Yes" | "No").then_some(*next == "Yes");
                let rest = if required.is_some() { raw.get(i + 2).copied().unwrap_or_default() } else { next };
                out.push(Cell::Parameter { name: cell, kind, required, rest });
                i += if required.is_some() { 3 } else { 2 };
                continue;
            }
        }
        // A cell that is only Codes (`A / B`): the Code column shows them.
        if cell.split('/').map(str::trim).all(|c| codes.contains(&c) || looks_like_code(c)) {
            continue;
        }
        // A cell that is only a status, perhaps closing a parenthesis opened before it.
        if let Some(rest) = status_cell(cell) {
            if !rest.is_empty() && !out.is_empty() {
                out.push(Cell::Close(rest));
            }
            continue;
        }
        out.push(Cell::Words(cell));
    }
    out
}

fn is_type(t: &str) -> bool {
    matches!(t, "String" | "Integer" | "Long" | "Boolean" | "Array" | "Float")
}

/// `IncorrectImageStatus`, `InvalidImageName.Malformed`: one word of letters and dots,
/// starting upper-case, with an upper-case letter after the first (not an English word).
fn looks_like_code(c: &str) -> bool {
    let mut chars = c.chars();
    chars.next().is_some_and(|f| f.is_ascii_uppercase())
        && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '.')
        && c.chars().skip(1).any(|ch| ch.is_ascii_uppercase())
}

/// A cell that is an HTTP status and nothing more, with what follows the three digits
/// (empty, or closing punctuation).
fn status_cell(cell: &str) -> Option<&str> {
    let digits = cell.get(..3)?;
    let rest = &cell[3..];
    (digits.chars().all(|c| c.is_ascii_digit()) && rest.chars().all(|c| ")]".contains(c))).then_some(rest)
}

/// Splits words at backticks into text and code.
fn spans<'a>(text: &'a str, out: &mut Vec<Piece<'a>>) {
    for (k, part) in text.split('`').enumerate() {
        if part.is_empty() {
            continue;
        }
        out.push(if k % 2 == 1 { Piece::Code(part) } else { Piece::Text(part) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RULES, RuleId};

    #[test]
    fn no_clean_sentence_shows_table_markup_or_a_bare_status() {
        for rule in &RULES {
            let text = clean(rule);
            assert!(!text.trim().is_empty(), "{}", rule.id);
            assert!(!text.contains('|') && !text.contains('`'), "{}: {text}", rule.id);
            for e in rule.errors {
                assert!(!text.starts_with(e.code), "{}: {text}", rule.id);
            }
        }
    }

    #[test]
    fn a_table_row_loses_its_code_and_status_and_keeps_its_words() {
        let text = clean(RuleId::NameLength.rule());
        assert!(
            text.starts_with("Can be [2, 128] characters in length. — The specified destination Image name is wrongly formed. — The name of the specified destination custom image (DestinationImageName"),
            "{text}"
        );
        assert!(!text.contains("InvalidImageName.Malformed") && !text.contains("400"), "{text}");
        // A status that closed a parenthesis leaves the parenthesis.
        let text = clean(RuleId::Action.rule());
        assert!(text.ends_with("InvalidAction.NotFound)"), "{text}");
    }

    #[test]
    fn a_parameter_row_reads_as_a_parameter() {
        let text = clean(RuleId::Action.rule());
        assert!(text.starts_with("Action (String, required): The name of this interface."), "{text}");
        let text = clean(RuleId::CopySucceeds.rule());
        assert!(text.ends_with(" — ImageId (String): ID of the destination custom image"), "{text}");
    }

    #[test]
    #[ignore = "prints every clean sentence, for reading"]
    fn print_all() {
        for rule in &RULES {
            println!("{:<32} {}", rule.id, clean(rule));
        }
    }

    fn rule(sentence: &'static str) -> Rule {
        Rule { sentence, errors: &[], ..*RuleId::NameLength.rule() }
    }

    #[test]
    fn cells_that_are_only_codes_or_statuses_go_and_words_stay() {
        assert_eq!(clean(&rule("| Some.OtherCode | The words. |")), "The words.");
        assert_eq!(
            clean(&rule("| A / InvalidThing.Malformed | 403 | The words. |")),
            "A / InvalidThing.Malformed — The words."
        );
        assert_eq!(clean(&rule("| 404) | words |")), "words", "a closing parenthesis with nothing to close goes");
        assert_eq!(clean(&rule("| (see InvalidX.Y | 404) |")), "(see InvalidX.Y)");
        assert_eq!(clean(&rule("| before | after |")), "before — after");
        // A parameter row anywhere in the sentence, with and without Required.
        assert_eq!(
            clean(&rule("a | b | Name | String | No | what it is |")),
            "a — b — Name (String, optional): what it is"
        );
        assert_eq!(clean(&rule("x | Id | Long | the id |")), "x — Id (Long): the id");
    }

    #[test]
    fn what_looks_like_a_code_and_a_status() {
        for code in ["InvalidImageName.Malformed", "IncorrectImageStatus", "QuotaExceed.Image"] {
            assert!(looks_like_code(code), "{code}");
        }
        for words in ["Yes", "Forbidden", "The image", "invalidCode", "Region-Id", ""] {
            assert!(!looks_like_code(words), "{words}");
        }
        assert_eq!(status_cell("400"), Some(""));
        assert_eq!(status_cell("404)"), Some(")"));
        assert_eq!(status_cell("404 in real replies"), None);
        assert_eq!(status_cell("4000"), None);
        assert_eq!(status_cell("40a"), None);
        assert_eq!(status_cell("a40"), None);
        assert_eq!(status_cell("40"), None);
    }

    #[test]
    fn names_in_backticks_are_code() {
        let p = pieces(RuleId::TimestampFormat.rule());
        assert!(p.contains(&Piece::Code("Timestamp")), "{p:?}");
    }
}
