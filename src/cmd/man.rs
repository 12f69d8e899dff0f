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

/// The man page: the main page with every subcommand's options after it.
pub fn page(command: clap::Command) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("kelemetry-cli {}", sub.get_name());
        let sub = sub.clone().name(name.clone()).bin_name(name);
        let man = clap_mangen::Man::new(sub);
        let mut section = Vec::new();
        man.render_title(&mut section)?;
        out.extend_from_slice(b".SH \"");
        out.extend_from_slice(sub_title(&man).as_bytes());
        out.extend_from_slice(b"\"\n");
        man.render_description_section(&mut out)?;
        man.render_options_section(&mut out)?;
    }
    Ok(out)
}

fn sub_title(man: &clap_mangen::Man) -> String {
    let mut title = Vec::new();
    let _ = man.render_name_section(&mut title);
    String::from_utf8_lossy(&title).lines().nth(1).map(|line| line.replace('\\', "").to_uppercase()).unwrap_or_default()
}
