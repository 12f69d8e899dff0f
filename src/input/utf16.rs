//! UTF-16 text (with its byte-order mark) read as UTF-8. Windows PowerShell 5 writes
//! `kubectl get ... > dump.json` as UTF-16LE; the rest of the decoder sees UTF-8.

use std::io::{self, BufRead, BufReader, Read};

/// `reader`, transcoded to UTF-8 when it opens with a UTF-16 byte-order mark (dropped)
/// followed by text Kubernetes data starts with (ASCII: a zero byte in each code unit).
pub fn as_utf8<'a>(mut reader: Box<dyn Read + 'a>) -> io::Result<Box<dyn Read + 'a>> {
    let mut head = Vec::with_capacity(4);
    (&mut reader).take(4).read_to_end(&mut head)?;
    let order = match head[..] {
        [0xFF, 0xFE, _, 0] => Order::Little,
        [0xFE, 0xFF, 0, _] => Order::Big,
        _ => return Ok(Box::new(io::Cursor::new(head).chain(reader))),
    };
    let first_unit = io::Cursor::new(head.split_off(2));
    Ok(Box::new(Utf16 {
        inner: BufReader::new(first_unit.chain(reader)),
        order,
        pending: Vec::new(),
        high: None,
        odd: None,
    }))
}

#[derive(Clone, Copy)]
enum Order {
    Little,
    Big,
}

struct Utf16<R> {
    inner: R,
    order: Order,
    /// UTF-8 decoded but not yet handed out.
    pending: Vec<u8>,
    /// A high surrogate waiting for its low half.
    high: Option<u16>,
    /// The first byte of a code unit split between two reads.
    odd: Option<u8>,
}

impl<R: BufRead> Utf16<R> {
    /// Decodes the next run of code units into `pending`; false at the end of the input.
    fn decode_more(&mut self) -> io::Result<bool> {
        let bytes = self.inner.fill_buf()?;
        if bytes.is_empty() {
            // Half a code unit, or a high surrogate, left at the end.
            let (odd, high) = (self.odd.take(), self.high.take());
            if odd.is_some() || high.is_some() {
                self.pending.extend_from_slice("\u{FFFD}".as_bytes());
            }
            return Ok(!self.pending.is_empty());
        }
        let mut raw = Vec::with_capacity(bytes.len() + 1);
        raw.extend(self.odd.take());
        raw.extend_from_slice(bytes);
        let read = bytes.len();
        self.inner.consume(read);
        if raw.len() % 2 == 1 {
            self.odd = raw.pop();
        }
        let units = raw.chunks_exact(2).map(|pair| match self.order {
            Order::Little => u16::from_le_bytes([pair[0], pair[1]]),
            Order::Big => u16::from_be_bytes([pair[0], pair[1]]),
        });
        let mut units = self.high.take().into_iter().chain(units).collect::<Vec<u16>>();
        // A high surrogate at the end of the run waits for its low half in the next one.
        if units.last().is_some_and(|last| (0xD800..0xDC00).contains(last)) {
            self.high = units.pop();
        }
        let mut utf8 = [0; 4];
        for c in char::decode_utf16(units) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.pending.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        Ok(true)
    }
}

impl<R: BufRead> Read for Utf16<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pending.is_empty() {
            if !self.decode_more()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: Vec<u8>) -> String {
        let mut read = Vec::new();
        as_utf8(Box::new(&bytes[..])).unwrap().read_to_end(&mut read).unwrap();
        String::from_utf8_lossy(&read).into_owned()
    }

    #[test]
    fn utf16_in_either_order_reads_as_utf8() {
        let text = "{\"name\":\"café 🚀\"}\n";
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(read(le), text);
        assert_eq!(read(be), text);
        assert_eq!(read(b"plain".to_vec()), "plain");
        // A stray byte-order mark before UTF-8 text is not UTF-16.
        assert_eq!(read(b"\xFF\xFE{\"a\"".to_vec()), "\u{FFFD}\u{FFFD}{\"a\"");
        // A lone surrogate and an odd trailing byte become U+FFFD.
        assert_eq!(read(vec![0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0, b'c']), "a\u{FFFD}b\u{FFFD}");
        // Code units and surrogate pairs split between reads.
        let bytes: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let mut text_read = String::new();
        as_utf8(Box::new(OneByteAtATime(&bytes))).unwrap().read_to_string(&mut text_read).unwrap();
        assert_eq!(text_read, text);
    }

    struct OneByteAtATime<'a>(&'a [u8]);

    impl Read for OneByteAtATime<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some((&first, rest)) = self.0.split_first() else { return Ok(0) };
            buf[0] = first;
            self.0 = rest;
            Ok(1)
        }
    }
}
