//! Liquid templates for `set-body template="liquid"`: the tags and filters that APIM's
//! DotLiquid (in C# naming mode, so filters are PascalCase: `Upcase`, `Default`, …) offers and
//! policies use (`set-body-policy.md`, "Using Liquid templates with set body").
//!
//! Supported: `{{ value | Filter: args }}`; `{% if %}`/`elsif`/`else`/`endif`, `unless`,
//! `for … in …` (with `limit:`/`offset:`, `forloop.index`, `else`), `case`/`when`/`else`,
//! `assign`, `capture`, `comment`, `raw`. Values: `body.*` (the JSON body, or XML read as JSON),
//! `context.Request/Response/Api/Operation/Product/Subscription/User/Deployment/Variables.*`,
//! with dot or `["key"]` access. Filters: Default, Upcase, Downcase, Capitalize, Size, Join,
//! Split, First, Last, Replace, ReplaceFirst, Remove, Append, Prepend, Strip, Truncate,
//! Date, UrlEncode, UrlDecode, Escape, Plus, Minus, Times, DividedBy, Modulo. Filter names are
//! matched case-insensitively. Rendering is bounded (output size and loop iterations).

use super::convert;
use super::json::{self, J};
use apim_expr::Context;
use std::borrow::Cow;

const MAX_OUTPUT: usize = 4 << 20;
const MAX_STEPS: usize = 200_000;
const MAX_NESTING: usize = 32;

/// Render `template` with `body` (its Content-Type decides JSON or XML) and the context.
pub fn render(
    template: &str,
    ctx: &Context,
    body: &str,
    content_type: &str,
) -> Result<String, String> {
    let tokens = tokenize(template)?;
    let mut pos = 0;
    let nodes = parse_nodes(&tokens, &mut pos, &[], 0)?;
    let body_value = if content_type.to_ascii_lowercase().contains("xml") {
        convert::xml_to_json(body, false, false).unwrap_or(J::Null)
    } else {
        json::parse(body).unwrap_or(J::Null)
    };
    // The `context` object is big to build: only when the template can name it at all.
    let mut vars = vec![("body".to_string(), body_value)];
    if template.contains("context") {
        vars.push(("context".into(), context_value(ctx)));
    }
    let mut r = Renderer {
        vars,
        out: String::new(),
        steps: 0,
    };
    r.render(&nodes)?;
    Ok(r.out)
}

#[derive(Debug, Clone)]
enum Tok {
    Text(String),
    Out(String),
    Tag(String),
}

fn tokenize(t: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut rest = t;
    loop {
        let next = [rest.find("{{"), rest.find("{%")]
            .into_iter()
            .flatten()
            .min();
        let Some(i) = next else {
            if !rest.is_empty() {
                out.push(Tok::Text(rest.to_string()));
            }
            return Ok(out);
        };
        if i > 0 {
            out.push(Tok::Text(rest.get(..i).unwrap_or("").to_string()));
        }
        let is_tag = rest.get(i..i + 2) == Some("{%");
        let close = if is_tag { "%}" } else { "}}" };
        let inner_start = i + 2;
        let Some(end) = rest.get(inner_start..).and_then(|r| r.find(close)) else {
            return Err(format!(
                "'{}' is not closed",
                if is_tag { "{%" } else { "{{" }
            ));
        };
        let inner = rest.get(inner_start..inner_start + end).unwrap_or("");
        let inner = inner
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim()
            .to_string();
        out.push(if is_tag {
            Tok::Tag(inner)
        } else {
            Tok::Out(inner)
        });
        rest = rest.get(inner_start + end + 2..).unwrap_or("");
    }
}

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Out(String),
    If(Vec<(String, bool, Vec<Node>)>, Vec<Node>),
    For {
        var: String,
        source: String,
        body: Vec<Node>,
        empty: Vec<Node>,
    },
    Case(String, Vec<(String, Vec<Node>)>, Vec<Node>),
    Assign(String, String),
    Capture(String, Vec<Node>),
}

fn tag_word(t: &str) -> (&str, &str) {
    let t = t.trim();
    match t.find(char::is_whitespace) {
        Some(i) => (t.get(..i).unwrap_or(""), t.get(i..).unwrap_or("").trim()),
        None => (t, ""),
    }
}

/// Parse until one of `ends` (returned by leaving `pos` at that tag).
fn parse_nodes(
    tokens: &[Tok],
    pos: &mut usize,
    ends: &[&str],
    depth: usize,
) -> Result<Vec<Node>, String> {
    if depth > MAX_NESTING {
        return Err("the template nests too deeply".into());
    }
    let mut out = Vec::new();
    while let Some(tok) = tokens.get(*pos) {
        match tok {
            Tok::Text(t) => {
                out.push(Node::Text(t.clone()));
                *pos += 1;
            }
            Tok::Out(e) => {
                out.push(Node::Out(e.clone()));
                *pos += 1;
            }
            Tok::Tag(t) => {
                let (word, args) = tag_word(t);
                if ends.contains(&word) {
                    return Ok(out);
                }
                *pos += 1;
                match word {
                    "if" | "unless" => {
                        let mut branches = vec![(args.to_string(), word == "unless", Vec::new())];
                        let mut otherwise = Vec::new();
                        loop {
                            let body = parse_nodes(
                                tokens,
                                pos,
                                &["elsif", "else", "endif", "endunless"],
                                depth + 1,
                            )?;
                            if let Some(last) = branches.last_mut() {
                                last.2 = body;
                            }
                            let Some(Tok::Tag(t)) = tokens.get(*pos) else {
                                return Err(format!("'{{% {word} %}}' has no end{word}"));
                            };
                            let (w, a) = tag_word(t);
                            *pos += 1;
                            match w {
                                "elsif" => branches.push((a.to_string(), false, Vec::new())),
                                "else" => {
                                    otherwise = parse_nodes(
                                        tokens,
                                        pos,
                                        &["endif", "endunless"],
                                        depth + 1,
                                    )?;
                                    *pos += 1;
                                    break;
                                }
                                _ => break,
                            }
                        }
                        out.push(Node::If(branches, otherwise));
                    }
                    "for" => {
                        let (var, source) = args
                            .split_once(" in ")
                            .ok_or("for needs 'x in collection'")?;
                        let body = parse_nodes(tokens, pos, &["else", "endfor"], depth + 1)?;
                        let mut empty = Vec::new();
                        if let Some(Tok::Tag(t)) = tokens.get(*pos)
                            && tag_word(t).0 == "else"
                        {
                            *pos += 1;
                            empty = parse_nodes(tokens, pos, &["endfor"], depth + 1)?;
                        }
                        if tokens.get(*pos).is_none() {
                            return Err("'{% for %}' has no endfor".into());
                        }
                        *pos += 1;
                        out.push(Node::For {
                            var: var.trim().to_string(),
                            source: source.trim().to_string(),
                            body,
                            empty,
                        });
                    }
                    "case" => {
                        let _ = parse_nodes(tokens, pos, &["when", "else", "endcase"], depth + 1)?;
                        let mut whens = Vec::new();
                        let mut otherwise = Vec::new();
                        while let Some(Tok::Tag(t)) = tokens.get(*pos) {
                            let (w, a) = tag_word(t);
                            *pos += 1;
                            match w {
                                "when" => {
                                    let body = parse_nodes(
                                        tokens,
                                        pos,
                                        &["when", "else", "endcase"],
                                        depth + 1,
                                    )?;
                                    whens.push((a.to_string(), body));
                                }
                                "else" => {
                                    otherwise = parse_nodes(tokens, pos, &["endcase"], depth + 1)?
                                }
                                _ => break,
                            }
                        }
                        out.push(Node::Case(args.to_string(), whens, otherwise));
                    }
                    "assign" => {
                        let (n, e) = args.split_once('=').ok_or("assign needs 'name = value'")?;
                        out.push(Node::Assign(n.trim().to_string(), e.trim().to_string()));
                    }
                    "capture" => {
                        let body = parse_nodes(tokens, pos, &["endcapture"], depth + 1)?;
                        *pos += 1;
                        out.push(Node::Capture(args.trim().to_string(), body));
                    }
                    "comment" => {
                        let _ = parse_nodes(tokens, pos, &["endcomment"], depth + 1)?;
                        *pos += 1;
                    }
                    "raw" => {
                        let mut text = String::new();
                        while let Some(t) = tokens.get(*pos) {
                            *pos += 1;
                            match t {
                                Tok::Tag(x) if tag_word(x).0 == "endraw" => break,
                                Tok::Text(x) => text.push_str(x),
                                Tok::Out(x) => text.push_str(&format!("{{{{{x}}}}}")),
                                Tok::Tag(x) => text.push_str(&format!("{{%{x}%}}")),
                            }
                        }
                        out.push(Node::Text(text));
                    }
                    other => return Err(format!("unknown tag '{other}'")),
                }
            }
        }
    }
    if ends.is_empty() {
        Ok(out)
    } else {
        Err(format!(
            "missing '{{% {} %}}'",
            ends.last().copied().unwrap_or("end")
        ))
    }
}

struct Renderer {
    vars: Vec<(String, J)>,
    out: String,
    steps: usize,
}

impl Renderer {
    fn tick(&mut self) -> Result<(), String> {
        self.steps += 1;
        if self.steps > MAX_STEPS || self.out.len() > MAX_OUTPUT {
            return Err("the template does too much work for the simulator".into());
        }
        Ok(())
    }

    fn render(&mut self, nodes: &[Node]) -> Result<(), String> {
        for n in nodes {
            self.tick()?;
            match n {
                Node::Text(t) => self.out.push_str(t),
                Node::Out(e) => {
                    let v = self.expr(e)?;
                    self.out.push_str(&text_of(&v));
                }
                Node::If(branches, otherwise) => {
                    let mut done = false;
                    for (cond, negate, body) in branches {
                        if self.cond(cond)? != *negate {
                            self.render(body)?;
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        self.render(otherwise)?;
                    }
                }
                Node::For {
                    var,
                    source,
                    body,
                    empty,
                } => {
                    let (src, opts) = match source.split_once(' ') {
                        Some((s, o)) => (s, o),
                        None => (source.as_str(), ""),
                    };
                    let items = match self.expr(src)? {
                        J::Arr(items) => items,
                        J::Obj(fields) => fields
                            .into_iter()
                            .map(|(k, v)| J::Arr(vec![J::Str(k), v]))
                            .collect(),
                        J::Null => Vec::new(),
                        v => vec![v],
                    };
                    let mut offset = 0usize;
                    let mut limit = usize::MAX;
                    for opt in opts.split_whitespace() {
                        if let Some((k, v)) = opt.split_once(':') {
                            let n = self.expr(v)?.as_f64().unwrap_or(0.0).max(0.0) as usize;
                            match k {
                                "offset" => offset = n,
                                "limit" => limit = n,
                                _ => {}
                            }
                        }
                    }
                    let items: Vec<J> = items.into_iter().skip(offset).take(limit).collect();
                    if items.is_empty() {
                        self.render(empty)?;
                    }
                    let len = items.len();
                    for (i, item) in items.into_iter().enumerate() {
                        self.tick()?;
                        let forloop = J::Obj(vec![
                            ("index".into(), J::Num((i + 1).to_string())),
                            ("index0".into(), J::Num(i.to_string())),
                            ("first".into(), J::Bool(i == 0)),
                            ("last".into(), J::Bool(i + 1 == len)),
                            ("length".into(), J::Num(len.to_string())),
                        ]);
                        self.vars.push(("forloop".into(), forloop));
                        self.vars.push((var.clone(), item));
                        let r = self.render(body);
                        self.vars.pop();
                        self.vars.pop();
                        r?;
                    }
                }
                Node::Case(subject, whens, otherwise) => {
                    let v = self.expr(subject)?;
                    let mut done = false;
                    for (values, body) in whens {
                        let mut hit = false;
                        for alt in split_outside_quotes(values, &[",", " or "]) {
                            if equal(&v, &self.expr(alt)?) {
                                hit = true;
                            }
                        }
                        if hit {
                            self.render(body)?;
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        self.render(otherwise)?;
                    }
                }
                Node::Assign(name, e) => {
                    let v = self.expr(e)?;
                    self.vars.push((name.clone(), v));
                }
                Node::Capture(name, body) => {
                    let saved = std::mem::take(&mut self.out);
                    let r = self.render(body);
                    let captured = std::mem::replace(&mut self.out, saved);
                    r?;
                    self.vars.push((name.clone(), J::Str(captured)));
                }
            }
        }
        Ok(())
    }

    fn cond(&mut self, c: &str) -> Result<bool, String> {
        // Liquid evaluates `and`/`or` right to left without precedence.
        let parts = split_outside_quotes(c, &[" or "]);
        if parts.len() > 1 {
            for p in parts {
                if self.cond(p)? {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
        let parts = split_outside_quotes(c, &[" and "]);
        if parts.len() > 1 {
            for p in parts {
                if !self.cond(p)? {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        for op in ["==", "!=", "<>", ">=", "<=", ">", "<", " contains "] {
            let sides = split_outside_quotes(c, &[op]);
            if let [l, r] = sides.as_slice() {
                let (l, r) = (self.expr(l)?, self.expr(r)?);
                let num = |v: &J| {
                    v.as_f64()
                        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                };
                return Ok(match op {
                    "==" => equal(&l, &r),
                    "!=" | "<>" => !equal(&l, &r),
                    " contains " => match &l {
                        J::Str(s) => s.contains(&text_of(&r)),
                        J::Arr(items) => items.iter().any(|i| equal(i, &r)),
                        _ => false,
                    },
                    _ => match (num(&l), num(&r)) {
                        (Some(a), Some(b)) => match op {
                            ">=" => a >= b,
                            "<=" => a <= b,
                            ">" => a > b,
                            _ => a < b,
                        },
                        _ => false,
                    },
                });
            }
        }
        Ok(truthy(&self.expr(c)?))
    }

    fn expr(&mut self, e: &str) -> Result<J, String> {
        let mut parts = split_outside_quotes(e, &["|"]).into_iter();
        let first = parts.next().unwrap_or_default();
        let mut v = self.value(first.trim())?;
        for f in parts {
            let (name, args) = match f.split_once(':') {
                Some((n, a)) => (n.trim(), split_outside_quotes(a, &[","])),
                None => (f.trim(), Vec::new()),
            };
            let mut argv = Vec::with_capacity(args.len());
            for a in &args {
                argv.push(self.value(a.trim())?);
            }
            v = filter(name, v, &argv)?;
        }
        Ok(v)
    }

    fn value(&mut self, s: &str) -> Result<J, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(J::Null);
        }
        if (s.starts_with('"') && s.ends_with('"') || s.starts_with('\'') && s.ends_with('\''))
            && s.len() >= 2
        {
            return Ok(J::Str(s.get(1..s.len() - 1).unwrap_or("").to_string()));
        }
        if s.parse::<f64>().is_ok() {
            return Ok(J::Num(s.to_string()));
        }
        match s {
            "true" => return Ok(J::Bool(true)),
            "false" => return Ok(J::Bool(false)),
            "nil" | "null" => return Ok(J::Null),
            "empty" => return Ok(J::Str(String::new())),
            _ => {}
        }
        // A path: name(.name | [index])*. The segments first (an index may be a path
        // itself), then one walk that borrows and clones only the value it ends at.
        let mut segs: Vec<J> = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            let (seg, after) = if let Some(r) = rest.strip_prefix('[') {
                let close = r.find(']').ok_or("']' expected")?;
                let inner = r.get(..close).unwrap_or("");
                let key = self.value(inner)?;
                (key, r.get(close + 1..).unwrap_or(""))
            } else {
                let r = rest.strip_prefix('.').unwrap_or(rest);
                let end = r.find(['.', '[']).unwrap_or(r.len());
                (
                    J::Str(r.get(..end).unwrap_or("").to_string()),
                    r.get(end..).unwrap_or(""),
                )
            };
            rest = after;
            segs.push(seg);
        }
        let mut segs = segs.iter();
        let Some(first) = segs.next() else {
            return Ok(J::Null);
        };
        let name = first.to_text();
        let mut cur: Option<Cow<'_, J>> = self
            .vars
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| Cow::Borrowed(v));
        for seg in segs {
            cur = match cur {
                Some(Cow::Borrowed(c)) => index(c, seg),
                Some(Cow::Owned(c)) => index(&c, seg).map(|v| Cow::Owned(v.into_owned())),
                None => None,
            };
        }
        Ok(cur.map(Cow::into_owned).unwrap_or(J::Null))
    }
}

fn index<'a>(c: &'a J, key: &J) -> Option<Cow<'a, J>> {
    match (c, key) {
        (J::Arr(items), k) => {
            if let Some(n) = k.as_f64() {
                let i = n as i64;
                let i = if i < 0 { items.len() as i64 + i } else { i };
                return usize::try_from(i)
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(Cow::Borrowed);
            }
            match k.as_str()? {
                "size" | "Size" | "Count" => Some(Cow::Owned(J::Num(items.len().to_string()))),
                "first" | "First" => items.first().map(Cow::Borrowed),
                "last" | "Last" => items.last().map(Cow::Borrowed),
                _ => None,
            }
        }
        (J::Obj(fields), k) => {
            let k = k.to_text();
            fields
                .iter()
                .find(|(n, _)| *n == k)
                .or_else(|| fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(&k)))
                .map(|(_, v)| Cow::Borrowed(v))
                .or_else(|| (k == "size").then(|| Cow::Owned(J::Num(fields.len().to_string()))))
        }
        (J::Str(s), k) if matches!(k.as_str(), Some("size" | "Size" | "Length")) => {
            Some(Cow::Owned(J::Num(s.chars().count().to_string())))
        }
        _ => None,
    }
}

fn truthy(v: &J) -> bool {
    !matches!(v, J::Null | J::Bool(false))
}

fn equal(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Num(x), J::Num(y)) => x.parse::<f64>().ok() == y.parse::<f64>().ok(),
        (J::Str(s), J::Str(t)) if t.is_empty() => s.is_empty(),
        (J::Arr(i), J::Str(t)) if t.is_empty() => i.is_empty(),
        _ => {
            text_of(a) == text_of(b) && std::mem::discriminant(a) == std::mem::discriminant(b)
                || (matches!(a, J::Str(_)) || matches!(b, J::Str(_))) && text_of(a) == text_of(b)
        }
    }
}

/// How a value prints: objects that stand for a URL print the URL.
fn text_of(v: &J) -> String {
    if let Some(t) = v.get("__text").and_then(J::as_str) {
        return t.to_string();
    }
    match v {
        J::Arr(items) => items.iter().map(text_of).collect::<Vec<_>>().join(""),
        _ => v.to_text(),
    }
}

/// Split on any separator that is not inside quotes (the parts borrow from `s`).
fn split_outside_quotes<'a>(s: &'a str, seps: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < s.len() {
        let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            i += c.len_utf8();
            continue;
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
            i += 1;
            continue;
        }
        if let Some(sep) = seps
            .iter()
            .find(|sep| s.get(i..).is_some_and(|r| r.starts_with(**sep)))
        {
            out.push(s.get(start..i).unwrap_or(""));
            i += sep.len();
            start = i;
            continue;
        }
        i += c.len_utf8();
    }
    out.push(s.get(start..).unwrap_or(""));
    out
}

fn num(v: &J) -> f64 {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .unwrap_or(0.0)
}

fn num_j(f: f64) -> J {
    J::Num(apim_expr::fmt_double(f))
}

fn filter(name: &str, v: J, args: &[J]) -> Result<J, String> {
    let arg = |i: usize| args.get(i).map(text_of).unwrap_or_default();
    let s = || text_of(&v);
    Ok(match name.to_ascii_lowercase().as_str() {
        "default" => {
            if matches!(&v, J::Null | J::Bool(false)) || matches!(&v, J::Str(x) if x.is_empty()) {
                args.first().cloned().unwrap_or(J::Null)
            } else {
                v
            }
        }
        "upcase" => J::Str(s().to_uppercase()),
        "downcase" => J::Str(s().to_lowercase()),
        "capitalize" => {
            let t = s();
            let mut c = t.chars();
            J::Str(match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            })
        }
        "size" => J::Num(
            match &v {
                J::Arr(i) => i.len(),
                J::Obj(f) => f.len(),
                J::Null => 0,
                _ => s().chars().count(),
            }
            .to_string(),
        ),
        "join" => match &v {
            J::Arr(items) => J::Str(
                items
                    .iter()
                    .map(text_of)
                    .collect::<Vec<_>>()
                    .join(&args.first().map(text_of).unwrap_or_else(|| " ".into())),
            ),
            _ => v,
        },
        "split" => J::Arr(
            s().split(arg(0).as_str())
                .map(|p| J::Str(p.to_string()))
                .collect(),
        ),
        "first" => match &v {
            J::Arr(items) => items.first().cloned().unwrap_or(J::Null),
            _ => J::Str(s().chars().next().map(String::from).unwrap_or_default()),
        },
        "last" => match &v {
            J::Arr(items) => items.last().cloned().unwrap_or(J::Null),
            _ => J::Str(s().chars().last().map(String::from).unwrap_or_default()),
        },
        "replace" => J::Str(if arg(0).is_empty() {
            s()
        } else {
            s().replace(&arg(0), &arg(1))
        }),
        "replacefirst" | "replace_first" => J::Str(if arg(0).is_empty() {
            s()
        } else {
            s().replacen(&arg(0), &arg(1), 1)
        }),
        "remove" => J::Str(if arg(0).is_empty() {
            s()
        } else {
            s().replace(&arg(0), "")
        }),
        "append" => J::Str(s() + &arg(0)),
        "prepend" => J::Str(arg(0) + &s()),
        "strip" => J::Str(s().trim().to_string()),
        "lstrip" => J::Str(s().trim_start().to_string()),
        "rstrip" => J::Str(s().trim_end().to_string()),
        "truncate" => {
            let n = args.first().map(num).unwrap_or(50.0).max(0.0) as usize;
            let t = s();
            if t.chars().count() <= n {
                J::Str(t)
            } else {
                let ell = args.get(1).map(text_of).unwrap_or_else(|| "...".into());
                let keep = n.saturating_sub(ell.chars().count());
                J::Str(t.chars().take(keep).collect::<String>() + &ell)
            }
        }
        "urlencode" | "url_encode" => J::Str(url_encode(&s())),
        "urldecode" | "url_decode" => J::Str(url_decode(&s())),
        "escape" | "h" => J::Str(
            s().replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;"),
        ),
        "plus" => num_j(num(&v) + args.first().map(num).unwrap_or(0.0)),
        "minus" => num_j(num(&v) - args.first().map(num).unwrap_or(0.0)),
        "times" => num_j(num(&v) * args.first().map(num).unwrap_or(1.0)),
        "dividedby" | "divided_by" => {
            let d = args.first().map(num).unwrap_or(1.0);
            if d == 0.0 {
                return Err("DividedBy: division by zero".into());
            }
            num_j(num(&v) / d)
        }
        "modulo" => {
            let d = args.first().map(num).unwrap_or(1.0);
            if d == 0.0 {
                return Err("Modulo: division by zero".into());
            }
            num_j(num(&v) % d)
        }
        "date" => J::Str(date(&s(), &arg(0))),
        other => return Err(format!("unknown filter '{other}'")),
    })
}

fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if c == b'+' { b' ' } else { c });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `Date` filter: .NET format strings (`yyyy-MM-dd`), strftime (`%Y-%m-%d`) too.
fn date(value: &str, format: &str) -> String {
    let ts = if value.eq_ignore_ascii_case("now") || value.eq_ignore_ascii_case("today") {
        None
    } else {
        crate::time::parse_rfc3339(value).or_else(|| crate::time::parse_date(value))
    };
    let Some(ts) = ts else {
        return value.to_string();
    };
    let days = ts.seconds.div_euclid(86_400);
    let (y, mo, d) = crate::time::civil_from_days(days);
    let secs = ts.seconds.rem_euclid(86_400);
    let (h, mi, se) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if format.contains('%') {
        return format
            .replace("%Y", &format!("{y:04}"))
            .replace("%m", &format!("{mo:02}"))
            .replace("%d", &format!("{d:02}"))
            .replace("%H", &format!("{h:02}"))
            .replace("%M", &format!("{mi:02}"))
            .replace("%S", &format!("{se:02}"));
    }
    if format.is_empty() {
        return ts.to_rfc3339();
    }
    let mut out = String::new();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        match c {
            'y' if n >= 4 => out.push_str(&format!("{y:04}")),
            'y' => out.push_str(&format!("{:02}", y % 100)),
            'M' => out.push_str(&format!("{mo:0n$}")),
            'd' => out.push_str(&format!("{d:0n$}")),
            'H' => out.push_str(&format!("{h:0n$}")),
            'm' => out.push_str(&format!("{mi:0n$}")),
            's' => out.push_str(&format!("{se:0n$}")),
            'f' => out.push_str(&format!(
                "{:0n$}",
                u64::from(ts.millis) * 10u64.pow(n.min(9) as u32) / 1000
            )),
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

fn url_value(u: &apim_expr::Url) -> J {
    J::Obj(vec![
        ("__text".into(), J::Str(u.to_string())),
        ("Scheme".into(), J::Str(u.scheme.clone())),
        ("Host".into(), J::Str(u.host.clone())),
        ("Port".into(), J::Num(u.port.to_string())),
        ("Path".into(), J::Str(u.path.clone())),
        ("QueryString".into(), J::Str(u.query_string())),
        (
            "Query".into(),
            J::Obj(
                u.query
                    .iter()
                    .map(|(k, v)| (k.clone(), J::Str(v.clone())))
                    .collect(),
            ),
        ),
    ])
}

fn headers_value(h: &apim_expr::Headers) -> J {
    J::Obj(
        h.0.iter()
            .map(|(k, v)| (k.clone(), J::Str(v.join(","))))
            .collect(),
    )
}

fn guid(g: u128) -> String {
    let h = format!("{g:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        h.get(0..8).unwrap_or(""),
        h.get(8..12).unwrap_or(""),
        h.get(12..16).unwrap_or(""),
        h.get(16..20).unwrap_or(""),
        h.get(20..32).unwrap_or("")
    )
}

/// The `context` object as Liquid sees it.
fn context_value(ctx: &Context) -> J {
    let s = |x: &str| J::Str(x.to_string());
    let mut fields = vec![
        (
            "Request".to_string(),
            J::Obj(vec![
                ("Method".into(), s(&ctx.request.method)),
                ("Url".into(), url_value(&ctx.request.url)),
                ("OriginalUrl".into(), url_value(&ctx.request.original_url)),
                ("Headers".into(), headers_value(&ctx.request.headers)),
                ("IpAddress".into(), s(&ctx.request.ip_address)),
                (
                    "MatchedParameters".into(),
                    J::Obj(
                        ctx.request
                            .matched_parameters
                            .iter()
                            .map(|(k, v)| (k.clone(), s(v)))
                            .collect(),
                    ),
                ),
            ]),
        ),
        (
            "Response".into(),
            J::Obj(vec![
                (
                    "StatusCode".into(),
                    J::Num(ctx.response.status_code.to_string()),
                ),
                ("StatusReason".into(), s(&ctx.response.status_reason)),
                ("Headers".into(), headers_value(&ctx.response.headers)),
            ]),
        ),
        (
            "Api".into(),
            J::Obj(vec![
                ("Id".into(), s(&ctx.api.id)),
                ("Name".into(), s(&ctx.api.name)),
                ("Path".into(), s(&ctx.api.path)),
                ("Version".into(), s(&ctx.api.version)),
                ("Revision".into(), s(&ctx.api.revision)),
                (
                    "ServiceUrl".into(),
                    ctx.api
                        .service_url
                        .as_ref()
                        .map(url_value)
                        .unwrap_or(J::Null),
                ),
            ]),
        ),
        (
            "Operation".into(),
            J::Obj(vec![
                ("Id".into(), s(&ctx.operation.id)),
                ("Name".into(), s(&ctx.operation.name)),
                ("Method".into(), s(&ctx.operation.method)),
                ("UrlTemplate".into(), s(&ctx.operation.url_template)),
            ]),
        ),
        (
            "Deployment".into(),
            J::Obj(vec![
                ("Region".into(), s(&ctx.deployment.region)),
                ("ServiceName".into(), s(&ctx.deployment.service_name)),
                ("GatewayId".into(), s(&ctx.deployment.gateway_id)),
            ]),
        ),
        (
            "Variables".into(),
            J::Obj(
                ctx.variables
                    .0
                    .iter()
                    .map(|(k, v)| (k.clone(), s(&v.to_policy_string())))
                    .collect(),
            ),
        ),
        ("RequestId".into(), s(&guid(ctx.request_id))),
    ];
    if let Some(p) = &ctx.product {
        fields.push((
            "Product".into(),
            J::Obj(vec![("Id".into(), s(&p.id)), ("Name".into(), s(&p.name))]),
        ));
    }
    if let Some(sub) = &ctx.subscription {
        fields.push((
            "Subscription".into(),
            J::Obj(vec![
                ("Id".into(), s(&sub.id)),
                ("Name".into(), s(&sub.name)),
            ]),
        ));
    }
    if let Some(u) = &ctx.user {
        fields.push((
            "User".into(),
            J::Obj(vec![
                ("Id".into(), s(&u.id)),
                ("Email".into(), s(&u.email)),
                ("FirstName".into(), s(&u.first_name)),
                ("LastName".into(), s(&u.last_name)),
                (
                    "Groups".into(),
                    J::Arr(u.groups.iter().map(|g| s(g)).collect()),
                ),
            ]),
        ));
    }
    J::Obj(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_outside_quotes_only() {
        assert_eq!(
            split_outside_quotes("body.status | Upcase", &["|"]),
            ["body.status ", " Upcase"]
        );
        assert_eq!(
            split_outside_quotes("a | Replace: \"|\", 'x|y' | Size", &["|"]),
            ["a ", " Replace: \"|\", 'x|y' ", " Size"]
        );
        assert_eq!(
            split_outside_quotes("x == 1 or y", &[" or "]),
            ["x == 1", "y"]
        );
        assert_eq!(split_outside_quotes("", &[","]), [""]);
        assert_eq!(split_outside_quotes("é,ü,", &[","]), ["é", "ü", ""]);
        assert_eq!(
            split_outside_quotes("\"unclosed, still", &[","]),
            ["\"unclosed, still"]
        );
    }

    fn r(t: &str, body: &str) -> String {
        let mut ctx = Context::default();
        ctx.request.headers.set("X-Name", vec!["ada".into()]);
        render(t, &ctx, body, "application/json").unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn outputs_and_filters() {
        assert_eq!(r("{{ body.name | Upcase }}!", r#"{"name":"ada"}"#), "ADA!");
        assert_eq!(r("{{body.missing | Default: 'x'}}", "{}"), "x");
        assert_eq!(r("{{ body.items | Size }}", r#"{"items":[1,2,3]}"#), "3");
        assert_eq!(
            r("{{ body.items | Join: '-' }}", r#"{"items":[1,2]}"#),
            "1-2"
        );
        assert_eq!(r("{{ 'a b' | UrlEncode }}", "{}"), "a+b");
        assert_eq!(r("{{ '<a>' | Escape }}", "{}"), "&lt;a&gt;");
        assert_eq!(r("{{ 'b' | Append: 'c' | Prepend: 'a' }}", "{}"), "abc");
        assert_eq!(r("{{ 'aXa' | Replace: 'a', 'b' }}", "{}"), "bXb");
        assert_eq!(
            r(
                "{{ '2026-01-02T03:04:05Z' | Date: 'yyyy-MM-dd HH:mm' }}",
                "{}"
            ),
            "2026-01-02 03:04"
        );
        assert_eq!(r("{{ context.Request.Headers['X-Name'] }}", "{}"), "ada");
        assert_eq!(r("{{ context.Request.Method | Downcase }}", "{}"), "get");
        assert_eq!(
            r("{{ context.Request.OriginalUrl.Host }}", "{}"),
            "contoso.azure-api.net"
        );
    }

    #[test]
    fn tags() {
        let body = r#"{"n":2,"items":[{"id":"a"},{"id":"b"}],"kind":"x"}"#;
        assert_eq!(
            r(
                "{% if body.n > 1 %}big{% elsif body.n == 1 %}one{% else %}none{% endif %}",
                body
            ),
            "big"
        );
        assert_eq!(
            r(
                "{% for i in body.items %}{{forloop.index}}{{i.id}}{% endfor %}",
                body
            ),
            "1a2b"
        );
        assert_eq!(
            r(
                "{% case body.kind %}{% when 'y' %}Y{% when 'x' %}X{% else %}?{% endcase %}",
                body
            ),
            "X"
        );
        assert_eq!(r("{% unless body.n == 2 %}no{% endunless %}ok", body), "ok");
        assert_eq!(r("{% assign k = body.kind | Upcase %}{{k}}", body), "X");
        assert!(r("{% if x %}", body).starts_with("ERR"));
        assert!(r("{{ x | Nope }}", body).starts_with("ERR"));
    }
}
