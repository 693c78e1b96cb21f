//! Where a value is in a JSON text: serde_json reports line/column for syntax and shape
//! errors, but the lesson loader also reports problems it finds afterwards (an unknown check
//! kind, a bad path, a file that cannot be read) at the value that caused them. This scanner
//! walks a text that serde_json has already accepted and returns the byte range of the value
//! at a JSON pointer.

/// One step of a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

struct Scan<'a> {
    b: &'a [u8],
    text: &'a str,
}

impl Scan<'_> {
    fn ws(&self, mut i: usize) -> usize {
        while self.b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        i
    }

    /// The end (exclusive) of the string starting at `i` (a `"`).
    fn string_end(&self, mut i: usize) -> Option<usize> {
        i += 1;
        loop {
            match self.b.get(i)? {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                _ => i += 1,
            }
        }
    }

    /// The end (exclusive) of the value starting at `i` (no leading whitespace).
    fn value_end(&self, i: usize, depth: usize) -> Option<usize> {
        if depth > 256 {
            return None;
        }
        match self.b.get(i)? {
            b'"' => self.string_end(i),
            b'{' | b'[' => {
                let close = if self.b.get(i) == Some(&b'{') {
                    b'}'
                } else {
                    b']'
                };
                let mut j = self.ws(i + 1);
                if self.b.get(j) == Some(&close) {
                    return Some(j + 1);
                }
                loop {
                    if close == b'}' {
                        j = self.string_end(j)?;
                        j = self.ws(j);
                        if self.b.get(j) != Some(&b':') {
                            return None;
                        }
                        j = self.ws(j + 1);
                    }
                    j = self.value_end(j, depth + 1)?;
                    j = self.ws(j);
                    match self.b.get(j)? {
                        b',' => j = self.ws(j + 1),
                        c if *c == close => return Some(j + 1),
                        _ => return None,
                    }
                }
            }
            _ => {
                let mut j = i;
                while self
                    .b
                    .get(j)
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    j += 1;
                }
                (j > i).then_some(j)
            }
        }
    }

    fn find(&self, i: usize, ptr: &[Seg]) -> Option<(usize, usize)> {
        let i = self.ws(i);
        let Some((first, rest)) = ptr.split_first() else {
            return Some((i, self.value_end(i, 0)?));
        };
        match (self.b.get(i)?, first) {
            (b'{', Seg::Key(want)) => {
                let mut j = self.ws(i + 1);
                while self.b.get(j) == Some(&b'"') {
                    let key_end = self.string_end(j)?;
                    let key: String = serde_json::from_str(self.text.get(j..key_end)?).ok()?;
                    j = self.ws(key_end);
                    if self.b.get(j) != Some(&b':') {
                        return None;
                    }
                    j = self.ws(j + 1);
                    if key == *want {
                        return self.find(j, rest);
                    }
                    j = self.ws(self.value_end(j, 0)?);
                    if self.b.get(j) == Some(&b',') {
                        j = self.ws(j + 1);
                    }
                }
                None
            }
            (b'[', Seg::Index(want)) => {
                let mut j = self.ws(i + 1);
                let mut k = 0;
                while self.b.get(j).is_some_and(|c| *c != b']') {
                    if k == *want {
                        return self.find(j, rest);
                    }
                    j = self.ws(self.value_end(j, 0)?);
                    if self.b.get(j) == Some(&b',') {
                        j = self.ws(j + 1);
                    }
                    k += 1;
                }
                None
            }
            _ => None,
        }
    }
}

/// The byte range of the value at `ptr` in `text`, or `None` when there is none (or the text
/// is not JSON).
pub fn locate(text: &str, ptr: &[Seg]) -> Option<(usize, usize)> {
    Scan {
        b: text.as_bytes(),
        text,
    }
    .find(0, ptr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values() {
        let t = r#"{ "a": [1, {"b\"x": "s", "c": {"d": [true, null]}}], "e": -2.5e3 }"#;
        let at = |p: &[Seg]| locate(t, p).map(|(s, e)| &t[s..e]);
        assert_eq!(at(&[Seg::Key("e".into())]), Some("-2.5e3"));
        assert_eq!(at(&[Seg::Key("a".into()), Seg::Index(0)]), Some("1"));
        assert_eq!(
            at(&[Seg::Key("a".into()), Seg::Index(1), Seg::Key("b\"x".into())]),
            Some("\"s\"")
        );
        assert_eq!(
            at(&[
                Seg::Key("a".into()),
                Seg::Index(1),
                Seg::Key("c".into()),
                Seg::Key("d".into()),
                Seg::Index(1)
            ]),
            Some("null")
        );
        assert_eq!(at(&[Seg::Key("zz".into())]), None);
        assert_eq!(at(&[Seg::Key("a".into()), Seg::Index(5)]), None);
        assert_eq!(at(&[]), Some(t));
        assert_eq!(locate("{", &[Seg::Key("a".into())]), None);
    }
}
