//! RFC 3986 percent-encoding and `application/x-www-form-urlencoded` decoding.
//!
//! Owns the one encoding that both signatures use (protocol.md §3: `A-Z a-z 0-9 - _ .
//! ~` stay, everything else `%XY` uppercase, space is `%20`) and the lenient decoding a
//! server applies to what it receives (`+` is a space, `%XY` a byte, anything else
//! itself). Bytes in, bytes out: invalid UTF-8 survives both ways.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, percent_encode};

/// Everything but the RFC 3986 unreserved characters.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes bytes per RFC 3986.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    encode_into(&mut out, bytes);
    out
}

/// Percent-encodes bytes per RFC 3986 onto the end of `out`.
pub fn encode_into(out: &mut String, bytes: &[u8]) {
    // The encoder yields runs of unchanged bytes and `%XY` triplets as `&str`s; pushing
    // them avoids the formatting machinery and a String per component.
    for chunk in percent_encode(bytes, RFC3986) {
        out.push_str(chunk);
    }
}

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

/// The canonical form both signatures sign: pairs sorted by name then value (as
/// bytes), RFC 3986 encoded, `name=value` joined with `&` (`name=` when empty).
pub fn canonical<'a>(pairs: impl Iterator<Item = (&'a [u8], &'a [u8])>) -> String {
    let mut sorted: Vec<(&[u8], &[u8])> = pairs.collect();
    sorted.sort_unstable();
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
    fn pairs_round_trip() {
        let pairs = vec![(b"A".to_vec(), b"x y".to_vec()), (b"B".to_vec(), vec![0xff]), (b"C".to_vec(), vec![])];
        let text = join_pairs(&pairs);
        assert_eq!(text, "A=x%20y&B=%FF&C=");
        assert_eq!(parse_pairs(text.as_bytes()), pairs);
        assert_eq!(parse_pairs(b"&&a&b=&"), vec![(b"a".to_vec(), vec![]), (b"b".to_vec(), vec![])]);
    }
}
