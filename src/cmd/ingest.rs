//! `kelemetry-cli ingest`: read files into the store.

use std::path::PathBuf;

use anyhow::Result;

use super::args::{OutputArgs, OutputFormat};
use super::{Context, DEFAULT_CLUSTER, Outcome, ingest_files, ingest_outcome};
use crate::ingest::Options;
use crate::render;
use crate::store::{FreshStore, Location, Store};

/// Read audit logs, Event dumps and object dumps into the store.
///
/// Formats are recognised from the content: gzip (also concatenated members), JSON Lines,
/// JSON documents and concatenated JSON streams, YAML (multi-document, with comments);
/// audit Events (v1, v1beta1), EventLists, AKS/EKS/Kelemetry envelopes, core/v1 and
/// events.k8s.io/v1 Events, and objects of any kind, alone or in Lists.
/// Files already ingested (same bytes) are skipped.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or directories (read recursively); `-` reads stdin.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The cluster these files come from (default: `default`). A Kelemetry dump line's own
    /// `cluster` wins over it; it wins over a GKE entry's cluster label.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// Fail on the first bad record and keep nothing from this run.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    let location = ctx.location();
    // A new store is built aside and moved into place whole (see store::FreshStore),
    // unless `--strict` may have to roll the whole run back.
    let fresh = match &location {
        Location::File(path) if !path.exists() && !args.strict => Some(FreshStore::create(path)?),
        _ => None,
    };
    let opened;
    let store = match &fresh {
        Some(fresh) => fresh.store(),
        None => {
            opened = Store::open_for_write(&location)?;
            &opened
        }
    };
    let options = Options {
        cluster: args.cluster.clone().unwrap_or_else(|| DEFAULT_CLUSTER.to_owned()),
        cluster_given: args.cluster.is_some(),
        strict: args.strict,
    };
    let report = ingest_files(ctx, store, &args.paths, &options)?;
    if let Some(fresh) = fresh {
        fresh.complete()?;
    }
    match args.output.output {
        OutputFormat::Json => render::json::write(ctx.out, &render::json::IngestView::new(&report))?,
        OutputFormat::Text | OutputFormat::Wide if !ctx.global.quiet => {
            render::ingest::write(ctx.out, &report, &location.display(), &ctx.terminal)?
        }
        OutputFormat::Text | OutputFormat::Wide => {}
    }
    Ok(ingest_outcome(&report))
}
