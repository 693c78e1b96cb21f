//! Decimal numbers without `str::parse::<f64>` where only their syntax matters.
//!
//! std's float parser carries an 11 KB table of powers of five and 6 KB of code. The web app's
//! first load (the linter, the C# parser for its checks, completion) never needs a float's
//! value: it needs to know whether a text is a number ([`is_float`], [`is_finite_float`]) and
//! to keep a real literal for the simulator ([`Real`], whose value is parsed when evaluated,
//! in the simulator's worker). Each function here answers exactly what `str::parse::<f64>`
//! would (the tests compare them on many inputs).

/// A real literal of an expression (`1.5`, `2e3`, `0.5m`'s `0.5`), as written: its value is
/// read by [`Real::value`] when the expression is evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Real(Box<str>);

impl Real {
    /// `text` is what the lexer read: digits, `.`, an exponent (always a valid float).
    pub fn new(text: &str) -> Real {
        Real(text.into())
    }

    pub fn text(&self) -> &str {
        &self.0
    }

    /// The nearest `f64` (0 for a text that is not a number, which the lexer never makes).
    pub fn value(&self) -> f64 {
        self.0.parse().unwrap_or(0.0)
    }
}

/// The integer digits, fraction digits and exponent digits (with its sign) of `s`, when it is
/// `Sign? Number` with `Number ::= (Digit+ | Digit+ '.' Digit* | Digit* '.' Digit+) Exp?` and
/// `Exp ::= [eE] Sign? Digit+`: the decimal part of `str::parse::<f64>`'s grammar.
fn parts(s: &str) -> Option<(&str, &str, &str)> {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => {
            let (m, e) = s.split_at(i);
            (m, e.get(1..)?)
        }
        None => (s, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !digits(int) || !digits(frac) || (int.is_empty() && frac.is_empty()) {
        return None;
    }
    if s.len() > mantissa.len() {
        let d = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        if d.is_empty() || !digits(d) {
            return None;
        }
    }
    Some((int, frac, exp))
}

/// Whether `str::parse::<f64>` accepts `s` (any sign; `inf`, `infinity` and `nan` in any case).
pub fn is_float(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    ["inf", "infinity", "nan"]
        .iter()
        .any(|w| t.eq_ignore_ascii_case(w))
        || parts(s).is_some()
}

/// `2^1024 - 2^970`, the halfway point between `f64::MAX` and `2^1024`: a decimal at or above
/// it rounds to infinity (a tie goes to the even neighbour, which is `2^1024`).
const OVERFLOW: &str = "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

/// Whether `str::parse::<f64>` gives a finite number for `s`: a decimal number (not `inf` or
/// `nan`) below the overflow threshold.
pub fn is_finite_float(s: &str) -> bool {
    let Some((int, frac, exp)) = parts(s) else {
        return false;
    };
    let exp: i64 = {
        let d = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        // Saturating: past ±10^15 every number is 0 or infinite anyway.
        let n = d.bytes().fold(0i64, |n, b| {
            n.saturating_mul(10)
                .saturating_add(i64::from(b - b'0'))
                .min(1_000_000_000_000_000)
        });
        if exp.starts_with('-') { -n } else { n }
    };
    // The significant digits, in order, and the power of ten just above the first of them.
    let int = int.trim_start_matches('0');
    let (position, digits): (i64, Vec<u8>) = if int.is_empty() {
        let f = frac.trim_start_matches('0');
        (-((frac.len() - f.len()) as i64), f.bytes().collect())
    } else {
        (int.len() as i64, int.bytes().chain(frac.bytes()).collect())
    };
    if digits.iter().all(|&d| d == b'0') {
        return true; // zero
    }
    let magnitude = position.saturating_add(exp);
    match magnitude.cmp(&(OVERFLOW.len() as i64)) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        // Same number of integer digits: compare digit by digit (missing digits are zeros).
        std::cmp::Ordering::Equal => {
            let threshold = OVERFLOW.as_bytes();
            for i in 0..digits.len().max(threshold.len()) {
                let d = digits.get(i).copied().unwrap_or(b'0');
                let t = threshold.get(i).copied().unwrap_or(b'0');
                if d != t {
                    return d < t;
                }
            }
            false // exactly the threshold: rounds to infinity
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std_finite(s: &str) -> bool {
        matches!(s.parse::<f64>(), Ok(n) if n.is_finite())
    }

    fn agree(s: &str) {
        assert_eq!(is_float(s), s.parse::<f64>().is_ok(), "is_float({s:?})");
        assert_eq!(is_finite_float(s), std_finite(s), "is_finite_float({s:?})");
    }

    #[test]
    fn the_same_answers_as_std_on_hand_picked_texts() {
        let max = OVERFLOW;
        let below = {
            // The threshold minus one in its last digit.
            let mut b = max.as_bytes().to_vec();
            if let Some(last) = b.last_mut() {
                *last -= 1;
            }
            String::from_utf8(b).unwrap()
        };
        for s in [
            "",
            "+",
            "-",
            ".",
            "e",
            "1e",
            "1e+",
            "e5",
            ".e1",
            "1",
            "-1",
            "+1",
            "01",
            "1.",
            ".5",
            "1.5",
            "-0.0",
            "1e5",
            "1E5",
            "1e+5",
            "1e-5",
            "1.5e3",
            "1.e3",
            ".5e3",
            "1_000",
            "1,5",
            "1.2.3",
            "1e5.5",
            "--1",
            "+-1",
            " 1",
            "1 ",
            "0x10",
            "inf",
            "-inf",
            "+Infinity",
            "INF",
            "NaN",
            "nan",
            "infinit",
            "infinityy",
            "1e308",
            "1e309",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "17976931348623158e292",
            "0.17976931348623158e309",
            "0.00017976931348623159e313",
            "1e-400",
            "0e999999",
            "0.0e999999999999999999999",
            "1e99999999999999999999999",
            "1e-99999999999999999999",
            "000000000000000000000001e308",
            "0.000000000000000000001e330",
            max,
            &below,
            &format!("{max}.0"),
            &format!("{below}.999999"),
            &format!("{max}e-1"),
            &format!("0.{max}e309"),
            &format!("{below}9e-1"),
            "١",
            "1é",
        ] {
            agree(s);
        }
    }

    #[test]
    fn the_same_answers_as_std_on_generated_texts() {
        let alphabet = b"0123456789.eE+-19";
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 9) as usize;
            let s: String = (0..len)
                .map(|i| alphabet[((seed >> (i * 5 + 8)) % alphabet.len() as u64) as usize] as char)
                .collect();
            agree(&s);
        }
        // Near the overflow threshold, with every exponent shift.
        for shift in 0..20 {
            for tail in ["", "0", "1", "9", "00001"] {
                let digits = format!("{}{tail}", OVERFLOW.get(..OVERFLOW.len() - shift).unwrap());
                agree(&format!("{digits}e{shift}"));
                agree(&format!("0.{digits}e{}", 309));
            }
        }
    }

    #[test]
    fn real_literals_keep_their_text_and_parse_when_evaluated() {
        let r = Real::new("1.5e3");
        assert_eq!((r.text(), r.value()), ("1.5e3", 1500.0));
        assert_eq!(Real::new("0.1").value(), 0.1);
        assert_eq!(Real::new("x").value(), 0.0);
    }
}
