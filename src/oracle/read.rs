//! Reading an HTTP request into parameters, before any rule is applied.
//!
//! Owns where parameters come from (the query string, and a form body on POST), which
//! signature style a request uses, which format it asks for, and the two ways to read a
//! request whose parameters repeat (first value wins, last value wins). Pure and total:
//! any bytes give a [`Reading`].

use std::borrow::Cow;

use crate::model::{Format, HttpRequest};
use crate::wire::percent::parse_pairs;

/// The most body bytes a request may carry.
pub const MAX_BODY: usize = 1 << 20;

/// What format the reply must be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "format")]
pub enum FormatExpectation {
    /// Exactly this format.
    Exactly(Format),
    /// Either format ([`super::OpenPoint::FormatValue`]); the emulator answers this one.
    Either(Format),
}

impl FormatExpectation {
    /// The format the emulator writes.
    pub fn emulator(self) -> Format {
        match self {
            FormatExpectation::Exactly(f) | FormatExpectation::Either(f) => f,
        }
    }

    /// Whether a reply in `format` is acceptable.
    pub fn allows(self, format: Format) -> bool {
        match self {
            FormatExpectation::Exactly(f) => f == format,
            FormatExpectation::Either(_) => true,
        }
    }
}

/// Which repeated value a reading keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The first.
    First,
    /// The last.
    Last,
}

/// A request read into parameters.
#[derive(Clone, Debug)]
pub struct Reading {
    /// Decoded query pairs, in order.
    pub query: Vec<(Vec<u8>, Vec<u8>)>,
    /// Decoded form-body pairs, in order (POST with a form `Content-Type` only).
    pub form: Vec<(Vec<u8>, Vec<u8>)>,
    /// Whether the request is signed with V3 (`Authorization: ACS3-...`).
    pub v3: bool,
}

impl Reading {
    /// Reads a request.
    pub fn of(req: &HttpRequest) -> Reading {
        let query = parse_pairs(req.query().as_bytes());
        let is_form = req.header("content-type").is_some_and(|ct| {
            ct.trim_start().get(..33).is_some_and(|p| p.eq_ignore_ascii_case("application/x-www-form-urlencoded"))
        });
        let form = if req.method == "POST" && is_form && req.body.len() <= MAX_BODY {
            parse_pairs(&req.body)
        } else {
            Vec::new()
        };
        // Any ACS3 algorithm is a V3 request; one other than ACS3-HMAC-SHA256 is refused
        // as an incomplete signature, not read as V1.
        let v3 = req.header("authorization").is_some_and(|a| a.trim_start().starts_with("ACS3-"));
        Reading { query, form, v3 }
    }

    /// Every pair, query first.
    pub fn pairs(&self) -> impl Iterator<Item = &(Vec<u8>, Vec<u8>)> {
        self.query.iter().chain(self.form.iter())
    }

    /// Parameter names that are not UTF-8.
    pub fn bad_names(&self) -> Vec<String> {
        self.pairs()
            .filter(|(n, _)| std::str::from_utf8(n).is_err())
            .map(|(n, _)| String::from_utf8_lossy(n).into_owned())
            .collect()
    }

    /// Names given more than once, in first-seen order.
    pub fn repeated_names(&self) -> Vec<String> {
        let mut seen: Vec<&[u8]> = Vec::new();
        let mut repeated: Vec<String> = Vec::new();
        for (n, _) in self.pairs() {
            if seen.contains(&n.as_slice()) {
                let name = String::from_utf8_lossy(n).into_owned();
                if !repeated.contains(&name) {
                    repeated.push(name);
                }
            } else {
                seen.push(n);
            }
        }
        repeated
    }

    /// Parameters with one value per name.
    pub fn params(&self, keep: Keep) -> Params {
        let mut out: Vec<(String, Vec<u8>)> = Vec::new();
        for (n, v) in self.pairs() {
            let name = String::from_utf8_lossy(n).into_owned();
            match out.iter_mut().find(|(k, _)| *k == name) {
                Some(slot) if keep == Keep::Last => slot.1 = v.clone(),
                Some(_) => {}
                None => out.push((name, v.clone())),
            }
        }
        Params(out)
    }
}

/// Parameters with one value per name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params(pub Vec<(String, Vec<u8>)>);

impl Params {
    /// The value of a parameter.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }

    /// The value as text, invalid UTF-8 replaced by U+FFFD.
    pub fn text(&self, name: &str) -> Option<Cow<'_, str>> {
        self.get(name).map(String::from_utf8_lossy)
    }

    /// The format asked for: the `Format` parameter (any case), else JSON for V3 and
    /// XML for V1.
    pub fn format(&self, v3: bool) -> FormatExpectation {
        match self.get("Format") {
            None => FormatExpectation::Exactly(if v3 { Format::Json } else { Format::Xml }),
            Some(v) => match Format::from_param(v) {
                Some(f) => FormatExpectation::Exactly(f),
                None => FormatExpectation::Either(Format::Xml),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, target: &str, ct: Option<&str>, body: &str) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            target: target.into(),
            headers: ct.map(|c| vec![("content-type".to_string(), c.to_string())]).unwrap_or_default(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn query_and_form_parameters() {
        let r = Reading::of(&req(
            "POST",
            "/?A=1&B=x+y",
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            "C=3&A=9",
        ));
        assert_eq!(r.repeated_names(), ["A"]);
        assert_eq!(r.params(Keep::First).get("A"), Some(&b"1"[..]));
        assert_eq!(r.params(Keep::Last).get("A"), Some(&b"9"[..]));
        assert_eq!(r.params(Keep::First).text("B").as_deref(), Some("x y"));
        assert_eq!(r.params(Keep::First).get("C"), Some(&b"3"[..]));
    }

    #[test]
    fn bodies_without_form_type_or_on_get_are_not_parameters() {
        assert!(Reading::of(&req("POST", "/", Some("application/json"), "A=1")).form.is_empty());
        assert!(Reading::of(&req("GET", "/", Some("application/x-www-form-urlencoded"), "A=1")).form.is_empty());
    }

    #[test]
    fn formats() {
        let p = |q: &str| Reading::of(&req("GET", q, None, "")).params(Keep::First);
        assert_eq!(p("/?Format=json").format(false), FormatExpectation::Exactly(Format::Json));
        assert_eq!(p("/").format(false), FormatExpectation::Exactly(Format::Xml));
        assert_eq!(p("/").format(true), FormatExpectation::Exactly(Format::Json));
        assert_eq!(p("/?Format=yaml").format(false), FormatExpectation::Either(Format::Xml));
    }

    #[test]
    fn invalid_utf8_names_are_found() {
        let r = Reading::of(&req("GET", "/?%FF=1&ok=2", None, ""));
        assert_eq!(r.bad_names().len(), 1);
    }
}
