//! `kelemetry-cli analyze`: the batch checks, as a report, JSON or JUnit XML.

use anyhow::{Context as _, Result};
use clap_complete::engine::ArgValueCompleter;

use super::args::{InputArgs, WindowArgs, parse_selector};
use super::{Context, Narrowed, Outcome, command_line, complete, diagnostic, narrow, open_store};
use crate::model::selector::Selector;
use crate::model::time::Window;
use crate::query::analyze::{self, Allowed, CHECKS, CheckResult, Scope, Settings, Status, parse_threshold};
use crate::query::graph::Scope as GraphScope;
use crate::query::lookup::{self, Found, Wanted};
use crate::render;
use crate::store::Store;
use crate::trace::{self, Arrangement, Filters, Trace};

/// Run batch checks over the store: conflicts, field fights, hot loops, stalled controllers,
/// server-side applies, invalid and forbidden requests, throttling, server errors, latency,
/// watches, pathological Events, rollouts and deletions.
///
/// Each check has a rule and thresholds (docs/analyze.md; `--threshold CHECK.NAME=VALUE`
/// overrides one), a status (pass, warn, fail) and findings that name the users, objects
/// and times involved, with the command that shows the evidence. Exit 3 when a check fails.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only what concerns this object and what it owns: KIND/NAME.
    #[arg(value_name = "KIND/NAME", value_parser = parse_selector, add = ArgValueCompleter::new(complete::objects))]
    pub object: Option<Selector>,

    /// Only these checks (repeatable).
    #[arg(long = "check", value_name = "NAME", value_parser = check_name)]
    pub checks: Vec<String>,

    /// Override a threshold: CHECK.NAME=VALUE (events.repeats=50).
    #[arg(long = "threshold", value_name = "CHECK.NAME=VALUE", value_parser = parse_threshold)]
    pub thresholds: Vec<(String, f64)>,

    /// Events never to call pathological: a file of `key=glob` lines (namespace, name, reason, message).
    #[arg(long, value_name = "FILE")]
    pub allow: Option<std::path::PathBuf>,

    /// Only this namespace (repeatable).
    #[arg(short, long = "namespace", value_name = "NS", add = ArgValueCompleter::new(complete::namespaces))]
    pub namespaces: Vec<String>,

    #[command(flatten)]
    pub window: WindowArgs,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text, value_name = "FORMAT")]
    pub output: Format,

    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A report for a person.
    Text,
    /// JSON (docs/json.md).
    Json,
    /// JUnit XML, one test case a check, for CI systems.
    Junit,
    /// One self-contained page: the report, each finding linked to its object's trace.
    Html,
}

/// How many objects an HTML report embeds traces of: the first findings' (the worst).
const LINKED_TRACES: usize = 50;

fn check_name(text: &str) -> Result<String, String> {
    if CHECKS.iter().any(|c| c.name == text) {
        return Ok(text.to_owned());
    }
    let names: Vec<&str> = CHECKS.iter().map(|c| c.name).collect();
    Err(format!("no check {text:?}; checks: {}", names.join(", ")))
}

/// A hash table that grows by doubling moves into fresh memory each time, and a fresh
/// transparent huge page is zeroed 2 MiB at a time, often after the allocator has handed part
/// of it back: the checks spent a sixth of their time in the kernel zeroing pages (the Events
/// pass of `stalls` ran 1.2x faster with them off). Other commands do not notice, and keep
/// them: the flag would pass to what they start (`trace --open`'s browser).
#[cfg(target_os = "linux")]
fn without_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE sets a flag of this process; the other arguments are unused.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn without_transparent_huge_pages() {}

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    without_transparent_huge_pages();
    let allow = match &args.allow {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read --allow {}", path.display()))?;
            Allowed::parse_list(&text).with_context(|| format!("--allow {}", path.display()))?
        }
        None => Vec::new(),
    };
    let (store, ingested) = open_store(ctx, &args.input)?;
    let window = args.window.window(store.newest_us()?);
    let objects = match narrow(&store, args.object.as_ref(), None, &args.namespaces, None, true)? {
        Narrowed::Everything => None,
        Narrowed::Objects(ids) => Some(ids),
        Narrowed::Missing => return Ok(Outcome::Partial.and(ingested)),
    };
    let settings = Settings {
        scope: Scope { window, namespaces: args.namespaces.clone(), objects },
        thresholds: args.thresholds.iter().cloned().collect(),
        allow,
    };
    let results = analyze::run(&store, &settings, &args.checks)?;
    match args.output {
        Format::Text => render::analyze::write(ctx.out, &results, &ctx.terminal)?,
        Format::Json => render::json::write(ctx.out, &render::json::AnalysisView::new(&results, &window))?,
        Format::Junit => render::analyze::write_junit(ctx.out, &results)?,
        Format::Html => {
            let traces = linked_traces(&store, &results, window)?;
            let origin = render::html::Origin::new(command_line(), store.time_span()?);
            let view = render::json::AnalysisView::new(&results, &window);
            render::html::write_analysis(ctx.out, &view, &traces, &origin)?
        }
    }
    let failed = results.iter().any(|r| r.status == Status::Fail);
    Ok(ingested.and(if failed { Outcome::CheckFailed } else { Outcome::Success }))
}

/// The traces of the objects findings name (`deployments.apps shop/web`), worst findings
/// first, up to [`LINKED_TRACES`]; a name the store cannot tell apart (two clusters, an
/// object deleted and made again) gets no trace rather than a guess.
fn linked_traces(store: &Store, results: &[CheckResult], window: Window) -> Result<Vec<(String, Trace)>> {
    let mut named: Vec<&str> = Vec::new();
    for finding in results.iter().flat_map(|r| &r.findings) {
        if let Some(object) = finding.object.as_deref()
            && !named.contains(&object)
        {
            named.push(object);
        }
    }
    if named.len() > LINKED_TRACES {
        diagnostic(format_args!(
            "the page holds the traces of the first {LINKED_TRACES} of {} objects findings name",
            named.len()
        ));
        named.truncate(LINKED_TRACES);
    }
    let filters = Filters { window, ..Filters::default() };
    let mut traces = Vec::new();
    for display in named {
        let Some((resource, namespace, name)) = analyze::object_parts(display) else { continue };
        let Ok(selector) = Selector::parse(&format!("{resource}/{name}")) else { continue };
        let wanted = Wanted { selector: Some(&selector), namespace, cluster: None, uid: None };
        if let Found::One(object) = lookup::find(store, &wanted)? {
            let trace = trace::build(store, *object, GraphScope::Full, None, Arrangement::Tree, &filters)?;
            traces.push((display.to_owned(), trace));
        }
    }
    Ok(traces)
}
