#!/usr/bin/env bash
# Fuzzes each target for a while (needs nightly and `cargo install cargo-fuzz`):
#
#   fuzz/run.sh            # every target, 10 minutes each
#   SECONDS_EACH=60 fuzz/run.sh decode yaml
#
# Corpora start from testdata/ and fuzz/seeds/ and grow in fuzz/corpus/ (not committed).
# A crash lands in fuzz/artifacts/TARGET/: copy it to fuzz/regressions/TARGET/, where the
# normal test run replays it, and fix the code.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${SECONDS_EACH:-600}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode cutters yaml time diff selector)
for target in "${targets[@]}"; do
    corpus="corpus/$target"
    mkdir -p "$corpus"
    case "$target" in
        decode | cutters | yaml)
            find ../testdata -type f | while read -r file; do
                name=${file#../testdata/}
                cp "$file" "$corpus/${name//\//_}"
            done
            ;;
        *) cp seeds/"$target"/* "$corpus"/ ;;
    esac
    if [ -d "regressions/$target" ]; then cp regressions/"$target"/* "$corpus"/; fi
    cargo +nightly fuzz run "$target" "$corpus" -- -max_total_time="$SECONDS_EACH" -max_len=262144 -rss_limit_mb=4096 2>&1 |
        tee "fuzz-$target.log" | grep -E '^(Done|#[0-9]+ +DONE)|SUMMARY|panicked' || true
done
