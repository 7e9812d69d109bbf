//! The emulator over HTTP: the control contract, the copy lifecycle, hostile input.

mod common;

use copyimage_conformance::case::{Case, ParamValue, Tamper};
use copyimage_conformance::model::{HttpRequest, ImageStatus, World};
use copyimage_conformance::rules::RULES;
use copyimage_conformance::wire::reply;
use copyimage_conformance::wire::sign::Signing;
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn valid() -> Case {
    Case::new(
        Signing::V1PostQuery,
        &[("RegionId", "cn-qingdao"), ("ImageId", "m-available00000000001"), ("DestinationRegionId", "cn-hangzhou")],
    )
}

async fn control(
    client: &reqwest::Client,
    base: &str,
    method: reqwest::Method,
    path: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let r = client.request(method, format!("{base}{path}")).body(body.to_owned()).send().await.unwrap();
    let status = r.status().as_u16();
    (status, serde_json::from_slice(&r.bytes().await.unwrap()).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn the_control_contract_loads_reads_and_advances() {
    let emulator = common::emulator(World::default_fixture()).await;
    let client = common::client();
    let base = emulator.uri();
    let (status, info) = control(&client, &base, reqwest::Method::GET, "/_conformance", "").await;
    assert_eq!((status, info["contract"].as_str()), (200, Some("copyimage-conformance-control")));

    // Read: no secret anywhere.
    let (status, body) = control(&client, &base, reqwest::Method::GET, "/_conformance/world", "").await;
    assert_eq!(status, 200);
    let text = body.to_string();
    assert!(text.contains("testid") && !text.contains("testsecret") && !text.contains("deniedsecret"));

    // Load a frozen world.
    let mut world = World::default_fixture();
    world.clock = copyimage_conformance::model::Clock::Frozen {
        now: copyimage_conformance::model::Timestamp::parse("2030-01-01T00:00:00Z").unwrap(),
    };
    let (status, body) =
        control(&client, &base, reqwest::Method::PUT, "/_conformance/world", &serde_json::to_string(&world).unwrap())
            .await;
    assert_eq!((status, body["now"].as_str()), (200, Some("2030-01-01T00:00:00Z")));

    // Bad worlds are refused with a reason and change nothing.
    for bad in [
        "{",
        "{\"regions\":[],\"accounts\":[],\"images\":[{\"id\":\"m\"}]}",
        "{\"regions\":[{\"id\":\"a\"},{\"id\":\"a\"}],\"accounts\":[]}",
    ] {
        let (status, body) = control(&client, &base, reqwest::Method::PUT, "/_conformance/world", bad).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    assert_eq!(emulator.world(), world);

    // Copy, then advance past the copy's duration: the new image becomes Available.
    let case = valid()
        .with(Tamper::Set { name: "DestinationImageName".into(), value: ParamValue::text("lifecycle-copy") })
        .with(Tamper::Set { name: "DestinationDescription".into(), value: ParamValue::text("made by a test") });
    let (_, http) = common::send_case(&client, &emulator, &case).await;
    assert_eq!(http.status, 200, "{}", String::from_utf8_lossy(&http.body));
    let id = reply::parse(&http.body).unwrap().text("ImageId").unwrap().to_owned();
    let (_, body) = control(&client, &base, reqwest::Method::GET, "/_conformance/world", "").await;
    let image = body["world"]["images"].as_array().unwrap().iter().find(|i| i["id"] == id.as_str()).unwrap().clone();
    assert_eq!(
        (image["status"].as_str(), image["region"].as_str(), image["name"].as_str(), image["description"].as_str()),
        (Some("Creating"), Some("cn-hangzhou"), Some("lifecycle-copy"), Some("made by a test"))
    );
    let (status, _) =
        control(&client, &base, reqwest::Method::POST, "/_conformance/clock", "{\"advance_seconds\": 59}").await;
    assert_eq!(status, 200);
    assert_eq!(emulator.world().image(&id).unwrap().status, ImageStatus::Creating);
    let (status, body) =
        control(&client, &base, reqwest::Method::POST, "/_conformance/clock", "{\"advance_seconds\": 1}").await;
    assert_eq!((status, body["now"].as_str()), (200, Some("2030-01-01T00:01:00Z")));
    assert_eq!(emulator.world().image(&id).unwrap().status, ImageStatus::Available);
    // The source is no longer being copied.
    let (_, http) = common::send_case(&client, &emulator, &valid()).await;
    assert_eq!(http.status, 200);

    for bad in ["", "{}", "{\"advance_seconds\": -1}", "{\"advance_seconds\": \"x\"}"] {
        let (status, _) = control(&client, &base, reqwest::Method::POST, "/_conformance/clock", bad).await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, _) = control(&client, &base, reqwest::Method::GET, "/_conformance/nothing", "").await;
    assert_eq!(status, 404);
    emulator.shutdown().await;
}

#[tokio::test]
async fn loading_a_world_forgets_nonces() {
    let emulator = common::emulator(World::default_fixture()).await;
    let client = common::client();
    let world = emulator.world();
    let now = copyimage_conformance::model::Timestamp::now_utc();
    let built = valid().build(&world, now, &emulator.host(), "fixed-nonce-0001");
    let code = |http: &copyimage_conformance::model::HttpReply| {
        let parsed = reply::parse(&http.body).unwrap();
        (http.status, parsed.text("Code").map(str::to_owned), parsed.text("ImageId").is_some())
    };
    let first = common::send(&client, &emulator, &built.request).await;
    assert_eq!(code(&first), (200, None, true));
    let again = common::send(&client, &emulator, &built.request).await;
    assert_eq!(code(&again), (400, Some("SignatureNonceUsed".to_owned()), false));
    emulator.load(World::default_fixture());
    let after_load = common::send(&client, &emulator, &built.request).await;
    assert_eq!(code(&after_load), (200, None, true), "a loaded world remembers no nonce");
    emulator.shutdown().await;
}

fn documented(code: &str, status: u16) -> bool {
    RULES.iter().flat_map(|r| r.errors).any(|e| e.code == code && e.status == status)
}

fn arb_hostile() -> impl Strategy<Value = HttpRequest> {
    let method = prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]).prop_map(str::to_owned);
    let pairs = prop::collection::vec(
        (
            prop::sample::select(vec![
                "Action",
                "Version",
                "RegionId",
                "ImageId",
                "Signature",
                "Timestamp",
                "DestinationImageName",
                "Format",
                "X",
            ]),
            prop::collection::vec(any::<u8>(), 0..40),
        ),
        0..8,
    );
    let body = prop::collection::vec(any::<u8>(), 0..300);
    let form = any::<bool>();
    (method, pairs, body, form).prop_map(|(method, pairs, body, form)| {
        let query = copyimage_conformance::wire::percent::join_pairs(&pairs);
        let mut headers = vec![("host".to_owned(), "x".to_owned())];
        if form {
            headers.push(("content-type".to_owned(), "application/x-www-form-urlencoded".to_owned()));
        }
        HttpRequest { method, target: format!("/?{query}"), headers, body }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Whatever arrives, the reply is a documented 4xx error in a readable body.
    #[test]
    fn hostile_requests_get_documented_4xx_replies(reqs in prop::collection::vec(arb_hostile(), 1..8)) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let emulator = common::emulator(World::default_fixture()).await;
            let client = common::client();
            for req in &reqs {
                let http = common::send(&client, &emulator, req).await;
                let parsed = reply::parse(&http.body);
                assert!((400..500).contains(&http.status), "{} for {req:?}", http.status);
                let parsed = parsed.unwrap_or_else(|e| panic!("{e} for {req:?}"));
                let code = parsed.text("Code").unwrap_or_default().to_owned();
                assert!(documented(&code, http.status), "{code} {} is no documented reply", http.status);
            }
            emulator.shutdown().await;
        });
    }
}

#[tokio::test]
async fn raw_garbage_on_the_socket_does_not_hurt_the_server() {
    let emulator = common::emulator(World::default_fixture()).await;
    let garbage: Vec<&[u8]> = vec![
        b"\x00\x01\x02\xff\xfe\r\n\r\n",
        b"GET /?\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
    ];
    for bytes in garbage {
        let mut socket = tokio::net::TcpStream::connect(emulator.addr()).await.unwrap();
        socket.write_all(bytes).await.unwrap();
        let _ = socket.shutdown().await;
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), socket.read_to_end(&mut answer)).await;
        let head = String::from_utf8_lossy(&answer);
        assert!(!head.starts_with("HTTP/1.1 5"), "{head}");
    }
    // Still serving.
    let client = common::client();
    let (_, http) = common::send_case(&client, &emulator, &valid()).await;
    assert_eq!(http.status, 200);
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_oversize_body_is_refused_without_being_kept() {
    let emulator = common::emulator(World::default_fixture()).await;
    let client = common::client();
    let (_, http) = common::send_case(&client, &emulator, &valid().with(Tamper::Oversize)).await;
    assert_eq!(http.status, 400);
    assert_eq!(reply::parse(&http.body).unwrap().text("Code"), Some("InvalidParameter"));
    emulator.shutdown().await;
}

#[tokio::test]
async fn host_uri_and_shutdown_do_what_they_say() {
    let e = common::emulator(World::default_fixture()).await;
    assert_eq!(e.host(), e.addr().to_string());
    assert_eq!(e.uri(), format!("http://{}", e.addr()));
    let addr = e.addr();
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    e.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "still listening after shutdown");
}

#[tokio::test]
async fn worlds_over_16_mib_are_refused_by_size() {
    let e = common::emulator(World::default_fixture()).await;
    let client = common::client();
    for (size, status) in [((16 << 20) + 1, 413), (16 << 20, 400)] {
        let r = client.put(format!("{}/_conformance/world", e.uri())).body(vec![b' '; size]).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{size} bytes");
    }
    e.shutdown().await;
}

#[tokio::test]
async fn a_json_envelope_fault_leaves_xml_alone() {
    use copyimage_conformance::emulator::fault::{Fault, Faults};
    use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
    let e = Emulator::start(EmulatorConfig { faults: Faults(vec![Fault::JsonEnvelope]), ..EmulatorConfig::default() })
        .await
        .unwrap();
    let client = common::client();
    let (_, xml) = common::send_case(&client, &e, &valid()).await;
    assert_eq!(reply::parse(&xml.body).unwrap().root.as_deref(), Some("CopyImageResponse"));
    let json_case = valid().with(Tamper::Set { name: "Format".into(), value: ParamValue::text("JSON") });
    let (_, json) = common::send_case(&client, &e, &json_case).await;
    let parsed = reply::parse(&json.body).unwrap();
    assert!(parsed.get("Data").is_some() && parsed.get("RequestId").is_none());
    e.shutdown().await;
}

#[tokio::test]
async fn an_oversize_body_leaves_the_connection_usable() {
    let e = common::emulator(World::default_fixture()).await;
    let mut socket = tokio::net::TcpStream::connect(e.addr()).await.unwrap();
    let body = vec![b'x'; copyimage_conformance::oracle::MAX_BODY + (4 << 20)];
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&body).await.unwrap();
    // A second request on the same connection.
    socket.write_all(b"GET /?Action=CopyImage HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut seen = Vec::new();
    let mut buf = vec![0u8; 65536];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while String::from_utf8_lossy(&seen).matches("HTTP/1.1 ").count() < 2 && tokio::time::Instant::now() < deadline {
        match tokio::time::timeout(std::time::Duration::from_secs(5), socket.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&seen);
    assert_eq!(text.matches("HTTP/1.1 400").count(), 2, "both requests answered on one connection:\n{text}");
    e.shutdown().await;
}

/// A signed request rewritten as another client might send it: parameters in reverse
/// order, spaces as `+`, other escapes in lowercase hex. The signature covers the
/// decoded parameters, so it still holds.
fn as_another_client_sends(mut req: HttpRequest) -> HttpRequest {
    use copyimage_conformance::wire::percent::parse_pairs;
    fn reencode(raw: &[u8]) -> String {
        let enc = |bytes: &[u8]| -> String {
            bytes
                .iter()
                .map(|&b| match b {
                    b' ' => "+".to_owned(),
                    b if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) => (b as char).to_string(),
                    b => format!("%{b:02x}"),
                })
                .collect()
        };
        let mut pairs = parse_pairs(raw);
        pairs.reverse();
        pairs.iter().map(|(n, v)| format!("{}={}", enc(n), enc(v))).collect::<Vec<_>>().join("&")
    }
    let (path, query) = req.target.split_once('?').unwrap_or((req.target.as_str(), ""));
    req.target = format!("{path}?{}", reencode(query.as_bytes()));
    if !req.body.is_empty() {
        req.body = reencode(&req.body).into_bytes();
    }
    req
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_correctly_signed_request_is_accepted_whatever_its_order_spaces_and_empty_values() {
    use copyimage_conformance::model::Timestamp;
    use copyimage_conformance::wire::sign::{Credentials, fresh_nonce, pairs, sign_pairs};
    let client = common::client();
    let creds = Credentials::new("testid", "testsecret");
    for signing in Signing::ALL {
        let mut business = vec![
            ("RegionId", "cn-qingdao"),
            ("ImageId", "m-available00000000001"),
            ("DestinationRegionId", "cn-hangzhou"),
            ("DestinationImageName", "copy-1"),
            ("DestinationDescription", "a b*c~d+e/f:g=h&i 中文"),
        ];
        if signing != Signing::V3 {
            // A common parameter the SDKs send empty.
            business.push(("SignatureType", ""));
        }
        let e = common::emulator(World::default_fixture()).await;
        let now = e.world().clock.now(Timestamp::now_utc());
        let signed = sign_pairs(signing, &creds, &e.host(), &pairs(&business), now, &fresh_nonce());
        let sent = as_another_client_sends(signed.clone());
        assert_ne!((&sent.target, &sent.body), (&signed.target, &signed.body), "{signing}: nothing rewritten");
        let reply = common::send(&client, &e, &sent).await;
        let parsed = reply::parse(&reply.body).unwrap();
        assert_eq!(
            (reply.status, parsed.text("Code")),
            (200, None),
            "{signing}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let copied = e.world().images.into_iter().find(|i| i.name.as_deref() == Some("copy-1")).expect("the copy");
        assert_eq!(copied.description.as_deref(), Some("a b*c~d+e/f:g=h&i 中文"), "{signing}");
        e.shutdown().await;
    }
}

/// In-process staging refuses what `PUT /_conformance/world` refuses, leaves the
/// emulator's world alone when it does, and otherwise loads exactly what it was given.
#[tokio::test]
async fn the_loader_checks_worlds_like_the_control_route() {
    let emulator = common::emulator(World::default_fixture()).await;
    let client = common::client();
    let loader = emulator.loader();
    let mut broken = World::default_fixture();
    let twin = broken.regions[0].clone();
    broken.regions.push(twin);
    let refused = loader.stage(&broken).expect_err("a duplicate region is refused");
    let body = serde_json::to_string(&broken).unwrap();
    let (status, reply) = control(&client, &emulator.uri(), reqwest::Method::PUT, "/_conformance/world", &body).await;
    assert_eq!(status, 400);
    assert_eq!(reply["error"].as_str(), Some(refused.to_string().as_str()));
    assert_eq!(emulator.world(), World::default_fixture(), "a refused world changes nothing");

    let mut smaller = World::default_fixture();
    smaller.copies.clear();
    smaller.images.truncate(1);
    loader.stage(&smaller).expect("a valid world loads");
    assert_eq!(emulator.world().images, smaller.images);
    emulator.shutdown().await;
}

/// `serve --latency MS`: every API reply waits at least that long (a lower bound, which
/// the timer guarantees; how much longer is not asserted), the answer is unchanged, and
/// without a latency a reply does not wait for one.
#[tokio::test]
async fn latency_delays_every_api_reply_and_changes_nothing_else() {
    use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
    let delay = std::time::Duration::from_millis(300);
    let slow = Emulator::start(EmulatorConfig { latency: delay, ..EmulatorConfig::default() }).await.unwrap();
    let fast = common::emulator(World::default_fixture()).await;
    let client = common::client();
    let started = std::time::Instant::now();
    let (_, slow_reply) = common::send_case(&client, &slow, &valid()).await;
    assert!(started.elapsed() >= delay, "replied after {:?}", started.elapsed());
    let (_, fast_reply) = common::send_case(&client, &fast, &valid()).await;
    assert_eq!(slow_reply.status, fast_reply.status);
    assert_eq!(slow_reply.content_type(), fast_reply.content_type());
    // Ten replies without a latency take less than one reply with it.
    let started = std::time::Instant::now();
    for _ in 0..10 {
        common::send_case(&client, &fast, &valid()).await;
    }
    assert!(started.elapsed() < delay * 10, "ten undelayed replies took {:?}", started.elapsed());
    slow.shutdown().await;
    fast.shutdown().await;
}
