//! `kelemetry-cli objects`: what the store knows, to find what to ask about.

use anyhow::Result;

use super::args::{InputArgs, OutputArgs, OutputFormat};
use super::{Context, Outcome, diagnostic, open_store};
use crate::model::selector::KindQuery;
use crate::query::lookup;
use crate::render;
use crate::store::read::{Activity, ObjectQuery, ObjectRow};

/// List objects, newest activity first: kind, namespace, name, uid, controller owner,
/// first and last seen, created and deleted, and how many requests and Events mention it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this kind (deploy, deployments, Deployment, rs, po, widgets.example.com, ...).
    #[arg(value_name = "KIND")]
    pub kind: Option<String>,

    /// Only this namespace.
    #[arg(short, long, value_name = "NS")]
    pub namespace: Option<String>,

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

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    let (store, ingested) = open_store(ctx, &args.input)?;
    let kind = args.kind.as_deref().map(KindQuery::parse);
    let (resources, group) = kind.as_ref().map(|k| lookup::kind_resources(&store, k)).transpose()?.unwrap_or_default();
    let query = ObjectQuery {
        namespace: args.namespace.as_deref(),
        name_glob: args.name.as_deref(),
        resources: &resources,
        group: group.as_deref(),
        ..Default::default()
    };
    let matching: Vec<ObjectRow> = store
        .objects(&query)?
        .into_iter()
        .filter(|o| kind.as_ref().is_none_or(|k| k.matches(&o.kind, &o.resource, &o.api_group)))
        .filter(|o| !args.deleted || o.deleted_us.is_some())
        .collect();
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
        OutputFormat::Text => {
            render::objects::write(ctx.out, &listed, &ctx.terminal)?;
            if total > listed.len() {
                diagnostic(format_args!("{} more objects not shown (--limit 0 shows all)", total - listed.len()));
            }
        }
    }
    Ok(ingested.and(Outcome::found(total > 0)))
}
