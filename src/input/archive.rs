//! Tar archives, plain or compressed, read as streams: must-gathers and conformance results
//! ship as `.tar.gz`/`.tar.xz`. Nothing is extracted to disk: each member becomes an input
//! of its own, named `archive.tar.xz!path/in/archive`, fingerprinted by its content so that
//! an archive and its extracted folder are the same files.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use xxhash_rust::xxh3::Xxh3;

use super::Piece;
use super::source::{Counting, Fingerprint, ReadOutcome, decompressed, read_stream};
use crate::model::time::must_gather_time;

/// A regular file inside an archive.
pub struct Member {
    pub name: String,
    pub size: u64,
    pub fingerprint: Fingerprint,
    /// When its objects were dumped, where a must-gather's `timestamp` file above it says.
    pub dump_time: Option<i64>,
}

fn open<'p>(path: &Path, progress: &'p (dyn Fn(u64) + Sync)) -> io::Result<tar::Archive<Box<dyn Read + 'p>>> {
    let raw = Counting { inner: File::open(path)?, progress };
    Ok(tar::Archive::new(decompressed(Box::new(raw))?.0))
}

/// The archive's regular files, hidden ones left out as a directory walk leaves them.
fn members<R: Read>(
    archive: &mut tar::Archive<R>,
) -> io::Result<impl Iterator<Item = io::Result<(String, tar::Entry<'_, R>)>>> {
    Ok(archive.entries()?.filter_map(|entry| {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => return Some(Err(e)),
        };
        if !entry.header().entry_type().is_file() {
            return None;
        }
        let name = entry.path().ok()?.to_string_lossy().into_owned();
        let hidden = name.split('/').any(|part| part.starts_with('.') && part != "." && part != "..");
        (!hidden).then_some(Ok((name, entry)))
    }))
}

/// Lists the members with their fingerprints, in one pass over the archive.
pub fn list(path: &Path) -> io::Result<Vec<Member>> {
    let mut archive = open(path, &|_| {})?;
    let mut listed = Vec::new();
    let mut stamps: HashMap<String, i64> = HashMap::new();
    for member in members(&mut archive)? {
        let (name, mut entry) = member?;
        let mut hasher = Hashing(Xxh3::new(), Vec::new());
        let size = io::copy(&mut entry, &mut hasher)?;
        if let Some(dir) = name.strip_suffix("timestamp").filter(|d| d.is_empty() || d.ends_with('/'))
            && let Some(time) = must_gather_time(&String::from_utf8_lossy(&hasher.1))
        {
            stamps.insert(dir.to_owned(), time);
        }
        listed.push(Member { name, size, fingerprint: hasher.0.digest128().to_le_bytes(), dump_time: None });
    }
    // The latest `timestamp` above each member, wherever in the archive it came.
    for member in &mut listed {
        let mut dir = member.name.as_str();
        let mut latest = stamps.get("").copied();
        while let Some(at) = dir.rfind('/') {
            dir = &dir[..at];
            latest = latest.max(stamps.get(&format!("{dir}/")).copied());
        }
        member.dump_time = latest;
    }
    Ok(listed)
}

/// Hashes what is written, keeping the first KiB (enough for a `timestamp` file).
struct Hashing(Xxh3, Vec<u8>);

impl Write for Hashing {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        let room = 1024usize.saturating_sub(self.1.len());
        self.1.extend_from_slice(&buf[..room.min(buf.len())]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads the `wanted` members (name → input index) in one pass over the archive, as
/// [`super::read_pieces`] reads a file; `done` hears how each went, also those the archive
/// ended before.
pub fn read(
    path: &Path,
    mut wanted: HashMap<String, usize>,
    progress: &(dyn Fn(u64) + Sync),
    emit: &mut dyn FnMut(Piece),
    done: &mut dyn FnMut(usize, ReadOutcome),
) {
    let failure = (|| -> io::Result<()> {
        let mut archive = open(path, progress)?;
        for member in members(&mut archive)? {
            let (name, entry) = member?;
            if let Some(index) = wanted.remove(&name) {
                done(index, read_stream(Box::new(entry), index, true, emit));
            }
            if wanted.is_empty() {
                break;
            }
        }
        Ok(())
    })()
    .err();
    for (_, index) in wanted {
        let error = match &failure {
            Some(e) => format!("the archive could not be read to this member: {e}"),
            None => "the archive changed: this member is gone".to_owned(),
        };
        done(index, ReadOutcome { error: Some(error), ..ReadOutcome::default() });
    }
}
