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

/// Appends `bytes` as lowercase hexadecimal digits, two a byte.
pub fn push_hex(text: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 15)]));
    }
}

/// A word as a POSIX shell reads it back: as it is when it is plain, else single-quoted.
pub fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "._/=-:,@%+".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
