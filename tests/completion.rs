//! Shell completion, driven through real shells: the committed scripts call the binary,
//! which completes subcommands, flags, flag values, and object names and namespaces from
//! the store (`KELEMETRY_DB`).

use std::path::Path;
use std::process::Command;

use crate::common::{Store, testdata};

/// `PATH` with the binary under test first, as an installed `kelemetry-cli` would be.
fn path_with_binary() -> String {
    let dir = Path::new(env!("CARGO_BIN_EXE_kelemetry-cli")).parent().unwrap().display().to_string();
    format!("{dir}:{}", std::env::var("PATH").unwrap_or_default())
}

fn rollout() -> Store {
    let store = Store::new();
    assert!(store.ingest(&[&testdata("rollout")]).status.success());
    store
}

/// A shell that a test needs: `None` (said visibly) where it is missing, except in CI.
fn shell(name: &str) -> Option<()> {
    if Command::new(name).arg("-c").arg("true").output().is_ok_and(|o| o.status.success()) {
        return Some(());
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{name} is missing in CI (.ci/run installs it)");
    eprintln!("SKIPPED: {name} is not installed");
    None
}

/// What bash's completion offers for the words (the last one being completed).
fn bash(store: &Store, words: &[&str]) -> Vec<String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/completions/kelemetry-cli.bash");
    let out = Command::new("bash")
        .args([
            "-c",
            r#"source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_TYPE=9
               _clap_complete_kelemetry_cli kelemetry-cli "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
               printf '%s\n' "${COMPREPLY[@]}""#,
            script,
        ])
        .args(words)
        .env("PATH", path_with_binary())
        .env("KELEMETRY_DB", &store.path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// What fish offers for a command line, without the descriptions.
fn fish(store: &Store, line: &str) -> Vec<String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/completions/kelemetry-cli.fish");
    let out = Command::new("fish")
        .args(["-c", &format!("source {script}; complete -C '{line}'")])
        .env("PATH", path_with_binary())
        .env("KELEMETRY_DB", &store.path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().lines().map(|l| l.split('\t').next().unwrap().to_owned()).collect()
}

/// What zsh's completion system offers, typed into an interactive zsh with Tab. A pseudo
/// terminal under a loaded machine can lose a keystroke: a run that times out is tried
/// again (twice), a wrong answer is not.
fn zsh(store: &Store, line: &str) -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    for _ in 0..3 {
        let out = Command::new("timeout")
            .args(["20", "zsh", "-f", &format!("{root}/tests/zsh_complete.zsh"), &format!("{root}/completions"), line])
            .env("PATH", path_with_binary())
            .env("KELEMETRY_DB", &store.path)
            .output()
            .unwrap();
        if out.status.code() == Some(124) {
            continue;
        }
        assert!(out.status.success(), "{out:?}");
        return String::from_utf8(out.stdout).unwrap().lines().filter(|l| !l.is_empty()).map(str::to_owned).collect();
    }
    panic!("zsh did not answer for {line:?} in three tries");
}

#[test]
fn bash_completes_subcommands_flags_values_and_objects() {
    shell("bash").unwrap();
    let store = rollout();
    assert_eq!(bash(&store, &["kelemetry-cli", "tr"]), ["trace"]);
    assert_eq!(bash(&store, &["kelemetry-cli", "trace", "--pi"]), ["--pipeline"]);
    assert_eq!(
        bash(&store, &["kelemetry-cli", "trace", "-o", ""]),
        ["text", "json", "jaeger", "otlp", "html", "perfetto"]
    );
    assert_eq!(bash(&store, &["kelemetry-cli", "trace", "deploy/"]), ["deploy/web"]);
    assert_eq!(bash(&store, &["kelemetry-cli", "history", "rs/web-6"]), ["rs/web-6c8f9d7b5"]);
    assert_eq!(bash(&store, &["kelemetry-cli", "trace", "-n", ""]), ["demo"]);
}

#[test]
fn fish_completes_subcommands_flags_values_and_objects() {
    let Some(()) = shell("fish") else { return };
    let store = rollout();
    assert_eq!(fish(&store, "kelemetry-cli trace --pi"), ["--pipeline"]);
    assert_eq!(fish(&store, "kelemetry-cli trace -o "), ["text", "json", "jaeger", "otlp", "html", "perfetto"]);
    assert_eq!(fish(&store, "kelemetry-cli trace deploy/"), ["deploy/web"]);
    assert_eq!(fish(&store, "kelemetry-cli objects -n "), ["demo"]);
}

#[test]
fn zsh_completes_subcommands_flags_values_and_objects() {
    let Some(()) = shell("zsh") else { return };
    let store = rollout();
    assert_eq!(zsh(&store, "kelemetry-cli tr"), ["trace"]);
    assert_eq!(zsh(&store, "kelemetry-cli trace --pi"), ["--pipeline"]);
    assert_eq!(zsh(&store, "kelemetry-cli trace -o "), ["text", "json", "jaeger", "otlp", "html", "perfetto"]);
    assert_eq!(zsh(&store, "kelemetry-cli trace deploy/"), ["deploy/web"]);
    assert_eq!(zsh(&store, "kelemetry-cli history rs/web-6"), ["rs/web-6c8f9d7b5"]);
    assert_eq!(zsh(&store, "kelemetry-cli objects -n "), ["demo"]);
}
