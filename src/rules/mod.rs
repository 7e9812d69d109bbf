//! The rule table: every documented behaviour of CopyImage, once.
//!
//! Owns [`RuleId`] and [`RULES`]: for each rule an id, the layer it belongs to, the
//! sentence of the documentation it encodes (quoted from the 2018 seed page, from
//! `protocol.md` for what every RPC call obeys, from `companions.md` for the calls of a
//! copy's life, or from `copyimage-latest.md` for the newest page's own parameters,
//! which hold under profile `2026-01` only), the parameters it concerns and the
//! error replies it allows (Code, HTTP status, Message). The table order is the
//! emulator's precedence within a layer. The oracle evaluates rules; the harness and the
//! report name them; nothing else spells a Code or a status.

use std::fmt;

/// Where in the request's life a rule is checked. Earlier layers answer first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// Reading the HTTP request at all.
    Request,
    /// The gateway every RPC API sits behind: action, version, credentials.
    Gateway,
    /// CopyImage itself: parameters and the world.
    Api,
    /// What a reply must look like.
    Reply,
}

impl Layer {
    /// Every layer, in answering order.
    pub const ALL: [Layer; 4] = [Layer::Request, Layer::Gateway, Layer::Api, Layer::Reply];

    /// Its name in reports and declarations (`gateway`).
    pub fn name(self) -> &'static str {
        match self {
            Layer::Request => "request",
            Layer::Gateway => "gateway",
            Layer::Api => "api",
            Layer::Reply => "reply",
        }
    }
}

impl serde::Serialize for Layer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

pub mod newest;
pub use newest::Doc;

/// The documentation profile the rules encode: the seed, the June 2018 English CopyImage
/// page ([`Doc::June2018`]). Reports and certificates name it.
pub const PROFILE: &str = Doc::June2018.name();

/// Where a rule's sentence comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "document", content = "section", rename_all = "kebab-case")]
pub enum Source {
    /// The 2018 English CopyImage page (`seed/000_fd8a1a4824b506a9.txt`), section named.
    Seed(&'static str),
    /// `reference/protocol.md`, section named.
    Protocol(&'static str),
    /// `reference/companions.md`: the 2018 page of a companion call, section named.
    Companion(&'static str),
    /// A limit of this emulator, documented in README.
    Emulator(&'static str),
    /// `reference/copyimage-latest.md`: the newest CopyImage page (profile `2026-01`),
    /// section named.
    Newest(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Seed(s) => write!(f, "seed, {s}"),
            Source::Protocol(s) => write!(f, "protocol.md {s}"),
            Source::Companion(s) => write!(f, "companions.md, {s}"),
            Source::Emulator(s) => write!(f, "emulator, {s}"),
            Source::Newest(s) => write!(f, "copyimage-latest.md, {s}"),
        }
    }
}

/// One acceptable error reply of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ErrorSpec {
    /// `Code`, spelled as documented.
    pub code: &'static str,
    /// HTTP status.
    pub status: u16,
    /// `Message`; `{}` stands for a detail (a parameter name, a string to sign).
    pub message: &'static str,
}

impl ErrorSpec {
    /// The message with its detail filled in.
    pub fn message(&self, detail: Option<&str>) -> String {
        match detail {
            Some(d) => self.message.replacen("{}", d, 1),
            None => self.message.replacen("{}", "", 1),
        }
    }
}

/// A documented rule.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Rule {
    /// Its identity.
    pub id: RuleId,
    /// The layer that checks it.
    pub layer: Layer,
    /// Where the sentence comes from.
    pub source: Source,
    /// The documentation's sentence, quoted.
    pub sentence: &'static str,
    /// Parameters it concerns.
    pub params: &'static [&'static str],
    /// Acceptable error replies when it is broken, the emulator's choice first. Empty
    /// for rules about successes and reply shapes.
    pub errors: &'static [ErrorSpec],
}

macro_rules! rule_ids {
    ($($variant:ident = $name:literal,)*) => {
        /// A rule's identity. `Display` gives its stable dotted name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId { $(#[doc = $name] $variant,)* }

        impl RuleId {
            /// Every rule id, in table order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The stable dotted name, e.g. `name.length`.
            pub fn name(self) -> &'static str {
                match self { $(RuleId::$variant => $name,)* }
            }

            /// Finds a rule by its dotted name.
            pub fn from_name(name: &str) -> Option<RuleId> {
                match name { $($name => Some(RuleId::$variant),)* _ => None }
            }
        }
    };
}

rule_ids! {
    Method = "request.method",
    Size = "request.size",
    Encoding = "request.encoding",
    DuplicateParameter = "request.duplicate-parameter",
    Action = "gateway.action",
    Version = "gateway.version",
    MissingParameter = "gateway.missing-parameter",
    IncompleteSignature = "gateway.incomplete-signature",
    TimestampFormat = "gateway.timestamp-format",
    TimestampExpired = "gateway.timestamp-expired",
    AccessKeyUnknown = "gateway.access-key-unknown",
    AccessKeyDisabled = "gateway.access-key-disabled",
    Signature = "gateway.signature",
    NonceUsed = "gateway.nonce-used",
    Utf8 = "gateway.utf8",
    UnknownParameter = "gateway.unknown-parameter",
    FormatValue = "gateway.format-value",
    Authorized = "account.authorized",
    NameLength = "name.length",
    NameFirstCharacter = "name.first-character",
    NameCharacters = "name.characters",
    NamePrefix = "name.url-prefix",
    DescriptionLength = "description.length",
    DescriptionPrefix = "description.url-prefix",
    DescriptionWellFormed = "description.well-formed",
    TagIndex = "tag.index",
    TagKey = "tag.key",
    TagValue = "tag.value",
    BooleanValue = "parameter.boolean",
    KmsKeyNeedsEncrypted = "encryption.kms-flag",
    EncryptAlgorithm = "encryption.algorithm",
    ClientTokenForm = "client-token.form",
    ClientTokenConflict = "client-token.conflict",
    SourceRegion = "region.source-exists",
    DestinationRegion = "region.destination-exists",
    SameRegion = "region.differ",
    RegionSupportsCopy = "region.supports-copy",
    ImageExists = "image.exists",
    OwnImage = "image.own-account",
    CustomImage = "image.custom",
    ImageAvailable = "image.available",
    ImageAge = "image.age",
    ImageUnencrypted = "image.unencrypted",
    ImageNotCopying = "image.not-copying",
    NameUnique = "name.unique",
    ImageQuota = "quota.image",
    SnapshotQuota = "quota.snapshot",
    EncryptedCopy = "encryption.copy-source",
    KmsKey = "encryption.kms-key",
    ResourceGroup = "resource-group.exists",
    CopySucceeds = "copy.success",
    ClientTokenIdempotent = "client-token.idempotent",
    DryRunPasses = "dry-run.passes",
    CopyLifecycle = "copy.lifecycle",
    RegionsListed = "regions.listed",
    DescribeRegion = "describe.region-exists",
    DescribeStatus = "describe.status",
    DescribeOwnerAlias = "describe.owner-alias",
    DescribeUsage = "describe.usage",
    DescribePaging = "describe.paging",
    DescribeListed = "describe.listed",
    CancelRegion = "cancel.region-exists",
    CancelImage = "cancel.image-exists",
    CancelCopyTarget = "cancel.copy-target",
    CancelNotComplete = "cancel.not-complete",
    CancelSucceeds = "cancel.success",
    DeleteRegion = "delete.region-exists",
    DeleteImageExists = "delete.image-exists",
    DeleteOwnCustom = "delete.own-custom",
    DeleteNotCopying = "delete.not-copying",
    DeleteNotCreating = "delete.not-creating",
    DeleteForce = "delete.force",
    DeleteSucceeds = "delete.success",
    ReplyFormat = "reply.format",
    ReplySuccessShape = "reply.success-shape",
    ReplyErrorShape = "reply.error-shape",
    ReplyRequestId = "reply.request-id",
}

/// Rules whose outcome depends on the world (regions, images, accounts, quotas), not on
/// the request alone: a target whose world is unknown cannot be checked on them.
pub const WORLD_RULES: [RuleId; 14] = [
    RuleId::Authorized,
    RuleId::SourceRegion,
    RuleId::DestinationRegion,
    RuleId::RegionSupportsCopy,
    RuleId::ImageExists,
    RuleId::OwnImage,
    RuleId::CustomImage,
    RuleId::ImageAvailable,
    RuleId::ImageAge,
    RuleId::ImageUnencrypted,
    RuleId::ImageNotCopying,
    RuleId::NameUnique,
    RuleId::ImageQuota,
    RuleId::SnapshotQuota,
];

impl RuleId {
    /// The rule's row in [`RULES`].
    pub fn rule(self) -> &'static Rule {
        &RULES[self as usize]
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        RuleId::from_name(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown rule `{name}`")))
    }
}

/// The values and parameter names the documents give, which the rules below speak of:
/// their one home (the oracle checks against them, the wire codec writes them, the
/// generators leave them out or change them).
pub mod protocol {
    /// The action (seed, Request parameters: "Value: CopyImage.").
    pub const ACTION: &str = "CopyImage";
    /// The API version (protocol.md §2).
    pub const VERSION: &str = "2014-05-26";
    /// The V1 signature method (protocol.md §2).
    pub const SIGNATURE_METHOD: &str = "HMAC-SHA1";
    /// The V1 signature version (protocol.md §2).
    pub const SIGNATURE_VERSION: &str = "1.0";
    /// CopyImage's own parameters (seed, "Request parameters").
    pub const BUSINESS_PARAMETERS: [&str; 5] =
        ["RegionId", "ImageId", "DestinationRegionId", "DestinationImageName", "DestinationDescription"];
    /// Common parameters of a V1 request (protocol.md §2), `Format` and `SignatureType`
    /// included.
    pub const V1_COMMON_PARAMETERS: [&str; 11] = [
        "Action",
        "Version",
        "AccessKeyId",
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
        "SignatureNonce",
        "Timestamp",
        "Format",
        "SignatureType",
        "SecurityToken",
    ];
    /// What a request must carry: the seed's parameters marked Required (Action,
    /// RegionId, ImageId, DestinationRegionId) and protocol.md §2's common parameters but
    /// the optional `Format` and `SecurityToken`.
    pub const REQUIRED: [&str; 11] = [
        "RegionId",
        "ImageId",
        "DestinationRegionId",
        "Action",
        "Version",
        "AccessKeyId",
        "SignatureNonce",
        "Timestamp",
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
    ];
    /// The common parameters a V3 request carries as headers (protocol.md §4).
    pub const V3_HEADERS: [(&str, &str); 4] = [
        ("Action", "x-acs-action"),
        ("Version", "x-acs-version"),
        ("Timestamp", "x-acs-date"),
        ("SignatureNonce", "x-acs-signature-nonce"),
    ];
    /// The common parameters a V3 request carries in its `Authorization` header.
    pub const V3_AUTHORIZATION: [&str; 2] = ["AccessKeyId", "Signature"];
    /// The V1 signature parameters a V3 request has no counterpart for.
    pub const V1_ONLY: [&str; 2] = ["SignatureMethod", "SignatureVersion"];
    /// The V3 header with the body's hash (protocol.md §4).
    pub const V3_CONTENT_HASH: &str = "x-acs-content-sha256";

    /// The calls the suite knows: CopyImage (the seed) and the four companions of a
    /// copy's life (companions.md). Any other `Action` is `InvalidAction.NotFound`.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Action {
        /// Copies a custom image (the seed).
        #[default]
        CopyImage,
        /// Lists images (companions.md §1).
        DescribeImages,
        /// Cancels a copy in progress (companions.md §2).
        CancelCopyImage,
        /// Deletes a custom image (companions.md §3).
        DeleteImage,
        /// Lists regions (companions.md §4).
        DescribeRegions,
    }

    impl Action {
        /// Every action, CopyImage first.
        pub const ALL: [Action; 5] = [
            Action::CopyImage,
            Action::DescribeImages,
            Action::CancelCopyImage,
            Action::DeleteImage,
            Action::DescribeRegions,
        ];

        /// Its `Action` value, as each page's first row gives it ("Value: CopyImage.").
        pub fn name(self) -> &'static str {
            match self {
                Action::CopyImage => ACTION,
                Action::DescribeImages => "DescribeImages",
                Action::CancelCopyImage => "CancelCopyImage",
                Action::DeleteImage => "DeleteImage",
                Action::DescribeRegions => "DescribeRegions",
            }
        }

        /// The action an `Action` value names: exactly, as the gateway matches it.
        pub fn from_value(value: &[u8]) -> Option<Action> {
            Action::ALL.into_iter().find(|a| a.name().as_bytes() == value)
        }

        /// Whether it is CopyImage (the default a case leaves unsaid).
        pub fn is_copy(&self) -> bool {
            *self == Action::CopyImage
        }

        /// Its own parameters, as its page's "Request parameters" table lists them
        /// (`Tag.n.Key` and `Tag.n.Value` stand for n in 1 to 5).
        pub fn parameters(self) -> &'static [&'static str] {
            match self {
                Action::CopyImage => &BUSINESS_PARAMETERS,
                Action::DescribeImages => &[
                    "RegionId",
                    "ImageId",
                    "Status",
                    "SnapshotId",
                    "ImageName",
                    "ImageOwnerAlias",
                    "Usage",
                    "Tag.n.Key",
                    "Tag.n.Value",
                    "PageNumber",
                    "PageSize",
                ],
                Action::CancelCopyImage => &["RegionId", "ImageId"],
                Action::DeleteImage => &["RegionId", "ImageId", "Force"],
                Action::DescribeRegions => &[],
            }
        }

        /// Whether a parameter name is one of its own (a `Tag.n.*` name with n in 1
        /// to 5 included).
        pub fn knows(self, name: &str) -> bool {
            let tag = |suffix: &str| {
                name.strip_prefix("Tag.")
                    .and_then(|rest| rest.strip_suffix(suffix))
                    .is_some_and(|n| matches!(n, "1" | "2" | "3" | "4" | "5"))
            };
            self.parameters().contains(&name) || (self == Action::DescribeImages && (tag(".Key") || tag(".Value")))
        }

        /// The fields its successful reply carries beyond `RequestId`, as its page's
        /// response table and examples give them (seed: `ImageId`; DescribeImages:
        /// `RegionId`, `TotalCount`, `PageNumber`, `PageSize`, `Images`; DescribeRegions:
        /// `Regions`; CancelCopyImage and DeleteImage: "All parameters are common
        /// response parameters").
        pub fn reply_fields(self) -> &'static [(&'static str, ReplyField)] {
            match self {
                Action::CopyImage => &[("ImageId", ReplyField::Text)],
                Action::DescribeImages => &[
                    ("RegionId", ReplyField::Text),
                    ("TotalCount", ReplyField::Count),
                    ("PageNumber", ReplyField::Count),
                    ("PageSize", ReplyField::Count),
                    ("Images", ReplyField::List),
                ],
                Action::DescribeRegions => &[("Regions", ReplyField::List)],
                Action::CancelCopyImage | Action::DeleteImage => &[],
            }
        }

        /// Its own parameters marked Required: Yes (CopyImage's are in [`REQUIRED`]).
        pub fn required(self) -> &'static [&'static str] {
            match self {
                Action::CopyImage => &["RegionId", "ImageId", "DestinationRegionId"],
                Action::DescribeImages => &["RegionId"],
                Action::CancelCopyImage | Action::DeleteImage => &["RegionId", "ImageId"],
                Action::DescribeRegions => &[],
            }
        }
    }

    /// What a reply field holds.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum ReplyField {
        /// Text that is not empty.
        Text,
        /// An integer (a JSON number, or XML text).
        Count,
        /// A list of items.
        List,
    }

    impl std::fmt::Display for Action {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.name())
        }
    }

    impl serde::Serialize for Action {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.name())
        }
    }

    impl<'de> serde::Deserialize<'de> for Action {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let name = String::deserialize(d)?;
            Action::from_value(name.as_bytes())
                .ok_or_else(|| serde::de::Error::custom(format!("unknown action `{name}`")))
        }
    }

    /// The V3 header that carries a common parameter.
    pub fn v3_header(parameter: &str) -> Option<&'static str> {
        V3_HEADERS.iter().find(|(p, _)| *p == parameter).map(|(_, h)| *h)
    }
}

const fn e(code: &'static str, status: u16, message: &'static str) -> ErrorSpec {
    ErrorSpec { code, status, message }
}

const INVALID_PARAMETER: ErrorSpec = e("InvalidParameter", 400, "The specified parameter {} is not valid.");
const INCOMPLETE_SIGNATURE: ErrorSpec =
    e("IncompleteSignature", 400, "The request signature does not conform to Aliyun standards.");
const MISSING_PARAMETER: ErrorSpec = e(
    "MissingParameter",
    400,
    "The input parameter \"{}\" that is mandatory for processing this request is not supplied.",
);
const IMAGE_NOT_FOUND: ErrorSpec = e("InvalidImageId.NotFound", 400, "The specified ImageId does not exist.");
const IMAGE_NOT_FOUND_404: ErrorSpec = e("InvalidImageId.NotFound", 404, "The specified ImageId does not exist.");
const REGION_NOT_FOUND: ErrorSpec = e("InvalidRegionId.NotFound", 404, "The specified region does not exist.");
const IMAGE_COPYING: ErrorSpec = e("OperationDenied.ImageCopying", 403, "The specified image is being copied.");
const IMAGE_IS_CREATING: ErrorSpec = e("ImageIsCreating", 403, "The specified image is being created.");
const FORBIDDEN: ErrorSpec = e("Forbidden", 403, "User not authorized to operate on the specified resource.");
const NAME_MALFORMED_FORMAT: ErrorSpec =
    e("InvalidImageName.Malformed", 400, "The specified Image name is wrongly formed.");
const DESCRIPTION_MALFORMED: ErrorSpec =
    e("InvalidDescription.Malformed", 400, "The specified description is wrongly formed.");

const NAME: &[&str] = &["DestinationImageName"];
const DESCRIPTION: &[&str] = &["DestinationDescription"];
const IMAGE: &[&str] = &["RegionId", "ImageId"];

/// The rule table. Order is the emulator's precedence within each layer.
pub static RULES: [Rule; RuleId::ALL.len()] = [
    Rule {
        id: RuleId::Method,
        layer: Layer::Request,
        source: Source::Protocol("§1, §5"),
        sentence: "The docs describe GET with every parameter in the query string; both official Python SDKs send POST ... | UnsupportedHTTPMethod | 403 |",
        params: &[],
        errors: &[e("UnsupportedHTTPMethod", 403, "This http method is not supported.")],
    },
    Rule {
        id: RuleId::Size,
        layer: Layer::Request,
        source: Source::Emulator("request size limit"),
        sentence: "No document gives a limit: the emulator reads at most 1 MiB of request body and refuses a larger request as an invalid parameter (its own decision, point `body-limit`; from other servers any 4xx refusal, or the answer to the request read whole, is accepted).",
        params: &[],
        errors: &[e("InvalidParameter", 400, "The request body is larger than {} bytes.")],
    },
    Rule {
        id: RuleId::Encoding,
        layer: Layer::Request,
        source: Source::Protocol("§3, §5"),
        sentence: "Percent-encode names and values as UTF-8 per RFC 3986 ... | InvalidParameter | 400 |",
        params: &[],
        errors: &[e("InvalidParameter", 400, "A parameter name is not valid UTF-8: {}")],
    },
    Rule {
        id: RuleId::DuplicateParameter,
        layer: Layer::Request,
        source: Source::Protocol("§5"),
        sentence: "| InvalidParameter | 400 | (a parameter given twice has no documented meaning)",
        params: &[],
        errors: &[e("InvalidParameter", 400, "The parameter {} is specified more than once.")],
    },
    Rule {
        id: RuleId::Action,
        layer: Layer::Gateway,
        source: Source::Seed("Request parameters"),
        sentence: "|Action|String|Yes|The name of this interface. Value: CopyImage.| (protocol.md §5: InvalidAction.NotFound | 404)",
        params: &["Action"],
        errors: &[e("InvalidAction.NotFound", 404, "Specified api is not found, please check your url and method.")],
    },
    Rule {
        id: RuleId::Version,
        layer: Layer::Gateway,
        source: Source::Protocol("§2"),
        sentence: "`Version` (`2014-05-26`) (real gateways answer InvalidVersion, \"Specified parameter Version is not valid.\", as quoted in aliyun-openapi-java-sdk#23)",
        params: &["Version"],
        errors: &[
            e("InvalidVersion", 400, "Specified parameter Version is not valid."),
            e("InvalidVersion", 404, "Specified parameter Version is not valid."),
        ],
    },
    Rule {
        id: RuleId::MissingParameter,
        layer: Layer::Gateway,
        source: Source::Protocol("§2, §5"),
        sentence: "MissingParameter | 400 | \"The input parameter \"X\" that is mandatory for processing this request is not supplied.\" (the seed marks Action, RegionId, ImageId and DestinationRegionId Required: Yes)",
        params: &protocol::REQUIRED,
        errors: &[MISSING_PARAMETER],
    },
    Rule {
        id: RuleId::IncompleteSignature,
        layer: Layer::Gateway,
        source: Source::Protocol("§2, §4, §5"),
        sentence: "`SignatureMethod` (`HMAC-SHA1`), `SignatureVersion` (`1.0`) ... `Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2;...>,Signature=<hex>` | IncompleteSignature | 400 |",
        params: &["SignatureMethod", "SignatureVersion", "Authorization"],
        errors: &[INCOMPLETE_SIGNATURE, INVALID_PARAMETER],
    },
    Rule {
        id: RuleId::TimestampFormat,
        layer: Layer::Gateway,
        source: Source::Protocol("§2, §5"),
        sentence: "`Timestamp` (UTC `YYYY-MM-DDThh:mm:ssZ`) | IllegalTimestamp / InvalidTimeStamp.Format | 400 | malformed timestamp (wording uncertain)",
        params: &["Timestamp", "x-acs-date"],
        errors: &[
            e(
                "IllegalTimestamp",
                400,
                "The input parameter \"Timestamp\" that is mandatory for processing this request is not supplied or is not well formed: {}",
            ),
            e("InvalidTimeStamp.Format", 400, "Specified time stamp or date value is not well formatted."),
        ],
    },
    Rule {
        id: RuleId::TimestampExpired,
        layer: Layer::Gateway,
        source: Source::Protocol("§5"),
        sentence: "InvalidTimeStamp.Expired | 400 | timestamp outside about ±15 minutes of server time",
        params: &["Timestamp", "x-acs-date"],
        errors: &[e("InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired.")],
    },
    Rule {
        id: RuleId::AccessKeyUnknown,
        layer: Layer::Gateway,
        source: Source::Protocol("§5"),
        sentence: "InvalidAccessKeyId.NotFound | 404 in real replies (docs table says 400) | \"Specified access key is not found.\"",
        params: &["AccessKeyId"],
        errors: &[
            e("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."),
            e("InvalidAccessKeyId.NotFound", 400, "Specified access key is not found."),
        ],
    },
    Rule {
        id: RuleId::AccessKeyDisabled,
        layer: Layer::Gateway,
        source: Source::Protocol("§5"),
        sentence: "Forbidden.AccessKeyDisabled | 403 |",
        params: &["AccessKeyId"],
        errors: &[e("Forbidden.AccessKeyDisabled", 403, "The Access Key is disabled.")],
    },
    Rule {
        id: RuleId::Signature,
        layer: Layer::Gateway,
        source: Source::Protocol("§3, §4, §5"),
        sentence: "SignatureDoesNotMatch | 400 | real message: `Specified signature is not matched with our calculation. server string to sign is:<StringToSign>`",
        params: &["Signature", "Authorization"],
        errors: &[e(
            "SignatureDoesNotMatch",
            400,
            "Specified signature is not matched with our calculation. server string to sign is:{}",
        )],
    },
    Rule {
        id: RuleId::NonceUsed,
        layer: Layer::Gateway,
        source: Source::Protocol("§2, §5"),
        sentence: "`SignatureNonce` (unique per request) | SignatureNonceUsed | 400 | nonce reused within 15 minutes",
        params: &["SignatureNonce", "x-acs-signature-nonce"],
        errors: &[e("SignatureNonceUsed", 400, "Specified signature nonce was used already.")],
    },
    Rule {
        id: RuleId::Utf8,
        layer: Layer::Gateway,
        source: Source::Protocol("§3"),
        sentence: "Percent-encode names and values as UTF-8 per RFC 3986 (a value that does not decode to UTF-8 is no text at all)",
        params: &[],
        errors: &[INVALID_PARAMETER],
    },
    Rule {
        id: RuleId::UnknownParameter,
        layer: Layer::Gateway,
        source: Source::Seed("Request parameters"),
        sentence: "The request parameter table lists Action, RegionId, ImageId, DestinationRegionId, DestinationImageName and DestinationDescription (it says nothing of other names)",
        params: &[],
        errors: &[INVALID_PARAMETER],
    },
    Rule {
        id: RuleId::FormatValue,
        layer: Layer::Gateway,
        source: Source::Protocol("§1"),
        sentence: "`Format`: `XML` (default when absent) or `JSON` (a value that is neither may be refused, point `format-value`)",
        params: &["Format"],
        errors: &[INVALID_PARAMETER],
    },
    Rule {
        id: RuleId::Authorized,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|Forbidden|User not authorized to operate on the specified resource.|403|You are not authorized to copy images.|",
        params: &["AccessKeyId"],
        errors: &[FORBIDDEN],
    },
    Rule {
        id: RuleId::NameLength,
        layer: Layer::Api,
        source: Source::Seed("Request parameters, DestinationImageName"),
        sentence: "Can be [2, 128] characters in length. |InvalidImageName.Malformed|The specified destination Image name is wrongly formed.|400|The name of the specified destination custom image (`DestinationImageName`) is invalid.|",
        params: NAME,
        errors: &[e("InvalidImageName.Malformed", 400, "The specified destination Image name is wrongly formed.")],
    },
    Rule {
        id: RuleId::NameFirstCharacter,
        layer: Layer::Api,
        source: Source::Seed("Request parameters, DestinationImageName"),
        sentence: "Must begin with an uppercase or lowercase English letter, or a Chinese character. |InvalidImageName.Malformed|The specified Image name is wrongly formed.|400|The format of `DestinationImageName` is incorrect.|",
        params: NAME,
        errors: &[NAME_MALFORMED_FORMAT],
    },
    Rule {
        id: RuleId::NameCharacters,
        layer: Layer::Api,
        source: Source::Seed("Request parameters, DestinationImageName"),
        sentence: "Can contain digits, backslashes (\\), colons (:), underscores (_), or hyphens (-). |InvalidImageName.Malformed|The specified Image name is wrongly formed.|400|",
        params: NAME,
        errors: &[NAME_MALFORMED_FORMAT],
    },
    Rule {
        id: RuleId::NamePrefix,
        layer: Layer::Api,
        source: Source::Seed("Request parameters, DestinationImageName"),
        sentence: "Cannot begin with http:// or https://. |InvalidImageName.Malformed|The specified Image name is wrongly formed.|400|",
        params: NAME,
        errors: &[NAME_MALFORMED_FORMAT],
    },
    Rule {
        id: RuleId::DescriptionLength,
        layer: Layer::Api,
        source: Source::Seed("Request parameters, DestinationDescription"),
        sentence: "Length is [0,256] characters. |InvalidDescription.Malformed|The specified description is wrongly formed.|400|",
        params: DESCRIPTION,
        errors: &[DESCRIPTION_MALFORMED],
    },
    Rule {
        id: RuleId::DescriptionPrefix,
        layer: Layer::Api,
        source: Source::Seed("Request parameters, DestinationDescription"),
        sentence: "Cannot begin with http:// or https://. |InvalidDescription.Malformed|The specified description is wrongly formed.|400|",
        params: DESCRIPTION,
        errors: &[DESCRIPTION_MALFORMED],
    },
    Rule {
        id: RuleId::DescriptionWellFormed,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|InvalidDescription.Malformed|The specified description is wrongly formed.|400|The description of the specified destination custom image (`DestinationDescription`) is invalid.|",
        params: DESCRIPTION,
        errors: &[DESCRIPTION_MALFORMED],
    },
    Rule {
        id: RuleId::TagIndex,
        layer: Layer::Api,
        source: Source::Newest("§2, Tag"),
        sentence: "The key of tag N of the image copy. Valid values of N: 1 to 20. (No Code is documented: any 4xx refusal, or the name ignored as one the page does not list, point `tag-index`.)",
        params: &["Tag.N.Key", "Tag.N.Value"],
        errors: &[INVALID_PARAMETER],
    },
    Rule {
        id: RuleId::TagKey,
        layer: Layer::Api,
        source: Source::Newest("§2, Tag, Key"),
        sentence: "The tag key cannot be an empty string. The tag key can be up to 128 characters in length and cannot contain `http://` or `https://`. The tag key cannot start with `aliyun` or `acs:`. (No Code is documented: any 4xx refusal.)",
        params: &["Tag.N.Key"],
        errors: &[INVALID_PARAMETER],
    },
    Rule {
        id: RuleId::TagValue,
        layer: Layer::Api,
        source: Source::Newest("§2, Tag, Value"),
        sentence: "The tag value can be an empty string. The tag value can be up to 128 characters in length and cannot start with `acs:`. It cannot contain `http://` or `https://`. (No Code is documented: any 4xx refusal.)",
        params: &["Tag.N.Value"],
        errors: &[INVALID_PARAMETER],
    },
    Rule {
        id: RuleId::BooleanValue,
        layer: Layer::Api,
        source: Source::Newest("§2, Encrypted, DryRun"),
        sentence: "|Encrypted|boolean|No| ... - true - false Default value: false. |DryRun|boolean|No| ... Valid values: - true ... - false ... Default value: false. (Another value: no Code is documented, point `boolean-value`.)",
        params: &["Encrypted", "DryRun"],
        errors: &[INVALID_PARAMETER],
    },
    Rule {
        id: RuleId::KmsKeyNeedsEncrypted,
        layer: Layer::Api,
        source: Source::Newest("§5, rows 7 and 10"),
        sentence: "|400|InvalidParameter.EncryptedIllegal|The specified parameter Encrypted must be true when kmsKeyId is not empty.| |400|InvalidEncrypted.NotMatchKmsKeyId|The specified parameter Encrypted must be true when KmsKeyId is not empty.|",
        params: &["KMSKeyId", "Encrypted"],
        errors: &[
            e(
                "InvalidParameter.EncryptedIllegal",
                400,
                "The specified parameter Encrypted must be true when kmsKeyId is not empty.",
            ),
            e(
                "InvalidEncrypted.NotMatchKmsKeyId",
                400,
                "The specified parameter Encrypted must be true when KmsKeyId is not empty.",
            ),
        ],
    },
    Rule {
        id: RuleId::EncryptAlgorithm,
        layer: Layer::Api,
        source: Source::Newest("§2, EncryptAlgorithm; §5, rows 8 and 9"),
        sentence: "|EncryptAlgorithm|string|No| **Note** This parameter is unavailable.| |400|InvalidEncryptAlgorithm|The specified parameter EncryptAlgorithm is not valid.| |400|InvalidEncrypted.NotMatchEncryptAlgorithm|The specified parameter Encrypted must be true when EncryptAlgorithm is not empty.|",
        params: &["EncryptAlgorithm", "Encrypted"],
        errors: &[
            e("InvalidEncryptAlgorithm", 400, "The specified parameter EncryptAlgorithm is not valid."),
            e(
                "InvalidEncrypted.NotMatchEncryptAlgorithm",
                400,
                "The specified parameter Encrypted must be true when EncryptAlgorithm is not empty.",
            ),
        ],
    },
    Rule {
        id: RuleId::ClientTokenForm,
        layer: Layer::Api,
        source: Source::Newest("§2, ClientToken"),
        sentence: "The token can contain only ASCII characters and cannot exceed 64 characters in length. (No Code is documented: any 4xx refusal.)",
        params: &["ClientToken"],
        errors: &[INVALID_PARAMETER],
    },
    Rule {
        id: RuleId::ClientTokenConflict,
        layer: Layer::Api,
        source: Source::Newest("§2, ClientToken; §5, row 49"),
        sentence: "you ensure sure that the value is unique among different requests. |409|InvalidOperation.Conflict|Request was denied due to conflict with a previous request, please try again later.| (point `client-token-conflict`)",
        params: &["ClientToken"],
        errors: &[e(
            "InvalidOperation.Conflict",
            409,
            "Request was denied due to conflict with a previous request, please try again later.",
        )],
    },
    Rule {
        id: RuleId::SourceRegion,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|SourceRegion.NotFound|The source region not found|400|The `RegionId` of the specified source custom image does not exist.|",
        params: &["RegionId"],
        errors: &[e("SourceRegion.NotFound", 400, "The source region not found")],
    },
    Rule {
        id: RuleId::DestinationRegion,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|DestinationRegion.NotFound|The destination region not found|400|The RegionId of the specified source custom image (`DestinationRegionId`) does not exist.|",
        params: &["DestinationRegionId"],
        errors: &[e("DestinationRegion.NotFound", 400, "The destination region not found")],
    },
    Rule {
        id: RuleId::SameRegion,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|IncorrectDestinationRegion|The destination region is not equal the target region.|403|The source region for copying images (`RegionId`) must be different from the destination region (`DestinationRegionId`).|",
        params: &["RegionId", "DestinationRegionId"],
        errors: &[e("IncorrectDestinationRegion", 403, "The destination region is not equal the target region.")],
    },
    Rule {
        id: RuleId::RegionSupportsCopy,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|RegionNotSupportCopy|The region not support copy.|403|The specified region of the destination image (`DestinationRegionId`) does not support image copying.|",
        params: &["DestinationRegionId"],
        errors: &[e("RegionNotSupportCopy", 403, "The region not support copy.")],
    },
    Rule {
        id: RuleId::ImageExists,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|InvalidImageId.NotFound|The specified ImageId does not exist.|400|The specified source custom image (`ImageId`) does not exist.|",
        params: IMAGE,
        errors: &[IMAGE_NOT_FOUND],
    },
    Rule {
        id: RuleId::OwnImage,
        layer: Layer::Api,
        source: Source::Seed("Description"),
        sentence: "You can only copy the image within your Alibaba Cloud account. Coping a cross-account image is not allowed.",
        params: IMAGE,
        errors: &[IMAGE_NOT_FOUND, FORBIDDEN],
    },
    Rule {
        id: RuleId::CustomImage,
        layer: Layer::Api,
        source: Source::Seed("summary"),
        sentence: "Copies a custom image from one region to other regions.",
        params: IMAGE,
        errors: &[IMAGE_NOT_FOUND, FORBIDDEN],
    },
    Rule {
        id: RuleId::ImageAvailable,
        layer: Layer::Api,
        source: Source::Seed("Description"),
        sentence: "You can only copy the custom image when it is in the `Available` status. |IncorrectImageStatus|The image not available.|400|",
        params: IMAGE,
        errors: &[e("IncorrectImageStatus", 400, "The image not available.")],
    },
    Rule {
        id: RuleId::ImageAge,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|InvalidSnapshot.TooOld|This operation is denied because the specified snapshot is created before 2013-07-15.|403|The specified ImageId (`ImageId`) is created on or before July 15, 2013. Please try other images instead.|",
        params: IMAGE,
        errors: &[e(
            "InvalidSnapshot.TooOld",
            403,
            "This operation is denied because the specified snapshot is created before 2013-07-15.",
        )],
    },
    Rule {
        id: RuleId::ImageUnencrypted,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|OperationDeined.EncryptedSnapshot|The image contains encrypted snapshots, which do not support copying.|403|",
        params: IMAGE,
        errors: &[e(
            "OperationDeined.EncryptedSnapshot",
            403,
            "The image contains encrypted snapshots, which do not support copying.",
        )],
    },
    Rule {
        id: RuleId::ImageNotCopying,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|OperationDenied.ImageCopying|The specified image is being copied.|403|The specified source custom image (`ImageId`) is being copied. Please try again later.|",
        params: IMAGE,
        errors: &[IMAGE_COPYING],
    },
    Rule {
        id: RuleId::NameUnique,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|InvalidImageName.Duplicated|The destination image is exist.|400|The name of the destination custom image (`DestinationImageName`) is already in use.|",
        params: &["DestinationImageName", "DestinationRegionId"],
        errors: &[e("InvalidImageName.Duplicated", 400, "The destination image is exist.")],
    },
    Rule {
        id: RuleId::ImageQuota,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|QuotaExceed.Image|The Image Quota exceeds.|403|No more images will be copied because you have exceeded your custom image quota.|",
        params: &["DestinationRegionId"],
        errors: &[e("QuotaExceed.Image", 403, "The Image Quota exceeds.")],
    },
    Rule {
        id: RuleId::SnapshotQuota,
        layer: Layer::Api,
        source: Source::Seed("Error codes"),
        sentence: "|QuotaExceed.Snapshot|The maximum number of snapshots is exceeded.|403|No more images will be copied because you have exceeded your snapshot quota.|",
        params: &["DestinationRegionId", "ImageId"],
        errors: &[e("QuotaExceed.Snapshot", 403, "The maximum number of snapshots is exceeded.")],
    },
    Rule {
        id: RuleId::EncryptedCopy,
        layer: Layer::Api,
        source: Source::Newest("§2, Encrypted; §5, rows 26, 30 and 31"),
        sentence: "|Encrypted|boolean|No|Specifies whether to encrypt the new image.| against |403|OperationDenied.EncryptSnapshotAcrossRegion|The image do not contain encrypted snapshots, which do not support copying to encrypted ones.| and row 30, \"… which do not support copying to non-encrypted ones.\" (contradiction 4, point `encrypted-copy`)",
        params: &["Encrypted", "ImageId"],
        errors: &[e(
            "OperationDenied.EncryptSnapshotAcrossRegion",
            403,
            "The image do not contain encrypted snapshots, which do not support copying to encrypted ones.",
        )],
    },
    Rule {
        id: RuleId::KmsKey,
        layer: Layer::Api,
        source: Source::Newest("§2, KMSKeyId; §5, rows 14, 32 to 34, 36, 41, 42 and 47"),
        sentence: "|KMSKeyId|string|No|The ID of the key used to encrypt the image copy.| |404|InvalidParameter.KMSKeyId.NotFound|The specified KMSKeyId does not exist.| (the world model holds no KMS keys: point `kms-keys`)",
        params: &["KMSKeyId"],
        errors: &[
            e("InvalidParameter.KMSKeyId.NotFound", 404, "The specified KMSKeyId does not exist."),
            e(
                "InvalidParameter.KMSKeyId.CMKNotEnabled",
                403,
                "The CMK (Customer Master Key) must be in an active state.",
            ),
            e("InvalidParameter.KMSKeyId.KMSUnauthorized", 403, "ECS service have no right to access your KMS."),
            e(
                "InvalidParameter.KMSKeyId.CMKUnauthorized",
                403,
                "The CMK(Customer Master Key) lacks authorization to add tags to the ECS service.",
            ),
            e("InvalidParameter.KmsNotEnabled", 400, "The specified operation need enable KMS."),
            e(
                "OperationDenied.KmsServiceUnauthorized",
                403,
                "The account is not authorized to kms service, please authorize it.",
            ),
            e("InvalidRegion.NotSupport", 403, "The specified region does not support byok."),
            e("UserNotInTheWhiteList", 403, "The user is not in byok white list."),
        ],
    },
    Rule {
        id: RuleId::ResourceGroup,
        layer: Layer::Api,
        source: Source::Newest("§2, ResourceGroupId; §5, row 48"),
        sentence: "|ResourceGroupId|string|No|The ID of the resource group to which to assign the new image.| |404|InvalidResourceGroup.NotFound|The ResourceGroup provided does not exist in our records.| (the world model holds no resource groups: point `resource-groups`)",
        params: &["ResourceGroupId"],
        errors: &[e("InvalidResourceGroup.NotFound", 404, "The ResourceGroup provided does not exist in our records.")],
    },
    Rule {
        id: RuleId::CopySucceeds,
        layer: Layer::Api,
        source: Source::Seed("summary, Response parameters"),
        sentence: "Copies a custom image from one region to other regions. |ImageId|String|ID of the destination custom image|",
        params: &["RegionId", "ImageId", "DestinationRegionId", "DestinationImageName", "DestinationDescription"],
        errors: &[],
    },
    Rule {
        id: RuleId::ClientTokenIdempotent,
        layer: Layer::Api,
        source: Source::Newest("§2, ClientToken"),
        sentence: "The client token that you want to use to ensure the idempotence of the request. (The same token with the same parameters answers the same ImageId and copies nothing more.)",
        params: &["ClientToken"],
        errors: &[],
    },
    Rule {
        id: RuleId::DryRunPasses,
        layer: Layer::Api,
        source: Source::Newest("§2, DryRun"),
        sentence: "true: performs only a dry run. The system checks the request for potential issues ... If the request fails the dry run, an error message is returned. If the request passes the dry run, the `DryRunOperation` error code is returned. (Its HTTP status is not found: point `dry-run-status`.)",
        params: &["DryRun"],
        errors: &[e("DryRunOperation", 400, "Request validation has been passed with DryRun flag set.")],
    },
    Rule {
        id: RuleId::CopyLifecycle,
        layer: Layer::Api,
        source: Source::Protocol("§7"),
        sentence: "During a copy the new image exists in the destination region with status `Creating` and a `Progress` percentage; at 100% it becomes `Available`.",
        params: &["DestinationRegionId", "DestinationImageName", "DestinationDescription"],
        errors: &[],
    },
    Rule {
        id: RuleId::RegionsListed,
        layer: Layer::Api,
        source: Source::Companion("DescribeRegions (2018-06-09), Response fields"),
        sentence: "Describes the latest Alibaba Cloud regions that are available to you. |Regions|RegionType|A collection that includes region information.| |RegionId|String|Region ID|",
        params: &[],
        errors: &[],
    },
    Rule {
        id: RuleId::DescribeRegion,
        layer: Layer::Api,
        source: Source::Companion("DescribeImages (2018-06-15), Request parameters"),
        sentence: "|RegionId|String|Yes|ID of the region to which an instance belongs. You can call DescribeRegions to obtain the latest region list.| (the page's error table names no reply for an unknown region: point `describe-unknown-region`)",
        params: &["RegionId"],
        errors: &[REGION_NOT_FOUND, e("InvalidRegionId.NotFound", 400, "The specified region does not exist.")],
    },
    Rule {
        id: RuleId::DescribeStatus,
        layer: Layer::Api,
        source: Source::Companion("DescribeImages (2018-06-15), Request parameters"),
        sentence: "|Status|String|No|The image status. Optional values: Creating, Available, UnAvailable, CreateFailed. Default value: Available supports obtaining multiple values. These values are separated with commas (`,`) .| (no reply is named for another value: point `describe-status-value`)",
        params: &["Status"],
        errors: &[e("InvalidParameter", 400, "The specified parameter Status is not valid.")],
    },
    Rule {
        id: RuleId::DescribeOwnerAlias,
        layer: Layer::Api,
        source: Source::Companion("DescribeImages (2018-06-15), Error codes"),
        sentence: "|Invalidimageowneralias. valuenotsupported|The specified ImageOwnerAlias value is not supported.|400|Invalid `ImageOwnerAlias` value.| (optional values system, self, others, marketplace; spelled `InvalidImageOwnerAlias.ValueNotSupported` from 2020-10-26)",
        params: &["ImageOwnerAlias"],
        errors: &[
            e(
                "Invalidimageowneralias. valuenotsupported",
                400,
                "The specified ImageOwnerAlias value is not supported.",
            ),
            e("InvalidImageOwnerAlias.ValueNotSupported", 400, "The specified ImageOwnerAlias value is not supported."),
        ],
    },
    Rule {
        id: RuleId::DescribeUsage,
        layer: Layer::Api,
        source: Source::Companion("DescribeImages (2018-06-15), Error codes"),
        sentence: "|InvalidUsage|The specifed Usage is not valid|404|The specified `Usage` parameter is invalid.| (optional values: instance, none)",
        params: &["Usage"],
        errors: &[e("InvalidUsage", 404, "The specifed Usage is not valid")],
    },
    Rule {
        id: RuleId::DescribePaging,
        layer: Layer::Api,
        source: Source::Companion("DescribeImages (2018-06-15), Request parameters"),
        sentence: "|PageNumber|Integer|No|Page number of the instance status list. Start value: 1.Default value: 1.| |PageSize|Integer|No|Sets the number of lines per page for queries per page. Maximum value: 50.Default value: 10.| (no reply is named for a value outside them: point `describe-paging-value`)",
        params: &["PageNumber", "PageSize"],
        errors: &[
            e("InvalidParameter", 400, "The specified parameter {} is not valid."),
            e("InvalidPageSize.Malformed", 400, "The specified parameter PageSize is not valid."),
            e("InvalidPageNumber.Malformed", 400, "The specified parameter PageNumber is not valid."),
        ],
    },
    Rule {
        id: RuleId::DescribeListed,
        layer: Layer::Api,
        source: Source::Companion("DescribeImages (2018-06-15), What it does, Response fields"),
        sentence: "You can query images by pages. The result consists of the total number of available image resources and all the image resources on the current page. By default, 10 images are displayed per page. (Status default Available; ImageOwnerAlias \"Null indicates that results of `system`, `self` and `others` are returned.\"; each Image with Status, Progress, IsCopied, ImageOwnerAlias, ImageName, Description, CreationTime)",
        params: &["RegionId", "ImageId", "Status", "ImageName", "ImageOwnerAlias", "PageNumber", "PageSize"],
        errors: &[],
    },
    Rule {
        id: RuleId::CancelRegion,
        layer: Layer::Api,
        source: Source::Companion("CancelCopyImage (2018-06-13), Error codes"),
        sentence: "|InvalidRegionId.NotFound|The specified region does not exist.|404|The specified `RegionId` does not exist.|",
        params: &["RegionId"],
        errors: &[REGION_NOT_FOUND],
    },
    Rule {
        id: RuleId::CancelImage,
        layer: Layer::Api,
        source: Source::Companion("CancelCopyImage (2018-06-13), Error codes"),
        sentence: "|InvalidImageId.NotFound|The specified ImageId does not exist.|404|The specified ImageId does not exist.| (400 in the CopyImage seed: point `image-not-found-status`)",
        params: IMAGE,
        errors: &[IMAGE_NOT_FOUND_404, IMAGE_NOT_FOUND],
    },
    Rule {
        id: RuleId::CancelCopyTarget,
        layer: Layer::Api,
        source: Source::Companion("CancelCopyImage (2018-06-13), Error codes"),
        sentence: "|ImageCreatedNotFromCopy|The specified image is not the target image of a copy action.|400|The specified `ImageId` has no image copy task. Please try other images instead.| |IncorrectImageStatus|The specified image is not coping.|400|The status of the specified ImageId is incorrect.|",
        params: IMAGE,
        errors: &[
            e("ImageCreatedNotFromCopy", 400, "The specified image is not the target image of a copy action."),
            e("IncorrectImageStatus", 400, "The specified image is not coping."),
        ],
    },
    Rule {
        id: RuleId::CancelNotComplete,
        layer: Layer::Api,
        source: Source::Companion("CancelCopyImage (2018-06-13), What it does, Error codes"),
        sentence: "If the image copy process is completed, the action CancelCopyImage fails and an error returns. |IncorrectImageStatus|The image has completed copy.|400|This action fails because the image copy task of the specified `ImageId` is already complete.|",
        params: IMAGE,
        errors: &[
            e("IncorrectImageStatus", 400, "The image has completed copy."),
            e("IncorrectImageStatus", 400, "The image is copied finished."),
        ],
    },
    Rule {
        id: RuleId::CancelSucceeds,
        layer: Layer::Api,
        source: Source::Companion("CancelCopyImage (2018-06-13), What it does"),
        sentence: "After you cancel the task, the destination image created in the target region is deleted, and the source image remains unchanged. (seed: \"However, you can cancel the copying process (CancelCopyImage).\")",
        params: IMAGE,
        errors: &[],
    },
    Rule {
        id: RuleId::DeleteRegion,
        layer: Layer::Api,
        source: Source::Companion("DeleteImage (2018-06-15), Error codes"),
        sentence: "|InvalidRegionId.NotFound|The specified region does not exist.|404|The specified `RegionId` does not exist.|",
        params: &["RegionId"],
        errors: &[REGION_NOT_FOUND],
    },
    Rule {
        id: RuleId::DeleteImageExists,
        layer: Layer::Api,
        source: Source::Companion("DeleteImage (2018-06-15), Error codes; later changes"),
        sentence: "The 2018 table has no `InvalidImageId.NotFound` row. (2019-05-31: \"If the specified custom image does not exist, the request will be ignored.\"; 2020-09-28: 404 `InvalidImageId.NotFound`: point `delete-missing-image`)",
        params: IMAGE,
        errors: &[IMAGE_NOT_FOUND_404, IMAGE_NOT_FOUND],
    },
    Rule {
        id: RuleId::DeleteOwnCustom,
        layer: Layer::Api,
        source: Source::Companion("DeleteImage (2018-06-15), What it does"),
        sentence: "Deletes a specified custom image. (no reply is named for an image that is not the caller's custom image: point `delete-not-own`)",
        params: IMAGE,
        errors: &[IMAGE_NOT_FOUND_404, IMAGE_NOT_FOUND, FORBIDDEN],
    },
    Rule {
        id: RuleId::DeleteNotCopying,
        layer: Layer::Api,
        source: Source::Seed("Description"),
        sentence: "You cannot delete an image (DeleteImage) when copying is in progress. (DeleteImage 2018: |OperationDenied.ImageCopying|The specified image is being copied.|403|The specified custom image is being copied, please try again later.|)",
        params: IMAGE,
        errors: &[IMAGE_COPYING, IMAGE_IS_CREATING],
    },
    Rule {
        id: RuleId::DeleteNotCreating,
        layer: Layer::Api,
        source: Source::Companion("DeleteImage (2018-06-15), Error codes"),
        sentence: "|ImageIsCreating|The specified image is being created.|403|The specified custom image is being created, please try again later.|",
        params: IMAGE,
        errors: &[IMAGE_IS_CREATING],
    },
    Rule {
        id: RuleId::DeleteForce,
        layer: Layer::Api,
        source: Source::Companion("DeleteImage (2018-06-15), Request parameters"),
        sentence: "|Force|String|No|Whether to directly delete the custom image or not. Optional values: true: Directly delete the custom image, and ignore the usage status of the image. false: Verify whether the image has been used by any instance before the deletion.| (no default, no reply for another value: point `delete-force-value`)",
        params: &["Force"],
        errors: &[e("InvalidParameter", 400, "The specified parameter Force is not valid.")],
    },
    Rule {
        id: RuleId::DeleteSucceeds,
        layer: Layer::Api,
        source: Source::Companion("DeleteImage (2018-06-15), What it does, Response"),
        sentence: "Deletes a specified custom image. All are common response parameters.",
        params: IMAGE,
        errors: &[],
    },
    Rule {
        id: RuleId::ReplyFormat,
        layer: Layer::Reply,
        source: Source::Protocol("§1, §4"),
        sentence: "`Format`: `XML` (default when absent) or `JSON` ... match it case-insensitively. A V3 request carries no `Format`; the SDK asks `accept: application/json` and parses JSON.",
        params: &["Format"],
        errors: &[],
    },
    Rule {
        id: RuleId::ReplySuccessShape,
        layer: Layer::Reply,
        source: Source::Seed("Response parameters, Examples"),
        sentence: "<CopyImageResponse><RequestId>...</RequestId><ImageId>...</ImageId></CopyImageResponse> / {\"RequestId\": ..., \"ImageId\": ...} (companions.md: <DescribeImagesResponse> with RegionId, TotalCount, PageNumber, PageSize and Images; <DescribeRegionsResponse> with Regions; CancelCopyImage and DeleteImage: \"All parameters are common response parameters.\")",
        params: &[],
        errors: &[],
    },
    Rule {
        id: RuleId::ReplyErrorShape,
        layer: Layer::Reply,
        source: Source::Protocol("§1"),
        sentence: "Errors: XML root `<Error>` with `RequestId`, `HostId` (e.g. `ecs.aliyuncs.com`), `Code`, `Message`; JSON is the same fields flat.",
        params: &[],
        errors: &[],
    },
    Rule {
        id: RuleId::ReplyRequestId,
        layer: Layer::Reply,
        source: Source::Protocol("§1"),
        sentence: "RequestId is an uppercase UUID in the docs' examples (`C8B26B44-0189-443E-9816-D951F59623A9`).",
        params: &[],
        errors: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_match_their_ids() {
        for (i, rule) in RULES.iter().enumerate() {
            assert_eq!(rule.id as usize, i, "{} is out of place", rule.id);
            assert_eq!(RuleId::from_name(rule.id.name()), Some(rule.id));
        }
    }

    #[test]
    fn every_seed_error_code_has_a_rule() {
        let seed = [
            ("DestinationRegion.NotFound", 400),
            ("IncorrectImageStatus", 400),
            ("InvalidDescription.Malformed", 400),
            ("InvalidImageId.NotFound", 400),
            ("InvalidImageName.Duplicated", 400),
            ("InvalidImageName.Malformed", 400),
            ("SourceRegion.NotFound", 400),
            ("Forbidden", 403),
            ("IncorrectDestinationRegion", 403),
            ("InvalidSnapshot.TooOld", 403),
            ("OperationDeined.EncryptedSnapshot", 403),
            ("OperationDenied.ImageCopying", 403),
            ("QuotaExceed.Image", 403),
            ("QuotaExceed.Snapshot", 403),
            ("RegionNotSupportCopy", 403),
        ];
        for (code, status) in seed {
            assert!(
                RULES.iter().any(|r| r.errors.first().is_some_and(|e| e.code == code && e.status == status)),
                "{code} {status} has no rule whose first reply it is"
            );
        }
        // Both documented messages of InvalidImageName.Malformed are used.
        let messages: std::collections::BTreeSet<_> = RULES
            .iter()
            .flat_map(|r| r.errors)
            .filter(|e| e.code == "InvalidImageName.Malformed")
            .map(|e| e.message)
            .collect();
        assert_eq!(messages.len(), 2);
    }

    #[test]
    fn messages_fill_their_detail() {
        let m = RuleId::MissingParameter.rule().errors[0].message(Some("ImageId"));
        assert!(m.contains("\"ImageId\""), "{m}");
        assert!(!RuleId::SourceRegion.rule().errors[0].message(None).contains("{}"));
    }
}
