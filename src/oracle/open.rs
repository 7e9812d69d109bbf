//! Where the documentation is silent or contradicts itself, and what the oracle does.
//!
//! Owns [`OpenPoint`] and its table: each point's question, the sentence of the
//! documentation it reads, what the oracle accepts (every defensible reading, never one
//! picked silently) and the [`ReadingInfo`]s a server may take, the built-in emulator's
//! first. Points of kind [`PointKind::Decided`] keep one reading because the other
//! contradicts the quoted sentence; points of kind [`PointKind::Emulator`] are choices of
//! the built-in emulator that no document makes (a limit, a pick among acceptable
//! outcomes), which the oracle never demands of another server. [`Readings`] is a
//! choice of one reading per point: the built-in emulator serves any such choice
//! (`serve --reading POINT=READING`), while the harness accepts the outcome of every
//! reading. The readings' effects live where the rules do (the gateway, the API
//! layer, the text rules): this table names them, it does not repeat them. README's
//! "Open points" and "The emulator's own decisions" sections are generated from it
//! (`copyimage-conformance docs`) and a test keeps them equal.

use std::fmt;

/// Whether a point widens predictions, was settled, or is the emulator's own choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PointKind {
    /// The documents are silent or contradict themselves: every reading is accepted.
    Open,
    /// One reading: the other contradicts the quoted sentence.
    Decided,
    /// A choice of the built-in emulator that no document makes: every reading is
    /// accepted from other servers.
    Emulator,
}

/// One way a server may read a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReadingInfo {
    /// Kebab-case name, unique within its point.
    pub id: &'static str,
    /// What a server that takes this reading does.
    pub does: &'static str,
}

/// One row of the open-points table.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct PointInfo {
    /// Stable kebab-case id.
    pub id: &'static str,
    /// Open, decided or the emulator's own.
    pub kind: PointKind,
    /// What the documentation leaves open.
    pub question: &'static str,
    /// The sentence of the documentation the point reads, quoted, with its source.
    pub sentence: &'static str,
    /// What the oracle accepts, and why.
    pub oracle: &'static str,
    /// The readings a server may take, the built-in emulator's first.
    pub readings: &'static [ReadingInfo],
}

macro_rules! points {
    ($($variant:ident => $id:literal, $kind:ident,
        question: $q:literal, sentence: $s:literal, oracle: $o:literal,
        readings: [$($rid:literal => $rdoes:literal),+ $(,)?];)*) => {
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
                        sentence: $s,
                        oracle: $o,
                        readings: &[$(ReadingInfo { id: $rid, does: $rdoes }),+],
                    },)*
                }
            }
        }
    };
}

points! {
    Precedence => "several-violations", Decided,
        question: "A request breaks several rules at once; the documents give no order.",
        sentence: "protocol.md §5: \"Gateway errors common to every RPC API\"; the seed: \"Error codes specific to this interface are as follows.\"",
        oracle: "Gateway errors (reading the request, action, version, credentials, signature, timestamp, nonce, required parameters; protocol.md §5) come before the seed's own errors: a gateway answers a request before the API behind it sees it, so a server that answers an API error for a request its gateway refuses contradicts §5. Within the gateway, and within the API, no order is documented: the first stage with a certain violation answers, and any violated rule's error of that stage (or an open one before it) is accepted.",
        readings: ["gateway-first" => "answers gateway errors before API errors"];
    TooOldBoundary => "too-old-boundary", Open,
        question: "`InvalidSnapshot.TooOld`'s message says \"created before 2013-07-15\", its meaning says \"on or before July 15, 2013\", and neither names a time zone.",
        sentence: "seed: \"|InvalidSnapshot.TooOld|This operation is denied because the specified snapshot is created before 2013-07-15.|403|The specified ImageId (`ImageId`) is created on or before July 15, 2013.\"",
        oracle: "Images created before 2013-07-14T10:00:00Z (the 15th has not begun in any time zone) are too old; images created at or after 2013-07-16T12:00:00Z (the 15th has ended everywhere) are not; in between both answers are accepted.",
        readings: [
            "utc-15th" => "refuses images created before 2013-07-15T00:00:00Z (the message, in UTC)",
            "utc-16th" => "refuses images created before 2013-07-16T00:00:00Z (the meaning, \"on or before\", in UTC)",
            "earliest" => "refuses only images created before 2013-07-14T10:00:00Z",
            "latest" => "refuses every image created before 2013-07-16T12:00:00Z",
        ];
    ChineseCharacter => "chinese-character", Open,
        question: "What is a \"Chinese character\"?",
        sentence: "seed, DestinationImageName: \"Must begin with an uppercase or lowercase English letter, or a Chinese character.\"",
        oracle: "CJK Unified Ideographs (U+4E00 to U+9FFF) certainly are. Extension blocks A to H, the compatibility ideographs and U+3007 are Han characters outside the common set: accepted and refused both allowed. Kana, Hangul, CJK punctuation and radicals are not Chinese characters.",
        readings: [
            "accept" => "takes the extension and compatibility ideographs for Chinese characters",
            "refuse" => "takes only U+4E00 to U+9FFF for Chinese characters",
        ];
    ChineseAfterFirst => "chinese-after-first", Open,
        question: "May a Chinese character appear after the first character of a name?",
        sentence: "seed, DestinationImageName: \"Must begin with an uppercase or lowercase English letter, or a Chinese character. Can contain digits, backslashes (\\), colons (:), underscores (_), or hyphens (-).\"",
        oracle: "The sentence lists what a name may begin with and then what it \"can contain\", naming neither letters nor Chinese characters among the latter: a server that allows both after the first character and one that allows only letters (as a pattern such as `^[a-zA-Z\\u4e00-\\u9fa5][a-zA-Z0-9\\\\:_-]*$` does) read it each their way. Both answers are accepted.",
        readings: [
            "accept" => "accepts Chinese characters anywhere in a name",
            "refuse" => "accepts a Chinese character as the first character only",
        ];
    FullWidthLatin => "full-width-latin", Open,
        question: "Is a full-width Latin letter or digit (U+FF10 to U+FF5A) an \"English letter\" or a \"digit\"?",
        sentence: "seed, DestinationImageName: \"Must begin with an uppercase or lowercase English letter, or a Chinese character. Can contain digits, ...\"",
        oracle: "Both answers accepted for full-width letters and digits; full-width punctuation is refused like its ASCII twin would be if unlisted.",
        readings: [
            "refuse" => "refuses full-width letters and digits",
            "accept" => "takes full-width letters and digits for letters and digits",
        ];
    LengthUnit => "length-unit", Open,
        question: "Do the name's [2, 128] and the description's [0, 256] count characters or bytes?",
        sentence: "seed: \"Can be [2, 128] characters in length.\" and \"Length is [0,256] characters.\"",
        oracle: "Characters: the seed says \"characters\", so counting UTF-8 bytes (a 50-character Chinese name is 150 bytes) is not a defensible reading. Servers written in Java or JavaScript count UTF-16 code units; where the count in Unicode scalar values and in UTF-16 units fall on different sides of a bound, both answers are accepted.",
        readings: [
            "scalar-values" => "counts Unicode scalar values",
            "utf16-units" => "counts UTF-16 code units",
        ];
    NameBackslash => "name-backslash", Open,
        question: "The seed's English page allows backslashes in names; the Chinese original of the same date does not list them, and later revisions replace them with periods.",
        sentence: "seed, DestinationImageName: \"Can contain digits, backslashes (\\), colons (:), underscores (_), or hyphens (-).\" (protocol.md §6: \"the Chinese original of the same date lists no backslash\")",
        oracle: "A backslash after the first character: accepted and refused both allowed.",
        readings: [
            "accept" => "accepts backslashes after the first character (the seed's text)",
            "refuse" => "refuses backslashes (the Chinese original)",
        ];
    NamePeriod => "name-period", Open,
        question: "The seed does not list the period among name characters; later English revisions do.",
        sentence: "seed, DestinationImageName: \"Can contain digits, backslashes (\\), colons (:), underscores (_), or hyphens (-).\" (protocol.md §6: \"later English pages list periods instead\")",
        oracle: "A period after the first character: accepted and refused both allowed.",
        readings: [
            "accept" => "accepts periods after the first character (later revisions; the SDK's examples use names such as `img.name:v1_x-y`)",
            "refuse" => "refuses periods (the seed lists none)",
        ];
    EmptyName => "empty-name", Open,
        question: "Is `DestinationImageName=` (empty) the same as leaving the name out (\"Default value: null\")?",
        sentence: "seed, DestinationImageName: \"Can be [2, 128] characters in length. ... Default value: null.\"",
        oracle: "Both answers accepted: a server may read an empty value as a name of 0 characters, outside [2, 128], or as no name at all, as `empty-required-value` lets it read an empty required value as a missing one.",
        readings: [
            "malformed" => "refuses it as a name of 0 characters",
            "absent" => "copies the image with no name",
        ];
    CrossAccount => "cross-account-code", Open,
        question: "\"Coping a cross-account image is not allowed\" names no error code.",
        sentence: "seed, Description: \"You can only copy the image within your Alibaba Cloud account. Coping a cross-account image is not allowed.\"",
        oracle: "Refused certainly; `InvalidImageId.NotFound` (400, the image is not visible to the caller) and `Forbidden` (403) are both accepted.",
        readings: [
            "not-found" => "answers InvalidImageId.NotFound",
            "forbidden" => "answers Forbidden",
        ];
    NonCustomImage => "non-custom-image", Open,
        question: "The page copies \"a custom image\"; it names no code for system, public or marketplace images.",
        sentence: "seed: \"Copies a custom image from one region to other regions.\"",
        oracle: "Refused certainly; `InvalidImageId.NotFound` (400, no such custom image) and `Forbidden` (403) are both accepted.",
        readings: [
            "not-found" => "answers InvalidImageId.NotFound",
            "forbidden" => "answers Forbidden",
        ];
    DestinationOptional => "destination-region-missing", Open,
        question: "`DestinationRegionId` is required in the seed and optional from mid-2019 (then the copy stays in the source region).",
        sentence: "seed: \"|DestinationRegionId|String|Yes|ID of the region to where the destination custom image belongs.|\" (protocol.md §6: \"`DestinationRegionId`: required in the seed; optional from mid-2019\")",
        oracle: "Absent: refused certainly, as `MissingParameter` (the seed), `IncorrectDestinationRegion` (the newer default is the source region, which the seed forbids) or `DestinationRegion.NotFound` (no such region). Under profile 2026-01, where the parameter is optional, a copy that stays in the source region is acceptable too.",
        readings: [
            "missing-parameter" => "answers MissingParameter",
            "same-region" => "takes the source region and answers IncorrectDestinationRegion",
            "region-not-found" => "answers DestinationRegion.NotFound",
        ];
    EmptyRequired => "empty-required-value", Open,
        question: "Is a required parameter sent with an empty value (`ImageId=`) missing, or present and wrong?",
        sentence: "protocol.md §5: \"MissingParameter | 400 | The input parameter \"X\" that is mandatory for processing this request is not supplied.\"",
        oracle: "Refused certainly, as `MissingParameter` or as the error of the value being wrong (`InvalidImageId.NotFound` and so on).",
        readings: [
            "missing-parameter" => "answers MissingParameter",
            "value-error" => "answers the error of the value being wrong",
        ];
    UrlPrefixCase => "url-prefix-case", Open,
        question: "\"Cannot begin with http:// or https://\": does `HTTP://` count?",
        sentence: "seed, DestinationImageName and DestinationDescription: \"Cannot begin with http:// or https://.\"",
        oracle: "The exact lowercase prefixes are refused certainly; other cases are accepted and refused both (URL schemes are case-insensitive, the sentence is literal).",
        readings: [
            "any-case" => "refuses the prefixes in any letter case",
            "lowercase-only" => "refuses only the lowercase prefixes",
        ];
    UrlPrefixWhitespace => "url-prefix-whitespace", Open,
        question: "Does \" http://x\" (leading white space) begin with `http://`?",
        sentence: "seed, DestinationDescription: \"Cannot begin with http:// or https://.\"",
        oracle: "Both answers accepted (a server that looks past leading white space refuses it).",
        readings: [
            "literal" => "accepts it: the text does not begin with the prefix",
            "after-white-space" => "refuses a prefix after leading white space",
        ];
    DescriptionControl => "description-control-characters", Open,
        question: "The seed puts no character limit on descriptions; may they hold control characters or NUL?",
        sentence: "seed: \"|InvalidDescription.Malformed|The specified description is wrongly formed.|400|The description of the specified destination custom image (`DestinationDescription`) is invalid.|\"",
        oracle: "Both answers accepted.",
        readings: [
            "accept" => "accepts control characters in descriptions",
            "refuse" => "refuses them as a malformed description",
        ];
    SourceRegionNoCopy => "source-region-without-copy", Open,
        question: "`RegionNotSupportCopy` is documented for the destination region; may a region without copy support be the source?",
        sentence: "seed: \"|RegionNotSupportCopy|The region not support copy.|403|The specified region of the destination image (`DestinationRegionId`) does not support image copying.|\"",
        oracle: "Both answers accepted.",
        readings: [
            "accept" => "copies out of a region without copy support",
            "refuse" => "answers RegionNotSupportCopy for the source region too",
        ];
    DuplicateParameter => "duplicate-parameter", Open,
        question: "A parameter given twice has no documented meaning.",
        sentence: "protocol.md §5: \"InvalidParameter | 400 |\" (no document gives a parameter two values)",
        oracle: "`InvalidParameter`, or the outcome of the request read with the first value, or with the last value; together with each reading of `signature-pairs` and `signature-sort`.",
        readings: [
            "refuse" => "answers InvalidParameter",
            "first-value" => "reads the first value",
            "last-value" => "reads the last value",
        ];
    SignaturePairs => "signature-pairs", Open,
        question: "When a name repeats, does the string to sign cover every pair as sent, or the parameters as the server read them?",
        sentence: "protocol.md §3: \"Take every parameter except `Signature`, empty-valued ones included; sort by name (byte order).\"",
        oracle: "Both: a server that keeps one value per name and signs what it kept computes another string to sign than the client, and answers `SignatureDoesNotMatch`.",
        readings: [
            "as-sent" => "signs every pair as sent",
            "as-read" => "signs the parameters as read, one value per name",
        ];
    SignatureSort => "signature-sort", Open,
        question: "protocol.md §3 sorts by name: in what order do two pairs of one name go?",
        sentence: "protocol.md §3: \"sort by name (byte order)\"",
        oracle: "Both: by name and then by value, or by name only, keeping the order sent.",
        readings: [
            "name-then-value" => "sorts pairs by name, then by value",
            "name-only" => "sorts pairs by name only, keeping the order sent",
        ];
    FormBodyMethods => "form-body-methods", Open,
        question: "Parameters may come in a form body; for which methods?",
        sentence: "protocol.md §1: \"A server must also accept parameters in an `application/x-www-form-urlencoded` body.\"",
        oracle: "Both: a server that reads form bodies of POST requests only, and one that reads them whatever the method.",
        readings: [
            "post" => "reads form bodies of POST requests",
            "any-method" => "reads form bodies of any request",
        ];
    EarlyRefusalFormat => "early-refusal-format", Open,
        question: "Is a refusal of the request itself (its method, size, parameter names, repeated names) written in the format asked for?",
        sentence: "protocol.md §1: \"`Format`: `XML` (default when absent) or `JSON`\"",
        oracle: "Both: such a refusal may come before the parameters are read, in the default format, or after, in the format asked for.",
        readings: [
            "asked" => "writes it in the format asked for",
            "default" => "writes it in XML, the default",
        ];
    NonUtf8 => "non-utf8-value", Open,
        question: "A value that percent-decodes to invalid UTF-8 is no text; is it refused by the gateway or judged by the API?",
        sentence: "protocol.md §3: \"Percent-encode names and values as UTF-8 per RFC 3986\"",
        oracle: "`InvalidParameter`; or the outcome of judging the value with invalid sequences replaced by U+FFFD; or `SignatureDoesNotMatch`, from a server that replaces them before it computes the string to sign.",
        readings: [
            "refuse" => "answers InvalidParameter",
            "replaced" => "judges the value with U+FFFD for each invalid sequence",
            "replaced-before-signing" => "replaces invalid sequences before signing, and so answers SignatureDoesNotMatch",
        ];
    UnknownParameter => "unknown-parameter", Open,
        question: "Parameters the seed does not list (newer ones such as `Encrypted` or `Tag.1.Key` among them).",
        sentence: "seed, Request parameters: the table lists Action, RegionId, ImageId, DestinationRegionId, DestinationImageName and DestinationDescription",
        oracle: "Ignored, or refused with `InvalidParameter`.",
        readings: [
            "ignore" => "ignores them",
            "refuse" => "answers InvalidParameter",
        ];
    FormatValue => "format-value", Open,
        question: "A `Format` value other than XML or JSON.",
        sentence: "protocol.md §1: \"`Format`: `XML` (default when absent) or `JSON`\"",
        oracle: "The outcome is unchanged and the reply may be XML or JSON; or the value is refused with `InvalidParameter`.",
        readings: [
            "xml" => "answers in XML",
            "json" => "answers in JSON",
            "refuse" => "answers InvalidParameter",
        ];
    TimestampWindow => "timestamp-window", Open,
        question: "\"Timestamp outside about ±15 minutes of server time\": where exactly is the edge?",
        sentence: "protocol.md §5: \"InvalidTimeStamp.Expired | 400 | timestamp outside about ±15 minutes of server time\"",
        oracle: "Within 14 minutes is valid, beyond 16 minutes expired; in between both answers are accepted.",
        readings: [
            "900-seconds" => "refuses timestamps more than 900 s away",
            "840-seconds" => "refuses timestamps more than 840 s away",
            "960-seconds" => "refuses timestamps more than 960 s away",
        ];
    TimestampForm => "timestamp-form", Open,
        question: "Must `Timestamp` be exactly `YYYY-MM-DDThh:mm:ssZ`, or is any RFC 3339 time (fractions, offsets) accepted?",
        sentence: "protocol.md §2: \"`Timestamp` (UTC `YYYY-MM-DDThh:mm:ssZ`)\"",
        oracle: "The documented form is valid; other RFC 3339 forms are accepted and refused both; anything else is malformed.",
        readings: [
            "any-rfc3339" => "accepts any RFC 3339 time",
            "documented-only" => "accepts only the documented form",
        ];
    TimestampCode => "timestamp-malformed-code", Open,
        question: "protocol.md gives two codes for a malformed timestamp, with uncertain wording.",
        sentence: "protocol.md §5: \"IllegalTimestamp / InvalidTimeStamp.Format | 400 | malformed timestamp (wording uncertain)\"",
        oracle: "`IllegalTimestamp` and `InvalidTimeStamp.Format`, both 400.",
        readings: [
            "illegal-timestamp" => "answers IllegalTimestamp",
            "invalid-timestamp-format" => "answers InvalidTimeStamp.Format",
        ];
    AccessKeyStatus => "access-key-status", Open,
        question: "`InvalidAccessKeyId.NotFound` is 404 in real replies and 400 in the docs' table.",
        sentence: "protocol.md §5: \"InvalidAccessKeyId.NotFound | 404 in real replies (docs table says 400)\"",
        oracle: "Both statuses accepted.",
        readings: [
            "404" => "answers with status 404",
            "400" => "answers with status 400",
        ];
    VersionCode => "version-code", Open,
        question: "The seed and protocol.md name no code for a wrong `Version`; real gateways answer `InvalidVersion` with no status on record.",
        sentence: "protocol.md §2: \"`Version` (`2014-05-26`)\"",
        oracle: "`InvalidVersion` with 400 or 404.",
        readings: [
            "400" => "answers InvalidVersion with status 400",
            "404" => "answers InvalidVersion with status 404",
        ];
    MissingSignatureParameter => "missing-signature-parameter", Open,
        question: "A missing `Signature`, `SignatureMethod` or `SignatureVersion` (or V3 `x-acs-content-sha256`): `MissingParameter` or `IncompleteSignature`?",
        sentence: "protocol.md §5: \"MissingParameter | 400 |\" and \"IncompleteSignature | 400 |\"",
        oracle: "Both accepted.",
        readings: [
            "missing-parameter" => "answers MissingParameter",
            "incomplete-signature" => "answers IncompleteSignature",
        ];
    V3ContentHash => "v3-content-hash", Open,
        question: "Must a V3 request carry `x-acs-content-sha256`, or may a server hash the body itself?",
        sentence: "protocol.md §4: \"Headers `host`, ..., `x-acs-content-sha256` (hex SHA-256 of the body ...)\" under \"what the current official SDK sends by default\"; the canonical request ends with the \"hex SHA-256 of the body\"",
        oracle: "A V3 request without it is refused (`MissingParameter` or `IncompleteSignature`) or verified with the body's own hash.",
        readings: [
            "required" => "refuses a V3 request without the header",
            "optional" => "verifies the signature with the body's own hash",
        ];
    SignatureAlgorithm => "signature-algorithm", Open,
        question: "A `SignatureMethod` other than `HMAC-SHA1`, a `SignatureVersion` other than `1.0`, or an unreadable V3 `Authorization` header.",
        sentence: "protocol.md §2: \"`SignatureMethod` (`HMAC-SHA1`), `SignatureVersion` (`1.0`)\"",
        oracle: "Refused certainly, as `IncompleteSignature` or `InvalidParameter`, or (for a V1 method or version a server knows otherwise) `SignatureDoesNotMatch`.",
        readings: [
            "incomplete-signature" => "answers IncompleteSignature",
            "invalid-parameter" => "answers InvalidParameter",
            "signature-mismatch" => "verifies with the algorithm named, and answers SignatureDoesNotMatch",
        ];
    V3UnsignedHeader => "v3-unsigned-header", Open,
        question: "A V3 request that leaves `host` or an `x-acs-*` header out of `SignedHeaders`.",
        sentence: "protocol.md §4: \"the SDK signs every header it set ..., so a verifier takes the list from `SignedHeaders`\"",
        oracle: "Accepted, or refused with `IncompleteSignature` or `SignatureDoesNotMatch`.",
        readings: [
            "incomplete-signature" => "answers IncompleteSignature",
            "signature-mismatch" => "answers SignatureDoesNotMatch",
            "accept" => "verifies the headers that are signed",
        ];
    NonceMemory => "nonce-memory", Open,
        question: "Is the nonce of a request that failed authentication remembered, and is a nonce remembered for exactly 15 minutes?",
        sentence: "protocol.md §5: \"SignatureNonceUsed | 400 | nonce reused within 15 minutes\"",
        oracle: "A nonce is certainly used once a request carrying it passed authentication less than 900 s ago. Reusing the nonce of a request that failed authentication, or one used 900 to 1,200 s ago, is accepted and refused both.",
        readings: [
            "authenticated-900-seconds" => "remembers the nonces of authenticated requests for 900 s",
            "failed-too" => "remembers the nonces of every request for 900 s",
            "1200-seconds" => "remembers the nonces of authenticated requests for 1,200 s",
        ];
    NameCase => "name-duplicate-case", Open,
        question: "Is `Existing-Name` a duplicate of `existing-name`?",
        sentence: "seed: \"|InvalidImageName.Duplicated|The destination image is exist.|400|The name of the destination custom image (`DestinationImageName`) is already in use.|\"",
        oracle: "Exact duplicates are refused certainly; names equal only when case is ignored are accepted and refused both.",
        readings: [
            "exact" => "compares names exactly",
            "ignore-case" => "compares names ignoring letter case",
        ];
    QuotaCounting => "quota-counting", Decided,
        question: "What counts against the destination's custom-image quota, and when is a copy refused for it?",
        sentence: "seed: \"|QuotaExceed.Image|The Image Quota exceeds.|403|No more images will be copied because you have exceeded your custom image quota.|\"; protocol.md §7: \"During a copy the new image exists in the destination region with status `Creating`\"",
        oracle: "Every custom image the account holds in the region counts, in any status: a copy in progress counts, because its image exists while it is copied (§7), so a server that leaves it out contradicts §7. A copy adds one image, so refusing a copy that would go past the quota and refusing once the account is at it are one test: images held ≥ quota.",
        readings: ["held-at-quota" => "refuses when the account holds as many custom images as its quota"];
    NewestConditions => "newest-conditions", Decided,
        question: "Under profile 2026-01 the newest page changes when some of the seed's rules break; until those conditions are encoded, what is accepted where the two pages disagree?",
        sentence: "copyimage-latest.md §7.2: DestinationDescription \"[0,256]\" → \"2 to 256\"; DestinationImageName \"must start with a letter\", \"cannot contain `http://` or `https://`\", \"cannot start with `acs:` or `aliyun`\"",
        oracle: "Under 2026-01, where the seed's condition and the newest page's disagree (a description of 0 or 1 characters; a name that begins with a letter that is not English, or with acs: or aliyun in any case), both answers are accepted: the suite demands neither. The emulator keeps the seed's answer. (An absent DestinationRegionId is point destination-region-missing.)",
        readings: ["seed" => "answers by the seed's conditions"];
    TagIndex => "tag-index", Open,
        question: "Under 2026-01, a `Tag.N.Key` or `Tag.N.Value` whose N is not 1 to 20: a bad tag, or a parameter the page does not list?",
        sentence: "copyimage-latest.md §2, Tag: \"The key of tag N of the image copy. Valid values of N: 1 to 20.\" (no Code; the page names no wire form, the 2021 page's is `Tag.N.Key`)",
        oracle: "Both readings: any 4xx refusal, or the parameter ignored as one the page does not list (a success where nothing else is broken).",
        readings: [
            "refuse" => "refuses the request with InvalidParameter",
            "ignore" => "ignores the parameter",
        ];
    TagPrefixCase => "tag-prefix-case", Open,
        question: "Under 2026-01, does \"cannot start with `aliyun` or `acs:`\" refuse a tag key or value that starts so in another case (`Aliyun`, `ACS:`)?",
        sentence: "copyimage-latest.md §2, Tag: \"The tag key cannot start with `aliyun` or `acs:`.\" \"The tag value ... cannot start with `acs:`.\"",
        oracle: "The prefixes as written are refused (any 4xx); in another case both a refusal and a success are accepted.",
        readings: [
            "any-case" => "refuses the prefixes in any case",
            "as-written" => "refuses the prefixes as written only",
        ];
    BooleanValue => "boolean-value", Open,
        question: "Under 2026-01, what does `Encrypted` or `DryRun` with a value other than `true` or `false` do?",
        sentence: "copyimage-latest.md §2: \"|Encrypted|boolean|No| ... - true - false Default value: false.\" and \"|DryRun|boolean|No| ... Default value: false.\"",
        oracle: "`true` and `false` in any case are the two values. Another value: any 4xx refusal, or the parameter read as its default, false.",
        readings: [
            "refuse" => "refuses the request with InvalidParameter",
            "default" => "reads the value as false",
        ];
    EncryptAlgorithmUnavailable => "encrypt-algorithm", Open,
        question: "Under 2026-01, `EncryptAlgorithm` \"is unavailable\", yet rows 8, 9 and 35 check it: is a value refused or ignored?",
        sentence: "copyimage-latest.md §2: \"|EncryptAlgorithm|string|No|**Note** This parameter is unavailable.|\"; §5 rows 8 and 9; §8 contradiction 6",
        oracle: "Both readings: `InvalidEncryptAlgorithm` or `InvalidEncrypted.NotMatchEncryptAlgorithm` (400), or the parameter ignored.",
        readings: [
            "refuse" => "refuses any value with InvalidEncryptAlgorithm (InvalidEncrypted.NotMatchEncryptAlgorithm without Encrypted=true)",
            "ignore" => "ignores the parameter",
        ];
    EncryptedCopy => "encrypted-copy", Open,
        question: "Under 2026-01, may `Encrypted=true` encrypt the copy of an unencrypted image, and may an encrypted image be copied to an encrypted one?",
        sentence: "copyimage-latest.md §2: \"Encrypted ... Specifies whether to encrypt the new image.\"; §5 row 31 \"The image do not contain encrypted snapshots, which do not support copying to encrypted ones.\", row 26 \"... which do not support copying.\", row 30 \"... which do not support copying to non-encrypted ones.\"; §8 contradiction 4",
        oracle: "With `Encrypted=true`: an unencrypted source may be copied (encrypted) or refused with row 31; an encrypted source may be copied or refused with row 26 or 30. Without it, an encrypted source is refused (rows 26 and 30 agree).",
        readings: [
            "parameter" => "encrypts the copy of any source when Encrypted=true",
            "rows" => "refuses Encrypted=true for an unencrypted source (row 31) and an encrypted one (row 26)",
        ];
    KmsKeys => "kms-keys", Open,
        question: "Under 2026-01, does a `KMSKeyId` given with `Encrypted=true` name a usable key?",
        sentence: "copyimage-latest.md §2: \"|KMSKeyId|string|No|The ID of the key used to encrypt the image copy.|\"; §5 rows 14, 32 to 34, 36, 41, 42 and 47",
        oracle: "The world model holds no KMS keys (README, rows not reached): a success and each KMS row are accepted.",
        readings: [
            "any-key" => "takes any KMSKeyId for a usable key",
            "no-key" => "knows no key: refuses every KMSKeyId with InvalidParameter.KMSKeyId.NotFound",
        ];
    ResourceGroups => "resource-groups", Open,
        question: "Under 2026-01, does a `ResourceGroupId` name a resource group of the caller?",
        sentence: "copyimage-latest.md §2: \"|ResourceGroupId|string|No|The ID of the resource group to which to assign the new image.|\"; §5 row 48",
        oracle: "The world model holds no resource groups: a success and `InvalidResourceGroup.NotFound` (404) are accepted.",
        readings: [
            "any-group" => "takes any ResourceGroupId for a group of the caller",
            "no-group" => "knows no group: refuses every ResourceGroupId with InvalidResourceGroup.NotFound",
        ];
    ClientTokenReuse => "client-token-reuse", Open,
        question: "Under 2026-01, what does a ClientToken already used for a copy do with other parameters, or after its image is gone?",
        sentence: "copyimage-latest.md §2, ClientToken: \"The client token that you want to use to ensure the idempotence of the request. You can use the client to generate the value, but you ensure sure that the value is unique among different requests.\"; §5 row 49 \"|409|InvalidOperation.Conflict|Request was denied due to conflict with a previous request, please try again later.|\"",
        oracle: "The same token with the same parameters (the page's parameters but ClientToken) while its image exists answers that image's ImageId and copies nothing: idempotence is what the parameter is for. With other parameters: `InvalidOperation.Conflict` (409), any 4xx refusal, or the earlier ImageId (a server keyed on the token alone); never a second copy. After the image is gone: a refusal, the earlier ImageId, or a new copy.",
        readings: [
            "conflict" => "answers InvalidOperation.Conflict for other parameters; copies afresh once the image is gone",
            "token-only" => "answers the earlier ImageId whatever the parameters while the image exists",
        ];
    DryRunStatus => "dry-run-status", Emulator,
        question: "Under 2026-01, with which HTTP status does a passing dry run answer `DryRunOperation`?",
        sentence: "copyimage-latest.md §2, DryRun: \"If the request passes the dry run, the `DryRunOperation` error code is returned.\" §5: \"`DryRunOperation` is named in the DryRun row but is not in this table. Its HTTP status is not found.\"",
        oracle: "`DryRunOperation` with any 4xx status; nothing is copied.",
        readings: [
            "400" => "answers DryRunOperation with 400",
            "412" => "answers DryRunOperation with 412",
        ];
    SnapshotQuotaBoundary => "snapshot-quota-boundary", Open,
        question: "\"You have exceeded your snapshot quota\": is a copy refused when it would go past the quota, or only once the account is at or past it?",
        sentence: "seed: \"|QuotaExceed.Snapshot|The maximum number of snapshots is exceeded.|403|No more images will be copied because you have exceeded your snapshot quota.|\"",
        oracle: "Snapshots held are the account's standalone snapshots in the destination plus those of its images there; a copy adds the source's snapshots. Refused certainly when both readings refuse (held ≥ quota and held + the source's > quota); where they differ, both answers are accepted.",
        readings: [
            "would-exceed" => "refuses when held + the source's snapshots > quota",
            "at-or-past" => "refuses when held ≥ quota",
        ];
    CopyingAnyDestination => "copying-any-destination", Decided,
        question: "\"The specified source custom image is being copied\": to any destination, or to the same one?",
        sentence: "seed: \"|OperationDenied.ImageCopying|The specified image is being copied.|403|The specified source custom image (`ImageId`) is being copied. Please try again later.|\"",
        oracle: "Any copy in progress of the source refuses a new one: the row's condition is that the source is being copied, which holds whatever the destination, so a server that starts a second copy while one runs answers a request the row describes with a success. (The newest pages' five concurrent copies are a later revision.)",
        readings: ["any-destination" => "refuses while any copy of the source runs"];
    UnknownWorld => "unknown-world", Open,
        question: "Against a target whose resources are unknown (a real cloud, no world staged), what do state rules say?",
        sentence: "protocol.md §1: \"nothing here was sent to the real cloud\" (the documents describe rules, not any account's resources)",
        oracle: "Every state rule may hold or be broken: only rules decided by the request alone are checked, and the report lists the others as not checkable.",
        readings: ["unknown" => "not applicable: the emulator always knows its world"];
    CancelImage => "cancel-image", Open,
        question: "Which image does CancelCopyImage take: the source being copied, or the copy?",
        sentence: "companions.md §2, CancelCopyImage 2018: \"|ImageId|String|Yes|ID of the source image that is being copied.|\" against \"|ImageCreatedNotFromCopy|The specified image is not the target image of a copy action.|400|\" (the 2020-11-05 page: RegionId is \"The region ID of the image copy.\")",
        oracle: "Both readings: the copy in its region cancels its copy, and so does the source in its region; each reading's refusal of the other image (`ImageCreatedNotFromCopy` or `IncorrectImageStatus` \"not coping\") is accepted too.",
        readings: [
            "copy" => "takes the copy (the target image) in the region it is copied to, as the 2020 page settles it",
            "source" => "takes the source image in its own region, as the 2018 parameter table says",
        ];
    DeleteCopySource => "delete-copy-source", Open,
        question: "May the source of a copy in progress be deleted?",
        sentence: "seed: \"You cannot delete an image (DeleteImage) when copying is in progress.\"; DeleteImage 2018: \"The specified custom image is being copied\"; DeleteImage 2020: \"the source image is being copied\"; the newest CopyImage page: \"the new image\"",
        oracle: "The copy itself is refused whatever the reading (it is also `Creating`, and `ImageIsCreating` refuses that); deleting its source is refused with `OperationDenied.ImageCopying` or allowed.",
        readings: [
            "refuse" => "refuses to delete the source of a copy in progress",
            "allow" => "deletes the source and lets the copy run",
        ];
    DeleteCopyCode => "delete-copy-code", Open,
        question: "Which Code refuses the deletion of a copy in progress: `OperationDenied.ImageCopying` or `ImageIsCreating`?",
        sentence: "companions.md §6: \"No 2018 page says which of the two codes a deletion during a copy yields. A strict oracle should accept either for the new image.\"",
        oracle: "Either Code, 403.",
        readings: [
            "image-copying" => "answers OperationDenied.ImageCopying",
            "image-is-creating" => "answers ImageIsCreating",
        ];
    ImageNotFoundStatus => "image-not-found-status", Open,
        question: "Is `InvalidImageId.NotFound` 404, as CancelCopyImage's page and DeleteImage's 2020 page give it, or 400, as the CopyImage seed does?",
        sentence: "companions.md §2: \"Note also that `InvalidImageId.NotFound` is 404 here, while the CopyImage seed has it at 400.\"",
        oracle: "For CancelCopyImage and DeleteImage both statuses are accepted; CopyImage keeps the seed's 400.",
        readings: [
            "404" => "answers 404, as the companion pages do",
            "400" => "answers 400, as the CopyImage seed does",
        ];
    DeleteMissingImage => "delete-missing-image", Open,
        question: "What does DeleteImage answer for an image that does not exist?",
        sentence: "DeleteImage 2018 has no `InvalidImageId.NotFound` row; 2019-05-31: \"If the specified custom image does not exist, the request will be ignored.\"; 2020-09-28: 404 `InvalidImageId.NotFound` (and the \"ignored\" sentence kept)",
        oracle: "`InvalidImageId.NotFound` (404 or 400), or a success that changes nothing.",
        readings: [
            "refuse" => "answers InvalidImageId.NotFound",
            "ignore" => "answers success and changes nothing",
        ];
    DeleteNotOwn => "delete-not-own", Open,
        question: "What does DeleteImage answer for an image that is not the caller's custom image (a system image, another account's)?",
        sentence: "DeleteImage 2018: \"Deletes a specified custom image.\" (no error row names such an image)",
        oracle: "A refusal: `InvalidImageId.NotFound` (404 or 400), `Forbidden` 403, or any other 4xx; never a success.",
        readings: [
            "not-found" => "answers InvalidImageId.NotFound: the caller has no such image",
            "forbidden" => "answers Forbidden",
        ];
    DeleteForceValue => "delete-force-value", Open,
        question: "What does DeleteImage do with a `Force` other than `true` or `false`?",
        sentence: "DeleteImage 2018: \"|Force|String|No|... Optional values: true: ... false: ...\" (no default, no error row)",
        oracle: "Refused with `InvalidParameter`, or read as either value (the model has no instances, so both delete alike).",
        readings: [
            "ignore" => "deletes as with false",
            "refuse" => "answers InvalidParameter",
        ];
    DescribeUnknownRegion => "describe-unknown-region", Open,
        question: "What does DescribeImages answer for a region that does not exist?",
        sentence: "DescribeImages 2018: \"|RegionId|String|Yes|...\" (its error table has no region row; CancelCopyImage and DeleteImage answer `InvalidRegionId.NotFound` 404)",
        oracle: "`InvalidRegionId.NotFound` (404 or 400), any other 4xx refusal, or an empty list.",
        readings: [
            "refuse" => "answers InvalidRegionId.NotFound 404, as the other companion pages do",
            "empty" => "answers an empty list",
        ];
    DescribeEmptyFilter => "describe-empty-filter", Open,
        question: "What does DescribeImages do with an optional filter given empty (`Status=`, `ImageOwnerAlias=`, `Usage=`, `ImageId=`, `ImageName=`)?",
        sentence: "DescribeImages 2018: \"|ImageOwnerAlias|String|No|... Default value: null.\" (no page says whether an empty value is none)",
        oracle: "A refusal (the filter's rule's errors or any 4xx), or a success whose listing is not judged.",
        readings: [
            "absent" => "reads an empty filter as no filter",
            "refuse" => "refuses an empty filter",
        ];
    DescribeStatusValue => "describe-status-value", Open,
        question: "What does DescribeImages do with a `Status` value outside Creating, Available, UnAvailable and CreateFailed?",
        sentence: "DescribeImages 2018: \"Optional values: Creating ... CreateFailed\" (later pages add `Waiting` and `Deprecated`; no error row)",
        oracle: "A refusal with `InvalidParameter` or any 4xx, or a filter the value matches nothing or the images of that status (`Waiting`, `Deprecated`).",
        readings: [
            "match" => "filters by the value as given",
            "refuse" => "answers InvalidParameter",
        ];
    DescribePagingValue => "describe-paging-value", Open,
        question: "What does DescribeImages do with a `PageSize` above 50 or below 1, a `PageNumber` below 1, or a value that is no integer?",
        sentence: "DescribeImages 2018: \"PageNumber ... Start value: 1.Default value: 1.\", \"PageSize ... Maximum value: 50.Default value: 10.\" (no error row; the maximum is 100 from 2018-10-26)",
        oracle: "A refusal (`InvalidParameter` or any 4xx) or a success whose page is not judged.",
        readings: [
            "refuse" => "answers InvalidParameter",
            "clamp" => "clamps the value into its range (a value that is no integer: the default)",
        ];
    OwnerAliasSpelling => "owner-alias-spelling", Open,
        question: "How is the Code of an unsupported `ImageOwnerAlias` spelled?",
        sentence: "DescribeImages 2018: \"|Invalidimageowneralias. valuenotsupported|...|400|\"; from 2020-10-26 `InvalidImageOwnerAlias.ValueNotSupported`",
        oracle: "Both spellings, 400.",
        readings: [
            "2018" => "spells it as the 2018 page does",
            "2020" => "spells it InvalidImageOwnerAlias.ValueNotSupported",
        ];
    PublicImageAlias => "public-image-alias", Open,
        question: "Which `ImageOwnerAlias` do community (public) images have, and does the default list them?",
        sentence: "DescribeImages 2018: \"system: Public images provided by Alibaba Cloud. self: Your custom images. others: Your images that are shared from other Alibaba Cloud users. marketplace: ...\"",
        oracle: "A community image may or may not be listed under `system` and under the default; its presence is not judged.",
        readings: [
            "system" => "lists community images as system images",
            "excluded" => "lists community images under no alias",
        ];
    DescribeNameMatch => "describe-name-match", Open,
        question: "Does the `ImageName` filter match names exactly, or names that contain it?",
        sentence: "DescribeImages 2018: \"|ImageName|String|No|The name of the image.|\"",
        oracle: "Images named exactly so must be listed; images whose name contains it may be; others must not.",
        readings: [
            "exact" => "lists images named exactly so",
            "contains" => "lists images whose name contains it",
        ];
    ReplyPageSize => "reply-page-size", Open,
        question: "Is DescribeImages' reply `PageSize` the page size asked for, or the number of images on the page?",
        sentence: "DescribeImages 2018, request: \"|PageSize|Integer|No|Sets the number of lines per page for queries per page. Maximum value: 50.Default value: 10.|\"; reply: \"|PageSize|Integer|The number of items on the current page.|\"",
        oracle: "Either is accepted: the page size the request set (or its default), or the number of images the page holds.",
        readings: [
            "requested" => "writes the page size asked for, or its default",
            "on-page" => "writes how many images the page holds",
        ];
    CreationTimeFormat => "creation-time-format", Open,
        question: "Does DescribeImages' `CreationTime` carry seconds?",
        sentence: "DescribeImages 2018: \"|CreationTime|String|Time of creation. It is represented according to ISO8601. UTC time is used. Format: YYYY-MM-DDThh:mmZ|\"; both examples: `2014-07-22T09:53:44Z`",
        oracle: "The image's creation time in either form is accepted: to the second, or to the minute.",
        readings: [
            "seconds" => "writes YYYY-MM-DDThh:mm:ssZ, as the examples do",
            "minutes" => "writes YYYY-MM-DDThh:mmZ, as the format line says",
        ];
    DescribeOrder => "describe-order", Emulator,
        question: "In which order does DescribeImages list images, and so which images does a page hold?",
        sentence: "no document orders the list",
        oracle: "When the list is longer than a page, which images a page holds is not judged, only how many.",
        readings: [
            "newest-first" => "lists the newest image first, ties by id",
            "oldest-first" => "lists the oldest image first, ties by id",
        ];
    BodyLimit => "body-limit", Emulator,
        question: "How large a request does a server read?",
        sentence: "no document gives a limit",
        oracle: "An oversize request is refused with any 4xx status (its body is not judged: a front proxy may answer it), or answered as the request read whole.",
        readings: [
            "1-mib" => "refuses bodies over 1 MiB with InvalidParameter",
            "none" => "reads bodies of up to 16 MiB whole",
        ];
    OutcomePick => "outcome-pick", Emulator,
        question: "Which of several acceptable outcomes does a server answer?",
        sentence: "no document orders the errors of one stage, nor settles an open point",
        oracle: "Any acceptable outcome.",
        readings: [
            "first" => "answers the first violated rule in rule-table order, with its first listed reply",
            "last" => "answers the last acceptable outcome",
        ];
}

impl OpenPoint {
    /// Stable id.
    pub fn id(self) -> &'static str {
        self.info().id
    }

    /// Finds a point by its id.
    pub fn from_id(id: &str) -> Option<OpenPoint> {
        OpenPoint::ALL.iter().copied().find(|p| p.id() == id)
    }

    /// The readings other than the built-in emulator's default.
    pub fn alternatives(self) -> impl Iterator<Item = Reading> {
        (1..self.info().readings.len()).map(move |i| Reading { point: self, index: i as u8 })
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

/// One reading of one point, written `POINT=READING` (`duplicate-parameter=last-value`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reading {
    /// The point.
    pub point: OpenPoint,
    /// Index into the point's readings; 0 is the built-in emulator's default.
    pub index: u8,
}

impl Reading {
    /// Its row.
    pub fn info(self) -> ReadingInfo {
        self.point.info().readings[usize::from(self.index)]
    }

    /// Every reading that is not a default, in table order.
    pub fn alternatives() -> Vec<Reading> {
        OpenPoint::ALL.iter().flat_map(|p| p.alternatives()).collect()
    }
}

impl fmt::Display for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.point.id(), self.info().id)
    }
}

impl std::str::FromStr for Reading {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (point, reading) = s
            .split_once('=')
            .ok_or_else(|| format!("`{s}` is not POINT=READING (see `copyimage-conformance readings`)"))?;
        let point = OpenPoint::from_id(point.trim())
            .ok_or_else(|| format!("no open point `{point}` (see `copyimage-conformance readings`)"))?;
        let readings = point.info().readings;
        let index = readings.iter().position(|r| r.id == reading.trim()).ok_or_else(|| {
            let ids: Vec<&str> = readings.iter().map(|r| r.id).collect();
            format!("`{point}` has no reading `{reading}` (it has {})", ids.join(", "))
        })?;
        Ok(Reading { point, index: index as u8 })
    }
}

impl serde::Serialize for Reading {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Reading {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A choice of one reading per point: what a server does where the documents leave it
/// free. The default is the built-in emulator's own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Readings {
    chosen: Vec<Reading>,
}

impl Readings {
    /// The built-in emulator's defaults.
    pub fn emulator() -> Readings {
        Readings::default()
    }

    /// Readings taken together; two readings of one point conflict.
    pub fn of(readings: &[Reading]) -> Result<Readings, String> {
        let mut chosen: Vec<Reading> = Vec::new();
        for r in readings {
            match chosen.iter().find(|c| c.point == r.point) {
                Some(c) if c != r => return Err(format!("{c} and {r} are two readings of one point")),
                Some(_) => {}
                None => chosen.push(*r),
            }
        }
        chosen.retain(|r| r.index != 0);
        chosen.sort();
        Ok(Readings { chosen })
    }

    /// The index of the reading taken for `point` (0: the emulator's default).
    pub fn index(&self, point: OpenPoint) -> usize {
        self.chosen.iter().find(|r| r.point == point).map_or(0, |r| usize::from(r.index))
    }

    /// The id of the reading taken for `point`.
    pub fn id(&self, point: OpenPoint) -> &'static str {
        point.info().readings[self.index(point)].id
    }

    /// Whether `point` is read its `id` way.
    pub fn is(&self, point: OpenPoint, id: &str) -> bool {
        self.id(point) == id
    }

    /// These readings, `point` read the default way.
    pub fn without(&self, point: OpenPoint) -> Readings {
        Readings { chosen: self.chosen.iter().copied().filter(|r| r.point != point).collect() }
    }

    /// The readings that are not defaults.
    pub fn chosen(&self) -> &[Reading] {
        &self.chosen
    }

    /// Whether every point is read the default way.
    pub fn is_default(&self) -> bool {
        self.chosen.is_empty()
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
            assert_eq!(OpenPoint::from_id(p.id()), Some(*p));
        }
    }

    #[test]
    fn ids_are_unique_and_readings_are_unique_within_a_point() {
        let mut ids: Vec<_> = OpenPoint::ALL.iter().map(|p| p.id()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        for p in OpenPoint::ALL {
            let info = p.info();
            let mut r: Vec<_> = info.readings.iter().map(|r| r.id).collect();
            r.sort_unstable();
            r.dedup();
            assert_eq!(r.len(), info.readings.len(), "{p}");
            // A decided point has one reading; an open one or the emulator's own has more
            // (but for the unknown world, which the emulator never meets).
            match info.kind {
                PointKind::Decided => assert_eq!(info.readings.len(), 1, "{p}"),
                _ if *p == OpenPoint::UnknownWorld => {}
                _ => assert!(info.readings.len() >= 2, "{p} has no other reading"),
            }
        }
    }

    #[test]
    fn readings_parse_and_conflict() {
        let last: Reading = "duplicate-parameter=last-value".parse().unwrap();
        assert_eq!(last.to_string(), "duplicate-parameter=last-value");
        let first: Reading = "duplicate-parameter=first-value".parse().unwrap();
        assert!(Readings::of(&[last, first]).is_err());
        let both = Readings::of(&[last, "body-limit=none".parse().unwrap()]).unwrap();
        assert_eq!(both.index(OpenPoint::DuplicateParameter), 2);
        assert!(both.is(OpenPoint::BodyLimit, "none"));
        assert!(both.is(OpenPoint::NamePeriod, "accept"));
        for bad in ["duplicate-parameter", "nowhere=x", "duplicate-parameter=sometimes"] {
            assert!(bad.parse::<Reading>().is_err(), "{bad}");
        }
        assert!(Readings::of(&["name-period=accept".parse().unwrap()]).unwrap().is_default());
        assert!(Reading::alternatives().iter().all(|r| r.index > 0));
    }
}
