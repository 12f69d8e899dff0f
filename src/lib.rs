//! kelemetry-cli: offline forensics for the Kubernetes control plane.
//!
//! The modules are the layers, and data flows one way, each importing only those below it:
//!
//! ```text
//! cli ─► cmd ─► render ─► trace ─► query ─► store ─► model
//!                 ingest ─► input ─────────────────► model
//! ```
//! [`input`] turns bytes into [`model`] records; [`ingest`] runs the threaded pipeline that
//! writes them through [`store`] (the only module that knows SQL); [`query`] answers
//! questions with values; [`trace`] shapes them into object-as-span traces; [`render`]
//! draws every table, tree and document; [`cmd`] wires one subcommand each; [`cli`] is the
//! command line.

pub mod cli;
pub mod cmd;
#[doc(hidden)]
pub mod fuzzing;
pub mod ingest;
pub mod input;
pub mod model;
pub mod query;
pub mod render;
pub mod store;
pub mod trace;

#[cfg(test)]
mod testing;
