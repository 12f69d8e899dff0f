//! One module per subcommand: its `Args` and its `run`. They wire input, store, queries
//! and renderers together and hold no parsing, SQL or drawing of their own.

pub mod args;
pub mod completions;
pub mod conflicts;
pub mod history;
pub mod ingest;
pub mod man;
pub mod objects;
pub mod stats;
pub mod trace;

use std::io::Write;

use anyhow::Result;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::render::Style;

/// How a command ended, as scripts see it in the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: done, all clean.
    Success,
    /// 1: done, but with bad records or unreadable files; or nothing matched.
    Partial,
    /// 2: usage error, or nothing could be read.
    Failure,
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
        }
    }
}

/// Prints a diagnostic line on stderr, after `kelemetry-cli: `. When stderr is a closed
/// pipe (`2>&1 | head`) the line goes unsaid and the command goes on, where `eprintln!`
/// would panic.
pub fn diagnostic(message: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr().lock(), "kelemetry-cli: {message}");
}

/// What every command gets: the global options, the style, and stdout.
pub struct Context<'a> {
    pub global: &'a GlobalArgs,
    pub style: Style,
    pub out: &'a mut dyn Write,
}

pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Outcome> {
    let style = Style::for_stdout(cli.global.color);
    let mut ctx = Context { global: &cli.global, style, out };
    match cli.command {
        Command::Ingest(args) => ingest::run(&args, &mut ctx),
        Command::Stats(args) => stats::run(&args, &mut ctx),
        Command::Objects(args) => objects::run(&args, &mut ctx),
        Command::History(args) => history::run(&args, &mut ctx),
        Command::Conflicts(args) => conflicts::run(&args, &mut ctx),
        Command::Trace(args) => trace::run(&args, &mut ctx),
        Command::Completions(args) => completions::run(&args, &mut ctx),
        Command::Man(args) => man::run(&args, &mut ctx),
    }
}
