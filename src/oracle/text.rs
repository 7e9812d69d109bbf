//! The seed's text rules for `DestinationImageName` and `DestinationDescription`.
//!
//! Owns character classes ("English letter", "Chinese character", the listed
//! punctuation), length counting and the `http://` prefix test, each returning a
//! [`Verdict`] that says whether a rule holds, is broken, or is open (and what the
//! emulator does there). The rules' identities and error replies are in
//! [`crate::rules`]; the open points in [`super::open`].

use super::OpenPoint;

/// What a rule says of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It holds.
    Holds,
    /// It is certainly broken.
    Broken,
    /// Readings differ; `emulator_rejects` says what the built-in emulator does.
    Open {
        /// Why.
        point: OpenPoint,
        /// Whether the emulator treats the rule as broken.
        emulator_rejects: bool,
    },
}

impl Verdict {
    /// Combines verdicts of one rule: broken wins, then the first open point, else holds.
    /// The emulator rejects if it rejects any open part.
    pub fn and(self, other: Verdict) -> Verdict {
        match (self, other) {
            (Verdict::Broken, _) | (_, Verdict::Broken) => Verdict::Broken,
            (Verdict::Open { point, emulator_rejects: a }, Verdict::Open { emulator_rejects: b, .. }) => {
                Verdict::Open { point, emulator_rejects: a || b }
            }
            (open @ Verdict::Open { .. }, Verdict::Holds) | (Verdict::Holds, open @ Verdict::Open { .. }) => open,
            (Verdict::Holds, Verdict::Holds) => Verdict::Holds,
        }
    }

    fn open(point: OpenPoint, emulator_rejects: bool) -> Verdict {
        Verdict::Open { point, emulator_rejects }
    }
}

/// Classes of characters the seed's name rule distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CharClass {
    /// `A-Z a-z`.
    AsciiLetter,
    /// `0-9`.
    AsciiDigit,
    /// CJK Unified Ideographs, U+4E00 to U+9FFF.
    Chinese,
    /// Han characters outside the common block (extensions, compatibility, U+3007).
    ChineseExtended,
    /// Full-width Latin letters and digits.
    FullWidthAlphanumeric,
    /// `\`.
    Backslash,
    /// `:`, `_` or `-`: listed by the seed.
    ListedPunctuation,
    /// `.`: listed only by later revisions.
    Period,
    /// Anything else.
    Other,
}

/// Classifies a character.
pub fn classify(c: char) -> CharClass {
    match c {
        'A'..='Z' | 'a'..='z' => CharClass::AsciiLetter,
        '0'..='9' => CharClass::AsciiDigit,
        '\u{4E00}'..='\u{9FFF}' => CharClass::Chinese,
        '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{3007}'
        | '\u{20000}'..='\u{2FA1F}'
        | '\u{30000}'..='\u{323AF}' => CharClass::ChineseExtended,
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => CharClass::FullWidthAlphanumeric,
        '\\' => CharClass::Backslash,
        ':' | '_' | '-' => CharClass::ListedPunctuation,
        '.' => CharClass::Period,
        _ => CharClass::Other,
    }
}

/// A length rule `[min, max]` in characters. Where counting Unicode scalar values and
/// UTF-16 code units disagree the verdict is open ([`OpenPoint::LengthUnit`]).
pub fn length(text: &str, min: usize, max: usize) -> Verdict {
    let within = |n: usize| (min..=max).contains(&n);
    let scalars = within(text.chars().count());
    let units = within(text.encode_utf16().count());
    match (scalars, units) {
        (true, true) => Verdict::Holds,
        (false, false) => Verdict::Broken,
        (scalars_ok, _) => Verdict::open(OpenPoint::LengthUnit, !scalars_ok),
    }
}

/// "Must begin with an uppercase or lowercase English letter, or a Chinese character."
/// An empty name has no first character: this rule holds and the length rule breaks.
pub fn name_first_character(name: &str) -> Verdict {
    match name.chars().next().map(classify) {
        None | Some(CharClass::AsciiLetter | CharClass::Chinese) => Verdict::Holds,
        Some(CharClass::ChineseExtended) => Verdict::open(OpenPoint::ChineseCharacter, false),
        Some(CharClass::FullWidthAlphanumeric) => Verdict::open(OpenPoint::FullWidthLatin, true),
        Some(_) => Verdict::Broken,
    }
}

/// "Can contain digits, backslashes, colons, underscores, or hyphens", besides letters
/// and Chinese characters ([`OpenPoint::ChineseAfterFirst`]); checked after the first
/// character.
pub fn name_characters(name: &str) -> Verdict {
    name.chars().skip(1).fold(Verdict::Holds, |acc, c| {
        let v = match classify(c) {
            CharClass::AsciiLetter | CharClass::AsciiDigit | CharClass::Chinese | CharClass::ListedPunctuation => {
                Verdict::Holds
            }
            CharClass::Backslash => Verdict::open(OpenPoint::NameBackslash, false),
            CharClass::Period => Verdict::open(OpenPoint::NamePeriod, false),
            CharClass::ChineseExtended => Verdict::open(OpenPoint::ChineseCharacter, false),
            CharClass::FullWidthAlphanumeric => Verdict::open(OpenPoint::FullWidthLatin, true),
            CharClass::Other => Verdict::Broken,
        };
        acc.and(v)
    })
}

/// "Cannot begin with http:// or https://."
pub fn url_prefix(text: &str) -> Verdict {
    const PREFIXES: [&str; 2] = ["http://", "https://"];
    let starts = |t: &str, exact: bool| {
        PREFIXES
            .iter()
            .any(|p| t.get(..p.len()).is_some_and(|head| if exact { head == *p } else { head.eq_ignore_ascii_case(p) }))
    };
    if starts(text, true) {
        Verdict::Broken
    } else if starts(text, false) {
        Verdict::open(OpenPoint::UrlPrefixCase, true)
    } else if starts(text.trim_start(), false) {
        Verdict::open(OpenPoint::UrlPrefixWhitespace, false)
    } else {
        Verdict::Holds
    }
}

/// Description characters: the seed sets no limit; control characters are open.
pub fn description_characters(text: &str) -> Verdict {
    if text.chars().any(char::is_control) {
        Verdict::open(OpenPoint::DescriptionControl, false)
    } else {
        Verdict::Holds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(point: OpenPoint, emulator_rejects: bool) -> Verdict {
        Verdict::Open { point, emulator_rejects }
    }

    #[test]
    fn name_lengths_at_the_bounds() {
        let n = |k| "a".repeat(k);
        assert_eq!(length(&n(1), 2, 128), Verdict::Broken);
        assert_eq!(length(&n(2), 2, 128), Verdict::Holds);
        assert_eq!(length(&n(128), 2, 128), Verdict::Holds);
        assert_eq!(length(&n(129), 2, 128), Verdict::Broken);
        assert_eq!(length("", 2, 128), Verdict::Broken);
        // 128 Chinese characters are 384 UTF-8 bytes and still 128 characters.
        assert_eq!(length(&"中".repeat(128), 2, 128), Verdict::Holds);
        // An astral character is one scalar value but two UTF-16 units.
        let astral = format!("a{}", "\u{20000}".repeat(127));
        assert_eq!(length(&astral, 2, 128), open(OpenPoint::LengthUnit, false));
        assert_eq!(length("\u{20000}", 2, 128), open(OpenPoint::LengthUnit, true));
    }

    #[test]
    fn first_characters() {
        assert_eq!(name_first_character("abc"), Verdict::Holds);
        assert_eq!(name_first_character("中文"), Verdict::Holds);
        for bad in ["1a", "_a", " a", "😀a", "\u{301}a", "Дa", "éa", "かa", "\\a", ".a", "-a"] {
            assert_eq!(name_first_character(bad), Verdict::Broken, "{bad}");
        }
        assert_eq!(name_first_character("Ａb"), open(OpenPoint::FullWidthLatin, true));
        assert_eq!(name_first_character("\u{3400}b"), open(OpenPoint::ChineseCharacter, false));
    }

    #[test]
    fn later_characters() {
        assert_eq!(name_characters("a1:_-中Z"), Verdict::Holds);
        assert_eq!(name_characters("a\\b"), open(OpenPoint::NameBackslash, false));
        assert_eq!(name_characters("a.b"), open(OpenPoint::NamePeriod, false));
        assert_eq!(name_characters("a.b１"), open(OpenPoint::NamePeriod, true));
        for p in "!\"#$%&'()*+,/;<=>?@[]^`{|}~ ".chars() {
            assert_eq!(name_characters(&format!("a{p}b")), Verdict::Broken, "{p:?}");
        }
        assert_eq!(name_characters("a\u{0}b"), Verdict::Broken);
        assert_eq!(name_characters("a\u{fffd}"), Verdict::Broken);
    }

    #[test]
    fn url_prefixes() {
        assert_eq!(url_prefix("http://x"), Verdict::Broken);
        assert_eq!(url_prefix("https://x"), Verdict::Broken);
        assert_eq!(url_prefix("HTTP://x"), open(OpenPoint::UrlPrefixCase, true));
        assert_eq!(url_prefix("  https://x"), open(OpenPoint::UrlPrefixWhitespace, false));
        assert_eq!(url_prefix("see http://x"), Verdict::Holds);
        assert_eq!(url_prefix("http:/x"), Verdict::Holds);
        assert_eq!(url_prefix("ht"), Verdict::Holds);
        assert_eq!(url_prefix("h\u{e9}tp://"), Verdict::Holds);
    }
}
