//! Abusive clients against the built-in emulator: slow and idle connections are
//! closed, the number of connections is bounded, garbage and huge or many-parameter
//! requests get replies without stopping other clients, and racing requests for one
//! source, one quota slot or one name have exactly one winner.

mod common;

use std::time::Duration;

use copyimage_conformance::case::{Case, ParamValue, Tamper};
use copyimage_conformance::emulator::{ConnectionLimits, Emulator, EmulatorConfig};
use copyimage_conformance::model::World;
use copyimage_conformance::wire::reply;
use copyimage_conformance::wire::sign::Signing;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn limits(max_connections: usize) -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_millis(400),
        body_timeout: Duration::from_millis(400),
        max_connections,
    }
}

async fn emulator(limits: ConnectionLimits, world: World) -> Emulator {
    Emulator::start(EmulatorConfig { world, limits, ..EmulatorConfig::default() }).await.unwrap()
}

/// Reads until the server closes the connection (or 5 s pass); what it sent.
async fn until_closed(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read).await.ok()?;
    Some(out)
}

const GOOD_GET: &[u8] = b"GET /?Action=CopyImage HTTP/1.1\r\nHost: x\r\n\r\n";

#[tokio::test]
async fn slow_and_idle_connections_are_closed() {
    let e = emulator(limits(64), World::default_fixture()).await;
    // Nothing sent at all.
    let mut silent = TcpStream::connect(e.addr()).await.unwrap();
    assert!(until_closed(&mut silent).await.is_some(), "a silent connection stays open");
    // A head sent a byte at a time, too slowly.
    let mut slow = TcpStream::connect(e.addr()).await.unwrap();
    let dribble = async {
        for b in b"GET / HTTP/1.1\r\nHost: x\r\n" {
            if slow.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), dribble).await.unwrap();
    assert!(until_closed(&mut slow).await.is_some(), "a slow head keeps its connection");
    // A kept-alive connection left idle after its reply.
    let mut idle = TcpStream::connect(e.addr()).await.unwrap();
    idle.write_all(GOOD_GET).await.unwrap();
    let got = until_closed(&mut idle).await.expect("closed after its reply and the idle time");
    assert!(got.starts_with(b"HTTP/1.1 400"), "{}", String::from_utf8_lossy(&got));
    // A body that stops coming: 408, then closed.
    let mut stalled = TcpStream::connect(e.addr()).await.unwrap();
    stalled.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nAction=").await.unwrap();
    let got = until_closed(&mut stalled).await.expect("closed");
    assert!(got.starts_with(b"HTTP/1.1 408"), "{}", String::from_utf8_lossy(&got));
    e.shutdown().await;
}

#[tokio::test]
async fn connections_past_the_limit_are_closed_at_once_and_others_still_served() {
    let e =
        emulator(ConnectionLimits { header_timeout: Duration::from_secs(30), ..limits(4) }, World::default_fixture())
            .await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(TcpStream::connect(e.addr()).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The fifth is accepted and closed at once, without a reply.
    let mut extra = TcpStream::connect(e.addr()).await.unwrap();
    let _ = extra.write_all(GOOD_GET).await;
    assert_eq!(until_closed(&mut extra).await, Some(Vec::new()));
    // Once a slot frees, a client is served.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let client = common::client();
    let reply = copyimage_conformance::harness::client::send(
        &client,
        &e.uri(),
        &copyimage_conformance::model::HttpRequest {
            method: "GET".into(),
            target: "/?Action=CopyImage".into(),
            headers: vec![],
            body: vec![],
        },
        1 << 20,
    )
    .await
    .unwrap();
    assert_eq!(reply.status, 400);
    e.shutdown().await;
}

#[tokio::test]
async fn garbage_huge_and_crowded_requests_get_replies() {
    let e = emulator(limits(64), World::default_fixture()).await;
    // Bytes that are no HTTP: the connection closes, the server lives on.
    let mut garbage = TcpStream::connect(e.addr()).await.unwrap();
    garbage.write_all(b"\x00\xff\xfe garbage \r\n\r\n\x16\x03\x01").await.unwrap();
    assert!(until_closed(&mut garbage).await.is_some());
    let client = common::client();
    // 70,000 parameters in a 0.9 MB form body, unauthenticated: a documented refusal.
    let body: String = (0..70_000).map(|i| format!("p{i:07}=v&")).collect();
    let crowded = copyimage_conformance::model::HttpRequest {
        method: "POST".into(),
        target: "/".into(),
        headers: vec![("content-type".into(), "application/x-www-form-urlencoded".into())],
        body: body.into_bytes(),
    };
    let reply = copyimage_conformance::harness::client::send(&client, &e.uri(), &crowded, 1 << 20).await.unwrap();
    assert_eq!(reply.status, 400);
    assert!(reply::parse(&reply.body).unwrap().text("Code").is_some());
    // A 20 MB body: refused for its size, the connection closed rather than read whole.
    let huge = copyimage_conformance::model::HttpRequest { body: vec![b'x'; 20 << 20], ..crowded };
    match copyimage_conformance::harness::client::send(&client, &e.uri(), &huge, 1 << 20).await {
        Ok(reply) => assert_eq!(reply::parse(&reply.body).unwrap().text("Code"), Some("InvalidParameter")),
        Err(err) => assert!(err.unanswered(), "{err}"),
    }
    // And the server still answers.
    let (_, ok) = common::send_case(&client, &e, &valid("m-available00000000001", "cn-hangzhou", None)).await;
    assert_eq!(ok.status, 200);
    e.shutdown().await;
}

fn valid(image: &str, dest: &str, name: Option<&str>) -> Case {
    let mut case = Case::new(
        Signing::V1PostQuery,
        &[("RegionId", "cn-qingdao"), ("ImageId", image), ("DestinationRegionId", dest)],
    );
    if let Some(n) = name {
        case = case.with(Tamper::Set { name: "DestinationImageName".into(), value: ParamValue::text(n) });
    }
    case
}

/// Sends the cases at once; the Codes that came back ("Success" for a copy).
async fn race(world: World, cases: Vec<Case>) -> Vec<String> {
    let e = std::sync::Arc::new(emulator(limits(256), world).await);
    let mut tasks = Vec::new();
    for case in cases {
        let e = e.clone();
        tasks.push(tokio::spawn(async move {
            let client = common::client();
            let (_, reply) = common::send_case(&client, &e, &case).await;
            reply::parse(&reply.body).unwrap().text("Code").unwrap_or("Success").to_owned()
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    codes
}

fn winners(codes: &[String]) -> usize {
    codes.iter().filter(|c| *c == "Success").count()
}

/// Available images of testid in cn-qingdao, each free to copy.
fn world_with_sources(n: usize) -> World {
    let mut w = World::default_fixture();
    let template = w.image("m-available00000000001").unwrap().clone();
    for i in 0..n {
        let mut img = template.clone();
        img.id = format!("m-racesource{i:010}");
        img.name = Some(format!("race-source-{i}"));
        w.images.push(img);
    }
    w
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_copies_of_one_source_have_one_winner() {
    let codes =
        race(World::default_fixture(), (0..16).map(|_| valid("m-available00000000001", "cn-hangzhou", None)).collect())
            .await;
    assert_eq!(winners(&codes), 1, "{codes:?}");
    assert!(codes.iter().all(|c| c == "Success" || c == "OperationDenied.ImageCopying"), "{codes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_copies_for_the_last_quota_slot_have_one_winner() {
    let mut world = world_with_sources(16);
    // cn-beijing: testid holds one custom image there; room for one more.
    world.regions.iter_mut().find(|r| r.id == "cn-beijing").unwrap().image_quota = 2;
    let cases = (0..16).map(|i| valid(&format!("m-racesource{i:010}"), "cn-beijing", None)).collect();
    let codes = race(world, cases).await;
    assert_eq!(winners(&codes), 1, "{codes:?}");
    assert!(codes.iter().all(|c| c == "Success" || c == "QuotaExceed.Image"), "{codes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_copies_for_one_name_have_one_winner() {
    let cases = (0..16).map(|i| valid(&format!("m-racesource{i:010}"), "cn-hangzhou", Some("one-name"))).collect();
    let codes = race(world_with_sources(16), cases).await;
    assert_eq!(winners(&codes), 1, "{codes:?}");
    assert!(codes.iter().all(|c| c == "Success" || c == "InvalidImageName.Duplicated"), "{codes:?}");
}
