//! kelemetry-cli's own Parquet files (`export parquet`) read back as JSON Lines: a
//! `requests` or `events` file gives its `rawJson` column, a `states` file the bodies of the
//! states dumps showed (those audit responses gave come back with their requests). Row N
//! of the file is line N, for problems.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use arrow_array::{Array, RecordBatch, StringArray};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

const MAGIC: &[u8; 4] = b"PAR1";

/// Whether a file opens with Parquet's magic number.
pub fn is_parquet(path: &Path) -> bool {
    let mut head = [0u8; 4];
    File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == MAGIC
}

/// Which of the file's columns make the lines.
enum Lines {
    /// `rawJson`: every row.
    Raw,
    /// `body` where `source` is `dump`.
    DumpedBodies,
}

/// The file's records, one JSON document a line.
pub struct RowsAsLines {
    batches: ParquetRecordBatchReader,
    lines: Lines,
    buf: Vec<u8>,
    at: usize,
}

/// Runs the Parquet decoder where a corrupt file might make it panic: the file is then
/// reported as corrupt, and the ingest goes on with the others.
fn guarded<T>(decode: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode))
        .unwrap_or_else(|_| Err(io::Error::other("a corrupt Parquet file (its decoder gave up)")))
}

/// `None` for a file of neither (objects, owner links: what they say comes with the requests).
pub fn lines(path: &Path) -> io::Result<Option<RowsAsLines>> {
    guarded(|| open_lines(path))
}

fn open_lines(path: &Path) -> io::Result<Option<RowsAsLines>> {
    let file = File::open(path)?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(io::Error::other)?;
    let schema = builder.parquet_schema();
    let names: Vec<&str> = schema.columns().iter().map(|c| c.name()).collect();
    let (lines, wanted): (Lines, &[&str]) = if names.contains(&"rawJson") {
        (Lines::Raw, &["rawJson"])
    } else if names.contains(&"body") && names.contains(&"source") {
        (Lines::DumpedBodies, &["body", "source"])
    } else {
        return Ok(None);
    };
    let mask = ProjectionMask::columns(schema, wanted.iter().copied());
    let batches = builder.with_projection(mask).build().map_err(io::Error::other)?;
    Ok(Some(RowsAsLines { batches, lines, buf: Vec::new(), at: 0 }))
}

fn text_column<'b>(batch: &'b RecordBatch, name: &str) -> io::Result<&'b StringArray> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
        .ok_or_else(|| io::Error::other(format!("column {name} is not text")))
}

impl RowsAsLines {
    /// Puts the next batch's lines in the buffer; false at the end of the file.
    fn refill(&mut self) -> io::Result<bool> {
        let Some(batch) = guarded(|| Ok(self.batches.next()))? else { return Ok(false) };
        let batch = batch.map_err(io::Error::other)?;
        self.buf.clear();
        self.at = 0;
        match self.lines {
            Lines::Raw => {
                let raw = text_column(&batch, "rawJson")?;
                for row in 0..raw.len() {
                    // A null keeps its line number, as an empty line.
                    if raw.is_valid(row) {
                        self.buf.extend_from_slice(raw.value(row).as_bytes());
                    }
                    self.buf.push(b'\n');
                }
            }
            Lines::DumpedBodies => {
                let (body, source) = (text_column(&batch, "body")?, text_column(&batch, "source")?);
                for row in 0..body.len() {
                    if body.is_valid(row) && source.is_valid(row) && source.value(row) == "dump" {
                        self.buf.extend_from_slice(body.value(row).as_bytes());
                    }
                    self.buf.push(b'\n');
                }
            }
        }
        Ok(true)
    }
}

impl Read for RowsAsLines {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.buf.len() {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
