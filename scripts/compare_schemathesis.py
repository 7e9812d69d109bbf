#!/usr/bin/env python3
"""Side by side: this suite and Schemathesis against the same emulators.

For each seed, both tools run against the fault-free emulator and against the emulator
started with each fault of the catalogue, with the same request budget. Schemathesis is
configured under fixtures/schemathesis/ (OpenAPI document, auth and XML hooks, config).

    python3 scripts/compare_schemathesis.py [--seeds 1,2,3] [--cases 1000] [--only F,..] [--clean-only] [--out FILE]

It needs the release binary (cargo build --release) and creates .venv-bench with the
pinned Schemathesis if it is missing. Output: Markdown tables on stdout (and --out), raw
rows as JSON beside --out.

Measured for each tool and run:
  * detected: the run reports a failure on the faulty emulator that it does not report
    on the fault-free one (Schemathesis: a failure not in the baseline recorded from the
    fault-free runs; this suite: any failure, since its fault-free runs report none);
  * requests until the first finding: this suite counts the requests sent when the
    first failing case was seen; Schemathesis is run a second time with --max-failures 1
    and the emulator counts the requests it received until Schemathesis stopped;
  * requests per second: requests received by the emulator over the run's wall time;
  * whether the report names the broken rule of the documentation.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "copyimage-conformance"
ST_DIR = ROOT / "fixtures" / "schemathesis"
VENV = ROOT / ".venv-bench"


def ensure_schemathesis():
    st = VENV / "bin" / "st"
    if not st.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "-r", str(ST_DIR / "requirements.txt")], check=True)
    return st


class Emulator:
    """`serve --log` on an ephemeral port; counts the API requests it answers."""

    def __init__(self, faults):
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        args = [str(BIN), "serve", "--addr", "127.0.0.1:0", "--log"]
        for f in faults:
            args += ["--fault", f]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        self.url = line.strip().rsplit(" ", 1)[-1]

    def requests(self):
        self.log.flush()
        with open(self.log.name) as f:
            return sum(1 for line in f if " -> " in line)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        os.unlink(self.log.name)


def run_schemathesis(st, url, seed, examples, baseline, update=False, first_only=False):
    env = dict(os.environ, PYTHONPATH=str(ST_DIR), SCHEMATHESIS_HOOKS="hooks")
    with tempfile.TemporaryDirectory() as report_dir:
        args = [str(st), "--config-file", str(ST_DIR / "schemathesis.toml"), "run", str(ST_DIR / "openapi.json"),
                "--url", url, "--checks", "all", "--seed", str(seed), "--max-examples", str(examples),
                # Also set in schemathesis.toml; given here too so the command shows it.
                "--generation-database", "none",
                "--baseline", str(baseline), "--report", "json", "--report-dir", report_dir, "--no-color"]
        if update:
            args.append("--baseline-update")
        if first_only:
            args += ["--max-failures", "1"]
        start = time.monotonic()
        proc = subprocess.run(args, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - start
        failures = []
        for path in pathlib.Path(report_dir).glob("*.json"):
            data = json.loads(path.read_text())
            # Failures of this run (those in the baseline are not listed).
            failures = sorted({f"{f['code']} {f['title']}" for f in data.get("failures", [])})
        return {"exit": proc.returncode, "seconds": seconds, "checks": failures, "stdout": proc.stdout[-2000:]}


def run_suite(fault, seed, cases):
    """One run of this suite; with a fault, through `bench faults`, whose observer
    records the requests sent when the first failing case was seen."""
    with tempfile.TemporaryDirectory() as d:
        if not fault:
            out = pathlib.Path(d) / "report.json"
            args = [str(BIN), "run", "--cases", str(cases), "--seed", str(seed), "--quiet", "--report-json", str(out),
                    "--failures-dir", str(pathlib.Path(d) / "failures")]
            start = time.monotonic()
            subprocess.run(args, capture_output=True, text=True)
            seconds = time.monotonic() - start
            report = json.loads(out.read_text())
            return {
                "detected": report["failed"] > 0,
                "requests": report["requests"] + report["stagings"],
                "api_requests": report["requests"],
                "seconds": seconds,
                "first_requests": None,
                "rules": sorted({r for f in report["failures"] for r in f["rules"]}),
                "failed": report["failed"],
                "flaky": report["flaky"],
            }
        table = pathlib.Path(d) / "faults.md"
        args = [str(BIN), "bench", "faults", "--fault", fault, "--cases", str(cases), "--seed", str(seed),
                "--clean-seeds", "0", "--out", str(table)]
        start = time.monotonic()
        subprocess.run(args, capture_output=True, text=True)
        seconds = time.monotonic() - start
        row = json.loads(table.with_suffix(".json").read_text())["rows"][0]
    return {
        "detected": row["detected"],
        "requests": row["requests"] + row["stagings"],
        "api_requests": row["requests"],
        "seconds": seconds,
        "first_requests": row["requests_to_first"],
        "rules": sorted(row["rules"]),
        "failed": row["failed_cases"],
        "flaky": row["flaky_cases"],
    }


def faults():
    out = subprocess.run([str(BIN), "faults"], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--cases", type=int, default=1000, help="this suite's cases per run")
    p.add_argument("--examples", type=int, default=0, help="Schemathesis --max-examples (0: match the request budget)")
    p.add_argument("--only", default="", help="comma-separated faults (default: all)")
    p.add_argument("--clean-only", action="store_true", help="only the fault-free runs (false alarms, speed)")
    p.add_argument("--out", default="")
    a = p.parse_args()
    if not BIN.exists():
        sys.exit(f"build the release binary first: cargo build --release ({BIN} is missing)")
    st = ensure_schemathesis()
    seeds = [int(s) for s in a.seeds.split(",")]
    catalogue = a.only.split(",") if a.only else faults()
    rows = {"clean": {"suite": [], "schemathesis": []}, "faults": {}}
    work = tempfile.mkdtemp()
    baselines = {s: pathlib.Path(work) / f"baseline-{s}.json" for s in seeds}

    # Fault-free: this suite's false alarms; Schemathesis's become its baseline.
    examples = a.examples
    for seed in seeds:
        suite = run_suite(None, seed, a.cases)
        rows["clean"]["suite"].append(dict(suite, seed=seed))
        if not examples:
            # Fit Schemathesis's budget to this suite's requests (staging included).
            examples = max(50, suite["requests"])
        emu = Emulator([])
        st_run = run_schemathesis(st, emu.url, seed, examples, baselines[seed], update=True)
        st_run["requests"] = emu.requests()
        emu.stop()
        rows["clean"]["schemathesis"].append(dict(st_run, seed=seed))
        print(f"clean seed {seed}: suite {suite['failed']} failed / {suite['requests']} requests; "
              f"schemathesis {len(st_run['checks'])} failing checks {st_run['checks']} / {st_run['requests']} requests", file=sys.stderr)

    def write():
        # After every fault, so that a long run interrupted still leaves its tables.
        if a.out:
            pathlib.Path(a.out).parent.mkdir(parents=True, exist_ok=True)
            pathlib.Path(a.out).write_text(render(rows, seeds, a.cases, examples))
            pathlib.Path(a.out).with_suffix(".json").write_text(json.dumps(rows, indent=2))

    write()
    for fault in [] if a.clean_only else catalogue:
        rows["faults"][fault] = {"suite": [], "schemathesis": []}
        for seed in seeds:
            suite = run_suite(fault, seed, a.cases)
            rows["faults"][fault]["suite"].append(dict(suite, seed=seed))
            emu = Emulator([fault])
            full = run_schemathesis(st, emu.url, seed, examples, baselines[seed])
            full["requests"] = emu.requests()
            emu.stop()
            first = None
            if full["exit"] != 0:
                emu = Emulator([fault])
                stop = run_schemathesis(st, emu.url, seed, examples, baselines[seed], first_only=True)
                first = emu.requests()
                emu.stop()
            rows["faults"][fault]["schemathesis"].append(dict(full, seed=seed, detected=full["exit"] != 0, first_requests=first))
        print(f"{fault}: suite {[r['detected'] for r in rows['faults'][fault]['suite']]} "
              f"schemathesis {[r['detected'] for r in rows['faults'][fault]['schemathesis']]}", file=sys.stderr)
        write()

    print(render(rows, seeds, a.cases, examples))


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    return xs[len(xs) // 2] if xs else None


def render(rows, seeds, cases, examples):
    lines = []
    n = len(seeds)
    suite_clean = rows["clean"]["suite"]
    st_clean = rows["clean"]["schemathesis"]
    lines.append(f"Seeds {', '.join(map(str, seeds))}; this suite {cases} cases a run, Schemathesis `--max-examples {examples}`.\n")
    lines.append("| | This suite | Schemathesis |\n|---|---|---|")
    def count(tool, pred):
        return sum(1 for f in rows["faults"].values() if pred([r["detected"] for r in f[tool]]))
    total = len(rows["faults"])
    lines.append(f"| Faults detected on every seed | {count('suite', all)} of {total} | {count('schemathesis', all)} of {total} |")
    lines.append(f"| Faults detected on some seeds | {count('suite', any)} of {total} | {count('schemathesis', any)} of {total} |")
    lines.append(f"| False alarms on the fault-free emulator (per run) | {', '.join(str(r['failed'] + r['flaky']) for r in suite_clean)} | "
                 f"{', '.join(str(len(r['checks'])) + ' (' + ', '.join(r['checks']) + ')' for r in st_clean)} |")
    def rate(runs):
        reqs = sum(r["requests"] for r in runs)
        secs = sum(r["seconds"] for r in runs)
        return f"{reqs / secs:,.0f}" if secs else "n/a"
    lines.append(f"| Requests per second (fault-free runs, requests the emulator answered) | {rate(suite_clean)} | {rate(st_clean)} |")
    lines.append(f"| Requests per run (fault-free) | {round(sum(r['requests'] for r in suite_clean) / n):,} | {round(sum(r['requests'] for r in st_clean) / n):,} |")
    suite_first = median([median([r["first_requests"] for r in f["suite"]]) for f in rows["faults"].values()])
    st_first = median([median([r["first_requests"] for r in f["schemathesis"]]) for f in rows["faults"].values()])
    lines.append(f"| Median requests until the first finding (detected faults) | {suite_first} | {st_first} |")
    lines.append("| The report names the broken rule | yes: rule id, the documentation's sentence, expected beside observed | no: the generic check that failed (schema, status code, ...) |")
    lines.append("")
    lines.append("| Fault | This suite: detected (seeds) | Rules named | Schemathesis: detected (seeds) | Checks that failed |\n|---|---|---|---|---|")
    for fault, f in rows["faults"].items():
        s = f["suite"]
        t = f["schemathesis"]
        rules = sorted({r for x in s for r in x["rules"]})
        checks = sorted({c for x in t for c in x["checks"] if x["detected"]})
        lines.append(f"| `{fault}` | {sum(x['detected'] for x in s)}/{n} | {', '.join('`' + r + '`' for r in rules[:4])}{' …' if len(rules) > 4 else ''} | "
                     f"{sum(x['detected'] for x in t)}/{n} | {', '.join(checks)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
