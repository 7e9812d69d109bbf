//! The world a CopyImage request runs in.
//!
//! Owns the state a server holds: regions (copy support and quotas), accounts with
//! their access keys, images, copies in progress and the clock, plus the JSON form of
//! all of it (documented by `fixtures/world.schema.json` and README). It knows how to
//! look things up, check that a world is self-consistent and let time pass. It does not
//! decide what a request does to a world: that is [`crate::oracle`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::time::Timestamp;

/// The fixture world that `serve` loads when no `--world` is given.
pub const DEFAULT_WORLD_JSON: &str = include_str!("../../fixtures/worlds/default.json");

/// Everything a CopyImage server knows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// Server time: the system clock (plus an offset) or a frozen instant.
    #[serde(default)]
    pub clock: Clock,
    /// How long a copy stays in status `Creating` (seconds).
    #[serde(default = "default_copy_duration")]
    pub copy_duration_seconds: u32,
    /// The `HostId` of error replies.
    #[serde(default = "default_host_id")]
    pub host_id: String,
    /// `false` when the world lists only what is known of a target whose resources are
    /// unknown (a real cloud): state rules then cannot be predicted.
    #[serde(default = "yes")]
    pub exhaustive: bool,
    /// Regions, in no particular order.
    pub regions: Vec<Region>,
    /// Accounts and their access keys.
    pub accounts: Vec<Account>,
    /// Images of every kind and owner.
    #[serde(default)]
    pub images: Vec<Image>,
    /// Copies in progress.
    #[serde(default)]
    pub copies: Vec<Copy>,
    /// ClientTokens that made a copy (profile 2026-01), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tokens: Vec<TokenUse>,
}

fn default_copy_duration() -> u32 {
    60
}
fn default_host_id() -> String {
    "ecs.aliyuncs.com".to_owned()
}
fn yes() -> bool {
    true
}
fn default_image_quota() -> u32 {
    100
}
fn default_snapshot_quota() -> u32 {
    1000
}
fn one() -> u32 {
    1
}

/// Server time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase", deny_unknown_fields)]
pub enum Clock {
    /// The system clock plus an offset that advancing the clock grows.
    System {
        /// Seconds added to the system clock.
        #[serde(default)]
        offset_seconds: i64,
    },
    /// A fixed instant that only advancing the clock moves.
    Frozen {
        /// The instant.
        now: Timestamp,
    },
}

impl Default for Clock {
    fn default() -> Self {
        Clock::System { offset_seconds: 0 }
    }
}

impl Clock {
    /// The world's time, given the system's.
    pub fn now(&self, system: Timestamp) -> Timestamp {
        match *self {
            Clock::System { offset_seconds } => system.plus(offset_seconds),
            Clock::Frozen { now } => now,
        }
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, seconds: i64) {
        match self {
            Clock::System { offset_seconds } => *offset_seconds = offset_seconds.saturating_add(seconds),
            Clock::Frozen { now } => *now = now.plus(seconds),
        }
    }
}

/// A region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Region id, e.g. `cn-hangzhou`.
    pub id: String,
    /// Whether images can be copied into this region.
    #[serde(default = "yes")]
    pub supports_copy: bool,
    /// Custom images an account may hold in this region.
    #[serde(default = "default_image_quota")]
    pub image_quota: u32,
    /// Snapshots an account may hold in this region.
    #[serde(default = "default_snapshot_quota")]
    pub snapshot_quota: u32,
}

/// An account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Account id.
    pub id: String,
    /// Whether the account's keys are authorized to copy images (RAM permission).
    #[serde(default = "yes")]
    pub can_copy_images: bool,
    /// Access keys that act for this account.
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    /// Snapshots the account holds per region outside any image.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub standalone_snapshots: BTreeMap<String, u32>,
}

/// An access key pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    /// The AccessKeyId.
    pub id: String,
    /// The AccessKeySecret.
    pub secret: Secret,
    /// Disabled keys are answered `Forbidden.AccessKeyDisabled`.
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// A secret that never prints: `Debug` and `Display` show `[SECRET]`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself, for signing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[SECRET]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[SECRET]")
    }
}

/// Who made an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageKind {
    /// Made by an account (the only kind CopyImage documents).
    Custom,
    /// Provided by Alibaba Cloud.
    System,
    /// Public (community) image.
    Public,
    /// Alibaba Cloud Marketplace image.
    Marketplace,
}

/// Image status values (DescribeImages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ImageStatus {
    /// Being made, or being copied into its region.
    Creating,
    /// Queued.
    Waiting,
    /// Ready.
    Available,
    /// Unusable.
    UnAvailable,
    /// Making it failed.
    CreateFailed,
    /// Deprecated.
    Deprecated,
}

impl ImageStatus {
    /// Every status.
    pub const ALL: [ImageStatus; 6] = [
        ImageStatus::Creating,
        ImageStatus::Waiting,
        ImageStatus::Available,
        ImageStatus::UnAvailable,
        ImageStatus::CreateFailed,
        ImageStatus::Deprecated,
    ];

    /// The status as DescribeImages writes it (and as worlds spell it).
    pub fn name(self) -> &'static str {
        match self {
            ImageStatus::Creating => "Creating",
            ImageStatus::Waiting => "Waiting",
            ImageStatus::Available => "Available",
            ImageStatus::UnAvailable => "UnAvailable",
            ImageStatus::CreateFailed => "CreateFailed",
            ImageStatus::Deprecated => "Deprecated",
        }
    }
}

/// An image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// Image id, unique in the world.
    pub id: String,
    /// Region that holds it.
    pub region: String,
    /// Owning account id; `null` for system, public and marketplace images.
    #[serde(default)]
    pub owner: Option<String>,
    /// Who made it.
    #[serde(default = "custom")]
    pub kind: ImageKind,
    /// Status.
    pub status: ImageStatus,
    /// Creation time.
    pub created_at: Timestamp,
    /// Whether any of its snapshots is encrypted.
    #[serde(default)]
    pub encrypted: bool,
    /// How many snapshots it holds.
    #[serde(default = "one")]
    pub snapshot_count: u32,
    /// Image name.
    #[serde(default)]
    pub name: Option<String>,
    /// Image description.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether it was made by a copy (DescribeImages' `IsCopied`, "Is it a copied
    /// mirror"); a cancelled copy is gone, a completed one stays copied.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub copied: bool,
}

fn custom() -> ImageKind {
    ImageKind::Custom
}

/// A copy in progress: its destination image is `Creating` until `completes_at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Copy {
    /// The image being copied.
    pub source_image: String,
    /// The new image in the destination region.
    pub destination_image: String,
    /// Where it is copied to.
    pub destination_region: String,
    /// When the copy started.
    pub started_at: Timestamp,
    /// When the destination image becomes `Available`.
    pub completes_at: Timestamp,
}

/// A copy made with a `ClientToken` (profile 2026-01): what a retry with the same
/// token answers ("to ensure the idempotence of the request").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenUse {
    /// The calling account.
    pub account: String,
    /// The token.
    pub token: String,
    /// The request's CopyImage parameters but the token, sorted by name.
    pub request: Vec<(String, String)>,
    /// The copy it made.
    pub image: String,
}

/// Why a world document cannot be loaded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WorldError {
    /// Not JSON, or not of the schema.
    #[error("world is not valid JSON of the schema: {0}")]
    Syntax(String),
    /// Two things share an id.
    #[error("duplicate {what} id `{id}`")]
    Duplicate {
        /// Kind of thing.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// A reference to something that does not exist.
    #[error("{from} refers to unknown {what} `{id}`")]
    Dangling {
        /// The referring thing.
        from: String,
        /// Kind of thing referred to.
        what: &'static str,
        /// The missing id.
        id: String,
    },
    /// A value that cannot hold.
    #[error("{0}")]
    Inconsistent(String),
}

/// A parse error's message with every quoted value left out: a mistyped field (a secret
/// in a boolean's place) must not be echoed back.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match (c, quoted) {
            ('"', false) => {
                out.push_str("\"…");
                quoted = true;
            }
            ('"', true) => {
                out.push('"');
                quoted = false;
            }
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    out
}

impl World {
    /// Parses and checks a world document.
    pub fn from_json(text: &str) -> Result<World, WorldError> {
        let world: World =
            serde_json::from_str(text).map_err(|e| WorldError::Syntax(without_values(&e.to_string())))?;
        world.check()?;
        Ok(world)
    }

    /// The default fixture world.
    pub fn default_fixture() -> World {
        // The fixture is checked by a unit test; a broken fixture is a build defect.
        World::from_json(DEFAULT_WORLD_JSON).expect("fixtures/worlds/default.json is valid")
    }

    /// Checks ids are unique and every reference resolves.
    pub fn check(&self) -> Result<(), WorldError> {
        fn unique<'a>(what: &'static str, ids: impl Iterator<Item = &'a str>) -> Result<BTreeSet<&'a str>, WorldError> {
            let mut seen = BTreeSet::new();
            for id in ids {
                if !seen.insert(id) {
                    return Err(WorldError::Duplicate { what, id: id.to_owned() });
                }
            }
            Ok(seen)
        }
        let regions = unique("region", self.regions.iter().map(|r| r.id.as_str()))?;
        let accounts = unique("account", self.accounts.iter().map(|a| a.id.as_str()))?;
        unique("access key", self.accounts.iter().flat_map(|a| a.access_keys.iter().map(|k| k.id.as_str())))?;
        let images = unique("image", self.images.iter().map(|i| i.id.as_str()))?;
        let dangling =
            |from: &str, what, id: &str| WorldError::Dangling { from: from.to_owned(), what, id: id.to_owned() };
        for a in &self.accounts {
            for r in a.standalone_snapshots.keys() {
                if !regions.contains(r.as_str()) {
                    return Err(dangling(&format!("account {}", a.id), "region", r));
                }
            }
        }
        for i in &self.images {
            let from = format!("image {}", i.id);
            if !regions.contains(i.region.as_str()) {
                return Err(dangling(&from, "region", &i.region));
            }
            match (&i.owner, i.kind) {
                (Some(o), _) if !accounts.contains(o.as_str()) => {
                    return Err(dangling(&from, "account", o));
                }
                (None, ImageKind::Custom) => {
                    return Err(WorldError::Inconsistent(format!("custom image {} has no owner", i.id)));
                }
                _ => {}
            }
        }
        let mut destinations = BTreeSet::new();
        for c in &self.copies {
            // Its source may be gone: a server may delete the source of a copy in
            // progress (point `delete-copy-source`), and the copy runs on.
            let from = format!("copy of {}", c.source_image);
            if !images.contains(c.destination_image.as_str()) {
                return Err(dangling(&from, "image", &c.destination_image));
            }
            if !regions.contains(c.destination_region.as_str()) {
                return Err(dangling(&from, "region", &c.destination_region));
            }
            let dest = self.image(&c.destination_image).map(|i| i.region.as_str());
            if dest != Some(c.destination_region.as_str()) {
                return Err(WorldError::Inconsistent(format!(
                    "copy destination image {} is not in region {}",
                    c.destination_image, c.destination_region
                )));
            }
            if !destinations.insert(c.destination_image.as_str()) {
                return Err(WorldError::Duplicate { what: "copy destination image", id: c.destination_image.clone() });
            }
            if c.completes_at < c.started_at {
                return Err(WorldError::Inconsistent(format!(
                    "copy to {} completes before it starts",
                    c.destination_image
                )));
            }
        }
        Ok(())
    }

    /// A region by id.
    pub fn region(&self, id: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.id == id)
    }

    /// An image by id, in any region.
    pub fn image(&self, id: &str) -> Option<&Image> {
        self.images.iter().find(|i| i.id == id)
    }

    /// An account by id.
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// The account and key that an AccessKeyId names.
    pub fn access_key(&self, key_id: &str) -> Option<(&Account, &AccessKey)> {
        self.accounts.iter().find_map(|a| a.access_keys.iter().find(|k| k.id == key_id).map(|k| (a, k)))
    }

    /// Images an account owns in a region.
    pub fn owned_images<'a>(&'a self, account: &'a str, region: &'a str) -> impl Iterator<Item = &'a Image> + 'a {
        self.images.iter().filter(move |i| i.region == region && i.owner.as_deref() == Some(account))
    }

    /// Snapshots an account holds in a region: standalone ones plus those of its images.
    pub fn snapshots_used(&self, account: &str, region: &str) -> u64 {
        let standalone = self.account(account).and_then(|a| a.standalone_snapshots.get(region)).copied().unwrap_or(0);
        u64::from(standalone) + self.owned_images(account, region).map(|i| u64::from(i.snapshot_count)).sum::<u64>()
    }

    /// Completes every copy whose time has come: its image becomes `Available`.
    /// Returns the ids of the images that became available.
    pub fn settle(&mut self, now: Timestamp) -> Vec<String> {
        if self.copies.iter().all(|c| c.completes_at > now) {
            return Vec::new();
        }
        let (done, running): (Vec<Copy>, Vec<Copy>) = self.copies.drain(..).partition(|c| c.completes_at <= now);
        self.copies = running;
        let mut completed = Vec::new();
        for c in done {
            if let Some(img) = self.images.iter_mut().find(|i| i.id == c.destination_image) {
                if img.status == ImageStatus::Creating {
                    img.status = ImageStatus::Available;
                    completed.push(img.id.clone());
                }
            }
        }
        completed
    }

    /// Progress of the copy that makes `image`, in percent, if one is running.
    pub fn copy_progress(&self, image: &str, now: Timestamp) -> Option<u8> {
        let c = self.copies.iter().find(|c| c.destination_image == image)?;
        let total = (c.completes_at.0 - c.started_at.0).max(1);
        let done = (now.0 - c.started_at.0).clamp(0, total);
        u8::try_from(done * 100 / total).ok()
    }

    /// The world as JSON with every secret left out: what the control contract shows.
    pub fn public_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(accounts) = v.get_mut("accounts").and_then(|a| a.as_array_mut()) {
            for a in accounts {
                if let Some(keys) = a.get_mut("access_keys").and_then(|k| k.as_array_mut()) {
                    for k in keys {
                        if let Some(k) = k.as_object_mut() {
                            k.remove("secret");
                        }
                    }
                }
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fixture_loads() {
        let w = World::default_fixture();
        assert!(w.region("cn-nocopy-1").is_some_and(|r| !r.supports_copy));
        assert!(w.access_key("testid").is_some());
        assert_eq!(format!("{:?}", w.access_key("testid").unwrap().1.secret), "[SECRET]");
    }

    #[test]
    fn public_json_has_no_secret() {
        let w = World::default_fixture();
        let text = w.public_json().to_string();
        assert!(!text.contains("testsecret"), "{text}");
        assert!(text.contains("testid"));
    }

    #[test]
    fn dangling_references_are_refused() {
        let text = r#"{"regions":[{"id":"r1"}],"accounts":[{"id":"a"}],
            "images":[{"id":"m-1","region":"r2","owner":"a","status":"Available","created_at":"2020-01-01T00:00:00Z"}]}"#;
        assert!(matches!(World::from_json(text), Err(WorldError::Dangling { .. })));
        let text = r#"{"regions":[{"id":"r1"},{"id":"r1"}],"accounts":[]}"#;
        assert!(matches!(World::from_json(text), Err(WorldError::Duplicate { .. })));
        assert!(matches!(World::from_json("{"), Err(WorldError::Syntax(_))));
    }

    #[test]
    fn refusals_do_not_echo_values() {
        let text = r#"{"regions":[{"id":"r1","supports_copy":"s3cr3t+/=&%?"}],"accounts":[]}"#;
        let e = World::from_json(text).unwrap_err().to_string();
        assert!(!e.contains("s3cr3t"), "{e}");
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn settle_completes_due_copies_only() {
        let mut w = World::default_fixture();
        let before = w.copies.len();
        assert!(before > 0);
        let due = w.copies[0].completes_at;
        w.settle(due.plus(-1));
        assert_eq!(w.copies.len(), before);
        w.settle(due);
        assert_eq!(w.copies.len(), before - 1);
    }

    #[test]
    fn a_status_name_is_its_json_spelling() {
        for s in ImageStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name());
        }
    }

    #[test]
    fn clock_advances_in_both_modes() {
        let mut c = Clock::Frozen { now: Timestamp(100) };
        c.advance(5);
        assert_eq!(c.now(Timestamp(0)), Timestamp(105));
        let mut c = Clock::default();
        c.advance(7);
        assert_eq!(c.now(Timestamp(10)), Timestamp(17));
    }
}
