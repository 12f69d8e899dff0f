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
