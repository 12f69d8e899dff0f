use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use clap_complete::CompleteEnv;
use kelemetry_cli::cli::Cli;
use kelemetry_cli::cmd::{self, Outcome};

/// Decoder threads allocate the records the writer thread frees. glibc's malloc serialises
/// those frees on the allocating thread's arena lock; mimalloc frees them without a lock
/// (5M Events: 200k context switches became 6k, and the ingest took 40% less time).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    without_transparent_huge_pages();
    // On Tab, the shell runs `COMPLETE=<shell> kelemetry-cli -- <words>`: answer and exit.
    CompleteEnv::with_factory(Cli::command).var(cmd::completions::VAR).complete();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Outcome::Failure.exit_code() } else { 0 });
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = cli.run(&mut out).and_then(|outcome| Ok(out.flush().map(|_| outcome)?));
    match result {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        // A closed pipe (`| head`) is the reader saying it has enough.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            cmd::diagnostic(format_args!("error: {e:#}"));
            ExitCode::from(Outcome::Failure.exit_code())
        }
    }
}

/// A hash table that grows by doubling moves into fresh memory each time, and a fresh
/// transparent huge page is zeroed 2 MiB at a time, often after the allocator has handed
/// part of it back: `analyze`'s checks spent a sixth of their time in the kernel zeroing
/// pages (its Events pass ran 1.2x faster with them off). Ingest and listings do not notice.
#[cfg(target_os = "linux")]
fn without_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE sets a flag of this process; the other arguments are unused.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn without_transparent_huge_pages() {}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}
