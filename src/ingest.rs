//! The ingest pipeline: one reader thread decompresses and splits files into pieces,
//! the rayon pool decodes pieces in parallel, and this thread writes them to the store.
//!
//! ```text
//! files ─► reader ─► pieces ─► decoders (rayon) ─► batches ─► writer (SQLite)
//! ```
//! Both hand-offs are bounded channels, so memory stays flat whatever the input size.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use crossbeam_channel::bounded;
use rayon::prelude::*;

use crate::input::{self, Fingerprint, InputFile, Origin, Piece, Problem, Scan};
use crate::model::Record;
use crate::store::{BulkLoad, FileRow, Location, Store, WriteSummary, Writer};

/// Hears about progress and problems while the ingest runs.
pub trait Observer: Sync {
    /// Reading starts: this many bytes (as stored, compressed or not) are to be read.
    fn reading(&self, total_bytes: u64);
    fn bytes_read(&self, bytes: u64);
    fn records_written(&self, records: u64);
    /// One bad record or file, as `file:line: reason`.
    fn problem(&self, text: &str);
}

pub struct Options {
    /// The cluster of records that name none.
    pub cluster: String,
    /// `cluster` was given (`--cluster`) rather than the default: it then wins over a GKE
    /// entry's cluster label.
    pub cluster_given: bool,
    /// Any bad record fails the run, and nothing of it is kept.
    pub strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    Ingested,
    /// The same bytes were ingested before.
    AlreadyIngested,
    /// The same bytes as another file of this run (an empty file, a copied config).
    Repeated,
    /// Found in a directory or archive and plainly not Kubernetes data (the reason).
    Skipped(&'static str),
    Unreadable,
}

#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: String,
    pub status: FileStatus,
    pub format: Option<&'static str>,
    pub gzip: bool,
    pub size: u64,
    pub lines: u64,
    pub records: u64,
    pub bad_records: u64,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub files: Vec<FileReport>,
    /// Paths on the command line that could not be opened or listed.
    pub unreadable_paths: Vec<String>,
    /// Indexes an interrupted ingest had left missing, rebuilt before this one.
    pub repaired_indexes: Vec<String>,
    pub lines: u64,
    pub bad_records: u64,
    /// `--strict` met a bad record and kept nothing.
    pub aborted: bool,
    pub written: WriteSummary,
    pub input_bytes: u64,
    pub decoded_bytes: u64,
    pub elapsed: Duration,
}

impl FileReport {
    fn new(file: &InputFile) -> FileReport {
        FileReport {
            path: file.display.clone(),
            status: FileStatus::Ingested,
            format: None,
            gzip: false,
            size: file.size,
            lines: 0,
            records: 0,
            bad_records: 0,
            error: None,
        }
    }
}

impl Report {
    pub fn files_ingested(&self) -> usize {
        self.files.iter().filter(|f| f.status == FileStatus::Ingested).count()
    }

    /// Files skipped as plainly not Kubernetes data, by reason, most first.
    pub fn skipped(&self) -> Vec<(&'static str, usize)> {
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for file in &self.files {
            if let FileStatus::Skipped(reason) = file.status {
                match counts.iter_mut().find(|(r, _)| *r == reason) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((reason, 1)),
                }
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        counts
    }
}

/// A load of more JSON than this, and bigger than the store, builds its indexes once at the
/// end: even at 30 MB (20k audit events, or 56k Events) sorting once beats keeping the indexes
/// row by row (0.91x and 0.83x the time).
const BULK_LOAD_BYTES: u64 = 16 << 20;

/// The most keys (auditIDs and Event versions) a bulk load's filter is sized for: 25M keys,
/// 32 MB of bits. Beyond that it answers "maybe" more often, which costs time, never
/// correctness.
const MAX_BULK_KEYS: u64 = 25_000_000;

enum Message {
    Batch { file: usize, records: Vec<Record>, blocks: Vec<Vec<u8>>, problems: Vec<Problem> },
    FileRead { file: usize, outcome: input::ReadOutcome },
}

struct Progress {
    report: FileReport,
    /// Known before the file is read, or (a file that cannot repeat another) once it is.
    fingerprint: Option<Fingerprint>,
    pieces_written: usize,
    pieces_total: Option<usize>,
    truncated: Option<String>,
    decoded_bytes: u64,
    /// When the file's objects were dumped, where a must-gather says.
    dump_time: Option<i64>,
}

pub fn ingest(store: &Store, paths: &[PathBuf], options: &Options, observer: &dyn Observer) -> Result<Report> {
    let started = Instant::now();
    let mut plan = plan(store, paths, observer)?;
    observer.reading(plan.input_bytes);
    let bulk = choose_bulk_load(store, &plan)?;
    // An earlier ingest interrupted mid bulk load: finish it, rebuild its indexes, first.
    let repaired_indexes = store.repair()?;
    if let Some(bulk) = &bulk {
        store.start_bulk_load(bulk)?;
    }
    let checkpointer = store.background_checkpoints();
    let mut writer = store.writer(&options.cluster, options.cluster_given, !options.strict, bulk)?;
    let mut run = Run { files: &mut plan.files, bad_records: 0, aborted: false, strict: options.strict, observer };
    run.read_decode_write(&plan.inputs, &plan.to_read, &mut writer)?;
    let (bad_records, aborted) = (run.bad_records, run.aborted);
    let written = finish_writes(store, writer, bulk.is_some(), aborted)?;
    drop(checkpointer);

    let files = plan.files;
    Ok(Report {
        decoded_bytes: files.iter().map(|f| f.decoded_bytes).sum(),
        lines: files.iter().map(|f| f.report.lines).sum(),
        files: files.into_iter().map(|f| f.report).collect(),
        unreadable_paths: plan.unreadable_paths,
        repaired_indexes,
        bad_records,
        aborted,
        written,
        input_bytes: plan.input_bytes,
        elapsed: started.elapsed(),
    })
}

/// What an ingest will read: every input file with its progress, those not ingested
/// before (by fingerprint), and what they weigh.
struct Plan {
    inputs: Vec<InputFile>,
    files: Vec<Progress>,
    /// Indexes into `inputs` of the files to read.
    to_read: Vec<usize>,
    unreadable_paths: Vec<String>,
    input_bytes: u64,
    /// The JSON to decode, guessed: gzip'd audit logs compress about 7:1.
    json_bytes: u64,
}

fn plan(store: &Store, paths: &[PathBuf], observer: &dyn Observer) -> Result<Plan> {
    let (mut inputs, unreadable_paths) = input::expand_paths(paths);
    // A directory may hold the store itself (`ingest .`): never read it as input.
    if let Location::File(db) = &store.location {
        let own: Vec<PathBuf> = ["", "-wal", "-shm", "-journal"]
            .iter()
            .filter_map(|suffix| std::fs::canonicalize(crate::store::sibling_file(db, suffix)).ok())
            .collect();
        inputs.retain(
            |f| !matches!(&f.origin, Origin::Path(p) if std::fs::canonicalize(p).is_ok_and(|p| own.contains(&p))),
        );
    }
    for path in &unreadable_paths {
        observer.problem(path);
    }
    let (known, stored_sizes) = store.known_files()?;
    // Equal bytes have equal sizes: a file whose size neither another input nor a file
    // ingested before has cannot repeat one, and is fingerprinted as it is read rather than
    // in a pass of its own first (40 ms for 160 MB of gzip, with the other core idle).
    let mut sizes: HashMap<u64, usize> = HashMap::new();
    for file in &inputs {
        *sizes.entry(file.size).or_default() += 1;
    }
    let scans: Vec<std::io::Result<Scan>> = inputs
        .par_iter()
        .map(|file| {
            let unique =
                matches!(file.origin, Origin::Path(_)) && sizes[&file.size] == 1 && !stored_sizes.contains(&file.size);
            input::scan_file(file, !unique)
        })
        .collect();
    let mut planned = Plan {
        inputs: Vec::with_capacity(inputs.len()),
        files: Vec::with_capacity(inputs.len()),
        to_read: Vec::new(),
        unreadable_paths,
        input_bytes: 0,
        json_bytes: 0,
    };
    let mut seen_now = HashSet::new();
    for (file, scan) in inputs.into_iter().zip(scans) {
        let scan = match scan {
            Ok(scan) if scan.archive => {
                planned.archive(file, &known, &mut seen_now, observer);
                continue;
            }
            Ok(scan) => scan,
            Err(e) => {
                observer.problem(&format!("{}: {e}", file.display));
                planned.unreadable(file, e.to_string());
                continue;
            }
        };
        let new = match scan.fingerprint {
            Some(fingerprint) => planned.novelty(&known, &mut seen_now, fingerprint),
            None => FileStatus::Ingested,
        };
        if new == FileStatus::Ingested {
            planned.input_bytes += file.size;
            planned.json_bytes += file.size * if scan.compressed { 7 } else { 1 };
        }
        planned.push(file, scan.fingerprint, new);
    }
    Ok(planned)
}

impl Plan {
    /// Whether a file's bytes are to be read: new, ingested before, or another file's of
    /// this run.
    fn novelty(
        &self,
        known: &HashSet<Vec<u8>>,
        seen_now: &mut HashSet<Fingerprint>,
        fingerprint: Fingerprint,
    ) -> FileStatus {
        if known.contains(fingerprint.as_slice()) {
            FileStatus::AlreadyIngested
        } else if !seen_now.insert(fingerprint) {
            FileStatus::Repeated
        } else {
            FileStatus::Ingested
        }
    }

    fn push(&mut self, file: InputFile, fingerprint: Option<Fingerprint>, status: FileStatus) {
        let mut report = FileReport::new(&file);
        report.status = status;
        if status == FileStatus::Ingested {
            self.to_read.push(self.inputs.len());
        }
        self.files.push(Progress::new(report, fingerprint, file.dump_time));
        self.inputs.push(file);
    }

    fn unreadable(&mut self, file: InputFile, error: String) {
        let mut report = FileReport::new(&file);
        report.status = FileStatus::Unreadable;
        report.error = Some(error);
        self.files.push(Progress::new(report, None, None));
        self.inputs.push(file);
    }

    /// An archive's members, each an input of its own, by their fingerprints.
    fn archive(
        &mut self,
        archive: InputFile,
        known: &HashSet<Vec<u8>>,
        seen_now: &mut HashSet<Fingerprint>,
        observer: &dyn Observer,
    ) {
        let Origin::Path(path) = &archive.origin else { return };
        let members = match input::archive::list(path) {
            Ok(members) => members,
            Err(e) => {
                observer.problem(&format!("{}: not a readable archive: {e}", archive.display));
                return self.unreadable(archive, format!("not a readable archive: {e}"));
            }
        };
        let mut reads = false;
        for member in members {
            let new = self.novelty(known, seen_now, member.fingerprint);
            reads |= new == FileStatus::Ingested;
            if new == FileStatus::Ingested {
                self.json_bytes += member.size;
            }
            let file = InputFile {
                display: format!("{}!{}", archive.display, member.name),
                origin: Origin::Member { archive: path.clone(), name: member.name },
                size: member.size,
                found: true,
                dump_time: member.dump_time,
            };
            self.push(file, Some(member.fingerprint), new);
        }
        // The progress bar counts the archive's bytes as read, compressed.
        if reads {
            self.input_bytes += archive.size;
        }
    }
}

/// Roughly 1 KB of JSON per audit event or Event: a load bigger than the store is a bulk
/// load. Tables still empty also go without their unique index; the filter standing in for
/// it is sized for gzip input (about one record per 100 bytes on disk), within 32 MB.
fn choose_bulk_load(store: &Store, plan: &Plan) -> Result<Option<BulkLoad>> {
    let (existing_requests, existing_events) = store.row_counts()?;
    let bulk = plan.json_bytes > BULK_LOAD_BYTES && existing_requests + existing_events < plan.json_bytes / 1024;
    Ok(bulk.then_some(BulkLoad {
        requests: existing_requests == 0,
        events: existing_events == 0,
        expected_keys: (plan.input_bytes / 100).min(MAX_BULK_KEYS),
    }))
}

/// Ends the writes: commits (or, after `--strict` met a bad record, rolls back), then
/// finishes a bulk load and moves name-only records to their objects.
fn finish_writes(store: &Store, writer: Writer, bulk: bool, aborted: bool) -> Result<WriteSummary> {
    let mut written = if aborted {
        writer.abandon()?;
        WriteSummary::default()
    } else {
        writer.finish()?
    };
    // The load's pages go to disk while the indexes are built, theirs while names resolve.
    store.start_write_back();
    if bulk {
        // Requests and Events that may have been stored already are written now.
        let drained = store.finish_bulk_load()?;
        written.requests_added += drained.added;
        written.stages_merged += drained.merged;
        written.events_added += drained.events_added;
        written.duplicates_skipped += drained.duplicates;
        written.audit_ids_reused += drained.reused;
    } else if aborted {
        store.ensure_query_indexes()?;
    }
    store.start_write_back();
    // Objects that turned out to be another (known by name, or by an alias) are not new.
    let merged = store.resolve_unnamed_objects()? + store.resolve_aliases()?;
    written.objects_added = written.objects_added.saturating_sub(merged);
    Ok(written)
}

/// The reader thread: reads the files in order, an archive's members in one pass over it,
/// until the writer stops listening.
fn read_all(
    inputs: &[InputFile],
    to_read: &[usize],
    observer: &dyn Observer,
    pieces: &crossbeam_channel::Sender<Piece>,
    messages: &crossbeam_channel::Sender<Message>,
) {
    let progress = |n| observer.bytes_read(n);
    let mut emit = |piece| {
        let _ = pieces.send(piece);
    };
    let mut next = 0;
    while let Some(&index) = to_read.get(next) {
        let Origin::Member { archive, .. } = &inputs[index].origin else {
            let outcome = input::read_pieces(&inputs[index], index, &progress, &mut emit);
            if messages.send(Message::FileRead { file: index, outcome }).is_err() {
                return;
            }
            next += 1;
            continue;
        };
        // The members of one archive are next to each other.
        let mut wanted = std::collections::HashMap::new();
        while let Some(&member) = to_read.get(next) {
            match &inputs[member].origin {
                Origin::Member { archive: same, name } if same == archive => wanted.insert(name.clone(), member),
                _ => break,
            };
            next += 1;
        }
        let mut stopped = false;
        input::archive::read(archive, wanted, &progress, &mut emit, &mut |file, outcome| {
            stopped |= messages.send(Message::FileRead { file, outcome }).is_err();
        });
        if stopped {
            return;
        }
    }
}

/// The state of one ingest's threads, as the writer thread sees it.
struct Run<'a> {
    files: &'a mut [Progress],
    bad_records: u64,
    /// `--strict` met a bad record.
    aborted: bool,
    strict: bool,
    observer: &'a dyn Observer,
}

impl Run<'_> {
    /// One reader thread splits the files into pieces, the rayon pool decodes them, and this
    /// thread writes what they hold, in whatever order they come.
    fn read_decode_write(&mut self, inputs: &[InputFile], to_read: &[usize], writer: &mut Writer) -> Result<()> {
        let observer = self.observer;
        std::thread::scope(|scope| {
            let (piece_tx, piece_rx) = bounded::<Piece>(2);
            let (message_tx, message_rx) = bounded::<Message>(4);
            let reader_tx = message_tx.clone();
            scope.spawn(move || read_all(inputs, to_read, observer, &piece_tx, &reader_tx));
            scope.spawn(move || {
                piece_rx.into_iter().par_bridge().for_each(|piece| {
                    let decoded = input::decode_piece(&piece);
                    input::recycle(piece.data);
                    let message = Message::Batch {
                        file: piece.file,
                        records: decoded.records,
                        blocks: decoded.bodies.finish(),
                        problems: decoded.problems,
                    };
                    let _ = message_tx.send(message);
                });
            });
            for message in message_rx {
                let file = match message {
                    Message::Batch { file, records, blocks, problems } => {
                        self.batch(file, &records, &blocks, &problems, writer)?;
                        file
                    }
                    Message::FileRead { file, outcome } => {
                        self.file_read(file, outcome);
                        file
                    }
                };
                if self.aborted {
                    // Dropping the receiver ends the other threads.
                    return Ok(());
                }
                let progress = &self.files[file];
                if progress.pieces_total == Some(progress.pieces_written)
                    && progress.report.status == FileStatus::Ingested
                {
                    match progress.file_row() {
                        Some(row) => writer.file_done(&row)?,
                        // Its records are stored; only a later run cannot tell it was.
                        None => self.observer.problem(&format!(
                            "{}: not recorded as ingested: its bytes could not be read to the end to fingerprint them",
                            progress.report.path
                        )),
                    }
                }
            }
            Ok(())
        })
    }

    fn batch(
        &mut self,
        file: usize,
        records: &[Record],
        blocks: &[Vec<u8>],
        problems: &[Problem],
        writer: &mut Writer,
    ) -> Result<()> {
        let progress = &mut self.files[file];
        for problem in problems {
            self.observer.problem(&format!("{}:{}: {}", progress.report.path, problem.line, problem.reason));
        }
        progress.report.bad_records += problems.len() as u64;
        progress.report.records += records.len() as u64;
        progress.pieces_written += 1;
        self.bad_records += problems.len() as u64;
        if self.strict && self.bad_records > 0 {
            self.aborted = true;
            return Ok(());
        }
        writer.write(records, blocks, self.files[file].dump_time)?;
        self.observer.records_written(records.len() as u64);
        Ok(())
    }

    fn file_read(&mut self, file: usize, outcome: input::ReadOutcome) {
        let progress = &mut self.files[file];
        if let Some(reason) = outcome.skipped {
            progress.report.status = FileStatus::Skipped(reason);
        }
        if let Some(error) = &outcome.error {
            self.observer.problem(&format!("{}: {error}", progress.report.path));
            progress.report.status = FileStatus::Unreadable;
            progress.report.error = Some(error.clone());
        }
        let problems =
            outcome.skipped_lines.iter().map(|p| format!("{}:{}: {}", progress.report.path, p.line, p.reason));
        let truncated = outcome.truncated.iter().map(|t| format!("{}: {t}", progress.report.path));
        for problem in problems.chain(truncated) {
            self.observer.problem(&problem);
            progress.report.bad_records += 1;
            self.bad_records += 1;
            if self.strict {
                self.aborted = true;
            }
        }
        progress.report.format = outcome.format.map(input::Format::name);
        progress.report.gzip = outcome.gzip;
        progress.report.lines = outcome.lines;
        progress.pieces_total = Some(outcome.pieces);
        progress.fingerprint = progress.fingerprint.or(outcome.fingerprint);
        progress.truncated = outcome.truncated;
        progress.decoded_bytes = outcome.bytes;
    }
}

impl Progress {
    fn new(report: FileReport, fingerprint: Option<Fingerprint>, dump_time: Option<i64>) -> Progress {
        Progress {
            report,
            fingerprint,
            pieces_written: 0,
            pieces_total: None,
            truncated: None,
            decoded_bytes: 0,
            dump_time,
        }
    }

    fn file_row(&self) -> Option<FileRow> {
        Some(FileRow {
            path: self.report.path.clone(),
            fingerprint: self.fingerprint?,
            size: self.report.size,
            format: self.report.format,
            gzip: self.report.gzip,
            lines: self.report.lines,
            records: self.report.records,
            bad_records: self.report.bad_records,
            truncated: self.truncated.clone(),
        })
    }
}
