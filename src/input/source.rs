//! Files and stdin: discovery, fingerprints, decompression, format sniffing and splitting
//! into pieces.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use flate2::read::MultiGzDecoder;
use xxhash_rust::xxh3::Xxh3;

use super::split::{Cutter, JsonCuts, YamlCuts};
use super::{Format, Piece, Problem};

/// A content hash: the same bytes ingested twice are recognised whatever the file name.
pub type Fingerprint = [u8; 16];

/// What a first look at a file's bytes tells before it is read for good.
pub struct Scan {
    /// `None` when left to the read (see [`scan_file`]).
    pub fingerprint: Option<Fingerprint>,
    /// The bytes are compressed (gzip or xz), by their magic number.
    pub compressed: bool,
    /// A tar archive, compressed or not: its members are the inputs.
    pub archive: bool,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const XZ_MAGIC: [u8; 6] = [0xfd, b'7', b'z', b'X', b'Z', 0];

/// Where an input's bytes come from.
pub enum Origin {
    Path(PathBuf),
    /// Standard input, read up front (it cannot be read twice).
    Memory(Vec<u8>),
    /// A file inside a tar archive.
    Member {
        archive: PathBuf,
        name: String,
    },
}

pub struct InputFile {
    /// The name problems are reported under (`-` for stdin, `a.tar.xz!dir/file` in archives).
    pub display: String,
    pub origin: Origin,
    /// Size on disk (compressed, if it is), for progress.
    pub size: u64,
    /// Found in a directory or an archive rather than named: such a file that is plainly
    /// not Kubernetes data (a container log, a README) is skipped, not reported as bad.
    pub found: bool,
    /// When its objects were dumped, where a must-gather's `timestamp` file above it says.
    pub dump_time: Option<i64>,
}

/// Expands the command line: files as given, directories recursively (sorted, hidden
/// entries skipped), `-` for stdin. Returns the inputs and the paths that could not be read.
pub fn expand_paths(paths: &[PathBuf]) -> (Vec<InputFile>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut dirs = std::collections::HashSet::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut data = Vec::new();
            match io::stdin().lock().read_to_end(&mut data) {
                Ok(_) => files.push(InputFile {
                    display: "-".into(),
                    size: data.len() as u64,
                    origin: Origin::Memory(data),
                    found: false,
                    dump_time: None,
                }),
                Err(e) => errors.push(format!("-: cannot read stdin: {e}")),
            }
            continue;
        }
        walk(path, false, None, &mut Walked { files: &mut files, errors: &mut errors, dirs: &mut dirs });
    }
    (files, errors)
}

/// What a walk found, and the directories it has read (by their real paths: a link back to
/// one of them is not followed again, so a symlink loop ends and no file is read twice).
struct Walked<'a> {
    files: &'a mut Vec<InputFile>,
    errors: &'a mut Vec<String>,
    dirs: &'a mut std::collections::HashSet<PathBuf>,
}

fn walk(path: &Path, found: bool, dump_time: Option<i64>, out: &mut Walked) {
    let (files, errors) = (&mut *out.files, &mut *out.errors);
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return errors.push(format!("{}: {e}", path.display())),
    };
    if metadata.is_file() {
        files.push(InputFile {
            display: path.display().to_string(),
            origin: Origin::Path(path.to_owned()),
            size: metadata.len(),
            found,
            dump_time,
        });
        return;
    }
    if is_stream(&metadata) {
        // A pipe (`<(zcat x.gz)`, a FIFO, /dev/stdin) can be read once: as stdin is, up front.
        let mut data = Vec::new();
        return match File::open(path).and_then(|mut f| f.read_to_end(&mut data)) {
            Ok(_) => files.push(InputFile {
                display: path.display().to_string(),
                size: data.len() as u64,
                origin: Origin::Memory(data),
                found,
                dump_time,
            }),
            Err(e) => errors.push(format!("{}: cannot read: {e}", path.display())),
        };
    }
    if !metadata.is_dir() {
        return errors.push(format!("{}: not a file, directory or stream", path.display()));
    }
    if !out.dirs.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())) {
        return;
    }
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) => return errors.push(format!("{}: {e}", path.display())),
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    children.sort();
    // A must-gather dates what lies below its `timestamp` files: by the latest of them, the
    // gather had seen it.
    let stamp =
        std::fs::read_to_string(path.join("timestamp")).ok().and_then(|t| crate::model::time::must_gather_time(&t));
    let dump_time = stamp.max(dump_time);
    for child in children {
        walk(&child, true, dump_time, out);
    }
}

/// A pipe or a character device: bytes to read once, in order.
fn is_stream(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    kind.is_fifo() || kind.is_char_device() || kind.is_socket()
}

fn open_raw(origin: &Origin) -> io::Result<Box<dyn Read + '_>> {
    Ok(match origin {
        Origin::Path(path) => Box::new(File::open(path)?),
        Origin::Memory(data) => Box::new(data.as_slice()),
        // Members are read by their archive, in one pass (see `archive::read`).
        Origin::Member { archive, name } => {
            return Err(io::Error::other(format!("{name} is read with its archive {}", archive.display())));
        }
    })
}

/// How the bytes are compressed, by their magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Xz,
}

impl Compression {
    fn of(head: &[u8]) -> Compression {
        if head.starts_with(&GZIP_MAGIC) {
            Compression::Gzip
        } else if head.starts_with(&XZ_MAGIC) {
            Compression::Xz
        } else {
            Compression::None
        }
    }
}

/// The bytes of `raw` decompressed, as its magic number says, and how they were compressed.
pub fn decompressed<'a>(raw: Box<dyn Read + 'a>) -> io::Result<(Box<dyn Read + 'a>, Compression)> {
    let mut buffered = BufReader::with_capacity(256 * 1024, raw);
    let compression = Compression::of(buffered.fill_buf()?);
    let reader: Box<dyn Read + 'a> = match compression {
        Compression::Gzip => Box::new(MultiGzDecoder::new(buffered)),
        Compression::Xz => Box::new(lzma_rust2::XzReader::new(buffered, true)),
        Compression::None => Box::new(buffered),
    };
    Ok((reader, compression))
}

/// Notes whether the bytes as stored are compressed and whether they hold a tar archive,
/// and with `fingerprint` hashes them all, in the one pass that decides whether a file was
/// ingested before. Without, only their head is read: [`read_pieces`] hashes the bytes as
/// it reads them.
pub fn scan_file(file: &InputFile, fingerprint: bool) -> io::Result<Scan> {
    let mut hashing = Hashing::new(open_raw(&file.origin)?);
    let mut head = Vec::with_capacity(XZ_MAGIC.len());
    (&mut hashing).take(XZ_MAGIC.len() as u64).read_to_end(&mut head)?;
    let fingerprint = if fingerprint { Some(hashing.finish()?) } else { None };
    let compressed = Compression::of(&head) != Compression::None;
    Ok(Scan { fingerprint, compressed, archive: holds_archive(&file.origin) })
}

/// Hashes the bytes read through it into a [`Fingerprint`].
struct Hashing<R> {
    inner: R,
    hasher: Xxh3,
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Hashing<R> {
        Hashing { inner, hasher: Xxh3::new() }
    }

    /// Reads the rest, and the fingerprint of all the bytes.
    fn finish(mut self) -> io::Result<Fingerprint> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(self.hasher.digest128().to_le_bytes())
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Whether the (decompressed) bytes open with a tar header: a second look at the first
/// 512 bytes only.
fn holds_archive(origin: &Origin) -> bool {
    let Ok(raw) = open_raw(origin) else { return false };
    let Ok((reader, _)) = decompressed(raw) else { return false };
    let mut head = Vec::with_capacity(512);
    reader.take(512).read_to_end(&mut head).is_ok() && is_tar(&head)
}

/// Whether decompressed bytes open with a tar header (POSIX `ustar` magic).
fn is_tar(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

/// Counts the raw bytes read, for the progress bar.
pub(super) struct Counting<'a, R> {
    pub inner: R,
    pub progress: &'a (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.progress)(n as u64);
        Ok(n)
    }
}

/// What reading one file found.
#[derive(Debug, Default)]
pub struct ReadOutcome {
    pub format: Option<Format>,
    pub pieces: usize,
    pub lines: u64,
    /// Bytes after decompression.
    pub bytes: u64,
    pub gzip: bool,
    /// The data ended early (a truncated or corrupt gzip stream); what decoded was kept.
    pub truncated: Option<String>,
    /// The fingerprint of the bytes as stored, when the file was read whole.
    pub fingerprint: Option<Fingerprint>,
    /// The file could not be read at all.
    pub error: Option<String>,
    /// Found in a directory or archive and plainly not Kubernetes data: why it was skipped.
    pub skipped: Option<&'static str>,
    /// Lines dropped as they were read, too long to hold and plainly not records.
    pub skipped_lines: Vec<Problem>,
}

/// Target size of a JSON Lines piece: big enough to amortise the hand-offs, small enough
/// to keep memory flat and both cores busy.
const PIECE_SIZE: usize = 4 << 20;

/// Room for a piece and the partial line or document carried over into it, so that
/// reading never moves a piece's bytes again.
const PIECE_CAPACITY: usize = PIECE_SIZE + (256 << 10);

/// Piece buffers handed back once decoded, for the reader to fill again. A freed piece
/// goes back to the operating system, and a new one comes back a page fault and a zeroed
/// page at a time (with the decoders' own compressors, a quarter of an ingest's page faults).
static SPARE_BUFFERS: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// Enough spares for the pieces in flight between the reader and the decoders.
const MAX_SPARE_BUFFERS: usize = 8;

/// Keeps a decoded piece's buffer for the reader to fill again.
pub fn recycle(mut buffer: Vec<u8>) {
    // A piece grown around one very long line or document is let go, to keep memory flat.
    if !(PIECE_CAPACITY..=2 * PIECE_CAPACITY).contains(&buffer.capacity()) {
        return;
    }
    buffer.clear();
    let mut spare = SPARE_BUFFERS.lock().unwrap_or_else(|e| e.into_inner());
    if spare.len() < MAX_SPARE_BUFFERS {
        spare.push(buffer);
    }
}

/// An empty buffer with room for at least `capacity` bytes: a spare one where there is.
fn piece_buffer(capacity: usize) -> Vec<u8> {
    let spare = SPARE_BUFFERS.lock().unwrap_or_else(|e| e.into_inner()).pop();
    match spare {
        Some(buffer) if buffer.capacity() >= capacity => buffer,
        _ => Vec::with_capacity(capacity),
    }
}

/// A Parquet file with neither `rawJson` (requests, Events) nor states' bodies.
#[cfg(feature = "parquet")]
const PARQUET_WITHOUT_RECORDS: &str =
    "Parquet without records to read (objects and owner links come with the requests and states)";

/// Reads a file and hands out pieces that decode independently, in file order.
pub fn read_pieces(
    file: &InputFile,
    index: usize,
    progress: &(dyn Fn(u64) + Sync),
    emit: &mut dyn FnMut(Piece),
) -> ReadOutcome {
    #[cfg(feature = "parquet")]
    if let Origin::Path(path) = &file.origin
        && super::parquet::is_parquet(path)
    {
        // An export of ours: its records as JSON Lines (the file needs seeking to its footer).
        progress(file.size);
        return match super::parquet::lines(path) {
            Ok(Some(lines)) => ReadOutcome {
                fingerprint: scan_file(file, true).ok().and_then(|scan| scan.fingerprint),
                ..read_stream(Box::new(lines), index, false, emit)
            },
            Ok(None) if file.found => ReadOutcome { skipped: Some(PARQUET_WITHOUT_RECORDS), ..ReadOutcome::default() },
            Ok(None) => ReadOutcome { error: Some(PARQUET_WITHOUT_RECORDS.to_owned()), ..ReadOutcome::default() },
            Err(e) => ReadOutcome { error: Some(e.to_string()), ..ReadOutcome::default() },
        };
    }
    match open_raw(&file.origin) {
        Ok(raw) => {
            let mut hashing = Hashing::new(Counting { inner: raw, progress });
            let mut outcome = read_stream(Box::new(&mut hashing), index, file.found, emit);
            if outcome.skipped.is_none() && outcome.error.is_none() {
                // Decompression stops where the stream ends (or breaks): the fingerprint
                // covers every byte stored, as a scan's does.
                outcome.fingerprint = hashing.finish().ok();
            }
            outcome
        }
        Err(e) => ReadOutcome { error: Some(e.to_string()), ..ReadOutcome::default() },
    }
}

/// [`read_pieces`] of bytes however they come (a file, an archive member).
pub(super) fn read_stream(
    raw: Box<dyn Read + '_>,
    index: usize,
    found: bool,
    emit: &mut dyn FnMut(Piece),
) -> ReadOutcome {
    let mut outcome = ReadOutcome::default();
    let (reader, compression) = match decompressed(raw).and_then(|(r, c)| Ok((super::utf16::as_utf8(r)?, c))) {
        Ok(opened) => opened,
        Err(e) => {
            outcome.error = Some(e.to_string());
            return outcome;
        }
    };
    outcome.gzip = compression == Compression::Gzip;
    let mut stream = Stream { reader, buf: piece_buffer(PIECE_CAPACITY), eof: false };
    stream.fill(PIECE_SIZE, &mut outcome);
    if stream.buf.starts_with(b"\xEF\xBB\xBF") {
        stream.buf.drain(..3);
    }
    if stream.buf.iter().all(u8::is_ascii_whitespace) && stream.eof {
        return outcome;
    }
    if found && let Some(reason) = not_kubernetes_data(&stream.buf) {
        outcome.skipped = Some(reason);
        return outcome;
    }
    let format = sniff(&stream.buf);
    outcome.format = Some(format);
    let mut sink = Sink { index, format, emit };
    match format {
        Format::JsonLines => split_lines(stream, &mut outcome, &mut sink),
        Format::JsonStream => split_documents(&mut JsonCuts::default(), stream, &mut outcome, &mut sink),
        Format::Yaml => split_documents(&mut YamlCuts::default(), stream, &mut outcome, &mut sink),
    }
    outcome
}

/// Why a file found in a directory or archive is plainly not Kubernetes data, if it is:
/// binary, text that is neither JSON nor YAML (container logs, READMEs), or JSON or YAML
/// whose head names none of the fields Kubernetes data has. Broken JSON or YAML that looks
/// like Kubernetes data is read, and its problems reported.
fn not_kubernetes_data(head: &[u8]) -> Option<&'static str> {
    let head = &head[..head.len().min(64 << 10)];
    // NUL bytes are binary (UTF-16 text has been transcoded by now). Text that is not
    // UTF-8 is read, and its lines reported: a stray byte in a log is a broken record.
    if head.contains(&0) {
        return Some("binary");
    }
    if std::str::from_utf8(head).is_err_and(|e| e.error_len().is_some()) {
        return None;
    }
    let text = String::from_utf8_lossy(head);
    let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('%'));
    let first = first?;
    let json = first.starts_with('{') || first.starts_with('[');
    if !json && !first.starts_with("---") && !first.starts_with("- ") && !yaml_key(first) {
        return Some("not JSON or YAML");
    }
    const FIELDS: [&str; 10] = [
        "kind",
        "apiVersion",
        "auditID",
        "protoPayload",
        "involvedObject",
        "regarding",
        "items",
        "records",
        "properties",
        "events",
    ];
    let named = |field: &str| {
        if json { text.contains(&format!("\"{field}\"")) } else { text.contains(&format!("{field}:")) }
    };
    (!FIELDS.iter().any(|f| named(f))).then_some("not Kubernetes data")
}

/// `key:` or `key: value` with a key of one word, as YAML documents open.
fn yaml_key(line: &str) -> bool {
    let Some((key, rest)) = line.split_once(':') else { return false };
    let key = key.trim_matches(|c| c == '"' || c == '\'');
    !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && (rest.is_empty() || rest.starts_with(' '))
}

/// A file's bytes after decompression, as they are read.
struct Stream<'r> {
    reader: Box<dyn Read + 'r>,
    /// Read and not yet handed out.
    buf: Vec<u8>,
    /// The input has ended.
    eof: bool,
}

impl Stream<'_> {
    /// Reads until the buffer holds `want` bytes or the input ends.
    fn fill(&mut self, want: usize, outcome: &mut ReadOutcome) {
        self.eof = fill(&mut self.reader, &mut self.buf, want, outcome);
    }

    /// Drops the line the buffer starts with, reading on to its end a piece at a time.
    /// Returns its length.
    fn skip_line(&mut self, outcome: &mut ReadOutcome) -> u64 {
        let mut skipped = 0;
        loop {
            if let Some(newline) = memchr::memchr(b'\n', &self.buf) {
                self.buf.drain(..=newline);
                return skipped + newline as u64 + 1;
            }
            skipped += self.buf.len() as u64;
            self.buf.clear();
            if self.eof {
                return skipped;
            }
            self.fill(PIECE_SIZE, outcome);
        }
    }

    /// Hands out the first `cut` bytes; the rest starts a new buffer with a piece's room.
    fn take(&mut self, cut: usize) -> Vec<u8> {
        let mut rest = piece_buffer(PIECE_CAPACITY.max(self.buf.len() - cut));
        rest.extend_from_slice(&self.buf[cut..]);
        self.buf.truncate(cut);
        std::mem::replace(&mut self.buf, rest)
    }
}

/// Where the pieces of one file go.
struct Sink<'e> {
    index: usize,
    format: Format,
    emit: &'e mut dyn FnMut(Piece),
}

impl Sink<'_> {
    fn piece(&mut self, first_line: u64, data: Vec<u8>, outcome: &mut ReadOutcome) {
        outcome.pieces += 1;
        (self.emit)(Piece { file: self.index, first_line, format: self.format, data });
    }
}

/// JSON and YAML documents: a piece ends where a document (or an element of a List's
/// `items`) does, once a piece's worth has been read.
fn split_documents(cuts: &mut dyn Cutter, mut stream: Stream, outcome: &mut ReadOutcome, sink: &mut Sink) {
    let (mut line, mut in_items) = (1, false);
    loop {
        cuts.scan(&stream.buf);
        let cut = if stream.eof { None } else { cuts.take() };
        let Some((at, inside)) = cut else {
            if stream.eof {
                break;
            }
            // No place to cut yet: read on.
            stream.fill(stream.buf.len() + PIECE_SIZE, outcome);
            continue;
        };
        let taken = stream.take(at);
        let (data, added) = cuts.piece(&taken, in_items, inside);
        sink.piece(line - added, data, outcome);
        line += memchr::memchr_iter(b'\n', &taken).count() as u64;
        in_items = inside;
        stream.fill(PIECE_SIZE, outcome);
    }
    let buf = &stream.buf;
    outcome.lines = line - 1 + count_lines(buf);
    if !buf.iter().all(u8::is_ascii_whitespace) || outcome.pieces == 0 {
        let (data, added) = cuts.piece(buf, in_items, false);
        sink.piece(line - added, data, outcome);
    }
}

/// JSON Lines: a piece ends at the last newline of a piece's worth.
fn split_lines(mut stream: Stream, outcome: &mut ReadOutcome, sink: &mut Sink) {
    let mut line = 1;
    loop {
        let cut = if stream.eof {
            stream.buf.len()
        } else if let Some(last_newline) = memchr::memrchr(b'\n', &stream.buf) {
            last_newline + 1
        } else if starts_json(&stream.buf) {
            // A line longer than a piece: read on until it ends.
            stream.fill(stream.buf.len() + PIECE_SIZE, outcome);
            continue;
        } else {
            // A piece's worth of a line that cannot be a record: not worth holding.
            let skipped = stream.skip_line(outcome);
            let reason = format!("a line of {skipped} bytes that is not JSON: skipped");
            outcome.skipped_lines.push(Problem { line, reason });
            outcome.lines += 1;
            line += 1;
            continue;
        };
        let mut buf = stream.take(cut);
        if stream.eof && outcome.truncated.is_some() && !buf.ends_with(b"\n") {
            // A truncated stream ends in a partial line: the truncation report covers it.
            buf.truncate(memchr::memrchr(b'\n', &buf).map_or(0, |p| p + 1));
        }
        let lines = count_lines(&buf);
        if !buf.is_empty() {
            outcome.lines += lines;
            sink.piece(line, buf, outcome);
        }
        line += lines;
        if stream.eof {
            break;
        }
        stream.fill(PIECE_SIZE, outcome);
    }
}

/// Whether a line starts as a JSON object or array would (white space aside).
fn starts_json(line: &[u8]) -> bool {
    matches!(line.iter().find(|b| !b.is_ascii_whitespace()), None | Some(b'{' | b'['))
}

/// Lines in a piece, counting a last line without its newline.
fn count_lines(data: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', data).count() as u64;
    newlines + u64::from(!data.is_empty() && !data.ends_with(b"\n"))
}

/// Reads until `buf` holds `want` bytes or the input ends. Returns whether it ended.
/// The reader (gunzip, mostly) writes straight into `buf`: no bytes are copied after.
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, want: usize, outcome: &mut ReadOutcome) -> bool {
    let mut filled = buf.len();
    buf.resize(want.max(filled), 0);
    let ended = loop {
        if filled == buf.len() {
            break false;
        }
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break true,
            Ok(n) => {
                filled += n;
                outcome.bytes += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                let what = if outcome.gzip { "truncated or corrupt gzip stream" } else { "read error" };
                // (An xz stream reports its own corruption in `e`.)
                outcome.truncated = Some(format!("{what} after {} decompressed bytes: {e}", outcome.bytes));
                break true;
            }
        }
    };
    buf.truncate(filled);
    ended
}

/// Tells the layout from the content: JSON when it opens with `{` or `[`, as lines when
/// the first line is a whole JSON document; YAML otherwise.
fn sniff(head: &[u8]) -> Format {
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else { return Format::Yaml };
    if !matches!(head[start], b'{' | b'[') {
        return Format::Yaml;
    }
    let first_line = match memchr::memchr(b'\n', &head[start..]) {
        Some(end) => &head[start..start + end],
        None => &head[start..],
    };
    if serde_json::from_slice::<serde::de::IgnoredAny>(first_line).is_ok() {
        Format::JsonLines
    } else {
        Format::JsonStream
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_plainly_not_kubernetes_data() {
        let cases: [(&[u8], Option<&str>); 9] = [
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some("binary")),
            (b"2024-05-14T10:00:01Z I0514 reconcile ok\n", Some("not JSON or YAML")),
            (b"# must-gather\n\nCollected by the tool: see below\n", Some("not JSON or YAML")),
            (b"PriorityLevelName, ActiveQueues\nworkload-high, 0\n", Some("not JSON or YAML")),
            (b"{\"header\":{\"cluster_id\":1},\"members\":[]}\n", Some("not Kubernetes data")),
            (b"# a comment\napiVersion: v1\nkind: List\nitems: []\n", None),
            (b"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\"}\n", None),
            (b"{\"kind\":\"Event\"}\n\xff{\"kind\"", None),
            (b"- kind: Pod\n  apiVersion: v1\n", None),
        ];
        for (head, reason) in cases {
            assert_eq!(not_kubernetes_data(head), reason, "{}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn sniffs_layouts() {
        assert_eq!(sniff(b"{\"a\":1}\n{\"a\":2}\n"), Format::JsonLines);
        assert_eq!(sniff(b"{\"kind\": 0}"), Format::JsonLines);
        assert_eq!(sniff(b"{\n  \"a\": 1\n}\n"), Format::JsonStream);
        assert_eq!(sniff(b"  [\n{}]"), Format::JsonStream);
        assert_eq!(sniff(b"# comment\napiVersion: v1\n"), Format::Yaml);
        assert_eq!(sniff(b"apiVersion: v1\n"), Format::Yaml);
    }
}
