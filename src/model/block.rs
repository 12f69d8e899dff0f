//! Body blocks: how object bodies are packed and compressed by the decoder threads and
//! read back by the store. One format, both directions, in one place.

use std::cell::RefCell;

use flate2::{Compress, Compression, FlushCompress, Status};

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

thread_local! {
    /// One compressor a thread, reset for each block: a new one allocates and zeroes its
    /// window and tables (hundreds of KB) every time.
    static COMPRESSOR: RefCell<Compress> = RefCell::new(Compress::new(Compression::fast(), true));
}

impl BodyBlocks {
    pub fn push(&mut self, body: &[u8]) -> BodyRef {
        if !self.current.is_empty() && self.current.len() + body.len() > BLOCK_TARGET {
            self.seal();
        }
        if self.current.capacity() == 0 {
            self.current.reserve(BLOCK_TARGET);
        }
        let body_ref = BodyRef { block: self.sealed.len(), offset: self.current.len(), len: body.len() };
        self.current.extend_from_slice(body);
        body_ref
    }

    fn seal(&mut self) {
        let input = &self.current;
        let mut block = Vec::with_capacity(input.len() / 4 + 64);
        COMPRESSOR.with_borrow_mut(|compressor| {
            compressor.reset();
            loop {
                let read = compressor.total_in() as usize;
                block.reserve(input.len().saturating_sub(read) / 4 + 64);
                // Compressing into a Vec with room to spare cannot fail.
                match compressor.compress_vec(&input[read..], &mut block, FlushCompress::Finish) {
                    Ok(Status::StreamEnd) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        });
        self.sealed.push(block);
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
