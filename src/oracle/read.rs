//! Reading an HTTP request into parameters, before any rule is applied.
//!
//! Owns where parameters come from (the query string, and a form body), which signature
//! style a request uses, which format it asks for, and the [`Mode`]s a server may read
//! one request in where the documents leave it free: a body past the limit refused or
//! read whole, form bodies of POST only or of any method, and for repeated names the
//! value kept (first or last) and what the signature covers (every pair as sent, or the
//! parameters as read) in which order. [`Reading::modes`] lists only the modes that
//! make a difference to this request, so most requests have one. Pure and total: any
//! bytes give a [`Reading`]; parsing is linear in the request's size.

use std::borrow::Cow;
use std::collections::HashMap;

use super::open::{OpenPoint, Readings};
use crate::model::{Format, HttpRequest};
use crate::wire::percent::{PairOrder, parse_pairs};

/// The most body bytes the built-in emulator reads by default (its own limit, point
/// `body-limit`).
pub const MAX_BODY: usize = 1 << 20;
/// The most body bytes it reads under `body-limit=none`.
pub const MAX_BODY_WHOLE: usize = 16 << 20;

/// What format the reply must be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "format")]
pub enum FormatExpectation {
    /// Exactly this format.
    Exactly(Format),
    /// Either format; the emulator answers this one.
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

    /// What either of two expectations allows, this one's emulator format kept.
    pub fn or(self, other: FormatExpectation) -> FormatExpectation {
        match (self, other) {
            (FormatExpectation::Exactly(a), FormatExpectation::Exactly(b)) if a == b => self,
            _ => FormatExpectation::Either(self.emulator()),
        }
    }

    /// Either format, the emulator writing `format`.
    pub fn widened(self, format: Format) -> FormatExpectation {
        FormatExpectation::Either(format)
    }
}

/// Which repeated value a reading keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keep {
    /// The first.
    First,
    /// The last.
    Last,
}

/// What the string to sign covers when a name repeats (point `signature-pairs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signed {
    /// Every pair as sent.
    AsSent,
    /// The parameters as read, one value per name.
    AsRead,
}

/// One way of reading a request (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mode {
    /// A body past [`MAX_BODY`] is read whole instead of refused.
    pub whole_body: bool,
    /// Form bodies are read whatever the method, not only on POST.
    pub form_any_method: bool,
    /// Which value of a repeated name is kept.
    pub keep: Keep,
    /// What the signature covers when a name repeats.
    pub signed: Signed,
    /// The order pairs of one name are signed in.
    pub order: PairOrder,
}

impl Mode {
    /// The mode a server with these readings reads in.
    pub fn of(readings: &Readings) -> Mode {
        Mode {
            whole_body: readings.is(OpenPoint::BodyLimit, "none"),
            form_any_method: readings.is(OpenPoint::FormBodyMethods, "any-method"),
            keep: if readings.is(OpenPoint::DuplicateParameter, "last-value") { Keep::Last } else { Keep::First },
            signed: if readings.is(OpenPoint::SignaturePairs, "as-read") { Signed::AsRead } else { Signed::AsSent },
            order: if readings.is(OpenPoint::SignatureSort, "name-only") {
                PairOrder::NameOnly
            } else {
                PairOrder::NameThenValue
            },
        }
    }
}

impl Default for Mode {
    fn default() -> Self {
        Mode::of(&Readings::emulator())
    }
}

/// A decoded `(name, value)` pair.
pub type Pair = (Vec<u8>, Vec<u8>);

/// A request read into parameters.
#[derive(Clone, Debug)]
pub struct Reading {
    /// Decoded query pairs, in order.
    pub query: Vec<Pair>,
    /// Decoded form-body pairs, in order (a form `Content-Type`, whatever the method).
    pub form: Vec<Pair>,
    /// Whether the request is signed with V3 (`Authorization: ACS3-...`).
    pub v3: bool,
    /// Whether the method is POST.
    post: bool,
    /// Whether the body is larger than [`MAX_BODY`].
    oversize: bool,
}

impl Reading {
    /// Reads a request.
    pub fn of(req: &HttpRequest) -> Reading {
        Reading::read(req, true)
    }

    /// Reads a request as a server with `readings` does: a body it refuses for its
    /// size is not parsed (its [`Mode`]s other than that server's are then not
    /// meaningful).
    pub fn of_as(req: &HttpRequest, readings: &Readings) -> Reading {
        Reading::read(req, req.body.len() <= MAX_BODY || Mode::of(readings).whole_body)
    }

    fn read(req: &HttpRequest, parse_body: bool) -> Reading {
        let query = parse_pairs(req.query().as_bytes());
        let is_form = req.header("content-type").is_some_and(|ct| {
            ct.trim_start().get(..33).is_some_and(|p| p.eq_ignore_ascii_case("application/x-www-form-urlencoded"))
        });
        let form = if is_form && parse_body { parse_pairs(&req.body) } else { Vec::new() };
        // Any ACS3 algorithm is a V3 request; one other than ACS3-HMAC-SHA256 is refused
        // as an incomplete signature, not read as V1.
        let v3 = req.header("authorization").is_some_and(|a| a.trim_start().starts_with("ACS3-"));
        Reading { query, form, v3, post: req.method == "POST", oversize: req.body.len() > MAX_BODY }
    }

    /// Every value a server may take for the request's signature nonce, in any mode:
    /// each `SignatureNonce` pair and the V3 header.
    pub fn nonce_values(&self, req: &HttpRequest) -> Vec<Vec<u8>> {
        let mut values: Vec<Vec<u8>> = self
            .query
            .iter()
            .chain(&self.form)
            .filter(|(n, _)| n == b"SignatureNonce")
            .map(|(_, v)| v.clone())
            .collect();
        values.extend(req.header_values("x-acs-signature-nonce").map(|v| v.as_bytes().to_vec()));
        values
    }

    /// Whether the body is past the limit and `mode` refuses it.
    pub fn refused_for_size(&self, mode: Mode) -> bool {
        self.oversize && !mode.whole_body
    }

    /// Whether the form body carries parameters in `mode`.
    fn form_read(&self, mode: Mode) -> bool {
        (self.post || mode.form_any_method) && !self.refused_for_size(mode)
    }

    /// Every pair read in `mode`, query first.
    pub fn pairs(&self, mode: Mode) -> impl Iterator<Item = &Pair> {
        let form: &[Pair] = if self.form_read(mode) { &self.form } else { &[] };
        self.query.iter().chain(form.iter())
    }

    /// Parameter names that are not UTF-8.
    pub fn bad_names(&self, mode: Mode) -> Vec<String> {
        self.pairs(mode)
            .filter(|(n, _)| std::str::from_utf8(n).is_err())
            .map(|(n, _)| String::from_utf8_lossy(n).into_owned())
            .collect()
    }

    /// Names given more than once, in first-seen order.
    pub fn repeated_names(&self, mode: Mode) -> Vec<String> {
        let mut seen: HashMap<&[u8], bool> = HashMap::new();
        let mut repeated: Vec<String> = Vec::new();
        for (n, _) in self.pairs(mode) {
            match seen.get_mut(n.as_slice()) {
                Some(reported) if !*reported => {
                    *reported = true;
                    repeated.push(String::from_utf8_lossy(n).into_owned());
                }
                Some(_) => {}
                None => {
                    seen.insert(n, false);
                }
            }
        }
        repeated
    }

    /// Parameters with one value per name, as `mode` keeps them.
    pub fn params(&self, mode: Mode) -> Params {
        keep_one(self.pairs(mode), mode.keep)
    }

    /// The modes a server may read this request in, the one of `readings` first, each
    /// once: only what makes a difference to this request is varied.
    pub fn modes(&self, readings: &Readings) -> Vec<Mode> {
        let chosen = Mode::of(readings);
        let mut modes: Vec<Mode> = Vec::new();
        let bodies: &[bool] = if self.oversize { &[false, true] } else { &[false] };
        let forms: &[bool] = if !self.post && !self.form.is_empty() { &[false, true] } else { &[false] };
        for &whole_body in bodies {
            for &form_any_method in forms {
                let base = Mode { whole_body, form_any_method, ..Mode::default() };
                if self.refused_for_size(base) || self.repeated_names(base).is_empty() {
                    modes.push(base);
                    continue;
                }
                let orders_differ = self.orders_differ(base);
                for keep in [Keep::First, Keep::Last] {
                    for signed in [Signed::AsSent, Signed::AsRead] {
                        for order in [PairOrder::NameThenValue, PairOrder::NameOnly] {
                            if order == PairOrder::NameOnly && (!orders_differ || signed == Signed::AsRead) {
                                continue;
                            }
                            modes.push(Mode { whole_body, form_any_method, keep, signed, order });
                        }
                    }
                }
            }
        }
        // The chosen mode, made to fit what this request varies, goes first.
        let fitted = self.fit(chosen);
        if let Some(at) = modes.iter().position(|m| *m == fitted) {
            let first = modes.remove(at);
            modes.insert(0, first);
        }
        modes
    }

    /// `mode` with what makes no difference to this request set to the default.
    fn fit(&self, mode: Mode) -> Mode {
        let default = Mode::default();
        let base = Mode {
            whole_body: mode.whole_body && self.oversize,
            form_any_method: mode.form_any_method && !self.post && !self.form.is_empty(),
            ..default
        };
        if self.refused_for_size(base) || self.repeated_names(base).is_empty() {
            return base;
        }
        let order = if mode.signed == Signed::AsRead || !self.orders_differ(base) { default.order } else { mode.order };
        Mode { keep: mode.keep, signed: mode.signed, order, ..base }
    }

    /// Whether signing repeated names by name only (in the order sent) and by name then
    /// value give different strings.
    fn orders_differ(&self, mode: Mode) -> bool {
        let signed: Vec<&Pair> = if self.v3 { self.query.iter().collect() } else { self.pairs(mode).collect() };
        let mut by_name: HashMap<&[u8], Vec<&[u8]>> = HashMap::new();
        for (n, v) in signed {
            by_name.entry(n.as_slice()).or_default().push(v.as_slice());
        }
        by_name.values().any(|values| values.windows(2).any(|w| w[0] > w[1]))
    }

    /// The pairs the signature covers in `mode`: V1 signs every parameter, V3 the query.
    pub fn signed_pairs(&self, mode: Mode) -> Vec<(&[u8], &[u8])> {
        let pairs: Vec<&Pair> = if self.v3 { self.query.iter().collect() } else { self.pairs(mode).collect() };
        match mode.signed {
            Signed::AsSent => pairs.iter().map(|(n, v)| (n.as_slice(), v.as_slice())).collect(),
            Signed::AsRead => {
                let mut index: HashMap<&[u8], usize> = HashMap::new();
                let mut out: Vec<(&[u8], &[u8])> = Vec::new();
                for (n, v) in pairs {
                    match index.get(n.as_slice()) {
                        Some(&at) if mode.keep == Keep::Last => out[at].1 = v.as_slice(),
                        Some(_) => {}
                        None => {
                            index.insert(n.as_slice(), out.len());
                            out.push((n.as_slice(), v.as_slice()));
                        }
                    }
                }
                out
            }
        }
    }
}

/// One value per name, the first or the last; linear in the number of pairs.
fn keep_one<'a>(pairs: impl Iterator<Item = &'a Pair>, keep: Keep) -> Params {
    let mut index: HashMap<&'a [u8], usize> = HashMap::new();
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for (n, v) in pairs {
        match index.get(n.as_slice()) {
            Some(&at) if keep == Keep::Last => out[at].1.clone_from(v),
            Some(_) => {}
            None => {
                index.insert(n.as_slice(), out.len());
                out.push((String::from_utf8_lossy(n).into_owned(), v.clone()));
            }
        }
    }
    Params(out)
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
    /// XML for V1. A V3 request carries no `Format` (protocol.md §4): one that does may
    /// be answered in JSON whatever it asks. A value that is neither XML nor JSON
    /// leaves the format open (point `format-value`), the emulator writing `unknown`.
    pub fn format(&self, v3: bool, unknown: Format) -> FormatExpectation {
        let default = if v3 { Format::Json } else { Format::Xml };
        match self.get("Format") {
            None => FormatExpectation::Exactly(default),
            Some(v) => match Format::from_param(v) {
                Some(f) if f == default || !v3 => FormatExpectation::Exactly(f),
                Some(f) => FormatExpectation::Either(f),
                None => FormatExpectation::Either(unknown),
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

    fn keep(keep: Keep) -> Mode {
        Mode { keep, ..Mode::default() }
    }

    #[test]
    fn query_and_form_parameters() {
        let r = Reading::of(&req(
            "POST",
            "/?A=1&B=x+y",
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            "C=3&A=9",
        ));
        let m = Mode::default();
        assert_eq!(r.repeated_names(m), ["A"]);
        assert_eq!(r.params(keep(Keep::First)).get("A"), Some(&b"1"[..]));
        assert_eq!(r.params(keep(Keep::Last)).get("A"), Some(&b"9"[..]));
        assert_eq!(r.params(m).text("B").as_deref(), Some("x y"));
        assert_eq!(r.params(m).get("C"), Some(&b"3"[..]));
    }

    #[test]
    fn bodies_without_form_type_or_off_post_are_parameters_only_in_their_mode() {
        assert!(Reading::of(&req("POST", "/", Some("application/json"), "A=1")).form.is_empty());
        let get = Reading::of(&req("GET", "/", Some("application/x-www-form-urlencoded"), "A=1"));
        assert!(get.params(Mode::default()).get("A").is_none());
        assert_eq!(get.params(Mode { form_any_method: true, ..Mode::default() }).get("A"), Some(&b"1"[..]));
        // Both modes are offered for it, the default first.
        assert_eq!(get.modes(&Readings::emulator()).len(), 2);
        assert!(!get.modes(&Readings::emulator())[0].form_any_method);
    }

    #[test]
    fn formats() {
        let p = |q: &str| Reading::of(&req("GET", q, None, "")).params(Mode::default());
        assert_eq!(p("/?Format=json").format(false, Format::Xml), FormatExpectation::Exactly(Format::Json));
        assert_eq!(p("/").format(false, Format::Xml), FormatExpectation::Exactly(Format::Xml));
        assert_eq!(p("/").format(true, Format::Xml), FormatExpectation::Exactly(Format::Json));
        assert_eq!(p("/?Format=yaml").format(false, Format::Xml), FormatExpectation::Either(Format::Xml));
        assert_eq!(p("/?Format=yaml").format(false, Format::Json), FormatExpectation::Either(Format::Json));
        assert_eq!(p("/?Format=XML").format(true, Format::Xml), FormatExpectation::Either(Format::Xml));
        assert_eq!(p("/?Format=JSON").format(true, Format::Xml), FormatExpectation::Exactly(Format::Json));
    }

    #[test]
    fn invalid_utf8_names_are_found() {
        let r = Reading::of(&req("GET", "/?%FF=1&ok=2", None, ""));
        assert_eq!(r.bad_names(Mode::default()).len(), 1);
    }

    #[test]
    fn modes_vary_only_what_matters() {
        let plain = Reading::of(&req("GET", "/?A=1&B=2", None, ""));
        assert_eq!(plain.modes(&Readings::emulator()), vec![Mode::default()]);
        // A repeated name in sorted order: two values kept, two signatures, one order.
        let sorted = Reading::of(&req("GET", "/?A=1&A=2", None, ""));
        assert_eq!(sorted.modes(&Readings::emulator()).len(), 4);
        // Out of order: the name-only order is a reading of its own.
        let unsorted = Reading::of(&req("GET", "/?A=2&A=1", None, ""));
        let modes = unsorted.modes(&Readings::emulator());
        assert_eq!(modes.len(), 6);
        assert_eq!(modes[0], Mode::default());
        let last: Readings = Readings::of(&["duplicate-parameter=last-value".parse().unwrap()]).unwrap();
        assert_eq!(unsorted.modes(&last)[0].keep, Keep::Last);
    }

    #[test]
    fn what_the_signature_covers() {
        let r = Reading::of(&req("GET", "/?A=1&B=x&A=2", None, ""));
        let sent = r.signed_pairs(Mode::default());
        assert_eq!(sent.len(), 3);
        let first = r.signed_pairs(Mode { signed: Signed::AsRead, ..Mode::default() });
        assert_eq!(first, vec![(&b"A"[..], &b"1"[..]), (&b"B"[..], &b"x"[..])]);
        let last = r.signed_pairs(Mode { signed: Signed::AsRead, keep: Keep::Last, ..Mode::default() });
        assert_eq!(last[0], (&b"A"[..], &b"2"[..]));
    }

    #[test]
    fn many_parameters_are_read_in_linear_time() {
        // 70,000 distinct names and one repeat (bench: `bench emulator` measures the cost).
        let query: String = (0..70_000).map(|i| format!("p{i}=1&")).collect();
        let r = Reading::of(&req("GET", &format!("/?{query}p0=2"), None, ""));
        assert_eq!(r.repeated_names(Mode::default()), ["p0"]);
        assert_eq!(r.params(Mode::default()).0.len(), 70_000);
    }
}
