//! Writing CopyImage replies as XML or JSON and reading any reply back.
//!
//! Owns the documented reply shapes (protocol.md §1 and the seed's examples):
//! `<CopyImageResponse>` with `RequestId` and `ImageId`, `<Error>` with `RequestId`,
//! `HostId`, `Code`, `Message` (and the gateway's `Recommend`), and their flat JSON
//! twins. [`parse`] reads whatever a target sends into a [`ParsedReply`] (root, fields,
//! value types) without judging it: comparing it with what was expected is the
//! harness's job; a body that is neither is a [`ReplyParseError`], never a panic.

use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::Event;
use serde::Serialize;

use crate::model::{Format, Reply};

/// `Content-Type` of XML replies.
pub const XML_CONTENT_TYPE: &str = "text/xml;charset=utf-8";
/// `Content-Type` of JSON replies.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";
/// Root element of a successful XML reply.
pub const SUCCESS_ROOT: &str = "CopyImageResponse";
/// Root element of an XML error reply.
pub const ERROR_ROOT: &str = "Error";

/// The troubleshooting link real gateways add to errors.
pub fn recommend_url(code: &str) -> String {
    format!("https://api.aliyun.com/troubleshoot?q={code}&product=Ecs")
}

/// Fields of a reply in document order.
pub fn fields(reply: &Reply) -> Vec<(&'static str, String)> {
    match reply {
        Reply::Success { request_id, image_id } => {
            vec![("RequestId", request_id.clone()), ("ImageId", image_id.clone())]
        }
        Reply::Error(e) => vec![
            ("RequestId", e.request_id.clone()),
            ("HostId", e.host_id.clone()),
            ("Code", e.code.clone()),
            ("Message", e.message.clone()),
            ("Recommend", recommend_url(&e.code)),
        ],
    }
}

/// The root element of a reply (XML).
pub fn root_of(reply: &Reply) -> &'static str {
    match reply {
        Reply::Success { .. } => SUCCESS_ROOT,
        Reply::Error(_) => ERROR_ROOT,
    }
}

/// Renders a reply: its `Content-Type` and body.
pub fn render(reply: &Reply, format: Format) -> (&'static str, Vec<u8>) {
    let fields = fields(reply);
    render_fields(root_of(reply), &fields, format)
}

/// The root element of a call's successful XML reply (`<DescribeImagesResponse>`).
pub fn success_root(action: crate::rules::protocol::Action) -> String {
    format!("{action}Response")
}

/// A field's value in a reply that is more than flat text: the companion calls' counts,
/// flags and lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Text.
    Text(String),
    /// An integer (a JSON number).
    Integer(u64),
    /// A flag (a JSON boolean).
    Bool(bool),
    /// A list: `<Images><Image>...</Image></Images>` in XML, `{"Images": {"Image":
    /// [...]}}` in JSON, as the pages' examples write them.
    List {
        /// The element of one item (`Image`).
        item: &'static str,
        /// The items, each its fields in order.
        items: Vec<Vec<(&'static str, Value)>>,
    },
}

impl Value {
    fn json(&self) -> serde_json::Value {
        match self {
            Value::Text(t) => serde_json::Value::String(t.clone()),
            Value::Integer(n) => serde_json::Value::from(*n),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::List { item, items } => {
                let items: Vec<serde_json::Value> = items
                    .iter()
                    .map(|fields| {
                        serde_json::Value::Object(fields.iter().map(|(k, v)| ((*k).to_owned(), v.json())).collect())
                    })
                    .collect();
                serde_json::json!({ *item: items })
            }
        }
    }

    fn xml(&self, name: &str, out: &mut String) {
        match self {
            Value::Text(t) => out.push_str(&format!("<{name}>{}</{name}>", escape(xml_chars(t).as_ref()))),
            Value::Integer(n) => out.push_str(&format!("<{name}>{n}</{name}>")),
            Value::Bool(b) => out.push_str(&format!("<{name}>{b}</{name}>")),
            Value::List { item, items } => {
                out.push_str(&format!("<{name}>"));
                for fields in items {
                    out.push_str(&format!("<{item}>"));
                    for (k, v) in fields {
                        v.xml(k, out);
                    }
                    out.push_str(&format!("</{item}>"));
                }
                out.push_str(&format!("</{name}>"));
            }
        }
    }
}

/// Renders flat text fields followed by structured ones: a companion call's reply.
/// [`render_fields`] is this with no structured fields.
pub fn render_values<K: AsRef<str>, V: AsRef<str>>(
    root: &str,
    fields: &[(K, V)],
    values: &[(String, Value)],
    format: Format,
) -> (&'static str, Vec<u8>) {
    match format {
        Format::Json => {
            let mut map: serde_json::Map<String, serde_json::Value> = fields
                .iter()
                .map(|(k, v)| (k.as_ref().to_owned(), serde_json::Value::String(v.as_ref().to_owned())))
                .collect();
            for (k, v) in values {
                map.insert(k.clone(), v.json());
            }
            (JSON_CONTENT_TYPE, serde_json::to_vec(&map).unwrap_or_default())
        }
        Format::Xml => {
            let mut out = String::from("<?xml version='1.0' encoding='UTF-8'?>");
            out.push_str(&format!("<{root}>"));
            for (k, v) in fields {
                let (k, v) = (k.as_ref(), v.as_ref());
                let v = xml_chars(v);
                if k == "Recommend" {
                    out.push_str(&format!("<{k}><![CDATA[{}]]></{k}>", v.replace("]]>", "]]]]><![CDATA[>")));
                } else {
                    out.push_str(&format!("<{k}>{}</{k}>", escape(v.as_ref())));
                }
            }
            for (k, v) in values {
                v.xml(k, &mut out);
            }
            out.push_str(&format!("</{root}>"));
            (XML_CONTENT_TYPE, out.into_bytes())
        }
    }
}

/// One item of a listed reply: its leaf fields as text, in order.
pub type Item = Vec<(String, String)>;

/// The items of a list in a reply (`Images`/`Image`, `Regions`/`Region`), each its
/// leaf fields as text (JSON numbers and booleans as written), deeper elements left
/// out. `Ok(None)` when the reply has no such list.
pub fn parse_items(body: &[u8], list: &str, item: &str) -> Result<Option<Vec<Item>>, ReplyParseError> {
    let text = std::str::from_utf8(body).map_err(|_| ReplyParseError::NotUtf8)?;
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('{') {
        let value: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|e| ReplyParseError::Json(e.to_string()))?;
        let Some(items) = value.get(list).and_then(|l| l.get(item)) else { return Ok(None) };
        let items: Vec<&serde_json::Value> = match items {
            serde_json::Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        let leaf = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        let rows = items
            .into_iter()
            .map(|i| {
                i.as_object()
                    .map(|o| o.iter().filter_map(|(k, v)| leaf(v).map(|t| (k.clone(), t))).collect())
                    .unwrap_or_default()
            })
            .collect();
        return Ok(Some(rows));
    }
    let mut reader = quick_xml::Reader::from_str(trimmed);
    let mut path: Vec<String> = Vec::new();
    let mut rows: Option<Vec<Item>> = None;
    loop {
        let event = reader.read_event().map_err(|e| ReplyParseError::Xml(e.to_string()))?;
        let in_list = path.len() >= 2 && path[1] == list;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name: String = e.name().as_ref().to_owned();
                match path.len() {
                    1 if name == list => {
                        rows.get_or_insert_with(Vec::new);
                    }
                    2 if in_list && name == item => rows.get_or_insert_with(Vec::new).push(Vec::new()),
                    3 if in_list && path[2] == item => {
                        if let Some(row) = rows.as_mut().and_then(|r| r.last_mut()) {
                            row.push((name.clone(), String::new()));
                        }
                    }
                    _ => {}
                }
                // An empty element opens nothing.
                if matches!(event, Event::Start(_)) {
                    path.push(name);
                }
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
                if path.len() == 4 && in_list && path[2] == item =>
            {
                let text = match &event {
                    Event::Text(t) => t.xml10_content().into_owned(),
                    Event::CData(t) => t.xml10_content().into_owned(),
                    Event::GeneralRef(r) => match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => resolve_predefined_entity(r).unwrap_or_default().to_owned(),
                    },
                    _ => String::new(),
                };
                if let Some((_, value)) = rows.as_mut().and_then(|r| r.last_mut()).and_then(|row| row.last_mut()) {
                    value.push_str(&text);
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(rows)
}

/// Renders fields under a root element (XML) or as a flat object (JSON). `Recommend`
/// is written as CDATA in XML, as real gateways do.
pub fn render_fields<K: AsRef<str>, V: AsRef<str>>(
    root: &str,
    fields: &[(K, V)],
    format: Format,
) -> (&'static str, Vec<u8>) {
    render_values(root, fields, &[], format)
}

/// Whether XML 1.0 can carry a character at all (its `Char` production); no escape
/// can write U+001B, for instance.
pub fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Text with every character XML cannot carry replaced by U+FFFD, so that a message
/// echoing hostile input stays well-formed.
fn xml_chars(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().all(xml_char) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.chars().map(|c| if xml_char(c) { c } else { '\u{FFFD}' }).collect())
    }
}

/// The type of a field's value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "type", content = "value")]
pub enum FieldValue {
    /// Text (an XML leaf element, a JSON string).
    Text(String),
    /// A JSON number, as written.
    Number(String),
    /// A JSON boolean.
    Bool(bool),
    /// JSON `null`.
    Null,
    /// A nested element or object; its field names.
    Nested(Vec<String>),
    /// A JSON array of this many items.
    Array(usize),
}

impl FieldValue {
    /// The type's name, for shape comparisons.
    pub fn type_name(&self) -> &'static str {
        match self {
            FieldValue::Text(_) => "string",
            FieldValue::Number(_) => "number",
            FieldValue::Bool(_) => "boolean",
            FieldValue::Null => "null",
            FieldValue::Nested(_) => "object",
            FieldValue::Array(_) => "array",
        }
    }
}

/// A reply body read without judgement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParsedReply {
    /// The format the body is written in.
    pub format: Format,
    /// XML root element name; `None` for JSON.
    pub root: Option<String>,
    /// Top-level fields in document order (duplicates kept).
    pub fields: Vec<(String, FieldValue)>,
}

impl ParsedReply {
    /// The first field of that name.
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The text of the first field of that name, if it is text.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(FieldValue::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// How many fields have that name.
    pub fn count(&self, name: &str) -> usize {
        self.fields.iter().filter(|(n, _)| n == name).count()
    }
}

/// Why a body could not be read as a reply.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum ReplyParseError {
    /// Nothing came.
    #[error("the body is empty")]
    Empty,
    /// Not UTF-8.
    #[error("the body is not UTF-8")]
    NotUtf8,
    /// Neither `<` nor `{` opens it.
    #[error("the body is neither XML nor JSON: {0}")]
    Neither(String),
    /// XML that does not parse.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// JSON that does not parse.
    #[error("malformed JSON: {0}")]
    Json(String),
    /// JSON whose top level is not an object.
    #[error("the JSON body is not an object")]
    JsonNotObject,
}

/// Reads a body as XML or JSON, whichever it is.
pub fn parse(body: &[u8]) -> Result<ParsedReply, ReplyParseError> {
    let text = std::str::from_utf8(body).map_err(|_| ReplyParseError::NotUtf8)?;
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    match trimmed.as_bytes().first() {
        None => Err(ReplyParseError::Empty),
        Some(b'<') => parse_xml(trimmed),
        Some(b'{') | Some(b'[') => parse_json(trimmed),
        Some(_) => Err(ReplyParseError::Neither(trimmed.chars().take(40).collect())),
    }
}

fn parse_json(text: &str) -> Result<ParsedReply, ReplyParseError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ReplyParseError::Json(e.to_string()))?;
    let serde_json::Value::Object(map) = value else {
        return Err(ReplyParseError::JsonNotObject);
    };
    let fields = map
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => FieldValue::Text(s),
                serde_json::Value::Number(n) => FieldValue::Number(n.to_string()),
                serde_json::Value::Bool(b) => FieldValue::Bool(b),
                serde_json::Value::Null => FieldValue::Null,
                serde_json::Value::Object(o) => FieldValue::Nested(o.keys().cloned().collect()),
                serde_json::Value::Array(a) => FieldValue::Array(a.len()),
            };
            (k, v)
        })
        .collect();
    Ok(ParsedReply { format: Format::Json, root: None, fields })
}

/// Text, CDATA or a resolved reference met at `depth`: inside the open field it is the
/// field's value; directly in the root or outside it, anything but blanks is refused;
/// deeper (inside a nested element) it is not kept.
fn field_text(
    depth: usize,
    child: Option<&mut (String, String, Vec<String>)>,
    text: &str,
) -> Result<(), ReplyParseError> {
    match (depth, child) {
        (2, Some((_, value, _))) => value.push_str(text),
        (0 | 1, _) if !text.trim().is_empty() => {
            return Err(ReplyParseError::Xml("text outside any field".into()));
        }
        _ => {}
    }
    Ok(())
}

fn parse_xml(text: &str) -> Result<ParsedReply, ReplyParseError> {
    // A strict XML parser refuses these; quick-xml would let them through.
    if let Some(c) = text.chars().find(|c| !xml_char(*c)) {
        return Err(ReplyParseError::Xml(format!("character U+{:04X} is not allowed in XML 1.0", c as u32)));
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let mut root: Option<String> = None;
    let mut fields: Vec<(String, FieldValue)> = Vec::new();
    // The open child of the root: its name, its text, its own children's names.
    let mut child: Option<(String, String, Vec<String>)> = None;
    let mut depth = 0usize;
    let mut root_closed = false;
    let name_of = |name: &str| name.to_owned();
    loop {
        let event = reader.read_event().map_err(|e| ReplyParseError::Xml(e.to_string()))?;
        match event {
            Event::Start(e) | Event::Empty(e) if root_closed => {
                return Err(ReplyParseError::Xml(format!("a second root element <{}>", name_of(e.name().as_ref()))));
            }
            Event::Start(e) => {
                let name = name_of(e.name().as_ref());
                match depth {
                    0 => root = Some(name),
                    1 => child = Some((name, String::new(), Vec::new())),
                    2 => {
                        if let Some((_, _, nested)) = child.as_mut() {
                            nested.push(name);
                        }
                    }
                    _ => {}
                }
                depth += 1;
            }
            Event::Empty(e) => {
                let name = name_of(e.name().as_ref());
                match depth {
                    0 => {
                        root = Some(name);
                        root_closed = true;
                    }
                    1 => fields.push((name, FieldValue::Text(String::new()))),
                    2 => {
                        if let Some((_, _, nested)) = child.as_mut() {
                            nested.push(name);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                match depth {
                    0 => root_closed = true,
                    1 => {
                        if let Some((name, text, nested)) = child.take() {
                            let value =
                                if nested.is_empty() { FieldValue::Text(text) } else { FieldValue::Nested(nested) };
                            fields.push((name, value));
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => field_text(depth, child.as_mut(), &t.xml10_content())?,
            Event::CData(t) => field_text(depth, child.as_mut(), &t.xml10_content())?,
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => resolve_predefined_entity(&r)
                        .map(str::to_owned)
                        .ok_or_else(|| ReplyParseError::Xml(format!("unknown entity &{};", &*r)))?,
                    Err(e) => return Err(ReplyParseError::Xml(e.to_string())),
                };
                if depth == 0 {
                    // XML allows references only inside an element.
                    return Err(ReplyParseError::Xml("a reference outside the root element".into()));
                }
                field_text(depth, child.as_mut(), &resolved)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(ReplyParseError::Xml("the document ends inside an element".into()));
    }
    let root = root.ok_or_else(|| ReplyParseError::Xml("no root element".into()))?;
    Ok(ParsedReply { format: Format::Xml, root: Some(root), fields })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ErrorReply;

    const SEED_XML: &str = "<CopyImageResponse>\n    <RequestId>C8B26B44-0189-443E-9816-D951F59623A9</RequestId>\n    <ImageId>Img-231234567</ImageId>\n</CopyImageResponse>";
    const SEED_JSON: &str =
        "{\n    \"RequestId\": \"C8B26B44-0189-443E-9816-D951F59623A9\",\n    \"ImageId\": \"Img-231234567\"\n}";

    #[test]
    fn seed_examples_parse() {
        for (body, format) in [(SEED_XML, Format::Xml), (SEED_JSON, Format::Json)] {
            let p = parse(body.as_bytes()).unwrap();
            assert_eq!(p.format, format);
            assert_eq!(p.text("RequestId"), Some("C8B26B44-0189-443E-9816-D951F59623A9"));
            assert_eq!(p.text("ImageId"), Some("Img-231234567"));
            assert_eq!(p.fields.len(), 2);
        }
        assert_eq!(parse(SEED_XML.as_bytes()).unwrap().root.as_deref(), Some("CopyImageResponse"));
    }

    fn error() -> Reply {
        Reply::Error(ErrorReply {
            request_id: "R".into(),
            host_id: "ecs.aliyuncs.com".into(),
            code: "SignatureDoesNotMatch".into(),
            message: "server string to sign is:POST&%2F&a%3D1 <&> ]]>".into(),
        })
    }

    #[test]
    fn rendered_replies_read_back_in_both_formats() {
        for format in Format::ALL {
            let (_, body) = render(&error(), format);
            let p = parse(&body).unwrap();
            assert_eq!(p.format, format);
            assert_eq!(p.text("Code"), Some("SignatureDoesNotMatch"));
            assert_eq!(p.text("Message"), Some("server string to sign is:POST&%2F&a%3D1 <&> ]]>"));
            assert_eq!(p.text("Recommend").map(|r| r.contains("SignatureDoesNotMatch")), Some(true));
        }
        let (_, body) = render(&error(), Format::Xml);
        assert_eq!(parse(&body).unwrap().root.as_deref(), Some("Error"));
    }

    #[test]
    fn broken_bodies_are_errors_not_panics() {
        for (body, want) in [
            (&b""[..], ReplyParseError::Empty),
            (b"   ", ReplyParseError::Empty),
            (b"\xff\xfe", ReplyParseError::NotUtf8),
            (b"[1,2]", ReplyParseError::JsonNotObject),
        ] {
            assert_eq!(parse(body).unwrap_err(), want);
        }
        refused(&[
            b"<Error><Code>x</Code>",
            b"<a></b>",
            b"{\"a\":",
            b"hello",
            b"<a/><b/>",
            b"<a>&bogus;</a>",
            b"<a><b>\x1b</b></a>",
        ]);
    }

    fn refused(bodies: &[&[u8]]) {
        for body in bodies {
            assert!(parse(body).is_err(), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn xml_structure_is_read_at_the_right_depths() {
        let p = parse(b"<R><A>x&amp;y<![CDATA[<z>]]></A><B><C>deep &lt;</C><D/></B><A>second</A></R>").unwrap();
        assert_eq!(p.root.as_deref(), Some("R"));
        assert_eq!(p.text("A"), Some("x&y<z>"));
        assert_eq!(p.count("A"), 2);
        assert_eq!(p.count("Z"), 0);
        // Text and references below a field's children do not leak into the field.
        assert_eq!(p.get("B"), Some(&FieldValue::Nested(vec!["C".into(), "D".into()])));
        assert_eq!(p.fields.len(), 3);
        // A root written as an empty element.
        let empty = parse(b"<Error/>").unwrap();
        assert_eq!((empty.root.as_deref(), empty.fields.len()), (Some("Error"), 0));
        // Text or a reference directly under the root, or outside it, is not a reply.
        refused(&[
            b"<R>text<A>x</A></R>",
            b"<R>&amp;<A>x</A></R>",
            b"&amp;<R/>",
            b"<R><A>x</A></R><S/>",
            b"<R><![CDATA[text]]><A>x</A></R>",
            b"<R><A>x</A></R>after",
            b"&#32;<R><A>x</A></R>",
            b"<R><A>x</A></R>&#32;",
        ]);
        assert!(parse(b"<R>  \n  <A>x</A>\n</R>").is_ok(), "white space between fields is fine");
    }

    #[test]
    fn messages_echoing_control_characters_stay_well_formed_xml() {
        let r = Reply::Error(ErrorReply {
            request_id: "R".into(),
            host_id: "h".into(),
            code: "InvalidParameter".into(),
            message: "The parameter a\u{1b}b\u{0}c is specified more than once.".into(),
        });
        let (_, body) = render(&r, Format::Xml);
        let p = parse(&body).unwrap();
        assert_eq!(p.text("Message"), Some("The parameter a\u{fffd}b\u{fffd}c is specified more than once."));
        // JSON carries them escaped.
        let (_, body) = render(&r, Format::Json);
        assert!(parse(&body).unwrap().text("Message").unwrap().contains('\u{1b}'));
    }

    #[test]
    fn nested_and_typed_values() {
        let p = parse(br#"{"RequestId":"x","Data":{"ImageId":"m"},"N":1,"B":true,"Z":null,"A":[1]}"#).unwrap();
        assert_eq!(p.get("Data"), Some(&FieldValue::Nested(vec!["ImageId".into()])));
        assert_eq!(p.get("N").map(FieldValue::type_name), Some("number"));
        assert_eq!(p.get("B"), Some(&FieldValue::Bool(true)));
        assert_eq!(p.get("Z"), Some(&FieldValue::Null));
        assert_eq!(p.get("A"), Some(&FieldValue::Array(1)));
        let p = parse(b"<R><Data><ImageId>m</ImageId></Data><E/></R>").unwrap();
        assert_eq!(p.get("Data"), Some(&FieldValue::Nested(vec!["ImageId".into()])));
        assert_eq!(p.text("E"), Some(""));
    }
}
