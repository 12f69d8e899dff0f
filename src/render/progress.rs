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
    /// On stderr when it is a terminal (and not `quiet`); hidden otherwise.
    pub fn new(terminal: &Terminal, quiet: bool, say: fn(std::fmt::Arguments)) -> Progress {
        let target = if quiet || !terminal.stderr_tty { None } else { Some(ProgressDrawTarget::stderr()) };
        Progress::drawn_to(target, say)
    }

    fn drawn_to(target: Option<ProgressDrawTarget>, say: fn(std::fmt::Arguments)) -> Progress {
        let bar = match target {
            None => ProgressBar::hidden(),
            Some(target) => {
                let bar = ProgressBar::with_draw_target(None, target);
                bar.set_style(ProgressStyle::with_template(TEMPLATE).unwrap_or_else(|_| ProgressStyle::default_bar()));
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            }
        };
        Progress { bar, records: AtomicU64::new(0), problems: AtomicU64::new(0), print_lock: Mutex::new(()), say }
    }

    /// Clears the bar and says how many problems went unshown.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        let problems = self.problems.load(Ordering::Relaxed);
        if problems > SHOWN_PROBLEMS {
            (self.say)(format_args!("… and {} more problems not shown", problems - SHOWN_PROBLEMS));
        }
    }

    fn update_message(&self) {
        let records = self.records.load(Ordering::Relaxed);
        let mut message = format!("{records} records");
        match self.problems.load(Ordering::Relaxed) {
            0 => {}
            1 => message.push_str(", 1 bad"),
            bad => message.push_str(&format!(", {bad} bad")),
        }
        self.bar.set_message(message);
    }
}

/// A bar of the steps of a long pass (`export`: its partitions), with the rows written so
/// far: on stderr when it is a terminal, hidden otherwise.
pub fn steps(terminal: &Terminal, quiet: bool, total: u64) -> ProgressBar {
    if quiet || !terminal.stderr_tty {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template(STEPS).unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

const STEPS: &str = "{spinner} {elapsed:>4} {wide_bar}\n       {pos}/{len} partitions, ETA {eta}, {msg}";

/// Bytes as stored (a gzip's compressed position), against the inputs' total, with rate and
/// time left; then records written and bad records so far. The numbers get a line of their
/// own: beside them the bar would shrink to nothing on an 80-column terminal.
const TEMPLATE: &str =
    "{spinner} {elapsed:>4} {wide_bar}\n       {bytes}/{total_bytes}, {binary_bytes_per_sec}, ETA {eta}, {msg}";

impl Observer for Progress {
    fn reading(&self, total_bytes: u64) {
        self.bar.set_length(total_bytes);
    }

    fn bytes_read(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn records_written(&self, records: u64) {
        self.records.fetch_add(records, Ordering::Relaxed);
        self.update_message();
    }

    fn problem(&self, text: &str) {
        let seen = self.problems.fetch_add(1, Ordering::Relaxed);
        if seen < SHOWN_PROBLEMS {
            let _guard = self.print_lock.lock();
            self.bar.suspend(|| (self.say)(format_args!("{text}")));
        }
        self.update_message();
    }
}

#[cfg(test)]
mod tests {
    use indicatif::InMemoryTerm;

    use super::*;

    #[test]
    fn the_bar_fills_against_the_inputs_total() {
        let term = InMemoryTerm::new(3, 80);
        let progress = Progress::drawn_to(Some(ProgressDrawTarget::term_like(Box::new(term.clone()))), |_| {});
        progress.reading(300 << 20);
        progress.bytes_read(263 << 20);
        progress.records_written(1_234_567);
        progress.problem("a.log:3: broken");
        progress.bar.tick();
        let screen = term.contents();
        assert!(screen.contains("263.00 MiB/300.00 MiB"), "{screen}");
        assert!(screen.contains("ETA "), "{screen}");
        assert!(screen.contains("1234567 records, 1 bad"), "{screen}");
        let bar = screen.chars().filter(|c| matches!(c, '█' | '░')).count();
        assert!(bar >= 70, "the bar keeps its place on an 80-column terminal: {screen}");
        assert_eq!(progress.bar.length(), Some(300 << 20));
    }
}
