#!/usr/bin/env bash
# Query latency on a store of 10 million generated requests: `trace` of a Deployment with
# 50 Pods, `history` of one object, `conflicts --since 1h`, `requests` (a selective grep,
# its first row, aggregates, a listing stopped by `head`, its memory) and `analyze`, each run
# several times, best and median wall time reported; and the zcat | jq baseline for the grep.
#
#   bench/query.sh                      # builds bench/out-10m/q.db first if missing (~10 min)
#   BENCH_DB=/path/to/store.db bench/query.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${BENCH_DIR:-bench/out-10m}
DB=${BENCH_DB:-$DIR/q.db}
RUNS=${RUNS:-7}
BIN=target/release/kelemetry-cli

cargo build --release --quiet --bin kelemetry-cli --example synth
if [ ! -f "$DB" ]; then
    mkdir -p "$DIR"
    # 18.5 GB of write-heavy log (~9.8M requests) and a second seed on top: > 10M requests.
    # Deployment app-0 runs 25 replicas: with its rollout, 2 ReplicaSets and 50 Pods.
    [ -f "$DIR/a/audit.log.gz" ] ||
        target/release/examples/synth --out "$DIR/a" --size 18500M --noise 1 --first-replicas 25 --gzip
    [ -f "$DIR/b/audit.log.gz" ] ||
        target/release/examples/synth --out "$DIR/b" --size 600M --noise 1 --seed 7 --gzip
    "$BIN" --db "$DB" ingest -q "$DIR/a/audit.log.gz" "$DIR/b/audit.log.gz" "$DIR/a/events.json" "$DIR/b/events.json"
fi

requests=$("$BIN" --db "$DB" stats -o json | jq .requests)
echo "store: $DB, $requests requests"

# Runs a command RUNS times; prints best and median milliseconds.
measure() {
    local label=$1; shift
    local times=()
    for _ in $(seq "$RUNS"); do
        local start end
        start=$(date +%s%N)
        # Exit codes are not the benchmark's business (analyze exits 3 when a check fails).
        "$@" > /dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000000 )))
    done
    local sorted
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    printf '%-58s best %5s ms   median %5s ms\n' "$label" "$(echo "$sorted" | head -1)" "$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")"
}

# Both seeds have a team-0/app-0: the one of the first, with 50 Pods, is the subject.
app0=$("$BIN" --db "$DB" objects deploy -n team-0 --name app-0 -o json | jq -r '.[].uid' | while read -r uid; do
    echo "$("$BIN" --db "$DB" trace --uid "$uid" -o json | jq '[.spans[] | select(.tags.kind == "Pod")] | length') $uid"
done | sort -n | tail -1)
echo "trace subject: deployment team-0/app-0 with ${app0% *} pods (uid ${app0#* })"
uid=${app0#* }
measure "trace deploy/app-0 (tracing, terminal, 100 columns)" "$BIN" --db "$DB" trace --uid "$uid" --width 100
measure "trace deploy/app-0 --pipeline tree" "$BIN" --db "$DB" trace --uid "$uid" --pipeline tree --width 100
measure "trace deploy/app-0 --pipeline timeline" "$BIN" --db "$DB" trace --uid "$uid" --pipeline timeline --width 100
measure "trace deploy/app-0 -o json" "$BIN" --db "$DB" trace --uid "$uid" -o json
measure "trace deploy/app-0 -o jaeger" "$BIN" --db "$DB" trace --uid "$uid" -o jaeger
measure "trace pod (one of app-0's: the whole tree from below)" "$BIN" --db "$DB" trace --uid "$("$BIN" --db "$DB" trace --uid "$uid" -o json | jq -r '[.spans[] | select(.tags.kind == "Pod")][0].tags.uid')" --width 100
measure "history deploy/app-5000 -n team-0" "$BIN" --db "$DB" history deploy/app-5000 -n team-0
measure "history deploy/app-5000 -n team-0 --field spec.minReadySeconds" "$BIN" --db "$DB" history deploy/app-5000 -n team-0 --field spec.minReadySeconds
measure "history pod (the busiest pod of app-5000)" "$BIN" --db "$DB" history --uid "$("$BIN" --db "$DB" objects po -n team-0 --name 'app-5000-*' -o json | jq -r 'max_by(.requests).uid')"
measure "conflicts --since 1h" "$BIN" --db "$DB" conflicts --since 1h
measure "conflicts --since 1h -o json" "$BIN" --db "$DB" conflicts --since 1h -o json
measure "objects deploy -n team-0 --name 'app-50*'" "$BIN" --db "$DB" objects deploy -n team-0 --name 'app-50*'

# requests: a selective grep, its first row, the whole-store aggregate, and a listing cut
# off by `head` (it must stop at once, not after reading 10M rows).
measure "requests --user alice --verb delete" "$BIN" --db "$DB" requests --user alice --verb delete
measure "requests --user alice --verb delete | head -3 (first row)" bash -c "'$BIN' --db '$DB' requests --user alice --verb delete | head -3"
measure "requests --user alice --verb delete -o json" "$BIN" --db "$DB" requests --user alice --verb delete -o json
measure "requests --count --failed" "$BIN" --db "$DB" requests --count --failed
measure "requests --top 10 --by user (all requests)" "$BIN" --db "$DB" requests --top 10 --by user
measure "requests --top 10 --by resource --by verb" "$BIN" --db "$DB" requests --top 10 --by resource --by verb
measure "requests -o json | head -1 (a 10M-row listing, stopped)" bash -c "'$BIN' --db '$DB' requests -o json | head -1"
measure "requests --code 409 --since 1h -o json" "$BIN" --db "$DB" requests --code 409 --since 1h -o json

# analyze: every check over the whole store, and its peak memory.
RUNS=$(( RUNS < 3 ? RUNS : 3 )) measure "analyze (every check)" "$BIN" --db "$DB" analyze
rss=$( { /usr/bin/time -f '%M' "$BIN" --db "$DB" analyze > /dev/null || true; } 2>&1 | tail -1)
printf '%-58s peak RSS %6s MiB\n' "analyze" "$((rss / 1024))"

# Memory of a listing does not grow with its length: peak RSS at 1k and at 2M rows.
for rows in 1000 2000000; do
    rss=$( { /usr/bin/time -f '%M' "$BIN" --db "$DB" requests -o json --limit "$rows" > /dev/null; } 2>&1 | tail -1)
    printf '%-58s peak RSS %6s MiB\n' "requests -o json --limit $rows" "$((rss / 1024))"
done

# The baseline an investigator has: zcat | jq over the log, for the same question. On the
# second seed's log only (629 MB): its MB/s says how long the whole 19 GB would take.
if command -v jq >/dev/null; then
    bytes=$(zcat "$DIR/b/audit.log.gz" | wc -c)
    start=$(date +%s%N)
    zcat "$DIR/b/audit.log.gz" | jq -c 'select(.verb == "delete" and (.user.username | contains("alice")))' > /dev/null
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    printf '%-58s %7s ms   %s MB/s (19.4 GB: ~%s s)\n' "baseline: zcat | jq select (user, verb) on $((bytes / 1000000)) MB" \
        "$ms" "$(( bytes / 1000 / ms ))" "$(( 19400 * ms / (bytes / 1000000) / 1000 ))"
fi
