//! copyimage-conformance (work in progress).

pub mod model;
