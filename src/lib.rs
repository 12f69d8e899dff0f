//! kelemetry-cli: offline forensics for the Kubernetes control plane.
//!
//! Data flows one way:
//! files → [`input`] (decode) → [`model`] records → [`store`] (SQLite) → queries →
//! [`chain`] / [`conflict`] (with [`diff`]) and [`graph`] → [`trace`] spans → [`render`];
//! [`pipeline`] drives the ingest, [`cmd`] wires each subcommand.

pub mod chain;
pub mod cli;
pub mod cmd;
pub mod conflict;
pub mod diff;
pub mod graph;
pub mod input;
pub mod lookup;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod store;
pub mod trace;
pub mod window;
