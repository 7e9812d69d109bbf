//! copyimage-conformance (work in progress).

pub mod model;
pub mod oracle;
pub mod rules;
pub mod wire;
