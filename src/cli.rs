//! The command line: global options and the subcommands. Doc comments are the help.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cmd;

/// Offline forensics for the Kubernetes control plane.
///
/// kelemetry-cli reads archived kube-apiserver audit logs, Kubernetes Event dumps and
/// object dumps into one SQLite store, then answers what happened to an object and
/// everything it owns, who changed which field, and which writers raced.
#[derive(Debug, Parser)]
#[command(name = "kelemetry-cli", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = "Exit codes: 0 success; 1 done, but with bad records or unreadable files (ingest), \
or nothing matched (queries); 2 usage error, or nothing could be read.")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The store: a SQLite file, created on first ingest; `:memory:` keeps nothing on disk.
    #[arg(long, global = true, env = "KELEMETRY_DB", default_value = "kelemetry.db", value_name = "PATH")]
    pub db: String,

    /// When to colour the output; `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

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
    /// JSON for scripts and `jq`.
    Json,
}

#[derive(Debug, Clone, Copy, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Text, value_name = "FORMAT")]
    pub output: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Ingest(cmd::ingest::Args),
    Stats(cmd::stats::Args),
    Objects(cmd::objects::Args),
    History(cmd::history::Args),
    Conflicts(cmd::conflicts::Args),
    Trace(cmd::trace::Args),
    Completions(cmd::completions::Args),
    Man(cmd::man::Args),
}
