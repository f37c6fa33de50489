//! Inspect AI `.eval` archives (zip): only their `samples/*.json` members are read, one at a
//! time as the stream is read, and given out as one Inspect log `{"version": 2, "samples":
//! [<member>, …]}` that `split::inspect` cuts into one record per sample, as it does a `.json`
//! log. The header, journal and summaries are not read.

use std::fs::File;
use std::io::{self, Read};

use zip::ZipArchive;

/// The first bytes of a zip archive (a local file header).
pub const MAGIC: &[u8; 4] = b"PK\x03\x04";

/// What comes before the first member and after the last.
const OPEN: &[u8] = b"{\"version\": 2, \"samples\": [\n";
const CLOSE: &[u8] = b"\n]}\n";

/// The sample members of an archive, read in turn as one log.
pub struct Samples {
    archive: ZipArchive<File>,
    /// Indices of the `samples/*.json` members, in archive order; `next` is the one to read.
    members: Vec<usize>,
    next: usize,
    /// The piece being given out (the opening, a member, the closing), from `pos`.
    piece: Vec<u8>,
    pos: usize,
    closed: bool,
}

fn damaged(e: zip::result::ZipError) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("damaged .eval (zip) archive: {e}"),
    )
}

impl Samples {
    /// Read the archive's directory (not its members). A damaged archive is an error.
    pub fn open(file: File) -> io::Result<Samples> {
        let archive = ZipArchive::new(file).map_err(damaged)?;
        let mut members = Vec::new();
        for index in 0..archive.len() {
            let name = match archive.name_for_index(index) {
                Some(name) => name.map_err(damaged)?,
                None => continue,
            };
            if name.starts_with("samples/") && name.ends_with(".json") {
                members.push(index);
            }
        }
        Ok(Samples {
            archive,
            members,
            next: 0,
            piece: OPEN.to_vec(),
            pos: 0,
            closed: false,
        })
    }

    /// Load the next piece into `piece`; false at the end.
    fn advance(&mut self) -> io::Result<bool> {
        self.piece.clear();
        self.pos = 0;
        match self.members.get(self.next) {
            Some(&index) => {
                if self.next > 0 {
                    self.piece.extend_from_slice(b",\n");
                }
                self.next += 1;
                let mut member = self.archive.by_index(index).map_err(damaged)?;
                member.read_to_end(&mut self.piece).map_err(|e| {
                    io::Error::new(e.kind(), format!("damaged .eval (zip) archive: {e}"))
                })?;
                Ok(true)
            }
            None if !self.closed => {
                self.closed = true;
                self.piece.extend_from_slice(CLOSE);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

impl Read for Samples {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.piece.len() {
            if !self.advance()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.piece.len() - self.pos);
        buf[..n].copy_from_slice(&self.piece[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
