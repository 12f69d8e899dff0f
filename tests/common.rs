//! Helpers shared by the test modules.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rusqlite::Connection;

pub fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kelemetry-cli"));
    command.env_remove("KELEMETRY_DB").env_remove("NO_COLOR").env("RUST_BACKTRACE", "0");
    command
}

pub fn testdata(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(path)
}

/// A store in a fresh temporary directory.
pub struct Store {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Store {
    pub fn new() -> Store {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("test.db");
        Store { _dir: dir, path }
    }

    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    /// Runs `kelemetry-cli --db STORE ARGS...`.
    pub fn run(&self, args: &[&str]) -> Output {
        bin().arg("--db").arg(&self.path).args(args).stdin(Stdio::null()).output().expect("run kelemetry-cli")
    }

    /// [`Store::run`] with these environment variables set.
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = bin();
        command.arg("--db").arg(&self.path).args(args).stdin(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().expect("run kelemetry-cli")
    }

    pub fn ingest(&self, paths: &[&Path]) -> Output {
        let mut args = vec!["ingest", "-q"];
        let paths: Vec<&str> = paths.iter().map(|p| p.to_str().expect("utf-8 path")).collect();
        args.extend(paths);
        self.run(&args)
    }

    pub fn conn(&self) -> Connection {
        Connection::open(&self.path).expect("open store")
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    pub fn rows(&self, sql: &str) -> Vec<String> {
        rows(&self.conn(), sql)
    }

    pub fn stats(&self) -> serde_json::Value {
        let out = self.run(&["stats", "-o", "json"]);
        assert!(out.status.success(), "stats failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("stats JSON")
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `../shared/realdata`, or `None` (with a notice) where it is absent. In CI (`CI=true`),
/// where it must be, its absence fails the test rather than passing it unchecked.
pub fn realdata(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realdata");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{test}: ../shared/realdata is missing in CI");
    // Printed past the test harness's capture, so that a plain `cargo test` shows it.
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: ../shared/realdata is not here");
    None
}

/// Each row of a query, its values joined by `|`.
pub fn rows(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let columns = stmt.column_count();
    stmt.query_map([], |row| {
        Ok((0..columns)
            .map(|i| match row.get_ref(i).expect("column") {
                rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                rusqlite::types::ValueRef::Real(f) => f.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                rusqlite::types::ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
            })
            .collect::<Vec<_>>()
            .join("|"))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}
