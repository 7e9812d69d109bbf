//! Worlds that reach every rule, each anchored by one valid copy.
//!
//! Owns [`Anchor`] and [`arb_anchor`]: a world with a source region, a source image the
//! caller may copy, a destination with room in both quotas, and a caller key, plus
//! decoys that put every status, kind, owner, age and encryption, other regions (some
//! without copy support) and copies in progress around it. Deviations then change one
//! thing at a time (see [`super::deviation`]). Secrets of generated keys are fixtures
//! of the generated world, not anybody's credentials.

use proptest::prelude::*;

use super::values::{ALNUM, DIGITS, LOWER, UPPER, arb_text, arb_valid_name};
use crate::model::{AccessKey, Account, Clock, Copy, Image, ImageKind, ImageStatus, Region, Secret, Timestamp, World};

/// Region ids worlds are built from.
pub const REGION_POOL: [&str; 12] = [
    "cn-hangzhou",
    "cn-shanghai",
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-shenzhen",
    "cn-hongkong",
    "ap-southeast-1",
    "ap-northeast-1",
    "us-west-1",
    "eu-central-1",
    "me-east-1",
];

/// A world and the valid copy it is built around.
#[derive(Clone, Debug, PartialEq)]
pub struct Anchor {
    /// The world.
    pub world: World,
    /// The caller's account id.
    pub account: String,
    /// The caller's AccessKeyId.
    pub key: String,
    /// Another account's id.
    pub other_account: String,
    /// Source region.
    pub source_region: String,
    /// Source image: custom, the caller's, Available, recent, unencrypted, not copying.
    pub image: String,
    /// Destination region: supports copy, room in both quotas.
    pub destination: String,
    /// Further images the caller may copy from the source region.
    pub spares: Vec<String>,
}

/// Who owns a decoy image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DecoyOwner {
    Caller,
    Other,
    Platform(ImageKind),
}

#[derive(Clone, Debug)]
struct Decoy {
    region: usize,
    owner: DecoyOwner,
    status: ImageStatus,
    created: i64,
    encrypted: bool,
    snapshots: u32,
    name: Option<String>,
}

fn arb_decoy() -> impl Strategy<Value = Decoy> {
    let owner = prop_oneof![
        3 => Just(DecoyOwner::Caller),
        2 => Just(DecoyOwner::Other),
        1 => prop::sample::select(vec![ImageKind::System, ImageKind::Public, ImageKind::Marketplace]).prop_map(DecoyOwner::Platform),
    ];
    let status = prop::sample::select(ImageStatus::ALL.to_vec());
    // Creation times cluster around the 2013-07-15 boundary, and spread after it.
    let created = prop_oneof![
        1 => (-3 * 86_400i64..3 * 86_400).prop_map(|d| 1_373_846_400 + d),
        3 => 1_380_000_000i64..1_735_000_000,
    ];
    (0usize..6, owner, status, created, prop::bool::weighted(0.2), 0u32..4, prop::option::of(arb_valid_name()))
        .prop_map(|(region, owner, status, created, encrypted, snapshots, name)| Decoy {
            region,
            owner,
            status,
            created,
            encrypted,
            snapshots,
            name: name.map(|n| format!("decoy-{n}")),
        })
}

fn key_id(tag: &str, n: u32) -> String {
    format!("LTAI{tag}{n:012}")
}

/// Anchored worlds: 3 to 6 regions, 2 or 3 accounts, the source image, up to 3 spare
/// images, up to 8 decoys and up to 2 copies in progress of decoys.
pub fn arb_anchor() -> impl Strategy<Value = Anchor> {
    let regions = prop::sample::subsequence(REGION_POOL.to_vec(), 3..=6).prop_shuffle();
    let region_flags = prop::collection::vec((prop::bool::weighted(0.8), 1u32..4, 0u32..4, 0u32..6), 6);
    let clock = 1_735_689_600i64..1_861_920_000; // 2025-01-01 .. 2029
    let ids = (any::<u32>(), any::<u32>(), arb_text(&ALNUM, 30..=30), arb_text(&ALNUM, 30..=30));
    let image = (
        1_389_000_000i64..1_735_000_000,
        1u32..5,
        arb_valid_name(),
        prop::option::of(arb_text(&[LOWER, " ", UPPER, DIGITS], 0..=30)),
    );
    let spares = prop::collection::vec(1u32..4, 0..4);
    let decoys = prop::collection::vec(arb_decoy(), 0..9);
    let copies = prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 0..3);
    let extra = (30u32..600, prop::bool::weighted(0.3));
    (regions, region_flags, clock, ids, image, spares, decoys, copies, extra).prop_map(
        |(
            regions,
            flags,
            now,
            (a, b, secret, other_secret),
            (created, snaps, name, desc),
            spares,
            decoys,
            copies,
            (duration, denied),
        )| {
            build(Build {
                regions,
                flags,
                now,
                ids: (a, b),
                secrets: (secret, other_secret),
                image: (created, snaps, name, desc),
                spares,
                decoys,
                copies,
                duration,
                denied,
            })
        },
    )
}

struct Build {
    regions: Vec<&'static str>,
    flags: Vec<(bool, u32, u32, u32)>,
    now: i64,
    ids: (u32, u32),
    secrets: (String, String),
    image: (i64, u32, String, Option<String>),
    spares: Vec<u32>,
    decoys: Vec<Decoy>,
    copies: Vec<(prop::sample::Index, prop::sample::Index)>,
    duration: u32,
    denied: bool,
}

fn build(b: Build) -> Anchor {
    let now = Timestamp(b.now);
    let account = format!("1{:015}", b.ids.0);
    let mut other_account = format!("2{:015}", b.ids.1);
    if other_account == account {
        other_account.push('0');
    }
    let key = key_id("C", b.ids.0 % 1_000_000);
    let mut accounts = vec![
        Account {
            id: account.clone(),
            can_copy_images: true,
            access_keys: vec![AccessKey { id: key.clone(), secret: Secret::new(b.secrets.0.clone()), enabled: true }],
            standalone_snapshots: Default::default(),
        },
        Account {
            id: other_account.clone(),
            can_copy_images: true,
            access_keys: vec![AccessKey {
                id: key_id("O", b.ids.1 % 1_000_000),
                secret: Secret::new(b.secrets.1.clone()),
                enabled: true,
            }],
            standalone_snapshots: Default::default(),
        },
    ];
    if b.denied {
        accounts.push(Account {
            id: format!("{other_account}9"),
            can_copy_images: false,
            access_keys: vec![AccessKey {
                id: key_id("D", b.ids.1 % 1_000_000),
                secret: Secret::new(b.secrets.1.clone()),
                enabled: true,
            }],
            standalone_snapshots: Default::default(),
        });
    }
    let regions: Vec<Region> = b
        .regions
        .iter()
        .enumerate()
        .map(|(i, id)| Region {
            id: (*id).to_owned(),
            supports_copy: i < 2 || b.flags[i].0,
            image_quota: 0,
            snapshot_quota: 0,
        })
        .collect();
    for (i, r) in regions.iter().enumerate() {
        if b.flags[i].3 > 0 {
            accounts[0].standalone_snapshots.insert(r.id.clone(), b.flags[i].3);
        }
    }
    let source_region = regions[0].id.clone();
    let destination = regions[1].id.clone();
    let image_id = crate::model::image_id::numbered;
    let mut images = vec![Image {
        id: image_id(1),
        region: source_region.clone(),
        owner: Some(account.clone()),
        kind: ImageKind::Custom,
        status: ImageStatus::Available,
        created_at: Timestamp(b.image.0),
        encrypted: false,
        snapshot_count: b.image.1,
        name: Some(b.image.2.clone()),
        description: b.image.3.clone(),
        copied: false,
    }];
    let mut spares = Vec::new();
    for (i, snaps) in b.spares.iter().enumerate() {
        let id = image_id(10 + i);
        spares.push(id.clone());
        images.push(Image {
            id,
            region: source_region.clone(),
            owner: Some(account.clone()),
            kind: ImageKind::Custom,
            status: ImageStatus::Available,
            created_at: Timestamp(b.image.0 + 86_400 * (i as i64 + 1)),
            encrypted: false,
            snapshot_count: *snaps,
            name: Some(format!("spare-{i}-{}", b.image.2)),
            description: None,
            copied: false,
        });
    }
    for (i, d) in b.decoys.iter().enumerate() {
        let (owner, kind) = match d.owner {
            DecoyOwner::Caller => (Some(account.clone()), ImageKind::Custom),
            DecoyOwner::Other => (Some(other_account.clone()), ImageKind::Custom),
            DecoyOwner::Platform(k) => (None, k),
        };
        images.push(Image {
            id: image_id(100 + i),
            region: regions[d.region % regions.len()].id.clone(),
            owner,
            kind,
            status: d.status,
            created_at: Timestamp(d.created),
            encrypted: d.encrypted,
            snapshot_count: d.snapshots,
            name: d.name.clone(),
            description: None,
            copied: false,
        });
    }
    // Copies in progress of decoys: each makes a Creating image of the decoy's owner.
    let mut copies = Vec::new();
    let decoy_count = b.decoys.len();
    for (k, (which, to)) in b.copies.iter().enumerate() {
        if decoy_count == 0 {
            break;
        }
        let src = images[1 + b.spares.len() + which.index(decoy_count)].clone();
        if copies.iter().any(|c: &Copy| c.source_image == src.id) {
            continue;
        }
        let dest_region = regions[to.index(regions.len())].id.clone();
        if dest_region == src.region || src.owner.is_none() {
            continue;
        }
        let dest_id = image_id(200 + k);
        images.push(Image {
            id: dest_id.clone(),
            region: dest_region.clone(),
            owner: src.owner.clone(),
            kind: ImageKind::Custom,
            status: ImageStatus::Creating,
            created_at: now.plus(-10),
            encrypted: false,
            snapshot_count: src.snapshot_count,
            name: src.name.as_ref().map(|n| format!("{n}-copy")),
            description: None,
            copied: true,
        });
        copies.push(Copy {
            source_image: src.id.clone(),
            destination_image: dest_id,
            destination_region: dest_region,
            started_at: now.plus(-10),
            completes_at: now.plus(i64::from(b.duration)),
        });
    }
    let mut world = World {
        clock: Clock::Frozen { now },
        copy_duration_seconds: b.duration,
        host_id: "ecs.aliyuncs.com".into(),
        exhaustive: true,
        regions,
        accounts,
        images,
        copies,
        tokens: Vec::new(),
    };
    // Quotas: every region has room for a few more copies of any of the caller's images.
    for i in 0..world.regions.len() {
        let id = world.regions[i].id.clone();
        let held = world.owned_images(&account, &id).filter(|im| im.kind == ImageKind::Custom).count() as u32;
        let used = world.snapshots_used(&account, &id) as u32;
        world.regions[i].image_quota = held + b.flags[i].1;
        world.regions[i].snapshot_quota = used + 4 + b.flags[i].2;
    }
    Anchor { world, account, key, other_account, source_region, image: image_id(1), destination, spares }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn anchored_worlds_are_consistent() {
        let mut runner = TestRunner::deterministic();
        for _ in 0..200 {
            let a = arb_anchor().new_tree(&mut runner).unwrap().current();
            a.world.check().unwrap();
            let img = a.world.image(&a.image).unwrap();
            assert_eq!(img.region, a.source_region);
            assert_ne!(a.source_region, a.destination);
            assert!(a.world.region(&a.destination).unwrap().supports_copy);
        }
    }
}
