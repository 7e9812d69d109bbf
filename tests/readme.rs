//! README's generated tables equal what the code prints (`copyimage-conformance docs`).

#[test]
fn readme_tables_are_generated_from_the_code() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for (name, text) in copyimage_conformance::report::reference::sections() {
        let block = format!("<!-- generated:{name} -->\n{text}<!-- /generated:{name} -->");
        assert!(
            readme.contains(&block),
            "README's `{name}` section is out of date: run `cargo run -- docs` and paste the `{name}` block"
        );
    }
}

#[test]
fn readme_names_the_two_commands() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(readme.contains("cargo run --release") && readme.contains("cargo test"));
}
