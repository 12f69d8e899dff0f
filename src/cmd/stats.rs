//! `kelemetry-cli stats`: what the store holds.

use anyhow::Result;

use super::args::InputArgs;
use super::{Context, Outcome};
use crate::cli::{OutputArgs, OutputFormat};
use crate::model::time::format_short;
use crate::render::{self, table};
use crate::store::query::{self, Count, Stats};

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
    let (store, ingested) = super::ingest::open_store(ctx, &args.input)?;
    let stats = query::stats(&store.conn)?;
    match args.output.output {
        OutputFormat::Json => render::write_json(ctx.out, &stats)?,
        OutputFormat::Text => write_text(ctx, &stats, &store.location.display())?,
    }
    Ok(ingested)
}

fn span(stats: &Stats) -> String {
    match (stats.first_us, stats.last_us) {
        (Some(first), Some(last)) => {
            format!("{} → {} ({})", format_short(first), format_short(last), render::duration_us(last - first))
        }
        _ => "empty".to_owned(),
    }
}

fn write_text(ctx: &mut Context, stats: &Stats, location: &str) -> Result<()> {
    let style = ctx.style;
    let overview = [
        ("store", format!("{location} (schema {})", stats.schema_version)),
        ("time span", span(stats)),
        ("clusters", stats.clusters.join(", ")),
        ("files", stats.files.len().to_string()),
        ("requests", format!("{} ({} incomplete)", stats.requests, stats.incomplete_requests)),
        ("Kubernetes Events", stats.events.to_string()),
        ("objects", format!("{} ({} owner links, {} states)", stats.objects, stats.owner_links, stats.object_states)),
        ("409 Conflict", stats.conflicts.to_string()),
        ("409 AlreadyExists", stats.already_exists.to_string()),
    ];
    writeln!(ctx.out, "{}", table::key_values(&overview))?;
    let sections: [(&str, &[Count]); 6] = [
        ("verb", &stats.by_verb),
        ("code", &stats.by_code),
        ("resource", &stats.by_resource),
        ("user", &stats.by_user),
        ("top writers", &stats.top_writers),
        ("objects by kind", &stats.objects_by_kind),
    ];
    for (title, counts) in sections {
        if counts.is_empty() {
            continue;
        }
        writeln!(ctx.out)?;
        let mut t = table::new(&[&style.bold(title), "count"]);
        for count in counts {
            let name = if count.name.is_empty() { "(none)".to_owned() } else { count.name.clone() };
            t.add_row(vec![name, count.count.to_string()]);
        }
        table::align_right(&mut t, &[1]);
        writeln!(ctx.out, "{t}")?;
    }
    if !stats.files.is_empty() {
        writeln!(ctx.out)?;
        let mut t = table::new(&["file", "format", "size", "lines", "records", "bad"]);
        for file in &stats.files {
            let format = format!("{}{}", file.format.as_deref().unwrap_or("-"), if file.gzip { "+gzip" } else { "" });
            let bad = if file.truncated.is_some() {
                format!("{} (truncated)", file.bad_records)
            } else {
                file.bad_records.to_string()
            };
            t.add_row(vec![
                file.path.clone(),
                format,
                render::bytes(file.size as u64),
                file.lines.to_string(),
                file.records.to_string(),
                bad,
            ]);
        }
        table::align_right(&mut t, &[2, 3, 4, 5]);
        writeln!(ctx.out, "{t}")?;
    }
    Ok(())
}
