//! AuditIDs as stored: 16 bytes for a UUID (what the apiserver generates), else the text.

/// The key an auditID is stored under.
pub fn audit_id_key(audit_id: &str) -> Vec<u8> {
    let hex: Vec<u8> = audit_id.bytes().filter(|&b| b != b'-').collect();
    let is_uuid = audit_id.len() == 36 && hex.len() == 32 && hex.iter().all(u8::is_ascii_hexdigit);
    if !is_uuid {
        return audit_id.as_bytes().to_vec();
    }
    let nibble = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
    hex.chunks(2).map(|pair| nibble(pair[0]) << 4 | nibble(pair[1])).collect()
}

/// The text of a stored auditID key.
pub fn audit_id_text(key: &[u8]) -> String {
    if key.len() != 16 {
        return String::from_utf8_lossy(key).into_owned();
    }
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
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
    }
}
