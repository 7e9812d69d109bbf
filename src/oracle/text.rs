//! The seed's text rules for `DestinationImageName` and `DestinationDescription`.
//!
//! Owns character classes ("English letter", "Chinese character", the listed
//! punctuation), length counting and the `http://` prefix test, each returning a
//! [`Finding`] that says whether a rule holds, is broken, or is open (and what the
//! emulator does there, under the [`Readings`] it serves). The rules' identities and
//! error replies are in [`crate::rules`]; the open points in [`super::open`].

use super::OpenPoint;
use super::open::Readings;

/// What a rule says of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finding {
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

impl Finding {
    /// Combines findings of one rule: broken wins, then the first open point, else holds.
    /// The emulator rejects if it rejects any open part.
    pub fn and(self, other: Finding) -> Finding {
        match (self, other) {
            (Finding::Broken, _) | (_, Finding::Broken) => Finding::Broken,
            (Finding::Open { point, emulator_rejects: a }, Finding::Open { emulator_rejects: b, .. }) => {
                Finding::Open { point, emulator_rejects: a || b }
            }
            (open @ Finding::Open { .. }, Finding::Holds) | (Finding::Holds, open @ Finding::Open { .. }) => open,
            (Finding::Holds, Finding::Holds) => Finding::Holds,
        }
    }

    fn open(point: OpenPoint, emulator_rejects: bool) -> Finding {
        Finding::Open { point, emulator_rejects }
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
/// UTF-16 code units disagree the finding is open ([`OpenPoint::LengthUnit`]).
pub fn length(text: &str, min: usize, max: usize, readings: &Readings) -> Finding {
    let within = |n: usize| (min..=max).contains(&n);
    let scalars = within(text.chars().count());
    let units = within(text.encode_utf16().count());
    match (scalars, units) {
        (true, true) => Finding::Holds,
        (false, false) => Finding::Broken,
        _ => {
            let counted = if readings.is(OpenPoint::LengthUnit, "utf16-units") { units } else { scalars };
            Finding::open(OpenPoint::LengthUnit, !counted)
        }
    }
}

/// "Must begin with an uppercase or lowercase English letter, or a Chinese character."
/// An empty name has no first character: this rule holds and the length rule breaks.
pub fn name_first_character(name: &str, readings: &Readings) -> Finding {
    match name.chars().next().map(classify) {
        None | Some(CharClass::AsciiLetter | CharClass::Chinese) => Finding::Holds,
        Some(CharClass::ChineseExtended) => {
            Finding::open(OpenPoint::ChineseCharacter, readings.is(OpenPoint::ChineseCharacter, "refuse"))
        }
        Some(CharClass::FullWidthAlphanumeric) => {
            Finding::open(OpenPoint::FullWidthLatin, readings.is(OpenPoint::FullWidthLatin, "refuse"))
        }
        Some(_) => Finding::Broken,
    }
}

/// "Can contain digits, backslashes, colons, underscores, or hyphens", besides letters
/// (and, open, Chinese characters: [`OpenPoint::ChineseAfterFirst`]); checked after the
/// first character.
pub fn name_characters(name: &str, readings: &Readings) -> Finding {
    let chinese_refused = readings.is(OpenPoint::ChineseAfterFirst, "refuse");
    name.chars().skip(1).fold(Finding::Holds, |acc, c| {
        let v = match classify(c) {
            CharClass::AsciiLetter | CharClass::AsciiDigit | CharClass::ListedPunctuation => Finding::Holds,
            CharClass::Chinese => Finding::open(OpenPoint::ChineseAfterFirst, chinese_refused),
            CharClass::Backslash => {
                Finding::open(OpenPoint::NameBackslash, readings.is(OpenPoint::NameBackslash, "refuse"))
            }
            CharClass::Period => Finding::open(OpenPoint::NamePeriod, readings.is(OpenPoint::NamePeriod, "refuse")),
            CharClass::ChineseExtended => Finding::open(
                OpenPoint::ChineseCharacter,
                chinese_refused || readings.is(OpenPoint::ChineseCharacter, "refuse"),
            ),
            CharClass::FullWidthAlphanumeric => {
                Finding::open(OpenPoint::FullWidthLatin, readings.is(OpenPoint::FullWidthLatin, "refuse"))
            }
            CharClass::Other => Finding::Broken,
        };
        acc.and(v)
    })
}

/// The URL schemes a name or description cannot begin with.
pub const URL_PREFIXES: [&str; 2] = ["http://", "https://"];

/// "Cannot begin with http:// or https://."
pub fn url_prefix(text: &str, readings: &Readings) -> Finding {
    let starts = |t: &str, exact: bool| {
        URL_PREFIXES
            .iter()
            .any(|p| t.get(..p.len()).is_some_and(|head| if exact { head == *p } else { head.eq_ignore_ascii_case(p) }))
    };
    let any_case = readings.is(OpenPoint::UrlPrefixCase, "any-case");
    if starts(text, true) {
        Finding::Broken
    } else if starts(text, false) {
        Finding::open(OpenPoint::UrlPrefixCase, any_case)
    } else if starts(text.trim_start(), false) {
        let past_space = readings.is(OpenPoint::UrlPrefixWhitespace, "after-white-space");
        Finding::open(OpenPoint::UrlPrefixWhitespace, past_space && (any_case || starts(text.trim_start(), true)))
    } else {
        Finding::Holds
    }
}

/// Description characters: the seed sets no limit; control characters are open.
pub fn description_characters(text: &str, readings: &Readings) -> Finding {
    if text.chars().any(char::is_control) {
        Finding::open(OpenPoint::DescriptionControl, readings.is(OpenPoint::DescriptionControl, "refuse"))
    } else {
        Finding::Holds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(point: OpenPoint, emulator_rejects: bool) -> Finding {
        Finding::Open { point, emulator_rejects }
    }

    fn d() -> Readings {
        Readings::emulator()
    }

    fn with(reading: &str) -> Readings {
        Readings::of(&[reading.parse().unwrap()]).unwrap()
    }

    #[test]
    fn name_lengths_at_the_bounds() {
        let n = |k| "a".repeat(k);
        assert_eq!(length(&n(1), 2, 128, &d()), Finding::Broken);
        assert_eq!(length(&n(2), 2, 128, &d()), Finding::Holds);
        assert_eq!(length(&n(128), 2, 128, &d()), Finding::Holds);
        assert_eq!(length(&n(129), 2, 128, &d()), Finding::Broken);
        assert_eq!(length("", 2, 128, &d()), Finding::Broken);
        // 128 Chinese characters are 384 UTF-8 bytes and still 128 characters.
        assert_eq!(length(&"中".repeat(128), 2, 128, &d()), Finding::Holds);
        // An astral character is one scalar value but two UTF-16 units.
        let astral = format!("a{}", "\u{20000}".repeat(127));
        assert_eq!(length(&astral, 2, 128, &d()), open(OpenPoint::LengthUnit, false));
        assert_eq!(length("\u{20000}", 2, 128, &d()), open(OpenPoint::LengthUnit, true));
    }

    #[test]
    fn first_characters() {
        assert_eq!(name_first_character("abc", &d()), Finding::Holds);
        assert_eq!(name_first_character("中文", &d()), Finding::Holds);
        for bad in ["1a", "_a", " a", "😀a", "\u{301}a", "Дa", "éa", "かa", "\\a", ".a", "-a"] {
            assert_eq!(name_first_character(bad, &d()), Finding::Broken, "{bad}");
        }
        assert_eq!(name_first_character("Ａb", &d()), open(OpenPoint::FullWidthLatin, true));
        assert_eq!(name_first_character("\u{3400}b", &d()), open(OpenPoint::ChineseCharacter, false));
    }

    #[test]
    fn later_characters() {
        assert_eq!(name_characters("a1:_-Z", &d()), Finding::Holds);
        assert_eq!(name_characters("a1:_-中Z", &d()), open(OpenPoint::ChineseAfterFirst, false));
        assert_eq!(name_characters("a\\b", &d()), open(OpenPoint::NameBackslash, false));
        assert_eq!(name_characters("a.b", &d()), open(OpenPoint::NamePeriod, false));
        assert_eq!(name_characters("a.b１", &d()), open(OpenPoint::NamePeriod, true));
        for p in "!\"#$%&'()*+,/;<=>?@[]^`{|}~ ".chars() {
            assert_eq!(name_characters(&format!("a{p}b"), &d()), Finding::Broken, "{p:?}");
        }
        assert_eq!(name_characters("a\u{0}b", &d()), Finding::Broken);
        assert_eq!(name_characters("a\u{fffd}", &d()), Finding::Broken);
    }

    #[test]
    fn url_prefixes() {
        assert_eq!(url_prefix("http://x", &d()), Finding::Broken);
        assert_eq!(url_prefix("https://x", &d()), Finding::Broken);
        assert_eq!(url_prefix("HTTP://x", &d()), open(OpenPoint::UrlPrefixCase, true));
        assert_eq!(url_prefix("  https://x", &d()), open(OpenPoint::UrlPrefixWhitespace, false));
        assert_eq!(url_prefix("see http://x", &d()), Finding::Holds);
        assert_eq!(url_prefix("http:/x", &d()), Finding::Holds);
        assert_eq!(url_prefix("ht", &d()), Finding::Holds);
        assert_eq!(url_prefix("h\u{e9}tp://", &d()), Finding::Holds);
        // Read past white space, a prefix behind it breaks the rule in its exact case,
        // and in another case only where case is read loosely too (the default).
        let past = with("url-prefix-whitespace=after-white-space");
        assert_eq!(url_prefix("  https://x", &past), open(OpenPoint::UrlPrefixWhitespace, true));
        assert_eq!(url_prefix("  HTTPS://x", &past), open(OpenPoint::UrlPrefixWhitespace, true));
        let strict_case = Readings::of(&[
            "url-prefix-whitespace=after-white-space".parse().unwrap(),
            "url-prefix-case=lowercase-only".parse().unwrap(),
        ])
        .unwrap();
        assert_eq!(url_prefix("  https://x", &strict_case), open(OpenPoint::UrlPrefixWhitespace, true));
        assert_eq!(url_prefix("  HTTPS://x", &strict_case), open(OpenPoint::UrlPrefixWhitespace, false));
    }

    #[test]
    fn other_readings_turn_what_they_say() {
        let astral = format!("a{}", "\u{20000}".repeat(127));
        assert_eq!(length(&astral, 2, 128, &with("length-unit=utf16-units")), open(OpenPoint::LengthUnit, true));
        assert_eq!(
            name_characters("a中", &with("chinese-after-first=refuse")),
            open(OpenPoint::ChineseAfterFirst, true)
        );
        assert_eq!(
            name_characters("a\u{3400}", &with("chinese-after-first=refuse")),
            open(OpenPoint::ChineseCharacter, true)
        );
        assert_eq!(name_characters("a\\b", &with("name-backslash=refuse")), open(OpenPoint::NameBackslash, true));
        assert_eq!(name_characters("a.b", &with("name-period=refuse")), open(OpenPoint::NamePeriod, true));
        assert_eq!(
            name_first_character("Ａb", &with("full-width-latin=accept")),
            open(OpenPoint::FullWidthLatin, false)
        );
        assert_eq!(
            name_first_character("\u{3400}b", &with("chinese-character=refuse")),
            open(OpenPoint::ChineseCharacter, true)
        );
        assert_eq!(
            url_prefix("HTTP://x", &with("url-prefix-case=lowercase-only")),
            open(OpenPoint::UrlPrefixCase, false)
        );
        let spaced = with("url-prefix-whitespace=after-white-space");
        assert_eq!(url_prefix(" http://x", &spaced), open(OpenPoint::UrlPrefixWhitespace, true));
        let both = Readings::of(&[
            "url-prefix-whitespace=after-white-space".parse().unwrap(),
            "url-prefix-case=lowercase-only".parse().unwrap(),
        ])
        .unwrap();
        assert_eq!(url_prefix(" HTTP://x", &both), open(OpenPoint::UrlPrefixWhitespace, false));
        assert_eq!(
            description_characters("a\tb", &with("description-control-characters=refuse")),
            open(OpenPoint::DescriptionControl, true)
        );
        assert_eq!(description_characters("a\tb", &d()), open(OpenPoint::DescriptionControl, false));
    }
}
