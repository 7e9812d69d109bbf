//! Deviations of the newest page's own parameters (profile `2026-01`).
//!
//! Owns [`NewestProbe`], one way per rule of `copyimage-latest.md` §2 to depart from a
//! valid request (a bad tag, a KMS key without `Encrypted`, an over-long `ClientToken`,
//! a token used before, a dry run, ...), [`arb_newest_probe`] and [`arb_newest_extras`],
//! the newest parameters a valid request may carry (tags, `Encrypted=false`,
//! `DryRun=false`, a fresh `ClientToken`). Drawn only for runs under `--doc 2026-01`;
//! the oracle judges what each does.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::deviation::{Scheme, fresh_image_id, placeholder, set};
use super::values::{ALNUM, DIGITS, LOWER, arb_text};
use super::world::Anchor;
use crate::case::Case;
use crate::model::{Copy, ImageStatus, Timestamp, TokenUse, World};
use crate::oracle::read::Params;
use crate::rules::RuleId;
use crate::rules::newest::{CLIENT_TOKEN_MAX, TAG_COUNT, TAG_KEY_PREFIXES, TAG_TEXT_MAX, TAG_VALUE_PREFIXES};

/// What is wrong with a tag key or value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "bad", rename_all = "kebab-case")]
pub enum TagFlaw {
    /// Empty (a key only: a value may be empty).
    Empty,
    /// This many characters (over 128).
    Long {
        /// Characters.
        length: usize,
    },
    /// Contains `http://` or `https://`.
    Url {
        /// The scheme.
        scheme: Scheme,
    },
    /// Begins with a reserved prefix, as written (`aliyun`, `acs:`).
    Prefix {
        /// The prefix.
        prefix: String,
    },
}

/// A departure from a valid request in the newest page's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "probe", rename_all = "kebab-case")]
pub enum NewestProbe {
    /// A tag whose N is not 1 to 20.
    TagIndex {
        /// N as sent.
        n: u32,
    },
    /// A bad tag key (`Tag.1.Key`).
    TagKey {
        /// What is wrong.
        flaw: TagFlaw,
    },
    /// A bad tag value (`Tag.1.Value`, beside a good key).
    TagValue {
        /// What is wrong.
        flaw: TagFlaw,
    },
    /// A reserved prefix in another case (`Aliyun`, `ACS:`).
    TagPrefixCase {
        /// On the key (else the value).
        key: bool,
        /// The prefix as sent.
        prefix: String,
    },
    /// `Encrypted` or `DryRun` neither `true` nor `false`.
    BooleanOther {
        /// The parameter.
        param: String,
        /// Its value.
        value: String,
    },
    /// A `KMSKeyId` without `Encrypted=true` (absent, or `false`).
    KmsWithoutEncrypted {
        /// Whether `Encrypted=false` is sent.
        explicit: bool,
    },
    /// A `KMSKeyId` with `Encrypted=true`.
    KmsWithEncrypted,
    /// An `EncryptAlgorithm` value.
    EncryptAlgorithm {
        /// Whether `Encrypted=true` is sent too.
        encrypted: bool,
    },
    /// `Encrypted=true` for an unencrypted source.
    EncryptUnencrypted,
    /// `Encrypted=true` for a source with encrypted snapshots.
    EncryptEncrypted,
    /// A `ResourceGroupId`.
    ResourceGroup,
    /// A `ClientToken` of this many ASCII characters (over 64).
    TokenLong {
        /// Characters.
        length: usize,
    },
    /// A `ClientToken` with a character outside ASCII.
    TokenNonAscii {
        /// The character.
        c: char,
    },
    /// `DryRun=true`.
    DryRun,
    /// A `ClientToken` that made a copy with other parameters.
    TokenConflict,
    /// A `ClientToken` that made a copy, still in progress, with these parameters: the
    /// retry answers that copy (a server that ignores the token refuses it, the source
    /// being copied).
    TokenRetry,
    /// A `ClientToken` whose copy is gone.
    TokenGone,
}

impl NewestProbe {
    /// The rule it is meant to break or probe.
    pub fn rule(&self) -> RuleId {
        match self {
            NewestProbe::TagIndex { .. } => RuleId::TagIndex,
            NewestProbe::TagKey { .. } | NewestProbe::TagPrefixCase { key: true, .. } => RuleId::TagKey,
            NewestProbe::TagValue { .. } | NewestProbe::TagPrefixCase { key: false, .. } => RuleId::TagValue,
            NewestProbe::BooleanOther { .. } => RuleId::BooleanValue,
            NewestProbe::KmsWithoutEncrypted { .. } => RuleId::KmsKeyNeedsEncrypted,
            NewestProbe::KmsWithEncrypted => RuleId::KmsKey,
            NewestProbe::EncryptAlgorithm { .. } => RuleId::EncryptAlgorithm,
            NewestProbe::EncryptUnencrypted => RuleId::EncryptedCopy,
            NewestProbe::EncryptEncrypted => RuleId::ImageUnencrypted,
            NewestProbe::ResourceGroup => RuleId::ResourceGroup,
            NewestProbe::TokenLong { .. } | NewestProbe::TokenNonAscii { .. } => RuleId::ClientTokenForm,
            NewestProbe::DryRun => RuleId::DryRunPasses,
            NewestProbe::TokenConflict | NewestProbe::TokenGone => RuleId::ClientTokenConflict,
            NewestProbe::TokenRetry => RuleId::ClientTokenIdempotent,
        }
    }

    /// Whether the documents leave its outcome open (a conflicting token may also be
    /// answered with the earlier copy, point `client-token-reuse`).
    pub fn is_open(&self) -> bool {
        matches!(
            self,
            NewestProbe::TagIndex { .. }
                | NewestProbe::TagPrefixCase { .. }
                | NewestProbe::BooleanOther { .. }
                | NewestProbe::KmsWithEncrypted
                | NewestProbe::EncryptAlgorithm { .. }
                | NewestProbe::EncryptUnencrypted
                | NewestProbe::EncryptEncrypted
                | NewestProbe::ResourceGroup
                | NewestProbe::TokenConflict
                | NewestProbe::TokenGone
        )
    }

    /// Whether it changes the world (rather than the request).
    pub fn changes_world(&self) -> bool {
        matches!(
            self,
            NewestProbe::EncryptEncrypted
                | NewestProbe::TokenConflict
                | NewestProbe::TokenRetry
                | NewestProbe::TokenGone
        )
    }

    /// Applies it to a case and its world.
    pub fn apply(&self, anchor: &Anchor, world: &mut World, case: &mut Case) {
        let mut put = |name: &str, value: &str| set(case, name, value.as_bytes().to_vec());
        match self {
            NewestProbe::TagIndex { n } => {
                put(&format!("Tag.{n}.Key"), "team");
                put(&format!("Tag.{n}.Value"), "blue");
            }
            NewestProbe::TagKey { flaw } => put("Tag.1.Key", &flaw.text()),
            NewestProbe::TagValue { flaw } => {
                put("Tag.1.Key", "team");
                put("Tag.1.Value", &flaw.text());
            }
            NewestProbe::TagPrefixCase { key: true, prefix } => put("Tag.1.Key", &format!("{prefix}team")),
            NewestProbe::TagPrefixCase { key: false, prefix } => {
                put("Tag.1.Key", "team");
                put("Tag.1.Value", &format!("{prefix}blue"));
            }
            NewestProbe::BooleanOther { param, value } => put(param, value),
            NewestProbe::KmsWithoutEncrypted { explicit } => {
                put("KMSKeyId", KMS_KEY);
                if *explicit {
                    put("Encrypted", "false");
                }
            }
            NewestProbe::KmsWithEncrypted => {
                put("Encrypted", "true");
                put("KMSKeyId", KMS_KEY);
            }
            NewestProbe::EncryptAlgorithm { encrypted } => {
                put("EncryptAlgorithm", "hide");
                if *encrypted {
                    put("Encrypted", "true");
                }
            }
            NewestProbe::EncryptUnencrypted => put("Encrypted", "true"),
            NewestProbe::EncryptEncrypted => {
                put("Encrypted", "true");
                if let Some(i) = world.images.iter_mut().find(|i| i.id == anchor.image) {
                    i.encrypted = true;
                }
            }
            NewestProbe::ResourceGroup => put("ResourceGroupId", "rg-bp67acfmxazb4p0001"),
            NewestProbe::TokenLong { length } => put("ClientToken", &"t".repeat(*length)),
            NewestProbe::TokenNonAscii { c } => put("ClientToken", &format!("token-{c}-1")),
            NewestProbe::DryRun => put("DryRun", "true"),
            NewestProbe::TokenConflict | NewestProbe::TokenRetry | NewestProbe::TokenGone => {
                let token = "123e4567-e89b-12d3-a456-426655440000";
                put("ClientToken", token);
                let mut request = crate::oracle::token_request(&params_of(case));
                let earlier = fresh_image_id(world);
                let now = world.clock.now(Timestamp(0));
                match self {
                    NewestProbe::TokenConflict => {
                        // The earlier copy went elsewhere by name.
                        request.retain(|(n, _)| n != "DestinationImageName");
                        request.push(("DestinationImageName".into(), "earlier-copy".into()));
                        request.sort();
                        earlier_copy(world, anchor, &earlier, ImageStatus::Available);
                    }
                    NewestProbe::TokenRetry => {
                        earlier_copy(world, anchor, &earlier, ImageStatus::Creating);
                        world.copies.push(Copy {
                            source_image: anchor.image.clone(),
                            destination_image: earlier.clone(),
                            destination_region: anchor.destination.clone(),
                            started_at: now.plus(-5),
                            completes_at: now.plus(i64::from(world.copy_duration_seconds.max(60))),
                        });
                    }
                    _ => {}
                }
                world.tokens.push(TokenUse {
                    account: anchor.account.clone(),
                    token: token.into(),
                    request,
                    image: earlier,
                });
            }
        }
    }
}

/// The KMS key id the probes send (the page's example).
const KMS_KEY: &str = "e522b26d-abf6-4e0d-b5da-04b7000000c3";

impl TagFlaw {
    fn text(&self) -> String {
        match self {
            TagFlaw::Empty => String::new(),
            TagFlaw::Long { length } => "k".repeat(*length),
            TagFlaw::Url { scheme } => format!("see {}example.com", scheme.prefix()),
            TagFlaw::Prefix { prefix } => format!("{prefix}team"),
        }
    }
}

fn params_of(case: &Case) -> Params {
    Params(case.params.iter().map(|(n, v)| (n.clone(), v.0.clone())).collect())
}

/// The caller's earlier copy in the destination, by another name, with room kept for
/// the anchor copy.
fn earlier_copy(world: &mut World, anchor: &Anchor, id: &str, status: ImageStatus) {
    let mut img = placeholder(anchor);
    img.id = id.to_owned();
    img.status = status;
    img.copied = true;
    img.name = Some("earlier-copy".into());
    world.images.push(img);
    if let Some(r) = world.regions.iter_mut().find(|r| r.id == anchor.destination) {
        r.image_quota += 1;
        r.snapshot_quota += 1;
    }
}

fn arb_flaw(key: bool) -> impl Strategy<Value = TagFlaw> {
    let over = TAG_TEXT_MAX + 1;
    let prefixes: Vec<&str> = if key { TAG_KEY_PREFIXES.to_vec() } else { TAG_VALUE_PREFIXES.to_vec() };
    let mut arms = vec![
        prop_oneof![Just(over), over..=over + 20].prop_map(|length| TagFlaw::Long { length }).boxed(),
        prop::sample::select(vec![Scheme::Http, Scheme::Https]).prop_map(|scheme| TagFlaw::Url { scheme }).boxed(),
        prop::sample::select(prefixes).prop_map(|p| TagFlaw::Prefix { prefix: p.to_owned() }).boxed(),
    ];
    if key {
        arms.push(Just(TagFlaw::Empty).boxed());
    }
    proptest::strategy::Union::new(arms)
}

/// One departure in the newest page's parameters, each rule with roughly even weight.
pub fn arb_newest_probe() -> impl Strategy<Value = NewestProbe> {
    prop_oneof![
        1 => prop_oneof![Just(0u32), TAG_COUNT + 1..=TAG_COUNT + 9].prop_map(|n| NewestProbe::TagIndex { n }),
        1 => arb_flaw(true).prop_map(|flaw| NewestProbe::TagKey { flaw }),
        1 => arb_flaw(false).prop_map(|flaw| NewestProbe::TagValue { flaw }),
        1 => (any::<bool>(), prop::sample::select(vec!["Aliyun", "ALIYUN", "ACS:", "Acs:"])).prop_map(|(key, p)| {
            let prefix = if key || p.to_lowercase() == "acs:" { p } else { "ACS:" };
            NewestProbe::TagPrefixCase { key, prefix: prefix.to_owned() }
        }),
        1 => (prop::sample::select(vec!["Encrypted", "DryRun"]), prop::sample::select(vec!["yes", "1", "", "on"]))
            .prop_map(|(param, value)| NewestProbe::BooleanOther { param: param.into(), value: value.into() }),
        1 => any::<bool>().prop_map(|explicit| NewestProbe::KmsWithoutEncrypted { explicit }),
        1 => Just(NewestProbe::KmsWithEncrypted),
        1 => any::<bool>().prop_map(|encrypted| NewestProbe::EncryptAlgorithm { encrypted }),
        1 => Just(NewestProbe::EncryptUnencrypted),
        1 => Just(NewestProbe::EncryptEncrypted),
        1 => Just(NewestProbe::ResourceGroup),
        1 => prop_oneof![Just(CLIENT_TOKEN_MAX + 1), CLIENT_TOKEN_MAX + 1..=200].prop_map(|length| NewestProbe::TokenLong { length }),
        1 => prop::sample::select(vec!['é', '中', '😀']).prop_map(|c| NewestProbe::TokenNonAscii { c }),
        3 => Just(NewestProbe::DryRun),
        2 => Just(NewestProbe::TokenConflict),
        2 => Just(NewestProbe::TokenRetry),
        1 => Just(NewestProbe::TokenGone),
    ]
}

/// Newest parameters a valid request may carry: up to three good tags (N 1 to 20, an
/// empty value among them), `Encrypted=false`, `DryRun=false`, a fresh `ClientToken`.
pub fn arb_newest_extras() -> impl Strategy<Value = Vec<(String, String)>> {
    let tag = (1..=TAG_COUNT, arb_text(&[LOWER], 1..=12), prop_oneof![Just(String::new()), arb_text(&ALNUM, 1..=16)]);
    (
        prop::collection::vec(tag, 0..=3),
        prop::option::weighted(0.2, Just(("Encrypted", "false"))),
        prop::option::weighted(0.2, Just(("DryRun", "false"))),
        prop::option::weighted(0.4, arb_text(&[LOWER, DIGITS, "-"], 13..=CLIENT_TOKEN_MAX - 3)),
    )
        .prop_map(|(tags, encrypted, dry_run, token)| {
            let mut out: Vec<(String, String)> = Vec::new();
            for (n, key, value) in tags {
                if out.iter().any(|(name, _)| *name == format!("Tag.{n}.Key")) {
                    continue;
                }
                out.push((format!("Tag.{n}.Key"), key));
                out.push((format!("Tag.{n}.Value"), value));
            }
            out.extend([encrypted, dry_run].into_iter().flatten().map(|(n, v)| (n.to_owned(), v.to_owned())));
            if let Some(t) = token {
                out.push(("ClientToken".into(), format!("ct-{t}")));
            }
            out
        })
}
