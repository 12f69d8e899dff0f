#!/usr/bin/env bash
# Regenerates the committed shell completions and man page from the command line
# definition; tests/generated.rs fails while they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/kelemetry-cli
"$bin" completions bash > completions/kelemetry-cli.bash
"$bin" completions zsh > completions/_kelemetry-cli
"$bin" completions fish > completions/kelemetry-cli.fish
"$bin" completions powershell > completions/_kelemetry-cli.ps1
"$bin" completions elvish > completions/kelemetry-cli.elv
"$bin" man > man/kelemetry-cli.1
