//! `kelemetry-cli man`: the manual page.

use super::{Context, Outcome};
use anyhow::Result;

/// Print the man page (roff); the repository ships it as man/kelemetry-cli.1.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// `command` is the whole command line, which `cli` hands down.
pub fn run(_args: &Args, ctx: &mut Context, command: clap::Command) -> Result<Outcome> {
    ctx.out.write_all(&page(command)?)?;
    Ok(Outcome::Success)
}

/// The man page: the main page, then a section per subcommand (`KELEMETRY-CLI TRACE`) with
/// its synopsis, description and options.
pub fn page(command: clap::Command) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("kelemetry-cli {}", sub.get_name());
        out.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
        let man = clap_mangen::Man::new(sub.clone().name(name.clone()).bin_name(name));
        man.render_synopsis_section(&mut out)?;
        man.render_description_section(&mut out)?;
        man.render_options_section(&mut out)?;
    }
    Ok(out)
}
