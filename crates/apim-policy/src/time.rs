//! Calendar time without a clock: RFC 3339 parsing and formatting for the scenario's `now`,
//! request times, secret expiry and JWT claims. The simulator never reads the system clock.

/// Seconds since 1970-01-01T00:00:00Z (may be negative) plus a fraction in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    pub seconds: i64,
    pub millis: u32,
}

impl Timestamp {
    pub const fn from_seconds(seconds: i64) -> Self {
        Timestamp { seconds, millis: 0 }
    }

    pub fn plus_seconds(self, s: i64) -> Self {
        Timestamp {
            seconds: self.seconds.saturating_add(s),
            millis: self.millis,
        }
    }

    /// Milliseconds since the epoch.
    pub fn as_millis(self) -> i64 {
        self.seconds
            .saturating_mul(1000)
            .saturating_add(i64::from(self.millis))
    }

    /// `2026-01-01T00:00:00Z` (with `.123` when there are milliseconds).
    pub fn to_rfc3339(self) -> String {
        let mut out = String::with_capacity(24);
        self.write_rfc3339(&mut out);
        out
    }

    /// Append [`Timestamp::to_rfc3339`]'s text to `out` (the request's trace step writes it
    /// into its message), without the formatting machinery for the usual years 0 to 9999.
    pub fn write_rfc3339(self, out: &mut String) {
        let (y, mo, d) = civil_from_days(self.seconds.div_euclid(86_400));
        let secs = self.seconds.rem_euclid(86_400);
        let (h, mi, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
        let Ok(year) = u64::try_from(y) else {
            // Before year 0: `{:04}` puts the sign inside the width.
            out.push_str(&if self.millis == 0 {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
            } else {
                format!(
                    "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
                    self.millis
                )
            });
            return;
        };
        push_padded(out, year, 4);
        for (sep, n) in [('-', mo), ('-', d), ('T', h), (':', mi), (':', s)] {
            out.push(sep);
            push_padded(out, n.unsigned_abs(), 2);
        }
        if self.millis != 0 {
            out.push('.');
            push_padded(out, u64::from(self.millis), 3);
        }
        out.push('Z');
    }

    /// `Thu, 01 Jan 2026 00:00:00 GMT` (HTTP dates).
    pub fn to_http_date(self) -> String {
        let days = self.seconds.div_euclid(86_400);
        let (y, mo, d) = civil_from_days(days);
        let secs = self.seconds.rem_euclid(86_400);
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
            .get(days.rem_euclid(7) as usize)
            .copied()
            .unwrap_or("Thu");
        let month = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]
        .get((mo as usize).saturating_sub(1))
        .copied()
        .unwrap_or("Jan");
        format!(
            "{weekday}, {d:02} {month} {y:04} {:02}:{:02}:{:02} GMT",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

/// Parse an RFC 3339 date-time (`2026-01-01T00:00:00Z`, `…T00:00:00.5+02:00`). A space may
/// replace the `T`; the offset is required.
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    let (date, rest) = (s.get(..10)?, s.get(10..)?);
    let days = parse_ymd(date)?;
    let sep = rest.get(..1)?;
    if !matches!(sep, "T" | "t" | " ") {
        return None;
    }
    let time = rest.get(1..)?;
    let h: i64 = two(time.get(0..2)?)?;
    if time.get(2..3)? != ":" {
        return None;
    }
    let mi: i64 = two(time.get(3..5)?)?;
    if time.get(5..6)? != ":" {
        return None;
    }
    let sec: i64 = two(time.get(6..8)?)?;
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = time.get(8..)?;
    let mut millis = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(frac.len());
        if digits == 0 {
            return None;
        }
        let ms: String = frac
            .get(..digits)?
            .chars()
            .chain(std::iter::repeat('0'))
            .take(3)
            .collect();
        millis = ms.parse().ok()?;
        rest = frac.get(digits..)?;
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let oh: i64 = two(rest.get(1..3)?)?;
            if rest.get(3..4)? != ":" || rest.len() != 6 {
                return None;
            }
            let om: i64 = two(rest.get(4..6)?)?;
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(Timestamp {
        seconds: days * 86_400 + h * 3600 + mi * 60 + sec.min(59) - offset,
        millis,
    })
}

/// Parse `YYYY-MM-DD` as midnight UTC.
pub fn parse_date(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    (s.len() == 10).then_some(())?;
    Some(Timestamp::from_seconds(parse_ymd(s)? * 86_400))
}

fn parse_ymd(date: &str) -> Option<i64> {
    let b = date.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let y: i64 = date.get(0..4)?.parse().ok()?;
    let m: i64 = two(date.get(5..7)?)?;
    let d: i64 = two(date.get(8..10)?)?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn two(s: &str) -> Option<i64> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Howard Hinnant's `days_from_civil`.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's `civil_from_days`: (year, month, day).
/// Append `n` in decimal with leading zeros to at least `width` digits (`{n:0width$}`).
pub(crate) fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    let start = i.min(digits.len().saturating_sub(width));
    for &d in digits.get(start..).unwrap_or(&[]) {
        out.push(char::from(d));
    }
}

pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_is_written_as_format_writes_it() {
        for seconds in [
            0,
            1,
            59,
            86_399,
            1_767_225_600,
            1_767_225_600 + 3_600 * 13 + 60 * 7 + 9,
            253_402_300_799,
            253_402_300_800,
            -1,
            -62_135_596_800,
            -62_135_596_801,
            -62_200_000_000,
        ] {
            for millis in [0, 5, 120, 999] {
                let t = Timestamp { seconds, millis };
                let (y, mo, d) = civil_from_days(seconds.div_euclid(86_400));
                let secs = seconds.rem_euclid(86_400);
                let (h, mi, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
                let want = if millis == 0 {
                    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
                } else {
                    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{millis:03}Z")
                };
                assert_eq!(t.to_rfc3339(), want);
                let mut out = String::from("at ");
                t.write_rfc3339(&mut out);
                assert_eq!(out, format!("at {want}"));
            }
        }
    }

    #[test]
    fn padded_numbers_match_format() {
        for n in [0u64, 3, 42, 999, 1_000, 12_345, u64::MAX] {
            for width in [1, 2, 3, 4] {
                let mut s = String::new();
                push_padded(&mut s, n, width);
                assert_eq!(s, format!("{n:0width$}"));
            }
        }
    }

    #[test]
    fn parses_and_formats_rfc3339() {
        let t = parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(t.seconds, 1_767_225_600);
        assert_eq!(t.to_rfc3339(), "2026-01-01T00:00:00Z");
        let t = parse_rfc3339("2026-01-01T02:30:00.25+02:30").unwrap();
        assert_eq!(t.seconds, 1_767_225_600);
        assert_eq!(t.millis, 250);
        assert_eq!(t.to_http_date(), "Thu, 01 Jan 2026 00:00:00 GMT");
        assert_eq!(
            parse_rfc3339("1969-12-31T23:59:59Z").unwrap().to_rfc3339(),
            "1969-12-31T23:59:59Z"
        );
    }

    #[test]
    fn rejects_bad_dates() {
        for bad in [
            "2026-02-30T00:00:00Z",
            "2026-01-01",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00",
            "x",
            "2026-01-01T00:00:00+0200",
            "2026-13-01T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 19_000, 20_454, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
