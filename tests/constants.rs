//! Each documented constant has one home: the generators and the emulator's faults
//! derive bounds, windows and Codes from the rule table and the oracle, and spell none
//! of them. The code (comments left aside) of `src/generate/` and `src/emulator/` holds
//! none of the bounds' numbers, and no file but the rule table spells a documented Code
//! or the protocol's fixed values.

use copyimage_conformance::rules::{RULES, protocol};

/// The code of a Rust file with line comments and doc comments taken out.
fn code_of(text: &str) -> String {
    text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

fn files(dir: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        // The audit is README's prose about the generators, not code that decides.
        if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("audit.rs") {
            out.push((path.display().to_string(), code_of(&std::fs::read_to_string(&path).unwrap())));
        }
    }
    out
}

fn has_number(code: &str, n: &str) -> bool {
    code.match_indices(n).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + n.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[test]
fn generators_and_faults_spell_no_bound_or_window() {
    for (path, code) in files("src/generate").into_iter().chain(files("src/emulator")) {
        for n in ["128", "129", "256", "257", "840", "841", "900", "960", "961"] {
            assert!(!has_number(&code, n), "{path} spells {n}: derive it from the rule table or the oracle");
        }
    }
}

#[test]
fn only_the_rule_table_spells_documented_codes_and_values() {
    let mut spelled: Vec<&str> = RULES.iter().flat_map(|r| r.errors.iter().map(|e| e.code)).collect();
    spelled.extend([protocol::ACTION, protocol::VERSION, protocol::SIGNATURE_METHOD]);
    spelled.sort_unstable();
    spelled.dedup();
    for dir in ["src/generate", "src/emulator", "src/wire", "src/harness", "src/report", "src/oracle"] {
        for (path, code) in files(dir) {
            // Test modules may write replies by hand.
            let code = code.split("#[cfg(test)]").next().unwrap_or_default();
            for word in &spelled {
                assert!(!code.contains(&format!("\"{word}\"")), "{path} spells \"{word}\"");
            }
        }
    }
}
