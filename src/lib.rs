//! copyimage-conformance (work in progress).

pub mod model;
pub mod rules;
