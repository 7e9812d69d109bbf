//! Reply shapes: a reply reduced to what its format promises, for snapshots.
//!
//! Owns [`ReplyShape`] (status, format, `Content-Type`, root element, fields with their
//! value types and values), the redaction of values that change from run to run or must
//! not be recorded (by field and by the value's form: a UUID `RequestId` becomes
//! `[REQUEST_ID]`, an image id `[IMAGE_ID]`, an access key id `[ACCESS_KEY_ID]`), and
//! [`diff`], which lists every difference of shape between a recorded reply and a new
//! one: element or key added, missing or renamed, root element, status, Code, value
//! type, format. The insta snapshots of the emulator and the `snapshot` command share it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::harness::compare::well_formed_request_id;
use crate::model::{Format, HttpReply};
use crate::wire::reply::{self, FieldValue};

/// One field of a reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldShape {
    /// The value's type: string, number, boolean, null, object, array.
    #[serde(rename = "type")]
    pub kind: String,
    /// The value (text, or a summary for nested values), redacted where it varies.
    pub value: String,
}

/// A reply reduced to its shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyShape {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, without parameters' spacing differences.
    pub content_type: Option<String>,
    /// The body's format, if it parsed.
    pub format: Option<Format>,
    /// XML root element.
    pub root: Option<String>,
    /// Field names in document order (repeats kept).
    pub order: Vec<String>,
    /// Fields by name (the first of repeated names).
    pub fields: BTreeMap<String, FieldShape>,
    /// Why the body did not parse, if it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The lists of a companion call's reply (`Images`, `Regions`): how many items and
    /// the first item's fields.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lists: BTreeMap<String, ListShape>,
}

/// A list in a reply, reduced to its shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListShape {
    /// The element of one item (`Image`).
    pub item: String,
    /// How many items.
    pub count: usize,
    /// The first item's fields, with their value types.
    pub first: BTreeMap<String, FieldShape>,
}

/// The lists the companion calls' replies hold: list and item names.
const LISTS: [(&str, &str); 2] = [("Images", "Image"), ("Regions", "Region")];

/// The lists of a body: from JSON with each value's type, from XML as text.
fn lists(body: &[u8], format: Format) -> BTreeMap<String, ListShape> {
    let mut out = BTreeMap::new();
    for (list, item) in LISTS {
        let Ok(Some(items)) = reply::parse_items(body, list, item) else { continue };
        let json: Option<serde_json::Value> =
            if format == Format::Json { serde_json::from_slice(body).ok() } else { None };
        let first_json = json.as_ref().and_then(|j| j.get(list)?.get(item)?.get(0).cloned());
        let kind = |name: &str| match first_json.as_ref().and_then(|f| f.get(name)) {
            Some(serde_json::Value::Number(_)) => "number",
            Some(serde_json::Value::Bool(_)) => "boolean",
            _ => "string",
        };
        let first = items
            .first()
            .map(|fields| {
                fields.iter().map(|(n, v)| (n.clone(), FieldShape { kind: kind(n).into(), value: v.clone() })).collect()
            })
            .unwrap_or_default();
        out.insert(list.to_owned(), ListShape { item: item.to_owned(), count: items.len(), first });
    }
    out
}

impl ReplyShape {
    /// The `Code` field's value.
    pub fn code(&self) -> Option<&str> {
        self.fields.get("Code").map(|f| f.value.as_str())
    }
}

/// Reduces a reply to its shape. Values are kept as they are; see [`redact`].
pub fn shape(reply: &HttpReply) -> ReplyShape {
    let content_type = reply.content_type().map(|c| c.replace(' ', "").to_ascii_lowercase());
    match reply::parse(&reply.body) {
        Err(e) => ReplyShape {
            status: reply.status,
            content_type,
            format: None,
            root: None,
            order: Vec::new(),
            fields: BTreeMap::new(),
            problem: Some(e.to_string()),
            lists: BTreeMap::new(),
        },
        Ok(p) => {
            let mut fields = BTreeMap::new();
            for (name, value) in &p.fields {
                let text = match value {
                    FieldValue::Text(t) | FieldValue::Number(t) => t.clone(),
                    FieldValue::Bool(b) => b.to_string(),
                    FieldValue::Null => "null".into(),
                    FieldValue::Nested(keys) => format!("{{{}}}", keys.join(",")),
                    FieldValue::Array(n) => format!("[{n} items]"),
                };
                fields.entry(name.clone()).or_insert(FieldShape { kind: value.type_name().into(), value: text });
            }
            ReplyShape {
                status: reply.status,
                content_type,
                format: Some(p.format),
                root: p.root,
                order: p.fields.iter().map(|(n, _)| n.clone()).collect(),
                fields,
                problem: None,
                lists: lists(&reply.body, p.format),
            }
        }
    }
}

/// Redacts what varies between runs or must not be recorded: a well-formed `RequestId`
/// becomes `[REQUEST_ID]`, an image id in `ImageId` `[IMAGE_ID]`, and each of
/// `key_ids` anywhere in a value `[ACCESS_KEY_ID]`. A malformed value is left as it
/// is, so a snapshot shows it.
pub fn redact(shape: &mut ReplyShape, key_ids: &[&str]) {
    for (name, field) in shape.fields.iter_mut() {
        match name.as_str() {
            "RequestId" if field.kind == "string" && well_formed_request_id(&field.value) => {
                field.value = "[REQUEST_ID]".into();
            }
            "ImageId" if field.kind == "string" && crate::model::image_id::looks_like(&field.value) => {
                field.value = "[IMAGE_ID]".into()
            }
            _ => {
                for id in key_ids.iter().filter(|id| !id.is_empty()) {
                    if field.value.contains(id) {
                        field.value = field.value.replace(id, "[ACCESS_KEY_ID]");
                    }
                }
            }
        }
    }
}

/// A difference of shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "difference", rename_all = "kebab-case")]
pub enum ShapeDiff {
    /// Another HTTP status.
    Status {
        /// Recorded.
        recorded: u16,
        /// Now.
        observed: u16,
    },
    /// Another format, or no readable body.
    Format {
        /// Recorded.
        recorded: Option<Format>,
        /// Now.
        observed: Option<Format>,
    },
    /// Another root element.
    Root {
        /// Recorded.
        recorded: Option<String>,
        /// Now.
        observed: Option<String>,
    },
    /// Another `Code`.
    Code {
        /// Recorded.
        recorded: Option<String>,
        /// Now.
        observed: Option<String>,
    },
    /// A field that is gone.
    Missing {
        /// Its name.
        field: String,
    },
    /// A field that is new.
    Added {
        /// Its name.
        field: String,
    },
    /// A field under another name (one missing, one added, same type).
    Renamed {
        /// Recorded name.
        from: String,
        /// New name.
        to: String,
    },
    /// A field whose value changed type.
    ValueType {
        /// The field.
        field: String,
        /// Recorded type.
        recorded: String,
        /// New type.
        observed: String,
    },
}

impl fmt::Display for ShapeDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeDiff::Status { recorded, observed } => write!(f, "status {recorded} is now {observed}"),
            ShapeDiff::Format { recorded, observed } => {
                write!(f, "format {} is now {}", shown(recorded), shown(observed))
            }
            ShapeDiff::Root { recorded, observed } => {
                write!(f, "root element {} is now {}", shown(recorded), shown(observed))
            }
            ShapeDiff::Code { recorded, observed } => write!(f, "Code {} is now {}", shown(recorded), shown(observed)),
            ShapeDiff::Missing { field } => write!(f, "field {field} is missing"),
            ShapeDiff::Added { field } => write!(f, "field {field} was added"),
            ShapeDiff::Renamed { from, to } => write!(f, "field {from} was renamed {to}"),
            ShapeDiff::ValueType { field, recorded, observed } => {
                write!(f, "field {field} was a {recorded}, is now a {observed}")
            }
        }
    }
}

/// A recorded or observed value in a difference: quoted, or `none` where there was none.
fn shown(value: &Option<impl fmt::Display>) -> String {
    value.as_ref().map_or_else(|| "none".to_owned(), |v| format!("\"{v}\""))
}

/// Every difference of shape between a recorded reply and a new one.
pub fn diff(recorded: &ReplyShape, observed: &ReplyShape) -> Vec<ShapeDiff> {
    let mut out = Vec::new();
    if recorded.status != observed.status {
        out.push(ShapeDiff::Status { recorded: recorded.status, observed: observed.status });
    }
    if recorded.format != observed.format {
        out.push(ShapeDiff::Format { recorded: recorded.format, observed: observed.format });
    }
    if recorded.root != observed.root {
        out.push(ShapeDiff::Root { recorded: recorded.root.clone(), observed: observed.root.clone() });
    }
    if recorded.code() != observed.code() {
        out.push(ShapeDiff::Code {
            recorded: recorded.code().map(str::to_owned),
            observed: observed.code().map(str::to_owned),
        });
    }
    fields_diff("", &recorded.fields, &observed.fields, &mut out);
    for (name, r) in &recorded.lists {
        if let Some(o) = observed.lists.get(name) {
            fields_diff(&format!("{name}.{}.", r.item), &r.first, &o.first, &mut out);
        }
    }
    out
}

/// The differences between two sets of fields, named with `prefix`.
fn fields_diff(
    prefix: &str,
    recorded: &BTreeMap<String, FieldShape>,
    observed: &BTreeMap<String, FieldShape>,
    out: &mut Vec<ShapeDiff>,
) {
    let named = |f: &String| format!("{prefix}{f}");
    let missing: Vec<&String> = recorded.keys().filter(|k| !observed.contains_key(*k)).collect();
    let added: Vec<&String> = observed.keys().filter(|k| !recorded.contains_key(*k)).collect();
    if let ([from], [to]) = (missing.as_slice(), added.as_slice()) {
        if recorded[*from].kind == observed[*to].kind {
            out.push(ShapeDiff::Renamed { from: named(from), to: named(to) });
        } else {
            out.push(ShapeDiff::Missing { field: named(from) });
            out.push(ShapeDiff::Added { field: named(to) });
        }
    } else {
        out.extend(missing.into_iter().map(|f| ShapeDiff::Missing { field: named(f) }));
        out.extend(added.into_iter().map(|f| ShapeDiff::Added { field: named(f) }));
    }
    for (name, r) in recorded {
        if let Some(o) = observed.get(name) {
            if r.kind != o.kind {
                out.push(ShapeDiff::ValueType {
                    field: named(name),
                    recorded: r.kind.clone(),
                    observed: o.kind.clone(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &str) -> HttpReply {
        HttpReply::new(status, Some("text/xml; charset=utf-8"), body.as_bytes().to_vec())
    }

    const OK: &str = "<Error><RequestId>C8B26B44-0189-443E-9816-D951F59623A9</RequestId><HostId>h</HostId><Code>X</Code><Message>m testid</Message></Error>";

    #[test]
    fn a_lists_items_are_shaped_and_their_changes_named() {
        let body = |item: &str| {
            format!(
                r#"{{"RequestId":"C8B26B44-0189-443E-9816-D951F59623A9","Images":{{"Image":[{item},{{"ImageId":"m-2"}}]}}}}"#
            )
        };
        let json = |b: String| HttpReply::new(200, Some("application/json"), b.into_bytes());
        let recorded = shape(&json(body(r#"{"ImageId":"m-1","IsCopied":true,"Status":"Available"}"#)));
        let list = &recorded.lists["Images"];
        assert_eq!((list.item.as_str(), list.count), ("Image", 2));
        assert_eq!(list.first["IsCopied"].kind, "boolean");
        assert_eq!(list.first["Status"].value, "Available");
        let observed = shape(&json(body(r#"{"ImageId":"m-1","IsCopied":"true","State":"Available"}"#)));
        let diffs: Vec<String> = diff(&recorded, &observed).iter().map(ToString::to_string).collect();
        assert!(diffs.contains(&"field Images.Image.Status was renamed Images.Image.State".to_owned()), "{diffs:?}");
        assert!(diffs.contains(&"field Images.Image.IsCopied was a boolean, is now a string".to_owned()), "{diffs:?}");
        // A reply without lists has none, and its recorded form is unchanged.
        assert!(shape(&reply(400, OK)).lists.is_empty());
    }

    #[test]
    fn redaction_by_field_and_form() {
        let mut s = shape(&reply(400, OK));
        redact(&mut s, &["testid"]);
        assert_eq!(s.fields["RequestId"].value, "[REQUEST_ID]");
        assert_eq!(s.fields["Message"].value, "m [ACCESS_KEY_ID]");
        let mut bad = shape(&reply(400, &OK.replace("C8B26B44-0189-443E-9816-D951F59623A9", "not-a-uuid")));
        redact(&mut bad, &[]);
        assert_eq!(bad.fields["RequestId"].value, "not-a-uuid");
        assert_eq!(s.content_type.as_deref(), Some("text/xml;charset=utf-8"));
    }

    #[test]
    fn every_kind_of_difference_is_told() {
        let base = shape(&reply(400, OK));
        assert!(diff(&base, &base).is_empty());
        let other = shape(&reply(
            403,
            &OK.replace("<Error>", "<Response>")
                .replace("</Error>", "</Response>")
                .replace("<Code>X</Code>", "<Code>Y</Code>"),
        ));
        let d = diff(&base, &other);
        assert!(d.contains(&ShapeDiff::Status { recorded: 400, observed: 403 }));
        assert!(d.iter().any(|x| matches!(x, ShapeDiff::Root { .. })));
        assert!(d.iter().any(|x| matches!(x, ShapeDiff::Code { .. })));
        let renamed = shape(&reply(400, &OK.replace("HostId>", "Host>")));
        assert_eq!(diff(&base, &renamed), vec![ShapeDiff::Renamed { from: "HostId".into(), to: "Host".into() }]);
        let missing = shape(&reply(400, &OK.replace("<HostId>h</HostId>", "")));
        assert_eq!(diff(&base, &missing), vec![ShapeDiff::Missing { field: "HostId".into() }]);
        let json = shape(&HttpReply::new(
            400,
            None,
            br#"{"RequestId":"C8B26B44-0189-443E-9816-D951F59623A9","HostId":1,"Code":"X","Message":"m"}"#.to_vec(),
        ));
        let d = diff(&base, &json);
        assert!(d.iter().any(|x| matches!(x, ShapeDiff::Format { .. })));
        assert!(d.contains(&ShapeDiff::ValueType {
            field: "HostId".into(),
            recorded: "string".into(),
            observed: "number".into()
        }));
    }

    #[test]
    fn differences_read_as_sentences() {
        let code = ShapeDiff::Code { recorded: Some("X".into()), observed: None };
        assert_eq!(code.to_string(), r#"Code "X" is now none"#);
        let format = ShapeDiff::Format { recorded: Some(Format::Xml), observed: Some(Format::Json) };
        assert_eq!(format.to_string(), format!(r#"format "{}" is now "{}""#, Format::Xml, Format::Json));
        let root = ShapeDiff::Root { recorded: None, observed: Some("Error".into()) };
        assert_eq!(root.to_string(), r#"root element none is now "Error""#);
    }
}
