//! RFC 3986 percent-encoding and `application/x-www-form-urlencoded` decoding.
//!
//! Owns the one encoding that both signatures use (protocol.md §3: `A-Z a-z 0-9 - _ .
//! ~` stay, everything else `%XY` uppercase, space is `%20`) and the lenient decoding a
//! server applies to what it receives (`+` is a space, `%XY` a byte, anything else
//! itself). Bytes in, bytes out: invalid UTF-8 survives both ways.

use percent_encoding::{percent_decode, percent_encode_byte};

/// Percent-encodes bytes per RFC 3986.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    encode_into(&mut out, bytes);
    out
}

/// Percent-encodes bytes per RFC 3986 onto the end of `out`.
pub fn encode_into(out: &mut String, bytes: &[u8]) {
    // Runs of unreserved bytes are pushed whole (they are ASCII, so each run is a
    // `&str`), each other byte as its `%XY`: a megabyte of letters costs one scan and
    // one copy.
    out.reserve(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        let run = rest.iter().position(|&b| !unreserved(b)).unwrap_or(rest.len());
        if let Ok(text) = std::str::from_utf8(&rest[..run]) {
            out.push_str(text);
        }
        if let Some(&b) = rest.get(run) {
            out.push_str(percent_encode_byte(b));
            rest = &rest[run + 1..];
        } else {
            rest = &[];
        }
    }
}

/// Whether RFC 3986 leaves a byte as it is.
fn unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// [`unreserved`] for every byte, looked up rather than computed.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~');
        b += 1;
    }
    table
};

/// Decodes one form-urlencoded component: `+` is a space, `%XY` a byte.
pub fn decode(component: &[u8]) -> Vec<u8> {
    // Decoding never lengthens a component, so the output is allocated once (a `+` costs
    // one more copy, made first: `%2B` must stay a plus); with nothing to decode it is a
    // plain copy.
    let mut out = Vec::with_capacity(component.len());
    if component.contains(&b'+') {
        let spaced: Vec<u8> = component.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
        out.extend(percent_decode(&spaced));
    } else if component.contains(&b'%') {
        out.extend(percent_decode(component));
    } else {
        out.extend_from_slice(component);
    }
    out
}

/// Splits a query string or form body into decoded `(name, value)` pairs, in order.
/// Empty segments (`a=1&&b=2`) are skipped; a segment without `=` has an empty value.
pub fn parse_pairs(raw: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    raw.split(|&b| b == b'&')
        .filter(|seg| !seg.is_empty())
        .map(|seg| match seg.iter().position(|&b| b == b'=') {
            Some(i) => (decode(&seg[..i]), decode(&seg[i + 1..])),
            None => (decode(seg), Vec::new()),
        })
        .collect()
}

/// How pairs of one name are ordered when a request is canonicalized (protocol.md §3
/// says only "sort by name (byte order)").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PairOrder {
    /// By name, then by value (as bytes): what the built-in emulator and the harness do.
    #[default]
    NameThenValue,
    /// By name only, pairs of one name kept in the order sent.
    NameOnly,
}

/// The canonical form both signatures sign: pairs sorted by name (and, with
/// [`PairOrder::NameThenValue`], by value), RFC 3986 encoded, `name=value` joined with
/// `&` (`name=` when empty).
pub fn canonical<'a>(pairs: impl Iterator<Item = (&'a [u8], &'a [u8])>, order: PairOrder) -> String {
    let mut sorted: Vec<(&[u8], &[u8])> = pairs.collect();
    match order {
        PairOrder::NameThenValue => sorted.sort_unstable(),
        PairOrder::NameOnly => sorted.sort_by(|a, b| a.0.cmp(b.0)),
    }
    join_pairs(&sorted)
}

/// Joins pairs as `name=value&...`, each side RFC 3986 encoded, in the order given.
pub fn join_pairs<N: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(N, V)]) -> String {
    let mut out = String::new();
    for (i, (n, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, n.as_ref());
        out.push('=');
        encode_into(&mut out, v.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_per_rfc3986() {
        assert_eq!(encode(b"a b*c~d+e/f:g=h&i"), "a%20b%2Ac~d%2Be%2Ff%3Ag%3Dh%26i");
        assert_eq!(encode("中".as_bytes()), "%E4%B8%AD");
        assert_eq!(encode(b"AZaz09-_.~"), "AZaz09-_.~");
    }

    #[test]
    fn encodes_every_byte_like_the_crate_does() {
        const RFC3986: &percent_encoding::AsciiSet =
            &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
        let all: Vec<u8> = (0..=255u8).chain(b"abc%\xff~".iter().copied()).collect();
        assert_eq!(encode(&all), percent_encoding::percent_encode(&all, RFC3986).to_string());
        assert_eq!(encode(b""), "");
    }

    #[test]
    fn decodes_plus_and_bytes() {
        assert_eq!(decode(b"a+b%20c"), b"a b c");
        assert_eq!(decode(b"%ff%FE"), vec![0xff, 0xfe]);
        assert_eq!(decode(b"100%"), b"100%");
        assert_eq!(decode(b"%zz"), b"%zz");
        assert_eq!(decode(b"plain-text_1.~"), b"plain-text_1.~");
        assert_eq!(decode("中".as_bytes()), "中".as_bytes());
        assert_eq!(decode(b""), b"");
    }

    #[test]
    fn orders_differ_only_for_repeated_names_out_of_order() {
        let pairs: Vec<(&[u8], &[u8])> = vec![(b"B", b"1"), (b"A", b"2"), (b"A", b"1")];
        assert_eq!(canonical(pairs.iter().copied(), PairOrder::NameThenValue), "A=1&A=2&B=1");
        assert_eq!(canonical(pairs.iter().copied(), PairOrder::NameOnly), "A=2&A=1&B=1");
    }

    #[test]
    fn pairs_with_empty_names_survive_canonicalization() {
        // Found by the `signatures` fuzz target (fuzz/artifacts, 2026-12-02): `&=&` is
        // a pair with an empty name and value, written back as `=`.
        let raw = b"BDe=2&A=10A&=&\xbd\xc2\xda\xd30&x+y";
        let pairs = parse_pairs(raw);
        assert!(pairs.contains(&(Vec::new(), Vec::new())));
        let borrowed: Vec<(&[u8], &[u8])> = pairs.iter().map(|(n, v)| (n.as_slice(), v.as_slice())).collect();
        let mut sorted = pairs.clone();
        sorted.sort();
        assert_eq!(parse_pairs(canonical(borrowed.into_iter(), PairOrder::NameThenValue).as_bytes()), sorted);
    }

    #[test]
    fn pairs_round_trip() {
        let pairs = vec![(b"A".to_vec(), b"x y".to_vec()), (b"B".to_vec(), vec![0xff]), (b"C".to_vec(), vec![])];
        let text = join_pairs(&pairs);
        assert_eq!(text, "A=x%20y&B=%FF&C=");
        assert_eq!(parse_pairs(text.as_bytes()), pairs);
        assert_eq!(parse_pairs(b"&&a&b=&"), vec![(b"a".to_vec(), vec![]), (b"b".to_vec(), vec![])]);
    }
}
