//! The README's jq recipes run as printed, on the sample store (`kelemetry.db` in the
//! current directory, as the README's commands assume). The text examples are checked in
//! trace.rs, the SQL recipes in stats.rs.

use std::process::Command;

use crate::common::{bin, stderr, stdout, testdata};

/// jq, which the recipes pipe into: `None` (said visibly) where it is missing, except in CI.
fn jq() -> Option<()> {
    if Command::new("jq").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return Some(());
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "jq is missing in CI (.ci/run installs it)");
    eprintln!("SKIPPED: jq is not installed");
    None
}

/// Each `kelemetry-cli ... | jq ...` command of the README's `sh` blocks, continuation
/// lines joined.
fn jq_recipes(readme: &str) -> Vec<String> {
    let mut recipes = Vec::new();
    for block in readme.split("```sh\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        let mut command = String::new();
        for line in block.lines() {
            let continued = !command.is_empty();
            if line.starts_with("kelemetry-cli ") || (continued && line.starts_with("  ")) {
                command.push_str(line.trim_end_matches('\\'));
                command.push(' ');
                if line.ends_with('\\') || line.ends_with('|') {
                    continue;
                }
            }
            let command_line = command.split_whitespace().collect::<Vec<_>>().join(" ");
            if command_line.contains("| jq") {
                recipes.push(command_line);
            }
            command.clear();
        }
    }
    recipes
}

#[test]
fn the_readme_jq_recipes_run() {
    let Some(()) = jq() else { return };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let recipes = jq_recipes(&readme);
    assert_eq!(recipes.len(), 5, "{recipes:#?}");
    let dir = tempfile::tempdir().unwrap();
    let ingest = bin().current_dir(dir.path()).args(["ingest", "-q"]).arg(testdata("sample")).output().unwrap();
    assert!(ingest.status.success(), "{}", stderr(&ingest));
    let binaries = std::path::Path::new(env!("CARGO_BIN_EXE_kelemetry-cli")).parent().unwrap();
    for recipe in recipes {
        let out = Command::new("bash")
            .args(["-c", &format!("set -o pipefail; {recipe}")])
            .current_dir(dir.path())
            .env("PATH", format!("{}:{}", binaries.display(), std::env::var("PATH").unwrap_or_default()))
            .env_remove("KELEMETRY_DB")
            .output()
            .unwrap();
        assert!(out.status.success() && stderr(&out).is_empty(), "{recipe}: {}", stderr(&out));
        // The stats recipe keeps writers with more than 100 writes: the sample has none.
        assert!(recipe.contains("count > 100") || !stdout(&out).is_empty(), "{recipe}: printed nothing");
    }
}
