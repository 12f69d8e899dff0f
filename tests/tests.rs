//! Integration tests: they run the real binary on the fixtures in `testdata/` (and on
//! `../shared/realdata` when it exists) and assert exact counts, rows and output.

mod analyze;
mod browser;
mod common;
mod completion;
mod evidence;
mod export;
mod fuzz_corpus;
mod generated;
mod history;
mod html;
mod ingest;
mod json;
mod kubectl;
mod layers;
mod readme;
mod realdata;
mod redaction;
mod requests;
mod sentinels;
mod stats;
mod trace;
