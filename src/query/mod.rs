//! Questions asked of the store, answered with values: which object a user means
//! ([`lookup`]), the time window ([`window`]), who owns what ([`graph`]), each object's
//! resourceVersion chain ([`chain`]) with field [`diff`]s, 409 race groups ([`conflict`]), and the
//! states an object went through ([`tracks`]).
//! Domain types in, domain types out: no SQL (that is [`crate::store`]'s) and no sentences
//! (that is [`crate::render`]'s).

pub mod analyze;
pub mod chain;
pub mod conflict;
pub mod diff;
pub mod graph;
pub mod lookup;
pub mod requests;
pub mod rollout;
pub mod tracks;
pub mod window;
