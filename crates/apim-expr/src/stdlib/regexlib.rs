//! `System.Text.RegularExpressions.Regex` on top of `regex-lite` (linear time, no Unicode
//! tables: small in wasm). Not supported, because regex-lite has no backtracking engine:
//! lookahead/lookbehind (`(?=`, `(?!`, `(?<=`, `(?<!`), backreferences (`\1`, `\k<n>`),
//! atomic groups and possessive quantifiers, balancing groups, `RightToLeft`. `\d`, `\w`,
//! `\s` are ASCII-only in regex-lite (Unicode-aware in .NET). Such patterns raise an
//! `ArgumentException` naming the problem, instead of silently matching differently.

use regex_lite::{Regex, RegexBuilder};

use super::*;

#[derive(Debug, Clone)]
pub(crate) struct RegexObj {
    pub pattern: String,
    re: Regex,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct GroupObj {
    pub success: bool,
    pub value: String,
    pub index: usize,
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct MatchObj {
    pub success: bool,
    pub value: String,
    pub index: usize,
    pub groups: Vec<(String, GroupObj)>,
    /// For `NextMatch`: the regex and the input, and where to continue (byte offset).
    next: Option<(Regex, String, usize)>,
}

pub(crate) fn compile(pattern: &str, opts: Option<&Value>, span: Span) -> R<RegexObj> {
    let (mut ci, mut multi, mut single, mut ws) = (false, false, false, false);
    if let Some(Value {
        v: V::Enum(_, n), ..
    }) = opts
    {
        ci = n.contains("IgnoreCase");
        multi = n.contains("Multiline");
        single = n.contains("Singleline");
        ws = n.contains("IgnorePatternWhitespace");
    }
    for bad in ["(?=", "(?!", "(?<=", "(?<!", "(?>", "\\k<"] {
        if pattern.contains(bad) {
            return throw(
                "ArgumentException",
                format!(
                    "Invalid pattern '{pattern}': `{bad}` (lookaround, atomic groups, backreferences) is not supported by the policy simulator's regex engine."
                ),
                span,
            );
        }
    }
    if pattern.len() > 10_000 {
        return throw(
            "ArgumentException",
            "Regex pattern too long for the policy simulator.",
            span,
        );
    }
    // .NET `$` also matches before a final newline; close enough for policies.
    match RegexBuilder::new(pattern)
        .case_insensitive(ci)
        .multi_line(multi)
        .dot_matches_new_line(single)
        .ignore_whitespace(ws)
        .size_limit(1 << 20)
        .nest_limit(64)
        .build()
    {
        Ok(re) => Ok(RegexObj {
            pattern: pattern.to_string(),
            re,
        }),
        Err(e) => throw(
            "ArgumentException",
            format!("Invalid pattern '{pattern}': {e}"),
            span,
        ),
    }
}

fn char_index(s: &str, byte: usize) -> usize {
    s.get(..byte).map_or(0, |p| p.chars().count())
}

fn make_match(re: &Regex, hay: &str, caps: &regex_lite::Captures) -> MatchObj {
    let names: Vec<Option<&str>> = re.capture_names().collect();
    let mut groups = Vec::new();
    for i in 0..caps.len() {
        let name = names
            .get(i)
            .copied()
            .flatten()
            .map_or_else(|| i.to_string(), str::to_string);
        let g = match caps.get(i) {
            Some(m) => GroupObj {
                success: true,
                value: m.as_str().to_string(),
                index: char_index(hay, m.start()),
                name: name.clone(),
            },
            None => GroupObj {
                name: name.clone(),
                ..GroupObj::default()
            },
        };
        groups.push((name, g));
    }
    let whole = caps.get(0);
    let end = whole.map_or(hay.len(), |m| {
        if m.end() == m.start() {
            m.end() + 1
        } else {
            m.end()
        }
    });
    MatchObj {
        success: true,
        value: whole.map(|m| m.as_str().to_string()).unwrap_or_default(),
        index: whole.map_or(0, |m| char_index(hay, m.start())),
        groups,
        next: Some((re.clone(), hay.to_string(), end)),
    }
}

fn match_from(re: &Regex, hay: &str, from: usize) -> MatchObj {
    if from > hay.len() || !hay.is_char_boundary(from) {
        return MatchObj::default();
    }
    // Search the tail but report positions in the whole input.
    let tail = hay.get(from..).unwrap_or("");
    match re.captures(tail) {
        Some(c) => {
            let mut m = make_match(re, tail, &c);
            let shift = char_index(hay, from);
            m.index += shift;
            for (_, g) in &mut m.groups {
                if g.success {
                    g.index += shift;
                }
            }
            let end = c.get(0).map_or(tail.len(), |x| {
                if x.end() == x.start() {
                    x.end() + 1
                } else {
                    x.end()
                }
            });
            m.next = Some((re.clone(), hay.to_string(), from + end));
            m
        }
        None => MatchObj::default(),
    }
}

pub(crate) fn next_match(o: &Obj) -> Value {
    let Obj::Match(m) = o else {
        return Value::null();
    };
    let next = match &m.next {
        Some((re, hay, at)) if m.success => match_from(re, hay, *at),
        _ => MatchObj::default(),
    };
    Value::obj(Obj::Match(next))
}

/// Expand a .NET replacement pattern (`$1`, `${name}`, `$0`, `$&`, `$$`).
fn expand(rep: &str, caps: &regex_lite::Captures, re: &Regex) -> String {
    let mut out = String::new();
    let chars: Vec<char> = rep.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('$') => {
                out.push('$');
                i += 2;
            }
            Some('&') => {
                out.push_str(caps.get(0).map_or("", |m| m.as_str()));
                i += 2;
            }
            Some('{') => {
                let end = chars
                    .iter()
                    .skip(i + 2)
                    .position(|c| *c == '}')
                    .map(|p| p + i + 2);
                match end {
                    Some(e) => {
                        let name: String = chars.get(i + 2..e).unwrap_or(&[]).iter().collect();
                        let g = name
                            .parse::<usize>()
                            .ok()
                            .and_then(|n| caps.get(n))
                            .or_else(|| caps.name(&name));
                        out.push_str(g.map_or("", |m| m.as_str()));
                        i = e + 1;
                    }
                    None => {
                        out.push('$');
                        i += 1;
                    }
                }
            }
            Some(d) if d.is_ascii_digit() => {
                // Longest group number that exists.
                let mut j = i + 1;
                let mut best: Option<(usize, usize)> = None;
                let mut n = 0usize;
                while let Some(d) = chars.get(j).and_then(|c| c.to_digit(10)) {
                    n = n.saturating_mul(10).saturating_add(d as usize);
                    j += 1;
                    if n < re.captures_len() {
                        best = Some((n, j));
                    }
                }
                match best {
                    Some((n, end)) => {
                        out.push_str(caps.get(n).map_or("", |m| m.as_str()));
                        i = end;
                    }
                    None => {
                        out.push('$');
                        i += 1;
                    }
                }
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    out
}

fn replace(it: &mut Interp, re: &Regex, input: &str, rep: &Value, span: Span) -> R<String> {
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(input) {
        it.charge(4, span)?;
        let Some(m) = caps.get(0) else { continue };
        out.push_str(input.get(last..m.start()).unwrap_or(""));
        match &rep.v {
            V::Lambda(_) => {
                let mo = Value::obj(Obj::Match(make_match(re, input, &caps)));
                let r = it.call_value(rep, vec![mo], span)?;
                out.push_str(&to_display(&r));
            }
            _ => out.push_str(&expand(&to_display(rep), &caps, re)),
        }
        it.check_len(out.len(), span)?;
        last = m.end();
    }
    out.push_str(input.get(last..).unwrap_or(""));
    Ok(out)
}

fn split(re: &Regex, input: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut last = 0;
    for caps in re.captures_iter(input) {
        let Some(m) = caps.get(0) else { continue };
        out.push(input.get(last..m.start()).unwrap_or("").to_string());
        // .NET includes captured groups in the result.
        for i in 1..caps.len() {
            if let Some(g) = caps.get(i) {
                out.push(g.as_str().to_string());
            }
        }
        last = m.end();
    }
    out.push(input.get(last..).unwrap_or("").to_string());
    out
}

pub(crate) fn escape(s: &str) -> String {
    let mut o = String::new();
    for c in s.chars() {
        match c {
            '\\' | '*' | '+' | '?' | '|' | '{' | '[' | '(' | ')' | '^' | '$' | '.' | '#' | ' ' => {
                o.push('\\');
                o.push(c);
            }
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\u{c}' => o.push_str("\\f"),
            c => o.push(c),
        }
    }
    o
}

fn unescape(s: &str) -> String {
    let mut o = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => o.push('\t'),
                Some('n') => o.push('\n'),
                Some('r') => o.push('\r'),
                Some('f') => o.push('\u{c}'),
                Some(x) => o.push(x),
                None => {}
            }
        } else {
            o.push(c);
        }
    }
    o
}

/// Static `Regex.X(input, pattern, …)` calls.
pub(crate) fn static_call(it: &mut Interp, name: &str, args: &[ArgVal], span: Span) -> R<Value> {
    let secret = any_secret(args);
    match name {
        "Escape" => return it.mk_str(escape(str_arg(args, 0, span, "str")?), secret, span),
        "Unescape" => return it.mk_str(unescape(str_arg(args, 0, span, "str")?), secret, span),
        _ => {}
    }
    let input = str_arg(args, 0, span, "input")?.to_string();
    let pattern = str_arg(args, 1, span, "pattern")?.to_string();
    let (rest, opts): (Vec<ArgVal>, Option<Value>) = {
        let mut rest = Vec::new();
        let mut opts = None;
        for a in args.iter().skip(2) {
            match &a.value.v {
                V::Enum("RegexOptions", _) => opts = Some(a.value.clone()),
                V::TimeSpan(_) => {}
                _ => rest.push(ArgVal {
                    name: a.name.clone(),
                    value: a.value.clone(),
                    span: a.span,
                }),
            }
        }
        (rest, opts)
    };
    let re = compile(&pattern, opts.as_ref(), span)?;
    let mut all = vec![ArgVal {
        name: None,
        value: Value::string(&input).with_secret(secret),
        span,
    }];
    all.extend(rest);
    regex_call(it, &re, name, &all, span)
}

pub(crate) fn method(
    it: &mut Interp,
    o: &Obj,
    name: &str,
    args: &[ArgVal],
    span: Span,
) -> R<Value> {
    let Obj::Regex(re) = o else {
        return throw("CompilationError", format!("no method '{name}'"), span);
    };
    regex_call(it, re, name, args, span)
}

fn regex_call(it: &mut Interp, re: &RegexObj, name: &str, args: &[ArgVal], span: Span) -> R<Value> {
    let secret = any_secret(args);
    let input = str_arg(args, 0, span, "input")?.to_string();
    it.charge(input.len() / 32, span)?;
    let r = match name {
        "IsMatch" => return Ok(Value::bool(re.re.is_match(&input))),
        "Match" => {
            let start = arg(args, 1).and_then(Value::as_i64).unwrap_or(0).max(0) as usize;
            let byte = input
                .char_indices()
                .nth(start)
                .map_or(input.len(), |(b, _)| b);
            Value::obj(Obj::Match(match_from(&re.re, &input, byte)))
        }
        "Matches" => {
            let mut out = Vec::new();
            for caps in re.re.captures_iter(&input) {
                it.charge(4, span)?;
                out.push(
                    Value::obj(Obj::Match(make_match(&re.re, &input, &caps))).with_secret(secret),
                );
            }
            it.check_count(out.len(), span)?;
            Value::list(out, None)
        }
        "Replace" => {
            let rep = arg(args, 1).cloned().unwrap_or_else(|| Value::string(""));
            let s = replace(it, &re.re, &input, &rep, span)?;
            return it.mk_str(s, secret, span);
        }
        "Split" => Value::string_array(&split(&re.re, &input), secret),
        _ => {
            return throw(
                "CompilationError",
                format!("'Regex' does not contain a definition for '{name}'"),
                span,
            );
        }
    };
    Ok(r.with_secret(secret))
}

pub(crate) fn member(v: &Value, o: &Obj, name: &str, span: Span) -> R<Value> {
    let g = |g: &GroupObj, name: &str| -> R<Value> {
        Ok(match name {
            "Success" => Value::bool(g.success),
            "Value" => Value::string(&g.value),
            "Index" => Value::int(g.index as i32),
            "Length" => Value::int(g.value.chars().count() as i32),
            "Name" => Value::string(&g.name),
            _ => return no_member(v, name, span),
        })
    };
    match o {
        Obj::Match(m) => match name {
            "Groups" => Ok(Value::obj(Obj::Groups(m.groups.clone()))),
            "Captures" => Ok(Value::list(vec![v.clone()], None)),
            _ => g(
                &GroupObj {
                    success: m.success,
                    value: m.value.clone(),
                    index: m.index,
                    name: "0".into(),
                },
                name,
            ),
        },
        Obj::Group(gr) => g(gr, name),
        Obj::Groups(gs) => match name {
            "Count" => Ok(Value::int(gs.len() as i32)),
            "Keys" => Ok(Value::list(
                gs.iter().map(|(n, _)| Value::string(n)).collect(),
                None,
            )),
            _ => no_member(v, name, span),
        },
        _ => no_member(v, name, span),
    }
}

pub(crate) fn index(v: &Value, o: &Obj, key: &Value, span: Span) -> R<Value> {
    let Obj::Groups(gs) = o else {
        return no_member(v, "this[]", span);
    };
    let found = match &key.v {
        V::Str(n) => gs.iter().find(|(name, _)| name == &**n),
        _ => key
            .as_i64()
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| gs.get(i)),
    };
    // .NET returns an unsuccessful group for unknown names/numbers.
    Ok(Value::obj(Obj::Group(
        found.map(|(_, g)| g.clone()).unwrap_or_default(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotnet_replacement_syntax() {
        let re = Regex::new(r"(\w+)@(?<d>\w+)").unwrap();
        let c = re.captures("bob@contoso").unwrap();
        assert_eq!(
            expand("$2:$1 ${d} $$ $&", &c, &re),
            "contoso:bob contoso $ bob@contoso"
        );
        assert_eq!(
            split(&Regex::new("(-)").unwrap(), "a-b"),
            vec!["a", "-", "b"]
        );
        assert_eq!(escape("a.b*c"), r"a\.b\*c");
    }
}
