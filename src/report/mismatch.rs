//! How a mismatch reads: the one rendering of [`Expected`] and [`Observed`].
//!
//! Owns the text every report form (terminal, JUnit, HTML, `call`) prints for the two
//! sides of a [`crate::harness::compare::Mismatch`]. The harness keeps them as values;
//! only this module turns them into words, so the forms cannot drift apart.

use std::fmt;

use crate::harness::compare::{Acceptable, Expected, ImageBrief, Observed, ShapeProblem};
use crate::model::Format;

impl fmt::Display for Acceptable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Acceptable::Success => f.write_str("200 success"),
            Acceptable::Error { status, code } => write!(f, "{status} {code}"),
            Acceptable::Refusal => f.write_str("any 4xx refusal"),
            Acceptable::Coded { code } => write!(f, "4xx {code}"),
        }
    }
}

impl fmt::Display for ImageBrief {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or_none = |t: &Option<String>| t.as_deref().map_or_else(|| "none".to_owned(), |t| format!("{t:?}"));
        write!(
            f,
            "image {} in {}, {:?}, name {}, description {}, owner {}",
            self.id,
            self.region,
            self.status,
            or_none(&self.name),
            or_none(&self.description),
            self.owner.as_deref().unwrap_or("none"),
        )
    }
}

fn pairs(p: &[(String, String)]) -> String {
    if p.is_empty() {
        return "none".into();
    }
    p.iter().map(|(s, d)| format!("{s} → {d}")).collect::<Vec<_>>().join(", ")
}

fn shape(success: bool, format: Format) -> &'static str {
    match (success, format) {
        (true, Format::Xml) => "<CopyImageResponse> with RequestId and ImageId",
        (true, Format::Json) => "a flat object with RequestId and ImageId",
        (false, Format::Xml) => "<Error> with RequestId, HostId, Code, Message",
        (false, Format::Json) => "a flat object with RequestId, HostId, Code, Message",
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Outcomes { any_of } => {
                let all: Vec<String> = any_of.iter().map(ToString::to_string).collect();
                f.write_str(&all.join(" or "))
            }
            Expected::Format { format } => write!(f, "{format}"),
            Expected::ReadableBody => f.write_str("an XML or JSON body"),
            Expected::Shape { success, format } => f.write_str(shape(*success, *format)),
            Expected::RequestId => f.write_str("a RequestId that is a UUID"),
            Expected::NewImageId => f.write_str("the ImageId of a new image"),
            Expected::EarlierImageId { id } => write!(f, "{id}, the ImageId of the copy made with this ClientToken"),
            Expected::Image { image } => write!(f, "{image}"),
            Expected::NoImage { id } => write!(f, "no image {id}"),
            Expected::Copies { pairs: p } => write!(f, "copies in progress: {}", pairs(p)),
            Expected::Field { field, value } => write!(f, "{field}: {value}"),
        }
    }
}

impl fmt::Display for ShapeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeProblem::Root { name } => write!(f, "root <{name}>"),
            ShapeProblem::Missing { field } => write!(f, "no {field}"),
            ShapeProblem::Empty { field } => write!(f, "empty {field}"),
            ShapeProblem::NotText { field, type_name } => write!(f, "{field} is a {type_name}"),
            ShapeProblem::CodeInSuccess => f.write_str("a Code in a success"),
        }
    }
}

impl fmt::Display for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Observed::NoReply { problem } => write!(f, "no reply: {problem}"),
            Observed::Success { status } => write!(f, "{status} success"),
            Observed::Error { status, code: Some(code) } => write!(f, "{status} {code}"),
            Observed::Error { status, code: None } => write!(f, "{status} (no Code)"),
            Observed::Unreadable { status, problem } => write!(f, "{status} with an unreadable body ({problem})"),
            Observed::Format { format } => write!(f, "{format}"),
            Observed::RequestId { value: Some(v) } => write!(f, "{v:?}"),
            Observed::RequestId { value: None } => f.write_str("no RequestId"),
            Observed::Shape { problem } => write!(f, "{problem}"),
            Observed::ExistingImageId { id } => write!(f, "{id}, the id of an existing image"),
            Observed::OtherImageId { id: Some(id) } => write!(f, "{id}, another image"),
            Observed::OtherImageId { id: None } => f.write_str("a success without an ImageId"),
            Observed::Image { image: Some(image) } => write!(f, "{image}"),
            Observed::Image { image: None } => f.write_str("no such image"),
            Observed::Copies { pairs: p } => write!(f, "copies in progress: {}", pairs(p)),
            Observed::Field { field, value: Some(v) } => write!(f, "{field}: {v:?}"),
            Observed::Field { field, value: None } => write!(f, "{field}: none"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_side_reads_as_a_sentence_fragment() {
        let e = Expected::Outcomes {
            any_of: vec![Acceptable::Error { status: 400, code: "IncorrectImageStatus".into() }, Acceptable::Refusal],
        };
        assert_eq!(e.to_string(), "400 IncorrectImageStatus or any 4xx refusal");
        assert_eq!(Observed::Error { status: 403, code: None }.to_string(), "403 (no Code)");
        assert_eq!(
            Observed::Shape { problem: ShapeProblem::NotText { field: "Code".into(), type_name: "number".into() } }
                .to_string(),
            "Code is a number"
        );
        assert_eq!(
            Expected::Copies { pairs: vec![("m-a".into(), "m-b".into())] }.to_string(),
            "copies in progress: m-a → m-b"
        );
        assert_eq!(Observed::Copies { pairs: vec![] }.to_string(), "copies in progress: none");
    }
}
