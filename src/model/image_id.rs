//! The form of image ids: one home for how they are made and recognized.
//!
//! Newer documentation writes image ids as `m-` and 20 lowercase letters and digits
//! (`m-bp1h46wfpjsjastc****`); the seed's own examples (`m-281234567`,
//! `Img-231234567`) do not follow it, so the harness demands no form of another target
//! beyond a non-empty new id (protocol.md §1). The built-in emulator makes ids of the
//! newer form ([`random`]); generated worlds number theirs ([`numbered`]); snapshots
//! redact what [`looks_like`] an id a target made up.

use rand::RngExt;

/// What every id the emulator makes begins with.
pub const PREFIX: &str = "m-";
/// Letters and digits after the prefix in the newer documentation's form.
pub const TAIL: usize = 20;

/// An id of the newer form, random (the emulator's new images).
pub fn random() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..TAIL).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    format!("{PREFIX}{tail}")
}

/// The `n`-th id of a generated world: the newer form, zero-padded digits.
pub fn numbered(n: usize) -> String {
    format!("{PREFIX}{n:0width$}", width = TAIL)
}

/// Whether `id` has the newer documentation's form exactly.
pub fn is_documented_form(id: &str) -> bool {
    id.len() == PREFIX.len() + TAIL
        && id.starts_with(PREFIX)
        && id[PREFIX.len()..].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Whether a value looks like an id some target made up: the prefix and letters or
/// digits of any length and case (looser than [`is_documented_form`], so that
/// snapshots of other targets redact their ids too).
pub fn looks_like(id: &str) -> bool {
    id.len() > PREFIX.len() && id.starts_with(PREFIX) && id[PREFIX.len()..].bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_agree() {
        let r = random();
        assert!(is_documented_form(&r) && looks_like(&r), "{r}");
        assert_ne!(random(), r);
        assert_eq!(numbered(7), "m-00000000000000000007");
        assert!(is_documented_form(&numbered(7)));
        assert!(looks_like("m-281234567") && !is_documented_form("m-281234567"));
        assert!(!looks_like("Img-231234567") && !looks_like("m-") && !looks_like("m-a b"));
    }
}
