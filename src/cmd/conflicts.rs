//! `kelemetry-cli conflicts`: which writers raced on which objects.

use anyhow::Result;
use clap_complete::engine::ArgValueCompleter;

use super::args::{InputArgs, OutputArgs, OutputFormat, WindowArgs, parse_selector};
use super::{Context, Outcome, open_store};
use crate::model::selector::{KindQuery, Selector};
use crate::query::conflict::{self, Filter};
use crate::render;
use crate::store::read::ObjectRow;

/// Group 409 Conflicts by the resourceVersion the writers raced on.
///
/// For each group: the winner (the write that succeeded from that resourceVersion, with what
/// it changed), the losers (the 409s) and each loser's retry. 409s for other reasons
/// (AlreadyExists) are listed apart. Without request bodies (Metadata-level logs) groups are
/// formed by time and marked approximate.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this object (KIND/NAME).
    #[arg(value_name = "KIND/NAME", value_parser = parse_selector, add = ArgValueCompleter::new(super::complete::objects))]
    pub object: Option<Selector>,

    /// Only objects in this namespace.
    #[arg(short, long, value_name = "NS", add = ArgValueCompleter::new(super::complete::namespaces))]
    pub namespace: Option<String>,

    /// Only objects of this kind (deploy, pods, widgets.example.com, ...).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,

    /// Only 409s of this user or component (substring: deployment-controller, kubelet@, alice).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,

    /// Detail at most this many groups, oldest first (0: all); the summary counts them all.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub limit: usize,

    #[command(flatten)]
    pub window: WindowArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub input: InputArgs,
}

impl Args {
    /// Whether a 409's object is one the arguments ask about.
    fn keeps(&self, kind: Option<&KindQuery>, object: &ObjectRow) -> bool {
        let kind_matches = |k: &KindQuery| k.matches(&object.kind, &object.resource, &object.api_group);
        self.namespace.as_deref().is_none_or(|ns| object.namespace == ns)
            && kind.is_none_or(kind_matches)
            && self.object.as_ref().is_none_or(|s| s.name == object.name && s.kind.as_ref().is_none_or(kind_matches))
    }
}

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    let (store, ingested) = open_store(ctx, &args.input)?;
    let window = args.window.window(store.newest_us()?);
    let kind = args.kind.as_deref().map(KindQuery::parse);
    let keep = |object: &ObjectRow| args.keeps(kind.as_ref(), object);
    let limit = (args.limit > 0).then_some(args.limit);
    let report = conflict::report(&store, window, &Filter { keep_object: &keep, user: args.user.as_deref(), limit })?;
    match args.output.output {
        OutputFormat::Json => render::json::write(ctx.out, &render::json::ConflictsView::new(&report))?,
        OutputFormat::Text | OutputFormat::Wide => {
            render::conflicts::write(ctx.out, &report, &ctx.terminal, args.output.view())?
        }
    }
    Ok(ingested.and(Outcome::found(report.conflicts > 0 || !report.other_409.is_empty())))
}
