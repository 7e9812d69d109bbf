//! No secret in any output: every subcommand and every report form is run with a
//! distinctive secret, and every byte written (standard output and error, reports,
//! replay files, snapshots, world refusals) is searched for it raw, in Base64 and
//! percent-encoded.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine;

const SECRET: &str = "Zq+7/x=&%?S3cr3t-kEy_9";
const KEY: &str = "LTAIsecretstestkey01";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_copyimage-conformance"))
}

/// The forms a secret could be written in.
fn forms() -> Vec<String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        SECRET.to_owned(),
        b64.encode(SECRET),
        b64.encode(format!("{SECRET}&")),
        copyimage_conformance::wire::percent::encode(SECRET.as_bytes()),
        SECRET.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D").replace('&', "%26"),
        SECRET.replace('%', "%25"),
    ]
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for f in forms() {
        assert!(!text.contains(&f), "{what} holds the secret as {f:?}");
    }
}

fn scan_dir(dir: &Path) -> usize {
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files += scan_dir(&path);
        } else {
            assert_clean(&path.display().to_string(), &std::fs::read(&path).unwrap());
            files += 1;
        }
    }
    files
}

/// A world whose testid-like key has the secret.
fn world_file(dir: &Path) -> PathBuf {
    let mut w: serde_json::Value =
        serde_json::from_str(copyimage_conformance::model::world::DEFAULT_WORLD_JSON).unwrap();
    w["accounts"][0]["access_keys"][0]["id"] = KEY.into();
    w["accounts"][0]["access_keys"][0]["secret"] = SECRET.into();
    let path = dir.join("world.json");
    std::fs::write(&path, serde_json::to_vec(&w).unwrap()).unwrap();
    path
}

/// Runs a command to its end; returns (status, stdout + stderr).
fn output(mut cmd: Command) -> (i32, Vec<u8>) {
    let out = cmd
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let mut all = out.stdout;
    all.extend(out.stderr);
    (out.status.code().unwrap_or(-1), all)
}

struct Server {
    child: std::process::Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&str]) -> Server {
    use std::io::BufRead;
    let mut child = bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--log"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.split_whitespace().last().unwrap().to_owned();
    Server { child, url }
}

#[test]
fn no_output_of_any_subcommand_holds_the_secret() {
    let dir = std::env::temp_dir().join(format!("copyimage-secrets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let world = world_file(&dir);
    let world_arg = world.to_str().unwrap();
    let mut written: Vec<(String, Vec<u8>)> = Vec::new();

    // Against a target without control, with a fault so that failures are saved.
    let bare = serve(&["--no-control", "--world", world_arg, "--fault", "host-id-missing"]);
    let reports = dir.join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let mut run = bin();
    run.args(["run", "--endpoint", &bare.url, "--cases", "60", "--seed", "3", "--quiet", "--rate", "600000"]);
    run.args(["--region", "cn-qingdao", "--image", "m-available00000000001", "--destination-region", "cn-hangzhou"]);
    run.arg("--report-json").arg(reports.join("r.json")).arg("--junit").arg(reports.join("r.xml"));
    run.arg("--html").arg(reports.join("r.html")).arg("--failures-dir").arg(dir.join("failures"));
    run.arg("--access-key-secret").arg(SECRET);
    let (code, out) = output(run);
    assert_eq!(code, 1, "{}", String::from_utf8_lossy(&out));
    written.push(("run".into(), out));
    let replay = std::fs::read_dir(dir.join("failures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".json") && !p.to_string_lossy().ends_with(".world.json"))
        .expect("a replay file");
    let mut rp = bin();
    rp.arg("replay").arg(&replay).args(["--endpoint", &bare.url]);
    written.push(("replay".into(), output(rp).1));
    let mut call = bin();
    call.args(["call", "--endpoint", &bare.url, "RegionId=cn-qingdao", "ImageId=m-unavail0000000000001"]);
    call.arg("DestinationRegionId=cn-hangzhou");
    written.push(("call".into(), output(call).1));
    let mut snap = bin();
    snap.args(["snapshot", "--endpoint", &bare.url, "--out"]).arg(dir.join("snapshots"));
    written.push(("snapshot --out".into(), output(snap).1));
    let mut check = bin();
    check.args(["snapshot", "--endpoint", &bare.url, "--check"]).arg(dir.join("snapshots"));
    written.push(("snapshot --check".into(), output(check).1));
    drop(bare);

    // A world whose secret sits where a boolean belongs: refused, the value not echoed,
    // by `serve --world` and by `PUT /_conformance/world`.
    let mistyped = dir.join("mistyped.json");
    let text =
        std::fs::read_to_string(&world).unwrap().replacen("\"enabled\":true", &format!("\"enabled\":{:?}", SECRET), 1);
    assert!(text.contains(SECRET));
    std::fs::write(&mistyped, &text).unwrap();
    let mut bad = bin();
    bad.args(["serve", "--addr", "127.0.0.1:0", "--world"]).arg(&mistyped);
    let (code, out) = output(bad);
    assert_eq!(code, 2);
    written.push(("serve --world (mistyped)".into(), out));
    let controlled = serve(&[]);
    let refused = reqwest_put(&format!("{}/_conformance/world", controlled.url), text.into_bytes());
    written.push(("PUT /_conformance/world (mistyped)".into(), refused));
    let mut replay_ctl = bin();
    replay_ctl.arg("replay").arg(&replay).args(["--endpoint", &controlled.url]);
    written.push(("replay (control)".into(), output(replay_ctl).1));
    drop(controlled);

    for sub in [&["docs"][..], &["faults"], &["readings"]] {
        let mut c = bin();
        c.args(sub);
        written.push((sub.join(" "), output(c).1));
    }

    for (what, bytes) in &written {
        assert_clean(what, bytes);
    }
    let files = scan_dir(&dir.join("reports")) + scan_dir(&dir.join("failures")) + scan_dir(&dir.join("snapshots"));
    assert!(files >= 6, "only {files} files written");
    // The searches can find: the world file holds the secret.
    let found = std::panic::catch_unwind(|| assert_clean("world", &std::fs::read(&world).unwrap()));
    assert!(found.is_err(), "the search misses the secret where it is");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A PUT with the body; the reply's status line and body.
fn reqwest_put(url: &str, body: Vec<u8>) -> Vec<u8> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = copyimage_conformance::harness::client::client(Duration::from_secs(10)).unwrap();
        let r = client.put(url).body(body).send().await.unwrap();
        let mut out = r.status().to_string().into_bytes();
        out.extend(r.bytes().await.unwrap());
        out
    })
}
