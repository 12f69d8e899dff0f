//! Body blocks: how object bodies are packed and compressed by the decoder threads and
//! read back by the store. One format, both directions, in one place.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;

use super::BodyRef;

/// The bodies of one batch, packed into zlib blocks. Compressing neighbours together
/// gets close to gzip's ratio on the similar objects a log holds, where compressing each
/// body alone would not; a reader inflates one block (≤ 256 KiB) to read one body.
#[derive(Default)]
pub struct BodyBlocks {
    current: Vec<u8>,
    sealed: Vec<Vec<u8>>,
}

const BLOCK_TARGET: usize = 256 * 1024;

impl BodyBlocks {
    pub fn push(&mut self, body: &[u8]) -> BodyRef {
        if !self.current.is_empty() && self.current.len() + body.len() > BLOCK_TARGET {
            self.seal();
        }
        let body_ref = BodyRef { block: self.sealed.len(), offset: self.current.len(), len: body.len() };
        self.current.extend_from_slice(body);
        body_ref
    }

    fn seal(&mut self) {
        let mut encoder = ZlibEncoder::new(Vec::with_capacity(self.current.len() / 4), Compression::fast());
        // Writing to a Vec cannot fail.
        let _ = encoder.write_all(&self.current);
        self.sealed.push(encoder.finish().unwrap_or_default());
        self.current.clear();
    }

    /// The compressed blocks, indexed by `BodyRef::block`.
    pub fn finish(mut self) -> Vec<Vec<u8>> {
        if !self.current.is_empty() {
            self.seal();
        }
        self.sealed
    }
}

/// Inflates one block written by [`BodyBlocks`].
pub fn inflate_block(data: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::with_capacity(data.len() * 4);
    flate2::read::ZlibDecoder::new(data).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip() {
        let mut blocks = BodyBlocks::default();
        let a = blocks.push(b"{\"a\":1}");
        let b = blocks.push(&vec![b'x'; BLOCK_TARGET]);
        let c = blocks.push(b"{\"c\":3}");
        let sealed = blocks.finish();
        // A body that would overflow the current block starts the next one.
        assert_eq!((a.block, b.block, c.block), (0, 1, 2));
        let first = inflate_block(&sealed[0]).unwrap();
        assert_eq!(&first[a.offset..a.offset + a.len], b"{\"a\":1}");
        let third = inflate_block(&sealed[2]).unwrap();
        assert_eq!(&third[c.offset..c.offset + c.len], b"{\"c\":3}");
    }
}
