#!/usr/bin/env bash
# `export parquet` on the 10M-request store of bench/query.sh: time, peak RSS, the export's
# size beside the SQLite store's, and the sql/ queries timed on DuckDB and chDB beside the
# CLI's own answer to the same question. Needs python3 with duckdb and chdb.
#
#   bench/export.sh                       # the store of bench/query.sh (built by it)
#   BENCH_DB=/path/to/store.db bench/export.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DB=${BENCH_DB:-bench/out-10m/q.db}
OUT=${BENCH_EXPORT:-bench/out-export}
BIN=target/release/kelemetry-cli
[ -f "$DB" ] || { echo "no store $DB: run bench/query.sh first" >&2; exit 2; }
cargo build --release --quiet --bin kelemetry-cli

rm -rf "$OUT"
start=$(date +%s%N)
/usr/bin/time -o "$OUT.rss" -f '%M' "$BIN" --db "$DB" export parquet "$OUT" 2> /dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
rss=$(tail -1 "$OUT.rss")
requests=$("$BIN" --db "$DB" stats -o json | jq .requests)
printf 'export parquet: %d requests in %d.%03d s (%d requests/s), peak RSS %d MiB\n' "$requests" \
    $((ms / 1000)) $((ms % 1000)) $((requests * 1000 / ms)) $((rss / 1024))
printf 'size: store %d MB, export %d MB (requests %d MB, events %d MB, states %d MB)\n' \
    $(( $(stat -c %s "$DB") / 1000000 )) $(( $(du -sb "$OUT" | cut -f1) / 1000000 )) \
    $(( $(du -sb "$OUT/requests" | cut -f1) / 1000000 )) $(( $(du -sb "$OUT/events" | cut -f1) / 1000000 )) \
    $(( $(du -sb "$OUT/states" | cut -f1) / 1000000 ))

# Each query once on each engine (after a warm-up read of the files), and the CLI's answer.
python3 - "$OUT" <<'PY'
import sys, time
import duckdb
from chdb import session
export = sys.argv[1]
duck = duckdb.connect()
duck.execute("SET VARIABLE export = '" + export + "'")
duck.execute(open("sql/duckdb/tables.sql").read())
click = session.Session()
text = "\n".join(l for l in open("sql/clickhouse/tables.sql").read().splitlines() if not l.startswith("--"))
for statement in text.replace("EXPORT", export).split(";"):
    if statement.strip():
        click.query(statement)
for query in ["count-rows", "top-users", "analyze-conflicts", "analyze-server-errors", "analyze-throttling", "conflict-groups"]:
    times = []
    for engine in ("duckdb", "clickhouse"):
        sql = open(f"sql/{engine}/{query}.sql").read()
        start = time.time()
        if engine == "duckdb":
            duck.sql(sql).fetchall()
        else:
            click.query(sql.rstrip().rstrip(";"), "CSV")
        times.append(time.time() - start)
    print(f"{query:24} duckdb {times[0]:6.2f} s   chdb {times[1]:6.2f} s")
PY
for args in "requests --top 10 --by user" "analyze --check conflicts" "analyze --check server-errors" "conflicts"; do
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    "$BIN" --db "$DB" $args > /dev/null || true
    printf 'kelemetry-cli %-32s %6d ms\n' "$args" $(( ($(date +%s%N) - start) / 1000000 ))
done
