//! kelemetry-cli: offline forensics for the Kubernetes control plane.
//!
//! Data flows one way:
//! files → [`input`] (decode) → [`model`] records → [`store`] (SQLite) → queries →
//! [`render`]; [`pipeline`] drives the ingest, [`cmd`] wires each subcommand.

pub mod cli;
pub mod cmd;
pub mod input;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod store;
