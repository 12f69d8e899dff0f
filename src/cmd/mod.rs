//! One module per subcommand: its `Args` and its `run`, which resolves what the user named,
//! asks [`crate::query`] (or [`crate::ingest`]) and hands the answer to [`crate::render`].
//! No SQL, no drawing, and no command imports another: what several share is here.

pub mod analyze;
pub mod args;
mod complete;
pub mod completions;
pub mod conflicts;
#[cfg(feature = "parquet")]
pub mod export;
pub mod history;
pub mod ingest;
pub mod man;
pub mod objects;
pub mod requests;
pub mod stats;
pub mod trace;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::ingest::{FileStatus, Options, Report};
use crate::model::selector::Selector;
use crate::model::time::Zone;
use crate::query::graph;
use crate::query::lookup::{self, Found, Wanted};
use crate::render::progress::Progress;
use crate::render::{Style, Terminal};
use crate::store::read::ObjectRow;
use crate::store::{Location, Store};
use args::{ColorChoice, GlobalArgs, InputArgs, ObjectArgs};

/// How a command ended, as scripts see it in the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: done, all clean.
    Success,
    /// 1: done, but with bad records or unreadable files; or nothing matched.
    Partial,
    /// 2: usage error, or nothing could be read.
    Failure,
    /// 3: `analyze` ran, and a check failed.
    CheckFailed,
}

impl Outcome {
    /// The worse of two outcomes: a query after an `--input` ingest with bad lines is partial.
    pub fn and(self, other: Outcome) -> Outcome {
        if self.exit_code() >= other.exit_code() { self } else { other }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Partial => 1,
            Outcome::Failure => 2,
            Outcome::CheckFailed => 3,
        }
    }

    /// Success when something was found, else "nothing matched".
    pub fn found(found: bool) -> Outcome {
        if found { Outcome::Success } else { Outcome::Partial }
    }
}

/// Prints a diagnostic line on stderr, after `kelemetry-cli: `. When stderr is a closed
/// pipe (`2>&1 | head`) the line goes unsaid and the command goes on, where `eprintln!`
/// would panic.
/// The command line that is running, as a shell would take it back (for a page's header).
pub fn command_line() -> String {
    let words: Vec<String> = std::env::args().skip(1).map(|w| crate::model::shell_word(&w)).collect();
    format!("kelemetry-cli {}", words.join(" "))
}

/// Writes a page to a file in the temporary directory and opens it with `$BROWSER` or the
/// system's opener; where there is none, says where the file is.
pub fn open_page(name: &str, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let path = std::env::temp_dir().join(format!("kelemetry-{name}.html"));
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    write(&mut file)?;
    file.flush().with_context(|| format!("cannot write {}", path.display()))?;
    let opener = match std::env::var("BROWSER") {
        Ok(browser) if !browser.is_empty() => browser,
        _ if cfg!(target_os = "macos") => "open".to_owned(),
        _ => "xdg-open".to_owned(),
    };
    let opened = std::process::Command::new(&opener)
        .arg(&path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match opened {
        Ok(_) => diagnostic(format_args!("opened {} with {opener}", path.display())),
        Err(_) => diagnostic(format_args!("wrote {}: open it in a browser (no {opener} here)", path.display())),
    }
    Ok(())
}

pub fn diagnostic(message: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr().lock(), "kelemetry-cli: {message}");
}

/// What every command gets: the global options, the terminal, and stdout.
pub struct Context<'a> {
    pub global: &'a GlobalArgs,
    pub terminal: Terminal,
    pub out: &'a mut dyn Write,
}

/// Columns when stdout is not a terminal and `COLUMNS` says nothing.
const DEFAULT_WIDTH: usize = 100;

impl<'a> Context<'a> {
    /// Looks at the terminal once: whether stdout and stderr are one, its width, colour.
    pub fn new(global: &'a GlobalArgs, out: &'a mut dyn Write) -> Context<'a> {
        let stdout_tty = std::io::stdout().is_terminal();
        let set = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        // `auto` colours a terminal. NO_COLOR (https://no-color.org) turns that off, and wins;
        // CLICOLOR_FORCE (non-zero) colours a pipe too; CLICOLOR=0 turns it off
        // (https://bixense.com/clicolors).
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR").is_some() => false,
            ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
            ColorChoice::Auto => stdout_tty && set("CLICOLOR").as_deref() != Some("0"),
        };
        let measured = terminal_size::terminal_size().filter(|_| stdout_tty).map(|(w, _)| usize::from(w.0));
        let columns = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
        let table_width = measured.or(columns);
        let terminal = Terminal {
            style: Style { color },
            stderr_tty: std::io::stderr().is_terminal(),
            width: table_width.unwrap_or(DEFAULT_WIDTH),
            table_width,
            zone: if global.local { Zone::Local } else { Zone::Utc },
        };
        Context { global, terminal, out }
    }

    pub fn style(&self) -> Style {
        self.terminal.style
    }

    pub fn location(&self) -> Location {
        Location::parse(&self.global.db)
    }
}

/// The cluster of records that name none, when `--cluster` does not either.
pub const DEFAULT_CLUSTER: &str = "default";

/// Ingests `paths` into the store with a progress bar on a terminal and problems on stderr,
/// holding the store against a second ingest meanwhile.
pub fn ingest_files(ctx: &Context, store: &Store, paths: &[PathBuf], options: &Options) -> Result<Report> {
    let quiet = ctx.global.quiet;
    let _lock = store.lock_for_ingest(|| {
        if !quiet {
            diagnostic(format_args!("waiting for another ingest into {} to finish", store.location.display()));
        }
    })?;
    let progress = Progress::new(&ctx.terminal, quiet, diagnostic);
    let report = crate::ingest::ingest(store, paths, options, &progress)
        .with_context(|| format!("ingest into store {} stopped", store.location.display()))?;
    progress.finish();
    Ok(report)
}

/// How an ingest went, as an exit code: nothing readable fails, any problem is partial.
pub fn ingest_outcome(report: &Report) -> Outcome {
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

/// The store a query reads: with `-i`, after ingesting those files into it (the outcome says
/// whether that went cleanly); otherwise as it is, opened read-only.
pub fn open_store(ctx: &Context, input: &InputArgs) -> Result<(Store, Outcome)> {
    let location = ctx.location();
    if input.inputs.is_empty() {
        let store = Store::open_for_read(&location)?;
        let missing = store.missing_indexes()?;
        if !missing.is_empty() {
            diagnostic(format_args!(
                "warning: store {} lacks {} of its indexes ({}), as an interrupted ingest leaves it: answers are \
                 right but slower; `kelemetry-cli --db {} ingest FILE` (any file, even one already ingested) \
                 rebuilds them",
                location.display(),
                missing.len(),
                missing.join(", "),
                location.display()
            ));
        }
        return Ok((store, Outcome::Success));
    }
    let store = Store::open_for_write(&location)?;
    let options = Options { cluster: DEFAULT_CLUSTER.to_owned(), cluster_given: false, strict: false };
    let report = ingest_files(ctx, &store, &input.inputs, &options)?;
    let outcome = ingest_outcome(&report);
    if outcome == Outcome::Failure {
        anyhow::bail!("nothing could be read from the --input paths");
    }
    if !ctx.global.quiet {
        diagnostic(format_args!("{}", crate::render::ingest::one_line(&report)));
    }
    Ok((store, outcome))
}

/// What a command that takes an optional object is narrowed to.
pub enum Narrowed {
    /// No object named: everything.
    Everything,
    /// The object named and, when asked, everything it owns.
    Objects(Vec<i64>),
    /// The object named is not in the store (said on stderr).
    Missing,
}

/// The object `KIND/NAME` or `uid` names (`-n` helps when it gives one namespace) and, with
/// `tree`, what it owns through the ownership graph: the scope of `requests` and `analyze`.
pub fn narrow(
    store: &Store,
    object: Option<&Selector>,
    uid: Option<&str>,
    namespaces: &[String],
    cluster: Option<&str>,
    tree: bool,
) -> Result<Narrowed> {
    if object.is_none() && uid.is_none() {
        return Ok(Narrowed::Everything);
    }
    let named = ObjectArgs {
        object: object.cloned(),
        name: None,
        namespace: if namespaces.len() == 1 { namespaces.first().cloned() } else { None },
        cluster: cluster.map(str::to_owned),
        uid: uid.map(str::to_owned),
    };
    let Some(found) = resolve(store, &named)? else { return Ok(Narrowed::Missing) };
    Ok(Narrowed::Objects(if tree {
        graph::load(store, found, graph::Scope::Children, None)?.objects.into_keys().collect()
    } else {
        vec![found.id]
    }))
}

/// The one object the arguments name; otherwise a message on stderr and `None` (no match)
/// or an error (several: the user has to say which).
pub fn resolve(store: &Store, args: &ObjectArgs) -> Result<Option<ObjectRow>> {
    let selector = args.selector()?;
    if let Some(kind) = selector.as_ref().and_then(|s| s.kind.as_ref()) {
        lookup::check_kind(store, kind)?;
    }
    let wanted = Wanted {
        selector: selector.as_ref(),
        namespace: args.namespace.as_deref(),
        cluster: args.cluster.as_deref(),
        uid: args.uid.as_deref(),
    };
    let what = args.describe();
    match lookup::find(store, &wanted)? {
        Found::One(object) => Ok(Some(*object)),
        Found::None { closest } => {
            let hint = if closest.is_empty() {
                " (`kelemetry-cli objects` lists what the store knows)".to_owned()
            } else {
                format!("; closest names: {}", closest.join(", "))
            };
            diagnostic(format_args!("no object {what} in {}{hint}", store.location.display()));
            Ok(None)
        }
        Found::Many(objects) => {
            let list: Vec<String> = objects
                .iter()
                .map(|o| format!("  {} uid={} cluster={}", o.display(), o.uid.as_deref().unwrap_or("-"), o.cluster))
                .collect();
            anyhow::bail!(
                "{what} matches {} objects; say which with -n, --cluster or --uid:\n{}",
                objects.len(),
                list.join("\n")
            )
        }
    }
}
