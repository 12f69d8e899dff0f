//! How evidence is said in words where spans and reports carry lines for people: the notes
//! of a resourceVersion chain. One wording for the trace's logs and `history`.

use crate::query::chain::Note;

/// A note as a sentence: `created`, `no-op`, `resourceVersion 12 → 14: written by ...`.
pub fn note(note: &Note) -> String {
    match note {
        Note::Created => "created".to_owned(),
        Note::Deleted => "deleted".to_owned(),
        Note::Failed { reason } => reason.clone(),
        Note::Gap { from, to } => format!("resourceVersion {from} → {to}: written by requests these logs do not hold"),
        Note::ChangesUnknown { level } => format!(
            "changes unknown: the log has no response body ({} level)",
            match level {
                3 => "RequestResponse, but not an object",
                2 => "Request",
                _ => "Metadata",
            }
        ),
        Note::ComparedWith { resource_version } => {
            format!("compared with resourceVersion {resource_version}, the last state seen")
        }
        Note::NoOp => "no-op".to_owned(),
        Note::FirstSeen => "first state seen: nothing earlier to compare with".to_owned(),
        Note::DumpOnly => "seen in a dump; no logged write produced it".to_owned(),
        Note::Unreadable { resource_version, reason } => {
            format!(
                "the body stored for resourceVersion {resource_version} cannot be read back ({reason}): changes unknown"
            )
        }
    }
}
