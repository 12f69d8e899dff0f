//! The command line: global options and the subcommands, and the dispatch to them. Doc
//! comments are the help.

use std::io::Write;

use anyhow::Result;
use clap::{CommandFactory, Parser, Subcommand};

use crate::cmd::args::GlobalArgs;
use crate::cmd::{self, Context, Outcome};

/// Offline forensics for the Kubernetes control plane.
///
/// kelemetry-cli reads archived kube-apiserver audit logs, Kubernetes Event dumps and
/// object dumps into one SQLite store, then answers what happened to an object and
/// everything it owns, who changed which field, and which writers raced.
#[derive(Debug, Parser)]
#[command(name = "kelemetry-cli", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = "Exit codes: 0 success; 1 done, but with bad records or unreadable files (ingest), \
or nothing matched (queries); 2 usage error, or nothing could be read; 3 a check of `analyze` failed.")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Ingest(cmd::ingest::Args),
    Stats(cmd::stats::Args),
    Objects(cmd::objects::Args),
    History(cmd::history::Args),
    Conflicts(cmd::conflicts::Args),
    Requests(Box<cmd::requests::Args>),
    Analyze(cmd::analyze::Args),
    Trace(cmd::trace::Args),
    #[cfg(feature = "parquet")]
    Export(cmd::export::Args),
    Completions(cmd::completions::Args),
    Man(cmd::man::Args),
}

impl Cli {
    /// Runs the subcommand, writing its results to `out`.
    pub fn run(self, out: &mut dyn Write) -> Result<Outcome> {
        let mut ctx = Context::new(&self.global, out);
        match &self.command {
            Command::Ingest(args) => cmd::ingest::run(args, &mut ctx),
            Command::Stats(args) => cmd::stats::run(args, &mut ctx),
            Command::Objects(args) => cmd::objects::run(args, &mut ctx),
            Command::History(args) => cmd::history::run(args, &mut ctx),
            Command::Conflicts(args) => cmd::conflicts::run(args, &mut ctx),
            Command::Requests(args) => cmd::requests::run(args, &mut ctx),
            Command::Analyze(args) => cmd::analyze::run(args, &mut ctx),
            Command::Trace(args) => cmd::trace::run(args, &mut ctx),
            #[cfg(feature = "parquet")]
            Command::Export(args) => cmd::export::run(args, &mut ctx),
            Command::Completions(args) => cmd::completions::run(args, &mut ctx),
            Command::Man(args) => cmd::man::run(args, &mut ctx, Cli::command()),
        }
    }
}
