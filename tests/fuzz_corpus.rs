//! The fuzz targets (fuzz/), replayed over their seeds and every crash ever found: the
//! normal test run keeps what fuzzing fixed fixed. `fuzz/run.sh` fuzzes for real.

use std::path::{Path, PathBuf};

use kelemetry_cli::fuzzing::TARGETS;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_target_survives_its_seeds_and_past_crashes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, target) in TARGETS {
        assert!(root.join(format!("fuzz/fuzz_targets/{name}.rs")).is_file(), "{name} has no fuzz target");
        let mut inputs = Vec::new();
        match *name {
            "decode" | "cutters" | "yaml" => files(&root.join("testdata"), &mut inputs),
            _ => files(&root.join("fuzz/seeds").join(name), &mut inputs),
        }
        files(&root.join("fuzz/regressions").join(name), &mut inputs);
        assert!(!inputs.is_empty(), "{name}: no seeds");
        for input in inputs {
            let data = std::fs::read(&input).unwrap();
            let replay = std::panic::catch_unwind(|| target(&data));
            assert!(replay.is_ok(), "{name} panicked on {}", input.display());
        }
    }
}
