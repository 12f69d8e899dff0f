//! The SQLite store, and the only module that knows SQL: the schema and its ordered
//! migrations, the single writer, bulk loads, the readers (each a [`Store`] method returning
//! plain rows), and the counts of `stats`.
//!
//! Nothing here knows about terminals, flags or input formats.

pub mod analyze;
mod bulk;
mod checkpoint;
pub mod export;
mod fresh;
mod migrate;
mod namesakes;
pub mod read;
mod repair;
pub mod requests;
mod seen_keys;
pub mod stats;
#[cfg(test)]
mod tests;
pub mod writer;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use rusqlite::{Connection, OpenFlags};

pub use bulk::{BulkLoad, Drained};
pub use checkpoint::Checkpointer;
pub use fresh::FreshStore;
pub use writer::{FileRow, WriteSummary, Writer};

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

/// An open store. The connection stays inside this module: callers ask through methods.
pub struct Store {
    conn: Connection,
    pub location: Location,
}

/// Indexes that only queries need, the one list of them: migrations create them, bulk loads
/// drop and rebuild them, and a test holds docs/schema.md to it.
pub const QUERY_INDEXES: &[(&str, &str)] = &[
    (
        "requests_object",
        "CREATE INDEX IF NOT EXISTS requests_object ON requests (object_id, received_us) WHERE object_id IS NOT NULL",
    ),
    ("requests_time", "CREATE INDEX IF NOT EXISTS requests_time ON requests (received_us)"),
    // A user's requests in time order; the verb in the index, so that `--user X --verb V`
    // reads only the rows it returns.
    ("requests_user", "CREATE INDEX IF NOT EXISTS requests_user ON requests (user_id, received_us, verb_id)"),
    (
        "requests_impersonated",
        "CREATE INDEX IF NOT EXISTS requests_impersonated ON requests (impersonated_id, received_us) \
         WHERE impersonated_id IS NOT NULL",
    ),
    ("requests_conflicts", "CREATE INDEX IF NOT EXISTS requests_conflicts ON requests (received_us) WHERE code = 409"),
    ("events_object", "CREATE INDEX IF NOT EXISTS events_object ON event_versions (object_id, time_us)"),
    ("events_time", "CREATE INDEX IF NOT EXISTS events_time ON event_versions (time_us)"),
    ("objects_name", "CREATE INDEX IF NOT EXISTS objects_name ON objects (name, namespace)"),
    ("objects_kind", "CREATE INDEX IF NOT EXISTS objects_kind ON objects (resource, namespace)"),
    ("objects_by_uid", "CREATE INDEX IF NOT EXISTS objects_by_uid ON objects (uid) WHERE uid IS NOT NULL"),
];

/// The file beside the store at `path` that SQLite or an ingest names by a suffix
/// (`-wal`, `-shm`, `.loading`).
pub fn sibling_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Text as an SQL string literal. For values a plan must see (a GLOB's prefix picks an
/// index range only when the pattern is in the SQL; see [`plan_without_parameter_values`]).
fn sql_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Ids from the store as an SQL list (`3, 17, 42`): they are integers the store gave, so
/// they go into the SQL as they are, where a placeholder each would hit SQLite's limit.
fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

impl Store {
    /// Opens the store for writing, creating it and migrating it as needed.
    pub fn open_for_write(location: &Location) -> Result<Store> {
        let open = || -> Result<Connection> {
            let conn = match location {
                Location::File(path) => Connection::open(path).map_err(|e| cannot_open(path, e))?,
                Location::Memory => Connection::open_in_memory()?,
            };
            configure(&conn, location)?;
            migrate::migrate(&conn)?;
            Ok(conn)
        };
        let conn = open().with_context(|| format!("cannot open store {} for writing", location.display()))?;
        Ok(Store { conn, location: location.clone() })
    }

    /// Opens an existing store for reading only: nothing is created or migrated, so a store
    /// on read-only media can be queried, and a store of another schema version is refused
    /// with what to do.
    pub fn open_for_read(location: &Location) -> Result<Store> {
        let Location::File(path) = location else { return Store::open_for_write(location) };
        if !path.exists() {
            bail!("no store at {}: ingest some files first (kelemetry-cli ingest FILE...)", path.display());
        }
        let open = || -> Result<Connection> {
            let conn = open_read_only(path)?;
            let version = migrate::version(&conn)?;
            migrate::check_readable(version)?;
            conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
            conn.busy_timeout(std::time::Duration::from_secs(30))?;
            Ok(conn)
        };
        let conn = open().with_context(|| format!("cannot read store {}", path.display()))?;
        Ok(Store { conn, location: location.clone() })
    }

    /// Sets this connection's page cache, which also bounds what SQLite's sorter holds in
    /// memory before it spills to a temporary file.
    pub fn limit_cache(&self, kib: i64) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -kib)?;
        Ok(())
    }

    /// How many connections reads can spread over: one per core (at most 8) for a file,
    /// one for a store in memory (another connection to `:memory:` is another database).
    pub fn readers(&self) -> usize {
        match self.location {
            Location::Memory => 1,
            Location::File(_) => std::thread::available_parallelism().map_or(1, |n| n.get()).min(8),
        }
    }

    /// The ids of `table` cut into `parts` ranges of equal span (none when it is empty), for
    /// scans split among the cores.
    fn id_ranges(&self, table: &str, parts: usize) -> Result<Vec<(i64, i64)>> {
        let (first, last): (Option<i64>, Option<i64>) = self.conn.query_row(
            // Apart, each is one step down the table's B-tree; together they scan it.
            &format!("SELECT (SELECT min(id) FROM {table}), (SELECT max(id) FROM {table})"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (Some(first), Some(last)) = (first, last) else { return Ok(Vec::new()) };
        let parts = parts.max(1) as i64;
        let span = (last - first) / parts + 1;
        Ok((0..parts).map(|part| (first + part * span, first + (part + 1) * span - 1)).collect())
    }

    /// Runs `jobs` jobs on as many threads as [`Store::readers`], each reading through a
    /// connection of its own (this one on the calling thread); a thread takes the next job
    /// when it is done, so long and short jobs even out. The results come back in job order.
    pub fn share_out<T: Send>(&self, jobs: usize, work: impl Fn(&Store, usize) -> Result<T> + Sync) -> Result<Vec<T>> {
        let threads = self.readers().min(jobs).max(1);
        let next = std::sync::atomic::AtomicUsize::new(0);
        let take = |store: &Store| -> Result<Vec<(usize, T)>> {
            let mut done = Vec::new();
            loop {
                let job = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if job >= jobs {
                    return Ok(done);
                }
                match work(store, job) {
                    Ok(result) => done.push((job, result)),
                    Err(error) => {
                        // The run has failed: the other threads take no further jobs.
                        next.store(jobs, std::sync::atomic::Ordering::Relaxed);
                        return Err(error);
                    }
                }
            }
        };
        let location = &self.location;
        let mut results: Vec<(usize, T)> = std::thread::scope(|scope| {
            let handles: Vec<_> =
                (1..threads).map(|_| scope.spawn(|| take(&Store::open_for_read(location)?))).collect();
            let mut results = take(self)?;
            for handle in handles {
                results.extend(handle.join().map_err(|_| anyhow::anyhow!("a reader thread panicked"))??);
            }
            Ok::<_, anyhow::Error>(results)
        })?;
        results.sort_by_key(|(job, _)| *job);
        Ok(results.into_iter().map(|(_, result)| result).collect())
    }

    /// Holds the store against a second ingest for as long as the returned guard lives;
    /// `waiting` is called first when another ingest holds it. A store in memory is never
    /// shared.
    pub fn lock_for_ingest(&self, waiting: impl FnOnce()) -> Result<Option<std::fs::File>> {
        let Location::File(path) = &self.location else { return Ok(None) };
        let file = std::fs::File::open(path).with_context(|| format!("cannot open store {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                waiting();
                file.lock()?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
        }
        Ok(Some(file))
    }

    /// The fingerprints and the sizes of the files already ingested.
    pub fn known_files(&self) -> Result<(HashSet<Vec<u8>>, HashSet<u64>)> {
        let mut stmt = self.conn.prepare("SELECT fingerprint, size FROM files")?;
        let mut known = (HashSet::new(), HashSet::new());
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?)))? {
            let (fingerprint, size) = row?;
            known.0.insert(fingerprint);
            known.1.insert(size as u64);
        }
        Ok(known)
    }

    /// How many requests and Event versions the store holds (their highest row ids: cheap,
    /// and exact for tables that are only ever appended to).
    pub fn row_counts(&self) -> Result<(u64, u64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT coalesce(max(id), 0) FROM requests), (SELECT coalesce(max(id), 0) FROM event_versions)",
            [],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
        )?)
    }

    /// Starts the single writer; see [`Writer`].
    pub fn writer(
        &self,
        default_cluster: &str,
        cluster_given: bool,
        periodic_commits: bool,
        bulk: Option<BulkLoad>,
    ) -> Result<Writer<'_>> {
        Writer::new(&self.conn, default_cluster, cluster_given, periodic_commits, bulk)
    }

    /// Each row of a query, its values joined by `|`: for tests that look inside.
    #[cfg(test)]
    pub(crate) fn rows(&self, sql: &str) -> Vec<String> {
        use rusqlite::types::ValueRef;
        let mut stmt = self.conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let columns = stmt.column_count();
        let rows = stmt.query_map([], |row| {
            Ok((0..columns)
                .map(|i| match row.get_ref(i).expect("column") {
                    ValueRef::Null => "NULL".to_owned(),
                    ValueRef::Integer(n) => n.to_string(),
                    ValueRef::Real(f) => f.to_string(),
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
                })
                .collect::<Vec<_>>()
                .join("|"))
        });
        rows.expect("query").collect::<Result<_, _>>().expect("rows")
    }

    fn journal_mode(&self) -> Option<String> {
        self.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).ok()
    }

    /// Starts writing what a [`FreshStore`] holds so far to disk on another thread, while
    /// this one goes on (building indexes): the sync that completes the store then waits for
    /// the last changes only, 0.03-0.04 s instead of 0.07-0.08 s after a 1 GB log. A store
    /// with a log (WAL) keeps its changes in the log until a checkpoint: nothing to do.
    pub fn start_write_back(&self) {
        let Location::File(path) = &self.location else { return };
        if self.journal_mode().as_deref() != Some("off") {
            return;
        }
        let path = path.clone();
        // Only an optimisation: the sync that completes the store reports any failure.
        std::thread::spawn(move || std::fs::File::open(path).and_then(|file| file.sync_data()));
    }

    /// Moves checkpoints off the writer's thread until the returned guard is dropped; see
    /// [`Checkpointer`]. A store in memory, or a [`FreshStore`] (no log), has nothing to
    /// checkpoint. Only an optimisation: if it cannot start, the writer checkpoints as usual.
    pub fn background_checkpoints(&self) -> Option<Checkpointer<'_>> {
        if self.journal_mode()? != "wal" {
            return None;
        }
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
}

/// Why SQLite cannot open `path`: it says "unable to open database file" twice, with its
/// error code, whatever the cause; the file system names the cause of the common one, a
/// directory that is not there.
fn cannot_open(path: &Path, error: rusqlite::Error) -> anyhow::Error {
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let cannot_open =
        matches!(&error, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::CannotOpen);
    match std::fs::metadata(dir) {
        Err(why) if cannot_open => anyhow::anyhow!("{}: {why}", dir.display()),
        Ok(meta) if cannot_open && !meta.is_dir() => anyhow::anyhow!("{} is not a directory", dir.display()),
        _ => error.into(),
    }
}

/// Opens a store read-only. A store in WAL mode needs its `-shm` file, which SQLite creates
/// beside it; on read-only media (or in a read-only directory) it cannot, and the store is
/// opened as immutable instead: safe, since nothing can write there, as long as no write-
/// ahead log holds rows the store itself does not yet.
fn open_read_only(path: &Path) -> Result<Connection> {
    use rusqlite::ErrorCode;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    plan_without_parameter_values(&conn)?;
    let error = match migrate::version(&conn) {
        Ok(_) => return Ok(conn),
        Err(e) => e,
    };
    match error.downcast_ref::<rusqlite::Error>().and_then(rusqlite::Error::sqlite_error_code) {
        Some(ErrorCode::NotADatabase) => bail!("it is not a kelemetry-cli store (nor any SQLite database)"),
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly) => {}
        _ => return Err(error),
    }
    let wal = sibling_file(path, "-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        bail!(
            "it cannot be opened here (read-only media?) and its write-ahead log {} holds rows not yet in it: \
             copy both files to a writable disk",
            wal.display()
        );
    }
    let uri = format!("file:{}?immutable=1", uri_path(path));
    let conn = Connection::open_with_flags(uri, flags)?;
    plan_without_parameter_values(&conn)?;
    migrate::version(&conn)?;
    Ok(conn)
}

/// A path as a `file:` URI's path: `%`, `?` and `#` escaped.
fn uri_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' | '?' | '#' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// 32 MiB of page cache: as fast as 64 MiB for loads and queries (the OS caches the file
/// as well), and 34 MiB less at the peak of a big load, which must stay under 300 MB.
const CACHE_KIB: i64 = 32768;

/// How much an index build sorts in memory at once; see [`Store::build_indexes`].
const SORT_RUN_KIB: i64 = 4096;

/// SQLite's query planner stability guarantee: plans never depend on the values bound to
/// parameters. Without it, SQLite marks a statement to be planned anew when a parameter
/// it compares against changes (`o.id = ?1` as a filter does), and the statement cache's
/// clearing of bindings then re-plans each cached statement at each use: a quarter of the
/// rollout check's time. Our SQL writes the values a plan should see (a GLOB's pattern, a
/// partial index's code) as literals.
fn plan_without_parameter_values(conn: &Connection) -> Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

fn configure(conn: &Connection, location: &Location) -> Result<()> {
    if matches!(location, Location::File(_)) {
        // 16 KiB pages: fewer B-tree splits during loads (10% faster ingest, same size).
        // Only a new, empty database takes it; existing stores keep theirs.
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    plan_without_parameter_values(conn)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    Ok(())
}
