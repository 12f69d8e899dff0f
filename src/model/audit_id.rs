//! AuditIDs as stored: 16 bytes for a UUID (what the apiserver generates), else the text.

/// The key an auditID is stored under.
pub fn audit_id_key(audit_id: &str) -> Vec<u8> {
    uuid_bytes(audit_id).map_or_else(|| audit_id.as_bytes().to_vec(), |bytes| bytes.to_vec())
}

/// The 16 bytes of a UUID in its canonical 8-4-4-4-12 form.
fn uuid_bytes(text: &str) -> Option<[u8; 16]> {
    let text = text.as_bytes();
    if text.len() != 36 || [8, 13, 18, 23].iter().any(|&i| text[i] != b'-') {
        return None;
    }
    let mut digits = text.iter().filter(|&&b| b != b'-').map(|&b| (b as char).to_digit(16).map(|d| d as u8));
    let mut bytes = [0u8; 16];
    for byte in &mut bytes {
        *byte = digits.next()?? << 4 | digits.next()??;
    }
    Some(bytes)
}

/// Separates a reused auditID from what tells its requests apart (never in UTF-8 text).
pub const REUSED: u8 = 0xFF;

/// The text of a stored auditID key (a reused one reads as the ID it reuses).
pub fn audit_id_text(key: &[u8]) -> String {
    // A UUID's own bytes may be 0xFF: it is 16 bytes, then the reuse suffix if any.
    let key = match key.len() {
        16 => key,
        25 if key[16] == REUSED => &key[..16],
        _ => key.iter().position(|&b| b == REUSED).map_or(key, |at| &key[..at]),
    };
    if key.len() != 16 {
        return String::from_utf8_lossy(key).into_owned();
    }
    // Into one string, a group at a time: this runs once a listed or exported request.
    let mut text = String::with_capacity(36);
    for (from, to) in [(0, 4), (4, 6), (6, 8), (8, 10), (10, 16)] {
        if from > 0 {
            text.push('-');
        }
        super::push_hex(&mut text, &key[from..to]);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_ids_round_trip() {
        let id = "033d17af-082d-4b24-aa22-627752e83d71";
        assert_eq!(audit_id_key(id).len(), 16);
        assert_eq!(audit_id_text(&audit_id_key(id)), id);
        assert_eq!(audit_id_text(&audit_id_key("req-1")), "req-1");
        // Not the canonical form: kept as text.
        let odd = "033d17af0-82d-4b24-aa22-627752e83d71";
        assert_eq!(audit_id_key(odd), odd.as_bytes());
        assert_eq!(audit_id_key("033d17af-082d-4b24-aa22-627752e83d7z"), b"033d17af-082d-4b24-aa22-627752e83d7z");
        // A UUID with 0xFF among its bytes, alone and reused.
        let ff = "ffffffff-0000-4000-8000-0000000000ff";
        assert_eq!(audit_id_text(&audit_id_key(ff)), ff);
        let mut reused = audit_id_key(ff);
        reused.push(REUSED);
        reused.extend_from_slice(&7i64.to_be_bytes());
        assert_eq!(audit_id_text(&reused), ff);
    }
}
