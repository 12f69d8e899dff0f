//! Typed records: what the input decoders produce and the store consumes.

pub mod audit_id;
pub mod block;
pub mod component;
pub mod http;
pub mod kinds;
pub mod records;
pub mod selector;
pub mod time;

pub use records::*;

/// A word as a POSIX shell reads it back: as it is when it is plain, else single-quoted.
pub fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "._/=-:,@%+".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
