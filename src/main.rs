//! The command line: parse, run, map the result to an exit code. Nothing else.
//!
//! Exit codes: 0 conformant (or the command succeeded), 1 not conformant, 2 could not run.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use copyimage_conformance::bench;
use copyimage_conformance::emulator::{Emulator, EmulatorConfig};
use copyimage_conformance::model::World;

#[derive(Parser)]
#[command(
    name = "copyimage-conformance",
    version,
    about = "Conformance suite and reference emulator for Alibaba Cloud ECS CopyImage"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
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
    },
    /// Print the reference tables README embeds (rules, open points, default world).
    Docs,
    /// Measure throughput: oracle predictions in process, emulator replies over loopback.
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
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum BenchWhat {
    All,
    Oracle,
    Emulator,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => serve("127.0.0.1:8080".parse()?, None, false).await,
        Some(Command::Serve { addr, world, log }) => serve(addr, world, log).await,
        Some(Command::Docs) => {
            for (name, text) in copyimage_conformance::report::reference::sections() {
                println!("<!-- generated:{name} -->\n{text}<!-- /generated:{name} -->\n");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Bench {
            what,
            seconds,
            connections,
            endpoint,
        }) => {
            let duration = std::time::Duration::from_secs_f64(seconds);
            if matches!(what, BenchWhat::All | BenchWhat::Oracle) {
                println!("{}", bench::oracle_rate(duration));
            }
            if matches!(what, BenchWhat::All | BenchWhat::Emulator) {
                println!(
                    "{}",
                    bench::emulator_rate(endpoint.as_deref(), connections, duration).await?
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn serve(addr: SocketAddr, world: Option<PathBuf>, log: bool) -> anyhow::Result<ExitCode> {
    let world = match world {
        None => World::default_fixture(),
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            World::from_json(&text).with_context(|| format!("loading {}", path.display()))?
        }
    };
    let emulator = Emulator::start(EmulatorConfig { addr, world, log })
        .await
        .with_context(|| format!("binding {addr}"))?;
    println!(
        "copyimage-conformance emulator listening on {}",
        emulator.uri()
    );
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = emulator_wait(&emulator) => {}
    }
    emulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

async fn emulator_wait(_e: &Emulator) {
    std::future::pending::<()>().await
}
