//! The oracle on its own: open points, several violations at once, totality.
//!
//! No server: these tests call `oracle::predict` on requests built from cases.

use copyimage_conformance::case::{Case, ParamValue, Tamper};
use copyimage_conformance::model::{HttpRequest, ImageStatus, Timestamp, World};
use copyimage_conformance::oracle::{self, Effect, FormatExpectation, NonceLog, OpenPoint, Outcome, Prediction, Scene};
use copyimage_conformance::rules::RuleId;
use copyimage_conformance::wire::sign::Signing;
use proptest::prelude::*;

const NOW: Timestamp = Timestamp(1_750_000_000);

fn predict_in(world: &World, case: &Case) -> Prediction {
    let nonces = NonceLog::new();
    let built = case.build(world, NOW, "ecs.aliyuncs.com", "0123456789abcdef0123456789abcdef");
    oracle::predict(&Scene::new(world, &nonces, NOW), &built.request)
}

fn predict(case: &Case) -> Prediction {
    predict_in(&World::default_fixture(), case)
}

fn base(image: &str) -> Case {
    Case::new(Signing::V1Get, &[("RegionId", "cn-qingdao"), ("ImageId", image), ("DestinationRegionId", "cn-hangzhou")])
}

/// The acceptable outcomes as (Code, status), "Success" for a success.
fn codes(p: &Prediction) -> Vec<(String, u16)> {
    p.acceptable
        .iter()
        .map(|o| match o {
            Outcome::Success(_) => ("Success".to_owned(), 200),
            Outcome::Error(e) => (e.code.to_owned(), e.status),
            Outcome::Refusal { .. } => ("any 4xx".to_owned(), 400),
        })
        .collect()
}

fn has(p: &Prediction, code: &str, status: u16) -> bool {
    codes(p).contains(&(code.to_owned(), status))
}

#[test]
fn a_valid_copy_has_exactly_one_outcome() {
    let p = predict(&base("m-available00000000001"));
    assert!(p.must_succeed(), "{:?}", codes(&p));
    let Outcome::Success(Effect::Copy(plan)) = p.pick() else { unreachable!() };
    assert_eq!(plan.destination_region, "cn-hangzhou");
    assert_eq!(p.format, FormatExpectation::Exactly(copyimage_conformance::model::Format::Xml));
}

#[test]
fn cross_account_and_non_custom_images_accept_both_codes() {
    for image in ["m-otheracct00000000001", "m-system00000000000001", "m-public00000000000001"] {
        let p = predict(&base(image));
        assert_eq!(codes(&p), vec![("InvalidImageId.NotFound".into(), 400), ("Forbidden".into(), 403)], "{image}");
        assert!(!p.allows_success());
    }
    assert!(predict(&base("m-otheracct00000000001")).open_points().contains(&OpenPoint::CrossAccount));
}

fn world_with_image_created(at: &str) -> World {
    let mut w = World::default_fixture();
    let img = w.images.iter_mut().find(|i| i.id == "m-available00000000001").unwrap();
    img.created_at = Timestamp::parse(at).unwrap();
    w
}

#[test]
fn the_2013_07_15_boundary_is_open_exactly_where_readings_differ() {
    let at = |t: &str| predict_in(&world_with_image_created(t), &base("m-available00000000001"));
    // Before the 15th began anywhere: certainly too old.
    let p = at("2013-07-14T09:59:59Z");
    assert_eq!(codes(&p), vec![("InvalidSnapshot.TooOld".into(), 403)]);
    // During the 15th somewhere: both, the emulator refusing before 00:00 UTC.
    let p = at("2013-07-14T23:59:59Z");
    assert!(has(&p, "InvalidSnapshot.TooOld", 403) && p.allows_success());
    assert!(matches!(p.pick(), Outcome::Error(_)));
    let p = at("2013-07-15T00:00:00Z");
    assert!(has(&p, "InvalidSnapshot.TooOld", 403) && p.allows_success());
    assert!(matches!(p.pick(), Outcome::Success(_)));
    assert!(p.open_points().contains(&OpenPoint::TooOldBoundary));
    // After the 15th ended everywhere: certainly fine.
    assert!(at("2013-07-16T12:00:00Z").must_succeed());
}

#[test]
fn several_violations_accept_any_of_them_within_the_first_layer() {
    // Unavailable, and a malformed name, and a full destination quota: API layer.
    let case = base("m-unavail0000000000001")
        .with(Tamper::Set { name: "DestinationRegionId".into(), value: ParamValue::text("cn-beijing") })
        .with(Tamper::Set { name: "DestinationImageName".into(), value: ParamValue::text("1bad") });
    let p = predict(&case);
    for (code, status) in
        [("IncorrectImageStatus", 400), ("InvalidImageName.Malformed", 400), ("QuotaExceed.Image", 403)]
    {
        assert!(has(&p, code, status), "{code} missing from {:?}", codes(&p));
    }
    assert!(!p.allows_success());
    // Add a bad signature: the gateway answers, API errors are no longer acceptable.
    let p = predict(&case.with(Tamper::BadSignature));
    assert_eq!(codes(&p), vec![("SignatureDoesNotMatch".into(), 400)]);
}

#[test]
fn emulator_precedence_follows_the_rule_table() {
    let case = base("m-unavail0000000000001")
        .with(Tamper::Set { name: "DestinationImageName".into(), value: ParamValue::text("1bad") });
    let Outcome::Error(e) = predict(&case).pick().clone() else { panic!() };
    // name.first-character comes before image.available in the table.
    assert_eq!(e.rule, RuleId::NameFirstCharacter);
    assert!(RuleId::NameFirstCharacter < RuleId::ImageAvailable);
}

#[test]
fn a_missing_destination_accepts_three_readings() {
    let p = predict(&base("m-available00000000001").with(Tamper::Omit { name: "DestinationRegionId".into() }));
    for (code, status) in
        [("MissingParameter", 400), ("IncorrectDestinationRegion", 403), ("DestinationRegion.NotFound", 400)]
    {
        assert!(has(&p, code, status), "{code}");
    }
    assert!(matches!(p.pick(), Outcome::Error(e) if e.code == "MissingParameter"));
}

#[test]
fn a_duplicated_parameter_accepts_refusal_or_either_reading() {
    let p = predict(
        &base("m-available00000000001")
            .with(Tamper::Duplicate { name: "ImageId".into(), value: ParamValue::text("m-unavail0000000000001") }),
    );
    assert!(has(&p, "InvalidParameter", 400));
    assert!(p.allows_success(), "first value wins: a valid copy");
    assert!(has(&p, "IncorrectImageStatus", 400), "last value wins: unavailable");
}

#[test]
fn a_repeated_name_accepts_a_signature_over_what_was_read() {
    // A server that keeps one value per name and signs what it kept computes another
    // string to sign; one that sorts pairs of a name by name only, another again.
    let p = predict(
        &base("m-available00000000001")
            .with(Tamper::Duplicate { name: "ImageId".into(), value: ParamValue::text("m-aaa") }),
    );
    assert!(has(&p, "SignatureDoesNotMatch", 400) && has(&p, "InvalidParameter", 400) && p.allows_success());
}

#[test]
fn gateway_errors_come_in_no_order_and_before_the_api() {
    // A PUT with a bad signature: either refusal, and no API error.
    let p = predict(
        &base("m-unavail0000000000001").with(Tamper::Method { method: "PUT".into() }).with(Tamper::BadSignature),
    );
    assert!(has(&p, "UnsupportedHTTPMethod", 403) && has(&p, "SignatureDoesNotMatch", 400), "{:?}", codes(&p));
    assert!(!has(&p, "IncorrectImageStatus", 400));
    // Its reply may be XML whatever it asked: the method may be refused first.
    let json = predict(
        &base("m-available00000000001")
            .with(Tamper::Set { name: "Format".into(), value: ParamValue::text("JSON") })
            .with(Tamper::Method { method: "PUT".into() }),
    );
    assert!(json.format.allows(copyimage_conformance::model::Format::Xml));
}

#[test]
fn an_oversize_body_is_refused_in_any_4xx_or_read_whole() {
    let case = Case { signing: Signing::V1PostForm, ..base("m-available00000000001") }.with(Tamper::Oversize);
    let p = predict(&case);
    assert!(has(&p, "InvalidParameter", 400), "{:?}", codes(&p));
    assert!(p.refusal_matching(413, None).is_some() && p.refusal_matching(500, None).is_none());
    assert!(p.allows_success(), "read whole, the signed Padding is an unknown parameter: {:?}", codes(&p));
}

#[test]
fn the_snapshot_quota_is_open_between_its_two_readings() {
    let mut world = World::default_fixture();
    // testid holds 10 snapshots in cn-shanghai; the source gets 2.
    world.regions.iter_mut().find(|r| r.id == "cn-shanghai").unwrap().snapshot_quota = 11;
    world.images.iter_mut().find(|i| i.id == "m-available00000000001").unwrap().snapshot_count = 2;
    let to_shanghai = base("m-available00000000001")
        .with(Tamper::Set { name: "DestinationRegionId".into(), value: ParamValue::text("cn-shanghai") });
    let p = predict_in(&world, &to_shanghai);
    assert!(p.allows_success() && has(&p, "QuotaExceed.Snapshot", 403), "{:?}", codes(&p));
    // At the quota, both readings refuse.
    world.regions.iter_mut().find(|r| r.id == "cn-shanghai").unwrap().snapshot_quota = 10;
    assert_eq!(codes(&predict_in(&world, &to_shanghai)), vec![("QuotaExceed.Snapshot".into(), 403)]);
}

#[test]
fn an_empty_name_and_chinese_after_the_first_character_are_open() {
    let named = |n: &str| {
        predict(
            &base("m-available00000000001")
                .with(Tamper::Set { name: "DestinationImageName".into(), value: ParamValue::text(n) }),
        )
    };
    for name in ["", "a中文"] {
        let p = named(name);
        assert!(p.allows_success() && has(&p, "InvalidImageName.Malformed", 400), "{name:?}: {:?}", codes(&p));
    }
    assert!(named("中abc").must_succeed());
    assert!(named(&format!("中{}", "a".repeat(127))).must_succeed(), "128 characters, 130 bytes");
}

#[test]
fn invalid_utf8_in_a_name_is_refused_either_way() {
    let case = base("m-available00000000001")
        .with(Tamper::Set { name: "DestinationImageName".into(), value: ParamValue(vec![b'a', b'b', 0xff]) });
    let p = predict(&case);
    assert!(has(&p, "InvalidParameter", 400) && has(&p, "InvalidImageName.Malformed", 400));
    assert!(!p.allows_success());
}

#[test]
fn names_taken_in_another_region_or_by_another_case_are_not_duplicates() {
    let name = |n: &str, dest: &str| {
        base("m-available00000000001")
            .with(Tamper::Set { name: "DestinationImageName".into(), value: ParamValue::text(n) })
            .with(Tamper::Set { name: "DestinationRegionId".into(), value: ParamValue::text(dest) })
    };
    assert!(predict(&name("existing-name", "ap-southeast-1")).must_succeed());
    let p = predict(&name("Existing-Name", "cn-hangzhou"));
    assert!(p.allows_success() && has(&p, "InvalidImageName.Duplicated", 400));
}

#[test]
fn timestamps_near_fifteen_minutes_are_open() {
    let at = |s: i64| predict(&base("m-available00000000001").with(Tamper::TimestampOffset { seconds: s }));
    assert!(at(-14 * 60).must_succeed());
    let p = at(-15 * 60 - 30);
    assert!(p.allows_success() && has(&p, "InvalidTimeStamp.Expired", 400));
    assert!(!at(-16 * 60 - 1).allows_success());
    let p = predict(
        &base("m-available00000000001").with(Tamper::TimestampText { text: "2025-06-15T15:06:40.000Z".into() }),
    );
    assert!(p.allows_success() && has(&p, "IllegalTimestamp", 400));
}

#[test]
fn quotas_refuse_at_the_limit_not_below() {
    let mut world = World::default_fixture();
    let region = world.regions.iter_mut().find(|r| r.id == "cn-hangzhou").unwrap();
    // testid holds one image (existing-name) in cn-hangzhou.
    region.image_quota = 2;
    assert!(predict_in(&world, &base("m-available00000000001")).must_succeed());
    world.regions.iter_mut().find(|r| r.id == "cn-hangzhou").unwrap().image_quota = 1;
    assert_eq!(codes(&predict_in(&world, &base("m-available00000000001"))), vec![("QuotaExceed.Image".into(), 403)]);
}

#[test]
fn a_real_cloud_world_leaves_state_rules_open_but_checks_the_request() {
    let mut world = World::default_fixture();
    world.exhaustive = false;
    let p = predict_in(&world, &base("m-unavail0000000000001"));
    assert!(p.allows_success() && has(&p, "IncorrectImageStatus", 400) && has(&p, "QuotaExceed.Snapshot", 403));
    let bad_name = base("m-available00000000001")
        .with(Tamper::Set { name: "DestinationImageName".into(), value: ParamValue::text("1") });
    let p = predict_in(&world, &bad_name);
    assert!(!p.allows_success());
    assert!(has(&p, "InvalidImageName.Malformed", 400));
}

#[test]
fn the_seed_request_example_reads_as_copy_image() {
    let req = HttpRequest {
        method: "GET".into(),
        target: "/?Action=CopyImage&DestinationRegionId=cn-hangzhou&ImageId=m-281234567&RegionId=cn-qingdao".into(),
        headers: vec![("host".into(), "ecs.aliyuncs.com".into())],
        body: vec![],
    };
    let reading = oracle::read::Reading::of(&req);
    let params = reading.params(oracle::read::Mode::default());
    assert_eq!(params.get("Action"), Some(&b"CopyImage"[..]));
    assert_eq!(params.get("ImageId"), Some(&b"m-281234567"[..]));
    // Without the common parameters the gateway refuses it.
    let world = World::default_fixture();
    let p = oracle::predict(&Scene::new(&world, &NonceLog::new(), NOW), &req);
    assert!(matches!(p.pick(), Outcome::Error(e) if e.code == "MissingParameter"));
}

#[test]
fn copying_applies_and_completes() {
    let mut world = World::default_fixture();
    let case = base("m-available00000000001")
        .with(Tamper::Set { name: "DestinationImageName".into(), value: ParamValue::text("copy-1") })
        .with(Tamper::Set { name: "DestinationDescription".into(), value: ParamValue::text("desc") });
    let Outcome::Success(plan) = predict_in(&world, &case).pick().clone() else { panic!() };
    oracle::apply(&mut world, &plan, "m-new00000000000000001", NOW);
    let img = world.image("m-new00000000000000001").unwrap();
    assert_eq!(
        (img.status, img.name.as_deref(), img.description.as_deref()),
        (ImageStatus::Creating, Some("copy-1"), Some("desc"))
    );
    // The same name again is now a duplicate; the source is being copied.
    let p = predict_in(&world, &case);
    assert!(has(&p, "InvalidImageName.Duplicated", 400) && has(&p, "OperationDenied.ImageCopying", 403));
    world.settle(NOW.plus(i64::from(world.copy_duration_seconds)));
    assert_eq!(world.image("m-new00000000000000001").unwrap().status, ImageStatus::Available);
    assert!(world.copies.iter().all(|c| c.destination_image != "m-new00000000000000001"));
}

fn arb_request() -> impl Strategy<Value = HttpRequest> {
    let method = prop::sample::select(vec!["GET", "POST", "PUT", "HEAD", "", "G\u{e9}T"]).prop_map(str::to_owned);
    let target = prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| format!("/?{}", String::from_utf8_lossy(&b)));
    let headers = prop::collection::vec(
        (prop::sample::select(vec!["authorization", "content-type", "x-acs-date", "x-acs-action", "host"]), ".{0,80}")
            .prop_map(|(n, v)| (n.to_owned(), v)),
        0..6,
    );
    let body = prop::collection::vec(any::<u8>(), 0..200);
    (method, target, headers, body).prop_map(|(method, target, headers, body)| HttpRequest {
        method,
        target,
        headers,
        body,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// predict never panics, always offers an outcome, and the emulator's pick is one
    /// of the acceptable outcomes.
    #[test]
    fn predict_is_total_on_any_bytes(req in arb_request()) {
        let world = World::default_fixture();
        let nonces = NonceLog::new();
        let p = oracle::predict(&Scene::new(&world, &nonces, NOW), &req);
        prop_assert!(!p.acceptable.is_empty());
        prop_assert!(p.acceptable.contains(p.pick()));
    }
}

#[test]
fn open_points_name_the_codes_they_open() {
    let point = |case: Case, want: OpenPoint| {
        let p = predict(&case);
        assert!(p.open_points().contains(&want), "{want:?} missing from {:?} ({:?})", p.open_points(), codes(&p));
    };
    point(base("m-system00000000000001"), OpenPoint::NonCustomImage);
    point(base("m-available00000000001").with(Tamper::Key { id: "nobody".into() }), OpenPoint::AccessKeyStatus);
    point(
        base("m-available00000000001")
            .with(Tamper::Set { name: "Version".into(), value: ParamValue::text("2016-11-11") }),
        OpenPoint::VersionCode,
    );
    point(
        base("m-available00000000001").with(Tamper::TimestampText { text: "yesterday".into() }),
        OpenPoint::TimestampCode,
    );
    point(
        base("m-available00000000001")
            .with(Tamper::Set { name: "SignatureMethod".into(), value: ParamValue::text("HMAC-SHA256") }),
        OpenPoint::SignatureAlgorithm,
    );
    // A point of a layer that does not answer widens nothing.
    let p = predict(
        &base("m-available00000000001")
            .with(Tamper::Set { name: "DestinationImageName".into(), value: ParamValue::text("a.b") })
            .with(Tamper::BadSignature),
    );
    assert!(!p.open_points().contains(&OpenPoint::NamePeriod), "{:?}", p.open_points());
}

#[test]
fn success_must_be_the_only_outcome_to_be_required() {
    assert!(predict(&base("m-available00000000001")).must_succeed());
    let open = predict(
        &base("m-available00000000001").with(Tamper::Set { name: "Tag.1.Key".into(), value: ParamValue::text("k") }),
    );
    assert!(open.allows_success() && !open.must_succeed());
    assert!(!predict(&base("m-unavail0000000000001")).must_succeed());
}

#[test]
fn the_body_limit_is_exact() {
    let world = World::default_fixture();
    let size_violated = |len: usize| {
        let mut body = b"A=".to_vec();
        body.resize(len, b'x');
        let req = HttpRequest {
            method: "POST".into(),
            target: "/".into(),
            headers: vec![("content-type".into(), "application/x-www-form-urlencoded".into())],
            body,
        };
        let p = oracle::predict(&Scene::new(&world, &NonceLog::new(), NOW), &req);
        p.violations.iter().any(|v| v.rule == RuleId::Size)
    };
    assert!(!size_violated(oracle::MAX_BODY));
    assert!(size_violated(oracle::MAX_BODY + 1));
}

#[test]
fn a_repeated_format_leaves_the_reply_format_open() {
    use copyimage_conformance::model::Format;
    let twice = |a: &str, b: &str| {
        predict(
            &base("m-available00000000001")
                .with(Tamper::Set { name: "Format".into(), value: ParamValue::text(a) })
                .with(Tamper::Duplicate { name: "Format".into(), value: ParamValue::text(b) }),
        )
    };
    assert_eq!(twice("XML", "JSON").format, FormatExpectation::Either(Format::Xml));
    // A refusal of the repeated name may come before Format is read at all.
    assert_eq!(twice("JSON", "JSON").format, FormatExpectation::Either(Format::Json));
    // Each violation is listed once, whichever reading found it, and none is lost.
    let p = predict(
        &base("m-available00000000001")
            .with(Tamper::Duplicate { name: "ImageId".into(), value: ParamValue::text("m-unavail0000000000001") }),
    );
    assert!(p.violations.iter().any(|v| v.rule == RuleId::ImageAvailable), "{:?}", p.violations);
    assert!(p.violations.iter().any(|v| v.rule == RuleId::DuplicateParameter));
    for (i, v) in p.violations.iter().enumerate() {
        assert!(!p.violations[i + 1..].contains(v), "{v:?} listed twice");
    }
}

#[test]
fn the_timestamp_window_edges_are_exact() {
    let at = |s: i64| predict(&base("m-available00000000001").with(Tamper::TimestampOffset { seconds: s }));
    // Certainly fine up to 840 s, open up to 960 s, certainly expired beyond.
    assert!(at(-840).must_succeed());
    let p = at(-841);
    assert!(p.allows_success() && has(&p, "InvalidTimeStamp.Expired", 400));
    let p = at(960);
    assert!(p.allows_success() && has(&p, "InvalidTimeStamp.Expired", 400));
    assert!(!at(961).allows_success());
    // The emulator refuses beyond 900 s, not at 900.
    assert!(matches!(at(-900).pick(), Outcome::Success(_)));
    assert!(matches!(at(-901).pick(), Outcome::Error(e) if e.code == "InvalidTimeStamp.Expired"));
    assert!(matches!(at(901).pick(), Outcome::Error(_)));
}

#[test]
fn the_certain_too_old_edge_is_exact() {
    let edge = oracle::TOO_OLD_CERTAIN_BEFORE.to_string();
    let at = |t: &str| predict_in(&world_with_image_created(t), &base("m-available00000000001"));
    assert!(!at(&oracle::TOO_OLD_CERTAIN_BEFORE.plus(-1).to_string()).allows_success());
    assert!(at(&edge).allows_success(), "at {edge} the 15th has begun somewhere");
    assert!(at(&oracle::TOO_OLD_POSSIBLE_BEFORE.plus(-1).to_string()).allows_success());
    assert!(at(&oracle::TOO_OLD_POSSIBLE_BEFORE.to_string()).must_succeed());
}

#[test]
fn only_signature_parameters_offer_incomplete_signature_when_missing() {
    for name in ["Signature", "SignatureMethod", "SignatureVersion"] {
        let p = predict(&base("m-available00000000001").with(Tamper::Omit { name: name.into() }));
        assert!(has(&p, "IncompleteSignature", 400) && has(&p, "MissingParameter", 400), "{name}: {:?}", codes(&p));
    }
    for name in ["RegionId", "Timestamp", "SignatureNonce"] {
        let p = predict(&base("m-available00000000001").with(Tamper::Omit { name: name.into() }));
        assert!(!has(&p, "IncompleteSignature", 400), "{name}: {:?}", codes(&p));
    }
    let v3 = Case { signing: Signing::V3, ..base("m-available00000000001") }
        .with(Tamper::Omit { name: "x-acs-content-sha256".into() });
    assert!(has(&predict(&v3), "IncompleteSignature", 400));
}
