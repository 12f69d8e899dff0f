//! The architecture, checked: each top-level module of `src/` imports only the layers below
//! it (README "Layout"), SQL stays in `store/`, and no command imports another.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each layer and what it may import, top to bottom.
const LAYERS: &[(&str, &[&str])] = &[
    ("main", &["cli", "cmd"]),
    ("cli", &["cmd"]),
    ("cmd", &["render", "trace", "query", "ingest", "store", "model"]),
    ("render", &["trace", "query", "ingest", "store", "model"]),
    ("trace", &["query", "store", "model"]),
    ("query", &["store", "model"]),
    ("ingest", &["input", "store", "model"]),
    ("input", &["model"]),
    // Beside the layers: the fuzz targets' entry points.
    ("fuzzing", &["input", "query", "model"]),
    ("store", &["model"]),
    ("model", &[]),
];

fn sources(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Each source file's layer and its code: without comments, and without `#[cfg(test)]`
/// modules (tests may reach anywhere).
fn layered_code() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
        let layer = relative.split(['/', '.']).next().unwrap().to_owned();
        if matches!(layer.as_str(), "lib" | "testing") || relative.ends_with("/tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // Comments may name any layer: only code imports.
        let code: Vec<&str> =
            text.split("#[cfg(test)]").next().unwrap().lines().filter(|l| !l.trim_start().starts_with("//")).collect();
        let code = code.join("\n");
        out.push((relative, layer, code));
    }
    out
}

/// The top-level modules a piece of code names (`crate::store::...`, `kelemetry_cli::cli`).
fn imported(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for root in ["crate::", "kelemetry_cli::"] {
        for (at, _) in code.match_indices(root) {
            let rest = &code[at + root.len()..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            if end > 0 {
                names.insert(rest[..end].to_owned());
            }
        }
    }
    names
}

#[test]
fn layers_import_only_the_layers_below_them() {
    let mut wrong = Vec::new();
    for (file, layer, code) in layered_code() {
        let allowed = LAYERS.iter().find(|(name, _)| *name == layer).map(|(_, below)| *below);
        let Some(allowed) = allowed else {
            wrong.push(format!("{file}: `{layer}` is not a known layer"));
            continue;
        };
        for name in imported(&code) {
            if name != layer && !allowed.contains(&name.as_str()) {
                wrong.push(format!("{file}: {layer} imports {name}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
}

#[test]
fn only_the_store_knows_sql() {
    let outside: Vec<String> = layered_code()
        .into_iter()
        .filter(|(_, layer, code)| layer != "store" && (code.contains("rusqlite") || code.contains(".prepare(")))
        .map(|(file, _, _)| file)
        .collect();
    assert!(outside.is_empty(), "SQL outside src/store: {outside:?}");
}

#[test]
fn no_command_imports_another() {
    let commands: Vec<String> = layered_code()
        .into_iter()
        // The helpers every command shares: arguments, wiring, completers.
        .filter(|(file, _, _)| {
            file.starts_with("cmd/") && !["cmd/mod.rs", "cmd/args.rs", "cmd/complete.rs"].contains(&file.as_str())
        })
        .map(|(file, _, _)| file.trim_start_matches("cmd/").trim_end_matches(".rs").to_owned())
        .collect();
    for (file, _, code) in layered_code().into_iter().filter(|(f, _, _)| f.starts_with("cmd/")) {
        for other in commands.iter().filter(|c| !file.ends_with(&format!("{c}.rs"))) {
            for path in [format!("super::{other}"), format!("crate::cmd::{other}")] {
                assert!(!code.contains(&path), "{file} imports the command {other}");
            }
        }
    }
}
