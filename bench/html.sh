#!/usr/bin/env bash
# The HTML page of a 10,000-span trace: its size, how long `trace -o html` takes, and the
# first render in headless Chromium (navigation to the first drawn rows, as the page itself
# records it in data-render-ms), several runs each, best and median.
#
#   bench/html.sh            # needs chromium and jq
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${BENCH_DIR:-bench/out-html}
RUNS=${RUNS:-5}
BIN=target/release/kelemetry-cli
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome)}

cargo build --release --quiet --bin kelemetry-cli --example synth
# One Deployment of 430 replicas (and four small ones): its tree trace has ~9,900 spans.
if [ ! -f "$DIR/q.db" ]; then
    mkdir -p "$DIR"
    target/release/examples/synth --out "$DIR" --deployments 5 --first-replicas 430 --noise 0 > /dev/null
    "$BIN" --db "$DIR/q.db" ingest -q "$DIR/audit.log" "$DIR/events.json"
fi
uid=$("$BIN" --db "$DIR/q.db" objects deploy -n team-0 --name app-0 -o json | jq -r '.[0].uid')
spans=$("$BIN" --db "$DIR/q.db" trace --uid "$uid" -o json --pipeline tree | jq '.spans | length')
json_bytes=$("$BIN" --db "$DIR/q.db" trace --uid "$uid" -o json --pipeline tree | wc -c)
"$BIN" --db "$DIR/q.db" trace --uid "$uid" -o html > "$DIR/trace.html"
echo "trace of deployment team-0/app-0: $spans spans; -o json $((json_bytes / 1000)) kB, -o html $(( $(wc -c < "$DIR/trace.html") / 1000 )) kB"

median_best() {
    sort -n | awk '{ v[NR] = $1 } END { printf "best %5d ms   median %5d ms\n", v[1], v[int((NR + 1) / 2)] }'
}

for _ in $(seq "$RUNS"); do
    start=$(date +%s%N)
    "$BIN" --db "$DIR/q.db" trace --uid "$uid" -o html > /dev/null
    echo $(( ($(date +%s%N) - start) / 1000000 ))
done | median_best | sed 's/^/trace -o html (the page written)           /'

# --virtual-time-budget lets the page finish its asynchronous render before the DOM is
# dumped; time inside tasks is real.
for _ in $(seq "$RUNS"); do
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --window-size=1400,900 --virtual-time-budget=20000 \
        --dump-dom "file://$PWD/$DIR/trace.html" 2> /dev/null | grep -o 'data-render-ms="[0-9]*"' | tr -dc '0-9'
    echo
done | median_best | sed 's/^/first render in headless Chromium           /'
