//! `kelemetry-cli export parquet DIR`: the store's tables as Parquet files for DuckDB,
//! ClickHouse and other engines, laid out as Hive partitions (docs/scale-out.md).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};

use super::args::InputArgs;
use super::{Context, Outcome, diagnostic, open_store};
use crate::model::Level;
use crate::model::time::format_micros;
use crate::render;
use crate::render::parquet::{self, Cell, Column, FileWriter};
use crate::render::raw::{self, split_resource};
use crate::store::Store;
use crate::store::export::ExportedRequest;
use crate::store::export::HOUR_US;
use crate::store::read::Bodies;

/// Write the store's requests, Events, objects, states and owner links as files other
/// engines read: Parquet, partitioned as Hive does (`requests/cluster=C/date=D/hour=H/part-N.parquet`).
///
/// Each request keeps its columns and `rawJson`, the audit event rebuilt from the store,
/// which `ingest` takes back: filter weeks of data in DuckDB or ClickHouse, then trace the
/// slice here. `--since-last` adds what was ingested since the previous export into DIR as
/// new part files; without it the export is written afresh.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file format.
    #[arg(value_enum)]
    pub format: Format,

    /// The directory to write.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Only what was ingested after the previous export into DIR, as new part files.
    #[arg(long)]
    pub since_last: bool,

    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Apache Parquet, zstd-compressed.
    Parquet,
}

/// What DIR's previous exports covered: one entry per part, with the store's largest ids then.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Part {
    requests: i64,
    events: i64,
    objects: i64,
    state_blocks: i64,
}

/// Blocks of bodies kept while an hour of requests is exported (some 100 kB each inflated).
const BODY_BLOCKS: usize = 64;

/// SQLite's page cache on each connection of the export, which also bounds the memory its
/// sorter takes before spilling (an hour's requests sorted by object): the export reads each
/// page about once, and the OS caches the file anyway (the default 32 MiB on two connections,
/// each with a sorter, were a third of the peak; the export is no slower with 4 MiB).
const EXPORT_CACHE_KIB: i64 = 4096;

/// A cluster of the store, and the hours it has requests and Events in.
struct Cluster {
    id: i64,
    name: String,
    request_hours: Vec<i64>,
    event_hours: Vec<i64>,
}

/// A partition's worth of the export.
enum Job<'c> {
    /// A cluster's objects, states and owner links.
    Objects(&'c Cluster),
    /// An hour of a cluster's requests.
    Requests(&'c Cluster, i64),
    /// An hour of a cluster's Events.
    Events(&'c Cluster, i64),
}

const MANIFEST: &str = ".kelemetry-export.json";
const TABLES: [&str; 5] = ["requests", "events", "objects", "states", "owners"];

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    let (store, ingested) = open_store(ctx, &args.input)?;
    let manifest_path = args.dir.join(MANIFEST);
    let mut manifest: Manifest = match std::fs::read(&manifest_path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).with_context(|| format!("cannot read {}", manifest_path.display()))?
        }
        Err(_) => Manifest::default(),
    };
    let after = if args.since_last {
        manifest.parts.last().copied().unwrap_or_default()
    } else {
        clear(&args.dir, &manifest_path)?;
        manifest = Manifest::default();
        Part::default()
    };
    let [requests, events, objects, state_blocks] = store.export_marks()?;
    let now = Part { requests, events, objects, state_blocks };
    let part = manifest.parts.len();
    let mut clusters = Vec::new();
    for (id, name) in store.clusters()? {
        let request_hours = store.request_hours(id, after.requests)?;
        let event_hours = store.event_hours(id, after.events)?;
        clusters.push(Cluster { id, name, request_hours, event_hours });
    }
    // A step per partition: each hour of requests and of Events, and objects, states and owners.
    let steps = clusters.iter().map(|c| c.request_hours.len() + c.event_hours.len() + 3).sum::<usize>();
    let progress = render::progress::steps(&ctx.terminal, ctx.global.quiet, steps as u64);
    // Each partition is a job, written on whichever core is free: a cluster's objects and
    // states first (the largest), then each hour of requests, then of Events.
    let mut jobs = Vec::new();
    for cluster in &clusters {
        jobs.push(Job::Objects(cluster));
    }
    for cluster in &clusters {
        jobs.extend(cluster.request_hours.iter().map(|hour| Job::Requests(cluster, *hour)));
    }
    for cluster in &clusters {
        jobs.extend(cluster.event_hours.iter().map(|hour| Job::Events(cluster, *hour)));
    }
    let counts = store.share_out(jobs.len(), |store, job| {
        store.limit_cache(EXPORT_CACHE_KIB)?;
        let mut exporter = Exporter::new(store, &args.dir, part, after, progress.clone());
        match jobs[job] {
            Job::Objects(cluster) => exporter.objects(cluster.id, &cluster.name)?,
            Job::Requests(cluster, hour) => exporter.requests(cluster.id, &cluster.name, hour)?,
            Job::Events(cluster, hour) => exporter.events(cluster.id, &cluster.name, hour)?,
        }
        Ok(exporter.written)
    })?;
    let mut written: HashMap<&'static str, u64> = HashMap::new();
    for (table, rows) in counts.into_iter().flatten() {
        *written.entry(table).or_default() += rows;
    }
    progress.finish_and_clear();
    manifest.parts.push(now);
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest)?)
        .with_context(|| format!("cannot write {}", manifest_path.display()))?;
    let summary: Vec<String> =
        TABLES.iter().map(|t| format!("{} {t}", written.get(t).copied().unwrap_or_default())).collect();
    diagnostic(format_args!("exported part {part} to {}: {}", args.dir.display(), summary.join(", ")));
    let any = written.values().any(|&n| n > 0);
    Ok(ingested.and(Outcome::found(any)))
}

/// Starts a fresh export: DIR is ours (a manifest) or empty; the tables' folders go.
fn clear(dir: &Path, manifest: &Path) -> Result<()> {
    if dir.exists() && !manifest.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!("{} holds other files: export into an empty directory or a previous export's", dir.display());
    }
    for table in TABLES {
        let path = dir.join(table);
        if path.exists() {
            std::fs::remove_dir_all(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

struct Exporter<'a> {
    store: &'a Store,
    dir: &'a Path,
    part: usize,
    after: Part,
    /// Rows written per table.
    written: HashMap<&'static str, u64>,
    progress: indicatif::ProgressBar,
}

/// `date=2024-06-03/hour=09`.
fn hour_partition(hour: i64) -> String {
    let stamp = format_micros(hour * HOUR_US);
    format!("date={}/hour={}", &stamp[..10], &stamp[11..13])
}

impl<'a> Exporter<'a> {
    fn new(
        store: &'a Store,
        dir: &'a Path,
        part: usize,
        after: Part,
        progress: indicatif::ProgressBar,
    ) -> Exporter<'a> {
        Exporter { store, dir, part, after, written: HashMap::new(), progress }
    }

    fn file(&self, table: &str, partition: &str, columns: &'static [Column]) -> FileWriter {
        FileWriter::new(self.dir.join(table).join(partition).join(format!("part-{}.parquet", self.part)), columns)
    }

    fn finish(&mut self, table: &'static str, file: FileWriter) -> Result<()> {
        *self.written.entry(table).or_default() += file.finish()?;
        let rows: u64 = self.written.values().sum();
        self.progress.set_message(format!("{rows} rows, {table}"));
        self.progress.inc(1);
        Ok(())
    }

    fn requests(&mut self, cluster_id: i64, cluster: &str, hour: i64) -> Result<()> {
        let store = self.store;
        // An hour's requests name states written about that hour: their blocks stay at hand.
        let mut bodies = Bodies::bounded(store, BODY_BLOCKS);
        let mut file = self.file("requests", &format!("cluster={cluster}/{}", hour_partition(hour)), parquet::REQUESTS);
        store.each_request_in_hour(cluster_id, hour, self.after.requests, &mut |exported| {
            let ExportedRequest { line, api_version, response } = exported;
            let request = &line.request;
            let request_object = match request.body {
                Some(at) => raw::raw_body(bodies.raw(at)?),
                None => None,
            };
            let response_object = match response {
                Some(at) if request.level >= 3 => raw::raw_body(bodies.raw(at)?),
                _ => None,
            };
            let (raw, uri) =
                raw::audit_event(&line, api_version.as_deref(), request_object.as_deref(), response_object.as_deref());
            let (resource, group) = match &line.resource {
                Some(resource) => {
                    let (resource, group) = split_resource(resource);
                    (Some(resource), Some(group).filter(|g| !g.is_empty()))
                }
                None => (None, None),
            };
            file.push(&[
                Cell::Text(Some(&request.audit_id)),
                Cell::Time(Some(request.received_us)),
                Cell::Time(request.complete.then_some(request.completed_us)),
                Cell::Int(request.complete.then_some(request.completed_us - request.received_us)),
                Cell::Text(Some(&request.user)),
                Cell::TextList(line.groups.as_deref().map_or_else(Vec::new, |g| g.split(',').collect())),
                Cell::Text(request.impersonated_user.as_deref()),
                Cell::Text(request.user_agent.as_deref()),
                Cell::Text(request.source_ip.as_deref()),
                Cell::Text(Some(&request.verb)),
                Cell::Text(group),
                Cell::Text(api_version.as_deref()),
                Cell::Text(resource),
                Cell::Text(request.subresource.as_deref()),
                Cell::Text(line.namespace.as_deref()),
                Cell::Text(line.name.as_deref()),
                Cell::Text(line.kind.as_deref().filter(|k| !k.is_empty())),
                Cell::Text(line.uid.as_deref()),
                Cell::Text(Some(&uri).filter(|u| !u.is_empty()).map(String::as_str)),
                Cell::Int(request.code),
                Cell::Text(request.reason.as_deref()),
                Cell::Text(request.message.as_deref()),
                Cell::Text(request.base_rv.as_deref()),
                Cell::Text(request.new_rv.as_deref()),
                Cell::Text(request.field_manager.as_deref()),
                Cell::Text(Some(Level::name_of(request.level))),
                Cell::Text(Some(&raw)),
            ])
        })?;
        self.finish("requests", file)?;
        Ok(())
    }

    fn events(&mut self, cluster_id: i64, cluster: &str, hour: i64) -> Result<()> {
        let store = self.store;
        let mut file = self.file("events", &format!("cluster={cluster}/{}", hour_partition(hour)), parquet::EVENTS);
        store.each_event_in_hour(cluster_id, hour, self.after.events, &mut |object, row| {
            let o = &object;
            let e = &row.details;
            let raw = raw::kubernetes_event(&row, o);
            file.push(&[
                Cell::Time(Some(row.time_us)),
                Cell::Text(Some(&row.api)),
                Cell::Text(e.uid.as_deref()),
                Cell::Text(Some(&e.name)),
                Cell::Text(Some(&e.namespace)),
                Cell::Text(e.resource_version.as_deref()),
                Cell::Text(Some(&o.api_group)),
                Cell::Text(Some(&o.resource)),
                Cell::Text(Some(&o.kind)),
                Cell::Text(Some(&o.namespace)),
                Cell::Text(Some(&o.name)),
                Cell::Text(o.uid.as_deref()),
                Cell::Text(e.field_path.as_deref()),
                Cell::Text(e.reason.as_deref()),
                Cell::Text(e.event_type.as_deref()),
                Cell::Text(e.message.as_deref()),
                Cell::Text(e.action.as_deref()),
                Cell::Text(e.source_component.as_deref()),
                Cell::Text(e.source_host.as_deref()),
                Cell::Text(e.reporting_component.as_deref()),
                Cell::Text(e.reporting_instance.as_deref()),
                Cell::Int(e.count),
                Cell::Int(e.series_count),
                Cell::Time(e.first_us),
                Cell::Time(e.last_us),
                Cell::Time(e.event_time_us),
                Cell::Time(e.series_last_us),
                Cell::Text(Some(&raw.to_string())),
            ])
        })?;
        self.finish("events", file)?;
        Ok(())
    }

    /// Objects, their states and owner links: one file each per cluster (an object is not
    /// an hour's; a state's time is its `observed` column).
    fn objects(&mut self, cluster_id: i64, cluster: &str) -> Result<()> {
        let store = self.store;
        let partition = format!("cluster={cluster}");
        let mut file = self.file("objects", &partition, parquet::OBJECTS);
        store.each_object_of_cluster(cluster_id, self.after.objects, &mut |o| {
            file.push(&[
                Cell::Text(o.uid.as_deref()),
                Cell::Text(Some(&o.api_group)),
                Cell::Text(Some(&o.api_version)),
                Cell::Text(Some(&o.resource)),
                Cell::Text(Some(&o.kind)),
                Cell::Text(Some(&o.namespace)),
                Cell::Text(Some(&o.name)),
                Cell::Time(o.first_seen_us),
                Cell::Time(o.last_seen_us),
                Cell::Time(o.created_us),
                Cell::Time(o.deleted_us),
            ])
        })?;
        self.finish("objects", file)?;

        let mut file = self.file("states", &partition, parquet::STATES);
        let mut bodies = Bodies::bounded(store, 1);
        store.each_state_of_cluster(cluster_id, self.after.state_blocks, &mut |object, state| {
            let o = &object;
            let body = std::str::from_utf8(bodies.raw(state.body)?).ok().map(str::to_owned);
            file.push(&[
                Cell::Text(o.uid.as_deref()),
                Cell::Text(Some(&o.api_group)),
                Cell::Text(Some(&o.resource)),
                Cell::Text(Some(&o.kind)),
                Cell::Text(Some(&o.namespace)),
                Cell::Text(Some(&o.name)),
                Cell::Text(Some(&state.resource_version)),
                Cell::Time(state.observed_us),
                Cell::Text(Some(if state.from_dump { "dump" } else { "audit" })),
                Cell::Text(body.as_deref()),
            ])
        })?;
        self.finish("states", file)?;

        let mut file = self.file("owners", &partition, parquet::OWNERS);
        store.each_owner_of_cluster(cluster_id, self.after.objects, &mut |o, owner, controller| {
            file.push(&[
                Cell::Text(o.uid.as_deref()),
                Cell::Text(Some(&o.resource)),
                Cell::Text(Some(&o.namespace)),
                Cell::Text(Some(&o.name)),
                Cell::Text(owner.uid.as_deref()),
                Cell::Text(Some(&owner.resource)),
                Cell::Text(Some(&owner.kind)),
                Cell::Text(Some(&owner.name)),
                Cell::Bool(controller == 1),
                Cell::Bool(controller == 2),
            ])
        })?;
        self.finish("owners", file)?;
        Ok(())
    }
}
