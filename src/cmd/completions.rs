//! `kelemetry-cli completions`: shell completion scripts.

use anyhow::Result;
use clap_complete::Shell;

use super::{Context, Outcome};

/// Print a shell completion script (the repository ships them under completions/).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `command` is the whole command line, which `cli` hands down.
pub fn run(args: &Args, ctx: &mut Context, command: clap::Command) -> Result<Outcome> {
    ctx.out.write_all(&script(args.shell, command))?;
    Ok(Outcome::Success)
}

/// The completion script for a shell, as committed under `completions/`.
pub fn script(shell: Shell, mut command: clap::Command) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "kelemetry-cli", &mut out);
    out
}

/// The file each shell's script is committed as.
pub fn file_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "kelemetry-cli.bash",
        Shell::Zsh => "_kelemetry-cli",
        Shell::Fish => "kelemetry-cli.fish",
        Shell::PowerShell => "_kelemetry-cli.ps1",
        Shell::Elvish => "kelemetry-cli.elv",
        _ => "kelemetry-cli.completion",
    }
}
