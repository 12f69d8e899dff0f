//! `kelemetry-cli objects`: what the store knows, to find what to ask about.

use anyhow::Result;
use clap_complete::engine::ArgValueCompleter;

use super::args::{InputArgs, OutputArgs, OutputFormat};
use super::{Context, Outcome, diagnostic, open_store};
use crate::model::selector::{KindQuery, LabelSelector};
use crate::query::lookup;
use crate::render;
use crate::store::read::{Activity, ObjectQuery, ObjectRow};

/// List objects, newest activity first: kind, namespace, name, uid, controller owner,
/// first and last seen, created and deleted, and how many requests and Events mention it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these kinds, comma-separated as kubectl takes them (deploy,rs; po; widgets.example.com).
    #[arg(value_name = "KIND[,KIND...]")]
    pub kinds: Option<String>,

    /// Only this namespace.
    #[arg(short, long, value_name = "NS", add = ArgValueCompleter::new(super::complete::namespaces))]
    pub namespace: Option<String>,

    /// Every namespace (the default; accepted as kubectl takes it).
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,

    /// Only objects whose labels, in their latest known state, match (app=web,tier!=db,env in (a,b),!canary).
    #[arg(short = 'l', long, value_name = "SELECTOR", value_parser = parse_label_selector)]
    pub selector: Option<LabelSelector>,

    /// Only names matching this glob (`web-*`, `web-[0-9]*`).
    #[arg(long, value_name = "GLOB")]
    pub name: Option<String>,

    /// Only objects that were deleted.
    #[arg(long)]
    pub deleted: bool,

    /// At most this many (0: all).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub limit: usize,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub input: InputArgs,
}

fn parse_label_selector(text: &str) -> Result<LabelSelector, String> {
    LabelSelector::parse(text).map_err(|e| e.to_string())
}

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    let (store, ingested) = open_store(ctx, &args.input)?;
    let kinds: Vec<KindQuery> =
        args.kinds.iter().flat_map(|list| list.split(',')).filter(|k| !k.is_empty()).map(KindQuery::parse).collect();
    let (mut resources, mut groups) = (Vec::new(), Vec::new());
    for kind in &kinds {
        lookup::check_kind(&store, kind)?;
        let (kind_resources, group) = lookup::kind_resources(&store, kind)?;
        resources.extend(kind_resources);
        groups.push(group);
    }
    // One group for all the kinds narrows the query; several leave it to the filter.
    let group = groups.first().cloned().flatten().filter(|g| groups.iter().all(|o| o.as_ref() == Some(g)));
    let query = ObjectQuery {
        namespace: args.namespace.as_deref(),
        name_glob: args.name.as_deref(),
        resources: &resources,
        group: group.as_deref(),
        ..Default::default()
    };
    let mut matching: Vec<ObjectRow> = store
        .objects(&query)?
        .into_iter()
        .filter(|o| kinds.is_empty() || kinds.iter().any(|k| k.matches(&o.kind, &o.resource, &o.api_group)))
        .filter(|o| !args.deleted || o.deleted_us.is_some())
        .collect();
    if let Some(selector) = &args.selector {
        let ids: Vec<i64> = matching.iter().map(|o| o.id).collect();
        let labels = lookup::latest_labels(&store, &ids)?;
        matching.retain(|o| {
            let of = labels.get(&o.id);
            selector.matches(|key| of.and_then(|l| l.get(key)).and_then(|v| v.as_str()).map(str::to_owned))
        });
    }
    let total = matching.len();
    let limit = if args.limit == 0 { usize::MAX } else { args.limit };
    let listed: Vec<(ObjectRow, Activity)> = matching
        .into_iter()
        .take(limit)
        .map(|object| {
            let activity = store.activity(object.id)?;
            Ok((object, activity))
        })
        .collect::<Result<_>>()?;
    match args.output.output {
        OutputFormat::Json => {
            let views: Vec<_> = listed.iter().map(|(o, a)| render::json::ListedView::new(o, a)).collect();
            render::json::write(ctx.out, &views)?
        }
        OutputFormat::Text | OutputFormat::Wide => {
            render::objects::write(ctx.out, &listed, store.newest_us()?, &ctx.terminal, args.output.view())?;
            if total > listed.len() {
                // After the table, also on a terminal where stdout is buffered and stderr is not.
                ctx.out.flush()?;
                diagnostic(format_args!("{} more objects not shown (--limit 0 shows all)", total - listed.len()));
            }
        }
    }
    Ok(ingested.and(Outcome::found(total > 0)))
}
