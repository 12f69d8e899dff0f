//! `kelemetry-cli history`: who changed which field of an object, when, and from what.

use anyhow::Result;

use super::args::{InputArgs, ObjectArgs, OutputArgs, OutputFormat, WindowArgs};
use super::{Context, Outcome, open_store, resolve};
use crate::query::chain;
use crate::render::{self, json::ChainView};

/// The resourceVersion chain of an object: every write with its writer and changed fields.
///
/// Each successful write shows the fields it changed (`path: old -> new`); failed writes
/// show why; gaps in the resourceVersion chain and states known only from dumps are marked.
/// `--field` keeps the writes that changed a path and shows how long each value held.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub object: ObjectArgs,

    /// Keep only writes that changed this path or below it (repeatable), e.g. spec.minReadySeconds.
    #[arg(long = "field", value_name = "PATH")]
    pub fields: Vec<String>,

    /// Show bookkeeping changes too (resourceVersion, generation, timestamps).
    #[arg(short, long)]
    pub verbose: bool,

    #[command(flatten)]
    pub window: WindowArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    let (store, ingested) = open_store(ctx, &args.input)?;
    let newest_us = store.newest_us()?;
    let window = args.window.window(newest_us);
    let json = args.output.output == OutputFormat::Json;
    let Some(object) = resolve(&store, &args.object)? else {
        if json {
            render::json::write(ctx.out, &ChainView::none(&window))?;
        }
        return Ok(Outcome::Partial.and(ingested));
    };
    let chain = chain::build(&store, object, window, &args.fields, newest_us)?;
    if json {
        render::json::write(ctx.out, &ChainView::new(&chain))?;
    } else {
        render::history::write(ctx.out, &chain, args.verbose, !args.fields.is_empty(), &ctx.terminal)?;
    }
    Ok(ingested.and(Outcome::found(!chain.entries.is_empty())))
}
