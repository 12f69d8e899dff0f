//! Self-repair. An ingest killed, or failing on a full disk, while a bulk load had dropped
//! the indexes (or while it rebuilt them) leaves a store whose rows are right but whose
//! indexes are missing. The next ingest rebuilds them; a query, which opens the store
//! read-only, says what is missing and how to repair it.

use anyhow::{Result, bail};
use rusqlite::Connection;

use super::{Store, migrate};

/// A table or index of the schema this binary's migrations produce.
struct SchemaItem {
    kind: String,
    name: String,
    sql: String,
}

/// The schema a fresh store has: the migrations, run on a store in memory.
fn reference_schema() -> Result<Vec<SchemaItem>> {
    let conn = Connection::open_in_memory()?;
    migrate::migrate(&conn)?;
    schema(&conn)
}

fn schema(conn: &Connection) -> Result<Vec<SchemaItem>> {
    // Indexes SQLite makes itself (for UNIQUE columns) have no SQL and come with their table.
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL ORDER BY rowid",
    )?;
    let items = stmt.query_map([], |r| Ok(SchemaItem { kind: r.get(0)?, name: r.get(1)?, sql: r.get(2)? }))?;
    Ok(items.collect::<Result<_, _>>()?)
}

/// What the store lacks of the reference schema.
fn missing(store: &Store) -> Result<Vec<SchemaItem>> {
    let present: Vec<String> = schema(&store.conn)?.into_iter().map(|item| item.name).collect();
    Ok(reference_schema()?.into_iter().filter(|item| !present.contains(&item.name)).collect())
}

impl Store {
    /// The names of the indexes the store should have and lacks.
    pub fn missing_indexes(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> =
            missing(self)?.into_iter().filter(|item| item.kind == "index").map(|item| item.name).collect();
        names.sort();
        Ok(names)
    }

    /// Brings back what an interrupted ingest left missing: finishes its bulk load (pending
    /// rows, unique indexes), then builds every other missing index. Returns the names of
    /// the indexes rebuilt. A missing table is damage no rebuild can undo: an error.
    pub fn repair(&self) -> Result<Vec<String>> {
        let missing = missing(self)?;
        let tables: Vec<&str> = missing.iter().filter(|i| i.kind == "table").map(|i| i.name.as_str()).collect();
        if !tables.is_empty() {
            bail!(
                "store {} is damaged: it lacks the table(s) {}; ingest the files into a new store",
                self.location.display(),
                tables.join(", ")
            );
        }
        if self.bulk_load_unfinished()? {
            self.finish_bulk_load()?;
        }
        let still_missing = self::missing(self)?;
        self.build_indexes(still_missing.iter().map(|item| item.sql.as_str()))?;
        let mut rebuilt: Vec<String> = missing.into_iter().map(|item| item.name).collect();
        rebuilt.sort();
        Ok(rebuilt)
    }
}
