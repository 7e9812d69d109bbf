//! The whole life of a copy over HTTP: CopyImage, DescribeImages, CancelCopyImage,
//! DeleteImage and DescribeRegions against the built-in emulator, each reply judged by
//! the harness against the oracle's prediction for the world the emulator held when
//! it answered, and the decisive fields read back.

mod common;

use copyimage_conformance::case::Case;
use copyimage_conformance::emulator::Emulator;
use copyimage_conformance::harness::compare::judge;
use copyimage_conformance::model::{HttpReply, Image, ImageKind, ImageStatus, Timestamp, World};
use copyimage_conformance::oracle::{self, NonceLog, Scene};
use copyimage_conformance::rules::protocol::Action;
use copyimage_conformance::wire::reply;
use copyimage_conformance::wire::sign::Signing;

/// A world whose clock stands still until advanced.
fn frozen() -> World {
    let mut w = World::default_fixture();
    w.clock = copyimage_conformance::model::Clock::Frozen { now: Timestamp::parse("2026-06-01T00:00:00Z").unwrap() };
    w
}

struct Life {
    emulator: Emulator,
    client: reqwest::Client,
}

impl Life {
    async fn new(world: World) -> Life {
        Life { emulator: common::emulator(world).await, client: common::client() }
    }

    /// Sends a call and judges the reply against the oracle for the world as it was.
    async fn call(&self, action: Action, signing: Signing, params: &[(&str, &str)]) -> HttpReply {
        let world = self.emulator.world();
        let case = Case::new(signing, params).for_action(action);
        let (built, reply) = common::send_case(&self.client, &self.emulator, &case).await;
        let now = world.clock.now(Timestamp::now_utc());
        let prediction = oracle::predict(&Scene::new(&world, &NonceLog::new(), now), &built.request);
        let verdict = judge(&prediction, &Ok(reply.clone()));
        assert!(
            verdict.passed(),
            "{action} {params:?}: {:?}\n{}",
            verdict.mismatches,
            String::from_utf8_lossy(&reply.body)
        );
        reply
    }

    async fn advance(&self, seconds: u64) {
        let url = format!("{}/_conformance/clock", self.emulator.uri());
        let r = self.client.post(url).body(format!("{{\"advance_seconds\":{seconds}}}")).send().await.unwrap();
        assert!(r.status().is_success());
    }

    /// The images a DescribeImages reply lists: (ImageId, Status, Progress).
    async fn describe(&self, params: &[(&str, &str)]) -> Vec<(String, String, String)> {
        let reply = self.call(Action::DescribeImages, Signing::V1Get, params).await;
        let items = reply::parse_items(&reply.body, "Images", "Image").unwrap().unwrap();
        let get = |i: &Vec<(String, String)>, n: &str| {
            i.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()).unwrap_or_default()
        };
        items.iter().map(|i| (get(i, "ImageId"), get(i, "Status"), get(i, "Progress"))).collect()
    }

    async fn copy(&self, image: &str) -> String {
        let params = [("RegionId", "cn-qingdao"), ("ImageId", image), ("DestinationRegionId", "cn-hangzhou")];
        let reply = self.call(Action::CopyImage, Signing::V1Get, &params).await;
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        reply::parse(&reply.body).unwrap().text("ImageId").unwrap().to_owned()
    }
}

fn code(reply: &HttpReply) -> (u16, String) {
    let parsed = reply::parse(&reply.body).unwrap();
    (reply.status, parsed.text("Code").unwrap_or("Success").to_owned())
}

fn percent(p: &str) -> u8 {
    p.trim_end_matches('%').parse().unwrap()
}

#[tokio::test]
async fn a_copy_is_creating_below_100_percent_then_available_at_100() {
    let life = Life::new(frozen()).await;
    let id = life.copy("m-available00000000001").await;
    // The default Status filter (Available) hides the copy in progress.
    let hidden = life.describe(&[("RegionId", "cn-hangzhou"), ("ImageId", &id)]).await;
    assert!(hidden.is_empty(), "{hidden:?}");
    let creating = life.describe(&[("RegionId", "cn-hangzhou"), ("ImageId", &id), ("Status", "Creating")]).await;
    assert_eq!(creating.len(), 1);
    assert_eq!(creating[0].1, "Creating");
    assert!(percent(&creating[0].2) < 100, "{creating:?}");
    life.advance(30).await;
    let half = life.describe(&[("RegionId", "cn-hangzhou"), ("ImageId", &id), ("Status", "Creating")]).await;
    assert_eq!(percent(&half[0].2), 50);
    life.advance(30).await;
    let done = life.describe(&[("RegionId", "cn-hangzhou"), ("ImageId", &id)]).await;
    assert_eq!(done, vec![(id.clone(), "Available".to_owned(), "100%".to_owned())]);
    // A finished copy cannot be cancelled.
    let late = life.call(Action::CancelCopyImage, Signing::V3, &[("RegionId", "cn-hangzhou"), ("ImageId", &id)]).await;
    assert_eq!(code(&late), (400, "IncorrectImageStatus".to_owned()));
    life.emulator.shutdown().await;
}

#[tokio::test]
async fn a_copy_cannot_be_deleted_but_can_be_cancelled_and_its_source_copied_again() {
    let life = Life::new(frozen()).await;
    let id = life.copy("m-available00000000001").await;
    let at = [("RegionId", "cn-hangzhou"), ("ImageId", id.as_str())];
    let refused = life.call(Action::DeleteImage, Signing::V1PostForm, &at).await;
    assert_eq!(code(&refused), (403, "OperationDenied.ImageCopying".to_owned()));
    // Nor its source, while it runs (the emulator's reading of `delete-copy-source`).
    let source = [("RegionId", "cn-qingdao"), ("ImageId", "m-available00000000001")];
    assert_eq!(code(&life.call(Action::DeleteImage, Signing::V1Get, &source).await).0, 403);
    let cancelled = life.call(Action::CancelCopyImage, Signing::V1Get, &at).await;
    assert_eq!(code(&cancelled), (200, "Success".to_owned()));
    let gone = life.describe(&[("RegionId", "cn-hangzhou"), ("ImageId", &id), ("Status", "Creating,Available")]).await;
    assert!(gone.is_empty(), "{gone:?}");
    // The source is unchanged and may be copied again.
    let src = life.describe(&[("RegionId", "cn-qingdao"), ("ImageId", "m-available00000000001")]).await;
    assert_eq!(src[0].1, "Available");
    let again = life.copy("m-available00000000001").await;
    assert_ne!(again, id);
    // Cancelled twice: the image is gone.
    let twice = life.call(Action::CancelCopyImage, Signing::V1Get, &at).await;
    assert_eq!(code(&twice), (404, "InvalidImageId.NotFound".to_owned()));
    // Deleting an available image removes it.
    let other = [("RegionId", "cn-qingdao"), ("ImageId", "m-unavail0000000000001")];
    assert_eq!(code(&life.call(Action::DeleteImage, Signing::V3, &other).await).0, 200);
    assert!(!life.emulator.world().images.iter().any(|i| i.id == "m-unavail0000000000001"));
    life.emulator.shutdown().await;
}

#[tokio::test]
async fn pages_split_many_images_and_count_them_all() {
    let mut world = frozen();
    for i in 0..23 {
        world.images.push(Image {
            id: format!("m-page{i:016}"),
            region: "cn-shanghai".into(),
            owner: Some("1000000000000001".into()),
            kind: ImageKind::Custom,
            status: ImageStatus::Available,
            created_at: Timestamp(1_700_000_000 + i),
            encrypted: false,
            snapshot_count: 0,
            name: Some(format!("page-{i}")),
            description: None,
            copied: false,
        });
    }
    let life = Life::new(world).await;
    let mut seen = Vec::new();
    for page in ["1", "2", "3"] {
        let reply = life
            .call(
                Action::DescribeImages,
                Signing::V1Get,
                &[("RegionId", "cn-shanghai"), ("PageSize", "10"), ("PageNumber", page)],
            )
            .await;
        let parsed = reply::parse(&reply.body).unwrap();
        assert_eq!(parsed.text("TotalCount"), Some("23"));
        let items = reply::parse_items(&reply.body, "Images", "Image").unwrap().unwrap();
        seen.extend(items.into_iter().filter_map(|i| i.into_iter().find(|(k, _)| k == "ImageId").map(|(_, v)| v)));
    }
    assert_eq!(seen.len(), 23);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 23, "every image on exactly one page");
    // The default page holds 10; 51 per page is past the documented maximum.
    assert_eq!(life.describe(&[("RegionId", "cn-shanghai")]).await.len(), 10);
    let past =
        life.call(Action::DescribeImages, Signing::V1Get, &[("RegionId", "cn-shanghai"), ("PageSize", "51")]).await;
    assert_eq!(code(&past).0, 400);
    life.emulator.shutdown().await;
}

#[tokio::test]
async fn regions_are_the_worlds_and_other_actions_are_not_found() {
    let life = Life::new(frozen()).await;
    let reply = life.call(Action::DescribeRegions, Signing::V3, &[]).await;
    let items = reply::parse_items(&reply.body, "Regions", "Region").unwrap().unwrap();
    assert_eq!(items.len(), life.emulator.world().regions.len());
    let case =
        Case::new(Signing::V1Get, &[("RegionId", "cn-qingdao")]).with(copyimage_conformance::case::Tamper::Set {
            name: "Action".into(),
            value: copyimage_conformance::case::ParamValue::text("DescribeInstances"),
        });
    let (_, other) = common::send_case(&life.client, &life.emulator, &case).await;
    assert_eq!(code(&other), (404, "InvalidAction.NotFound".to_owned()));
    life.emulator.shutdown().await;
}
