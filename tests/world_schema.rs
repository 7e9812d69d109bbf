//! `fixtures/world.schema.json` describes exactly what `World` reads and writes.
//!
//! The `jsonschema` crate (a maintained validator of the JSON Schema drafts) checks the
//! fixture worlds against the schema, and hand-made documents that serde refuses are
//! refused by the schema too.

use copyimage_conformance::model::World;
use serde_json::{Value, json};

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string("fixtures/world.schema.json").unwrap()).unwrap();
    jsonschema::meta::validate(&schema).expect("the schema is itself a valid JSON Schema");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator.iter_errors(doc).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

#[test]
fn the_default_world_file_and_its_serialization_match_the_schema() {
    let validator = validator();
    let file: Value = serde_json::from_str(copyimage_conformance::model::world::DEFAULT_WORLD_JSON).unwrap();
    assert_eq!(errors(&validator, &file), Vec::<String>::new());
    let written = serde_json::to_value(World::default_fixture()).unwrap();
    assert_eq!(errors(&validator, &written), Vec::<String>::new());
}

#[test]
fn what_serde_refuses_the_schema_refuses() {
    let validator = validator();
    let bad = [
        json!({"regions": [], "accounts": [], "extra": 1}),
        json!({"regions": [{"id": "r", "supports_copy": "yes"}], "accounts": []}),
        json!({"regions": [], "accounts": [], "images": [{"id": "m", "region": "r", "status": "Ready", "created_at": "2020-01-01T00:00:00Z"}]}),
        json!({"regions": [], "accounts": [{"id": "a", "access_keys": [{"id": "k"}]}]}),
        json!({"clock": {"mode": "frozen"}, "regions": [], "accounts": []}),
        json!({"regions": []}),
    ];
    for doc in bad {
        assert!(!validator.is_valid(&doc), "schema accepts {doc}");
        assert!(serde_json::from_value::<World>(doc.clone()).is_err(), "serde accepts {doc}");
    }
}

#[test]
fn every_world_the_repository_ships_matches_the_schema() {
    let validator = validator();
    let mut checked = 0;
    for dir in ["fixtures/worlds", "tests/regressions"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|ext| ext != "json") {
                continue;
            }
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            // A replay file holds its world under `world`; a world file is one.
            let world = doc.get("world").unwrap_or(&doc);
            assert_eq!(errors(&validator, world), Vec::<String>::new(), "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked} worlds checked");
}
