//! Judging what a listing shows: DescribeImages' page and DescribeRegions' regions.
//!
//! Owns [`judge`]: given the oracle's [`Effect`] of a companion call's success and the
//! reply's body, it checks what the documents settle and nothing more. For a page of
//! images: `TotalCount` within what every reading counts, no image that no reading
//! lists, as many images as the page holds, every image that must be listed when the
//! whole list fits on the first page, `RegionId` and `PageNumber` as asked, `PageSize`
//! the page size or the images on the page, and each listed image's Status, Progress
//! (below 100 while `Creating`; 100, if written, once `Available`), IsCopied,
//! ImageOwnerAlias (where every reading lists the image), ImageName, Description and
//! CreationTime (to the second or to the minute). For regions: exactly the world's. A
//! listing the documents do not settle (see [`crate::oracle::Listing::judged`]) is not
//! judged.

use super::compare::{Expected, Mismatch, Observed};
use crate::oracle::{Effect, Listed, Listing, Prediction};
use crate::rules::RuleId;
use crate::wire::reply::{self, FieldValue, ParsedReply};

/// Adds a mismatch for every departure of the reply from the listing predicted. Where
/// readings of the request differ in what they list, the reply must fit one of them.
pub fn judge(prediction: &Prediction, parsed: &ParsedReply, body: &[u8], mismatches: &mut Vec<Mismatch>) {
    let mut best: Option<Vec<Mismatch>> = None;
    for effect in prediction.effects() {
        let found = match effect {
            Effect::Describe(listing) if listing.judged => images(listing, parsed, body),
            Effect::Regions { regions: Some(regions) } => regions_listed(regions, body),
            _ => Vec::new(),
        };
        if best.as_ref().is_none_or(|b| found.len() < b.len()) {
            best = Some(found);
        }
    }
    mismatches.extend(best.unwrap_or_default());
}

fn mismatch(rule: RuleId, field: String, expected: String, observed: Option<String>) -> Mismatch {
    let clip = |s: String| s.chars().take(super::compare::CLIP).collect::<String>();
    Mismatch {
        rule,
        expected: Expected::Field { field: field.clone(), value: expected },
        observed: Observed::Field { field, value: observed.map(clip) },
    }
}

/// A count as a reply writes it: a JSON number or XML text.
fn count(parsed: &ParsedReply, name: &str) -> Option<u64> {
    match parsed.get(name)? {
        FieldValue::Text(t) | FieldValue::Number(t) => t.trim().parse().ok(),
        _ => None,
    }
}

fn field<'a>(item: &'a [(String, String)], name: &str) -> Option<&'a str> {
    item.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn images(listing: &Listing, parsed: &ParsedReply, body: &[u8]) -> Vec<Mismatch> {
    let rule = RuleId::DescribeListed;
    let mut out = Vec::new();
    let (fewest, most) = listing.total_bounds();
    let total = count(parsed, "TotalCount");
    let bounds = if fewest == most { fewest.to_string() } else { format!("{fewest} to {most}") };
    match total {
        Some(n) if (fewest as u64..=most as u64).contains(&n) => {}
        other => out.push(mismatch(rule, "TotalCount".into(), bounds, other.map(|n| n.to_string()))),
    }
    let items = match reply::parse_items(body, "Images", "Image") {
        Ok(Some(items)) => items,
        // A missing list is a shape failure, judged with the shape.
        _ => return out,
    };
    let offset = listing.page_number.saturating_sub(1).saturating_mul(listing.page_size);
    if let Some(n) = total.filter(|n| (fewest as u64..=most as u64).contains(n)) {
        let on_page = n.saturating_sub(offset).min(listing.page_size);
        if items.len() as u64 != on_page {
            let what = format!("{on_page} images (page {} of size {})", listing.page_number, listing.page_size);
            out.push(mismatch(rule, "Images".into(), what, Some(format!("{} images", items.len()))));
        }
    }
    // The page it is: the region and page asked for; its size either the page size or
    // the images it holds (point `reply-page-size`).
    if parsed.text("RegionId") != Some(listing.region.as_str()) {
        out.push(mismatch(rule, "RegionId".into(), listing.region.clone(), parsed.text("RegionId").map(str::to_owned)));
    }
    let number = count(parsed, "PageNumber");
    if number != Some(listing.page_number) {
        out.push(mismatch(rule, "PageNumber".into(), listing.page_number.to_string(), number.map(|n| n.to_string())));
    }
    let size = count(parsed, "PageSize");
    if !size.is_some_and(|n| n == listing.page_size || n == items.len() as u64) {
        let want = format!("{} (the page size) or {} (the images on the page)", listing.page_size, items.len());
        out.push(mismatch(rule, "PageSize".into(), want, size.map(|n| n.to_string())));
    }
    let listed: Vec<&str> = items.iter().filter_map(|i| field(i, "ImageId")).collect();
    if listing.page_number == 1 && most as u64 <= listing.page_size {
        for c in listing.candidates.iter().filter(|c| c.certain) {
            if !listed.contains(&c.id.as_str()) {
                out.push(mismatch(rule, format!("Images[{}]", c.id), "listed".into(), None));
            }
        }
    }
    for item in &items {
        let id = field(item, "ImageId").unwrap_or_default();
        match listing.candidates.iter().find(|c| c.id == id) {
            None => out.push(mismatch(rule, format!("Images[{id}]"), "not listed".into(), Some("listed".into()))),
            Some(c) => out.extend(image_fields(c, item)),
        }
    }
    out
}

/// The fields of one listed image against the world's.
fn image_fields(c: &Listed, item: &[(String, String)]) -> Vec<Mismatch> {
    let rule = RuleId::DescribeListed;
    let mut out = Vec::new();
    let mut expect = |name: &str, want: &str, empty_is_none: bool| {
        let got = field(item, name);
        let same = match got {
            Some(g) => g == want,
            None => empty_is_none && want.is_empty(),
        };
        if !same {
            out.push(mismatch(rule, format!("Images[{}].{name}", c.id), want.to_owned(), got.map(str::to_owned)));
        }
    };
    expect("Status", c.status.name(), false);
    expect("IsCopied", if c.copied { "true" } else { "false" }, false);
    // An image only some readings list (a community image) has no settled alias.
    if c.certain {
        expect("ImageOwnerAlias", c.alias, false);
    }
    expect("ImageName", c.name.as_deref().unwrap_or_default(), true);
    expect("Description", c.description.as_deref().unwrap_or_default(), true);
    // To the second or to the minute (point `creation-time-format`).
    let time = field(item, "CreationTime");
    let (seconds, minutes) = (c.created_at.to_string(), c.created_at.to_minutes());
    if time != Some(seconds.as_str()) && time != Some(minutes.as_str()) {
        let field = format!("Images[{}].CreationTime", c.id);
        out.push(mismatch(rule, field, format!("{seconds} or {minutes}"), time.map(str::to_owned)));
    }
    // Progress: "presented in percentages", `100` or `100%`; below 100 while a copy is
    // `Creating` (the user guide: "When the progress is not 100% and the status of the
    // image is Creating"), 100 once `Available`.
    let progress = field(item, "Progress");
    let percent = progress.and_then(|p| p.trim().trim_end_matches('%').trim().parse::<u8>().ok());
    let want = match (c.status, c.progress) {
        (crate::model::ImageStatus::Available, _) => Some((100u8, "100")),
        (crate::model::ImageStatus::Creating, Some(_)) => Some((99, "below 100")),
        _ => None,
    };
    if let Some((limit, words)) = want {
        // An `Available` image's Progress, when written, is 100 (the example's); a copy
        // in progress must show how far it is.
        let written = progress.is_some_and(|p| !p.trim().is_empty());
        let fits = match percent {
            Some(p) if limit == 100 => p == 100,
            Some(p) => p < 100,
            None => limit == 100 && !written,
        };
        if !fits {
            out.push(mismatch(
                rule,
                format!("Images[{}].Progress", c.id),
                words.to_owned(),
                progress.map(str::to_owned),
            ));
        }
    }
    out
}

fn regions_listed(regions: &[String], body: &[u8]) -> Vec<Mismatch> {
    let rule = RuleId::RegionsListed;
    let Ok(Some(items)) = reply::parse_items(body, "Regions", "Region") else { return Vec::new() };
    let mut got: Vec<&str> = items.iter().filter_map(|i| field(i, "RegionId")).collect();
    let mut want: Vec<&str> = regions.iter().map(String::as_str).collect();
    got.sort_unstable();
    want.sort_unstable();
    if got == want {
        return Vec::new();
    }
    vec![mismatch(rule, "Regions".into(), want.join(", "), Some(got.join(", ")))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Case;
    use crate::harness::compare::judge as judge_reply;
    use crate::model::{HttpReply, Timestamp, World};
    use crate::oracle::{self, NonceLog, Scene};
    use crate::rules::protocol::Action;
    use crate::wire::sign::Signing;

    fn prediction(action: Action, params: &[(&str, &str)]) -> Prediction {
        let world = World::default_fixture();
        let now = Timestamp::parse("2026-06-01T00:00:00Z").unwrap();
        let case = Case::new(Signing::V1Get, params).for_action(action);
        let built = case.build(&world, now, "ecs.aliyuncs.com", "nonce");
        oracle::predict(&Scene::new(&world, &NonceLog::new(), now), &built.request)
    }

    fn failed(p: &Prediction, body: &str) -> Vec<String> {
        let v = judge_reply(p, &Ok(HttpReply::new(200, None, body.as_bytes().to_vec())));
        v.mismatches.iter().map(|m| format!("{}: {} / {}", m.rule, m.expected, m.observed)).collect()
    }

    const ID: &str = "C8B26B44-0189-443E-9816-D951F59623A9";

    fn page(total: &str, images: &str) -> String {
        format!(
            r#"{{"RequestId":"{ID}","RegionId":"ap-southeast-1","TotalCount":{total},"PageNumber":1,"PageSize":10,"Images":{{"Image":[{images}]}}}}"#
        )
    }

    const COPY: &str = r#"{"ImageId":"m-copyinprogress000001","ImageName":"copying-image-copy","Description":"","ImageOwnerAlias":"self","Status":"Creating","Progress":"3%","IsCopied":true,"CreationTime":"2026-01-01T00:00:00Z"}"#;

    #[test]
    fn a_listing_that_matches_the_world_passes() {
        let p = prediction(
            Action::DescribeImages,
            &[("RegionId", "ap-southeast-1"), ("Status", "Creating"), ("Format", "JSON")],
        );
        assert!(failed(&p, &page("1", COPY)).is_empty(), "{:?}", failed(&p, &page("1", COPY)));
    }

    #[test]
    fn each_departure_of_a_listing_is_named() {
        let p = prediction(
            Action::DescribeImages,
            &[("RegionId", "ap-southeast-1"), ("Status", "Creating"), ("Format", "JSON")],
        );
        let has = |body: String, what: &str| {
            let f = failed(&p, &body);
            assert!(f.iter().any(|m| m.contains(what)), "{what} not in {f:?}");
        };
        has(page("2", COPY), "TotalCount: 1");
        has(page("0", ""), "Images[m-copyinprogress000001]: listed");
        has(page("1", &COPY.replace("Creating", "Available")), "Status: Creating");
        has(page("1", &COPY.replace("3%", "100%")), "Progress: below 100");
        has(page("1", &COPY.replace("\"Progress\":\"3%\",", "")), "Progress: below 100");
        has(page("1", &COPY.replace("\"IsCopied\":true", "\"IsCopied\":false")), "IsCopied: true");
        has(page("1", &COPY.replace("copying-image-copy", "other")), "ImageName");
        has(page("1", &COPY.replace("m-copyinprogress000001", "m-nosuch")), "Images[m-nosuch]: not listed");
        has(page("1", &format!("{COPY},{COPY}")), "1 images (page 1 of size 10)");
        has(page("1", COPY).replace("\"RegionId\":\"ap-southeast-1\"", "\"RegionId\":\"cn-qingdao\""), "RegionId");
        has(page("1", COPY).replace("\"PageNumber\":1", "\"PageNumber\":2"), "PageNumber: 1");
        has(page("1", COPY).replace("\"PageSize\":10", "\"PageSize\":3"), "PageSize: 10 (the page size) or 1");
        has(page("1", &COPY.replace("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z")), "CreationTime");
        has(page("1", &COPY.replace("\"CreationTime\":\"2026-01-01T00:00:00Z\"", "\"Size\":1")), "CreationTime");
    }

    #[test]
    fn page_size_and_creation_time_take_either_documented_form() {
        let p = prediction(
            Action::DescribeImages,
            &[("RegionId", "ap-southeast-1"), ("Status", "Creating"), ("Format", "JSON")],
        );
        let on_page = page("1", COPY).replace("\"PageSize\":10", "\"PageSize\":1");
        assert!(failed(&p, &on_page).is_empty(), "{:?}", failed(&p, &on_page));
        let minutes = page("1", &COPY.replace("2026-01-01T00:00:00Z", "2026-01-01T00:00Z"));
        assert!(failed(&p, &minutes).is_empty(), "{:?}", failed(&p, &minutes));
    }

    #[test]
    fn an_available_image_may_leave_its_progress_out_but_not_write_another() {
        let p = prediction(
            Action::DescribeImages,
            &[("RegionId", "ap-southeast-1"), ("ImageId", "m-copieddone000000001"), ("Format", "JSON")],
        );
        let done = r#"{"ImageId":"m-copieddone000000001","ImageName":"a-finished-copy","ImageOwnerAlias":"self","Status":"Available","IsCopied":true,"CreationTime":"2025-06-01T00:00:00Z"}"#;
        assert!(failed(&p, &page("1", done)).is_empty(), "{:?}", failed(&p, &page("1", done)));
        let stuck = done.replace("\"IsCopied\"", "\"Progress\":\"99%\",\"IsCopied\"");
        assert!(failed(&p, &page("1", &stuck)).iter().any(|m| m.contains("Progress: 100")));
    }

    #[test]
    fn the_default_status_hides_a_copy_in_progress() {
        let p = prediction(
            Action::DescribeImages,
            &[("RegionId", "ap-southeast-1"), ("ImageId", "m-copyinprogress000001"), ("Format", "JSON")],
        );
        let f = failed(&p, &page("1", COPY));
        assert!(f.iter().any(|m| m.contains("TotalCount: 0")), "{f:?}");
        assert!(failed(&p, &page("0", "")).is_empty());
    }

    #[test]
    fn an_unsettled_listing_is_not_judged() {
        // A Status no page lists: the emulator filters by it, others may refuse or not.
        let p = prediction(
            Action::DescribeImages,
            &[("RegionId", "ap-southeast-1"), ("Status", "Sleeping"), ("Format", "JSON")],
        );
        assert!(failed(&p, &page("1", COPY)).is_empty());
    }

    #[test]
    fn regions_must_be_the_worlds() {
        let p = prediction(Action::DescribeRegions, &[("Format", "JSON")]);
        let regions = |ids: &[&str]| {
            let items: Vec<String> = ids.iter().map(|r| format!(r#"{{"RegionId":"{r}"}}"#)).collect();
            format!(r#"{{"RequestId":"{ID}","Regions":{{"Region":[{}]}}}}"#, items.join(","))
        };
        let all = ["cn-qingdao", "cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1", "cn-nocopy-1"];
        assert!(failed(&p, &regions(&all)).is_empty());
        let f = failed(&p, &regions(&all[1..]));
        assert!(f.iter().any(|m| m.starts_with("regions.listed")), "{f:?}");
        let f = failed(&p, &format!(r#"{{"RequestId":"{ID}"}}"#));
        assert!(f.iter().any(|m| m.contains("no Regions")), "{f:?}");
    }
}
