//! Parameter values, valid and adversarial.
//!
//! Owns the character classes the generators draw from (one per question the name rule
//! raises: ASCII letters, Chinese characters, other scripts, digits, punctuation,
//! spaces, emoji, combining marks, full-width Latin, control characters) and strategies
//! for valid names and descriptions. Which of these the documentation allows is not
//! decided here: the oracle decides from the request actually sent.

use proptest::prelude::*;

use crate::oracle::{DESCRIPTION_LENGTH, NAME_LENGTH};

/// Text of `len` characters drawn from the alphabet the `parts` spell in order (cheaper
/// than a regex strategy, and it shrinks towards the alphabet's first character and the
/// shortest length).
pub fn arb_text(parts: &[&str], len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    let chars: Vec<char> = parts.iter().flat_map(|p| p.chars()).collect();
    prop::collection::vec(prop::sample::select(chars), len).prop_map(|v| v.into_iter().collect())
}

/// ASCII lowercase letters.
pub const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
/// ASCII uppercase letters.
pub const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// ASCII digits.
pub const DIGITS: &str = "0123456789";
/// ASCII letters and digits.
pub const ALNUM: [&str; 3] = [LOWER, UPPER, DIGITS];

/// ASCII punctuation the seed neither lists nor leaves open: never valid in a name.
pub const FORBIDDEN_PUNCTUATION: &str = "!\"#$%&'()*+,/;<=>?@[]^`{|}~";

/// Characters that can never begin a name, one per class the issue names.
pub fn arb_bad_first_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select(vec!['0', '7', '9']),
        Just('_'),
        Just('-'),
        Just(':'),
        Just(' '),
        Just('\u{3000}'),                                             // ideographic space
        prop::sample::select(vec!['😀', '🚀', '🇨']),                  // emoji
        prop::sample::select(vec!['\u{301}', '\u{308}', '\u{20DD}']), // combining marks
        prop::sample::select(vec!['Д', 'λ', 'ע', 'ب', 'क', 'か', 'カ', '한', 'é', 'ß']), // other scripts
        prop::sample::select(FORBIDDEN_PUNCTUATION.chars().collect::<Vec<_>>()),
        prop::sample::select(vec!['！', '（', '，', '。', '、']), // full-width and CJK punctuation
        prop::sample::select(vec!['\u{0}', '\t', '\n', '\u{7f}']),
    ]
}

/// Characters that are never valid after the first character of a name.
pub fn arb_bad_inner_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(FORBIDDEN_PUNCTUATION.chars().collect::<Vec<_>>()),
        1 => Just(' '),
        1 => prop::sample::select(vec!['\u{0}', '\t', '\r', '\n', '\u{1b}', '\u{7f}', '\u{85}']),
        1 => prop::sample::select(vec!['😀', '🚀', '\u{200B}', '\u{FEFF}']),
        1 => prop::sample::select(vec!['\u{301}', '\u{308}']),
        1 => prop::sample::select(vec!['Д', 'λ', 'é', 'か', '한']),
        1 => prop::sample::select(vec!['！', '，', '。', '、', '\u{3000}']),
    ]
}

/// Characters whose validity in a name is an open point (backslash, period,
/// full-width letters and digits, Han characters, common or not, after the first).
pub fn arb_open_name_char() -> impl Strategy<Value = char> {
    prop::sample::select(vec![
        '\\',
        '.',
        'Ａ',
        'ｚ',
        '５',
        '\u{3400}',
        '\u{4DB5}',
        '\u{20000}',
        '\u{F900}',
        '\u{3007}',
        '文',
        '中',
    ])
}

/// Characters whose validity as a first character is open.
pub fn arb_open_first_char() -> impl Strategy<Value = char> {
    prop::sample::select(vec!['Ａ', 'ｚ', '\u{3400}', '\u{20000}', '\u{F900}'])
}

/// A valid image name under every reading: a letter or Chinese character, then
/// letters, digits, `:`, `_`, `-` (a Chinese character after the first is an open
/// point); 2 to 40 characters, or exactly 2 or 128 (the bounds). A 128-character name
/// may begin with a Chinese character: 128 characters, 130 UTF-8 bytes.
pub fn arb_valid_name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => arb_short_name(),
        1 => (prop::char::range('a', 'z'), prop::char::range('a', 'z')).prop_map(|(a, b)| format!("{a}{b}")),
        1 => (prop::sample::select(vec!['a', 'Z', '中']), prop::sample::select(vec!['a', '9', '-'])).prop_map(|(a, f)| format!("{a}{}", f.to_string().repeat(NAME_LENGTH.1 - 1))),
    ]
}

fn arb_short_name() -> impl Strategy<Value = String> {
    let first = prop_oneof![4 => prop::char::range('a', 'z'), 2 => prop::char::range('A', 'Z'), 1 => prop::char::range('\u{4E00}', '\u{4E2F}')];
    let rest = prop::collection::vec(
        prop_oneof![
            6 => prop::char::range('a', 'z'),
            2 => prop::char::range('0', '9'),
            1 => prop::sample::select(vec![':', '_', '-']),
            1 => prop::char::range('A', 'Z'),
        ],
        1..40,
    );
    (first, rest).prop_map(|(f, r)| std::iter::once(f).chain(r).collect())
}

/// A valid description: up to 60 characters of printable text, not starting with a URL.
pub fn arb_valid_description() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop::sample::select(vec!['d', '描']).prop_map(|c| c.to_string().repeat(DESCRIPTION_LENGTH.1)),
        arb_text(&[LOWER, UPPER, DIGITS, " ,.:;()中文镜像"], 1..=60)
            .prop_filter("no URL prefix", |s| !s.to_ascii_lowercase().trim_start().starts_with("http")),
    ]
}

/// Mixed-case or space-led URL prefixes (open points), never the exact lowercase ones.
pub fn arb_open_url_prefix() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["HTTP://", "Http://", "hTtPs://", "HTTPS://"]).prop_map(str::to_owned),
        (1usize..3, prop::sample::select(vec!["http://", "https://", "HTTP://"]))
            .prop_map(|(n, p)| format!("{}{p}", " ".repeat(n))),
    ]
}

/// Control characters for descriptions (open).
pub fn arb_control_char() -> impl Strategy<Value = char> {
    prop::sample::select(vec!['\u{0}', '\t', '\n', '\r', '\u{1b}', '\u{7f}'])
}
