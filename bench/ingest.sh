#!/usr/bin/env bash
# Races `kelemetry-cli ingest` against the baselines (zcat, jq) on the same generated
# gzip audit log, in one run, and prints throughput, ratios, peak RSS and store size.
#
#   bench/ingest.sh                 # 1.1 GiB uncompressed, generated once into bench/out
#   SIZE=300M bench/ingest.sh       # a quicker run
#   NOISE=1 bench/ingest.sh         # write-heavy worst case (default 3: reads dominate, as in real logs)
#   RECEIVED=100 bench/ingest.sh    # every request also logged at RequestReceived (default 5%)
#   RUNS=5 bench/ingest.sh          # zcat and ingest raced 5 times in turn (default 3)
#   READ_BODIES=1 GZIP_LEVEL=6 SIZE=300M bench/ingest.sh
#                                   # reads logged with their bodies, gzip at its default level:
#                                   # a log that packs 14:1, as RequestResponse logs do
#   BENCH_DIR=/big/disk bench/ingest.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-1100M}
NOISE=${NOISE:-3}
RECEIVED=${RECEIVED:-5}
RUNS=${RUNS:-3}
READ_BODIES=${READ_BODIES:-0}
GZIP_LEVEL=${GZIP_LEVEL:-1}
DIR=${BENCH_DIR:-bench/out}
LOG="$DIR/audit.log.gz"
DB="$DIR/bench.db"
BIN=target/release/kelemetry-cli

cargo build --release --quiet --bin kelemetry-cli --example synth
mkdir -p "$DIR"
MIX="$SIZE noise $NOISE received $RECEIVED"
EXTRA=()
if [ "$READ_BODIES" = 1 ]; then MIX="$MIX read-bodies"; EXTRA+=(--read-bodies); fi
if [ "$GZIP_LEVEL" != 1 ]; then MIX="$MIX gzip-level $GZIP_LEVEL"; EXTRA+=(--gzip-level "$GZIP_LEVEL"); fi
if [ ! -f "$LOG" ] || [ "$(cat "$DIR/size" 2>/dev/null)" != "$MIX" ]; then
    target/release/examples/synth --out "$DIR" --size "$SIZE" --noise "$NOISE" --request-received "$RECEIVED" "${EXTRA[@]}" --gzip
    echo "$MIX" > "$DIR/size"
fi
for tool in jq zcat /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install jq time)" >&2; exit 2; }
done

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
mbps() { echo "scale=1; $1 / 1000000 / $2" | bc -l; }

gz_bytes=$(stat -c %s "$LOG")
raw_bytes=$(zcat "$LOG" | wc -c)   # also warms the page cache for every contender
echo "input: $LOG, $((gz_bytes / 1000000)) MB gzip, $((raw_bytes / 1000000)) MB uncompressed"

t0=$(now); zcat "$LOG" | jq -c 'select(.verb=="update")' > /dev/null; t1=$(now)
jq_s=$(elapsed "$t0" "$t1")

# zcat and the ingest, RUNS times in turn: each pair ran on the machine as it was then, and
# the ratio of each pair is what to quote on a shared machine whose speed drifts.
zcat_runs=(); ingest_runs=(); ratios=()
for run in $(seq "$RUNS"); do
    t0=$(now); zcat "$LOG" > /dev/null; t1=$(now)
    zcat_runs+=("$(elapsed "$t0" "$t1")")
    rm -f "$DB" "$DB-wal" "$DB-shm"
    t0=$(now)
    /usr/bin/time -v "$BIN" --db "$DB" ingest -q "$LOG" 2> "$DIR/time.txt" || true
    t1=$(now)
    ingest_runs+=("$(elapsed "$t0" "$t1")")
    ratios+=("$(printf '%.2f' "$(echo "${zcat_runs[-1]} / ${ingest_runs[-1]}" | bc -l)")")
    printf 'run %d: zcat %.2f s, ingest %.2f s: %sx zcat'"'"'s speed\n' "$run" "${zcat_runs[-1]}" "${ingest_runs[-1]}" "${ratios[-1]}"
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
zcat_s=$(median "${zcat_runs[@]}")
ingest_s=$(median "${ingest_runs[@]}")
rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$DIR/time.txt")

t0=$(now); "$BIN" --db "$DB" ingest -q "$LOG"; t1=$(now)
again_s=$(elapsed "$t0" "$t1")

db_bytes=$(( $(stat -c %s "$DB") + $(stat -c %s "$DB-wal" 2>/dev/null || echo 0) ))

printf '\nmedians of %s runs; ingest vs zcat, run by run: %s\n' "$RUNS" "${ratios[*]}"
printf '%-34s %10s %12s %10s\n' "contender" "seconds" "MB/s (raw)" "vs ingest"
printf '%-34s %10.2f %12s %10.2f\n' "zcat > /dev/null" "$zcat_s" "$(mbps "$raw_bytes" "$zcat_s")" "$(echo "$zcat_s / $ingest_s" | bc -l)"
printf '%-34s %10.2f %12s %10.2f\n' "zcat | jq -c 'select(.verb==...)'" "$jq_s" "$(mbps "$raw_bytes" "$jq_s")" "$(echo "$jq_s / $ingest_s" | bc -l)"
printf '%-34s %10.2f %12s %10s\n' "kelemetry-cli ingest" "$ingest_s" "$(mbps "$raw_bytes" "$ingest_s")" "1.00"
printf '%-34s %10.2f %12s %10s\n' "kelemetry-cli ingest (again)" "$again_s" "-" "$(echo "scale=1; 100 * $again_s / $ingest_s" | bc -l)%"
echo
echo "peak RSS of ingest: $((rss_kb / 1024)) MiB"
echo "store: $((db_bytes / 1000000)) MB = $(echo "scale=2; $db_bytes / $gz_bytes" | bc -l)x the gzip input"
"$BIN" --db "$DB" stats -o json | jq -c '{requests, objects, objectStates, conflicts}'
echo -n "mix (noise $NOISE, RequestReceived logged for $RECEIVED%): "
"$BIN" --db "$DB" stats -o json | jq -r '[.byVerb[] | "\(.name) \(.count)"] | join(", ")'
