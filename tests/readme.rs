//! README tells the truth about the code: its generated tables equal what the code prints,
//! its two commands are the ones CI runs, every subcommand is documented, and its Layout
//! lists exactly the source files that exist.

use std::collections::BTreeSet;
use std::path::Path;

fn readme() -> String {
    std::fs::read_to_string("README.md").unwrap()
}

/// The body of the first fenced block after `heading`.
fn block_after(text: &str, heading: &str) -> String {
    let from = text.find(heading).unwrap_or_else(|| panic!("README has no `{heading}`"));
    let rest = &text[from..];
    let open = rest.find("```").expect("a fenced block after the heading");
    let body = &rest[open..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").expect("the block closes")].to_string()
}

#[test]
fn readme_tables_are_generated_from_the_code() {
    let readme = readme();
    for (name, text) in copyimage_conformance::report::reference::sections() {
        let block = format!("<!-- generated:{name} -->\n{text}<!-- /generated:{name} -->");
        assert!(
            readme.contains(&block),
            "README's `{name}` section is out of date: run `cargo run -- docs` and paste the `{name}` block"
        );
    }
}

#[test]
fn the_two_commands_are_the_ones_ci_runs() {
    let block = block_after(&readme(), "## Two commands");
    let commands: Vec<&str> = block
        .lines()
        .map(|line| line.split('#').next().unwrap().trim())
        .filter(|command| !command.is_empty())
        .collect();
    assert_eq!(commands, ["cargo run --release", "cargo test"]);
    let ci = std::fs::read_to_string(".ci/run").unwrap();
    let ci_commands: Vec<&str> = ci.lines().map(str::trim).collect();
    assert!(ci_commands.contains(&"cargo test"), ".ci/run must call README's test command as given");
    for gate in ["cargo fmt --all -- --check", "cargo clippy --all-targets -- -D warnings"] {
        assert!(ci_commands.contains(&gate), ".ci/run must run `{gate}`");
    }
}

#[test]
fn every_subcommand_is_documented() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_copyimage-conformance")).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let listed: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .and_then(|rest| rest.split("Options:").next())
        .expect("--help lists commands")
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .collect();
    assert!(listed.len() >= 9, "commands found in --help: {listed:?}");
    let readme = readme();
    for name in listed {
        assert!(
            readme.contains(&format!("copyimage-conformance {name}")),
            "README never shows `copyimage-conformance {name}`"
        );
    }
}

/// The `.rs` files the Layout block names, as paths under `src/`.
fn layout_files() -> BTreeSet<String> {
    let block = block_after(&readme(), "## Layout");
    let mut dirs: Vec<String> = Vec::new();
    let mut files = BTreeSet::new();
    let mut in_src = false;
    for line in block.lines() {
        let indent = line.len() - line.trim_start().len();
        let level = indent / 2;
        let mut tokens = line.split_whitespace().peekable();
        let Some(first) = tokens.peek().copied() else {
            continue;
        };
        if level == 0 {
            in_src = first == "src/";
            dirs = vec![first.trim_end_matches('/').to_string()];
            continue;
        }
        if !in_src {
            continue;
        }
        dirs.truncate(level);
        if let Some(dir) = first.strip_suffix('/') {
            dirs.push(dir.to_string());
            continue;
        }
        for token in tokens.take_while(|token| token.ends_with(".rs")) {
            files.insert(format!("{}/{token}", dirs.join("/")));
        }
    }
    files
}

fn source_files(dir: &Path, into: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, into);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            into.insert(path.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn layout_lists_exactly_the_source_files() {
    let listed = layout_files();
    let mut present = BTreeSet::new();
    source_files(Path::new("src"), &mut present);
    for file in &listed {
        assert!(present.contains(file), "README's Layout lists {file}, which does not exist");
    }
    for file in &present {
        // A directory's line in the Layout describes its mod.rs.
        if !file.ends_with("/mod.rs") {
            assert!(listed.contains(file), "README's Layout does not list {file}");
        }
    }
}

#[test]
fn the_fault_count_readme_gives_is_the_catalogue_s() {
    let count = copyimage_conformance::emulator::fault::Fault::ALL.len();
    let readme = readme();
    let stated: Vec<usize> = readme
        .match_indices("`copyimage-conformance faults` lists ")
        .map(|(at, found)| {
            let rest = &readme[at + found.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().expect("a number follows")
        })
        .collect();
    assert!(!stated.is_empty(), "README states how many faults there are");
    assert!(stated.iter().all(|n| *n == count), "README says {stated:?} faults; the catalogue has {count}");
}
