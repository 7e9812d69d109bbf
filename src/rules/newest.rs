//! The newest CopyImage page (`reference/copyimage-latest.md`, change history to
//! 2026-01-06) as data, beside the seed's rules.
//!
//! Owns [`Doc`], the documentation profiles; [`ROWS`], the newest page's 50 error rows
//! in its order, each saying which of the seed's rules it continues or, if it is new,
//! whether the world model can reach it; [`CHANGES`], what the page changes in the
//! seed's parameters and usage notes, with the rules concerned; and
//! [`RuleId::errors_in`], a rule's replies under a profile; [`RuleId::holds_in`], the
//! profiles a rule holds in (the newest page's own rules, `Source::Newest`, hold under
//! `2026-01` only); and the newest page's parameter names and limits. Under `--doc
//! 2026-01` the oracle answers the seed's rules with these replies (`oracle::profile`)
//! and checks the newest page's own parameters (`oracle::newest`); rows that need a
//! world the model does not hold are data only. `docs --diff` prints the difference
//! rule by rule.

use std::fmt;
use std::str::FromStr;

use super::{ErrorSpec, Layer, RuleId, Source};

/// A documentation profile: the pages whose rules a run checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Doc {
    /// The June 2018 English CopyImage page (the seed) and the 2018 companion pages.
    #[default]
    June2018,
    /// The newest CopyImage page, change history to 2026-01-06.
    January2026,
}

impl Doc {
    /// Every profile, oldest first.
    pub const ALL: [Doc; 2] = [Doc::June2018, Doc::January2026];

    /// Its name on the command line and in reports (`2018-06`).
    pub const fn name(self) -> &'static str {
        match self {
            Doc::June2018 => "2018-06",
            Doc::January2026 => "2026-01",
        }
    }

    /// The page it follows.
    pub fn page(self) -> &'static str {
        match self {
            Doc::June2018 => "the June 2018 English CopyImage page (seed/000_fd8a1a4824b506a9.txt)",
            Doc::January2026 => "the newest CopyImage page, changes to 2026-01-06 (reference/copyimage-latest.md)",
        }
    }
}

impl fmt::Display for Doc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Doc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Doc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl Doc {
    /// Whether it is the seed's profile (the default, left out of files).
    pub fn is_seed(&self) -> bool {
        *self == Doc::June2018
    }
}

impl FromStr for Doc {
    type Err = String;

    fn from_str(s: &str) -> Result<Doc, String> {
        Doc::ALL.into_iter().find(|d| d.name() == s).ok_or_else(|| {
            let known: Vec<&str> = Doc::ALL.iter().map(|d| d.name()).collect();
            format!("unknown documentation profile `{s}` (known: {})", known.join(", "))
        })
    }
}

/// Whether the world model can reach a new row, and what it would need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Decided by the request alone (its parameters).
    Request(&'static str),
    /// Reachable once the world model holds this.
    World(&'static str),
    /// Not reachable: why.
    Beyond(&'static str),
}

/// What a row of the newest table is to the seed's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Continues {
    /// It is the reply of these seed rules under the newest page.
    Rules(&'static [RuleId]),
    /// It is new, and these rules (which hold in the newest page only) encode it.
    Encoded(&'static [RuleId]),
    /// It is new and not encoded.
    New(Reach),
}

/// One error row of the newest page (section 5), as written.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// Its place in the table, from 1.
    pub n: u8,
    /// HTTP status.
    pub status: u16,
    /// `Code`, as spelled (`Forbbiden`, `OperationDeined.EncryptedSnapshot`).
    pub code: &'static str,
    /// `Message`.
    pub message: &'static str,
    /// What it is to the seed's rules.
    pub continues: Continues,
}

const NAME: &[RuleId] = &[RuleId::NameLength, RuleId::NameFirstCharacter, RuleId::NameCharacters, RuleId::NamePrefix];
const DESCRIPTION: &[RuleId] = &[RuleId::DescriptionLength, RuleId::DescriptionPrefix, RuleId::DescriptionWellFormed];
const IMAGE: &[RuleId] = &[RuleId::ImageExists, RuleId::OwnImage, RuleId::CustomImage];

const fn row(n: u8, status: u16, code: &'static str, message: &'static str, continues: Continues) -> Row {
    Row { n, status, code, message, continues }
}

use Continues::{Encoded, New, Rules};
use Reach::{Beyond, World};

/// The newest page's error table, in its order (copyimage-latest.md §5).
pub const ROWS: [Row; 50] = [
    row(
        1,
        400,
        "InvalidDescription.Malformed",
        "The specified destination description is wrongly formed.",
        Rules(DESCRIPTION),
    ),
    row(2, 400, "SourceRegion.NotFound", "The source region not found.", Rules(&[RuleId::SourceRegion])),
    row(3, 400, "DestinationRegion.NotFound", "The destination region not found.", Rules(&[RuleId::DestinationRegion])),
    row(4, 400, "IncorrectImageStatus", "The image not available.", Rules(&[RuleId::ImageAvailable])),
    row(
        5,
        400,
        "InvalidSnapshotId.NotFound",
        "The specified SnapshotId does not exist.",
        New(Beyond("CopyImage takes no SnapshotId, and the model holds an image's snapshots as a count, not by id")),
    ),
    row(
        6,
        400,
        "InvalidImageName.Duplicated",
        "The specified image name is already in use in the target region. Please try a different one.",
        Rules(&[RuleId::NameUnique]),
    ),
    row(
        7,
        400,
        "InvalidParameter.EncryptedIllegal",
        "The specified parameter Encrypted must be true when kmsKeyId is not empty.",
        Encoded(&[RuleId::KmsKeyNeedsEncrypted]),
    ),
    row(
        8,
        400,
        "InvalidEncrypted.NotMatchEncryptAlgorithm",
        "The specified parameter Encrypted must be true when EncryptAlgorithm is not empty.",
        Encoded(&[RuleId::EncryptAlgorithm]),
    ),
    row(
        9,
        400,
        "InvalidEncryptAlgorithm",
        "The specified parameter EncryptAlgorithm is not valid.",
        Encoded(&[RuleId::EncryptAlgorithm]),
    ),
    row(
        10,
        400,
        "InvalidEncrypted.NotMatchKmsKeyId",
        "The specified parameter Encrypted must be true when KmsKeyId is not empty.",
        Encoded(&[RuleId::KmsKeyNeedsEncrypted]),
    ),
    row(
        11,
        400,
        "OperationDenied.CommunityImage",
        "Community image does not support copy.",
        New(World("community images, which the model holds (kind `public`); the seed answers InvalidImageId.NotFound")),
    ),
    row(12, 400, "InvalidImageName.Malformed", "The specified destination image name is wrongly formed.", Rules(NAME)),
    row(
        13,
        400,
        "InvalidImageName.Malformed",
        "Image names must be between 2 and 128 characters long, using either English or Chinese characters. The name must start with a letter or a Chinese character, and can include numbers, colons, underscores and hyphens.",
        Rules(NAME),
    ),
    row(
        14,
        400,
        "InvalidParameter.KmsNotEnabled",
        "The specified operation need enable KMS.",
        Encoded(&[RuleId::KmsKey]),
    ),
    row(
        15,
        400,
        "OperationDenied.ImageCopyConflict",
        "The same image cannot be copied concurrently. Please wait until the last copy is completed before performing the next operation.",
        Rules(&[RuleId::ImageNotCopying]),
    ),
    row(16, 400, "Account.Arrearage", "Your account has an outstanding payment.", New(World("accounts in arrears"))),
    row(
        17,
        401,
        "InvalidAliUid.IsNull",
        "The aliUid must not be null.",
        New(Beyond("the caller's account comes from its AccessKeyId; no request can leave it out")),
    ),
    row(
        18,
        403,
        "Forbbiden",
        "User not authorized to operate on the specified resource.",
        Rules(&[RuleId::Authorized, RuleId::OwnImage, RuleId::CustomImage]),
    ),
    row(19, 403, "QuotaExceed.Image", "The number of images exceeds the limit (%s).", Rules(&[RuleId::ImageQuota])),
    row(20, 403, "QuotaExceed.Snapshot", "The snapshot quota exceeds.", Rules(&[RuleId::SnapshotQuota])),
    row(
        21,
        403,
        "OperationDenied.ImageCopying",
        "The image is currently being copied. Please try again later.",
        Rules(&[RuleId::ImageNotCopying]),
    ),
    row(22, 403, "RegionNotSupportCopy", "The region not support copy.", Rules(&[RuleId::RegionSupportsCopy])),
    row(
        23,
        403,
        "InvalidSnapshot.TooOld",
        "This operation is denied because the specified snapshot is created before 2013-07-15.",
        Rules(&[RuleId::ImageAge]),
    ),
    row(
        24,
        403,
        "OperationDenied",
        "The specified snapshot is not allowed to create image.",
        New(Beyond("no page says which snapshots may not make an image")),
    ),
    row(
        25,
        403,
        "IncorrectDestinationRegion",
        "The destination region is not equal the target region.",
        Rules(&[RuleId::SameRegion]),
    ),
    row(
        26,
        403,
        "OperationDeined.EncryptedSnapshot",
        "The image contains encrypted snapshots, which do not support copying.",
        Rules(&[RuleId::ImageUnencrypted]),
    ),
    row(
        27,
        403,
        "OperationDenied.SameRegionOnly",
        "The image shared from others can not be copied to another region directly.",
        New(World("images shared with the caller by other accounts")),
    ),
    row(
        28,
        403,
        "OperationDenied.NotPublished",
        "The operation is denied because corresponding marketplace image is not published in destination region.",
        New(World("marketplace images and the regions they are published in")),
    ),
    row(
        29,
        403,
        "OperationDenied.NotAuthorized",
        "The operation is denied because corresponding marketplace image is not authorized to current user.",
        New(World("marketplace images and the accounts they are authorized to")),
    ),
    row(
        30,
        403,
        "OperationDeined.EncryptedSnapshot",
        "The image contains encrypted snapshots, which do not support copying to non-encrypted ones.",
        Rules(&[RuleId::ImageUnencrypted]),
    ),
    row(
        31,
        403,
        "OperationDenied.EncryptSnapshotAcrossRegion",
        "The image do not contain encrypted snapshots, which do not support copying to encrypted ones.",
        Encoded(&[RuleId::EncryptedCopy]),
    ),
    row(
        32,
        403,
        "InvalidParameter.KMSKeyId.KMSUnauthorized",
        "ECS service have no right to access your KMS.",
        Encoded(&[RuleId::KmsKey]),
    ),
    row(33, 403, "InvalidRegion.NotSupport", "The specified region does not support byok.", Encoded(&[RuleId::KmsKey])),
    row(34, 403, "UserNotInTheWhiteList", "The user is not in byok white list.", Encoded(&[RuleId::KmsKey])),
    row(
        35,
        403,
        "InvalidRegionId.NotSupportEncryptAlgorithm",
        "The current region does not support creating encrypted disks with EncryptAlgorithm.",
        New(Beyond(
            "EncryptAlgorithm is documented as unavailable; no page says which region supports which algorithm",
        )),
    ),
    row(
        36,
        403,
        "OperationDenied.KmsServiceUnauthorized",
        "The account is not authorized to kms service, please authorize it.",
        Encoded(&[RuleId::KmsKey]),
    ),
    row(
        37,
        403,
        "OperationDenied.NonCompliantDestinationRegion",
        "The copy operation to the destination region is not in compliance with regulations.",
        New(Beyond("no page says which destinations are compliant")),
    ),
    row(
        38,
        403,
        "InvalidEncrypted.NotMatchDiskDefaultEncryption",
        "The specified parameter Encrypted not match for your account default encryption settings.",
        New(World("an account's default disk encryption")),
    ),
    row(
        39,
        403,
        "InvalidParameter.DataEncryptedKeyCreateFailed",
        "Create kms data encrypted key fail. If you need further assistance, you can contact the KMS Technical Support.",
        New(Beyond("a failure inside KMS, not a documented condition")),
    ),
    row(
        40,
        403,
        "SizeExceed.Image",
        "The image exceeds the maximum size. You can use the CopySnapshot API to copy your snapshots of the image and then create a new image from them.",
        New(Beyond("no page gives the maximum size")),
    ),
    row(
        41,
        403,
        "InvalidParameter.KMSKeyId.CMKNotEnabled",
        "The CMK (Customer Master Key) must be in an active state.",
        Encoded(&[RuleId::KmsKey]),
    ),
    row(
        42,
        403,
        "InvalidParameter.KMSKeyId.CMKUnauthorized",
        "The CMK(Customer Master Key) lacks authorization to add tags to the ECS service.",
        Encoded(&[RuleId::KmsKey]),
    ),
    row(
        43,
        403,
        "InvalidOperation.VhdImageUnsupported",
        "The specified vhd image is not supported for this operation. Please switch to a raw image and retry.",
        New(World("an image's disk format, VHD or raw")),
    ),
    row(
        44,
        403,
        "InvalidOperation.CloudBoxImageCopyUnsupported",
        "Copying CloudBox images is not supported.",
        New(World("CloudBox images")),
    ),
    row(45, 404, "InvalidImageId.NotFound", "The specified ImageId does not exist.", Rules(IMAGE)),
    row(46, 404, "InvalidImageId.NotFound", "The specified image %s does not exist.", Rules(IMAGE)),
    row(
        47,
        404,
        "InvalidParameter.KMSKeyId.NotFound",
        "The specified KMSKeyId does not exist.",
        Encoded(&[RuleId::KmsKey]),
    ),
    row(
        48,
        404,
        "InvalidResourceGroup.NotFound",
        "The ResourceGroup provided does not exist in our records.",
        Encoded(&[RuleId::ResourceGroup]),
    ),
    row(
        49,
        409,
        "InvalidOperation.Conflict",
        "Request was denied due to conflict with a previous request, please try again later.",
        Encoded(&[RuleId::ClientTokenConflict]),
    ),
    row(
        50,
        500,
        "InternalError",
        "The request processing has failed due to some unknown error, exception or failure.",
        New(Beyond("a server's own failure, not a documented condition")),
    ),
];

/// A change the newest page makes to what the seed says of a parameter or a usage note
/// (copyimage-latest.md §7.1, §7.2), with the rules it concerns (none: a new rule).
#[derive(Clone, Copy, Debug)]
pub struct Change {
    /// The parameter or topic.
    pub topic: &'static str,
    /// What the seed says.
    pub seed: &'static str,
    /// What the newest page says.
    pub newest: &'static str,
    /// The seed rules it changes.
    pub rules: &'static [RuleId],
}

const fn change(topic: &'static str, seed: &'static str, newest: &'static str, rules: &'static [RuleId]) -> Change {
    Change { topic, seed, newest, rules }
}

/// What the newest page changes beside its error table.
pub const CHANGES: [Change; 13] = [
    change(
        "DestinationRegionId",
        "Required: Yes",
        "Required: No, with no default and no rule for when it is absent",
        &[RuleId::MissingParameter],
    ),
    change(
        "DestinationImageName, first character",
        "an uppercase or lowercase English letter, or a Chinese character",
        "a letter (Chinese not mentioned; row 13 allows it)",
        &[RuleId::NameFirstCharacter],
    ),
    change(
        "DestinationImageName, characters",
        "digits, backslashes (\\), colons (:), underscores (_), or hyphens (-)",
        "letters, digits, periods (.), colons (:), underscores (_), and hyphens (-); no backslash (row 13 lists no period)",
        &[RuleId::NameCharacters],
    ),
    change(
        "DestinationImageName, http",
        "cannot begin with http:// or https://",
        "cannot contain http:// or https://",
        &[RuleId::NamePrefix],
    ),
    change("DestinationImageName, prefixes", "not stated", "cannot start with acs: or aliyun", &[RuleId::NamePrefix]),
    change("DestinationDescription, length", "[0,256]", "2 to 256 characters", &[RuleId::DescriptionLength]),
    change(
        "Accounts",
        "only the caller's own images (\"Coping a cross-account image is not allowed\")",
        "images shared with the caller may be copied within their region only",
        &[RuleId::OwnImage],
    ),
    change("Concurrency", "not stated", "up to five concurrent copy tasks per region; the rest are queued", &[]),
    change(
        "Encrypted, KMSKeyId, EncryptAlgorithm",
        "absent",
        "new: encrypt the copy, with a KMS key; EncryptAlgorithm documented as unavailable",
        &[
            RuleId::BooleanValue,
            RuleId::KmsKeyNeedsEncrypted,
            RuleId::EncryptAlgorithm,
            RuleId::EncryptedCopy,
            RuleId::KmsKey,
        ],
    ),
    change(
        "ResourceGroupId",
        "absent",
        "new: the resource group of the copy (the default group when absent)",
        &[RuleId::ResourceGroup],
    ),
    change(
        "Tag.N.Key, Tag.N.Value",
        "absent",
        "new: N from 1 to 20; keys 1 to 128 characters, values up to 128, neither with http:// or https://, keys not starting with aliyun or acs:, values not starting with acs:",
        &[RuleId::TagIndex, RuleId::TagKey, RuleId::TagValue],
    ),
    change(
        "DryRun",
        "absent",
        "new: check only, answering DryRunOperation when the check passes (a Code the table does not list)",
        &[RuleId::BooleanValue, RuleId::DryRunPasses],
    ),
    change(
        "ClientToken",
        "absent",
        "new: idempotence; ASCII, at most 64 characters",
        &[RuleId::ClientTokenForm, RuleId::ClientTokenConflict, RuleId::ClientTokenIdempotent],
    ),
];

/// `DestinationDescription`'s length in the newest page: "The description must be 2 to
/// 256 characters in length" (the seed's is \[0,256\], `oracle::DESCRIPTION_LENGTH`).
pub const NEWEST_DESCRIPTION_LENGTH: (usize, usize) = (2, 256);

/// What a name may not begin with in the newest page: "The name cannot start with
/// `acs:` or `aliyun`." (the seed names none).
pub const NEWEST_NAME_PREFIXES: [&str; 2] = ["acs:", "aliyun"];

/// The newest page's CopyImage parameters beyond the seed's (§2), the tags aside
/// ([`tag_parameter`]).
pub const NEWEST_PARAMETERS: [&str; 6] =
    ["Encrypted", "KMSKeyId", "EncryptAlgorithm", "ResourceGroupId", "DryRun", "ClientToken"];

/// "Valid values of N: 1 to 20."
pub const TAG_COUNT: u32 = 20;
/// "The tag key can be up to 128 characters in length"; the value likewise.
pub const TAG_TEXT_MAX: usize = 128;
/// "The tag key cannot start with `aliyun` or `acs:`."
pub const TAG_KEY_PREFIXES: [&str; 2] = ["aliyun", "acs:"];
/// "The tag value ... cannot start with `acs:`."
pub const TAG_VALUE_PREFIXES: [&str; 1] = ["acs:"];
/// Neither a tag key nor a value "can contain `http://` or `https://`".
pub const TAG_FORBIDDEN: [&str; 2] = ["http://", "https://"];
/// "The token can contain only ASCII characters and cannot exceed 64 characters in length."
pub const CLIENT_TOKEN_MAX: usize = 64;

/// A tag parameter as named on the wire, `Tag.N.Key` or `Tag.N.Value` (the 2021 page's
/// names; the newest page nests `Key` and `Value` under `Tag`): `N` as written, and
/// whether it is the key.
pub fn tag_parameter(name: &str) -> Option<(&str, bool)> {
    let rest = name.strip_prefix("Tag.")?;
    if let Some(n) = rest.strip_suffix(".Key") {
        return Some((n, true));
    }
    rest.strip_suffix(".Value").map(|n| (n, false))
}

/// `N` of a tag parameter, if it is one of the documented 1 to 20 (written without a
/// sign or leading zero).
pub fn tag_index(n: &str) -> Option<u32> {
    let i: u32 = n.parse().ok()?;
    (i.to_string() == n && (1..=TAG_COUNT).contains(&i)).then_some(i)
}

impl Doc {
    /// Whether a CopyImage parameter is one the profile's page lists (a `Tag.N.*` name
    /// of any N included: its N is rule `tag.index`'s).
    pub fn copy_knows(self, name: &str) -> bool {
        self == Doc::January2026 && (NEWEST_PARAMETERS.contains(&name) || tag_parameter(name).is_some())
    }

    /// Whether `DestinationRegionId` is required: "Yes" in the seed, "No" in the
    /// newest page.
    pub fn destination_required(self) -> bool {
        self == Doc::June2018
    }
}

impl RuleId {
    /// Whether the rule holds under `doc`: the newest page's own rules hold there only,
    /// every other rule under both (with its replies as [`RuleId::errors_in`] gives them).
    pub fn holds_in(self, doc: Doc) -> bool {
        !matches!(self.rule().source, Source::Newest(_)) || doc == Doc::January2026
    }

    /// The profiles the rule holds in, oldest first.
    pub fn docs(self) -> Vec<Doc> {
        Doc::ALL.into_iter().filter(|d| self.holds_in(*d)).collect()
    }

    /// Whether any 4xx refusal answers the rule: the page states the constraint but
    /// documents no Code for it (the rule's own error is the emulator's choice).
    pub fn any_refusal(self) -> bool {
        matches!(
            self,
            RuleId::TagIndex
                | RuleId::TagKey
                | RuleId::TagValue
                | RuleId::BooleanValue
                | RuleId::ClientTokenForm
                | RuleId::ClientTokenConflict
        )
    }

    /// Whether the rule is one of the CopyImage page's own, which the newest page
    /// rewrites: the seed's API-layer rules (the gateway's are every call's; the seed's
    /// sentence on DeleteImage is DeleteImage's).
    pub fn on_copy_page(self) -> bool {
        let r = self.rule();
        r.layer == Layer::Api && matches!(r.source, Source::Seed(_)) && self != RuleId::DeleteNotCopying
    }

    /// The error replies the rule documents under `doc`: the seed's table (the
    /// emulator's pick first), or the newest page's rows that continue it, in the page's
    /// order (no pick yet). Rules the newest page does not speak of (the gateway's, the
    /// companion calls', the emulator's limits) keep their replies. A seed rule that
    /// answers another account's image with `Forbidden` as well as not found (point
    /// `cross-account-code`) keeps both, `Forbbiden` as the newest page spells it.
    pub fn errors_in(self, doc: Doc) -> Vec<ErrorSpec> {
        let rule = self.rule();
        match doc {
            Doc::January2026 if self.on_copy_page() => {
                let rows: Vec<ErrorSpec> = ROWS
                    .iter()
                    .filter(|r| matches!(r.continues, Continues::Rules(rules) if rules.contains(&self)))
                    .map(|r| ErrorSpec { code: r.code, status: r.status, message: r.message })
                    .collect();
                if rows.is_empty() { rule.errors.to_vec() } else { rows }
            }
            _ => rule.errors.to_vec(),
        }
    }

    /// The reply under `doc` that stands for one of the seed's (`code`, `status`): the
    /// row with its Code, else the row with its status, else the rule's first row.
    pub fn counterpart_in(self, doc: Doc, code: &str, status: u16) -> Option<ErrorSpec> {
        let rows = self.errors_in(doc);
        rows.iter()
            .find(|r| r.code == code)
            .or_else(|| rows.iter().find(|r| r.status == status))
            .or(rows.first())
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RULES;

    #[test]
    fn the_table_is_the_pages_fifty_rows_in_order() {
        for (i, r) in ROWS.iter().enumerate() {
            assert_eq!(usize::from(r.n), i + 1);
        }
        // The 32 Codes the page calls new (copyimage-latest.md §7.4): 31 rows new here,
        // and OperationDenied.ImageCopyConflict, read as a second Code of the seed's
        // image.not-copying (contradiction 3).
        let new: std::collections::BTreeSet<&str> = ROWS
            .iter()
            .filter(|r| matches!(r.continues, Continues::New(_) | Continues::Encoded(_)))
            .map(|r| r.code)
            .collect();
        assert_eq!(new.len(), 31, "{new:?}");
        let conflict = ROWS.iter().find(|r| r.code == "OperationDenied.ImageCopyConflict").unwrap();
        assert_eq!(conflict.continues, Continues::Rules(&[RuleId::ImageNotCopying]));
    }

    #[test]
    fn every_seed_error_rule_continues_in_the_newest_page() {
        for rule in RULES.iter().filter(|r| r.id.on_copy_page() && !r.errors.is_empty()) {
            let continued =
                ROWS.iter().any(|row| matches!(row.continues, Continues::Rules(rules) if rules.contains(&rule.id)));
            assert!(continued, "{} has no row in the newest page", rule.id);
        }
    }

    #[test]
    fn the_replies_that_changed() {
        let codes = |id: RuleId, doc| id.errors_in(doc).iter().map(|e| (e.code, e.status)).collect::<Vec<_>>();
        assert_eq!(codes(RuleId::ImageExists, Doc::June2018), [("InvalidImageId.NotFound", 400)]);
        assert_eq!(
            codes(RuleId::ImageExists, Doc::January2026),
            [("InvalidImageId.NotFound", 404), ("InvalidImageId.NotFound", 404)]
        );
        assert_eq!(codes(RuleId::Authorized, Doc::January2026), [("Forbbiden", 403)]);
        assert_eq!(
            codes(RuleId::ImageNotCopying, Doc::January2026),
            [("OperationDenied.ImageCopyConflict", 400), ("OperationDenied.ImageCopying", 403)]
        );
        // Not the CopyImage page's: unchanged.
        assert_eq!(codes(RuleId::Signature, Doc::January2026), codes(RuleId::Signature, Doc::June2018));
        assert_eq!(codes(RuleId::CancelImage, Doc::January2026), codes(RuleId::CancelImage, Doc::June2018));
    }

    #[test]
    fn profiles_parse_by_name_and_refuse_others() {
        for d in Doc::ALL {
            assert_eq!(d.name().parse::<Doc>(), Ok(d));
        }
        assert!("2020-01".parse::<Doc>().unwrap_err().contains("2018-06, 2026-01"));
    }
}
