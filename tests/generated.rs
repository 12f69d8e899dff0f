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
        check(&dir.join(completions::file_name(shell)), &completions::script(shell).unwrap());
    }
}

#[test]
fn man_page_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/kelemetry-cli.1");
    check(&path, &man::page(Cli::command()).unwrap());
}

/// Each subcommand has a section of its own, headed by its name.
#[test]
fn the_man_page_has_a_section_per_subcommand() {
    let page = String::from_utf8(man::page(Cli::command()).unwrap()).unwrap();
    let headings: Vec<&str> = page.lines().filter(|l| l.starts_with(".SH \"KELEMETRY-CLI ")).collect();
    let subcommands: Vec<String> = Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| format!(".SH \"KELEMETRY-CLI {}\"", s.get_name().to_uppercase()))
        .collect();
    assert_eq!(headings, subcommands);
    assert!(subcommands.len() >= 8);
    assert!(!page.contains(".SH \".EL"), "a section headed by roff rather than a name");
}
