//! The ingest's progress bar on stderr (only on a terminal), and its problem lines.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Terminal;
use crate::ingest::Observer;

/// How many problems are printed one by one; the rest are counted.
const SHOWN_PROBLEMS: u64 = 10;

/// Shows an ingest as it runs: bytes read, records written, the first problems.
pub struct Progress {
    bar: ProgressBar,
    records: AtomicU64,
    problems: AtomicU64,
    print_lock: Mutex<()>,
    /// Prints one diagnostic line on stderr.
    say: fn(std::fmt::Arguments),
}

impl Progress {
    pub fn new(terminal: &Terminal, quiet: bool, say: fn(std::fmt::Arguments)) -> Progress {
        Progress {
            bar: bar(terminal, quiet),
            records: AtomicU64::new(0),
            problems: AtomicU64::new(0),
            print_lock: Mutex::new(()),
            say,
        }
    }

    /// Clears the bar and says how many problems went unshown.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        let problems = self.problems.load(Ordering::Relaxed);
        if problems > SHOWN_PROBLEMS {
            (self.say)(format_args!("… and {} more problems not shown", problems - SHOWN_PROBLEMS));
        }
    }
}

impl Observer for Progress {
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
            self.bar.suspend(|| (self.say)(format_args!("{text}")));
        }
    }
}

fn bar(terminal: &Terminal, quiet: bool) -> ProgressBar {
    if quiet || !terminal.stderr_tty {
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
