//! Checkpoints on a thread of their own while an ingest writes.
//!
//! In WAL mode the writer's commits only append to the log; a checkpoint copies the log
//! back into the store and waits for the disk (fsync). SQLite runs one whenever a commit
//! leaves the log long, on the writer's thread, which then stalls the whole pipeline for
//! as long as the disk takes. Here a second connection checkpoints instead, with the same
//! guarantees: what is committed stays committed whenever the process or the machine stops.

use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Result;
use crossbeam_channel::{RecvTimeoutError, Sender, bounded};
use rusqlite::Connection;

/// How often the checkpointer looks at the log.
const INTERVAL: Duration = Duration::from_millis(250);

/// The writer's own limit (SQLite's default, in pages), put back when the checkpointer stops.
const AUTOCHECKPOINT_PAGES: i64 = 1000;

/// The writer's limit meanwhile (256 MiB of 16 KiB pages). The log only starts over from
/// its beginning when the writer itself finds it all copied, which a checkpoint running
/// alongside never lets it see; so once this long the writer checkpoints (what little is
/// left to copy) and the log starts over, which keeps its file from growing without bound.
const WRITER_CHECKPOINT_PAGES: i64 = 16384;

/// Checkpoints the store in the background until dropped. The writer checkpoints only
/// rarely itself meanwhile, to bound the log.
pub struct Checkpointer<'c> {
    writer: &'c Connection,
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl<'c> Checkpointer<'c> {
    pub fn start(writer: &'c Connection, path: &Path) -> Result<Checkpointer<'c>> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        writer.pragma_update(None, "wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)?;
        let (stop, stopped) = bounded::<()>(0);
        let thread = std::thread::spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
                // PASSIVE never blocks the writer; a failed attempt is retried next time,
                // and the writer's close checkpoints whatever is left.
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
        });
        Ok(Checkpointer { writer, stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for Checkpointer<'_> {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = self.writer.pragma_update(None, "wal_autocheckpoint", AUTOCHECKPOINT_PAGES);
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use rusqlite::{Connection, OpenFlags};

    use crate::store::{Location, Store};

    #[test]
    fn commits_reach_the_store_file_while_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let store = Store::open_for_write(&Location::File(path.clone())).unwrap();
        let autocheckpoint = || store.conn.pragma_query_value(None, "wal_autocheckpoint", |r| r.get::<_, i64>(0));
        {
            let _checkpointer = store.background_checkpoints().expect("a checkpointer");
            assert_eq!(autocheckpoint().unwrap(), super::WRITER_CHECKPOINT_PAGES);
            store.conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (42)").unwrap();
            // The store file itself, without its log: what checkpoints have copied there.
            // The writer's own limit is far off, so only the checkpointer can have.
            let file_only = format!("file:{}?immutable=1", path.display());
            let started = Instant::now();
            let copied = loop {
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
                let conn = Connection::open_with_flags(&file_only, flags).unwrap();
                if let Ok(x) = conn.query_row("SELECT x FROM t", [], |r| r.get::<_, i64>(0)) {
                    break Some(x);
                }
                if started.elapsed() > Duration::from_secs(10) {
                    break None;
                }
                std::thread::sleep(super::INTERVAL / 5);
            };
            assert_eq!(copied, Some(42), "the commit reached the store file");
        }
        assert_eq!(autocheckpoint().unwrap(), super::AUTOCHECKPOINT_PAGES);
    }
}
