//! Deliberate deviations: each changes one thing about an anchored case.
//!
//! Owns [`Deviation`], the closed list of ways a generated case departs from its valid
//! anchor, [`arb_deviation`] (one strategy per rule, so every rule is reached and a
//! case with one deviation breaks exactly its rule), and [`Deviation::apply`], which
//! edits the world or the request. A case is its anchor plus a list of deviations;
//! shrinking drops deviations and pulls values to the documented bounds, so a failure
//! converges on a single broken rule sitting on its bound (a name of 129 characters, a
//! timestamp a second past the window).

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::newest::NewestProbe;
use super::values::*;
use super::world::Anchor;
use crate::case::{Case, ParamValue, Tamper};
use crate::model::{AccessKey, Copy, Image, ImageKind, ImageStatus, Secret, Timestamp, World};
use crate::oracle::nonce;
use crate::oracle::open::OpenPoint;
use crate::oracle::{DESCRIPTION_LENGTH, NAME_LENGTH, WINDOW_CERTAIN, WINDOW_OPEN};
use crate::rules::RuleId;
use crate::rules::protocol::{REQUIRED, V1_ONLY, V3_AUTHORIZATION, V3_CONTENT_HASH};
use crate::wire::sign::Signing;

/// A URL scheme prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scheme {
    /// `http://`.
    Http,
    /// `https://`.
    Https,
}

impl Scheme {
    pub(super) fn prefix(self) -> &'static str {
        match self {
            Scheme::Http => "http://",
            Scheme::Https => "https://",
        }
    }
}

/// A way a case departs from its anchor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "deviation", rename_all = "kebab-case")]
pub enum Deviation {
    /// A name of this many characters (outside [2, 128]), all `fill`.
    NameLength {
        /// Length in characters.
        length: usize,
        /// The character repeated.
        fill: char,
    },
    /// A name beginning with this character.
    NameFirst {
        /// The first character.
        first: char,
    },
    /// A name containing this character after the first.
    NameInner {
        /// The character.
        inner: char,
    },
    /// A name of white space only.
    NameBlank {
        /// How many spaces.
        spaces: usize,
    },
    /// A name beginning with a URL scheme.
    NameUrl {
        /// The scheme.
        scheme: Scheme,
    },
    /// A description of this many characters (over 256).
    DescriptionLength {
        /// Length in characters.
        length: usize,
    },
    /// A description beginning with a URL scheme.
    DescriptionUrl {
        /// The scheme.
        scheme: Scheme,
    },
    /// `RegionId` names no region.
    UnknownSourceRegion,
    /// `DestinationRegionId` names no region.
    UnknownDestinationRegion,
    /// The destination is the source region.
    SameRegion,
    /// The destination does not support copying.
    DestinationWithoutCopy,
    /// `ImageId` names no image.
    UnknownImage,
    /// `ImageId` names the caller's image in another region.
    ImageElsewhere,
    /// The source image belongs to another account.
    ForeignImage,
    /// The source image is not a custom image.
    NotCustom {
        /// Its kind.
        kind: ImageKind,
    },
    /// The source image is not Available.
    Status {
        /// Its status.
        status: ImageStatus,
    },
    /// The source image was created this many seconds before 2013-07-14T10:00:00Z.
    TooOld {
        /// Seconds before the earliest start of 2013-07-15.
        seconds_before: i64,
    },
    /// The source image has an encrypted snapshot.
    Encrypted,
    /// A copy of the source image is in progress.
    BeingCopied,
    /// The name is taken by the caller's image in the destination.
    NameTaken,
    /// The destination's custom-image quota is full.
    ImageQuotaFull,
    /// The destination's snapshot quota is reached, and the source has this many
    /// snapshots: refused whether a server counts the copy's snapshots or not.
    SnapshotQuotaFull {
        /// The source image's snapshots (shrinks to 1).
        snapshots: u32,
    },
    /// The caller may not copy images.
    NotAuthorized,
    /// The caller signs with a disabled key.
    DisabledKey,
    /// A wire-level change.
    Tamper {
        /// The change.
        tamper: Tamper,
    },
    /// A case where the documentation is open: several outcomes are acceptable.
    Open {
        /// Which.
        probe: OpenProbe,
    },
    /// A departure in the newest page's own parameters (profile 2026-01 only).
    Newest {
        /// Which.
        probe: NewestProbe,
    },
}

/// A probe of an open point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "probe", rename_all = "kebab-case")]
pub enum OpenProbe {
    /// A name with an open character after the first.
    NameChar {
        /// The character.
        c: char,
    },
    /// A name whose first character is open.
    NameFirst {
        /// The character.
        c: char,
    },
    /// A name or description prefixed by a mixed-case or space-led URL scheme.
    UrlPrefix {
        /// The prefix.
        prefix: String,
        /// On the description (else the name).
        description: bool,
    },
    /// A description holding a control character.
    DescriptionControl {
        /// The character.
        c: char,
    },
    /// An extra parameter the seed does not list.
    Unknown {
        /// Name.
        name: String,
        /// ParamValue.
        value: String,
    },
    /// A business value that is not UTF-8.
    NonUtf8 {
        /// Parameter name.
        param: String,
    },
    /// A timestamp near the 15-minute edge.
    TimestampEdge {
        /// Seconds of skew.
        seconds: i64,
    },
    /// A timestamp in another RFC 3339 form.
    TimestampForm {
        /// Which form.
        form: u8,
    },
    /// The source image was created during 2013-07-15 somewhere on Earth.
    TooOldEdge {
        /// Seconds after 2013-07-14T10:00:00Z.
        seconds_after: i64,
    },
    /// The source region does not support copying.
    SourceWithoutCopy,
    /// The name is taken in the destination, in another case.
    NameCase,
    /// A required parameter sent empty.
    EmptyRequired {
        /// Parameter name.
        param: String,
    },
    /// A name of astral Han characters whose length differs in UTF-16.
    AstralName {
        /// Length in characters.
        length: usize,
    },
    /// `DestinationImageName=` (empty).
    EmptyName,
    /// A `Format` that is neither XML nor JSON.
    FormatOther {
        /// The value.
        value: String,
    },
    /// The source has this many snapshots (2 or more) and the destination has room for
    /// all but one: refused only by a server that refuses copies past the quota.
    SnapshotQuotaEdge {
        /// The source image's snapshots.
        snapshots: u32,
    },
}

impl Deviation {
    /// The rule the deviation is meant to break (for open probes, the rule whose outcome
    /// is open).
    pub fn rule(&self) -> RuleId {
        match self {
            Deviation::NameLength { .. }
            | Deviation::Open { probe: OpenProbe::AstralName { .. } | OpenProbe::EmptyName } => RuleId::NameLength,
            Deviation::NameFirst { .. }
            | Deviation::NameBlank { .. }
            | Deviation::Open { probe: OpenProbe::NameFirst { .. } } => RuleId::NameFirstCharacter,
            Deviation::NameInner { .. } | Deviation::Open { probe: OpenProbe::NameChar { .. } } => {
                RuleId::NameCharacters
            }
            Deviation::NameUrl { .. } => RuleId::NamePrefix,
            Deviation::DescriptionLength { .. } => RuleId::DescriptionLength,
            Deviation::DescriptionUrl { .. } => RuleId::DescriptionPrefix,
            Deviation::Open { probe: OpenProbe::UrlPrefix { description: true, .. } } => RuleId::DescriptionPrefix,
            Deviation::Open { probe: OpenProbe::UrlPrefix { description: false, .. } } => RuleId::NamePrefix,
            Deviation::Open { probe: OpenProbe::DescriptionControl { .. } } => RuleId::DescriptionWellFormed,
            Deviation::UnknownSourceRegion => RuleId::SourceRegion,
            Deviation::UnknownDestinationRegion => RuleId::DestinationRegion,
            Deviation::SameRegion => RuleId::SameRegion,
            Deviation::DestinationWithoutCopy | Deviation::Open { probe: OpenProbe::SourceWithoutCopy } => {
                RuleId::RegionSupportsCopy
            }
            Deviation::UnknownImage | Deviation::ImageElsewhere => RuleId::ImageExists,
            Deviation::ForeignImage => RuleId::OwnImage,
            Deviation::NotCustom { .. } => RuleId::CustomImage,
            Deviation::Status { .. } => RuleId::ImageAvailable,
            Deviation::TooOld { .. } | Deviation::Open { probe: OpenProbe::TooOldEdge { .. } } => RuleId::ImageAge,
            Deviation::Encrypted => RuleId::ImageUnencrypted,
            Deviation::BeingCopied => RuleId::ImageNotCopying,
            Deviation::NameTaken | Deviation::Open { probe: OpenProbe::NameCase } => RuleId::NameUnique,
            Deviation::ImageQuotaFull => RuleId::ImageQuota,
            Deviation::SnapshotQuotaFull { .. } | Deviation::Open { probe: OpenProbe::SnapshotQuotaEdge { .. } } => {
                RuleId::SnapshotQuota
            }
            Deviation::NotAuthorized => RuleId::Authorized,
            Deviation::DisabledKey => RuleId::AccessKeyDisabled,
            Deviation::Open { probe: OpenProbe::Unknown { .. } } => RuleId::UnknownParameter,
            Deviation::Open { probe: OpenProbe::FormatOther { .. } } => RuleId::FormatValue,
            Deviation::Open { probe: OpenProbe::NonUtf8 { .. } } => RuleId::Utf8,
            Deviation::Open { probe: OpenProbe::TimestampEdge { .. } } => RuleId::TimestampExpired,
            Deviation::Open { probe: OpenProbe::TimestampForm { .. } } => RuleId::TimestampFormat,
            Deviation::Open { probe: OpenProbe::EmptyRequired { .. } } => RuleId::MissingParameter,
            Deviation::Tamper { tamper } => tamper_rule(tamper),
            Deviation::Newest { probe } => probe.rule(),
        }
    }

    /// Whether it probes an open point: several outcomes, success among them, may be
    /// acceptable.
    pub fn is_open(&self) -> bool {
        if let Deviation::Tamper { tamper: Tamper::Omit { name } } = self {
            // Point `v3-content-hash`: a server may hash the body itself.
            return name == V3_CONTENT_HASH;
        }
        if let Deviation::Newest { probe } = self {
            return probe.is_open();
        }
        matches!(
            self,
            Deviation::Open { .. }
                | Deviation::Tamper {
                    tamper: Tamper::Duplicate { .. }
                        | Tamper::UnsignedHeader { .. }
                        | Tamper::Oversize
                        | Tamper::ReuseFailedNonce
                        | Tamper::ReuseAgedNonce { .. }
                }
        )
    }

    /// Whether it changes the world (rather than the request).
    pub fn changes_world(&self) -> bool {
        if let Deviation::Newest { probe } = self {
            return probe.changes_world();
        }
        matches!(
            self,
            Deviation::DestinationWithoutCopy
                | Deviation::ImageElsewhere
                | Deviation::ForeignImage
                | Deviation::NotCustom { .. }
                | Deviation::Status { .. }
                | Deviation::TooOld { .. }
                | Deviation::Encrypted
                | Deviation::BeingCopied
                | Deviation::NameTaken
                | Deviation::ImageQuotaFull
                | Deviation::SnapshotQuotaFull { .. }
                | Deviation::NotAuthorized
                | Deviation::DisabledKey
                | Deviation::Open {
                    probe: OpenProbe::TooOldEdge { .. }
                        | OpenProbe::SourceWithoutCopy
                        | OpenProbe::NameCase
                        | OpenProbe::SnapshotQuotaEdge { .. }
                }
        )
    }
}

fn tamper_rule(t: &Tamper) -> RuleId {
    match t {
        Tamper::Omit { .. } => RuleId::MissingParameter,
        Tamper::Set { name, .. } if name == "Action" => RuleId::Action,
        Tamper::Set { name, .. } if name == "Version" => RuleId::Version,
        Tamper::Set { .. } => RuleId::IncompleteSignature,
        Tamper::Duplicate { .. } => RuleId::DuplicateParameter,
        Tamper::Method { .. } => RuleId::Method,
        Tamper::BadSignature | Tamper::WrongSecret => RuleId::Signature,
        Tamper::TimestampOffset { .. } => RuleId::TimestampExpired,
        Tamper::TimestampText { .. } => RuleId::TimestampFormat,
        Tamper::ReuseNonce | Tamper::ReuseFailedNonce | Tamper::ReuseAgedNonce { .. } => RuleId::NonceUsed,
        Tamper::Key { .. } => RuleId::AccessKeyUnknown,
        Tamper::RawQuery { .. } => RuleId::Encoding,
        Tamper::Oversize => RuleId::Size,
        Tamper::UnsignedHeader { .. } => RuleId::IncompleteSignature,
    }
}

/// The open point a probe explores (for reports).
pub fn probe_point(p: &OpenProbe) -> OpenPoint {
    match p {
        OpenProbe::NameChar { c } | OpenProbe::NameFirst { c } => match c {
            '\\' => OpenPoint::NameBackslash,
            '.' => OpenPoint::NamePeriod,
            'Ａ'..='ｚ' | '０'..='９' => OpenPoint::FullWidthLatin,
            _ => OpenPoint::ChineseCharacter,
        },
        OpenProbe::UrlPrefix { prefix, .. } if prefix.starts_with(' ') => OpenPoint::UrlPrefixWhitespace,
        OpenProbe::UrlPrefix { .. } => OpenPoint::UrlPrefixCase,
        OpenProbe::DescriptionControl { .. } => OpenPoint::DescriptionControl,
        OpenProbe::Unknown { .. } => OpenPoint::UnknownParameter,
        OpenProbe::NonUtf8 { .. } => OpenPoint::NonUtf8,
        OpenProbe::TimestampEdge { .. } => OpenPoint::TimestampWindow,
        OpenProbe::TimestampForm { .. } => OpenPoint::TimestampForm,
        OpenProbe::TooOldEdge { .. } => OpenPoint::TooOldBoundary,
        OpenProbe::SourceWithoutCopy => OpenPoint::SourceRegionNoCopy,
        OpenProbe::NameCase => OpenPoint::NameCase,
        OpenProbe::EmptyRequired { .. } => OpenPoint::EmptyRequired,
        OpenProbe::AstralName { .. } => OpenPoint::LengthUnit,
        OpenProbe::EmptyName => OpenPoint::EmptyName,
        OpenProbe::FormatOther { .. } => OpenPoint::FormatValue,
        OpenProbe::SnapshotQuotaEdge { .. } => OpenPoint::SnapshotQuotaBoundary,
    }
}

/// The required values a V3 request carries: the required parameters but those with no
/// V3 form (its `AccessKeyId` and `Signature` are its `Authorization` header, left out
/// as `Signature`), and the body's hash.
fn required_v3() -> Vec<&'static str> {
    let mut v: Vec<&str> =
        REQUIRED.iter().copied().filter(|p| !V1_ONLY.contains(p) && *p != V3_AUTHORIZATION[0]).collect();
    v.push(V3_CONTENT_HASH);
    v
}

/// Malformed timestamps. One carries a control character, which the error's `Message`
/// may echo: XML cannot carry it, so a well-formed reply must replace it. A header
/// cannot carry it either, so V3 requests go without it.
fn timestamp_texts(v3: bool) -> Vec<&'static str> {
    let mut texts =
        vec!["yesterday", "2024-13-01T00:00:00Z", "2024-01-01 00:00:00", "1704067200", "2024-02-30T00:00:00Z"];
    if !v3 {
        texts.push("2024\u{1b}[31m-01-01");
    }
    texts
}

/// Rules that no case in these signing modes exercises: `request.size`'s oversize body
/// is built only where the padding can be signed ([`crate::wire::build::signs_padding`],
/// the condition of its arm in `arb_tamper`).
pub fn unreachable(signings: &[Signing]) -> Vec<RuleId> {
    if signings.iter().any(|s| crate::wire::build::signs_padding(*s)) { Vec::new() } else { vec![RuleId::Size] }
}

fn arb_tamper(signing: Signing) -> impl Strategy<Value = Tamper> {
    let text = |s: &str| ParamValue::text(s);
    let v3 = signing == Signing::V3;
    let required = if v3 { required_v3() } else { REQUIRED.to_vec() };
    let algorithm = if v3 {
        prop::sample::select(vec!["x-acs-date", "x-acs-action", "host", "x-acs-signature-nonce"])
            .prop_map(|h| Tamper::UnsignedHeader { name: h.to_owned() })
            .boxed()
    } else {
        prop::sample::select(vec![
            ("SignatureMethod", "HMAC-SHA256"),
            ("SignatureMethod", "HMAC-MD5"),
            ("SignatureVersion", "2.0"),
        ])
        .prop_map(move |(n, v)| Tamper::Set { name: n.into(), value: text(v) })
        .boxed()
    };
    // Certainly expired: a second past the open window, and shrinking towards it.
    let expired = WINDOW_OPEN as i64 + 1;
    let mut arms: Vec<(u32, BoxedStrategy<Tamper>)> = vec![
        (16, prop::sample::select(required).prop_map(|n| Tamper::Omit { name: n.to_owned() }).boxed()),
        (8, Just(Tamper::BadSignature).boxed()),
        (4, Just(Tamper::WrongSecret).boxed()),
        // Expired either way; shrinks to one second past the open window.
        (
            8,
            (prop_oneof![expired..1_200, expired..400_000_000], any::<bool>())
                .prop_map(|(s, past)| Tamper::TimestampOffset { seconds: if past { -s } else { s } })
                .boxed(),
        ),
        (
            4,
            prop::sample::select(timestamp_texts(v3))
                .prop_map(|t| Tamper::TimestampText { text: t.to_owned() })
                .boxed(),
        ),
        (8, Just(Tamper::ReuseNonce).boxed()),
        (4, Just(Tamper::ReuseFailedNonce).boxed()),
        (
            4,
            // Aged past the window in which a reuse is certainly refused, but still within
            // what the oracle remembers (its open margin).
            (nonce::WINDOW_SECONDS as u32..nonce::KEEP_SECONDS as u32)
                .prop_map(|seconds| Tamper::ReuseAgedNonce { seconds })
                .boxed(),
        ),
        (8, arb_text(&ALNUM, 1..=24).prop_map(|id| Tamper::Key { id: format!("LTAIunknown{id}") }).boxed()),
        (
            4,
            prop::sample::select(vec!["CopyImages", "CopyImageX", "DescribeImage", "Copy Image"])
                .prop_map(move |a| Tamper::Set { name: "Action".into(), value: text(a) })
                .boxed(),
        ),
        (
            4,
            prop::sample::select(vec!["2016-11-11", "2014-05-27", "latest", "2014-5-26"])
                .prop_map(move |v| Tamper::Set { name: "Version".into(), value: text(v) })
                .boxed(),
        ),
        (4, algorithm),
        (
            4,
            prop::sample::select(vec!["PUT", "DELETE", "PATCH"])
                .prop_map(|m| Tamper::Method { method: m.to_owned() })
                .boxed(),
        ),
        (
            8,
            (
                prop::sample::select(vec!["RegionId", "ImageId", "DestinationRegionId", "Action", "Format"]),
                arb_text(&[LOWER, DIGITS, "-"], 1..=12),
            )
                .prop_map(move |(n, v)| Tamper::Duplicate { name: n.to_owned(), value: text(&v) })
                .boxed(),
        ),
        (
            4,
            prop::sample::select(vec!["%FF=1", "%C3%28=x", "A%80B=2"])
                .prop_map(|t| Tamper::RawQuery { text: t.to_owned() })
                .boxed(),
        ),
    ];
    // Only where the padding can be signed: then the request has one reading. (Last,
    // so that shrinking, which moves to earlier branches, never lands on it.) A quarter
    // of the other weights' unit: each such request is a megabyte to build, sign and
    // verify, and a few in a run check the rule.
    if crate::wire::build::signs_padding(signing) {
        arms.push((1, Just(Tamper::Oversize).boxed()));
    }
    proptest::strategy::Union::new_weighted(arms)
}

fn arb_probe() -> impl Strategy<Value = OpenProbe> {
    prop_oneof![
        arb_open_name_char().prop_map(|c| OpenProbe::NameChar { c }),
        arb_open_first_char().prop_map(|c| OpenProbe::NameFirst { c }),
        (arb_open_url_prefix(), any::<bool>())
            .prop_map(|(prefix, description)| { OpenProbe::UrlPrefix { prefix, description } }),
        arb_control_char().prop_map(|c| OpenProbe::DescriptionControl { c }),
        // Names no revision gives another meaning to, or newer ones with a value that
        // leaves the request as it is (a `regionid` could be read as `RegionId`, a
        // `DryRun=true` or a `ClientToken` as what later pages make of them).
        prop_oneof![
            (prop::sample::select(vec!["X-Extra", "Foo", "ExtraParameter"]), arb_text(&[LOWER], 0..=8))
                .prop_map(|(n, v)| OpenProbe::Unknown { name: n.to_owned(), value: v }),
            prop::sample::select(vec![("Encrypted", "false"), ("DryRun", "false"), ("Tag.1.Key", "k")])
                .prop_map(|(n, v)| OpenProbe::Unknown { name: n.to_owned(), value: v.to_owned() }),
        ],
        prop::sample::select(vec!["DestinationImageName", "DestinationDescription", "ImageId", "RegionId"])
            .prop_map(|p| OpenProbe::NonUtf8 { param: p.to_owned() }),
        (WINDOW_CERTAIN as i64 + 1..=WINDOW_OPEN as i64, any::<bool>())
            .prop_map(|(s, past)| OpenProbe::TimestampEdge { seconds: if past { -s } else { s } }),
        (0u8..3).prop_map(|form| OpenProbe::TimestampForm { form }),
        (0i64..180_000).prop_map(|s| OpenProbe::TooOldEdge { seconds_after: s }),
        Just(OpenProbe::SourceWithoutCopy),
        Just(OpenProbe::NameCase),
        prop::sample::select(vec!["RegionId", "ImageId", "DestinationRegionId", "Action", "AccessKeyId", "Timestamp"])
            .prop_map(|p| OpenProbe::EmptyRequired { param: p.to_owned() }),
        (NAME_LENGTH.1 / 2..=NAME_LENGTH.1).prop_map(|length| OpenProbe::AstralName { length }),
        Just(OpenProbe::EmptyName),
        prop::sample::select(vec!["yaml", "HTML", "text/xml", ""])
            .prop_map(|v| OpenProbe::FormatOther { value: v.to_owned() }),
        (2u32..5).prop_map(|snapshots| OpenProbe::SnapshotQuotaEdge { snapshots }),
    ]
}

/// One deviation of a case signed with `signing`: every rule of the table is reachable,
/// with roughly even weight.
pub fn arb_deviation(signing: Signing) -> impl Strategy<Value = Deviation> {
    let text_rules = prop_oneof![
        // Lengths sit on the bound they cross more often than chance would put them, and
        // shrink towards it: 129 above, 1 below. A Chinese name stays under 5,000
        // characters so that it fits in a URL (45 KB encoded).
        3 => (prop::sample::select(vec!['a', 'Z', '中']), 0usize..4).prop_flat_map(|(fill, band)| {
            let over = NAME_LENGTH.1 + 1;
            let max = if fill.is_ascii() { 10_000 } else { 5_000 };
            let length = match band {
                0 => Just(over).boxed(),
                1 => (over..=over + 11).boxed(),
                2 => (over..=max).boxed(),
                // One under: an empty name is an open point of its own.
                _ => Just(NAME_LENGTH.0 - 1).boxed(),
            };
            length.prop_map(move |length| Deviation::NameLength { length, fill })
        }),
        2 => arb_bad_first_char().prop_map(|first| Deviation::NameFirst { first }),
        3 => arb_bad_inner_char().prop_map(|inner| Deviation::NameInner { inner }),
        1 => (1usize..4).prop_map(|spaces| Deviation::NameBlank { spaces }),
        1 => prop::sample::select(vec![Scheme::Http, Scheme::Https]).prop_map(|scheme| Deviation::NameUrl { scheme }),
        2 => {
            let over = DESCRIPTION_LENGTH.1 + 1;
            prop_oneof![Just(over), over..=over + 13, over..=10_000].prop_map(|length| Deviation::DescriptionLength { length })
        },
        1 => prop::sample::select(vec![Scheme::Http, Scheme::Https]).prop_map(|scheme| Deviation::DescriptionUrl { scheme }),
    ];
    let state_rules = prop_oneof![
        Just(Deviation::UnknownSourceRegion),
        Just(Deviation::UnknownDestinationRegion),
        Just(Deviation::SameRegion),
        Just(Deviation::DestinationWithoutCopy),
        Just(Deviation::UnknownImage),
        Just(Deviation::ImageElsewhere),
        Just(Deviation::ForeignImage),
        prop::sample::select(vec![ImageKind::System, ImageKind::Public, ImageKind::Marketplace])
            .prop_map(|kind| Deviation::NotCustom { kind }),
        prop::sample::select(
            ImageStatus::ALL.iter().copied().filter(|s| *s != ImageStatus::Available).collect::<Vec<_>>()
        )
        .prop_map(|status| Deviation::Status { status }),
        prop_oneof![0i64..86_400 * 62, 0i64..400_000_000]
            .prop_map(|seconds_before| Deviation::TooOld { seconds_before }),
        Just(Deviation::Encrypted),
        Just(Deviation::BeingCopied),
        Just(Deviation::NameTaken),
        Just(Deviation::ImageQuotaFull),
        (1u32..4).prop_map(|snapshots| Deviation::SnapshotQuotaFull { snapshots }),
        Just(Deviation::NotAuthorized),
        Just(Deviation::DisabledKey),
    ];
    prop_oneof![
        12 => text_rules,
        17 => state_rules,
        22 => arb_tamper(signing).prop_map(|tamper| Deviation::Tamper { tamper }),
        6 => arb_probe().prop_map(|probe| Deviation::Open { probe }),
    ]
}

/// Sets a business parameter (or adds it).
pub(super) fn set(case: &mut Case, name: &str, value: Vec<u8>) {
    match case.params.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = ParamValue(value),
        None => case.params.push((name.to_owned(), ParamValue(value))),
    }
}

fn text_of(case: &Case, name: &str) -> Option<String> {
    case.params.iter().find(|(n, _)| n == name).map(|(_, v)| String::from_utf8_lossy(&v.0).into_owned())
}

fn image_mut<'w>(world: &'w mut World, id: &str) -> Option<&'w mut Image> {
    world.images.iter_mut().find(|i| i.id == id)
}

fn region_mut<'w>(world: &'w mut World, id: &str) -> Option<&'w mut crate::model::Region> {
    world.regions.iter_mut().find(|r| r.id == id)
}

/// Adds an image owned by the caller and widens the region's quotas so that the
/// anchor copy still has room.
fn add_own_image(world: &mut World, anchor: &Anchor, image: Image) {
    let region = image.region.clone();
    let snaps = image.snapshot_count;
    world.images.push(image);
    if let Some(r) = region_mut(world, &region) {
        r.image_quota += 1;
        r.snapshot_quota += snaps;
    }
    let _ = anchor;
}

pub(super) fn fresh_image_id(world: &World) -> String {
    (300..).map(crate::model::image_id::numbered).find(|id| world.image(id).is_none()).unwrap_or_default()
}

/// A region other than source and destination if the world has one, else the
/// destination.
fn third_region(world: &World, anchor: &Anchor) -> String {
    world
        .regions
        .iter()
        .map(|r| r.id.clone())
        .find(|r| *r != anchor.source_region && *r != anchor.destination)
        .unwrap_or_else(|| anchor.destination.clone())
}

impl Deviation {
    /// Applies the deviation to a case and its world.
    pub fn apply(&self, anchor: &Anchor, world: &mut World, case: &mut Case) {
        let name = |case: &mut Case, s: String| set(case, "DestinationImageName", s.into_bytes());
        let desc = |case: &mut Case, s: String| set(case, "DestinationDescription", s.into_bytes());
        match self {
            Deviation::NameLength { length, fill } => name(case, fill.to_string().repeat(*length)),
            Deviation::NameFirst { first } => name(case, format!("{first}abc")),
            Deviation::NameInner { inner } => name(case, format!("ab{inner}cd")),
            Deviation::NameBlank { spaces } => name(case, " ".repeat(*spaces)),
            Deviation::NameUrl { scheme } => name(case, format!("{}example", scheme.prefix())),
            Deviation::DescriptionLength { length } => desc(case, "d".repeat(*length)),
            Deviation::DescriptionUrl { scheme } => desc(case, format!("{}example.com/image", scheme.prefix())),
            Deviation::UnknownSourceRegion => set(case, "RegionId", b"xx-nowhere-1".to_vec()),
            Deviation::UnknownDestinationRegion => set(case, "DestinationRegionId", b"xx-nowhere-2".to_vec()),
            Deviation::SameRegion => {
                let source = text_of(case, "RegionId").unwrap_or_else(|| anchor.source_region.clone());
                set(case, "DestinationRegionId", source.into_bytes());
            }
            Deviation::DestinationWithoutCopy => {
                let dest = text_of(case, "DestinationRegionId").unwrap_or_else(|| anchor.destination.clone());
                if let Some(r) = region_mut(world, &dest) {
                    r.supports_copy = false;
                }
            }
            Deviation::UnknownImage => set(case, "ImageId", b"m-doesnotexist0000000".to_vec()),
            Deviation::ImageElsewhere => {
                let id = fresh_image_id(world);
                let mut img = world.image(&anchor.image).cloned().unwrap_or_else(|| placeholder(anchor));
                img.id = id.clone();
                img.region = third_region(world, anchor);
                img.name = None;
                add_own_image(world, anchor, img);
                set(case, "ImageId", id.into_bytes());
            }
            Deviation::ForeignImage => {
                if let Some(i) = image_mut(world, &anchor.image) {
                    i.owner = Some(anchor.other_account.clone());
                }
            }
            Deviation::NotCustom { kind } => {
                if let Some(i) = image_mut(world, &anchor.image) {
                    i.kind = *kind;
                    i.owner = None;
                }
            }
            Deviation::Status { status } => {
                if let Some(i) = image_mut(world, &anchor.image) {
                    i.status = *status;
                }
            }
            Deviation::TooOld { seconds_before } => {
                if let Some(i) = image_mut(world, &anchor.image) {
                    i.created_at = Timestamp(crate::oracle::TOO_OLD_CERTAIN_BEFORE.0 - 1 - seconds_before);
                }
            }
            Deviation::Encrypted => {
                if let Some(i) = image_mut(world, &anchor.image) {
                    i.encrypted = true;
                }
            }
            Deviation::BeingCopied => {
                let now = world.clock.now(Timestamp(0));
                let id = fresh_image_id(world);
                let region = third_region(world, anchor);
                let mut img = world.image(&anchor.image).cloned().unwrap_or_else(|| placeholder(anchor));
                img.id = id.clone();
                img.region = region.clone();
                img.status = ImageStatus::Creating;
                img.name = None;
                add_own_image(world, anchor, img);
                world.copies.push(Copy {
                    source_image: anchor.image.clone(),
                    destination_image: id,
                    destination_region: region,
                    started_at: now.plus(-5),
                    completes_at: now.plus(i64::from(world.copy_duration_seconds)),
                });
            }
            Deviation::NameTaken => {
                let taken = text_of(case, "DestinationImageName").unwrap_or_else(|| "taken-name".to_owned());
                name(case, taken.clone());
                let dest = text_of(case, "DestinationRegionId")
                    .filter(|d| world.region(d).is_some())
                    .unwrap_or_else(|| anchor.destination.clone());
                let id = fresh_image_id(world);
                let mut img = placeholder(anchor);
                img.id = id;
                img.region = dest;
                img.name = Some(taken);
                add_own_image(world, anchor, img);
            }
            Deviation::ImageQuotaFull => {
                let held = world
                    .owned_images(&anchor.account, &anchor.destination)
                    .filter(|i| i.kind == ImageKind::Custom)
                    .count();
                if let Some(r) = region_mut(world, &anchor.destination) {
                    r.image_quota = held as u32;
                }
            }
            Deviation::SnapshotQuotaFull { snapshots } => set_snapshot_room(world, anchor, *snapshots, 0),
            Deviation::NotAuthorized => {
                if let Some(a) = world.accounts.iter_mut().find(|a| a.id == anchor.account) {
                    a.can_copy_images = false;
                }
            }
            Deviation::DisabledKey => {
                let id = format!("{}X", anchor.key);
                if world.access_key(&id).is_none() {
                    if let Some(a) = world.accounts.iter_mut().find(|a| a.id == anchor.account) {
                        a.access_keys.push(AccessKey {
                            id: id.clone(),
                            secret: Secret::new("disabled-key-secret"),
                            enabled: false,
                        });
                    }
                }
                case.key = id;
            }
            Deviation::Tamper { tamper } => case.tampers.push(tamper.clone()),
            Deviation::Open { probe } => probe.apply(anchor, world, case),
            Deviation::Newest { probe } => probe.apply(anchor, world, case),
        }
    }
}

/// Gives the source image `snapshots` snapshots and the destination room for `room`
/// more snapshots than the account holds there.
fn set_snapshot_room(world: &mut World, anchor: &Anchor, snapshots: u32, room: u32) {
    let used = world.snapshots_used(&anchor.account, &anchor.destination);
    if let Some(i) = image_mut(world, &anchor.image) {
        i.snapshot_count = snapshots;
    }
    if let Some(r) = region_mut(world, &anchor.destination) {
        r.snapshot_quota = u32::try_from(used).unwrap_or(u32::MAX).saturating_add(room);
    }
}

pub(super) fn placeholder(anchor: &Anchor) -> Image {
    Image {
        id: String::new(),
        region: anchor.destination.clone(),
        owner: Some(anchor.account.clone()),
        kind: ImageKind::Custom,
        status: ImageStatus::Available,
        created_at: Timestamp(1_600_000_000),
        encrypted: false,
        snapshot_count: 1,
        name: None,
        description: None,
        copied: false,
    }
}

impl OpenProbe {
    fn apply(&self, anchor: &Anchor, world: &mut World, case: &mut Case) {
        match self {
            OpenProbe::NameChar { c } => set(case, "DestinationImageName", format!("ab{c}cd").into_bytes()),
            OpenProbe::NameFirst { c } => set(case, "DestinationImageName", format!("{c}bcd").into_bytes()),
            OpenProbe::UrlPrefix { prefix, description: true } => {
                set(case, "DestinationDescription", format!("{prefix}example.com").into_bytes())
            }
            OpenProbe::UrlPrefix { prefix, description: false } => {
                set(case, "DestinationImageName", format!("{prefix}example").into_bytes())
            }
            OpenProbe::DescriptionControl { c } => {
                set(case, "DestinationDescription", format!("line{c}two").into_bytes())
            }
            OpenProbe::Unknown { name, value } => set(case, name, value.clone().into_bytes()),
            OpenProbe::NonUtf8 { param } => {
                let mut v = text_of(case, param).unwrap_or_else(|| "abc".into()).into_bytes();
                v.extend_from_slice(&[0xff, 0xfe]);
                set(case, param, v);
            }
            OpenProbe::TimestampEdge { seconds } => case.tampers.push(Tamper::TimestampOffset { seconds: *seconds }),
            OpenProbe::TimestampForm { form } => {
                let now = world.clock.now(Timestamp(0)).to_string();
                let text = match form {
                    0 => now.replace('Z', ".000Z"),
                    1 => now.replace('Z', "+00:00"),
                    _ => now.replace('T', "t").replace('Z', "z"),
                };
                case.tampers.push(Tamper::TimestampText { text });
            }
            OpenProbe::TooOldEdge { seconds_after } => {
                if let Some(i) = image_mut(world, &anchor.image) {
                    i.created_at = crate::oracle::TOO_OLD_CERTAIN_BEFORE.plus(*seconds_after);
                }
            }
            OpenProbe::SourceWithoutCopy => {
                if let Some(r) = region_mut(world, &anchor.source_region) {
                    r.supports_copy = false;
                }
            }
            OpenProbe::NameCase => {
                let mine = text_of(case, "DestinationImageName").unwrap_or_else(|| "Case-Name".to_owned());
                set(case, "DestinationImageName", mine.clone().into_bytes());
                let flipped: String = mine
                    .chars()
                    .map(|c| if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                    .collect();
                let id = fresh_image_id(world);
                let mut img = placeholder(anchor);
                img.id = id;
                img.name = Some(flipped);
                add_own_image(world, anchor, img);
            }
            OpenProbe::EmptyRequired { param } => {
                case.tampers.push(Tamper::Set { name: param.clone(), value: ParamValue(Vec::new()) })
            }
            OpenProbe::AstralName { length } => {
                set(case, "DestinationImageName", "\u{20000}".repeat(*length).into_bytes())
            }
            OpenProbe::EmptyName => set(case, "DestinationImageName", Vec::new()),
            OpenProbe::FormatOther { value } => set(case, "Format", value.clone().into_bytes()),
            OpenProbe::SnapshotQuotaEdge { snapshots } => {
                set_snapshot_room(world, anchor, *snapshots, snapshots.saturating_sub(1))
            }
        }
    }
}
