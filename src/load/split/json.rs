//! The splitter's JSON side: strings (which a chunk may end inside), nesting, and where the
//! records of an array, a dict or a run of whole values begin and end.

use memchr::memchr2;

use super::{Container, Layout, Line, Member, Probe, RecordSpan, SplitProblem, Splitter, Within};

impl Splitter {
    /// The states are tested with `matches!` in this loop: the derived `==` widens the state
    /// before comparing it, an instruction more per byte (2.5% of the splitter, callgrind).
    pub(super) fn feed_json(
        &mut self,
        chunk: &[u8],
        mut i: usize,
        out: &mut Vec<RecordSpan>,
    ) -> usize {
        let base = self.pos;
        if let Within::StringEscape | Within::KeyEscape = self.within {
            // The last chunk ended on an escaping backslash: this one starts with the byte it
            // escapes. (Only a chunk's end leaves these states, so the loop never meets them.)
            self.within = if self.within == Within::KeyEscape {
                self.key.push(chunk[i]);
                Within::Key
            } else {
                Within::String
            };
            i += 1;
        }
        while i < chunk.len() {
            if !matches!(self.within, Within::Structure) {
                let in_key = matches!(self.within, Within::Key);
                // Find the closing quote; a quote preceded by an odd run of backslashes is
                // escaped. Escapes are frequent in turn texts (`\n`), so they are not stops.
                match memchr2(b'"', b'\n', &chunk[i..]) {
                    None => {
                        if in_key {
                            self.key.extend_from_slice(&chunk[i..]);
                        }
                        if backslash_run(chunk, i, chunk.len()) % 2 == 1 {
                            self.within = if in_key {
                                Within::KeyEscape
                            } else {
                                Within::StringEscape
                            };
                        }
                        return chunk.len();
                    }
                    Some(j) => {
                        let stop = i + j;
                        if in_key {
                            self.key.extend_from_slice(&chunk[i..stop]);
                        }
                        let b = chunk[stop];
                        let from = i;
                        i = stop + 1;
                        if b == b'\n' {
                            self.line += 1;
                            self.line_begin = base + i as u64;
                        } else if backslash_run(chunk, from, stop) % 2 == 1 {
                            if in_key {
                                self.key.push(b'"');
                            }
                        } else {
                            self.within = Within::Structure;
                            self.last_token_end = base + i as u64;
                            if in_key {
                                self.end_key();
                            }
                        }
                    }
                }
                continue;
            }
            let b = chunk[i];
            let at = base + i as u64;
            i += 1;
            match b {
                b'\n' => {
                    self.line += 1;
                    self.line_begin = at + 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' => continue,
                _ => {}
            }
            if self.layout == Layout::Unknown {
                self.layout = match b {
                    b'[' => Layout::Array,
                    _ => Layout::Values,
                };
                if b == b'{' {
                    self.member = Member::AwaitKey;
                } else if b == b'[' {
                    // Its first element tells a list of records from one trajectory.
                    self.probe = Probe::Armed;
                    self.array_open = Some((at, self.line, self.column_of(at)));
                }
            }
            if !matches!(self.container, Container::Open) {
                if matches!(self.container, Container::Closed) {
                    self.container = Container::Reported;
                    self.problems.push(SplitProblem {
                        line: self.line,
                        message: format!(
                            "unexpected content after the end of {} (ignored)",
                            self.layout.describe()
                        ),
                    });
                }
                // Skip the rest: the container is over.
                return chunk.len();
            }
            match b {
                b'"' => {
                    // A key of the top-level object, or of an array's first element.
                    if (matches!(self.member, Member::AwaitKey) && self.depth == 1)
                        || (matches!(self.probe, Probe::Key) && self.depth == 2)
                    {
                        self.within = Within::Key;
                        self.key.clear();
                    } else {
                        self.within = Within::String;
                        if self.depth == self.record_depth() && self.open.is_none() {
                            self.open_record(at);
                        }
                    }
                }
                b'{' | b'[' => {
                    if matches!(self.member, Member::AwaitValue) && self.depth == 1 {
                        self.decide_dict(b == b'{');
                    }
                    if self.depth == self.record_depth() && self.open.is_none() {
                        let armed = matches!(self.probe, Probe::Armed);
                        self.open_record(at);
                        if armed && b == b'{' {
                            self.probe = Probe::Key;
                        }
                    }
                    self.depth += 1;
                }
                b'}' | b']' => {
                    if self.depth == 0 {
                        self.problems.push(SplitProblem {
                            line: self.line,
                            message: format!("unbalanced '{}'", b as char),
                        });
                        continue;
                    }
                    self.depth -= 1;
                    let scalar_end = self.last_token_end.min(at);
                    self.last_token_end = at + 1;
                    if self.depth == 0 {
                        self.member = Member::Elsewhere;
                    }
                    let record_depth = self.record_depth();
                    if self.depth == record_depth {
                        if record_depth == 0 {
                            let line_of_start = self.open.map(|(_, l, _)| l);
                            self.close_record(at + 1, out);
                            // A one-line first object followed by more lines: JSON Lines.
                            if line_of_start == Some(self.line) {
                                self.switch_to_lines(at + 1);
                                return i;
                            }
                        } else if matches!(self.probe, Probe::Off) || !self.decide_whole() {
                            self.close_record(at + 1, out);
                        }
                    } else if self.depth + 1 == record_depth {
                        // The container closed; a scalar element may be open.
                        if self.open.is_some() {
                            self.close_record(scalar_end, out);
                        }
                        self.container = Container::Closed;
                    }
                }
                b',' => {
                    if self.depth == 1 && self.record_depth() == 1 {
                        if self.open.is_some() {
                            let end = self.last_token_end;
                            self.close_record(end, out);
                        }
                        if self.layout == Layout::Dict {
                            self.member = Member::AwaitKey;
                        }
                    } else if self.depth == 2 && matches!(self.probe, Probe::Value) {
                        self.probe = Probe::Key;
                    }
                }
                b':' => {
                    if matches!(self.member, Member::AwaitColon) && self.depth == 1 {
                        self.member = Member::AwaitValue;
                    } else if self.layout == Layout::Dict && self.depth == 1 {
                        // The value of a dict's member (a record), not a key.
                        self.member = Member::Elsewhere;
                    }
                }
                _ => {
                    // A scalar (number, literal, or junk).
                    if matches!(self.member, Member::AwaitValue) && self.depth == 1 {
                        self.decide_dict(false);
                    }
                    let record_depth = self.record_depth();
                    if self.depth == record_depth && self.open.is_none() {
                        self.open_record(at);
                    }
                    self.last_token_end = at + 1;
                    if record_depth == 0 && self.depth == 0 {
                        // A bare top-level scalar ends at whitespace; keep it open until then.
                        while i < chunk.len() && !chunk[i].is_ascii_whitespace() {
                            i += 1;
                        }
                        if i < chunk.len() {
                            self.close_record(base + i as u64, out);
                        }
                    }
                }
            }
        }
        i
    }

    /// Where records live: depth 0 for whole values, depth 1 inside the container.
    fn record_depth(&self) -> u32 {
        match self.layout {
            Layout::Array | Layout::Dict => 1,
            _ => 0,
        }
    }

    fn open_record(&mut self, at: u64) {
        if matches!(self.probe, Probe::Armed) {
            // The first element is not an object: a list of records.
            self.probe = Probe::Off;
        }
        self.open = Some((at, self.line, self.column_of(at)));
    }

    fn column_of(&self, at: u64) -> u32 {
        (at - self.line_begin + 1).min(u32::MAX as u64) as u32
    }

    pub(super) fn close_record(&mut self, end: u64, out: &mut Vec<RecordSpan>) {
        if let Some((start, line, column)) = self.open.take() {
            out.push(RecordSpan {
                start,
                end,
                line,
                column,
                key: self.pending_key.take(),
            });
        }
    }

    fn switch_to_lines(&mut self, end_of_record: u64) {
        self.layout = Layout::Lines;
        // The rest of the current line belongs to the record just emitted.
        self.line_start = end_of_record;
        self.current_line = Line::Blank;
        self.pending_key = None;
    }
}

/// The number of backslashes just before `end`, counting no further back than `from`.
#[inline]
fn backslash_run(bytes: &[u8], from: usize, end: usize) -> usize {
    bytes[from..end]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count()
}
