//! `kelemetry-cli trace`: an object and everything it owns, as one object-as-span trace.

use anyhow::{Context as _, Result};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message as _;

use super::args::{InputArgs, ObjectArgs, WindowArgs};
use super::{Context, Outcome, command_line, diagnostic, open_page, open_store, resolve};
use crate::query::graph::Scope;
use crate::render::{self, trace::Layout};
use crate::trace::{self, Arrangement, Filters, Only, Trace};

/// What happened to an object and everything it owns, in order: one span per object, its
/// owned objects below it, apiserver requests and Events as child spans or logs.
///
/// The trace is rooted at the object's top-most controller (so `trace pod/web-…` shows the
/// Deployment's whole tree, the pod marked ◀) and covers the objects' whole lives. Reads,
/// leader-election and lease traffic are hidden unless `--all`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub object: ObjectArgs,

    /// How spans are arranged: tree, timeline, tracing or grouping (see the README).
    #[arg(long = "pipeline", value_enum, default_value_t = Arrangement::Tracing)]
    pub arrangement: Arrangement,

    /// Which relatives are followed.
    #[arg(long, value_enum, default_value_t = Scope::Full)]
    pub scope: Scope,

    /// Follow at most N ownership links up from the object and N below it.
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,

    #[command(flatten)]
    pub window: WindowArgs,

    /// Leave out requests of this user or component (substring; repeatable).
    #[arg(long = "exclude-user", value_name = "USER")]
    pub exclude_users: Vec<String>,

    /// Only writes (create/update/patch/delete), or only Events.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub only: Option<Only>,

    /// Show what is hidden as noise: reads (get/list/watch), leader election, leases.
    #[arg(long)]
    pub all: bool,

    /// Show every log line, uncut.
    #[arg(long)]
    pub wide: bool,

    /// Show at most N spans and logged entries in the terminal (0: all); a summary says what was cut.
    #[arg(long, default_value_t = 400, value_name = "N")]
    pub limit: usize,

    /// Columns of the terminal rendering (default: the terminal's width, else $COLUMNS, else 100).
    #[arg(long, value_name = "COLS")]
    pub width: Option<usize>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = TraceFormat::Text, value_name = "FORMAT")]
    pub output: TraceFormat,

    /// Write the HTML page to a temporary file and open it in the browser.
    #[arg(long, conflicts_with = "output")]
    pub open: bool,

    /// Also send the trace to this OTLP/HTTP collector (protobuf, POST URL/v1/traces), e.g.
    /// http://localhost:4318 for the Jaeger, Tempo or Collector a team already runs.
    #[arg(long, value_name = "URL")]
    pub otlp_endpoint: Option<String>,

    /// OTLP (-o otlp, --otlp-endpoint): the most bytes of protobuf one trace may take; a
    /// larger one goes as several traces of successive time windows (Tempo's default cap).
    #[arg(long, value_name = "BYTES", default_value_t = 5_000_000, value_parser = clap::value_parser!(u64).range(1000..))]
    pub otlp_max_trace_bytes: u64,

    /// OTLP: the longest attribute value; longer ones are cut, longer logs split into
    /// several span events (Tempo's default cap).
    #[arg(long, value_name = "BYTES", default_value_t = 2048, value_parser = clap::value_parser!(u64).range(64..))]
    pub otlp_max_attribute_bytes: u64,

    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceFormat {
    /// A tree with time bars for the terminal.
    Text,
    /// kelemetry-cli's span schema (docs/trace-json.md), for `jq`.
    Json,
    /// Jaeger's trace JSON: open it in Jaeger UI with "JSON File".
    Jaeger,
    /// OTLP/JSON resourceSpans, for an OpenTelemetry Collector's otlpjsonfile receiver.
    Otlp,
    /// One self-contained page to share: the trace as an interactive timeline, offline.
    Html,
    /// Chrome's trace-event JSON, for ui.perfetto.dev and chrome://tracing.
    Perfetto,
}

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    let (store, ingested) = open_store(ctx, &args.input)?;
    let filters = Filters {
        window: args.window.window(store.newest_us()?),
        exclude_users: args.exclude_users.clone(),
        only: args.only,
        all: args.all,
    };
    let Some(object) = resolve(&store, &args.object)? else {
        if args.output == TraceFormat::Json {
            render::export::write_json(ctx.out, &Trace::empty(args.arrangement, args.scope, filters.window))?;
        }
        return Ok(Outcome::Partial.and(ingested));
    };
    let page = args.open || args.output == TraceFormat::Html;
    // A page arranges the spans itself, from the tree arrangement, in all four ways; Perfetto
    // gets each object's requests and Events from it too.
    let arrangement = if page || args.output == TraceFormat::Perfetto { Arrangement::Tree } else { args.arrangement };
    let trace = trace::build(&store, object, args.scope, args.depth, arrangement, &filters)?;
    let limits = render::otlp::Limits {
        trace_bytes: usize::try_from(args.otlp_max_trace_bytes).unwrap_or(usize::MAX),
        attribute_bytes: usize::try_from(args.otlp_max_attribute_bytes).unwrap_or(usize::MAX),
    };
    let otlp = || -> Result<Vec<_>> {
        let requests = render::otlp::requests(&trace, &limits)?;
        if requests.len() > 1 {
            diagnostic(format_args!(
                "the trace takes more than {} bytes of OTLP: sent as {} traces of successive time windows",
                limits.trace_bytes,
                requests.len()
            ));
        }
        Ok(requests)
    };
    if let Some(endpoint) = &args.otlp_endpoint {
        post_otlp(endpoint, &otlp()?)?;
    }
    if page {
        let origin = render::html::Origin::new(command_line(), store.time_span()?);
        let write = |out: &mut dyn std::io::Write| render::html::write_trace(out, &trace, args.arrangement, &origin);
        if args.open {
            open_page(&format!("trace-{}", &trace.trace_id[..16]), write)?;
        } else {
            write(ctx.out)?;
        }
        return Ok(ingested.and(Outcome::found(trace.shows_anything())));
    }
    match args.output {
        TraceFormat::Text => {
            let layout = Layout {
                width: args.width.unwrap_or(ctx.terminal.width).max(40),
                wide: args.wide,
                limit: args.limit,
                zone: ctx.terminal.zone,
            };
            let style = ctx.style();
            render::trace::write(ctx.out, &trace, layout, style)?
        }
        TraceFormat::Json => render::export::write_json(ctx.out, &trace)?,
        TraceFormat::Jaeger => render::export::write_jaeger(ctx.out, &trace)?,
        TraceFormat::Otlp => render::otlp::write_json(ctx.out, &otlp()?)?,
        TraceFormat::Perfetto => render::perfetto::write(ctx.out, &trace)?,
        TraceFormat::Html => unreachable!("written above"),
    }
    Ok(ingested.and(Outcome::found(trace.shows_anything())))
}

/// POSTs the trace's requests to an OTLP/HTTP collector, and says so on stderr.
fn post_otlp(endpoint: &str, requests: &[ExportTraceServiceRequest]) -> Result<()> {
    let url = if endpoint.trim_end_matches('/').ends_with("/v1/traces") {
        endpoint.to_owned()
    } else {
        format!("{}/v1/traces", endpoint.trim_end_matches('/'))
    };
    for request in requests {
        let spans: usize = request.resource_spans.iter().flat_map(|r| &r.scope_spans).map(|s| s.spans.len()).sum();
        let response = ureq::post(&url)
            .header("Content-Type", "application/x-protobuf")
            .send(&request.encode_to_vec()[..])
            .with_context(|| format!("cannot send the trace to {url}"))?;
        diagnostic(format_args!("sent {spans} spans to {url} ({})", response.status()));
    }
    Ok(())
}
