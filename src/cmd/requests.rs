//! `kelemetry-cli requests`: grep the audit trail, or count it by key.

use anyhow::Result;
use clap_complete::engine::ArgValueCompleter;

use super::args::{InputArgs, OutputArgs, OutputFormat, WindowArgs, parse_selector};
use super::{Context, Narrowed, Outcome, complete, narrow, open_store};
use crate::model::selector::Selector;
use crate::query::requests::{self, Filters, parse_codes, parse_source_ip};
use crate::query::window::parse_duration;
use crate::render::requests::Emphasis;
use crate::render::{self, json::RequestLineView, json::TopView};
use crate::store::requests::{RequestKey, RequestOrder};

/// Find requests in the audit trail: who did what, when, with which outcome; or count them.
///
/// Filters combine (all must hold); a filter given several values (repeated, or
/// comma-separated) matches any of them. Requests come in time order; `-o json` writes one
/// JSON object per line (JSON Lines), as they are found. `--top N --by KEY` counts the
/// matching requests per key instead, with failures and p50/p99 latency.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  kelemetry-cli requests --verb delete --resource namespaces          who deleted a namespace
  kelemetry-cli requests --user system:serviceaccount:shop:deployer --since 2024-06-03T09:10:00Z --until 2024-06-03T09:20:00Z
  kelemetry-cli requests --code 5xx --since 1h                         server errors in the last hour of the data
  kelemetry-cli requests --slow 5s --resource -leases                  slow requests, leases aside
  kelemetry-cli requests deploy/web -n shop --tree                     everything sent about web and what it owns
  kelemetry-cli requests -n shop --verb create,update,patch,delete --top 10 --by user")]
pub struct Args {
    /// Only requests on this object: KIND/NAME (deploy/web, rs/web-7d4b9c8f6d).
    #[arg(value_name = "KIND/NAME", value_parser = parse_selector, add = ArgValueCompleter::new(complete::objects))]
    pub object: Option<Selector>,

    /// With an object: also requests on everything it owns, through the ownership graph.
    #[arg(long)]
    pub tree: bool,

    /// Only these verbs (get, list, watch, create, update, patch, delete, deletecollection).
    #[arg(long = "verb", value_name = "VERB", value_delimiter = ',')]
    pub verbs: Vec<String>,

    /// Only these resources: pods, deployments.apps, deploy, '*.apps'; -leases excludes.
    #[arg(long = "resource", value_name = "RESOURCE", value_delimiter = ',', allow_hyphen_values = true)]
    pub resources: Vec<String>,

    /// Only these subresources (status, scale, binding, eviction, log, exec); -log excludes.
    #[arg(long = "subresource", value_name = "NAME", value_delimiter = ',', allow_hyphen_values = true)]
    pub subresources: Vec<String>,

    /// Only these namespaces (repeatable).
    #[arg(short, long = "namespace", value_name = "NS", value_delimiter = ',', add = ArgValueCompleter::new(complete::namespaces))]
    pub namespaces: Vec<String>,

    /// Every namespace (the default; accepted as kubectl takes it).
    #[arg(short = 'A', long, conflicts_with = "namespaces")]
    pub all_namespaces: bool,

    /// Only objects whose name matches this glob (web-*).
    #[arg(long, value_name = "GLOB")]
    pub name: Option<String>,

    /// Only users (or impersonated users) containing this text, or matching it as a glob
    /// (system:serviceaccount:*).
    #[arg(long = "user", value_name = "TEXT")]
    pub users: Vec<String>,

    /// Only users in this group (a name or a glob: system:masters, system:serviceaccounts:*).
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,

    /// Only user agents containing this text, or matching it as a glob.
    #[arg(long = "agent", value_name = "TEXT")]
    pub agents: Vec<String>,

    /// Only requests from this source address: an IP, a glob, or a CIDR range (10.0.0.0/8).
    #[arg(long = "ip", value_name = "IP", value_parser = parse_source_ip)]
    pub source_ips: Vec<String>,

    /// Only these status codes: codes, classes, ranges (409, 4xx, 500-504).
    #[arg(long = "code", value_name = "CODES", value_parser = parse_codes)]
    pub codes: Vec<Vec<(i64, i64)>>,

    /// Only requests answered with this status reason (Conflict, AlreadyExists, Invalid, NotFound).
    #[arg(long = "reason", value_name = "REASON", value_delimiter = ',')]
    pub reasons: Vec<String>,

    /// Only failed requests (4xx and 5xx).
    #[arg(long)]
    pub failed: bool,

    /// Only requests that took at least this long from receipt to their last stage (500ms, 2s, 1m).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub slow: Option<i64>,

    /// Only server-side applies (patches sent with `force=`, or whole objects under a field manager).
    #[arg(long)]
    pub apply: bool,

    /// Only requests PodSecurity admission let through with violations (its audit or warn mode).
    #[arg(long)]
    pub pod_security: bool,

    #[command(flatten)]
    pub window: WindowArgs,

    /// Only the request with this auditID (repeatable).
    #[arg(long = "audit-id", value_name = "ID")]
    pub audit_ids: Vec<String>,

    /// Only writes by this field manager (the request's `fieldManager`; a name or a glob).
    #[arg(long = "field-manager", value_name = "NAME")]
    pub field_managers: Vec<String>,

    /// Only requests on the object with this uid.
    #[arg(long, value_name = "UID")]
    pub uid: Option<String>,

    /// Only requests of this cluster, where the store holds several.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// Print only how many requests match.
    #[arg(long, conflicts_with_all = ["top", "by"])]
    pub count: bool,

    /// Newest first.
    #[arg(long)]
    pub reverse: bool,

    /// At most this many requests (0: all).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub limit: u64,

    /// Count the requests by `--by` (default: user) and show the N busiest keys.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// What `--top` counts by; several make a composite key (--by user --by verb).
    #[arg(long, value_enum, value_name = "KEY")]
    pub by: Vec<RequestKey>,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub input: InputArgs,
}

/// How many keys `--by` without `--top` shows.
const DEFAULT_TOP: usize = 10;

pub fn run(args: &Args, ctx: &mut Context) -> Result<Outcome> {
    let (store, ingested) = open_store(ctx, &args.input)?;
    let window = args.window.window(store.newest_us()?);
    // An object not in the store narrows to nothing: every output says "none" its own way.
    let objects = match narrow(
        &store,
        args.object.as_ref(),
        args.uid.as_deref(),
        &args.namespaces,
        args.cluster.as_deref(),
        args.tree,
    )? {
        Narrowed::Everything => None,
        Narrowed::Objects(ids) => Some(ids),
        Narrowed::Missing => Some(Vec::new()),
    };
    let filters = Filters {
        window,
        cluster: args.cluster.clone(),
        verbs: args.verbs.clone(),
        resources: args.resources.clone(),
        subresources: args.subresources.clone(),
        namespaces: args.namespaces.clone(),
        name: args.name.clone(),
        users: args.users.clone(),
        groups: args.groups.clone(),
        agents: args.agents.clone(),
        source_ips: args.source_ips.clone(),
        field_managers: args.field_managers.clone(),
        reasons: args.reasons.clone(),
        codes: args.codes.concat(),
        failed: args.failed,
        slow_us: args.slow,
        applies: args.apply,
        pod_security: args.pod_security,
        audit_ids: args.audit_ids.clone(),
        objects,
        ..Filters::default()
    };
    let filter = requests::resolve(&store, &filters)?;
    let json = args.output.output == OutputFormat::Json;
    if args.count {
        let count = store.count_requests(&filter)?;
        if json {
            render::json::write(ctx.out, &serde_json::json!({ "count": count }))?;
        } else {
            writeln!(ctx.out, "{count}")?;
        }
        return Ok(ingested.and(Outcome::found(count > 0)));
    }
    if args.top.is_some() || !args.by.is_empty() {
        let by: Vec<RequestKey> = if args.by.is_empty() { vec![RequestKey::User] } else { args.by.clone() };
        let top = requests::top(&store, &filter, &by, args.top.unwrap_or(DEFAULT_TOP))?;
        if json {
            render::json::write(ctx.out, &TopView::new(&top))?;
        } else if !top.rows.is_empty() {
            render::requests::write_top(ctx.out, &top, &ctx.terminal, args.output.view())?;
        }
        return Ok(ingested.and(Outcome::found(top.requests > 0)));
    }
    let limit = (args.limit > 0).then_some(args.limit);
    let terminal = ctx.terminal;
    let out = &mut *ctx.out;
    let found = if json {
        store.each_request(
            &filter,
            if args.reverse { RequestOrder::Newest } else { RequestOrder::Oldest },
            limit,
            &mut |line| {
                // As an io::Error, so that a closed pipe reads as one.
                serde_json::to_writer(&mut *out, &RequestLineView::new(&line)).map_err(std::io::Error::from)?;
                writeln!(out)?;
                Ok(true)
            },
        )?
    } else {
        let emphasis = Emphasis {
            latency: args.slow.is_some(),
            reason: args.failed || !args.codes.is_empty() || !args.reasons.is_empty(),
        };
        let mut table = render::requests::table(&terminal, args.output.view(), emphasis);
        let found = store.each_request(
            &filter,
            if args.reverse { RequestOrder::Newest } else { RequestOrder::Oldest },
            limit,
            &mut |line| {
                table.push(out, render::requests::row(&line, &terminal))?;
                Ok(true)
            },
        )?;
        table.finish(out)?;
        found
    };
    Ok(ingested.and(Outcome::found(found > 0)))
}
