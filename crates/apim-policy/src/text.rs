//! Byte offsets inside, line/column at the edge.
//!
//! The core speaks byte offsets. [`LineIndex`] turns them into what people and editors count:
//! 1-based lines and 1-based columns in Unicode scalar values (the CLI and the JSON output), and
//! UTF-16 code-unit offsets (what the browser editor counts). Out-of-range or mid-character
//! offsets are clamped, never a panic.

/// Bytes read from a file, as text: invalid UTF-8 sequences become U+FFFD so that the rest is
/// still checked, and `invalid_at` is the byte offset of the first one (the same offset in
/// `text`, since everything before it is unchanged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub invalid_at: Option<usize>,
}

pub fn decode(bytes: &[u8]) -> Decoded {
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded {
            text: text.to_string(),
            invalid_at: None,
        },
        Err(e) => Decoded {
            text: String::from_utf8_lossy(bytes).into_owned(),
            invalid_at: Some(e.valid_up_to()),
        },
    }
}

/// [`decode`] of bytes the caller no longer needs: valid UTF-8 (nearly every file) becomes the
/// text without a copy.
pub fn decode_owned(bytes: Vec<u8>) -> Decoded {
    match String::from_utf8(bytes) {
        Ok(text) => Decoded {
            text,
            invalid_at: None,
        },
        Err(e) => {
            let invalid_at = Some(e.utf8_error().valid_up_to());
            Decoded {
                text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                invalid_at,
            }
        }
    }
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of every line; always starts with 0.
    line_starts: Vec<usize>,
    /// The UTF-16 offset of each line start, computed on the first [`LineIndex::utf16_offset`]
    /// (the editor's positions: without it each conversion counted from the text's start, so a
    /// document with many problems cost a whole-text pass per problem).
    utf16_starts: std::cell::OnceCell<Vec<usize>>,
}

/// How many UTF-16 code units `s` is: one per character, two for those beyond U+FFFF (the
/// 4-byte ones in UTF-8). Counted on bytes, which the compiler does several at a time.
fn utf16_len(s: &str) -> usize {
    s.as_bytes()
        .iter()
        .map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        // memchr finds line breaks a word or a vector at a time (a byte loop cost 20
        // instructions per input byte, a twentieth of a whole lint).
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            text,
            line_starts,
            utf16_starts: std::cell::OnceCell::new(),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The largest char boundary `<= offset` within the text.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while o > 0 && !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// 0-based index of the line containing `offset`.
    fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    pub fn line_start(&self, line0: usize) -> usize {
        self.line_starts
            .get(line0)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The 1-based line/column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.clamp(offset);
        let line0 = self.line_of(offset);
        let start = self.line_start(line0);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        LineCol {
            line: line0 + 1,
            column,
        }
    }

    /// The byte offset of a 1-based line/column (clamped to the line's end).
    pub fn offset(&self, pos: LineCol) -> usize {
        let line0 = pos.line.saturating_sub(1);
        if line0 >= self.line_starts.len() {
            return self.text.len();
        }
        let start = self.line_start(line0);
        let end = self.line_start(line0 + 1);
        let line = self.text.get(start..end).unwrap_or("");
        let mut off = start;
        for (i, (b, c)) in line.char_indices().enumerate() {
            if i + 1 == pos.column {
                return start + b;
            }
            if c == '\n' {
                return start + b;
            }
            off = start + b + c.len_utf8();
        }
        off
    }

    /// The text of the 1-based line, without its line terminator.
    pub fn line_text(&self, line: usize) -> &'a str {
        let line0 = line.saturating_sub(1);
        let start = self.line_start(line0);
        let end = self.line_start(line0 + 1);
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// Byte offset → UTF-16 code-unit offset (what JavaScript strings and CodeMirror count).
    pub fn utf16_offset(&self, offset: usize) -> usize {
        let offset = self.clamp(offset);
        let starts = self.utf16_starts.get_or_init(|| {
            let mut units = 0;
            let mut prev = 0;
            self.line_starts
                .iter()
                .map(|&start| {
                    units += self.text.get(prev..start).map_or(0, utf16_len);
                    prev = start;
                    units
                })
                .collect()
        });
        let line0 = self.line_of(offset);
        let start = self.line_start(line0);
        starts.get(line0).copied().unwrap_or(0) + self.text.get(start..offset).map_or(0, utf16_len)
    }

    /// UTF-16 code-unit offset → byte offset (clamped; a position inside a surrogate pair maps
    /// to the start of its character).
    pub fn byte_offset_from_utf16(&self, utf16: usize) -> usize {
        let mut units = 0;
        for (b, c) in self.text.char_indices() {
            let next = units + c.len_utf16();
            if next > utf16 {
                return b;
            }
            units = next;
        }
        self.text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_offsets_agree_with_encode_utf16_at_every_boundary() {
        let text = "a\né\r\n🔑x\n\n漢字 😀 é\nlast é🔑";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            let clamped = index.clamp(offset);
            assert_eq!(
                index.utf16_offset(offset),
                text[..clamped].encode_utf16().count(),
                "at {offset}"
            );
        }
        assert_eq!(LineIndex::new("").utf16_offset(5), 0);
        for (i, c) in text.char_indices() {
            assert_eq!(
                utf16_len(&text[i..i + c.len_utf8()]),
                c.len_utf16(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn line_and_column_are_one_based_and_count_chars() {
        let idx = LineIndex::new("ab\nçd€x\n");
        assert_eq!(idx.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(3), LineCol { line: 2, column: 1 });
        // "çd€" is 2 + 1 + 3 bytes; 'x' is the 4th character of line 2.
        assert_eq!(idx.line_col(9), LineCol { line: 2, column: 4 });
        assert_eq!(idx.line_col(11), LineCol { line: 3, column: 1 });
    }

    #[test]
    fn offsets_inside_a_character_or_past_the_end_are_clamped() {
        let idx = LineIndex::new("é");
        assert_eq!(idx.line_col(1), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(99), LineCol { line: 1, column: 2 });
    }

    #[test]
    fn offset_is_the_inverse_of_line_col() {
        let text = "<a>\n  <b é=\"1\"/>\n</a>";
        let idx = LineIndex::new(text);
        for (o, _) in text.char_indices() {
            assert_eq!(idx.offset(idx.line_col(o)), o, "offset {o}");
        }
    }

    #[test]
    fn utf16_round_trip_with_astral_characters() {
        let text = "a😀b€";
        let idx = LineIndex::new(text);
        assert_eq!(idx.utf16_offset(1), 1);
        assert_eq!(idx.utf16_offset(5), 3); // after the surrogate pair
        assert_eq!(idx.utf16_offset(6), 4);
        assert_eq!(idx.byte_offset_from_utf16(3), 5);
        assert_eq!(idx.byte_offset_from_utf16(2), 1); // inside the pair -> its start
        assert_eq!(idx.byte_offset_from_utf16(99), text.len());
    }

    #[test]
    fn invalid_utf8_is_replaced_and_located() {
        let d = decode(b"<a>\xff\xfe</a>");
        assert_eq!(d.invalid_at, Some(3));
        assert_eq!(d.text, "<a>\u{fffd}\u{fffd}</a>");
        assert_eq!(
            decode("é".as_bytes()),
            Decoded {
                text: "é".into(),
                invalid_at: None
            }
        );
        for bytes in [&b"<a>\xff\xfe</a>"[..], "é\n".as_bytes()] {
            assert_eq!(decode_owned(bytes.to_vec()), decode(bytes));
        }
    }

    #[test]
    fn line_text_strips_crlf() {
        let idx = LineIndex::new("one\r\ntwo");
        assert_eq!(idx.line_text(1), "one");
        assert_eq!(idx.line_text(2), "two");
        assert_eq!(idx.line_text(3), "");
    }
}
