//! How each generated request is built, which readings a server may take of it, and
//! what the harness accepts: the audit behind "a request has one reading, or its
//! prediction covers every reading".
//!
//! Owns [`AUDIT`], one row per kind of change a generated case makes ([`audit_key`]
//! names the row of any [`Deviation`], so a new kind cannot be added without its row).
//! The oracle computes what is accepted from the exact request sent; these rows say,
//! for a reader of the rules, why a construction was chosen and what the readings
//! are. README's "How generated requests are built" section is generated from them.

use super::deviation::{Deviation, OpenProbe};
use super::newest::NewestProbe;
use crate::case::Tamper;

/// One row of the audit.
#[derive(Clone, Copy, Debug)]
pub struct Construction {
    /// The kind of change, as case files and replay files spell it.
    pub key: &'static str,
    /// How the request is built.
    pub built: &'static str,
    /// The readings a server may take of it (open points), or "one".
    pub readings: &'static str,
    /// What the harness accepts.
    pub accepted: &'static str,
}

const fn c(key: &'static str, built: &'static str, readings: &'static str, accepted: &'static str) -> Construction {
    Construction { key, built, readings, accepted }
}

/// The audit, in the order of the generators.
pub const AUDIT: &[Construction] = &[
    c(
        "valid base",
        "A copy the anchor world allows. Names begin with a letter or a Chinese character and go on with letters, digits, `:`, `_`, `-` only (a Chinese character later is open); a 128-character name may begin with a Chinese character (130 UTF-8 bytes). V3 requests carry no `Format`.",
        "one",
        "success",
    ),
    c(
        "deviation:name-length",
        "A name of 129 to 10,000 characters of `a`, `Z` or `中`, or of 1 character.",
        "one (the length breaks under every count)",
        "InvalidImageName.Malformed",
    ),
    c(
        "deviation:name-first",
        "A name whose first character no reading allows first (digits, punctuation, spaces, emoji, combining marks, other scripts, kana, control characters).",
        "one",
        "InvalidImageName.Malformed",
    ),
    c(
        "deviation:name-inner",
        "A name with a character no reading allows after the first (unlisted ASCII punctuation, spaces, control characters, emoji, zero-width characters, other scripts).",
        "one",
        "InvalidImageName.Malformed",
    ),
    c("deviation:name-blank", "A name of spaces only.", "one", "InvalidImageName.Malformed"),
    c(
        "deviation:name-url",
        "A name beginning with lowercase `http://` or `https://`.",
        "one",
        "InvalidImageName.Malformed",
    ),
    c(
        "deviation:description-length",
        "A description of 257 to 10,000 characters.",
        "one",
        "InvalidDescription.Malformed",
    ),
    c(
        "deviation:description-url",
        "A description beginning with lowercase `http://` or `https://`.",
        "one",
        "InvalidDescription.Malformed",
    ),
    c(
        "deviation:unknown-source-region",
        "`RegionId` names no region.",
        "one",
        "SourceRegion.NotFound, InvalidImageId.NotFound",
    ),
    c(
        "deviation:unknown-destination-region",
        "`DestinationRegionId` names no region.",
        "one",
        "DestinationRegion.NotFound",
    ),
    c("deviation:same-region", "The destination is the source region.", "one", "IncorrectDestinationRegion"),
    c("deviation:destination-without-copy", "The destination does not support copying.", "one", "RegionNotSupportCopy"),
    c("deviation:unknown-image", "`ImageId` names no image.", "one", "InvalidImageId.NotFound"),
    c(
        "deviation:image-elsewhere",
        "`ImageId` names the caller's image in another region.",
        "one",
        "InvalidImageId.NotFound",
    ),
    c(
        "deviation:foreign-image",
        "The source belongs to another account.",
        "`cross-account-code`",
        "InvalidImageId.NotFound, Forbidden",
    ),
    c(
        "deviation:not-custom",
        "The source is a system, public or marketplace image.",
        "`non-custom-image`",
        "InvalidImageId.NotFound, Forbidden",
    ),
    c("deviation:status", "The source is not Available.", "one", "IncorrectImageStatus"),
    c(
        "deviation:too-old",
        "The source was created before 2013-07-14T10:00:00Z, when the 15th had begun nowhere.",
        "one",
        "InvalidSnapshot.TooOld",
    ),
    c("deviation:encrypted", "The source has an encrypted snapshot.", "one", "OperationDeined.EncryptedSnapshot"),
    c("deviation:being-copied", "A copy of the source is in progress.", "one", "OperationDenied.ImageCopying"),
    c(
        "deviation:name-taken",
        "The caller holds an image of that name in the destination.",
        "one",
        "InvalidImageName.Duplicated",
    ),
    c(
        "deviation:image-quota-full",
        "The caller holds as many custom images in the destination as its quota.",
        "one (`quota-counting`)",
        "QuotaExceed.Image",
    ),
    c(
        "deviation:snapshot-quota-full",
        "The caller holds as many snapshots in the destination as its quota: past it before the copy and after.",
        "one (both readings of `snapshot-quota-boundary` refuse)",
        "QuotaExceed.Snapshot",
    ),
    c("deviation:not-authorized", "The caller's account may not copy images.", "one", "Forbidden"),
    c("deviation:disabled-key", "The caller signs with a disabled key.", "one", "Forbidden.AccessKeyDisabled"),
    c(
        "tamper:omit",
        "A required parameter (or its V3 header) left out.",
        "`missing-signature-parameter` for the signature's parts; `v3-content-hash` for `x-acs-content-sha256`; `destination-region-missing`",
        "MissingParameter; IncompleteSignature for the signature's parts; IncorrectDestinationRegion or DestinationRegion.NotFound for the destination; a V3 request without its content hash verified with the body's own",
    ),
    c(
        "tamper:set",
        "`Action`, `Version`, `SignatureMethod` or `SignatureVersion` given another value, signed. Values are chosen so that no reading takes them for the documented one (no other letter case of `CopyImage` or `HMAC-SHA1`).",
        "`version-code`; `signature-algorithm`",
        "InvalidAction.NotFound; InvalidVersion 400 or 404; IncompleteSignature, InvalidParameter or SignatureDoesNotMatch",
    ),
    c(
        "tamper:duplicate",
        "A parameter sent a second time, every pair signed in name and value order.",
        "`duplicate-parameter`, `signature-pairs`, `signature-sort`",
        "InvalidParameter; the outcome of the request read with the first or the last value; SignatureDoesNotMatch from a server that signs what it read or sorts by name only",
    ),
    c(
        "tamper:method",
        "PUT, DELETE or PATCH, signed for that method (not OPTIONS, which a web server may answer as a CORS preflight, nor HEAD, which has no body to judge).",
        "`form-body-methods`, `early-refusal-format`",
        "UnsupportedHTTPMethod, or a gateway error found first (MissingParameter when a form body is not read); in the format asked for or in XML",
    ),
    c("tamper:bad-signature", "The signature altered after signing.", "one", "SignatureDoesNotMatch"),
    c("tamper:wrong-secret", "Signed with a secret that is not the key's.", "one", "SignatureDoesNotMatch"),
    c(
        "tamper:timestamp-offset",
        "A timestamp more than 960 s from the server's time.",
        "one",
        "InvalidTimeStamp.Expired",
    ),
    c(
        "tamper:timestamp-text",
        "A timestamp that is no RFC 3339 time.",
        "`timestamp-malformed-code`",
        "IllegalTimestamp, InvalidTimeStamp.Format",
    ),
    c(
        "tamper:reuse-nonce",
        "A request that authenticates, with the same nonce, sent first.",
        "one",
        "SignatureNonceUsed",
    ),
    c(
        "tamper:reuse-failed-nonce",
        "A request with the same nonce and a bad signature sent first.",
        "`nonce-memory`",
        "success, SignatureNonceUsed",
    ),
    c(
        "tamper:reuse-aged-nonce",
        "A request that authenticates, with the same nonce, sent first; the server's clock then advanced 900 to 1,199 s and the request signed for that time (targets with world control only).",
        "`nonce-memory`",
        "success, SignatureNonceUsed",
    ),
    c(
        "tamper:key",
        "Signed with an AccessKeyId the world does not hold.",
        "`access-key-status`",
        "InvalidAccessKeyId.NotFound 404 or 400",
    ),
    c(
        "tamper:raw-query",
        "A parameter name that is not UTF-8 appended to the query after signing.",
        "a server that refuses the name, or reads it as an unsigned parameter",
        "InvalidParameter, SignatureDoesNotMatch",
    ),
    c(
        "tamper:oversize",
        "A signed `Padding` parameter of 1 MiB in a form body, for V1 form POSTs and V3 only (V1 GET and query POSTs have no form body to sign it in).",
        "`body-limit`, `unknown-parameter`",
        "any 4xx refusal (its body not judged), or the request read whole: its own outcome, or InvalidParameter for `Padding`",
    ),
    c(
        "tamper:unsigned-header",
        "A V3 header left out of `SignedHeaders`.",
        "`v3-unsigned-header`",
        "IncompleteSignature, SignatureDoesNotMatch, success",
    ),
    c(
        "probe:name-char",
        "A name with a backslash, a period, a full-width letter or digit, or a Han character after the first character.",
        "`name-backslash`, `name-period`, `full-width-latin`, `chinese-character`, `chinese-after-first`",
        "success, InvalidImageName.Malformed",
    ),
    c(
        "probe:name-first",
        "A name beginning with a full-width letter or an uncommon Han character.",
        "`full-width-latin`, `chinese-character`",
        "success, InvalidImageName.Malformed",
    ),
    c(
        "probe:url-prefix",
        "A name or description beginning with a URL scheme in capitals or after spaces.",
        "`url-prefix-case`, `url-prefix-whitespace`",
        "success, Malformed",
    ),
    c(
        "probe:description-control",
        "A description with a control character.",
        "`description-control-characters`",
        "success, InvalidDescription.Malformed",
    ),
    c(
        "probe:unknown",
        "A parameter the seed does not list: names no revision defines, or newer names with a value that leaves the request as it is (`Encrypted=false`, `DryRun=false`, `Tag.1.Key=k`); not `regionid`, which a server matching names without case would read as `RegionId`, nor `ClientToken`.",
        "`unknown-parameter`",
        "its outcome, InvalidParameter",
    ),
    c(
        "probe:non-utf8",
        "A value that percent-decodes to invalid UTF-8.",
        "`non-utf8-value`",
        "InvalidParameter; the outcome of the value with U+FFFD; SignatureDoesNotMatch",
    ),
    c(
        "probe:timestamp-edge",
        "A timestamp 841 to 960 s from the server's time.",
        "`timestamp-window`",
        "success, InvalidTimeStamp.Expired",
    ),
    c(
        "probe:timestamp-form",
        "A timestamp in another RFC 3339 form (fractions, an offset, lowercase letters).",
        "`timestamp-form`",
        "success, IllegalTimestamp, InvalidTimeStamp.Format",
    ),
    c(
        "probe:too-old-edge",
        "A source created during the 15th of July 2013 somewhere on Earth.",
        "`too-old-boundary`",
        "success, InvalidSnapshot.TooOld",
    ),
    c(
        "probe:source-without-copy",
        "A source region without copy support.",
        "`source-region-without-copy`",
        "success, RegionNotSupportCopy",
    ),
    c(
        "probe:name-case",
        "A name taken in the destination but for letter case.",
        "`name-duplicate-case`",
        "success, InvalidImageName.Duplicated",
    ),
    c(
        "probe:empty-required",
        "A required parameter sent empty.",
        "`empty-required-value`",
        "MissingParameter, the value's own error",
    ),
    c(
        "probe:astral-name",
        "A name of astral Han characters whose UTF-16 length passes 128.",
        "`length-unit`, `chinese-character`, `chinese-after-first`",
        "success, InvalidImageName.Malformed",
    ),
    c(
        "probe:empty-name",
        "`DestinationImageName=`.",
        "`empty-name`",
        "success without a name, InvalidImageName.Malformed",
    ),
    c(
        "probe:format-other",
        "A `Format` that is neither XML nor JSON.",
        "`format-value`",
        "its outcome in XML or JSON, InvalidParameter",
    ),
    c(
        "probe:snapshot-quota-edge",
        "A source of 2 to 4 snapshots and room in the destination for all but one.",
        "`snapshot-quota-boundary`",
        "success, QuotaExceed.Snapshot",
    ),
    c(
        "newest:extras",
        "Under 2026-01, a valid copy may carry up to three good tags (`Tag.N.Key` of 1 to 12 letters, N 1 to 20, the value empty or up to 16 letters and digits), `Encrypted=false`, `DryRun=false` and a fresh `ClientToken` of `ct-` and 13 to 61 characters.",
        "one",
        "success",
    ),
    c(
        "newest:tag-index",
        "Under 2026-01, `Tag.0.*` or `Tag.21.*` to `Tag.29.*` with a good key and value.",
        "`tag-index`",
        "success, any 4xx refusal",
    ),
    c(
        "newest:tag-key",
        "Under 2026-01, `Tag.1.Key` empty, of 129 to 149 characters, holding `http://` or `https://`, or beginning with `aliyun` or `acs:`.",
        "one",
        "any 4xx refusal",
    ),
    c(
        "newest:tag-value",
        "Under 2026-01, a good `Tag.1.Key` and a `Tag.1.Value` of 129 to 149 characters, holding `http://` or `https://`, or beginning with `acs:`.",
        "one",
        "any 4xx refusal",
    ),
    c(
        "newest:tag-prefix-case",
        "Under 2026-01, a tag key beginning with `Aliyun`, `ALIYUN`, `ACS:` or `Acs:`, or a value beginning with `ACS:` or `Acs:`.",
        "`tag-prefix-case`",
        "success, any 4xx refusal",
    ),
    c(
        "newest:boolean-other",
        "Under 2026-01, `Encrypted` or `DryRun` of `yes`, `1`, `on` or empty.",
        "`boolean-value`",
        "success (read as false), any 4xx refusal",
    ),
    c(
        "newest:kms-without-encrypted",
        "Under 2026-01, a `KMSKeyId` (the page's example) with `Encrypted` absent or `false`.",
        "one",
        "InvalidParameter.EncryptedIllegal, InvalidEncrypted.NotMatchKmsKeyId",
    ),
    c(
        "newest:kms-with-encrypted",
        "Under 2026-01, a `KMSKeyId` with `Encrypted=true`.",
        "`kms-keys`, `encrypted-copy`",
        "success, the KMS rows, OperationDenied.EncryptSnapshotAcrossRegion",
    ),
    c(
        "newest:encrypt-algorithm",
        "Under 2026-01, `EncryptAlgorithm=hide` (the page's example), with or without `Encrypted=true`.",
        "`encrypt-algorithm`",
        "success, InvalidEncryptAlgorithm, InvalidEncrypted.NotMatchEncryptAlgorithm",
    ),
    c(
        "newest:encrypt-unencrypted",
        "Under 2026-01, `Encrypted=true` for the anchor's unencrypted source.",
        "`encrypted-copy`",
        "success, OperationDenied.EncryptSnapshotAcrossRegion",
    ),
    c(
        "newest:encrypt-encrypted",
        "Under 2026-01, `Encrypted=true` for a source with encrypted snapshots.",
        "`encrypted-copy`",
        "success, OperationDeined.EncryptedSnapshot",
    ),
    c(
        "newest:resource-group",
        "Under 2026-01, a `ResourceGroupId` (the page's example form).",
        "`resource-groups`",
        "success, InvalidResourceGroup.NotFound",
    ),
    c("newest:token-long", "Under 2026-01, a `ClientToken` of 65 to 200 ASCII characters.", "one", "any 4xx refusal"),
    c(
        "newest:token-non-ascii",
        "Under 2026-01, a `ClientToken` holding `é`, `中` or an emoji.",
        "one",
        "any 4xx refusal",
    ),
    c(
        "newest:dry-run",
        "Under 2026-01, `DryRun=true`.",
        "`dry-run-status`",
        "DryRunOperation with any 4xx status (or the error a check finds)",
    ),
    c(
        "newest:token-conflict",
        "Under 2026-01, a `ClientToken` the world remembers for the caller's earlier copy under another name.",
        "`client-token-reuse`",
        "InvalidOperation.Conflict, any 4xx refusal, the earlier ImageId",
    ),
    c(
        "newest:token-retry",
        "Under 2026-01, a `ClientToken` the world remembers for a copy of the same request, still in progress.",
        "one",
        "the earlier ImageId",
    ),
    c(
        "newest:token-gone",
        "Under 2026-01, a `ClientToken` the world remembers for a copy whose image is gone.",
        "`client-token-reuse`",
        "a new copy, the earlier ImageId, any 4xx refusal",
    ),
    c(
        "sequence",
        "Copies, clock advances and world reads, names reused from earlier copies; DescribeImages, CancelCopyImage (naming the copy or its source) and DeleteImage of the copies made, and pages of the destination; the scripted lives of a copy (watched until Available; refused deletion, cancelled, gone, copied again; cancelled once finished; paged; hidden by the default Status).",
        "one or several (`cancel-image`, `delete-copy-source`, `delete-copy-code`)",
        "what the model of the target predicts step by step",
    ),
];

/// The audit row of a deviation.
pub fn audit_key(v: &Deviation) -> &'static str {
    match v {
        Deviation::NameLength { .. } => "deviation:name-length",
        Deviation::NameFirst { .. } => "deviation:name-first",
        Deviation::NameInner { .. } => "deviation:name-inner",
        Deviation::NameBlank { .. } => "deviation:name-blank",
        Deviation::NameUrl { .. } => "deviation:name-url",
        Deviation::DescriptionLength { .. } => "deviation:description-length",
        Deviation::DescriptionUrl { .. } => "deviation:description-url",
        Deviation::UnknownSourceRegion => "deviation:unknown-source-region",
        Deviation::UnknownDestinationRegion => "deviation:unknown-destination-region",
        Deviation::SameRegion => "deviation:same-region",
        Deviation::DestinationWithoutCopy => "deviation:destination-without-copy",
        Deviation::UnknownImage => "deviation:unknown-image",
        Deviation::ImageElsewhere => "deviation:image-elsewhere",
        Deviation::ForeignImage => "deviation:foreign-image",
        Deviation::NotCustom { .. } => "deviation:not-custom",
        Deviation::Status { .. } => "deviation:status",
        Deviation::TooOld { .. } => "deviation:too-old",
        Deviation::Encrypted => "deviation:encrypted",
        Deviation::BeingCopied => "deviation:being-copied",
        Deviation::NameTaken => "deviation:name-taken",
        Deviation::ImageQuotaFull => "deviation:image-quota-full",
        Deviation::SnapshotQuotaFull { .. } => "deviation:snapshot-quota-full",
        Deviation::NotAuthorized => "deviation:not-authorized",
        Deviation::DisabledKey => "deviation:disabled-key",
        Deviation::Tamper { tamper } => match tamper {
            Tamper::Omit { .. } => "tamper:omit",
            Tamper::Set { .. } => "tamper:set",
            Tamper::Duplicate { .. } => "tamper:duplicate",
            Tamper::Method { .. } => "tamper:method",
            Tamper::BadSignature => "tamper:bad-signature",
            Tamper::WrongSecret => "tamper:wrong-secret",
            Tamper::TimestampOffset { .. } => "tamper:timestamp-offset",
            Tamper::TimestampText { .. } => "tamper:timestamp-text",
            Tamper::ReuseNonce => "tamper:reuse-nonce",
            Tamper::ReuseFailedNonce => "tamper:reuse-failed-nonce",
            Tamper::ReuseAgedNonce { .. } => "tamper:reuse-aged-nonce",
            Tamper::Key { .. } => "tamper:key",
            Tamper::RawQuery { .. } => "tamper:raw-query",
            Tamper::Oversize => "tamper:oversize",
            Tamper::UnsignedHeader { .. } => "tamper:unsigned-header",
        },
        Deviation::Open { probe } => match probe {
            OpenProbe::NameChar { .. } => "probe:name-char",
            OpenProbe::NameFirst { .. } => "probe:name-first",
            OpenProbe::UrlPrefix { .. } => "probe:url-prefix",
            OpenProbe::DescriptionControl { .. } => "probe:description-control",
            OpenProbe::Unknown { .. } => "probe:unknown",
            OpenProbe::NonUtf8 { .. } => "probe:non-utf8",
            OpenProbe::TimestampEdge { .. } => "probe:timestamp-edge",
            OpenProbe::TimestampForm { .. } => "probe:timestamp-form",
            OpenProbe::TooOldEdge { .. } => "probe:too-old-edge",
            OpenProbe::SourceWithoutCopy => "probe:source-without-copy",
            OpenProbe::NameCase => "probe:name-case",
            OpenProbe::EmptyRequired { .. } => "probe:empty-required",
            OpenProbe::AstralName { .. } => "probe:astral-name",
            OpenProbe::EmptyName => "probe:empty-name",
            OpenProbe::FormatOther { .. } => "probe:format-other",
            OpenProbe::SnapshotQuotaEdge { .. } => "probe:snapshot-quota-edge",
        },
        Deviation::Newest { probe } => match probe {
            NewestProbe::TagIndex { .. } => "newest:tag-index",
            NewestProbe::TagKey { .. } => "newest:tag-key",
            NewestProbe::TagValue { .. } => "newest:tag-value",
            NewestProbe::TagPrefixCase { .. } => "newest:tag-prefix-case",
            NewestProbe::BooleanOther { .. } => "newest:boolean-other",
            NewestProbe::KmsWithoutEncrypted { .. } => "newest:kms-without-encrypted",
            NewestProbe::KmsWithEncrypted => "newest:kms-with-encrypted",
            NewestProbe::EncryptAlgorithm { .. } => "newest:encrypt-algorithm",
            NewestProbe::EncryptUnencrypted => "newest:encrypt-unencrypted",
            NewestProbe::EncryptEncrypted => "newest:encrypt-encrypted",
            NewestProbe::ResourceGroup => "newest:resource-group",
            NewestProbe::TokenLong { .. } => "newest:token-long",
            NewestProbe::TokenNonAscii { .. } => "newest:token-non-ascii",
            NewestProbe::DryRun => "newest:dry-run",
            NewestProbe::TokenConflict => "newest:token-conflict",
            NewestProbe::TokenRetry => "newest:token-retry",
            NewestProbe::TokenGone => "newest:token-gone",
        },
    }
}

/// The row of a key.
pub fn row(key: &str) -> Option<&'static Construction> {
    AUDIT.iter().find(|c| c.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{arb_deviation, runner};
    use crate::wire::sign::Signing;
    use proptest::strategy::{Strategy, ValueTree};

    #[test]
    fn every_generated_deviation_has_its_row_and_keys_are_unique() {
        let mut keys: Vec<&str> = AUDIT.iter().map(|c| c.key).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key twice");
        for signing in Signing::ALL {
            let strategy = arb_deviation(signing);
            for i in 0..3000 {
                let v = strategy.new_tree(&mut runner(5, "audit", i)).unwrap().current();
                assert!(row(audit_key(&v)).is_some(), "no audit row for {v:?}");
            }
        }
        let newest = crate::generate::newest::arb_newest_probe();
        for i in 0..1000 {
            let probe = newest.new_tree(&mut runner(5, "audit-newest", i)).unwrap().current();
            let v = Deviation::Newest { probe };
            assert!(row(audit_key(&v)).is_some(), "no audit row for {v:?}");
        }
    }
}
