//! Reports: what the suite tells people.
//!
//! Owns rendering, never deciding: [`reference`] writes the rule table, the open points
//! and the default world for README.

pub mod reference;
