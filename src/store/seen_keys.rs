//! The keys a bulk load has stored, for the tables it writes without their unique index.

/// The auditIDs and Event versions a bulk load has stored, as a Bloom filter: "no" is
/// certain, so only the few "maybe" answers (repeats and about 1% false positives) need the
/// slow path. The rows of recent requests are remembered too: the stages of one request are
/// logged moments apart, and merge into their row without waiting for the index.
pub struct SeenKeys {
    /// A key's bits all fall in one 512-bit block, a cache line: one miss per key, not one
    /// per bit.
    blocks: Vec<[u64; 8]>,
    /// Row ids of requests stored lately, in the slot their hash picks; a newer request
    /// takes the slot of an older one, which then merges by the slow path.
    recent: Vec<(u128, i64)>,
}

/// What a bulk load knows of an auditID.
pub enum Seen {
    /// Never stored: insert it, then [`SeenKeys::remember`] its row by this hash.
    No(u128),
    /// Stored recently, in this row.
    Recently(i64),
    /// Perhaps stored: only the unique index can tell.
    Maybe,
}

impl SeenKeys {
    /// Slots for recent requests: most of the last 200k or so are still there.
    const RECENT_SLOTS: usize = 1 << 18;

    /// About ten bits per expected key: a false-positive rate near 1%.
    pub fn new(expected: u64) -> SeenKeys {
        let blocks = (expected.max(1 << 16) * 10).div_ceil(512);
        SeenKeys { blocks: vec![[0; 8]; blocks as usize], recent: vec![(0, 0); Self::RECENT_SLOTS] }
    }

    /// Records a key, given in parts, and tells what was known of it before.
    pub fn insert(&mut self, key: &[&[u8]]) -> Seen {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for part in key {
            hasher.update(part);
        }
        let hash = hasher.digest128();
        let (low, high) = (hash as u64, (hash >> 64) as u64);
        // The low half picks the block (by multiplying, which spreads it evenly over any
        // count); six bits of the high half each pick a bit in one of the block's words.
        let index = ((u128::from(low) * self.blocks.len() as u128) >> 64) as usize;
        let block = &mut self.blocks[index];
        let mut seen = true;
        for (i, word) in block.iter_mut().enumerate() {
            let mask = 1u64 << ((high >> (6 * i)) & 63);
            seen &= *word & mask != 0;
            *word |= mask;
        }
        if !seen {
            return Seen::No(hash);
        }
        // The merge checks the auditID itself, so a colliding hash cannot merge wrongly.
        match self.recent[Self::slot(hash)] {
            (stored, id) if stored == hash && id != 0 => Seen::Recently(id),
            _ => Seen::Maybe,
        }
    }

    pub fn remember(&mut self, hash: u128, id: i64) {
        self.recent[Self::slot(hash)] = (hash, id);
    }

    /// The top 18 bits of the hash.
    fn slot(hash: u128) -> usize {
        (hash >> (128 - Self::RECENT_SLOTS.trailing_zeros())) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_keys_never_forget_and_rarely_imagine() {
        let key = |i: u128| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C834).to_le_bytes();
        let mut seen = SeenKeys::new(100_000);
        let maybe = |seen: &mut SeenKeys, i| !matches!(seen.insert(&[&key(i)]), Seen::No(_));
        let imagined_while_filling = (0..100_000).filter(|&i| maybe(&mut seen, i)).count();
        assert!((0..100_000).all(|i| maybe(&mut seen, i)), "every stored key is seen again");
        // Filled to what it was sized for, about 1% of new keys are "maybe".
        let imagined = (100_000..110_000).filter(|&i| maybe(&mut seen, i)).count();
        assert!(
            imagined_while_filling < 1_000 && imagined < 200,
            "{imagined_while_filling} + {imagined} false positives"
        );
    }

    #[test]
    fn recent_requests_are_found_by_their_row() {
        let mut seen = SeenKeys::new(1_000);
        let Seen::No(hash) = seen.insert(&[b"a"]) else { panic!("a new key") };
        seen.remember(hash, 42);
        assert!(matches!(seen.insert(&[b"a"]), Seen::Recently(42)));
        // Seen, but never remembered with a row: only the index can tell.
        let Seen::No(_) = seen.insert(&[b"b"]) else { panic!("a new key") };
        assert!(matches!(seen.insert(&[b"b"]), Seen::Maybe));
    }
}
