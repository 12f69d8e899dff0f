//! `export parquet`: the files' layout, DuckDB reading them, the `sql/` queries giving the
//! CLI's own answers, `--since-last`, and a slice of `rawJson` ingesting back into the same
//! trace; DuckDB and chDB reading the export through an S3 API on 127.0.0.1 (moto). The engines
//! are Python's `duckdb` and `chdb` (`.ci/run` installs them).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::common::{Store, stderr, stdout, testdata};

/// Runs a query file on DuckDB over an export, after `tables.sql` and `SET VARIABLE`s:
/// prints the rows as a JSON array of arrays.
const DUCKDB: &str = r#"
import json, sys, duckdb
tables, export, query = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
con.execute("SET VARIABLE export = $$" + export + "$$")
for assignment in sys.argv[4:]:
    name, value = assignment.split("=", 1)
    con.execute("SET VARIABLE " + name + " = $$" + value + "$$")
con.execute(open(tables).read())
print(json.dumps([list(r) for r in con.sql(open(query).read()).fetchall()], default=str))
"#;

/// The same on chDB (ClickHouse's engine in-process): `tables.sql` with EXPORT replaced,
/// `SET param_...`s, the query's rows as JSONCompact.
const CHDB: &str = r#"
import json, sys
from chdb import session
tables, export, query = sys.argv[1], sys.argv[2], sys.argv[3]
s = session.Session()
text = "\n".join(l for l in open(tables).read().splitlines() if not l.startswith("--"))
for statement in text.replace("EXPORT", export).split(";"):
    if statement.strip():
        s.query(statement)
for assignment in sys.argv[4:]:
    name, value = assignment.split("=", 1)
    s.query("SET param_" + name + " = '" + value.replace("'", "\\'") + "'")
print(json.dumps(json.loads(str(s.query(open(query).read().rstrip().rstrip(";"), "JSONCompact")))["data"]))
"#;

/// The export uploaded to an S3 API on 127.0.0.1 (moto's server), then a query file run over
/// it on DuckDB (httpfs, the extension from PyPI) and chDB (`s3()` for `file()`): prints
/// `{"duckdb": rows, "clickhouse": rows}`.
const OVER_S3: &str = r#"
import json, logging, os, sys
import boto3, duckdb, duckdb_extensions
from chdb import session
from moto.server import ThreadedMotoServer
export, sql, query = sys.argv[1], sys.argv[2], sys.argv[3]
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
endpoint = "http://%s:%d" % (host, port)
s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                  region_name="us-east-1")
s3.create_bucket(Bucket="audit")
for root, _, files in os.walk(export):
    for name in files:
        path = os.path.join(root, name)
        s3.upload_file(path, "audit", "kelemetry/" + os.path.relpath(path, export))

con = duckdb.connect()
duckdb_extensions.import_extension("httpfs", con=con)
con.execute("LOAD httpfs")
con.execute("CREATE SECRET (TYPE s3, KEY_ID 'test', SECRET 'test', REGION 'us-east-1', ENDPOINT '%s:%d', "
            "URL_STYLE 'path', USE_SSL false)" % (host, port))
con.execute("SET VARIABLE export = 's3://audit/kelemetry'")
con.execute(open(os.path.join(sql, "duckdb", "tables.sql")).read())
duck = [list(r) for r in con.sql(open(os.path.join(sql, "duckdb", query)).read()).fetchall()]

s = session.Session()
tables = "\n".join(l for l in open(os.path.join(sql, "clickhouse", "tables.sql")).read().splitlines()
                   if not l.startswith("--"))
tables = tables.replace("file('EXPORT/", "s3('%s/audit/kelemetry/" % endpoint)
tables = tables.replace(", Parquet)", ", 'test', 'test', Parquet)")
for statement in tables.split(";"):
    if statement.strip():
        s.query(statement)
text = open(os.path.join(sql, "clickhouse", query)).read().rstrip().rstrip(";")
clickhouse = json.loads(str(s.query(text, "JSONCompact")))["data"]
server.stop()
print(json.dumps({"duckdb": duck, "clickhouse": clickhouse}, default=str))
"#;

#[derive(Debug, Clone, Copy)]
enum Engine {
    DuckDb,
    /// Views over the files (sql/clickhouse/tables.sql), as clickhouse-local has them.
    ClickHouse,
    /// The tables of a deployment (sql/clickhouse/ddl.sql), loaded from the files.
    ClickHouseTables,
}

impl Engine {
    /// The rows a query of sql/<engine>/ returns over the export in `dir`; times as RFC 3339
    /// with microseconds, as the CLI's JSON writes them.
    fn run(self, dir: &Path, query: &str, variables: &[&str]) -> Value {
        let (script, folder, tables) = match self {
            Engine::DuckDb => (DUCKDB, sql_dir().join("duckdb"), "tables.sql"),
            Engine::ClickHouse => (CHDB, sql_dir().join("clickhouse"), "tables.sql"),
            Engine::ClickHouseTables => (CHDB, sql_dir().join("clickhouse"), "ddl.sql"),
        };
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(folder.join(tables))
            .arg(dir)
            .arg(folder.join(query))
            .args(variables)
            .output()
            .unwrap();
        assert!(out.status.success(), "{self:?} {query}: {}", stderr(&out));
        times_as_rfc3339(serde_json::from_slice(&out.stdout).unwrap())
    }
}

/// `2024-08-01 10:05:00` (DuckDB) and `2024-08-01 10:05:00.100000` (chDB) as
/// `2024-08-01T10:05:00.100000Z`.
fn times_as_rfc3339(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(times_as_rfc3339).collect()),
        Value::String(text)
            if text.len() >= 19
                && text.as_bytes()[10] == b' '
                && text[..19].bytes().filter(|b| *b == b':').count() == 2 =>
        {
            let (seconds, fraction) = text[..].split_once('.').unwrap_or((&text[..19], ""));
            let fraction = fraction.trim_end_matches("+00:00");
            Value::String(format!("{}.{:0<6}Z", seconds.replace(' ', "T"), fraction))
        }
        other => other,
    }
}

/// The engines whose Python packages are here: each missing one said visibly, and none
/// may be missing in CI (`.ci/run` installs them).
fn engines(test: &str) -> Vec<Engine> {
    let mut found = Vec::new();
    if python_with("duckdb", test).is_some() {
        found.push(Engine::DuckDb);
    }
    if python_with("chdb", test).is_some() {
        found.extend([Engine::ClickHouse, Engine::ClickHouseTables]);
    }
    found
}

/// Python with `module`: `None` (said visibly) where it is missing, except in CI.
fn python_with(module: &str, test: &str) -> Option<()> {
    let found = Command::new("python3").args(["-c", &format!("import {module}")]).output();
    if found.is_ok_and(|o| o.status.success()) {
        return Some(());
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: python3 {module} is missing in CI (.ci/run installs it)"
    );
    let _ = std::io::Write::write_fmt(
        &mut std::io::stderr(),
        format_args!("SKIPPED {test} on {module}: python3 {module} is not installed\n"),
    );
    None
}

fn sql_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sql")
}

/// A store of the analyze scenario (conflicts, throttling, 5xx) and the rollout, exported.
fn exported() -> (Store, tempfile::TempDir) {
    let store = Store::new();
    let analyze = testdata("analyze");
    assert!(
        store
            .ingest(&[&analyze.join("audit.jsonl"), &analyze.join("events.json"), &testdata("rollout")])
            .status
            .success()
    );
    let dir = tempfile::tempdir().unwrap();
    let out = store.run(&["export", "parquet", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (store, dir)
}

fn cli_json(store: &Store, args: &[&str]) -> Value {
    let out = store.run(args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stderr(&out)))
}

#[test]
fn export_writes_hive_partitions_of_every_table() {
    let (store, dir) = exported();
    let mut files: Vec<String> =
        walk(dir.path()).into_iter().map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string()).collect();
    files.sort();
    assert_eq!(
        files,
        [
            ".kelemetry-export.json",
            "events/cluster=default/date=2024-06-03/hour=09/part-0.parquet",
            "events/cluster=default/date=2024-08-01/hour=10/part-0.parquet",
            "objects/cluster=default/part-0.parquet",
            "owners/cluster=default/part-0.parquet",
            "requests/cluster=default/date=2024-06-03/hour=09/part-0.parquet",
            "requests/cluster=default/date=2024-08-01/hour=10/part-0.parquet",
            "states/cluster=default/part-0.parquet",
        ]
    );
    let out = store.run(&["export", "parquet", dir.path().to_str().unwrap()]);
    assert_eq!(
        stderr(&out),
        format!(
            "kelemetry-cli: exported part 0 to {}: 155 requests, 43 events, 15 objects, 43 states, 8 owners\n",
            dir.path().display()
        )
    );
    // A directory that holds other files is not cleared.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("notes.txt"), "mine").unwrap();
    let out = store.run(&["export", "parquet", other.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("holds other files"), "{}", stderr(&out));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { found.extend(walk(&path)) } else { found.push(path) }
    }
    found
}

#[test]
fn the_engines_read_every_row_the_store_holds() {
    let (store, dir) = exported();
    for engine in engines("the_engines_read_every_row_the_store_holds") {
        assert_eq!(
            engine.run(dir.path(), "count-rows.sql", &[]),
            json!([
                ["events", store.count("SELECT count(*) FROM event_versions")],
                ["objects", store.count("SELECT count(*) FROM objects")],
                ["owners", store.count("SELECT count(*) FROM owner_refs")],
                ["requests", store.count("SELECT count(*) FROM requests")],
                ["states", store.count("SELECT count(*) FROM object_states")],
            ]),
            "{engine:?}"
        );
    }
}

#[test]
fn the_sql_queries_give_the_cli_answers_on_duckdb_and_clickhouse_files_and_tables() {
    let (store, dir) = exported();
    for engine in engines("the_sql_queries_give_the_cli_answers_on_duckdb_and_clickhouse_files_and_tables") {
        queries_answer_as_the_cli(engine, &store, dir.path());
    }
}

fn queries_answer_as_the_cli(engine: Engine, store: &Store, dir: &Path) {
    let query = |dir: &Path, file: &str, variables: &[&str]| engine.run(dir, file, variables);

    // requests --top 10 --by user
    let top = cli_json(store, &["requests", "--top", "10", "--by", "user", "-o", "json"]);
    let cli: Vec<Value> = top["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([r["key"]["user"], r["count"], r["failures"], r["p50LatencyUs"], r["p99LatencyUs"]]))
        .collect();
    assert_eq!(query(dir, "top-users.sql", &[]), json!(cli), "{engine:?}");

    // analyze --check conflicts / throttling: the subjects, counts and statuses
    let report = cli_json(store, &["analyze", "--check", "conflicts", "--check", "throttling", "-o", "json"]);
    let findings = |check: usize| -> Vec<Value> {
        report["checks"][check]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| json!([f["subject"], f["count"], f["status"]]))
            .collect()
    };
    let sql: Vec<Value> = query(dir, "analyze-conflicts.sql", &[])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([r[1], r[2], r[3]]))
        .collect();
    let mut cli = findings(0);
    cli.sort_by_key(|f| f[0].as_str().unwrap().to_owned());
    let mut sql = sql;
    sql.sort_by_key(|f| f[0].as_str().unwrap().to_owned());
    assert_eq!(sql, cli);
    let report = cli_json(store, &["analyze", "--check", "invalid", "-o", "json"]);
    let cli: Vec<Value> =
        report["checks"][0]["findings"].as_array().unwrap().iter().map(|f| json!([f["subject"], f["count"]])).collect();
    let sql: Vec<Value> =
        query(dir, "analyze-invalid.sql", &[]).as_array().unwrap().iter().map(|r| json!([r[0], r[1]])).collect();
    assert_eq!(sql, cli, "{engine:?}");
    assert_eq!(sql.len(), 1);
    let throttled: Vec<Value> = query(dir, "analyze-throttling.sql", &[])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([r[0], r[1], "warn"]))
        .collect();
    assert_eq!(throttled, findings(1));

    // analyze --check server-errors: periods of consecutive seconds with 5xx
    let report = cli_json(store, &["analyze", "--check", "server-errors", "-o", "json"]);
    let cli: Vec<Value> = report["checks"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| json!([f["subject"], f["count"], f["first"]]))
        .collect();
    let sql: Vec<Value> = query(dir, "analyze-server-errors.sql", &[])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([format!("{}s with 5xx", r[0]), r[1], r[2]]))
        .collect();
    assert_eq!(sql, cli);

    // conflicts: each group's object, stale resourceVersion, winner and losers
    let conflicts = cli_json(store, &["conflicts", "-o", "json"]);
    let cli: Vec<Value> = conflicts["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["approximate"] == false)
        .map(|g| {
            let losers: Vec<&Value> = g["losers"].as_array().unwrap().iter().map(|l| &l["auditId"]).collect();
            json!([g["object"]["name"], g["baseResourceVersion"], g["winner"]["auditId"], losers])
        })
        .collect();
    let sql: Vec<Value> = query(dir, "conflict-groups.sql", &[])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([r[3], r[4], r[5], r[8]]))
        .collect();
    assert_eq!(sql, cli);
    assert_eq!(sql.len(), 1);

    // history deploy/web -n demo: the writes, in order
    let history = cli_json(store, &["history", "deploy/web", "-n", "demo", "-o", "json"]);
    let cli: Vec<&Value> = history["entries"].as_array().unwrap().iter().map(|e| &e["request"]["auditId"]).collect();
    let sql: Vec<Value> = query(dir, "object-history.sql", &["resource=deployments", "namespace=demo", "name=web"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[8].clone())
        .collect();
    assert_eq!(json!(sql), json!(cli));
}

#[test]
fn the_engines_read_an_export_through_an_s3_api_as_from_files() {
    let test = "the_engines_read_an_export_through_an_s3_api_as_from_files";
    let needs = ["moto", "boto3", "duckdb_extensions", "duckdb_extension_httpfs", "chdb"];
    if needs.iter().map(|module| python_with(module, test)).collect::<Vec<_>>().contains(&None) {
        return;
    }
    let (_store, dir) = exported();
    for query in ["count-rows.sql", "top-users.sql"] {
        let out =
            Command::new("python3").args(["-c", OVER_S3]).arg(dir.path()).arg(sql_dir()).arg(query).output().unwrap();
        assert!(out.status.success(), "{query}: {}", stderr(&out));
        let over_s3: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(times_as_rfc3339(over_s3["duckdb"].clone()), Engine::DuckDb.run(dir.path(), query, &[]), "{query}");
        assert_eq!(
            times_as_rfc3339(over_s3["clickhouse"].clone()),
            Engine::ClickHouse.run(dir.path(), query, &[]),
            "{query}"
        );
    }
}

#[test]
fn a_slice_of_raw_json_ingests_back_into_the_same_trace() {
    let (store, dir) = exported();
    for engine in engines("a_slice_of_raw_json_ingests_back_into_the_same_trace") {
        slice_ingests_back(engine, &store, dir.path());
    }
}

fn slice_ingests_back(engine: Engine, store: &Store, dir: &Path) {
    let slice = tempfile::tempdir().unwrap();
    for table in ["requests", "events"] {
        let rows = engine.run(dir, &format!("slice-{table}.sql"), &["namespace=demo"]);
        let lines: String = rows.as_array().unwrap().iter().map(|r| format!("{}\n", r[0].as_str().unwrap())).collect();
        std::fs::write(slice.path().join(format!("{table}.jsonl")), lines).unwrap();
    }
    let again = Store::new();
    let out = again.ingest(&[&slice.path().join("requests.jsonl"), &slice.path().join("events.jsonl")]);
    assert!(out.status.success(), "{}", stderr(&out));
    for args in [
        &["trace", "deploy/web", "-o", "json"][..],
        &["trace", "deploy/web", "--width", "100"],
        &["history", "deploy/web"],
    ] {
        assert_eq!(
            stdout(&again.run(args)),
            stdout(&store.run(&[args, &["-n", "demo"]].concat())),
            "{engine:?} {args:?}"
        );
    }
}

#[test]
fn since_last_adds_only_what_was_ingested_since_as_new_parts() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("rollout")]).status.success());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    assert_eq!(store.run(&["export", "parquet", path]).status.code(), Some(0));
    let analyze = testdata("analyze");
    assert!(store.ingest(&[&analyze.join("audit.jsonl")]).status.success());
    let out = store.run(&["export", "parquet", path, "--since-last"]);
    assert_eq!(
        stderr(&out),
        format!("kelemetry-cli: exported part 1 to {path}: 107 requests, 0 events, 4 objects, 3 states, 0 owners\n")
    );
    let mut parts: Vec<String> = walk(dir.path())
        .into_iter()
        .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
        .filter(|p| p.ends_with("part-1.parquet"))
        .collect();
    parts.sort();
    assert_eq!(
        parts,
        [
            "objects/cluster=default/part-1.parquet",
            "requests/cluster=default/date=2024-08-01/hour=10/part-1.parquet",
            "states/cluster=default/part-1.parquet"
        ]
    );
    // Nothing new: no files, exit 1.
    let out = store.run(&["export", "parquet", path, "--since-last"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("kelemetry-cli: exported part 2 to {path}: 0 requests, 0 events, 0 objects, 0 states, 0 owners\n")
    );
    // Without --since-last the export is written afresh, as one part.
    let out = store.run(&["export", "parquet", path]);
    assert_eq!(
        stderr(&out),
        format!("kelemetry-cli: exported part 0 to {path}: 155 requests, 39 events, 13 objects, 43 states, 8 owners\n")
    );
    assert!(walk(dir.path()).iter().all(|p| !p.display().to_string().contains("part-1")));
}

#[test]
fn ingest_reads_an_export_back_into_the_same_traces() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("rollout")]).status.success());
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(store.run(&["export", "parquet", dir.path().to_str().unwrap()]).status.code(), Some(0));
    let again = Store::new();
    let out = again.ingest(&[dir.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(again.count("SELECT count(*) FROM requests"), 48);
    assert_eq!(again.count("SELECT count(*) FROM event_versions"), 39);
    for args in [&["trace", "deploy/web", "-o", "json"][..], &["history", "deploy/web"], &["conflicts"]] {
        assert_eq!(stdout(&again.run(args)), stdout(&store.run(args)), "{args:?}");
    }
    // The files of objects and owner links are skipped as found, an error when named.
    let stats = again.stats();
    let skipped: Vec<&str> = stats["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "skipped")
        .map(|f| f["path"].as_str().unwrap().rsplit_once(dir.path().to_str().unwrap()).unwrap().1)
        .collect();
    assert_eq!(skipped.len(), 0, "skipped files are not stored: {skipped:?}");
    let objects = dir.path().join("objects/cluster=default/part-0.parquet");
    let out = Store::new().ingest(&[&objects]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("Parquet without records to read"), "{}", stderr(&out));
}

#[test]
fn a_corrupt_parquet_file_is_reported_and_the_others_are_read() {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("rollout")]).status.success());
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(store.run(&["export", "parquet", dir.path().to_str().unwrap()]).status.code(), Some(0));
    let good = dir.path().join("requests/cluster=default/date=2024-06-03/hour=09/part-0.parquet");
    let bytes = std::fs::read(&good).unwrap();
    // Cut in the middle, and with its middle overwritten (the footer intact).
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let mut scrambled = bytes.clone();
    let middle = bytes.len() / 3;
    scrambled[middle..middle * 2].iter_mut().for_each(|b| *b = b.wrapping_mul(31).wrapping_add(7));
    let garbled = dir.path().join("garbled.parquet");
    std::fs::write(&garbled, scrambled).unwrap();
    let again = Store::new();
    let out = again.ingest(&[&cut, &garbled, &good]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(stderr(&out).contains("cut.parquet"), "{}", stderr(&out));
    assert_eq!(again.count("SELECT count(*) FROM requests"), 48, "the good file is read whole");
}
