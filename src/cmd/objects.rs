//! `kelemetry-cli objects`: what the store knows, to find what to ask about.

use anyhow::Result;
use serde::Serialize;

use super::args::InputArgs;
use super::{Context, Outcome};
use crate::cli::{OutputArgs, OutputFormat};
use crate::lookup;
use crate::model::selector::{KindQuery, glob_match};
use crate::model::time::format_seconds;
use crate::render::{self, table};
use crate::store::read::{self, Activity, ObjectRow};

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

    /// Only names matching this glob (`web-*`).
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

#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    object: ObjectRow,
    #[serde(flatten)]
    activity: Activity,
}

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    let (store, ingested) = super::ingest::open_store(ctx, &args.input)?;
    let kind = args.kind.as_deref().map(KindQuery::parse);
    let (resources, group) =
        kind.as_ref().map(|k| lookup::kind_resources(&store.conn, k)).transpose()?.unwrap_or_default();
    let query = read::ObjectQuery {
        namespace: args.namespace.as_deref(),
        name_glob: args.name.as_deref(),
        resources: &resources,
        group: group.as_deref(),
        ..Default::default()
    };
    let matching: Vec<ObjectRow> = read::objects(&store.conn, &query)?
        .into_iter()
        .filter(|o| kind.as_ref().is_none_or(|k| k.matches(&o.kind, &o.resource, &o.api_group)))
        .filter(|o| args.name.as_deref().is_none_or(|g| glob_match(g, &o.name)))
        .filter(|o| !args.deleted || o.deleted_us.is_some())
        .collect();
    let total = matching.len();
    let limit = if args.limit == 0 { usize::MAX } else { args.limit };
    let listed: Vec<Listed> = matching
        .into_iter()
        .take(limit)
        .map(|object| Ok(Listed { activity: read::activity(&store.conn, object.id)?, object }))
        .collect::<Result<_>>()?;
    match args.output.output {
        OutputFormat::Json => render::write_json(ctx.out, &listed)?,
        OutputFormat::Text => {
            let time = |t: Option<i64>| t.map(format_seconds).unwrap_or_default();
            let mut t = table::new(&[
                "kind",
                "namespace",
                "name",
                "uid",
                "controller",
                "first seen",
                "last seen",
                "created",
                "deleted",
                "requests",
                "events",
            ]);
            for l in &listed {
                let o = &l.object;
                t.add_row(vec![
                    if o.kind.is_empty() { o.resource.clone() } else { o.kind.clone() },
                    o.namespace.clone(),
                    o.name.clone(),
                    o.uid.clone().unwrap_or_default(),
                    l.activity.controller.clone().unwrap_or_default(),
                    time(o.first_seen_us),
                    time(o.last_seen_us),
                    time(o.created_us),
                    time(o.deleted_us),
                    l.activity.requests.to_string(),
                    l.activity.events.to_string(),
                ]);
            }
            table::align_right(&mut t, &[9, 10]);
            writeln!(ctx.out, "{t}")?;
            if total > listed.len() {
                super::diagnostic(format_args!(
                    "{} more objects not shown (--limit 0 shows all)",
                    total - listed.len()
                ));
            }
        }
    }
    Ok(ingested.and(if total == 0 { Outcome::Partial } else { Outcome::Success }))
}
