//! `kelemetry-cli history`: who changed which field of an object, when, and from what.

use anyhow::Result;

use super::args::{InputArgs, ObjectArgs, WindowArgs};
use super::{Context, Outcome};
use crate::chain;
use crate::cli::{OutputArgs, OutputFormat};
use crate::lookup::{self, Found, Wanted};
use crate::render;
use crate::store::{Store, read};

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
    let (store, ingested) = super::ingest::open_store(ctx, &args.input)?;
    let Some(object) = resolve(&store, &args.object)? else { return Ok(Outcome::Partial.and(ingested)) };
    let newest_us = read::newest_us(&store.conn)?;
    let window = args.window.window(newest_us);
    let chain = chain::build(&store.conn, object, window, &args.fields, newest_us)?;
    match args.output.output {
        OutputFormat::Json => render::write_json(ctx.out, &chain)?,
        OutputFormat::Text => render::chain::write(ctx.out, &chain, args.verbose, !args.fields.is_empty(), ctx.style)?,
    }
    Ok(ingested)
}

/// The one object the arguments name; otherwise a message on stderr and `None` (no match)
/// or an error (several: the user has to say which).
pub fn resolve(store: &Store, args: &ObjectArgs) -> Result<Option<read::ObjectRow>> {
    let wanted = Wanted {
        selector: args.object.as_ref(),
        namespace: args.namespace.as_deref(),
        cluster: args.cluster.as_deref(),
        uid: args.uid.as_deref(),
    };
    let what = args.object.as_ref().map_or_else(
        || format!("uid {}", args.uid.as_deref().unwrap_or("")),
        |s| format!("{}{}", s.kind.as_ref().map_or(String::new(), |k| format!("{}/", k.word)), s.name),
    );
    match lookup::find(&store.conn, &wanted)? {
        Found::One(object) => Ok(Some(*object)),
        Found::None { closest } => {
            let hint = if closest.is_empty() {
                " (`kelemetry-cli objects` lists what the store knows)".to_owned()
            } else {
                format!("; closest names: {}", closest.join(", "))
            };
            super::diagnostic(format_args!("no object {what} in {}{hint}", store.location.display()));
            Ok(None)
        }
        Found::Many(objects) => {
            let list: Vec<String> = objects
                .iter()
                .map(|o| format!("  {} uid={} cluster={}", o.display(), o.uid.as_deref().unwrap_or("-"), o.cluster))
                .collect();
            anyhow::bail!(
                "{what} matches {} objects; say which with -n, --cluster or --uid:\n{}",
                objects.len(),
                list.join("\n")
            )
        }
    }
}
