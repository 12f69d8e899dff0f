//! `kelemetry-cli stats`: what the store holds.

use anyhow::Result;

use super::args::{InputArgs, OutputArgs, OutputFormat};
use super::{Context, Outcome, open_store};
use crate::render;

/// Summarise the store: time span, clusters, files, requests by verb, resource, user and
/// code, the top writers, 409s, and objects by kind.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    let (store, ingested) = open_store(ctx, &args.input)?;
    let stats = store.stats()?;
    let location = store.location.display();
    match args.output.output {
        OutputFormat::Json => render::json::write(ctx.out, &render::json::StatsView::new(&stats, &location))?,
        OutputFormat::Text | OutputFormat::Wide => {
            render::stats::write(ctx.out, &stats, &location, &ctx.terminal, args.output.view())?
        }
    }
    Ok(ingested)
}
