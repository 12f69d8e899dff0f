//! Typed records: what the input decoders produce and the store consumes.

pub mod audit_id;
pub mod block;
pub mod component;
pub mod http;
pub mod kinds;
pub mod records;
pub mod selector;
pub mod time;

pub use records::*;
