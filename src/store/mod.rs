//! The SQLite store: schema and migrations, the single writer, and the read queries.
//!
//! Nothing here knows about terminals or input formats.

mod checkpoint;
mod migrate;
pub mod query;
pub mod read;
pub mod writer;

use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use rusqlite::Connection;

pub use checkpoint::Checkpointer;
pub use writer::{WriteSummary, Writer};

/// Where the store lives: a file, or memory for one-off looks.
#[derive(Debug, Clone)]
pub enum Location {
    File(PathBuf),
    Memory,
}

impl Location {
    pub fn parse(text: &str) -> Location {
        if text == ":memory:" { Location::Memory } else { Location::File(PathBuf::from(text)) }
    }

    pub fn display(&self) -> String {
        match self {
            Location::File(path) => path.display().to_string(),
            Location::Memory => ":memory:".to_owned(),
        }
    }
}

pub struct Store {
    pub conn: Connection,
    pub location: Location,
}

/// Indexes that only queries need. A big first load drops them and builds them once at the
/// end, which is several times faster than keeping them up to date row by row.
pub const QUERY_INDEXES: &[(&str, &str)] = &[
    (
        "requests_object",
        "CREATE INDEX IF NOT EXISTS requests_object ON requests (object_id, received_us) WHERE object_id IS NOT NULL",
    ),
    ("requests_time", "CREATE INDEX IF NOT EXISTS requests_time ON requests (received_us)"),
    ("requests_conflicts", "CREATE INDEX IF NOT EXISTS requests_conflicts ON requests (received_us) WHERE code = 409"),
    ("events_object", "CREATE INDEX IF NOT EXISTS events_object ON event_versions (object_id, time_us)"),
    ("events_time", "CREATE INDEX IF NOT EXISTS events_time ON event_versions (time_us)"),
    ("objects_name", "CREATE INDEX IF NOT EXISTS objects_name ON objects (name, namespace)"),
    ("objects_kind", "CREATE INDEX IF NOT EXISTS objects_kind ON objects (resource, namespace)"),
    ("objects_by_uid", "CREATE INDEX IF NOT EXISTS objects_by_uid ON objects (uid) WHERE uid IS NOT NULL"),
];

/// The unique indexes that keep one row per request and one per version of an Event, by
/// name. A bulk load into an empty table drops its index and [`Store::finish_bulk_load`]
/// builds it again.
const REQUESTS_AUDIT_ID_INDEX: (&str, &str) =
    ("requests_audit_id", "CREATE UNIQUE INDEX IF NOT EXISTS requests_audit_id ON requests (audit_id, cluster_id)");
const EVENTS_VERSION_INDEX: (&str, &str) = (
    "events_version",
    "CREATE UNIQUE INDEX IF NOT EXISTS events_version ON event_versions (cluster_id, event_key, version_key)",
);

/// How a load much bigger than the store writes: without the query indexes, and into empty
/// tables without their unique index either (see docs/schema.md).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BulkLoad {
    /// No requests are stored yet: append them without `requests_audit_id`.
    pub requests: bool,
    /// No Events are stored yet: append them without `events_version`.
    pub events: bool,
    /// About how many requests and Events the load holds, to size its filter.
    pub expected_keys: u64,
}

impl Store {
    /// Opens the store for writing, creating it and migrating it as needed.
    pub fn open_for_write(location: &Location) -> Result<Store> {
        let conn = match location {
            Location::File(path) => {
                Connection::open(path).with_context(|| format!("cannot open store {}", path.display()))?
            }
            Location::Memory => Connection::open_in_memory()?,
        };
        configure(&conn, location)?;
        migrate::migrate(&conn).with_context(|| format!("cannot migrate store {}", location.display()))?;
        Ok(Store { conn, location: location.clone() })
    }

    /// Opens an existing store for reading.
    pub fn open_for_read(location: &Location) -> Result<Store> {
        if let Location::File(path) = location
            && !path.exists()
        {
            bail!("no store at {}: ingest some files first (kelemetry-cli ingest FILE...)", path.display());
        }
        let store = Store::open_for_write(location)?;
        Ok(store)
    }

    /// Moves checkpoints off the writer's thread until the returned guard is dropped; see
    /// [`Checkpointer`]. A store in memory has nothing to checkpoint. Only an optimisation:
    /// if it cannot start, the writer checkpoints as usual.
    pub fn background_checkpoints(&self) -> Option<Checkpointer<'_>> {
        match &self.location {
            Location::File(path) => Checkpointer::start(&self.conn, path).ok(),
            Location::Memory => None,
        }
    }

    pub fn ensure_query_indexes(&self) -> Result<()> {
        self.build_indexes(QUERY_INDEXES.iter().map(|(_, sql)| *sql))
    }

    /// Creates indexes (`CREATE INDEX IF NOT EXISTS ...`). Building one sorts the whole
    /// table: in runs of a few MB, SQLite sorts them on helper threads while it reads on,
    /// which on 2 cores takes half the time of one big in-memory sort on one core.
    fn build_indexes<'s>(&self, statements: impl IntoIterator<Item = &'s str>) -> Result<()> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8)) as i64;
        self.conn.pragma_update(None, "threads", threads)?;
        self.conn.pragma_update(None, "cache_size", -SORT_RUN_KIB)?;
        let built = statements.into_iter().try_for_each(|sql| self.conn.execute_batch(sql));
        self.conn.pragma_update(None, "threads", 0)?;
        self.conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        Ok(built?)
    }

    /// Drops the indexes a load would otherwise keep up to date row by row: the query
    /// indexes, and the unique ones `bulk` goes without. [`Store::finish_bulk_load`] builds
    /// them again.
    pub fn start_bulk_load(&self, bulk: &BulkLoad) -> Result<()> {
        let unique =
            [bulk.requests.then_some(REQUESTS_AUDIT_ID_INDEX.0), bulk.events.then_some(EVENTS_VERSION_INDEX.0)];
        for name in QUERY_INDEXES.iter().map(|(name, _)| *name).chain(unique.into_iter().flatten()) {
            self.conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
        }
        Ok(())
    }

    /// Builds the indexes a bulk load dropped and writes its pending requests and Events.
    /// Also finishes a bulk load that was interrupted.
    pub fn finish_bulk_load(&self) -> Result<writer::Drained> {
        // The load stored each auditID and Event version at most once: these cannot fail.
        self.build_indexes([REQUESTS_AUDIT_ID_INDEX.1, EVENTS_VERSION_INDEX.1])?;
        let drained = writer::drain_pending(&self.conn)?;
        self.ensure_query_indexes()?;
        Ok(drained)
    }

    /// Whether a bulk load was interrupted before [`Store::finish_bulk_load`].
    pub fn needs_bulk_repair(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN (?1, ?2)) < 2
                 OR EXISTS (SELECT 1 FROM pending_requests)
                 OR EXISTS (SELECT 1 FROM pending_event_versions)",
            [REQUESTS_AUDIT_ID_INDEX.0, EVENTS_VERSION_INDEX.0],
            |r| r.get(0),
        )?)
    }
}

/// 32 MiB of page cache: as fast as 64 MiB for loads and queries (the OS caches the file
/// as well), and 34 MiB less at the peak of a big load, which must stay under 300 MB.
const CACHE_KIB: i64 = 32768;

/// How much an index build sorts in memory at once; see [`Store::build_indexes`].
const SORT_RUN_KIB: i64 = 4096;

fn configure(conn: &Connection, location: &Location) -> Result<()> {
    if matches!(location, Location::File(_)) {
        // 16 KiB pages: fewer B-tree splits during loads (10% faster ingest, same size).
        // Only a new, empty database takes it; existing stores keep theirs.
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    Ok(())
}
