//! A new store is built in a file of its own beside its path, and moved there once whole.
//!
//! Built in place, every page would be written twice (to the write-ahead log, then back to
//! the store) and the log kept safe on disk as it went, so that a crash leaves what was
//! committed. A store that does not exist yet has nothing to keep safe: its pages are
//! written once, with no journal and no syncs until the end, into `<store>.loading`; only a
//! complete store is renamed to its path. A run killed midway leaves no store at all, and
//! its leftover is started over by the next.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use rusqlite::{Connection, ErrorCode};

use super::{Location, Store, sibling_file};

/// A store being built at `loading`, to be moved to `path` by [`FreshStore::complete`].
/// Dropped without it (an error), its file is removed: no half-built store remains.
pub struct FreshStore {
    store: Option<Store>,
    path: PathBuf,
    loading: PathBuf,
}

impl FreshStore {
    /// Starts a store at `path`, which must not exist. A leftover of a killed run is
    /// removed; one that another run is still building is refused.
    pub fn create(path: &Path) -> Result<FreshStore> {
        let loading = sibling_file(path, ".loading");
        if loading.exists() {
            remove_leftover(&loading, path)?;
        }
        let store = Store::open_for_write(&Location::File(loading.clone()))
            .with_context(|| format!("cannot create store {}", path.display()))?;
        // No rollback journal (a crash costs the whole file, which is thrown away anyway;
        // a load that may have to roll back, `--strict`, is not built this way), no syncs,
        // and the file locked to this connection until it closes: another run finds it busy.
        // (A journal in memory would keep ROLLBACK, but held 1 GB at 10M requests.)
        store.conn.pragma_update(None, "journal_mode", "OFF")?;
        store.conn.pragma_update(None, "synchronous", "OFF")?;
        store.conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        store.conn.execute_batch("BEGIN IMMEDIATE; COMMIT")?;
        Ok(FreshStore { store: Some(store), path: path.to_owned(), loading })
    }

    pub fn store(&self) -> &Store {
        self.store.as_ref().expect("a store until completed")
    }

    /// Turns the store into a WAL store like any other, writes it to disk and moves it to
    /// its path.
    pub fn complete(mut self) -> Result<()> {
        let store = self.store.take().expect("completed once");
        store.conn.pragma_update(None, "journal_mode", "WAL")?;
        drop(store);
        std::fs::File::open(&self.loading)
            .and_then(|file| file.sync_all())
            .with_context(|| format!("cannot write {} to disk", self.loading.display()))?;
        if self.path.exists() {
            bail!(
                "{} was created by another run while this one built it in {}",
                self.path.display(),
                self.loading.display()
            );
        }
        std::fs::rename(&self.loading, &self.path)
            .with_context(|| format!("cannot move {} to {}", self.loading.display(), self.path.display()))
    }
}

impl Drop for FreshStore {
    fn drop(&mut self) {
        if self.store.take().is_some() {
            let _ = std::fs::remove_file(&self.loading);
        }
    }
}

/// Removes the file a killed run left, unless a run still holds it.
fn remove_leftover(loading: &Path, path: &Path) -> Result<()> {
    let conn = Connection::open(loading)?;
    conn.busy_timeout(Duration::ZERO)?;
    match conn.execute_batch("BEGIN EXCLUSIVE; COMMIT") {
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::DatabaseBusy => {
            bail!("another ingest is creating {} (in {}): wait for it to finish", path.display(), loading.display())
        }
        // A file that is no database is a leftover all the same.
        _ => {}
    }
    drop(conn);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling_file(loading, suffix));
    }
    std::fs::remove_file(loading)
        .with_context(|| format!("cannot remove {}, left by a killed ingest", loading.display()))
}
