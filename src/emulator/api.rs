//! The CopyImage surface of the emulator.
//!
//! Owns turning a received HTTP request into an [`HttpRequest`] (the body read up to one
//! byte past the limit, so an oversize request is seen as such without being stored
//! whole), asking the oracle, carrying its first acceptable outcome into the state and
//! writing the reply. Never answers 5xx and never panics on input: every request gets
//! the reply the oracle names.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::body::HttpBody;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use super::Shared;
use super::fault::Outgoing;
use crate::model::{ErrorReply, Format, HttpRequest, Reply, World};
use crate::oracle::Effect;
use crate::oracle::read::Reading;
use crate::oracle::{
    self, Answered, MAX_BODY, MAX_BODY_WHOLE, NonceLog, OpenPoint, Outcome, Readings, Recorder, Scene,
};
use crate::wire::reply::{Value, fields, render_values, root_of, success_root};

/// Bytes of an oversize body read and thrown away so the connection stays usable; a
/// larger body is left unread and the connection closes after the reply.
const DRAIN: usize = 64 << 20;

/// Reads the whole request as bytes, keeping at most `limit + 1` body bytes and
/// draining up to [`DRAIN`] more.
pub(crate) async fn read_request(req: Request, limit: usize) -> HttpRequest {
    read_draining(req, limit, DRAIN).await.0
}

/// [`read_request`] with the drain given; also returns the body bytes consumed.
async fn read_draining(req: Request, limit: usize, drain: usize) -> (HttpRequest, usize) {
    let (parts, mut body) = req.into_parts();
    let headers = parts
        .headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    // Room for the body the request announces (hyper's reading of Content-Length, at
    // most one byte past the limit), so a large body is not copied each time it grows.
    let announced = usize::try_from(body.size_hint().lower()).unwrap_or(usize::MAX);
    let mut bytes: Vec<u8> = Vec::with_capacity(announced.min(limit + 1));
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { break };
        if let Ok(data) = frame.into_data() {
            seen += data.len();
            let room = (limit + 1).saturating_sub(bytes.len());
            bytes.extend_from_slice(&data[..data.len().min(room)]);
            if seen > limit + drain {
                break;
            }
        }
    }
    let req = HttpRequest {
        method: parts.method.as_str().to_owned(),
        target: parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned(),
        headers,
        body: bytes,
    };
    (req, seen)
}

/// A fresh `RequestId`: an uppercase UUID.
pub(crate) fn request_id() -> String {
    crate::wire::random_uuid().hyphenated().to_string().to_uppercase()
}

/// A fresh image id of the newer documented form, unused in `world`.
fn fresh_image_id(world: &World) -> String {
    loop {
        let id = crate::model::image_id::random();
        if world.image(&id).is_none() {
            return id;
        }
    }
}

/// One line of `--log`: method, path, status, Code and time; never a parameter, a key
/// id or a signature.
fn log_line(http: &HttpRequest, out: &Outgoing, micros: u128) -> String {
    let code = out.fields.iter().find(|(k, _)| k == "Code").map_or("Success", |(_, v)| v.as_str());
    format!("{} {} -> {} {code} ({micros} µs)", http.method, http.path(), out.status)
}

/// The reply to a request whose body did not arrive in time: 408, and the connection
/// closed (no document names an API error for it).
pub(crate) fn body_timed_out() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// What an error reply is written from: root, fields, no structured fields, status.
type Parts = (String, Vec<(String, String)>, Vec<(String, Value)>, u16);

fn error_parts(request_id: &str, host_id: &str, e: &oracle::ErrorOutcome) -> Parts {
    let reply = Reply::Error(ErrorReply {
        request_id: request_id.to_owned(),
        host_id: host_id.to_owned(),
        code: e.code.to_owned(),
        message: e.message.clone(),
    });
    let fields = fields(&reply).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    (root_of(&reply).to_owned(), fields, Vec::new(), e.status)
}

/// How often a request is checked outside the lock before it is checked under it: the
/// world or the nonce it carries changed meanwhile (another request won a race).
const ATTEMPTS: usize = 3;

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let started = Instant::now();
    // A probe of the control contract that this emulator does not offer is not an API call.
    if !req.uri().path().starts_with("/_conformance") {
        shared.received.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    let whole = shared.readings.is(OpenPoint::BodyLimit, "none");
    let limit = if whole { MAX_BODY_WHOLE } else { MAX_BODY };
    let Ok(http) = tokio::time::timeout(shared.limits.body_timeout, read_request(req, limit)).await else {
        return body_timed_out();
    };
    // Past even the larger limit, the body was not read whole: it is refused for size.
    let past_whole;
    let readings: &Readings = if whole && http.body.len() > MAX_BODY_WHOLE {
        past_whole = shared.readings.without(OpenPoint::BodyLimit);
        &past_whole
    } else {
        &shared.readings
    };
    let request_id = request_id();
    let faults = &shared.faults;
    // Reading and checking the request (linear in its size) happen outside the world's
    // lock, against the world and the nonce memory as they were; the outcome is carried
    // into the state under the lock only if neither changed meanwhile, so of two
    // requests racing for one quota slot, name or source exactly one wins.
    let reading = Reading::of_as(&http, readings);
    let carried = reading.nonce_values(&http);
    let decide = |world: &World, nonces: &NonceLog, now| {
        let scene = Scene::new(world, nonces, now).in_doc(shared.doc);
        faults.decide(&scene, &http, readings, oracle::answer_read(&scene, &http, &reading, readings))
    };
    let mut attempt = 0;
    let out = loop {
        attempt += 1;
        let checked = if attempt < ATTEMPTS {
            let (world, nonces, now, version) = {
                let mut state = shared.lock();
                let now = state.settle(faults);
                (state.world.clone(), state.nonces.view(&carried), now, state.version)
            };
            Some((decide(&world, &nonces, now), nonces, now, version))
        } else {
            None
        };
        let mut state = shared.lock();
        let (prediction, now) = match checked {
            Some((prediction, nonces, now, version))
                if state.version == version && state.nonces.view(&carried) == nonces =>
            {
                (prediction, now)
            }
            Some(_) => continue,
            None => {
                let now = state.settle(faults);
                let world = state.world.clone();
                (decide(&world, &state.nonces, now), now)
            }
        };
        let outcome = prediction.pick().clone();
        let (root, fields, values, status) = match &outcome {
            Outcome::Success(effect) => {
                // Only a copy makes an image, and so an id.
                let id = match effect {
                    // A retry with a token already used answers the earlier copy.
                    Effect::Copy(oracle::CopyPlan { replay: Some(id), .. }) => id.clone(),
                    Effect::Copy(_) => {
                        let id = faults.image_id(fresh_image_id(&state.world), &state.made);
                        state.made.push(id.clone());
                        id
                    }
                    _ => String::new(),
                };
                faults.apply(state.world_mut(), effect, &id, now);
                let fields = vec![("RequestId".to_owned(), request_id.clone())];
                (success_root(effect.action()), fields, success_values(effect, &id), 200)
            }
            Outcome::Error(e) => {
                // A faulty emulator may carry out what it answers as a dry run.
                if let Some(effect) = faults.dry_run_effect(e, &prediction) {
                    let id = faults.image_id(fresh_image_id(&state.world), &state.made);
                    state.made.push(id.clone());
                    faults.apply(state.world_mut(), &effect, &id, now);
                }
                error_parts(&request_id, &state.world.host_id, e)
            }
            // The oracle never picks a refusal of any kind; were it to, the rule's first
            // reply is the emulator's own.
            Outcome::Refusal { rule, .. } => {
                let errors = oracle::ErrorOutcome::all_of(*rule, Some(&MAX_BODY.to_string()));
                let e = errors.first().cloned().unwrap_or_else(|| {
                    oracle::ErrorOutcome::all_of(crate::rules::RuleId::Size, Some(&MAX_BODY.to_string())).remove(0)
                });
                error_parts(&request_id, &state.world.host_id, &e)
            }
        };
        let recorder = Recorder::emulator(readings);
        oracle::remember_nonce(&mut state.nonces, &prediction, Answered::from(&outcome), now, recorder);
        break Outgoing { status, format: prediction.format.emulator(), root, fields, values, envelope: false };
    };
    let out = faults.reply(out);
    if shared.log {
        eprintln!("{}", log_line(&http, &out, started.elapsed().as_micros()));
    }
    let (content_type, mut body) = render_values(&out.root, &out.fields, &out.values, out.format);
    if out.envelope && out.format == Format::Json {
        let inner: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        body = serde_json::to_vec(&serde_json::json!({ "Data": inner })).unwrap_or_default();
    }
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(out.status).unwrap_or(StatusCode::BAD_REQUEST);
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-acs-request-id", v);
    }
    response.into_response()
}

/// The fields of a success beyond `RequestId`: CopyImage's new `ImageId`, DescribeImages'
/// page (the fields the 2018 page and its ImageType list, as its examples write them),
/// DescribeRegions' regions; none for a cancel or a delete ("All parameters are common
/// response parameters").
fn success_values(effect: &Effect, new_image_id: &str) -> Vec<(String, Value)> {
    let text = |t: &str| Value::Text(t.to_owned());
    match effect {
        Effect::Describe(listing) => {
            let (page, total) = listing.page();
            let time =
                |t: crate::model::Timestamp| if listing.time_in_minutes { t.to_minutes() } else { t.to_string() };
            let items = page
                .into_iter()
                .map(|l| {
                    vec![
                        ("ImageId", text(&l.id)),
                        ("ImageName", text(l.name.as_deref().unwrap_or_default())),
                        ("Description", text(l.description.as_deref().unwrap_or_default())),
                        ("ImageOwnerAlias", text(l.alias)),
                        ("Status", text(l.status.name())),
                        ("Progress", text(&l.progress.map(|p| format!("{p}%")).unwrap_or_default())),
                        ("IsCopied", Value::Bool(l.copied)),
                        ("CreationTime", text(&time(l.created_at))),
                    ]
                })
                .collect::<Vec<_>>();
            let size = if listing.size_on_page { items.len() as u64 } else { listing.page_size };
            vec![
                ("RegionId".into(), text(&listing.region)),
                ("TotalCount".into(), Value::Integer(total as u64)),
                ("PageNumber".into(), Value::Integer(listing.page_number)),
                ("PageSize".into(), Value::Integer(size)),
                ("Images".into(), Value::List { item: "Image", items }),
            ]
        }
        Effect::Regions { regions } => {
            let items = regions.iter().flatten().map(|r| vec![("RegionId", text(r))]).collect();
            vec![("Regions".into(), Value::List { item: "Region", items })]
        }
        Effect::Copy(_) => vec![("ImageId".into(), text(new_image_id))],
        Effect::Cancel { .. } | Effect::Delete { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(chunks: usize, size: usize) -> Request {
        let chunks = (0..chunks).map(move |_| Ok::<_, std::io::Error>(vec![b'x'; size]));
        Request::builder()
            .method("POST")
            .uri("/?a=1")
            .body(Body::from_stream(futures_util::stream::iter(chunks)))
            .unwrap()
    }

    #[tokio::test]
    async fn bodies_are_kept_to_one_byte_past_the_limit_and_drained() {
        // 10 chunks of 10 bytes, limit 25: 26 bytes kept, all 100 read.
        let (req, seen) = read_draining(chunked(10, 10), 25, 1000).await;
        assert_eq!((req.body.len(), seen), (26, 100));
        assert_eq!((req.method.as_str(), req.target.as_str()), ("POST", "/?a=1"));
        // Within the limit: everything kept.
        let (req, seen) = read_draining(chunked(2, 10), 25, 1000).await;
        assert_eq!((req.body.len(), seen), (20, 20));
        // Exactly at the limit: nothing extra.
        let (req, _) = read_draining(chunked(5, 5), 25, 1000).await;
        assert_eq!(req.body.len(), 25);
        // Past limit + drain: reading stops (the connection then closes).
        let (req, seen) = read_draining(chunked(10, 10), 25, 30).await;
        assert_eq!((req.body.len(), seen), (26, 60));
        // Exactly limit + drain read: not past it yet, so reading goes on.
        let (_, seen) = read_draining(chunked(10, 10), 25, 35).await;
        assert_eq!(seen, 70);
    }

    #[test]
    fn log_lines_name_the_outcome_and_nothing_secret() {
        let http = HttpRequest {
            method: "GET".into(),
            target: "/?AccessKeyId=testid&Signature=abc".into(),
            headers: Vec::new(),
            body: Vec::new(),
        };
        let error = Outgoing {
            status: 400,
            format: Format::Xml,
            root: "Error".into(),
            fields: vec![("RequestId".into(), "R".into()), ("Code".into(), "IncorrectImageStatus".into())],
            values: Vec::new(),
            envelope: false,
        };
        assert_eq!(log_line(&http, &error, 7), "GET / -> 400 IncorrectImageStatus (7 µs)");
        let ok = Outgoing { status: 200, fields: vec![("RequestId".into(), "R".into())], ..error };
        assert_eq!(log_line(&http, &ok, 7), "GET / -> 200 Success (7 µs)");
    }
}
