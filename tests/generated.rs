//! The committed completions and man page equal what the binary generates now.
//! Regenerate them with `scripts/regenerate.sh`.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;
use kelemetry_cli::cli::Cli;
use kelemetry_cli::cmd::{completions, man};

fn check(path: &Path, generated: &[u8]) {
    let committed = std::fs::read(path).unwrap_or_default();
    assert!(committed == generated, "{} is stale: run scripts/regenerate.sh", path.display());
}

#[test]
fn completions_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish] {
        check(&dir.join(completions::file_name(shell)), &completions::script(shell, Cli::command()));
    }
}

#[test]
fn man_page_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/kelemetry-cli.1");
    check(&path, &man::page(Cli::command()).unwrap());
}
