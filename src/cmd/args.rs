//! Options several commands share, and the global ones. They live here, below `cli`, so that
//! the command line imports the commands and never the other way round.

use clap::ValueEnum;
use clap_complete::engine::ArgValueCompleter;

use super::complete;

use crate::model::selector::{KindQuery, Selector};
use crate::model::time::Window;
use crate::query::window::{self, Bound, parse_bound};
use crate::render::table::View;

/// Options every subcommand takes.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk.
    #[arg(long, global = true, env = "KELEMETRY_DB", default_value = "kelemetry.db", value_name = "PATH")]
    pub db: String,

    /// When to colour the output; `auto` colours a terminal unless NO_COLOR is set
    /// (CLICOLOR_FORCE=1 colours a pipe too, CLICOLOR=0 turns it off).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print times in the local time zone (TZ, else the system's) with their offset, not UTC;
    /// JSON stays UTC.
    #[arg(long, global = true)]
    pub local: bool,

    /// No progress bar and no summary: only results and problems.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `-o/--output`, the same on every command that prints results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// Tables and trees for a person.
    #[default]
    Text,
    /// Tables with every column (uids, exact times), as kubectl's `-o wide`.
    Wide,
    /// JSON for scripts and `jq` (docs/json.md).
    Json,
}

#[derive(Debug, Clone, Copy, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Text, value_name = "FORMAT")]
    pub output: OutputFormat,

    /// Tables without their header line.
    #[arg(long)]
    pub no_headers: bool,
}

impl OutputArgs {
    /// What of a table to show.
    pub fn view(&self) -> View {
        View { wide: self.output == OutputFormat::Wide, headers: !self.no_headers }
    }
}

/// `OBJECT` with `-n`, `--cluster` and `--uid`.
#[derive(Debug, Clone, clap::Args)]
pub struct ObjectArgs {
    /// The object: KIND/NAME, with kubectl's kind forms (deploy/web, deployment.apps/web, rs/web-7d4b9c8f6d).
    #[arg(
        value_name = "KIND/NAME",
        value_parser = parse_selector,
        required_unless_present = "uid",
        add = ArgValueCompleter::new(complete::objects)
    )]
    pub object: Option<Selector>,

    /// The name, after a KIND (kubectl's `TYPE NAME`: `trace deploy web`).
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// Namespace of the object.
    #[arg(short, long, value_name = "NS", add = ArgValueCompleter::new(complete::namespaces))]
    pub namespace: Option<String>,

    /// Cluster of the object, where the store holds several.
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,

    /// The object's uid, instead of or besides KIND/NAME.
    #[arg(long, value_name = "UID")]
    pub uid: Option<String>,
}

impl ObjectArgs {
    /// The object as named: `KIND/NAME`, `KIND NAME` or `NAME`.
    pub fn selector(&self) -> anyhow::Result<Option<Selector>> {
        match (&self.object, &self.name) {
            (Some(Selector { kind: None, name: kind }), Some(name)) => {
                Ok(Some(Selector { kind: Some(KindQuery::parse(kind)), name: name.clone() }))
            }
            (Some(_), Some(name)) => anyhow::bail!("give KIND/NAME or KIND NAME, not both (then {name:?})"),
            (object, _) => Ok(object.clone()),
        }
    }

    /// How the user named the object, for messages: `deploy/web`, `uid 1234`.
    pub fn describe(&self) -> String {
        match &self.selector().ok().flatten() {
            Some(selector) => {
                format!("{}{}", selector.kind.as_ref().map_or(String::new(), |k| format!("{}/", k.word)), selector.name)
            }
            None => format!("uid {}", self.uid.as_deref().unwrap_or("")),
        }
    }
}

/// The clap value parser for `KIND/NAME`.
pub fn parse_selector(text: &str) -> Result<Selector, String> {
    Selector::parse(text).map_err(|e| e.to_string())
}

/// `--since` / `--until`.
#[derive(Debug, Clone, clap::Args)]
pub struct WindowArgs {
    /// Start: an RFC 3339 time (any offset), a date (midnight UTC), or a duration (90s, 1h30m, 2d)
    /// before the newest record in the store.
    #[arg(long, value_name = "WHEN", value_parser = parse_bound)]
    pub since: Option<Bound>,

    /// End: an RFC 3339 time (any offset), a date (midnight UTC), or a duration before the newest
    /// record in the store.
    #[arg(long, value_name = "WHEN", value_parser = parse_bound)]
    pub until: Option<Bound>,
}

impl WindowArgs {
    pub fn window(&self, newest_us: Option<i64>) -> Window {
        window::resolve(self.since.as_ref(), self.until.as_ref(), newest_us)
    }
}

/// `-i/--input`: files to ingest before the query, so that a one-off look is one command.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Ingest these files or directories first (with `--db :memory:` nothing is written to
    /// disk). They take every argument up to the next option: give KIND/NAME before them.
    #[arg(short, long = "input", value_name = "PATH", num_args = 1..)]
    pub inputs: Vec<std::path::PathBuf>,
}
