#!/usr/bin/env bash
# Query latency on a store of 10 million generated requests: `trace` of a Deployment with
# 50 Pods, `history` of one object and `conflicts --since 1h`, each run several times, best
# and median wall time reported.
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
        "$@" > /dev/null 2>&1
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
