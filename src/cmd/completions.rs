//! `kelemetry-cli completions`: the shells' completion scripts. They are dynamic: on Tab the
//! shell asks the binary (`COMPLETE=<shell> kelemetry-cli -- <words>`), which completes
//! subcommands, flags, flag values, and object names and namespaces from the store.

use anyhow::Result;
use clap_complete::Shell;
use clap_complete::env::EnvCompleter;

use super::{Context, Outcome};

/// Print a shell's completion script (the repository ships them under completions/).
/// `source <(kelemetry-cli completions bash)` (or `COMPLETE=bash kelemetry-cli`) enables it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The environment variable that turns the binary into its own completer.
pub const VAR: &str = "COMPLETE";

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    ctx.out.write_all(&script(args.shell)?)?;
    Ok(Outcome::Success)
}

/// The registration script for a shell, as committed under `completions/`: it calls
/// `kelemetry-cli` from the PATH to complete.
pub fn script(shell: Shell) -> Result<Vec<u8>> {
    use clap_complete::env::{Bash, Elvish, Fish, Powershell, Zsh};
    let completer: &dyn EnvCompleter = match shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
        Shell::PowerShell => &Powershell,
        Shell::Elvish => &Elvish,
        other => anyhow::bail!("no completion for {other}"),
    };
    let mut out = Vec::new();
    completer.write_registration(VAR, "kelemetry-cli", "kelemetry-cli", "kelemetry-cli", &mut out)?;
    Ok(out)
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
