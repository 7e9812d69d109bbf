//! The command line: the arguments, which library call each command makes, what it
//! prints, and its exit code through [`Ending::exit_code`] (0 done or conformant, 1 the
//! target departs, 2 could not run; clap's own usage errors are 2 as well). The text is
//! rendered by the library's [`copyimage_conformance::report`]; the measurements behind
//! `bench` live beside this file in [`cli::bench`], outside the library.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

mod cli;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use copyimage_conformance::emulator::fault::{Fault, Faults};
use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::harness::declared::{Expectations, Features};
use copyimage_conformance::harness::endpoint::Endpoint;
use copyimage_conformance::harness::guard::{Guard, Stop};
use copyimage_conformance::harness::replay::{Repro, replay};
use copyimage_conformance::harness::{self, Probe, Progress, RunConfig, Shard};
use copyimage_conformance::model::{Format, World};
use copyimage_conformance::oracle::{PointReading, Readings};
use copyimage_conformance::report::Ending;
use copyimage_conformance::report::{certificate, commands, matrix, terminal};
use copyimage_conformance::rules::Doc;
use copyimage_conformance::wire::sign::{Credentials, Signing};

/// Conformance suite and reference emulator for Alibaba Cloud ECS CopyImage.
///
/// Without a subcommand it runs the certification (`run`) against the built-in
/// emulator and prints the report.
#[derive(Parser)]
#[command(name = "copyimage-conformance", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Certify an endpoint (default: the built-in emulator) and print the report.
    Run(Box<RunArgs>),
    /// Serve the reference emulator over HTTP.
    Serve {
        /// Address to listen on; port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// World to load (JSON); the default fixture world when absent.
        #[arg(long)]
        world: Option<PathBuf>,
        /// Print one line per API request on standard error.
        #[arg(long)]
        log: bool,
        /// Start with a deliberate fault (repeatable; see `faults`).
        #[arg(long = "fault")]
        faults: Vec<Fault>,
        /// Do not serve the world-control contract (behave like a real endpoint).
        #[arg(long)]
        no_control: bool,
        /// Read an open point another defensible way, POINT=READING (repeatable; see
        /// `readings`).
        #[arg(long = "reading")]
        readings: Vec<PointReading>,
        /// Wait this many milliseconds before each API reply (a slower target; timeout
        /// tests). The control contract is not delayed.
        #[arg(long, default_value_t = 0)]
        latency: u64,
        /// The documentation profile to serve: 2018-06 (the seed) or 2026-01 (the
        /// newest page: its replies of the seed's rules, and its own parameters).
        #[arg(long, default_value = "2018-06")]
        doc: Doc,
    },
    /// Run a saved failure again against an endpoint (default: the built-in emulator).
    Replay {
        /// The replay file.
        file: PathBuf,
        /// Endpoint to replay against.
        #[arg(long)]
        endpoint: Option<String>,
        /// Faults for the built-in emulator.
        #[arg(long = "fault")]
        faults: Vec<Fault>,
        #[command(flatten)]
        credentials: CredentialArgs,
        /// Without world control: requests that may create an image, at most.
        #[arg(long, default_value_t = 0)]
        allow_create: usize,
        /// Without world control: leave the images the replay creates (they are
        /// cancelled or deleted otherwise).
        #[arg(long)]
        keep_created: bool,
    },
    /// Sign and send one CopyImage request given as Name=Value pairs; print the reply.
    Call {
        /// Endpoint (default: the built-in emulator with the default world).
        #[arg(long)]
        endpoint: Option<String>,
        /// Signing mode.
        #[arg(long, default_value = "v1-post-query")]
        signing: Signing,
        #[command(flatten)]
        credentials: CredentialArgs,
        /// Parameters, e.g. RegionId=cn-qingdao ImageId=m-... DestinationRegionId=cn-hangzhou Format=JSON
        params: Vec<String>,
    },
    /// Record the reply format of every documented outcome of a target, or check a
    /// target against a recorded set.
    Snapshot {
        /// Endpoint (default: the built-in emulator).
        #[arg(long)]
        endpoint: Option<String>,
        /// Record into this directory.
        #[arg(long, conflicts_with = "check", required_unless_present = "check")]
        out: Option<PathBuf>,
        /// Compare with the recorded set in this directory.
        #[arg(long)]
        check: Option<PathBuf>,
        /// Faults for the built-in emulator.
        #[arg(long = "fault")]
        faults: Vec<Fault>,
        /// The documentation profile: 2018-06 (the seed) or 2026-01 (also the replies of
        /// the newest page's own rules). The built-in emulator serves the same.
        #[arg(long, default_value = "2018-06")]
        doc: Doc,
        #[command(flatten)]
        credentials: CredentialArgs,
    },
    /// Check that a certificate (`run --certify`) is complete and consistent: exit 0 if
    /// so, 1 naming each problem, 2 if it cannot be read.
    VerifyCertificate {
        /// The certificate file.
        file: PathBuf,
    },
    /// Rules × targets from JSON reports (`run --report-json`): each cell a rule's outcome
    /// on a target, and the interop score (the share of rules that pass on every
    /// target). Markdown on standard output.
    Matrix {
        /// JSON reports, one per target; each column is named by its file.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Also write the Markdown here.
        #[arg(long)]
        markdown: Option<PathBuf>,
        /// Also write a self-contained HTML page here.
        #[arg(long)]
        html: Option<PathBuf>,
    },
    /// List the deliberate faults the emulator can be started with.
    Faults,
    /// List the readings the emulator can serve instead of its own (`--reading
    /// POINT=READING`), each with the sentence it reads.
    Readings,
    /// Print the reference tables README embeds (rules, open points, default world), or
    /// with `--diff FROM TO` what changed between two documentation profiles.
    Docs {
        /// Two profiles (2018-06, 2026-01): print what changed from the first to the
        /// second, rule by rule.
        #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
        diff: Option<Vec<Doc>>,
    },
    /// Measure throughput (oracle predictions in process, emulator replies over loopback,
    /// the harness's own work per case, the harness end to end beside wrk and oha) or
    /// fault detection.
    Bench {
        /// What to measure.
        #[arg(value_enum, default_value = "all")]
        what: BenchWhat,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Requests in flight against the emulator.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Measure this emulator instead of starting the built-in one.
        #[arg(long)]
        endpoint: Option<String>,
        /// Print a signed GET URL for the default world (valid 15 minutes) for a load
        /// tool such as wrk, instead of measuring.
        #[arg(long)]
        print_url: bool,
        /// Fault detection, stages and harness: cases per run.
        #[arg(long, default_value_t = 5_000)]
        cases: usize,
        /// Fault detection, stages and harness: seed of the runs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Fault detection: fault-free seeds.
        #[arg(long, default_value_t = 20)]
        clean_seeds: u64,
        /// Fault detection: only these faults (default: all).
        #[arg(long = "fault")]
        faults: Vec<Fault>,
        /// Fault detection: also write the tables (Markdown) and the rows (JSON, beside).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum BenchWhat {
    /// Oracle and emulator throughput.
    All,
    /// Oracle predictions per second.
    Oracle,
    /// Emulator replies per second.
    Emulator,
    /// The harness's own work per case in process, no HTTP (`--cases`, `--seed`).
    Stages,
    /// Harness cases per second end to end against the built-in emulator (worlds loaded
    /// in process, then staged over HTTP), and that rate as a share of what wrk and oha
    /// (each if installed) reach against it with one fixed request (`--seconds`,
    /// `--connections`).
    Harness,
    /// Fault detection: the default run against every fault, and the fault-free
    /// emulator over 20 seeds.
    Faults,
    /// A normal client's latency while 1,000 slow-loris connections (`--connections`)
    /// and a stream of 0.9 MB, 70,000-parameter bodies load the emulator (`--seconds`).
    Hostile,
}

#[derive(Args, Clone, Default)]
struct CredentialArgs {
    /// AccessKeyId (default: $ALIBABA_CLOUD_ACCESS_KEY_ID).
    #[arg(long)]
    access_key_id: Option<String>,
    /// AccessKeySecret (default: $ALIBABA_CLOUD_ACCESS_KEY_SECRET; prefer the variable).
    #[arg(long)]
    access_key_secret: Option<String>,
}

impl CredentialArgs {
    fn resolve(&self) -> Option<Credentials> {
        let id = self.access_key_id.clone().or_else(|| std::env::var("ALIBABA_CLOUD_ACCESS_KEY_ID").ok())?;
        let secret =
            self.access_key_secret.clone().or_else(|| std::env::var("ALIBABA_CLOUD_ACCESS_KEY_SECRET").ok())?;
        Some(Credentials::new(id, secret))
    }
}

#[derive(Args, Clone, Default)]
struct RunArgs {
    /// Endpoint to certify (repeat for several instances of one build); default: the
    /// built-in emulator, started in process.
    #[arg(long = "endpoint")]
    endpoints: Vec<String>,
    /// Cases to generate [default: 5000].
    #[arg(long)]
    cases: Option<usize>,
    /// Seed (default: random, printed in the report).
    #[arg(long)]
    seed: Option<u64>,
    /// Signing modes, comma-separated: v1-get, v1-post-query, v1-post-form, v3, or all
    /// [default: all, or those `--features` declares].
    #[arg(long)]
    signing: Option<String>,
    /// Formats, comma-separated: xml, json, or all [default: all, or those `--features`
    /// declares].
    #[arg(long)]
    format: Option<String>,
    /// Write the JSON report here.
    #[arg(long)]
    report_json: Option<PathBuf>,
    /// Write a JUnit XML report here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Run shard I of N (zero-based), e.g. 0/4.
    #[arg(long)]
    shard: Option<Shard>,
    /// Without world control: requests that may create an image, at most.
    #[arg(long, default_value_t = 0)]
    allow_create: usize,
    /// Without world control: leave the images the run creates (they are cancelled or
    /// deleted at its end otherwise; the report lists them either way).
    #[arg(long)]
    keep_created: bool,
    /// Without world control: requests per minute (the documented API quota).
    #[arg(long, default_value_t = 1_000)]
    rate: u32,
    #[command(flatten)]
    credentials: CredentialArgs,
    /// Without world control: RegionId to probe.
    #[arg(long, default_value = "cn-hangzhou")]
    region: String,
    /// Without world control: ImageId to probe.
    #[arg(long, default_value = "m-conformanceprobe0001")]
    image: String,
    /// Without world control: DestinationRegionId to probe.
    #[arg(long, default_value = "cn-shanghai")]
    destination_region: String,
    /// Built-in emulator instances, one worker each (default: one per core, 2 to 16).
    #[arg(long)]
    workers: Option<usize>,
    /// Start the built-in emulator with a deliberate fault (repeatable).
    #[arg(long = "fault")]
    faults: Vec<Fault>,
    /// The built-in emulator reads an open point another way, POINT=READING
    /// (repeatable; see `readings`).
    #[arg(long = "reading")]
    readings: Vec<PointReading>,
    /// Stage worlds on the built-in emulator through `PUT /_conformance/world` instead
    /// of loading them in process (API requests go over HTTP either way).
    #[arg(long)]
    stage_over_http: bool,
    /// Where replay files of failures are written.
    #[arg(long, default_value = "conformance-failures")]
    failures_dir: PathBuf,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// The most bytes of a reply read; a larger one is a verdict that names its size.
    #[arg(long, default_value_t = harness::guard::MAX_REPLY_BYTES)]
    max_reply_bytes: usize,
    /// Stop the run after this many seconds; the reports say it is incomplete.
    #[arg(long)]
    deadline: Option<f64>,
    /// Timeouts or broken connections in a row after which the target is declared
    /// unresponsive and no further case is sent (0: never).
    #[arg(long, default_value_t = 5)]
    unresponsive_after: usize,
    /// What the target implements (TOML: signings, formats, world_control,
    /// not_implemented); cases that need anything else are not sent and their rules are
    /// reported as disabled.
    #[arg(long)]
    features: Option<PathBuf>,
    /// Known deviations (TOML `[[deviation]]` entries: rule, code, status, reason, link):
    /// failures as listed do not fail the run; failing otherwise, or an entry no case
    /// matched (stale), does.
    #[arg(long)]
    expectations: Option<PathBuf>,
    /// Write the run's failures as an expectations file here (adoption in one command).
    #[arg(long)]
    write_expectations: Option<PathBuf>,
    /// End the run once this many distinct failures are found [default: never].
    #[arg(long)]
    max_failures: Option<usize>,
    /// The documentation profile the target is held to: 2018-06 (the seed) or 2026-01
    /// (the newest page: its replies of the seed's rules, and its own parameters). The
    /// built-in emulator serves the same.
    #[arg(long, default_value = "2018-06")]
    doc: Doc,
    /// Certify: the fixed certification budget (10,000 cases, every mode declared, no
    /// shard, no early stop), then write a certificate; flags that narrow it are refused.
    #[arg(long)]
    certify: bool,
    /// Where `--certify` writes the certificate.
    #[arg(long, default_value = "conformance-certificate.json")]
    certificate: PathBuf,
    /// No progress display.
    #[arg(long)]
    quiet: bool,
    /// Colour the report: auto (a terminal, and NO_COLOR unset or empty), always, never.
    #[arg(long, default_value = "auto")]
    color: copyimage_conformance::report::terminal::Colour,
}

fn parse_list<T: std::str::FromStr<Err = String> + Copy>(text: &str, all: &[T]) -> anyhow::Result<Vec<T>> {
    if text == "all" {
        return Ok(all.to_vec());
    }
    text.split(',').map(|s| s.trim().parse::<T>().map_err(anyhow::Error::msg)).collect()
}

/// Keeps glibc's allocator from giving megabyte buffers back to the kernel after each
/// use. The harness builds, sends and (in the built-in emulator) receives request
/// bodies past the 1 MiB limit; by default each such buffer is mapped afresh or trimmed
/// off the heap when freed, and the next one faults its pages in again: 109,000 page
/// faults and about 7% of the CPU over 20,000 cases (BENCHMARKS.md). Peak RSS does not
/// change.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets two allocator thresholds; it is called first thing in
    // main, before any other thread exists. A refusal (return 0) leaves the defaults.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 8 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(Ending::CouldNotRun.exit_code());
        }
    };
    let ending = runtime.block_on(dispatch(cli)).unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        Ending::CouldNotRun
    });
    ExitCode::from(ending.exit_code())
}

async fn dispatch(cli: Cli) -> anyhow::Result<Ending> {
    match cli.command {
        None => run(cli.run).await,
        Some(Command::Run(args)) => run(*args).await,
        Some(Command::Serve { addr, world, log, faults, no_control, readings, latency, doc }) => {
            let readings = Readings::of(&readings).map_err(anyhow::Error::msg).context("--reading")?;
            serve(
                EmulatorConfig {
                    addr,
                    log,
                    faults: Faults(faults),
                    control: !no_control,
                    readings,
                    latency: Duration::from_millis(latency),
                    doc,
                    ..EmulatorConfig::default()
                },
                world,
            )
            .await
        }
        Some(Command::Replay { file, endpoint, faults, credentials, allow_create, keep_created }) => {
            replay_file(file, endpoint, faults, credentials, allow_create, keep_created).await
        }
        Some(Command::Call { endpoint, signing, credentials, params }) => {
            call(endpoint, signing, credentials, params).await
        }
        Some(Command::Snapshot { endpoint, out, check, faults, doc, credentials }) => {
            snapshot(endpoint, out, check, faults, doc, credentials).await
        }
        Some(Command::VerifyCertificate { file }) => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let problems = certificate::verify(&text).map_err(anyhow::Error::msg)?;
            print!("{}", commands::verified(&file.display().to_string(), &problems));
            Ok(Ending::departs_if(!problems.is_empty()))
        }
        Some(Command::Matrix { reports, markdown, html }) => {
            let mut columns = Vec::new();
            for path in &reports {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                let name = path.file_stem().map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into());
                columns.push(matrix::Column::parse(&name, &text).map_err(anyhow::Error::msg)?);
            }
            let m = matrix::Matrix::new(columns);
            let table = m.markdown();
            print!("{table}");
            for (path, text) in [(markdown, table), (html, m.html())] {
                if let Some(p) = path {
                    std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))?;
                }
            }
            Ok(Ending::Done)
        }
        Some(Command::Faults) => {
            print!("{}", commands::faults());
            Ok(Ending::Done)
        }
        Some(Command::Readings) => {
            print!("{}", copyimage_conformance::report::reference::readings_list());
            Ok(Ending::Done)
        }
        Some(Command::Docs { diff: Some(docs) }) => {
            print!("{}", copyimage_conformance::report::reference::diff(docs[0], docs[1]));
            Ok(Ending::Done)
        }
        Some(Command::Docs { diff: None }) => {
            for (name, text) in copyimage_conformance::report::reference::sections() {
                println!("<!-- generated:{name} -->\n{text}<!-- /generated:{name} -->\n");
            }
            Ok(Ending::Done)
        }
        Some(Command::Bench { print_url: true, endpoint, .. }) => {
            let base = endpoint.unwrap_or_else(|| "http://127.0.0.1:8080".into());
            println!("{}", cli::bench::signed_url(&base));
            Ok(Ending::Done)
        }
        Some(Command::Bench { what: BenchWhat::Faults, cases, seed, clean_seeds, faults, out, .. }) => {
            let faults = if faults.is_empty() { Fault::ALL.to_vec() } else { faults };
            let result = cli::bench::fault_bench(cases, seed, &faults, clean_seeds).await?;
            let table = result.markdown();
            print!("{table}");
            if let Some(path) = out {
                std::fs::write(&path, &table).with_context(|| format!("writing {}", path.display()))?;
                let json = path.with_extension("json");
                std::fs::write(&json, serde_json::to_string_pretty(&result)?)
                    .with_context(|| format!("writing {}", json.display()))?;
            }
            Ok(Ending::departs_if(!result.perfect()))
        }
        Some(Command::Bench { what: BenchWhat::Harness, cases, seed, seconds, connections, .. }) => {
            let result = cli::bench::harness_bench(cases, seed, connections, seconds).await?;
            println!("{result}");
            Ok(Ending::departs_if(!result.run.conformant()))
        }
        Some(Command::Bench { what: BenchWhat::Hostile, seconds, connections, endpoint, .. }) => {
            let connections = if connections == 32 { 1_000 } else { connections };
            let r =
                cli::bench::hostile_clients(endpoint.as_deref(), connections, Duration::from_secs_f64(seconds)).await?;
            println!("{r}");
            Ok(Ending::Done)
        }
        Some(Command::Bench { what: BenchWhat::Stages, cases, seed, .. }) => {
            let cases = u64::try_from(cases).context("--cases")?;
            println!("{}", cli::bench::stages(cases, seed).map_err(anyhow::Error::msg)?);
            Ok(Ending::Done)
        }
        Some(Command::Bench { what, seconds, connections, endpoint, .. }) => {
            let duration = Duration::from_secs_f64(seconds);
            if matches!(what, BenchWhat::All | BenchWhat::Oracle) {
                println!("{}", cli::bench::oracle_rate(duration));
            }
            if matches!(what, BenchWhat::All | BenchWhat::Emulator) {
                println!("{}", cli::bench::emulator_rate(endpoint.as_deref(), connections, duration).await?);
            }
            Ok(Ending::Done)
        }
    }
}

async fn run(args: RunArgs) -> anyhow::Result<Ending> {
    let read = |path: &PathBuf| std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()));
    let features = match &args.features {
        Some(p) => Some(Features::parse(&read(p)?).with_context(|| p.display().to_string())?),
        None => None,
    };
    let expectations = match &args.expectations {
        Some(p) => Some(Arc::new(Expectations::parse(&read(p)?).with_context(|| p.display().to_string())?)),
        None => None,
    };
    if args.certify {
        let narrowing = [
            ("--cases", args.cases.is_some()),
            ("--signing", args.signing.is_some()),
            ("--format", args.format.is_some()),
            ("--shard", args.shard.is_some()),
            ("--max-failures", args.max_failures.is_some()),
            ("--deadline", args.deadline.is_some()),
        ];
        let given: Vec<&str> = narrowing.iter().filter(|(_, g)| *g).map(|(f, _)| *f).collect();
        if !given.is_empty() {
            anyhow::bail!(
                "--certify runs the fixed certification budget; it refuses {} (declare what the target does not implement in --features instead)",
                given.join(", ")
            );
        }
    }
    let cases = if args.certify { certificate::BUDGET_CASES } else { args.cases.unwrap_or(5_000) };
    let config = RunConfig {
        endpoints: args.endpoints.clone(),
        cases,
        seed: args.seed.unwrap_or_else(rand::random),
        signings: parse_list(args.signing.as_deref().unwrap_or("all"), &Signing::ALL).context("--signing")?,
        formats: parse_list(args.format.as_deref().unwrap_or("all"), &Format::ALL).context("--format")?,
        shard: args.shard,
        credentials: args.credentials.resolve(),
        allow_create: args.allow_create,
        keep_created: args.keep_created,
        rate_per_minute: args.rate,
        probe: Probe {
            region: args.region.clone(),
            image: args.image.clone(),
            destination: args.destination_region.clone(),
        },
        timeout: Duration::from_secs_f64(args.timeout),
        workers: args.workers.unwrap_or(RunConfig::default().workers),
        max_reply_bytes: args.max_reply_bytes,
        deadline: args.deadline.map(Duration::from_secs_f64),
        unresponsive_after: args.unresponsive_after,
        interrupt: Some(interrupt()),
        faults: args.faults.clone(),
        readings: Readings::of(&args.readings).map_err(anyhow::Error::msg).context("--reading")?,
        stage_over_http: args.stage_over_http,
        failures_dir: Some(args.failures_dir.clone()),
        features: features.clone(),
        expectations: expectations.clone(),
        max_failures: args.max_failures.unwrap_or(0),
        doc: args.doc,
        progress: if args.quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            Progress::Bar
        } else {
            Progress::Lines
        },
        ..RunConfig::default()
    };
    let report = harness::run(config).await?;
    let look = terminal::Look { colour: args.color.for_stdout() };
    print!("{}", terminal::render_with(&report, look));
    let write = |path: &Option<PathBuf>, text: String| -> anyhow::Result<()> {
        if let Some(p) = path {
            std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?;
        }
        Ok(())
    };
    write(&args.report_json, report.to_json())?;
    write(&args.junit, copyimage_conformance::report::junit::render(&report))?;
    write(&args.html, copyimage_conformance::report::html::render(&report))?;
    if let Some(p) = &args.write_expectations {
        write(&args.write_expectations, Expectations::write(&report.observed_deviations))?;
        eprintln!("wrote {} known deviations to {}", report.observed_deviations.len(), p.display());
    }
    if args.certify {
        let issued = certificate::Certificate::issue(&report, features.as_ref(), expectations.as_deref())?;
        let path = &args.certificate;
        std::fs::write(path, issued.to_json()).with_context(|| format!("writing {}", path.display()))?;
        println!("{}\nwrote {}", issued.summary(), path.display());
    }
    Ok(report.standing().into())
}

/// A stop signal fired by Ctrl-C or SIGTERM: the run ends its cases in flight and
/// writes every report it was asked for, marked incomplete.
fn interrupt() -> Arc<Stop> {
    let stop = Stop::new();
    let on_signal = stop.clone();
    tokio::spawn(async move {
        #[cfg(unix)]
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        let why = tokio::select! {
            _ = tokio::signal::ctrl_c() => "interrupted (Ctrl-C)",
            _ = terminate => "terminated (SIGTERM)",
        };
        on_signal.stop(why);
    });
    stop
}

async fn serve(config: EmulatorConfig, world: Option<PathBuf>) -> anyhow::Result<Ending> {
    let addr = config.addr;
    let world = match world {
        None => World::default_fixture(),
        Some(path) => {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            World::from_json(&text).with_context(|| format!("loading {}", path.display()))?
        }
    };
    let emulator =
        Emulator::start(EmulatorConfig { world, ..config }).await.with_context(|| format!("binding {addr}"))?;
    println!("copyimage-conformance emulator listening on {}", emulator.uri());
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    emulator.shutdown().await;
    Ok(Ending::Done)
}

/// An endpoint, or the built-in emulator started for the command.
async fn endpoint_or_builtin(
    endpoint: Option<String>,
    faults: Vec<Fault>,
    doc: Doc,
) -> anyhow::Result<(String, Option<Emulator>)> {
    match endpoint {
        Some(e) => Ok((e, None)),
        None => {
            let config = EmulatorConfig { faults: Faults(faults), doc, ..EmulatorConfig::default() };
            let e = Emulator::start(config).await?;
            Ok((e.uri(), Some(e)))
        }
    }
}

async fn replay_file(
    file: PathBuf,
    endpoint: Option<String>,
    faults: Vec<Fault>,
    credentials: CredentialArgs,
    allow_create: usize,
    keep_created: bool,
) -> anyhow::Result<Ending> {
    let repro = Repro::load(&file)?;
    let (base, emulator) = endpoint_or_builtin(endpoint, faults, repro.doc).await?;
    let target = Endpoint::connect(&base, Duration::from_secs(10), Some(1_000)).await?.with_doc(repro.doc);
    let budget = (!target.control).then_some(allow_create);
    let target = target.with_guard(Arc::new(Guard::new(budget, interrupt(), 5, harness::guard::MAX_REPLY_BYTES)));
    let creds = credentials.resolve();
    let records = replay(&target, &repro, creds.as_ref()).await?;
    let cleanup = harness::replay::clean_up(&target, &repro, creds.as_ref(), keep_created).await?;
    if let Some(e) = emulator {
        e.shutdown().await;
    }
    let created = target.guard().budget.as_ref().map(|b| b.created()).unwrap_or_default();
    let ids: Vec<String> = created.into_iter().map(|c| c.image).collect();
    let (mut text, ending) = commands::replay(&records, &ids);
    text.push_str(&copyimage_conformance::report::terminal::cleanup(&cleanup));
    print!("{text}");
    Ok(ending)
}

async fn snapshot(
    endpoint: Option<String>,
    out: Option<PathBuf>,
    check: Option<PathBuf>,
    faults: Vec<Fault>,
    doc: Doc,
    credentials: CredentialArgs,
) -> anyhow::Result<Ending> {
    let (base, emulator) = endpoint_or_builtin(endpoint, faults, doc).await?;
    let target = Endpoint::connect(&base, Duration::from_secs(10), Some(1_000)).await?.with_doc(doc);
    let creds = credentials.resolve();
    let code = match (out, check) {
        (Some(dir), _) => {
            let done = harness::snapshot::record(&target, &dir, creds.as_ref()).await?;
            println!("recorded {} replies under {}", done.written.len(), dir.display());
            if !done.skipped.is_empty() {
                println!("not recorded (the target offers no world control): {}", done.skipped.join(", "));
            }
            Ending::Done
        }
        (None, Some(dir)) => {
            let results = harness::snapshot::check(&target, &dir, creds.as_ref()).await?;
            let (text, ending) = commands::snapshot_check(&results);
            print!("{text}");
            ending
        }
        (None, None) => anyhow::bail!("give --out DIR or --check DIR"),
    };
    if let Some(e) = emulator {
        e.shutdown().await;
    }
    Ok(code)
}

async fn call(
    endpoint: Option<String>,
    signing: Signing,
    credentials: CredentialArgs,
    params: Vec<String>,
) -> anyhow::Result<Ending> {
    let pairs = harness::call::pairs(&params)?;
    let (base, emulator) = endpoint_or_builtin(endpoint, Vec::new(), Doc::June2018).await?;
    let target = Endpoint::connect(&base, Duration::from_secs(10), None).await?;
    let creds = credentials.resolve().unwrap_or_else(|| {
        eprintln!("note: no credentials given; signing as testid (the default world's key)");
        Credentials::new("testid", "testsecret")
    });
    let reply = harness::call::call(&target, signing, &creds, pairs).await?;
    print!("{}", commands::call(&reply));
    if let Some(e) = emulator {
        e.shutdown().await;
    }
    Ok(Ending::Done)
}
