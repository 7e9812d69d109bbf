//! `fixtures/world.schema.json` describes exactly what `World` reads and writes.
//!
//! A small validator for the subset of JSON Schema the file uses (type, enum,
//! properties, required, additionalProperties, items, $ref, oneOf, minimum) checks the
//! fixture worlds against the schema, and hand-made documents that serde refuses are
//! refused by the schema too.

use copyimage_conformance::model::World;
use serde_json::{Value, json};

fn schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string("fixtures/world.schema.json").unwrap()).unwrap()
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/$defs/");
            &root["$defs"][name]
        }
        None => node,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

fn validate(root: &Value, node: &Value, v: &Value, path: &str) -> Result<(), String> {
    let node = resolve(root, node);
    if let Some(options) = node.get("oneOf").and_then(Value::as_array) {
        let ok = options.iter().filter(|o| validate(root, o, v, path).is_ok()).count();
        return if ok == 1 { Ok(()) } else { Err(format!("{path}: {ok} oneOf branches match")) };
    }
    match node.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => return Err(format!("{path}: not {t}")),
        Some(Value::Array(ts)) if !ts.iter().any(|t| type_ok(t.as_str().unwrap_or(""), v)) => {
            return Err(format!("{path}: none of {ts:?}"));
        }
        _ => {}
    }
    if let Some(e) = node.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            return Err(format!("{path}: {v} not in {e:?}"));
        }
    }
    if let (Some(min), Some(n)) = (node.get("minimum").and_then(Value::as_i64), v.as_i64()) {
        if n < min {
            return Err(format!("{path}: {n} < {min}"));
        }
    }
    if let Some(obj) = v.as_object() {
        let props = node.get("properties").and_then(Value::as_object);
        for r in node.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !obj.contains_key(r.as_str().unwrap_or("")) {
                return Err(format!("{path}: missing {r}"));
            }
        }
        for (k, child) in obj {
            match (props.and_then(|p| p.get(k)), node.get("additionalProperties")) {
                (Some(s), _) => validate(root, s, child, &format!("{path}.{k}"))?,
                (None, Some(Value::Bool(false))) => return Err(format!("{path}: unexpected {k}")),
                (None, Some(s @ Value::Object(_))) => validate(root, s, child, &format!("{path}.{k}"))?,
                _ => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (node.get("items"), v.as_array()) {
        for (i, child) in arr.iter().enumerate() {
            validate(root, items, child, &format!("{path}[{i}]"))?;
        }
    }
    Ok(())
}

#[test]
fn the_default_world_file_and_its_serialization_match_the_schema() {
    let root = schema();
    let file: Value = serde_json::from_str(copyimage_conformance::model::world::DEFAULT_WORLD_JSON).unwrap();
    validate(&root, &root, &file, "$").unwrap();
    let written = serde_json::to_value(World::default_fixture()).unwrap();
    validate(&root, &root, &written, "$").unwrap();
}

#[test]
fn what_serde_refuses_the_schema_refuses() {
    let root = schema();
    let bad = [
        json!({"regions": [], "accounts": [], "extra": 1}),
        json!({"regions": [{"id": "r", "supports_copy": "yes"}], "accounts": []}),
        json!({"regions": [], "accounts": [], "images": [{"id": "m", "region": "r", "status": "Ready", "created_at": "2020-01-01T00:00:00Z"}]}),
        json!({"regions": [], "accounts": [{"id": "a", "access_keys": [{"id": "k"}]}]}),
        json!({"clock": {"mode": "frozen"}, "regions": [], "accounts": []}),
        json!({"regions": []}),
    ];
    for doc in bad {
        assert!(validate(&root, &root, &doc, "$").is_err(), "schema accepts {doc}");
        assert!(serde_json::from_value::<World>(doc.clone()).is_err(), "serde accepts {doc}");
    }
}
