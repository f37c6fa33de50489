//! The fast reader's cursor over a record's JSON: whitespace, strings (borrowed or unescaped),
//! numbers and literals, objects, and values skipped or kept as text, each checked as strictly
//! as serde_json checks it.

use memchr::memchr2;

use crate::load::envelope::Raw;

/// Deeper values are left to serde_json (whose limit is 128).
const MAX_DEPTH: u32 = 100;

/// The largest scratch buffer kept between strings.
const SCRATCH_KEPT: usize = 1 << 20;

pub(super) struct Cursor<'a, 's> {
    text: &'a str,
    bytes: &'a [u8],
    pub(super) at: usize,
    scratch: &'s mut String,
    /// Whether the record holds a control byte at all (else strings need no check for them).
    controls: bool,
}

/// Whether any byte is a control character, which JSON strings may not hold raw. The least
/// byte is a reduction the compiler turns into vector code.
fn has_control(bytes: &[u8]) -> bool {
    bytes.iter().copied().min().is_some_and(|b| b < 0x20)
}

/// Whether `rest` starts with `quoted` (fixed size, so compared as a few words).
fn starts<const N: usize>(rest: &[u8], quoted: &[u8; N]) -> bool {
    rest.get(..N) == Some(quoted.as_slice())
}

impl<'a, 's> Cursor<'a, 's> {
    pub(super) fn new(text: &'a str, scratch: &'s mut String) -> Cursor<'a, 's> {
        Cursor {
            text,
            bytes: text.as_bytes(),
            at: 0,
            scratch,
            // A record without control bytes (a JSON line has no raw line breaks) needs no
            // search for them in each string: one pass over it is cheaper.
            controls: has_control(text.as_bytes()),
        }
    }

    /// Whether the whole text was read.
    pub(super) fn at_end(&self) -> bool {
        self.at == self.bytes.len()
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    pub(super) fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    pub(super) fn eat(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then_some(())
    }

    pub(super) fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    /// A string without escapes or control bytes, borrowed: a key or a role name (others are
    /// left to [`Cursor::string`] or to serde). These are short: a plain loop beats a vector
    /// search here.
    pub(super) fn plain(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        loop {
            match self.next()? {
                b'"' => return Some(&self.text[start..self.at - 1]),
                b'\\' | 0..=0x1f => return None,
                _ => {}
            }
        }
    }

    /// The key at the cursor when it is one of the usual message keys, read by comparing it
    /// whole instead of byte by byte; `None` leaves the cursor where it was.
    #[inline]
    fn known_key(&mut self) -> Option<&'static str> {
        let rest = &self.bytes[self.at..];
        let key = match rest.get(1)? {
            b'f' if starts(rest, b"\"from\"") => "from",
            b'v' if starts(rest, b"\"value\"") => "value",
            b'l' if starts(rest, b"\"loss\"") => "loss",
            b'r' if starts(rest, b"\"role\"") => "role",
            b'c' if starts(rest, b"\"content\"") => "content",
            _ => return None,
        };
        self.at += key.len() + 2;
        Some(key)
    }

    /// The string at the cursor when it is one of the usual role names, read as
    /// [`Cursor::known_key`] reads keys; `None` leaves the cursor where it was.
    #[inline]
    pub(super) fn known_role(&mut self) -> Option<&'static str> {
        let rest = &self.bytes[self.at..];
        let role = match rest.get(1)? {
            b'h' if starts(rest, b"\"human\"") => "human",
            b'g' if starts(rest, b"\"gpt\"") => "gpt",
            b'u' if starts(rest, b"\"user\"") => "user",
            b'a' if starts(rest, b"\"assistant\"") => "assistant",
            b's' if starts(rest, b"\"system\"") => "system",
            b't' if starts(rest, b"\"tool\"") => "tool",
            _ => return None,
        };
        self.at += role.len() + 2;
        Some(role)
    }

    /// A string, unescaped. Allocated once, at its size.
    pub(super) fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let rest = &self.bytes[self.at..];
        let len = memchr2(b'"', b'\\', rest)?;
        if self.controls && has_control(&rest[..len]) {
            return None;
        }
        // `"` and `\` are ASCII, so both ends are character boundaries.
        let first = &self.text[self.at..self.at + len];
        self.at += len + 1;
        if rest[len] == b'"' {
            return Some(first.to_string());
        }
        let mut out = std::mem::take(self.scratch);
        out.clear();
        out.push_str(first);
        let done = self.unescape(&mut out);
        let string = done.map(|()| out.as_str().to_string());
        // Keep the buffer for the next string, unless one huge turn grew it.
        if out.capacity() <= SCRATCH_KEPT {
            *self.scratch = out;
        }
        string
    }

    /// The rest of a string whose first escape's `\` was just read, appended to `out`.
    fn unescape(&mut self, out: &mut String) -> Option<()> {
        loop {
            let c = match self.next()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.unicode()?,
                _ => return None,
            };
            out.push(c);
            // A third of the escapes are followed at once by the next one (as in `\r\n`) or
            // by the end of the string: no search for those.
            match self.next()? {
                b'\\' => continue,
                b'"' => return Some(()),
                _ => self.at -= 1,
            }
            let rest = &self.bytes[self.at..];
            let len = memchr2(b'"', b'\\', rest)?;
            if self.controls && has_control(&rest[..len]) {
                return None;
            }
            out.push_str(&self.text[self.at..self.at + len]);
            self.at += len + 1;
            if rest[len] == b'"' {
                return Some(());
            }
        }
    }

    /// The character of a `\u` escape (its `\u` read), joining a surrogate pair. A lone
    /// surrogate gives up.
    fn unicode(&mut self) -> Option<char> {
        let high = self.hex4()?;
        match high {
            0xD800..=0xDBFF => {
                self.eat(b'\\')?;
                self.eat(b'u')?;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return None;
                }
                char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            }
            0xDC00..=0xDFFF => None,
            _ => char::from_u32(high),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.at..self.at + 4)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + char::from(d).to_digit(16)?;
        }
        self.at += 4;
        Some(n)
    }

    /// Skip a string, checking it as serde_json does when it ignores one.
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            let rest = &self.bytes[self.at..];
            let len = memchr2(b'"', b'\\', rest)?;
            if self.controls && has_control(&rest[..len]) {
                return None;
            }
            self.at += len + 1;
            if rest[len] == b'"' {
                return Some(());
            }
            match self.next()? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => {
                    self.hex4()?;
                }
                _ => return None,
            }
        }
    }

    pub(super) fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    fn digits(&mut self) -> Option<()> {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        (self.at > start).then_some(())
    }

    /// A number, by JSON's grammar (a leading zero stands alone).
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits()?,
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.digits()?;
        }
        Some(())
    }

    /// Skip any value, `depth` being the nesting of the value itself.
    pub(super) fn skip(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            open @ (b'[' | b'{') => {
                if depth > MAX_DEPTH {
                    return None;
                }
                let close = open + 2; // `]` and `}` follow `[` and `{` by two.
                self.at += 1;
                self.ws();
                if self.peek()? == close {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    if open == b'{' {
                        self.skip_string()?;
                        self.ws();
                        self.eat(b':')?;
                        self.ws();
                    }
                    self.skip(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => {}
                        b if b == close => return Some(()),
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }

    /// Whether the next value is `null` (then read).
    pub(super) fn null(&mut self) -> bool {
        self.peek() == Some(b'n') && self.literal(b"null").is_some()
    }

    /// A value kept as its text (`null` as none), as serde's `Option<&RawValue>` reads it.
    pub(super) fn raw(&mut self, depth: u32) -> Option<Option<Raw<'a>>> {
        if self.null() {
            return Some(None);
        }
        let start = self.at;
        self.skip(depth)?;
        Some(Some(Raw::new(&self.text[start..self.at])))
    }

    /// An object whose keys have no escapes: `value` reads the value of each key.
    ///
    /// Inlined into the readers of the envelope and of messages (in `fast/mod.rs`): otherwise
    /// called across codegen units, it cost 2.5% more instructions on a scan (callgrind).
    #[inline]
    pub(super) fn object(
        &mut self,
        mut value: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.ws();
            let key = match self.known_key() {
                Some(key) => key,
                None => self.plain()?,
            };
            self.ws();
            self.eat(b':')?;
            self.ws();
            value(self, key)?;
            self.ws();
            match self.next()? {
                b',' => {}
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }
}
