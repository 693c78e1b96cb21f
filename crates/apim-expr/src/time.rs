//! `DateTime` / `TimeSpan` arithmetic and .NET formatting (en-US culture, as the gateway
//! prints). Times are ticks (100 ns) since 0001-01-01 00:00 UTC; every `DateTime` is UTC.

use std::fmt::Write as _;

pub const TICKS_PER_SECOND: i64 = 10_000_000;
pub const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;
pub const UNIX_EPOCH_TICKS: i64 = 621_355_968_000_000_000;
pub const MAX_TICKS: i64 = 3_155_378_975_999_999_999;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Days since 0001-01-01 for a proleptic Gregorian date.
pub fn days_from_ymd(y: i64, m: i64, d: i64) -> i64 {
    // Howard Hinnant's days_from_civil, shifted to 0001-01-01.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 306
}

pub fn ymd_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 306;
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

pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    /// Ticks within the second.
    pub frac: i64,
    /// 0 = Sunday … 6 = Saturday (.NET `DayOfWeek`).
    pub dow: i64,
    pub doy: i64,
}

pub fn parts(ticks: i64) -> Parts {
    let days = ticks.div_euclid(TICKS_PER_DAY);
    let rem = ticks.rem_euclid(TICKS_PER_DAY);
    let (year, month, day) = ymd_from_days(days);
    Parts {
        year,
        month,
        day,
        hour: rem / (3600 * TICKS_PER_SECOND),
        minute: rem / (60 * TICKS_PER_SECOND) % 60,
        second: rem / TICKS_PER_SECOND % 60,
        frac: rem % TICKS_PER_SECOND,
        // 0001-01-01 was a Monday.
        dow: (days + 1).rem_euclid(7),
        doy: days - days_from_ymd(year, 1, 1) + 1,
    }
}

pub fn from_parts(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    if !(1..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || d < 1
        || d > days_in_month(y, mo)
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
        || !(0..60).contains(&s)
    {
        return None;
    }
    Some(days_from_ymd(y, mo, d) * TICKS_PER_DAY + ((h * 60 + mi) * 60 + s) * TICKS_PER_SECOND)
}

/// Add months as .NET does (the day is clamped to the month's length).
pub fn add_months(ticks: i64, months: i64) -> Option<i64> {
    let p = parts(ticks);
    let total = (p.year * 12 + (p.month - 1)).saturating_add(months);
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    if !(1..=9999).contains(&y) {
        return None;
    }
    let d = p.day.min(days_in_month(y, m));
    Some(days_from_ymd(y, m, d) * TICKS_PER_DAY + ticks.rem_euclid(TICKS_PER_DAY))
}

fn expand_standard(f: &str, offset: bool) -> Option<&'static str> {
    Some(match f {
        "d" => "M/d/yyyy",
        "D" => "dddd, MMMM d, yyyy",
        "t" => "h:mm tt",
        "T" => "h:mm:ss tt",
        "f" => "dddd, MMMM d, yyyy h:mm tt",
        "F" => "dddd, MMMM d, yyyy h:mm:ss tt",
        "g" => "M/d/yyyy h:mm tt",
        "G" if offset => "M/d/yyyy h:mm:ss tt zzz",
        "G" => "M/d/yyyy h:mm:ss tt",
        "M" | "m" => "MMMM d",
        "Y" | "y" => "MMMM yyyy",
        "o" | "O" if offset => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz",
        "o" | "O" => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'",
        "s" => "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        "u" => "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        "R" | "r" => "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        _ => return None,
    })
}

/// `DateTime.ToString(format)` (en-US). Unknown single-letter formats fall back to `G`.
pub fn format_datetime(ticks: i64, format: &str, offset: bool) -> String {
    let f = if format.is_empty() { "G" } else { format };
    let pattern = if f.chars().count() == 1 {
        expand_standard(f, offset).unwrap_or(if offset {
            "M/d/yyyy h:mm:ss tt zzz"
        } else {
            "M/d/yyyy h:mm:ss tt"
        })
    } else {
        f
    };
    custom(ticks, pattern, offset)
}

fn custom(ticks: i64, pat: &str, offset: bool) -> String {
    let p = parts(ticks);
    let chars: Vec<char> = pat.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        match c {
            'y' => {
                let _ = match n {
                    1 => write!(out, "{}", p.year % 100),
                    2 => write!(out, "{:02}", p.year % 100),
                    _ => write!(out, "{:0width$}", p.year, width = n),
                };
            }
            'M' => {
                let name = MONTHS.get((p.month - 1) as usize).copied().unwrap_or("");
                match n {
                    1 => {
                        let _ = write!(out, "{}", p.month);
                    }
                    2 => {
                        let _ = write!(out, "{:02}", p.month);
                    }
                    3 => out.push_str(name.get(..3).unwrap_or(name)),
                    _ => out.push_str(name),
                }
            }
            'd' => {
                let name = DAYS.get(((p.dow + 6) % 7) as usize).copied().unwrap_or("");
                match n {
                    1 => {
                        let _ = write!(out, "{}", p.day);
                    }
                    2 => {
                        let _ = write!(out, "{:02}", p.day);
                    }
                    3 => out.push_str(name.get(..3).unwrap_or(name)),
                    _ => out.push_str(name),
                }
            }
            'h' => {
                let h12 = if p.hour % 12 == 0 { 12 } else { p.hour % 12 };
                let _ = if n == 1 {
                    write!(out, "{h12}")
                } else {
                    write!(out, "{h12:02}")
                };
            }
            'H' => {
                let _ = if n == 1 {
                    write!(out, "{}", p.hour)
                } else {
                    write!(out, "{:02}", p.hour)
                };
            }
            'm' => {
                let _ = if n == 1 {
                    write!(out, "{}", p.minute)
                } else {
                    write!(out, "{:02}", p.minute)
                };
            }
            's' => {
                let _ = if n == 1 {
                    write!(out, "{}", p.second)
                } else {
                    write!(out, "{:02}", p.second)
                };
            }
            'f' | 'F' => {
                let digits = format!("{:07}", p.frac);
                let mut d = digits.get(..n.min(7)).unwrap_or("").to_string();
                if c == 'F' {
                    while d.ends_with('0') {
                        d.pop();
                    }
                    if d.is_empty() && out.ends_with('.') {
                        out.pop();
                    }
                }
                out.push_str(&d);
            }
            't' => {
                let ampm = if p.hour < 12 { "AM" } else { "PM" };
                out.push_str(if n == 1 {
                    ampm.get(..1).unwrap_or("")
                } else {
                    ampm
                });
            }
            'z' => match n {
                1 => out.push_str("+0"),
                2 => out.push_str("+00"),
                _ => out.push_str("+00:00"),
            },
            'K' => {
                out.push_str(if offset { "+00:00" } else { "Z" });
            }
            '\'' | '"' => {
                let mut j = i + 1;
                while let Some(&q) = chars.get(j) {
                    if q == c {
                        break;
                    }
                    out.push(q);
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            '\\' => {
                if let Some(&e) = chars.get(i + 1) {
                    out.push(e);
                }
                i += 2;
                continue;
            }
            '%' => {
                i += 1;
                continue;
            }
            _ => {
                for _ in 0..n {
                    out.push(c);
                }
            }
        }
        i += n;
    }
    out
}

/// `TimeSpan.ToString()`: `[-][d.]hh:mm:ss[.fffffff]`.
pub fn format_timespan(ticks: i64) -> String {
    let neg = ticks < 0;
    let t = ticks.unsigned_abs();
    let tps = TICKS_PER_SECOND as u64;
    let days = t / (TICKS_PER_DAY as u64);
    let rem = t % (TICKS_PER_DAY as u64);
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if days > 0 {
        let _ = write!(s, "{days}.");
    }
    let _ = write!(
        s,
        "{:02}:{:02}:{:02}",
        rem / (3600 * tps),
        rem / (60 * tps) % 60,
        rem / tps % 60
    );
    if !rem.is_multiple_of(tps) {
        let _ = write!(s, ".{:07}", rem % tps);
    }
    s
}

/// `DateTime.Parse` for the formats policies meet: ISO 8601 (date, date-time, fraction,
/// `Z` or offset), RFC 1123, and en-US `M/d/yyyy[ h:mm[:ss] [AM|PM]]`. Returns UTC ticks.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    parse_iso(s)
        .or_else(|| parse_rfc1123(s))
        .or_else(|| parse_us(s))
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_iso(s: &str) -> Option<i64> {
    let (date, rest) = match s.find(['T', ' ']) {
        Some(i) => (s.get(..i)?, Some(s.get(i + 1..)?)),
        None => (s, None),
    };
    let mut dp = date.split('-');
    let y = num(dp.next()?)?;
    let mo = num(dp.next()?)?;
    let d = num(dp.next()?)?;
    if dp.next().is_some() {
        return None;
    }
    let Some(rest) = rest else {
        return from_parts(y, mo, d, 0, 0, 0);
    };
    // Time, then optional zone.
    let (time, zone_secs) = if let Some(t) = rest.strip_suffix('Z') {
        (t, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (t, z) = rest.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let z = z.get(1..)?;
        let (zh, zm) = match z.split_once(':') {
            Some((a, b)) => (num(a)?, num(b)?),
            None if z.len() == 4 => (num(z.get(..2)?)?, num(z.get(2..)?)?),
            None => (num(z)?, 0),
        };
        (t, sign * (zh * 3600 + zm * 60))
    } else {
        (rest, 0)
    };
    let (hms, frac) = match time.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (time, None),
    };
    let mut tp = hms.split(':');
    let h = num(tp.next()?)?;
    let mi = num(tp.next()?)?;
    let sec = match tp.next() {
        Some(x) => num(x)?,
        None => 0,
    };
    let mut ticks = from_parts(y, mo, d, h, mi, sec)?;
    if let Some(f) = frac {
        let digits: String = f.chars().take(7).collect();
        let v = num(&digits)?;
        ticks += v * 10i64.pow(7 - digits.len() as u32);
    }
    Some(ticks - zone_secs * TICKS_PER_SECOND)
}

fn month_index(name: &str) -> Option<i64> {
    MONTHS
        .iter()
        .position(|m| {
            m.get(..3)
                .is_some_and(|p| p.eq_ignore_ascii_case(name.get(..3).unwrap_or("")))
        })
        .map(|i| i as i64 + 1)
}

fn parse_rfc1123(s: &str) -> Option<i64> {
    // "Thu, 01 Jan 1970 00:00:00 GMT"
    let s = s.split_once(',').map_or(s, |(_, r)| r).trim();
    let mut it = s.split_whitespace();
    let d = num(it.next()?)?;
    let mo = month_index(it.next()?)?;
    let y = num(it.next()?)?;
    let mut t = it.next()?.split(':');
    let h = num(t.next()?)?;
    let mi = num(t.next()?)?;
    let sec = num(t.next().unwrap_or("0"))?;
    match it.next() {
        None | Some("GMT" | "UTC" | "Z") => {}
        _ => return None,
    }
    from_parts(y, mo, d, h, mi, sec)
}

fn parse_us(s: &str) -> Option<i64> {
    let mut it = s.split_whitespace();
    let mut dp = it.next()?.split('/');
    let mo = num(dp.next()?)?;
    let d = num(dp.next()?)?;
    let y = num(dp.next()?)?;
    let (mut h, mut mi, mut sec) = (0, 0, 0);
    if let Some(t) = it.next() {
        let mut tp = t.split(':');
        h = num(tp.next()?)?;
        mi = num(tp.next()?)?;
        sec = num(tp.next().unwrap_or("0"))?;
        match it.next() {
            Some(x) if x.eq_ignore_ascii_case("PM") && h < 12 => h += 12,
            Some(x) if x.eq_ignore_ascii_case("AM") && h == 12 => h = 0,
            Some(x) if x.eq_ignore_ascii_case("AM") || x.eq_ignore_ascii_case("PM") => {}
            None => {}
            _ => return None,
        }
    }
    from_parts(y, mo, d, h, mi, sec)
}

/// `TimeSpan.Parse`: `[-][d.]hh:mm[:ss[.fffffff]]` or a number of days.
pub fn parse_timespan(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    if let Some(d) = num(s) {
        return (if neg { -d } else { d }).checked_mul(TICKS_PER_DAY);
    }
    let (days, rest) = match s.split_once('.') {
        Some((a, b)) if !a.contains(':') => (num(a)?, b),
        _ => (0, s),
    };
    let (hms, frac) = match rest.rsplit_once('.') {
        Some((a, b)) if a.contains(':') => (a, Some(b)),
        _ => (rest, None),
    };
    let mut tp = hms.split(':');
    let h = num(tp.next()?)?;
    let m = num(tp.next()?)?;
    let sec = match tp.next() {
        Some(x) => num(x)?,
        None => 0,
    };
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let mut t = days
        .checked_mul(24)?
        .checked_add(h)?
        .checked_mul(60)?
        .checked_add(m)?
        .checked_mul(60)?
        .checked_add(sec)?
        .checked_mul(TICKS_PER_SECOND)?;
    if let Some(f) = frac {
        let digits: String = f.chars().take(7).collect();
        t += num(&digits)? * 10i64.pow(7 - digits.len() as u32);
    }
    Some(if neg { -t } else { t })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
        from_parts(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn epoch_and_calendar() {
        assert_eq!(t(1970, 1, 1, 0, 0, 0), UNIX_EPOCH_TICKS);
        assert_eq!(parts(t(2024, 2, 29, 13, 5, 9)).day, 29);
        assert_eq!(parts(t(2026, 1, 1, 0, 0, 0)).dow, 4); // Thursday
        assert_eq!(
            add_months(t(2024, 1, 31, 0, 0, 0), 1),
            Some(t(2024, 2, 29, 0, 0, 0))
        );
    }

    #[test]
    fn formats() {
        let x = t(2026, 1, 2, 15, 4, 5) + 1_230_000;
        assert_eq!(
            format_datetime(x, "o", false),
            "2026-01-02T15:04:05.1230000Z"
        );
        assert_eq!(format_datetime(x, "s", false), "2026-01-02T15:04:05");
        assert_eq!(
            format_datetime(x, "R", false),
            "Fri, 02 Jan 2026 15:04:05 GMT"
        );
        assert_eq!(format_datetime(x, "", false), "1/2/2026 3:04:05 PM");
        assert_eq!(
            format_datetime(x, "yyyy-MM-ddTHH:mm:ssZ", false),
            "2026-01-02T15:04:05Z"
        );
        assert_eq!(
            format_datetime(x, "dd/MM/yy hh:mm tt", false),
            "02/01/26 03:04 PM"
        );
        assert_eq!(
            format_datetime(x, "yyyyMMdd'T'HHmmss.fff", false),
            "20260102T150405.123"
        );
        assert_eq!(
            format_datetime(x, "o", true),
            "2026-01-02T15:04:05.1230000+00:00"
        );
        assert_eq!(format_timespan(90 * TICKS_PER_SECOND), "00:01:30");
        assert_eq!(format_timespan(-(TICKS_PER_DAY + 5)), "-1.00:00:00.0000005");
    }

    #[test]
    fn parses() {
        assert_eq!(parse_datetime("2026-01-02"), Some(t(2026, 1, 2, 0, 0, 0)));
        assert_eq!(
            parse_datetime("2026-01-02T03:04:05Z"),
            Some(t(2026, 1, 2, 3, 4, 5))
        );
        assert_eq!(
            parse_datetime("2026-01-02T03:04:05+01:00"),
            Some(t(2026, 1, 2, 2, 4, 5))
        );
        assert_eq!(
            parse_datetime("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(UNIX_EPOCH_TICKS)
        );
        assert_eq!(
            parse_datetime("1/2/2026 3:04:05 PM"),
            Some(t(2026, 1, 2, 15, 4, 5))
        );
        assert_eq!(parse_datetime("2026-13-01"), None);
        assert_eq!(parse_timespan("01:30:00"), Some(5400 * TICKS_PER_SECOND));
        assert_eq!(
            parse_timespan("1.00:00:01"),
            Some(TICKS_PER_DAY + TICKS_PER_SECOND)
        );
    }
}
