//! Where the documentation is silent or contradicts itself, and what the oracle does.
//!
//! Owns [`OpenPoint`] and its table: each point's question, the readings the oracle
//! accepts (it never picks one silently) and the one the built-in emulator serves.
//! Points of kind [`PointKind::Decided`] are questions the issue asked to settle where
//! one reading is defensible; they never widen a prediction. README's "Open points"
//! section is generated from this table (`copyimage-conformance rules --markdown`) and a
//! test keeps the two equal.

use std::fmt;

/// Whether a point widens predictions or was settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PointKind {
    /// Several readings are defensible: the oracle accepts each.
    Open,
    /// One reading is defensible: the oracle applies it and says why.
    Decided,
}

/// One row of the open-points table.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct PointInfo {
    /// Stable kebab-case id.
    pub id: &'static str,
    /// Open or decided.
    pub kind: PointKind,
    /// What the documentation leaves open.
    pub question: &'static str,
    /// What the oracle accepts, and why.
    pub oracle: &'static str,
    /// What the built-in emulator answers.
    pub emulator: &'static str,
}

macro_rules! points {
    ($($variant:ident => $id:literal, $kind:ident, $q:literal, $o:literal, $e:literal;)*) => {
        /// A point where the documentation does not settle the outcome.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum OpenPoint { $(#[doc = $id] $variant,)* }

        impl OpenPoint {
            /// Every point, in table order.
            pub const ALL: &'static [OpenPoint] = &[$(OpenPoint::$variant,)*];

            /// Its row.
            pub fn info(self) -> PointInfo {
                match self {
                    $(OpenPoint::$variant => PointInfo {
                        id: $id,
                        kind: PointKind::$kind,
                        question: $q,
                        oracle: $o,
                        emulator: $e,
                    },)*
                }
            }
        }
    };
}

points! {
    Precedence => "several-violations", Decided,
        "A request breaks several rules at once; the seed gives no order.",
        "Rules are checked in layers: request (can the HTTP request be read), gateway (action, version, credentials, required parameters; protocol.md §5 calls these gateway errors, answered before the API sees the request), API (the seed's rules). The first layer with a certain violation answers; within it, any violated rule's error is accepted, because the seed's error table has no order. Errors of open violations in that layer or earlier are accepted too.",
        "Answers the first violated rule of the first violated layer, in rule-table order (see the rules table).";
    TooOldBoundary => "too-old-boundary", Open,
        "`InvalidSnapshot.TooOld`'s message says \"created before 2013-07-15\", its meaning says \"on or before July 15, 2013\", and neither names a time zone.",
        "Images created before 2013-07-14T10:00:00Z (the 15th has not begun in any time zone) are too old; images created at or after 2013-07-16T12:00:00Z (the 15th has ended everywhere) are not; in between both answers are accepted.",
        "Refuses images created before 2013-07-15T00:00:00Z (the message's reading, in UTC).";
    ChineseCharacter => "chinese-character", Open,
        "What is a \"Chinese character\"?",
        "CJK Unified Ideographs (U+4E00 to U+9FFF) certainly are. Extension blocks A to H, the compatibility ideographs and U+3007 are Han characters outside the common set: accepted and refused both allowed. Kana, Hangul, CJK punctuation and radicals are not Chinese characters.",
        "Accepts the extension and compatibility ideographs.";
    ChineseAfterFirst => "chinese-after-first", Decided,
        "May a Chinese character appear after the first character of a name?",
        "Yes. The sentence lists what a name must begin with and then what it \"can contain\" besides; letters and Chinese characters are the name's base alphabet, and no revision forbids them later in the name.",
        "Accepts them.";
    FullWidthLatin => "full-width-latin", Open,
        "Is a full-width Latin letter or digit (U+FF10 to U+FF5A) an \"English letter\" or a \"digit\"?",
        "Both answers accepted for full-width letters and digits; full-width punctuation is refused like its ASCII twin would be if unlisted.",
        "Refuses them.";
    LengthUnit => "length-unit", Open,
        "Do the name's [2, 128] and the description's [0, 256] count characters or bytes?",
        "Characters: the seed says \"characters\", so counting UTF-8 bytes (a 50-character Chinese name is 150 bytes) is not a defensible reading. Servers written in Java or JavaScript count UTF-16 code units; where the count in Unicode scalar values and in UTF-16 units fall on different sides of a bound, both answers are accepted.",
        "Counts Unicode scalar values.";
    NameBackslash => "name-backslash", Open,
        "The seed's English page allows backslashes in names; the Chinese original of the same date does not list them, and later revisions replace them with periods.",
        "A backslash after the first character: accepted and refused both allowed.",
        "Accepts it (the seed's text).";
    NamePeriod => "name-period", Open,
        "The seed does not list the period among name characters; later English revisions do.",
        "A period after the first character: accepted and refused both allowed.",
        "Accepts it (later revisions, and the official SDK's examples use names such as `img.name:v1_x-y`).";
    CrossAccount => "cross-account-code", Open,
        "\"Coping a cross-account image is not allowed\" names no error code.",
        "Refused certainly; `InvalidImageId.NotFound` (400, the image is not visible to the caller) and `Forbidden` (403) are both accepted.",
        "`InvalidImageId.NotFound`.";
    NonCustomImage => "non-custom-image", Open,
        "The page copies \"a custom image\"; it names no code for system, public or marketplace images.",
        "Refused certainly; `InvalidImageId.NotFound` (400, no such custom image) and `Forbidden` (403) are both accepted.",
        "`InvalidImageId.NotFound`.";
    DestinationOptional => "destination-region-missing", Open,
        "`DestinationRegionId` is required in the seed and optional from mid-2019 (then the copy stays in the source region).",
        "Absent: refused certainly, as `MissingParameter` (the seed), `IncorrectDestinationRegion` (the newer default is the source region, which the seed forbids) or `DestinationRegion.NotFound` (no such region).",
        "`MissingParameter`.";
    EmptyRequired => "empty-required-value", Open,
        "Is a required parameter sent with an empty value (`ImageId=`) missing, or present and wrong?",
        "Refused certainly, as `MissingParameter` or as the error of the value being wrong (`InvalidImageId.NotFound` and so on).",
        "`MissingParameter`.";
    EmptyName => "empty-name", Decided,
        "Is `DestinationImageName=` (empty) the same as leaving the name out (\"Default value: null\")?",
        "No: an empty name is present and has 0 characters, outside [2, 128]. Treating empty as absent is a common emulator bug the suite must be able to see.",
        "`InvalidImageName.Malformed`.";
    UrlPrefixCase => "url-prefix-case", Open,
        "\"Cannot begin with http:// or https://\": does `HTTP://` count?",
        "The exact lowercase prefixes are refused certainly; other cases are accepted and refused both (URL schemes are case-insensitive, the sentence is literal).",
        "Refuses any case.";
    UrlPrefixWhitespace => "url-prefix-whitespace", Open,
        "Does \" http://x\" (leading white space) begin with `http://`?",
        "Both answers accepted (a server that trims input refuses it).",
        "Accepts it (the text does not begin with the prefix).";
    DescriptionControl => "description-control-characters", Open,
        "The seed puts no character limit on descriptions; may they hold control characters or NUL?",
        "Both answers accepted.",
        "Accepts them.";
    SourceRegionNoCopy => "source-region-without-copy", Open,
        "`RegionNotSupportCopy` is documented for the destination region; may a region without copy support be the source?",
        "Both answers accepted.",
        "Accepts it.";
    DuplicateParameter => "duplicate-parameter", Open,
        "A parameter given twice has no documented meaning.",
        "`InvalidParameter`, or the outcome of the request read with the first value, or with the last value.",
        "`InvalidParameter`.";
    NonUtf8 => "non-utf8-value", Open,
        "A value that percent-decodes to invalid UTF-8 is no text; is it refused by the gateway or judged by the API?",
        "`InvalidParameter`, or the outcome of judging the value with invalid sequences replaced by U+FFFD.",
        "`InvalidParameter`.";
    UnknownParameter => "unknown-parameter", Open,
        "Parameters the seed does not list (newer ones such as `Encrypted` or `Tag.1.Key` among them).",
        "Ignored, or refused with `InvalidParameter`.",
        "Ignores them.";
    TimestampWindow => "timestamp-window", Open,
        "\"Timestamp outside about ±15 minutes of server time\": where exactly is the edge?",
        "Within 14 minutes is valid, beyond 16 minutes expired; in between both answers are accepted.",
        "Refuses beyond 900 seconds.";
    TimestampForm => "timestamp-form", Open,
        "Must `Timestamp` be exactly `YYYY-MM-DDThh:mm:ssZ`, or is any RFC 3339 time (fractions, offsets) accepted?",
        "The documented form is valid; other RFC 3339 forms are accepted and refused both; anything else is malformed.",
        "Accepts any RFC 3339 time.";
    TimestampCode => "timestamp-malformed-code", Open,
        "protocol.md gives two codes for a malformed timestamp, with uncertain wording.",
        "`IllegalTimestamp` and `InvalidTimeStamp.Format`, both 400.",
        "`IllegalTimestamp`.";
    AccessKeyStatus => "access-key-status", Open,
        "`InvalidAccessKeyId.NotFound` is 404 in real replies and 400 in the docs' table.",
        "Both statuses accepted.",
        "404.";
    VersionCode => "version-code", Open,
        "The seed and protocol.md name no code for a wrong `Version`; real gateways answer `InvalidVersion` with no status on record.",
        "`InvalidVersion` with 400 or 404.",
        "400.";
    MissingSignatureParameter => "missing-signature-parameter", Open,
        "A missing `Signature`, `SignatureMethod` or `SignatureVersion` (or V3 `x-acs-content-sha256`): `MissingParameter` or `IncompleteSignature`?",
        "Both accepted.",
        "`MissingParameter`.";
    SignatureAlgorithm => "signature-algorithm", Open,
        "A `SignatureMethod` other than `HMAC-SHA1`, a `SignatureVersion` other than `1.0`, or an unreadable V3 `Authorization` header.",
        "Refused certainly, as `IncompleteSignature` or `InvalidParameter`.",
        "`IncompleteSignature`.";
    V3UnsignedHeader => "v3-unsigned-header", Open,
        "A V3 request that leaves `host` or an `x-acs-*` header out of `SignedHeaders`.",
        "Accepted, or refused with `IncompleteSignature` or `SignatureDoesNotMatch`.",
        "`IncompleteSignature`.";
    NonceMemory => "nonce-memory", Open,
        "Is the nonce of a request that failed authentication remembered, and is a nonce remembered for exactly 15 minutes?",
        "A nonce is certainly used once a request carrying it passed authentication less than 900 s ago. Reusing the nonce of a request that failed authentication, or one used 900 to 1,200 s ago, is accepted and refused both.",
        "Remembers the nonces of authenticated requests for 900 s (at most 262,144, oldest forgotten first).";
    NameCase => "name-duplicate-case", Open,
        "Is `Existing-Name` a duplicate of `existing-name`?",
        "Exact duplicates are refused certainly; names equal only when case is ignored are accepted and refused both.",
        "Compares exactly.";
    FormatValue => "format-value", Open,
        "A `Format` value other than XML or JSON.",
        "The outcome is unchanged; the reply may be XML or JSON.",
        "XML.";
    QuotaCounting => "quota-counting", Decided,
        "What counts against the custom-image quota and the snapshot quota of the destination region?",
        "Every custom image the account holds in the region, in any status (copies in progress included: they exist as `Creating` images); snapshots are the account's standalone snapshots there plus those of its images. The copy is refused when it would go past the quota: images held ≥ quota, or snapshots held + the source's snapshots > quota.",
        "The same.";
    CopyingAnyDestination => "copying-any-destination", Decided,
        "\"The specified source custom image is being copied\": to any destination, or to the same one?",
        "Any copy in progress of the source refuses a new one (the seed's sentence names the source only; the newest pages' five concurrent copies are a later revision).",
        "The same.";
    UnknownWorld => "unknown-world", Open,
        "Against a target whose resources are unknown (a real cloud, no world staged), what do state rules say?",
        "Every state rule may hold or be broken: only rules decided by the request alone are checked, and the report lists the others as not checkable.",
        "Not applicable (the emulator always knows its world).";
}

impl OpenPoint {
    /// Stable id.
    pub fn id(self) -> &'static str {
        self.info().id
    }
}

impl fmt::Display for OpenPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl serde::Serialize for OpenPoint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_id() {
        for p in OpenPoint::ALL {
            assert_eq!(p.to_string(), p.id());
            assert_eq!(serde_json::to_string(p).unwrap(), format!("\"{}\"", p.id()));
        }
    }

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<_> = OpenPoint::ALL.iter().map(|p| p.id()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
