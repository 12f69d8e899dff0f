//! Helpers for the in-process tests of the layers: small stores built from `testdata/`.

use std::path::{Path, PathBuf};

use crate::ingest::{Observer, Options, Report};
use crate::store::{Location, Store};

pub fn testdata(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(path)
}

struct Quiet;

impl Observer for Quiet {
    fn reading(&self, _: u64) {}
    fn bytes_read(&self, _: u64) {}
    fn records_written(&self, _: u64) {}
    fn problem(&self, text: &str) {
        panic!("a fixture has a problem: {text}");
    }
}

/// Ingests `paths` into `store` as `kelemetry-cli ingest` does; any problem fails the test.
pub fn ingest(store: &Store, paths: &[PathBuf]) -> Report {
    let options = Options { cluster: "default".to_owned(), cluster_given: false, strict: false };
    crate::ingest::ingest(store, paths, &options, &Quiet).expect("ingest")
}

/// A store in memory holding the given fixtures (paths under `testdata/`).
pub fn store_of(fixtures: &[&str]) -> Store {
    let store = Store::open_for_write(&Location::Memory).expect("a store in memory");
    let paths: Vec<PathBuf> = fixtures.iter().map(|f| testdata(f)).collect();
    ingest(&store, &paths);
    store
}
