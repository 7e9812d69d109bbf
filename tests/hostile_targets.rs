//! Broken and hostile targets: the harness gives a clear verdict on each, in bounded
//! time and memory, and never hangs or reads without end.
//!
//! Each target is a raw TCP server of its own on 127.0.0.1 that answers the discovery
//! `GET /_conformance` with 404 (a target without world control) and every API request
//! in one broken way. The harness runs a few cases against it with a short timeout and
//! a breaker of three failures in a row.

use std::time::{Duration, Instant};

use copyimage_conformance::harness::{Probe, RunConfig, run};
use copyimage_conformance::report::Report;
use copyimage_conformance::wire::sign::Credentials;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How a hostile target answers an API request.
#[derive(Clone, Copy, Debug)]
enum Hostile {
    TruncatedBody,
    NotUtf8,
    Oversize,
    StallBeforeHeaders,
    StallMidBody,
    EndlessChunks,
    ResetMidBody,
    ShortContentLength,
    Http09,
    RedirectLoop,
    Html500,
    GzipBomb,
    TenThousandHeaders,
    EntityExpansion,
    DeepXml,
    JsonForXml,
}

const ALL: [Hostile; 16] = [
    Hostile::TruncatedBody,
    Hostile::NotUtf8,
    Hostile::Oversize,
    Hostile::StallBeforeHeaders,
    Hostile::StallMidBody,
    Hostile::EndlessChunks,
    Hostile::ResetMidBody,
    Hostile::ShortContentLength,
    Hostile::Http09,
    Hostile::RedirectLoop,
    Hostile::Html500,
    Hostile::GzipBomb,
    Hostile::TenThousandHeaders,
    Hostile::EntityExpansion,
    Hostile::DeepXml,
    Hostile::JsonForXml,
];

const BOMB: &[u8] = include_bytes!("../fixtures/hostile/bomb.gz");

/// Reads one request head and its announced body; `None` when the client left.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0usize);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(head)
}

async fn respond(stream: &mut TcpStream, how: Hostile) {
    let w = |s: &'static str| s.as_bytes();
    let _ = match how {
        Hostile::TruncatedBody => {
            let _ = stream.write_all(w("HTTP/1.1 400 Bad Request\r\nContent-Length: 200\r\n\r\n<Error><Code>Inv")).await;
            return;
        }
        Hostile::NotUtf8 => stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 6\r\n\r\n\xff\xfe\xfd<E>").await,
        Hostile::Oversize => {
            let _ = stream.write_all(w("HTTP/1.1 400 Bad Request\r\nContent-Length: 104857600\r\n\r\n")).await;
            let block = vec![b'<'; 64 << 10];
            for _ in 0..1600 {
                if stream.write_all(&block).await.is_err() {
                    break;
                }
            }
            return;
        }
        Hostile::StallBeforeHeaders => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
        Hostile::StallMidBody => {
            let _ = stream.write_all(w("HTTP/1.1 400 Bad Request\r\nContent-Length: 500\r\n\r\n<Error><Code>")).await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
        Hostile::EndlessChunks => {
            let _ = stream.write_all(w("HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n")).await;
            loop {
                if stream.write_all(w("1\r\n<\r\n")).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Hostile::ResetMidBody => {
            let _ = stream.write_all(w("HTTP/1.1 400 Bad Request\r\nContent-Length: 300\r\n\r\n<Error><Code>X")).await;
            let _ = stream.set_zero_linger();
            return;
        }
        Hostile::ShortContentLength => {
            stream
                .write_all(w("HTTP/1.1 400 Bad Request\r\nContent-Length: 9\r\n\r\n<Error><Code>InvalidParameter</Code></Error>"))
                .await
        }
        Hostile::Http09 => stream.write_all(w("<Error><Code>InvalidParameter</Code></Error>")).await,
        Hostile::RedirectLoop => {
            stream.write_all(w("HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\r\n")).await
        }
        Hostile::Html500 => {
            stream
                .write_all(w("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: 45\r\n\r\n<html><body><h1>Server error</h1></body></html>"))
                .await
        }
        Hostile::GzipBomb => {
            let head = format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Encoding: gzip\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
                BOMB.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            stream.write_all(BOMB).await
        }
        Hostile::TenThousandHeaders => {
            let mut head = String::from("HTTP/1.1 400 Bad Request\r\n");
            for i in 0..10_000 {
                head.push_str(&format!("X-Header-{i}: {i}\r\n"));
            }
            head.push_str("Content-Length: 0\r\n\r\n");
            stream.write_all(head.as_bytes()).await
        }
        Hostile::EntityExpansion => {
            let body = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]><Error><RequestId>&d;</RequestId><Code>&d;</Code></Error>";
            let reply = format!("HTTP/1.1 400 Bad Request\r\nContent-Length: {}\r\n\r\n{body}", body.len());
            stream.write_all(reply.as_bytes()).await
        }
        Hostile::DeepXml => {
            let body = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
            let reply = format!("HTTP/1.1 400 Bad Request\r\nContent-Length: {}\r\n\r\n{body}", body.len());
            stream.write_all(reply.as_bytes()).await
        }
        Hostile::JsonForXml => {
            let body = r#"{"RequestId":"C8B26B44-0189-443E-9816-D951F59623A9","HostId":"h","Code":"InvalidParameter","Message":"m"}"#;
            let reply = format!("HTTP/1.1 400 Bad Request\r\nContent-Length: {}\r\n\r\n{body}", body.len());
            stream.write_all(reply.as_bytes()).await
        }
    };
}

/// Whether the connection stays open after a reply, as an HTTP/1.1 server's does when
/// it sends no `Connection: close`: a complete reply keeps it; a broken one ends it.
/// (Closing it unannounced would race the client's next request on the pooled
/// connection, a reset the harness reports as such, which is not what these targets
/// test.)
fn keeps_alive(how: Hostile) -> bool {
    matches!(
        how,
        Hostile::NotUtf8
            | Hostile::RedirectLoop
            | Hostile::Html500
            | Hostile::GzipBomb
            | Hostile::TenThousandHeaders
            | Hostile::EntityExpansion
            | Hostile::DeepXml
            | Hostile::JsonForXml
    )
}

async fn serve(how: Hostile) -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { continue };
            tokio::spawn(async move {
                while let Some(head) = read_request(&mut stream).await {
                    if head.contains("/_conformance") {
                        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").await;
                        continue;
                    }
                    respond(&mut stream, how).await;
                    if !keeps_alive(how) {
                        return;
                    }
                }
            });
        }
    });
    (url, task)
}

async fn certify(url: String) -> Report {
    let config = RunConfig {
        endpoints: vec![url],
        cases: 12,
        shrink_budget: 20,
        seed: 1,
        credentials: Some(Credentials::new("testid", "testsecret")),
        probe: Probe {
            region: "cn-qingdao".into(),
            image: "m-available00000000001".into(),
            destination: "cn-hangzhou".into(),
        },
        rate_per_minute: 6_000_000,
        timeout: Duration::from_millis(800),
        unresponsive_after: 3,
        deadline: Some(Duration::from_secs(30)),
        failures_dir: None,
        ..RunConfig::default()
    };
    run(config).await.expect("a verdict, not a harness error")
}

/// Peak resident memory of this process, in MB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_target_gets_a_clear_verdict_in_bounded_time_and_memory() {
    for how in ALL {
        let (url, server) = serve(how).await;
        let started = Instant::now();
        let report = certify(url).await;
        let seconds = started.elapsed().as_secs_f64();
        server.abort();
        eprintln!("{how:?}: {:.1} s, peak RSS {:.0} MB: {}", seconds, peak_rss_mb(), report.summary());
        assert!(!report.conformant(), "{how:?} passed:\n{report}");
        assert!(seconds < 30.0, "{how:?} took {seconds:.1} s");
        assert!(peak_rss_mb() < 300.0, "{how:?}: peak RSS {:.0} MB", peak_rss_mb());
        let failure = report.failures.first().unwrap_or_else(|| panic!("{how:?}: no failure shown:\n{report}"));
        let observed: Vec<String> = failure.mismatches.iter().map(|m| m.observed.to_string()).collect();
        let said = format!("{} {}", failure.seen, observed.join(" | "));
        let expected_words: &[&str] = match how {
            Hostile::Oversize => &["larger than 4194304 bytes"],
            Hostile::StallBeforeHeaders | Hostile::StallMidBody | Hostile::EndlessChunks => &["no reply within"],
            Hostile::TruncatedBody | Hostile::ResetMidBody | Hostile::Http09 | Hostile::TenThousandHeaders => {
                &["broke off", "cannot connect", "no reply"]
            }
            Hostile::NotUtf8 => &["not UTF-8"],
            Hostile::RedirectLoop => &["302"],
            Hostile::Html500 => &["500"],
            Hostile::GzipBomb => &["neither XML nor JSON", "not UTF-8"],
            Hostile::EntityExpansion | Hostile::DeepXml | Hostile::ShortContentLength => &["XML", "(no Code)"],
            Hostile::JsonForXml => &["json"],
        };
        assert!(expected_words.iter().any(|w| said.contains(w)), "{how:?}: the verdict says {said:?}");
        if matches!(how, Hostile::StallBeforeHeaders | Hostile::StallMidBody | Hostile::EndlessChunks) {
            let why = report.incomplete.as_deref().unwrap_or_default();
            assert!(why.contains("unresponsive"), "{how:?}: {why:?}");
            // The timeout verdicts give the time waited, not 0.
            assert!(!said.contains("within 0 ms"), "{said}");
        }
    }
}
