//! `kelemetry-cli ingest`: read files into the store.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::InputArgs;
use super::{Context, Outcome};
use crate::cli::{OutputArgs, OutputFormat};
use crate::pipeline::{self, FileStatus, Observer, Report};
use crate::render::{self, table};
use crate::store::{Location, Store};

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

    /// The cluster these files come from; a Kelemetry dump line's own `cluster` wins.
    #[arg(long, default_value = DEFAULT_CLUSTER, value_name = "NAME")]
    pub cluster: String,

    /// Fail on the first bad record and keep nothing from this run.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// The cluster of records that name none, when `--cluster` does not either.
const DEFAULT_CLUSTER: &str = "default";

/// How many problems are printed one by one; the rest are counted.
const SHOWN_PROBLEMS: u64 = 10;

struct Console {
    bar: ProgressBar,
    records: AtomicU64,
    problems: AtomicU64,
    print_lock: Mutex<()>,
}

impl Observer for Console {
    fn bytes_read(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn records_written(&self, records: u64) {
        let total = self.records.fetch_add(records, Ordering::Relaxed) + records;
        let secs = self.bar.elapsed().as_secs_f64().max(0.001);
        self.bar.set_message(format!("{total} records, {:.0}/s", total as f64 / secs));
    }

    fn problem(&self, text: &str) {
        let seen = self.problems.fetch_add(1, Ordering::Relaxed);
        if seen < SHOWN_PROBLEMS {
            let _guard = self.print_lock.lock();
            self.bar.suspend(|| super::diagnostic(format_args!("{text}")));
        }
    }
}

/// Holds the store against a second ingest for as long as this one writes.
fn lock_store(location: &Location, quiet: bool) -> Result<Option<std::fs::File>> {
    let Location::File(path) = location else { return Ok(None) };
    let file = std::fs::File::open(path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            if !quiet {
                super::diagnostic(format_args!("waiting for another ingest into {} to finish", path.display()));
            }
            file.lock()?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
    }
    Ok(Some(file))
}

/// Ingests `paths` into the store with a progress bar on a terminal and problems on stderr.
fn ingest_paths(store: &Store, paths: &[PathBuf], options: &pipeline::Options, quiet: bool) -> Result<Report> {
    let _lock = lock_store(&store.location, quiet)?;
    let console = Console {
        bar: progress_bar(quiet),
        records: AtomicU64::new(0),
        problems: AtomicU64::new(0),
        print_lock: Mutex::new(()),
    };
    let report = pipeline::ingest(store, paths, options, &console)?;
    console.bar.finish_and_clear();
    let problems = console.problems.load(Ordering::Relaxed);
    if problems > SHOWN_PROBLEMS {
        super::diagnostic(format_args!("… and {} more problems not shown", problems - SHOWN_PROBLEMS));
    }
    Ok(report)
}

/// The store a query reads: with `-i`, after ingesting those files into it (the outcome says
/// whether that went cleanly); otherwise as it is.
pub fn open_store(ctx: &Context, input: &InputArgs) -> Result<(Store, Outcome)> {
    let location = Location::parse(&ctx.global.db);
    if input.inputs.is_empty() {
        return Ok((Store::open_for_read(&location)?, Outcome::Success));
    }
    let store = Store::open_for_write(&location)?;
    let options = pipeline::Options { cluster: DEFAULT_CLUSTER.to_owned(), strict: false };
    let report = ingest_paths(&store, &input.inputs, &options, ctx.global.quiet)?;
    let outcome = outcome(&report);
    if outcome == Outcome::Failure {
        anyhow::bail!("nothing could be read from the --input paths");
    }
    if !ctx.global.quiet {
        let w = &report.written;
        super::diagnostic(format_args!(
            "ingested {} in {:.2}s: {} new requests, {} new Events, {} bad records",
            match report.files_ingested() {
                1 => "1 file".to_owned(),
                n => format!("{n} files"),
            },
            report.elapsed.as_secs_f64(),
            w.requests_added,
            w.events_added,
            report.bad_records
        ));
    }
    Ok((store, outcome))
}

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    let location = Location::parse(&ctx.global.db);
    let store = Store::open_for_write(&location)?;
    let options = pipeline::Options { cluster: args.cluster.clone(), strict: args.strict };
    let report = ingest_paths(&store, &args.paths, &options, ctx.global.quiet)?;
    match args.output.output {
        OutputFormat::Json => render::write_json(ctx.out, &report)?,
        OutputFormat::Text if !ctx.global.quiet => write_summary(ctx, &report, &store)?,
        OutputFormat::Text => {}
    }
    Ok(outcome(&report))
}

fn outcome(report: &Report) -> Outcome {
    let readable = report.files.iter().any(|f| f.status != FileStatus::Unreadable);
    let unreadable =
        !report.unreadable_paths.is_empty() || report.files.iter().any(|f| f.status == FileStatus::Unreadable);
    if !readable {
        Outcome::Failure
    } else if report.aborted || report.bad_records > 0 || unreadable {
        Outcome::Partial
    } else {
        Outcome::Success
    }
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn write_summary(ctx: &mut Context, report: &Report, store: &Store) -> Result<()> {
    let style = ctx.style;
    let skipped = report.files.iter().filter(|f| f.status == FileStatus::AlreadyIngested).count();
    let unreadable =
        report.files.iter().filter(|f| f.status == FileStatus::Unreadable).count() + report.unreadable_paths.len();
    let secs = report.elapsed.as_secs_f64();
    let w = &report.written;
    let mut rows = vec![
        ("files", format!("{} ingested, {skipped} already ingested, {unreadable} unreadable", report.files_ingested())),
        ("lines", report.lines.to_string()),
        (
            "audit events",
            format!("{} → {} new requests ({} stages merged)", w.audit_events, w.requests_added, w.stages_merged),
        ),
        ("Kubernetes Events", format!("{} → {} new", w.events, w.events_added)),
        ("objects from dumps", w.objects_dumped.to_string()),
        ("objects", format!("{} new", w.objects_added)),
        ("object states", format!("{} new", w.object_states_added)),
        ("owner links", format!("{} new", w.owner_links_added)),
        ("duplicates skipped", w.duplicates_skipped.to_string()),
    ];
    let bad = report.bad_records.to_string();
    rows.push(("bad records", if report.bad_records > 0 { style.red(&bad) } else { bad }));
    if report.aborted {
        rows.push(("result", style.red("--strict: stopped at the first bad record, nothing kept")));
    }
    rows.push((
        "elapsed",
        format!(
            "{:.2}s, {}/s of input ({}/s decompressed)",
            secs,
            render::bytes((report.input_bytes as f64 / secs.max(1e-9)) as u64),
            render::bytes((report.decoded_bytes as f64 / secs.max(1e-9)) as u64)
        ),
    ));
    rows.push(("store", store.location.display()));
    writeln!(ctx.out, "{}", table::key_values(&rows))?;
    Ok(())
}
