//! The binary's own modules, outside the library's public face.
//!
//! Owns what only the command line needs: [`bench`], the measurements behind the
//! `bench` subcommand (load-tool output parsing included). Nothing here is a library
//! API; the library's certification path never depends on it.

pub mod bench;
