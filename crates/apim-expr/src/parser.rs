//! Recursive-descent parser for the C# subset of policy expressions.
//!
//! Parsing never fails: [`parse`] returns the tree (with [`E::Error`] / [`S::Error`] holes) and
//! every syntax error found, each with the byte span inside the expression code. Nesting is
//! bounded ([`MAX_DEPTH`]) so neither the parser nor the evaluator can overflow the stack.

use std::fmt;
use std::rc::Rc;

use crate::ast::*;
use crate::lexer::{IPart, Lexer, NumSuffix, Tok, Token};
use crate::scan::ExprKind;

/// Deepest nesting of expressions/statements accepted.
pub const MAX_DEPTH: usize = 40;
/// Longest operator chain (`a + b + …`) and member/call chain (`a.b().c[0]…`) accepted.
pub const MAX_BINARY_CHAIN: usize = 500;
pub const MAX_POSTFIX_CHAIN: usize = 100;
const MAX_ERRORS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    /// Byte range inside the expression code.
    pub span: Span,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The body of a parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// `@( expression )`
    Expr(Expr),
    /// `@{ statements }`
    Block(Vec<Stmt>),
}

/// The result of [`parse`]: a (possibly partial) tree and all syntax errors.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub kind: ExprKind,
    pub body: Body,
    pub errors: Vec<SyntaxError>,
}

impl Parsed {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Parse the code of an expression (the text between `@(`/`@{` and its closing bracket).
pub fn parse(code: &str, kind: ExprKind) -> Parsed {
    let (toks, lex_errors) = Lexer::new(code, 0, code.len()).tokenize();
    let mut p = Parser {
        src: code,
        toks,
        pos: 0,
        errors: lex_errors,
        depth: 0,
        too_deep: false,
    };
    p.check_brackets();
    let body = match kind {
        ExprKind::Single => {
            if p.at_eof() {
                p.errors.push(SyntaxError {
                    message: "empty expression".into(),
                    span: Span::new(0, code.len()),
                });
                Body::Expr(Expr {
                    kind: E::Error,
                    span: Span::new(0, code.len()),
                })
            } else {
                let e = p.expr();
                if !p.at_eof() {
                    let t = p.cur().clone();
                    p.error(
                        t.span,
                        format!(
                            "unexpected {} after the end of the expression",
                            describe(&t.tok)
                        ),
                    );
                }
                Body::Expr(e)
            }
        }
        ExprKind::Block => {
            let stmts = p.statements(false);
            if stmts.is_empty() {
                p.errors.push(SyntaxError {
                    message: "empty expression: a `@{ }` block must return a value".into(),
                    span: Span::new(0, code.len()),
                });
            } else if !always_exits(&stmts) && p.errors.is_empty() {
                let span = stmts
                    .last()
                    .map(|s| s.span)
                    .unwrap_or(Span::new(0, code.len()));
                p.errors.push(SyntaxError {
                    message: "not all code paths return a value: every path of a `@{ }` block must end with `return`".into(),
                    span,
                });
            }
            Body::Block(stmts)
        }
    };
    let mut errors = p.errors;
    crate::sort::sort_by_key(&mut errors, |e| (e.span.start, e.span.end));
    errors.dedup();
    errors.truncate(MAX_ERRORS);
    Parsed { kind, body, errors }
}

/// Syntax errors only; what the linter calls on every keystroke.
pub fn check(code: &str, kind: ExprKind) -> Vec<SyntaxError> {
    parse(code, kind).errors
}

/// Does every path through `stmts` end in `return` or `throw`?
pub fn always_exits(stmts: &[Stmt]) -> bool {
    stmts.iter().any(stmt_exits)
}

fn stmt_exits(s: &Stmt) -> bool {
    match &s.kind {
        S::Return(_) | S::Throw(_) | S::Error => true,
        S::Block(b) => always_exits(b),
        S::If(_, a, Some(b)) => stmt_exits(a) && stmt_exits(b),
        S::While(c, body) | S::DoWhile(body, c) => {
            matches!(c.kind, E::Lit(Lit::Bool(true))) && !contains_break(body)
        }
        S::For(_, None, _, body) => !contains_break(body),
        S::For(_, Some(c), _, body) => {
            matches!(c.kind, E::Lit(Lit::Bool(true))) && !contains_break(body)
        }
        S::Switch(_, sections) => {
            sections
                .iter()
                .any(|s| s.labels.iter().any(Option::is_none))
                && sections
                    .iter()
                    .all(|s| always_exits(&s.body) && !s.body.iter().any(contains_break))
        }
        S::Try(body, catches, finally) => {
            finally.as_ref().is_some_and(|f| always_exits(f))
                || (always_exits(body) && catches.iter().all(|c| always_exits(&c.body)))
        }
        _ => false,
    }
}

/// A `break` that leaves this statement (not one of a nested loop or switch).
fn contains_break(s: &Stmt) -> bool {
    match &s.kind {
        S::Break => true,
        S::Block(b) => b.iter().any(contains_break),
        S::If(_, a, b) => contains_break(a) || b.as_deref().is_some_and(contains_break),
        S::Try(b, c, f) => {
            b.iter().any(contains_break)
                || c.iter().any(|c| c.body.iter().any(contains_break))
                || f.as_ref().is_some_and(|f| f.iter().any(contains_break))
        }
        _ => false,
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Int { .. } | Tok::Real { .. } => "number".into(),
        Tok::Str(_) | Tok::Interp(_) => "string literal".into(),
        Tok::Char(_) => "character literal".into(),
        Tok::Punct(p) => format!("`{p}`"),
        Tok::Eof => "end of expression".into(),
    }
}

const KEYWORDS: &[&str] = &[
    "new",
    "true",
    "false",
    "null",
    "is",
    "as",
    "typeof",
    "default",
    "nameof",
    "return",
    "if",
    "else",
    "foreach",
    "in",
    "for",
    "while",
    "do",
    "break",
    "continue",
    "switch",
    "case",
    "try",
    "catch",
    "finally",
    "throw",
    "out",
    "ref",
    "checked",
    "unchecked",
    "void",
    "this",
    "base",
];

const PREDEFINED: &[&str] = &[
    "string", "int", "long", "bool", "double", "decimal", "float", "byte", "sbyte", "char",
    "object", "short", "ushort", "uint", "ulong", "dynamic",
];

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    errors: Vec<SyntaxError>,
    depth: usize,
    too_deep: bool,
}

type PResult<T> = Result<T, ()>;

impl<'a> Parser<'a> {
    // ---------- token helpers ----------

    fn cur(&self) -> &Token {
        self.tok_at(self.pos)
    }

    fn tok_at(&self, i: usize) -> &Token {
        static EOF: Token = Token {
            tok: Tok::Eof,
            span: Span { start: 0, end: 0 },
        };
        self.toks.get(i).or(self.toks.last()).unwrap_or(&EOF)
    }

    fn peek(&self, n: usize) -> &Tok {
        &self.tok_at(self.pos + n).tok
    }

    fn span(&self) -> Span {
        self.cur().span
    }

    fn prev_end(&self) -> usize {
        if self.pos == 0 {
            0
        } else {
            self.tok_at(self.pos - 1).span.end
        }
    }

    fn at_eof(&self) -> bool {
        matches!(self.cur().tok, Tok::Eof)
    }

    fn bump(&mut self) -> Token {
        let t = self.cur().clone();
        if !matches!(t.tok, Tok::Eof) {
            self.pos += 1;
        }
        t
    }

    fn is_p(&self, p: &str) -> bool {
        matches!(self.peek(0), Tok::Punct(q) if *q == p)
    }

    fn is_p_at(&self, n: usize, p: &str) -> bool {
        matches!(self.peek(n), Tok::Punct(q) if *q == p)
    }

    fn eat_p(&mut self, p: &str) -> bool {
        if self.is_p(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn is_kw(&self, k: &str) -> bool {
        matches!(self.peek(0), Tok::Ident(s) if s == k)
    }

    fn eat_kw(&mut self, k: &str) -> bool {
        if self.is_kw(k) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn error(&mut self, span: Span, msg: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(SyntaxError {
                message: msg.into(),
                span,
            });
        }
    }

    fn expect_p(&mut self, p: &str) -> PResult<()> {
        if self.eat_p(p) {
            return Ok(());
        }
        let t = self.cur().clone();
        let span = if matches!(t.tok, Tok::Eof) {
            Span::new(self.prev_end(), self.prev_end())
        } else {
            t.span
        };
        self.error(span, format!("expected `{p}`, found {}", describe(&t.tok)));
        Err(())
    }

    fn ident_name(&mut self) -> PResult<(String, Span)> {
        match self.cur().tok.clone() {
            Tok::Ident(s) if !KEYWORDS.contains(&s.as_str()) => {
                let sp = self.bump().span;
                Ok((s, sp))
            }
            t => {
                let sp = self.span();
                self.error(sp, format!("expected a name, found {}", describe(&t)));
                Err(())
            }
        }
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                let sp = self.span();
                self.error(sp, "expression is nested too deeply");
            }
            // Stop parsing: jump to the end.
            self.pos = self.toks.len().saturating_sub(1);
            return false;
        }
        true
    }

    /// A chain of `n` operators is still acceptable; else report once and stop parsing.
    fn chain_ok(&mut self, n: usize, max: usize) -> bool {
        if n <= max {
            return true;
        }
        if !self.too_deep {
            self.too_deep = true;
            let sp = self.span();
            self.error(sp, "expression is too long");
        }
        self.pos = self.toks.len().saturating_sub(1);
        false
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Report unbalanced brackets once, with good messages; parsing goes on regardless.
    fn check_brackets(&mut self) {
        let mut stack: Vec<(&'static str, Span)> = Vec::new();
        let mut errs = Vec::new();
        for t in &self.toks {
            if let Tok::Punct(p) = t.tok {
                match p {
                    "(" | "[" | "{" => stack.push((p, t.span)),
                    ")" | "]" | "}" => {
                        let want = match p {
                            ")" => "(",
                            "]" => "[",
                            _ => "{",
                        };
                        match stack.last() {
                            Some((o, _)) if *o == want => {
                                stack.pop();
                            }
                            Some((o, sp)) if stack.iter().any(|(x, _)| *x == want) => {
                                errs.push((
                                    *sp,
                                    format!("`{o}` is never closed (found `{p}` first)"),
                                ));
                                while let Some((x, _)) = stack.pop() {
                                    if x == want {
                                        break;
                                    }
                                }
                            }
                            _ => errs.push((t.span, format!("unbalanced `{p}`: nothing to close"))),
                        }
                    }
                    _ => {}
                }
            }
        }
        for (o, sp) in stack {
            errs.push((sp, format!("`{o}` is never closed")));
        }
        for (sp, m) in errs {
            self.error(sp, m);
        }
    }

    // ---------- types ----------

    /// Speculatively parse a type; on failure the position is restored.
    fn try_type(&mut self) -> Option<TypeRef> {
        let save = self.pos;
        let r = self.type_inner();
        if r.is_none() {
            self.pos = save;
        }
        r
    }

    fn type_inner(&mut self) -> Option<TypeRef> {
        let start = self.span().start;
        let Tok::Ident(first) = self.peek(0).clone() else {
            return None;
        };
        if KEYWORDS.contains(&first.as_str()) {
            return None;
        }
        self.pos += 1;
        let mut name = first;
        let mut args = Vec::new();
        loop {
            if self.is_p("<") {
                args = self.type_args()?;
            }
            if (self.is_p(".") || self.is_p("::"))
                && matches!(self.peek(1), Tok::Ident(s) if !KEYWORDS.contains(&s.as_str()))
                && args.is_empty()
            {
                self.pos += 1;
                if let Tok::Ident(s) = self.bump().tok {
                    name = s;
                }
                continue;
            }
            break;
        }
        let mut nullable = false;
        if self.is_p("?") && !matches!(self.peek(1), Tok::Ident(_) | Tok::Int { .. } | Tok::Str(_))
        {
            self.pos += 1;
            nullable = true;
        }
        let mut array = 0u8;
        while self.is_p("[") && self.is_p_at(1, "]") {
            self.pos += 2;
            array = array.saturating_add(1);
        }
        Some(TypeRef {
            name,
            args,
            array,
            nullable,
            span: Span::new(start, self.prev_end()),
        })
    }

    fn type_args(&mut self) -> Option<Vec<TypeRef>> {
        if !self.eat_p("<") {
            return None;
        }
        let mut args = Vec::new();
        loop {
            if self.depth > MAX_DEPTH {
                return None;
            }
            self.depth += 1;
            let t = self.type_inner();
            self.depth -= 1;
            args.push(t?);
            if self.eat_p(",") {
                continue;
            }
            if self.eat_p(">") {
                return Some(args);
            }
            return None;
        }
    }

    /// A type where one is required (casts are decided before this).
    fn require_type(&mut self) -> PResult<TypeRef> {
        match self.try_type() {
            Some(t) => Ok(t),
            None => {
                let t = self.cur().clone();
                self.error(
                    t.span,
                    format!("expected a type, found {}", describe(&t.tok)),
                );
                Err(())
            }
        }
    }

    /// Generic arguments after a name in an expression (`As<JObject>()`), decided as C#
    /// does: only if the token after `>` can follow a generic name.
    fn try_generic_args(&mut self) -> Vec<TypeRef> {
        if !self.is_p("<") {
            return Vec::new();
        }
        let save = self.pos;
        if let Some(args) = self.type_args() {
            let follows = match self.peek(0) {
                Tok::Punct(p) => matches!(
                    *p,
                    "(" | ")"
                        | "]"
                        | "}"
                        | ":"
                        | ";"
                        | ","
                        | "."
                        | "?"
                        | "=="
                        | "!="
                        | "|"
                        | "^"
                        | "&&"
                        | "||"
                        | "&"
                        | "["
                        | "?."
                ),
                Tok::Eof => true,
                _ => false,
            };
            if follows {
                return args;
            }
        }
        self.pos = save;
        Vec::new()
    }

    // ---------- statements ----------

    /// Statements up to `}` (not consumed) or the end.
    fn statements(&mut self, in_braces: bool) -> Vec<Stmt> {
        let mut out = Vec::new();
        loop {
            if self.at_eof() || (self.is_p("}") && (in_braces || self.depth > 0)) {
                break;
            }
            if self.is_p("}") {
                // A stray `}` at top level (already reported by the bracket check).
                self.pos += 1;
                continue;
            }
            let before = self.pos;
            let errs = self.errors.len();
            let s = self.statement();
            out.push(s);
            if self.errors.len() > errs {
                self.sync();
            }
            if self.pos == before {
                self.pos += 1;
            }
        }
        out
    }

    /// Skip to the next statement boundary after an error.
    fn sync(&mut self) {
        if self.pos > 0 && matches!(self.tok_at(self.pos - 1).tok, Tok::Punct(";" | "}")) {
            return;
        }
        let mut depth = 0usize;
        loop {
            match self.peek(0) {
                Tok::Eof => return,
                Tok::Punct(";") if depth == 0 => {
                    self.pos += 1;
                    return;
                }
                Tok::Punct("}") if depth == 0 => return,
                Tok::Punct("(" | "[" | "{") => depth += 1,
                Tok::Punct(")" | "]" | "}") => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn statement(&mut self) -> Stmt {
        let start = self.span().start;
        if !self.enter() {
            return Stmt {
                kind: S::Error,
                span: Span::new(start, start),
            };
        }
        let kind = self.statement_kind().unwrap_or(S::Error);
        self.leave();
        Stmt {
            kind,
            span: Span::new(start, self.prev_end()),
        }
    }

    fn block(&mut self) -> PResult<Vec<Stmt>> {
        self.expect_p("{")?;
        let b = self.statements(true);
        self.expect_p("}")?;
        Ok(b)
    }

    fn embedded(&mut self) -> Box<Stmt> {
        Box::new(self.statement())
    }

    fn statement_kind(&mut self) -> PResult<S> {
        if self.is_p("{") {
            return Ok(S::Block(self.block()?));
        }
        if self.eat_p(";") {
            return Ok(S::Empty);
        }
        if let Tok::Ident(kw) = self.peek(0).clone() {
            match kw.as_str() {
                "return" => {
                    self.pos += 1;
                    if self.eat_p(";") {
                        return Ok(S::Return(None));
                    }
                    let e = self.expr();
                    self.expect_p(";")?;
                    return Ok(S::Return(Some(e)));
                }
                "if" => {
                    self.pos += 1;
                    self.expect_p("(")?;
                    let c = self.expr();
                    self.expect_p(")")?;
                    let then = self.embedded();
                    let els = if self.eat_kw("else") {
                        Some(self.embedded())
                    } else {
                        None
                    };
                    return Ok(S::If(c, then, els));
                }
                "while" => {
                    self.pos += 1;
                    self.expect_p("(")?;
                    let c = self.expr();
                    self.expect_p(")")?;
                    return Ok(S::While(c, self.embedded()));
                }
                "do" => {
                    self.pos += 1;
                    let body = self.embedded();
                    if !self.eat_kw("while") {
                        let sp = self.span();
                        self.error(sp, "expected `while` after a `do` body");
                        return Err(());
                    }
                    self.expect_p("(")?;
                    let c = self.expr();
                    self.expect_p(")")?;
                    self.expect_p(";")?;
                    return Ok(S::DoWhile(body, c));
                }
                "foreach" => {
                    self.pos += 1;
                    self.expect_p("(")?;
                    let ty = if self.is_kw("var") && matches!(self.peek(1), Tok::Ident(_)) {
                        self.pos += 1;
                        None
                    } else {
                        Some(self.require_type()?)
                    };
                    let (name, _) = self.ident_name()?;
                    if !self.eat_kw("in") {
                        let sp = self.span();
                        self.error(sp, "expected `in` in foreach");
                        return Err(());
                    }
                    let e = self.expr();
                    self.expect_p(")")?;
                    return Ok(S::Foreach(ty, name, e, self.embedded()));
                }
                "for" => {
                    self.pos += 1;
                    self.expect_p("(")?;
                    let mut init = Vec::new();
                    if !self.is_p(";") {
                        let st = self.span().start;
                        if let Some(d) = self.try_declaration()? {
                            init.push(Stmt {
                                kind: d,
                                span: Span::new(st, self.prev_end()),
                            });
                        } else {
                            loop {
                                let e = self.expr();
                                let span = e.span;
                                init.push(Stmt {
                                    kind: S::Expr(e),
                                    span,
                                });
                                if !self.eat_p(",") {
                                    break;
                                }
                            }
                        }
                    }
                    self.expect_p(";")?;
                    let cond = if self.is_p(";") {
                        None
                    } else {
                        Some(self.expr())
                    };
                    self.expect_p(";")?;
                    let mut step = Vec::new();
                    if !self.is_p(")") {
                        loop {
                            step.push(self.expr());
                            if !self.eat_p(",") {
                                break;
                            }
                        }
                    }
                    self.expect_p(")")?;
                    return Ok(S::For(init, cond, step, self.embedded()));
                }
                "break" => {
                    self.pos += 1;
                    self.expect_p(";")?;
                    return Ok(S::Break);
                }
                "continue" => {
                    self.pos += 1;
                    self.expect_p(";")?;
                    return Ok(S::Continue);
                }
                "throw" => {
                    self.pos += 1;
                    if self.eat_p(";") {
                        return Ok(S::Throw(None));
                    }
                    let e = self.expr();
                    self.expect_p(";")?;
                    return Ok(S::Throw(Some(e)));
                }
                "checked" | "unchecked" if self.is_p_at(1, "{") => {
                    self.pos += 1;
                    return Ok(S::Block(self.block()?));
                }
                "const" => {
                    self.pos += 1;
                    if let Some(d) = self.try_declaration()? {
                        self.expect_p(";")?;
                        return Ok(d);
                    }
                    let sp = self.span();
                    self.error(sp, "expected a constant declaration after `const`");
                    return Err(());
                }
                "using" if self.is_p_at(1, "(") => {
                    // `using (var x = …) body`: no disposal to model.
                    self.pos += 2;
                    let st = self.span().start;
                    let head = match self.try_declaration()? {
                        Some(d) => d,
                        None => S::Expr(self.expr()),
                    };
                    let head = Stmt {
                        kind: head,
                        span: Span::new(st, self.prev_end()),
                    };
                    self.expect_p(")")?;
                    let body = self.statement();
                    return Ok(S::Block(vec![head, body]));
                }
                "switch" => return self.switch(),
                "try" => {
                    self.pos += 1;
                    let body = self.block()?;
                    let mut catches = Vec::new();
                    while self.eat_kw("catch") {
                        let (mut ty, mut name) = (None, None);
                        if self.eat_p("(") {
                            ty = Some(self.require_type()?);
                            if let Tok::Ident(n) = self.peek(0).clone() {
                                self.pos += 1;
                                name = Some(n);
                            }
                            self.expect_p(")")?;
                        }
                        if self.eat_kw("when") {
                            self.expect_p("(")?;
                            let _ = self.expr();
                            self.expect_p(")")?;
                        }
                        let body = self.block()?;
                        catches.push(Catch { ty, name, body });
                    }
                    let finally = if self.eat_kw("finally") {
                        Some(self.block()?)
                    } else {
                        None
                    };
                    if catches.is_empty() && finally.is_none() {
                        let sp = self.span();
                        self.error(sp, "expected `catch` or `finally` after a `try` block");
                    }
                    return Ok(S::Try(body, catches, finally));
                }
                "else" => {
                    let sp = self.span();
                    self.error(sp, "`else` without a matching `if`");
                    self.pos += 1;
                    return Err(());
                }
                "case" | "default" if kw == "case" || self.is_p_at(1, ":") => {
                    let sp = self.span();
                    self.error(sp, format!("`{kw}` outside a switch"));
                    return Err(());
                }
                _ => {}
            }
        }
        if let Some(d) = self.try_declaration()? {
            if let S::LocalFn(_) = d {
                return Ok(d);
            }
            self.expect_p(";")?;
            return Ok(d);
        }
        let e = self.expr();
        if !matches!(
            e.kind,
            E::Assign(..)
                | E::Call(..)
                | E::Unary(
                    UnOp::PreInc | UnOp::PreDec | UnOp::PostInc | UnOp::PostDec,
                    _
                )
                | E::New(..)
                | E::NullCond(_)
                | E::Error
                | E::Throw(_)
        ) {
            self.error(
                e.span,
                "only assignment, call, increment, decrement and new object expressions can be used as a statement",
            );
        }
        self.expect_p(";")?;
        Ok(S::Expr(e))
    }

    fn switch(&mut self) -> PResult<S> {
        self.pos += 1;
        self.expect_p("(")?;
        let subject = self.expr();
        self.expect_p(")")?;
        self.expect_p("{")?;
        let mut sections = Vec::new();
        while !self.is_p("}") && !self.at_eof() {
            let mut labels = Vec::new();
            loop {
                if self.eat_kw("case") {
                    labels.push(Some(self.expr()));
                    self.expect_p(":")?;
                } else if self.is_kw("default") && self.is_p_at(1, ":") {
                    self.pos += 2;
                    labels.push(None);
                } else {
                    break;
                }
            }
            if labels.is_empty() {
                let t = self.cur().clone();
                self.error(
                    t.span,
                    format!("expected `case` or `default`, found {}", describe(&t.tok)),
                );
                return Err(());
            }
            let mut body = Vec::new();
            while !(self.is_p("}")
                || self.at_eof()
                || self.is_kw("case")
                || (self.is_kw("default") && self.is_p_at(1, ":")))
            {
                let before = self.pos;
                let errs = self.errors.len();
                body.push(self.statement());
                if self.errors.len() > errs {
                    self.sync();
                }
                if self.pos == before {
                    self.pos += 1;
                }
            }
            sections.push(SwitchSection { labels, body });
        }
        self.expect_p("}")?;
        Ok(S::Switch(subject, sections))
    }

    /// `var x = …`, `T x = …, y`, or a local function `T Name(params) { … }`.
    fn try_declaration(&mut self) -> PResult<Option<S>> {
        let save = self.pos;
        let ty = if self.is_kw("var") && matches!(self.peek(1), Tok::Ident(_)) {
            self.pos += 1;
            None
        } else if self.is_kw("void") {
            self.pos += 1;
            Some(TypeRef::simple("void", self.tok_at(self.pos - 1).span))
        } else {
            match self.try_type() {
                Some(t) => Some(t),
                None => return Ok(None),
            }
        };
        let is_decl = matches!(self.peek(0), Tok::Ident(s) if !KEYWORDS.contains(&s.as_str()))
            && matches!(self.peek(1), Tok::Punct("=" | ";" | "," | "(" | "=>"));
        if !is_decl {
            self.pos = save;
            return Ok(None);
        }
        let (name, name_span) = self.ident_name()?;
        if self.is_p("(") {
            let ret = ty.filter(|t| t.name != "void");
            let lambda_start = self.span().start;
            let params = self.param_list()?;
            let body = if self.eat_p("=>") {
                let e = self.expr();
                self.expect_p(";")?;
                LambdaBody::Expr(e)
            } else {
                LambdaBody::Block(self.block()?)
            };
            return Ok(Some(S::LocalFn(LocalFn {
                name,
                ret,
                lambda: Rc::new(Lambda {
                    params,
                    body,
                    span: Span::new(lambda_start, self.prev_end()),
                }),
            })));
        }
        let mut vars = Vec::new();
        let mut cur = (name, name_span);
        loop {
            let init = if self.eat_p("=") {
                Some(self.var_initializer())
            } else {
                None
            };
            vars.push((cur.0, cur.1, init));
            if !self.eat_p(",") {
                break;
            }
            cur = self.ident_name()?;
        }
        if ty.is_none() && vars.iter().any(|v| v.2.is_none()) {
            self.error(name_span, "implicitly-typed variables must be initialized");
        }
        Ok(Some(S::Decl(ty, vars)))
    }

    /// `= expr` or an array initializer `= { a, b }`.
    fn var_initializer(&mut self) -> Expr {
        if self.is_p("{") {
            let start = self.span().start;
            let items = self.collection_items().unwrap_or_default();
            return Expr {
                kind: E::NewArray(None, None, items),
                span: Span::new(start, self.prev_end()),
            };
        }
        self.expr()
    }

    fn param_list(&mut self) -> PResult<Vec<(Option<TypeRef>, String)>> {
        self.expect_p("(")?;
        let mut params = Vec::new();
        if self.eat_p(")") {
            return Ok(params);
        }
        loop {
            let _ = self.eat_kw("out") || self.eat_kw("ref") || self.eat_kw("this");
            // `name` alone (lambda) or `Type name`.
            let ty = if matches!(self.peek(1), Tok::Punct("," | ")")) {
                None
            } else {
                Some(self.require_type()?)
            };
            let (name, _) = self.ident_name()?;
            if self.eat_p("=") {
                let _ = self.expr();
            }
            params.push((ty, name));
            if self.eat_p(",") {
                continue;
            }
            self.expect_p(")")?;
            return Ok(params);
        }
    }

    // ---------- expressions ----------

    pub fn expr(&mut self) -> Expr {
        let start = self.span().start;
        if !self.enter() {
            return Expr {
                kind: E::Error,
                span: Span::new(start, start),
            };
        }
        let e = self.assignment();
        self.leave();
        e
    }

    fn mk(&self, kind: E, start: usize) -> Expr {
        Expr {
            kind,
            span: Span::new(start, self.prev_end()),
        }
    }

    fn err_expr(&mut self) -> Expr {
        let t = self.cur().clone();
        let span = if matches!(t.tok, Tok::Eof) {
            Span::new(self.prev_end(), self.prev_end())
        } else {
            t.span
        };
        let msg = match &t.tok {
            Tok::Eof => "expected an expression, found the end of the expression".to_string(),
            other => format!("expected an expression, found {}", describe(other)),
        };
        self.error(span, msg);
        if !matches!(t.tok, Tok::Eof | Tok::Punct(")" | "]" | "}" | ";" | ",")) {
            self.pos += 1;
        }
        Expr {
            kind: E::Error,
            span,
        }
    }

    fn is_lambda_start(&self) -> bool {
        match self.peek(0) {
            Tok::Ident(s) if !KEYWORDS.contains(&s.as_str()) => self.is_p_at(1, "=>"),
            Tok::Punct("(") => {
                let mut depth = 0usize;
                let mut i = self.pos;
                loop {
                    match &self.tok_at(i).tok {
                        Tok::Punct("(") => depth += 1,
                        Tok::Punct(")") => {
                            depth -= 1;
                            if depth == 0 {
                                return matches!(self.tok_at(i + 1).tok, Tok::Punct("=>"));
                            }
                        }
                        Tok::Ident(_) | Tok::Punct("," | "<" | ">" | "[" | "]" | "." | "?") => {}
                        _ => return false,
                    }
                    i += 1;
                }
            }
            _ => false,
        }
    }

    fn lambda(&mut self) -> Expr {
        let start = self.span().start;
        let params = if let Tok::Ident(n) = self.peek(0).clone() {
            self.pos += 1;
            vec![(None, n)]
        } else {
            match self.param_list() {
                Ok(p) => p,
                Err(()) => return self.mk(E::Error, start),
            }
        };
        if self.expect_p("=>").is_err() {
            return self.mk(E::Error, start);
        }
        let body = if self.is_p("{") {
            match self.block() {
                Ok(b) => LambdaBody::Block(b),
                Err(()) => LambdaBody::Block(Vec::new()),
            }
        } else {
            LambdaBody::Expr(self.expr())
        };
        let span = Span::new(start, self.prev_end());
        Expr {
            kind: E::Lambda(Rc::new(Lambda { params, body, span })),
            span,
        }
    }

    fn assignment(&mut self) -> Expr {
        if self.is_lambda_start() {
            return self.lambda();
        }
        let start = self.span().start;
        let lhs = self.conditional();
        let op = match self.peek(0) {
            Tok::Punct("=") => Some(None),
            Tok::Punct("+=") => Some(Some(BinOp::Add)),
            Tok::Punct("-=") => Some(Some(BinOp::Sub)),
            Tok::Punct("*=") => Some(Some(BinOp::Mul)),
            Tok::Punct("/=") => Some(Some(BinOp::Div)),
            Tok::Punct("%=") => Some(Some(BinOp::Rem)),
            Tok::Punct("&=") => Some(Some(BinOp::BitAnd)),
            Tok::Punct("|=") => Some(Some(BinOp::BitOr)),
            Tok::Punct("^=") => Some(Some(BinOp::BitXor)),
            Tok::Punct("<<=") => Some(Some(BinOp::Shl)),
            Tok::Punct("??=") => Some(Some(BinOp::Coalesce)),
            Tok::Punct(">") if self.is_p_at(1, ">=") && self.adjacent(0) => {
                self.pos += 1;
                Some(Some(BinOp::Shr))
            }
            _ => None,
        };
        let Some(op) = op else {
            return lhs;
        };
        if !matches!(
            lhs.kind,
            E::Name(..) | E::Member { .. } | E::Index { .. } | E::Error
        ) {
            self.error(
                lhs.span,
                "the left-hand side of an assignment must be a variable, property or indexer",
            );
        }
        self.pos += 1;
        let rhs = self.expr();
        self.mk(E::Assign(op, Box::new(lhs), Box::new(rhs)), start)
    }

    /// Tokens `pos+n` and `pos+n+1` touch (for `>` `>` shifts).
    fn adjacent(&self, n: usize) -> bool {
        self.tok_at(self.pos + n).span.end == self.tok_at(self.pos + n + 1).span.start
    }

    fn conditional(&mut self) -> Expr {
        let start = self.span().start;
        let c = self.coalesce();
        if !self.is_p("?") {
            return c;
        }
        self.pos += 1;
        let a = self.expr();
        if self.expect_p(":").is_err() {
            return self.mk(E::Error, start);
        }
        let b = self.expr();
        self.mk(E::Cond(Box::new(c), Box::new(a), Box::new(b)), start)
    }

    fn coalesce(&mut self) -> Expr {
        let start = self.span().start;
        let l = self.binary(1);
        if !self.eat_p("??") {
            return l;
        }
        let r = if self.is_kw("throw") {
            self.throw_expr()
        } else {
            if !self.enter() {
                return l;
            }
            let r = self.coalesce();
            self.leave();
            r
        };
        self.mk(E::Binary(BinOp::Coalesce, Box::new(l), Box::new(r)), start)
    }

    fn throw_expr(&mut self) -> Expr {
        let start = self.span().start;
        self.pos += 1;
        let e = self.expr();
        self.mk(E::Throw(Some(Box::new(e))), start)
    }

    fn binop(&self) -> Option<(BinOp, u8, usize)> {
        let (op, prec) = match self.peek(0) {
            Tok::Punct(p) => match *p {
                "||" => (BinOp::Or, 1),
                "&&" => (BinOp::And, 2),
                "|" => (BinOp::BitOr, 3),
                "^" => (BinOp::BitXor, 4),
                "&" => (BinOp::BitAnd, 5),
                "==" => (BinOp::Eq, 6),
                "!=" => (BinOp::Ne, 6),
                "<" => (BinOp::Lt, 7),
                ">" if self.is_p_at(1, ">") && self.adjacent(0) => return Some((BinOp::Shr, 8, 2)),
                ">" if self.is_p_at(1, ">=") && self.adjacent(0) => return None,
                ">" => (BinOp::Gt, 7),
                "<=" => (BinOp::Le, 7),
                ">=" => (BinOp::Ge, 7),
                "<<" => (BinOp::Shl, 8),
                "+" => (BinOp::Add, 9),
                "-" => (BinOp::Sub, 9),
                "*" => (BinOp::Mul, 10),
                "/" => (BinOp::Div, 10),
                "%" => (BinOp::Rem, 10),
                _ => return None,
            },
            _ => return None,
        };
        Some((op, prec, 1))
    }

    fn binary(&mut self, min: u8) -> Expr {
        let start = self.span().start;
        let mut lhs = self.unary();
        let mut levels = 0usize;
        loop {
            if (self.is_kw("is") || self.is_kw("as")) && 7 >= min {
                let is = self.is_kw("is");
                self.pos += 1;
                levels += 1;
                if !self.chain_ok(levels, MAX_BINARY_CHAIN) {
                    break;
                }
                if is {
                    match self.pattern() {
                        Ok(p) => lhs = self.mk(E::Is(Box::new(lhs), p), start),
                        Err(()) => lhs = self.mk(E::Error, start),
                    }
                } else {
                    match self.require_type() {
                        Ok(t) => lhs = self.mk(E::As(Box::new(lhs), t), start),
                        Err(()) => lhs = self.mk(E::Error, start),
                    }
                }
                continue;
            }
            let Some((op, prec, ntoks)) = self.binop() else {
                break;
            };
            if prec < min {
                break;
            }
            self.pos += ntoks;
            levels += 1;
            if !self.chain_ok(levels, MAX_BINARY_CHAIN) {
                break;
            }
            let rhs = self.binary(prec + 1);
            lhs = self.mk(E::Binary(op, Box::new(lhs), Box::new(rhs)), start);
        }
        lhs
    }

    fn pattern(&mut self) -> PResult<Pattern> {
        if self.eat_kw("not") {
            return Ok(Pattern::Not(Box::new(self.pattern()?)));
        }
        if self.is_kw("var") && matches!(self.peek(1), Tok::Ident(_)) {
            self.pos += 1;
            return Ok(Pattern::Var(self.ident_name()?.0));
        }
        if matches!(self.peek(0), Tok::Ident(s) if !KEYWORDS.contains(&s.as_str())) {
            let t = self.require_type()?;
            let name = match self.peek(0).clone() {
                Tok::Ident(n) if !KEYWORDS.contains(&n.as_str()) => {
                    self.pos += 1;
                    Some(n)
                }
                _ => None,
            };
            return Ok(Pattern::Type(t, name));
        }
        Ok(Pattern::Const(Box::new(self.unary())))
    }

    fn unary(&mut self) -> Expr {
        let start = self.span().start;
        let op = match self.peek(0) {
            Tok::Punct("-") => Some(UnOp::Neg),
            Tok::Punct("+") => Some(UnOp::Plus),
            Tok::Punct("!") => Some(UnOp::Not),
            Tok::Punct("~") => Some(UnOp::BitNot),
            Tok::Punct("++") => Some(UnOp::PreInc),
            Tok::Punct("--") => Some(UnOp::PreDec),
            _ => None,
        };
        if let Some(op) = op {
            self.pos += 1;
            if !self.enter() {
                return self.mk(E::Error, start);
            }
            let e = self.unary();
            self.leave();
            // Fold `-2147483648` and friends into literals.
            if let (UnOp::Neg, E::Lit(Lit::UInt(v))) = (op, &e.kind) {
                let v = *v;
                let kind = if v <= 2_147_483_648 {
                    E::Lit(Lit::Int((v as i64).wrapping_neg() as i32))
                } else {
                    E::Lit(Lit::Long((v as i128).wrapping_neg() as i64))
                };
                return self.mk(kind, start);
            }
            let e = normalize_uint(e);
            return self.mk(E::Unary(op, Box::new(e)), start);
        }
        if self.is_p("(")
            && let Some(e) = self.try_cast()
        {
            return e;
        }
        normalize_uint(self.postfix())
    }

    /// `(T)x`, decided as C# does: a predefined type always casts; another type casts when
    /// the token after `)` starts an operand (a name, literal, `(`, `!`, `~`).
    fn try_cast(&mut self) -> Option<Expr> {
        let start = self.span().start;
        let save = self.pos;
        self.pos += 1;
        let ty = self.try_type();
        let ok = match &ty {
            Some(t) if self.is_p(")") => {
                let predefined = PREDEFINED.contains(&t.name.as_str());
                let next = self.peek(1);
                match next {
                    Tok::Ident(s) => !matches!(s.as_str(), "is" | "as" | "in"),
                    Tok::Int { .. }
                    | Tok::Real { .. }
                    | Tok::Str(_)
                    | Tok::Char(_)
                    | Tok::Interp(_) => true,
                    Tok::Punct("(" | "!" | "~") => true,
                    Tok::Punct("-" | "+" | "++" | "--") => predefined,
                    _ => false,
                }
            }
            _ => false,
        };
        if !ok {
            self.pos = save;
            return None;
        }
        self.pos += 1; // `)`
        let ty = ty?;
        if !self.enter() {
            return Some(self.mk(E::Error, start));
        }
        let e = self.unary();
        self.leave();
        Some(self.mk(E::Cast(ty, Box::new(e)), start))
    }

    fn postfix(&mut self) -> Expr {
        let start = self.span().start;
        let mut e = self.primary();
        let mut null_cond = false;
        let mut levels = 0usize;
        loop {
            let step = match self.peek(0) {
                Tok::Punct("." | "?.") => {
                    let nc = self.is_p("?.");
                    self.pos += 1;
                    let name_span = self.span();
                    let Ok((name, _)) = self.member_name() else {
                        e = self.mk(E::Error, start);
                        break;
                    };
                    let generics = self.try_generic_args();
                    null_cond |= nc;
                    E::Member {
                        target: Box::new(e),
                        name,
                        generics,
                        null_cond: nc,
                        name_span,
                    }
                }
                Tok::Punct("?") if self.is_p_at(1, "[") && self.adjacent(0) => {
                    self.pos += 2;
                    let args = self.args_until("]");
                    null_cond = true;
                    E::Index {
                        target: Box::new(e),
                        args: args.into_iter().map(|a| a.expr).collect(),
                        null_cond: true,
                    }
                }
                Tok::Punct("(") => {
                    self.pos += 1;
                    let args = self.args_until(")");
                    E::Call(Box::new(e), args)
                }
                Tok::Punct("[") => {
                    self.pos += 1;
                    let args = self.args_until("]");
                    E::Index {
                        target: Box::new(e),
                        args: args.into_iter().map(|a| a.expr).collect(),
                        null_cond: false,
                    }
                }
                Tok::Punct("++") => {
                    self.pos += 1;
                    E::Unary(UnOp::PostInc, Box::new(e))
                }
                Tok::Punct("--") => {
                    self.pos += 1;
                    E::Unary(UnOp::PostDec, Box::new(e))
                }
                Tok::Punct("!") if matches!(self.peek(1), Tok::Punct("." | "[" | ")" | ";")) => {
                    // C# 8 null-forgiving `x!`: no runtime effect.
                    self.pos += 1;
                    continue;
                }
                _ => break,
            };
            e = self.mk(step, start);
            levels += 1;
            if !self.chain_ok(levels, MAX_POSTFIX_CHAIN) {
                break;
            }
        }
        if null_cond {
            e = self.mk(E::NullCond(Box::new(e)), start);
        }
        e
    }

    fn member_name(&mut self) -> PResult<(String, Span)> {
        match self.cur().tok.clone() {
            Tok::Ident(s) => {
                let sp = self.bump().span;
                Ok((s, sp))
            }
            t => {
                let sp = if matches!(t, Tok::Eof) {
                    Span::new(self.prev_end(), self.prev_end())
                } else {
                    self.span()
                };
                self.error(
                    sp,
                    format!("expected a member name, found {}", describe(&t)),
                );
                Err(())
            }
        }
    }

    /// Arguments up to the closer (consumed). Handles `name: expr`, `out var x`, `ref x`.
    fn args_until(&mut self, close: &str) -> Vec<Arg> {
        let mut args = Vec::new();
        if self.eat_p(close) {
            return args;
        }
        loop {
            let start = self.span().start;
            let mut name = None;
            if let (Tok::Ident(n), Tok::Punct(":")) = (self.peek(0).clone(), self.peek(1))
                && !KEYWORDS.contains(&n.as_str())
            {
                self.pos += 2;
                name = Some(n);
            }
            let mut by_ref = false;
            let expr = if self.is_kw("out") || self.is_kw("ref") || self.is_kw("in") {
                self.pos += 1;
                by_ref = true;
                // `out var x`, `out T x`, or `out x`.
                let is_decl = (self.is_kw("var") && matches!(self.peek(1), Tok::Ident(_))) || {
                    let save = self.pos;
                    let t = self.try_type();
                    let decl = t.is_some() && matches!(self.peek(0), Tok::Ident(_));
                    self.pos = save;
                    decl
                };
                if is_decl {
                    let ty = if self.eat_kw("var") {
                        None
                    } else {
                        self.try_type()
                    };
                    match self.ident_name() {
                        Ok((n, _)) => self.mk(E::OutVar(ty, n), start),
                        Err(()) => self.mk(E::Error, start),
                    }
                } else {
                    self.expr()
                }
            } else {
                self.expr()
            };
            args.push(Arg { name, by_ref, expr });
            if self.eat_p(",") {
                continue;
            }
            if self.eat_p(close) {
                return args;
            }
            let t = self.cur().clone();
            let span = if matches!(t.tok, Tok::Eof) {
                Span::new(self.prev_end(), self.prev_end())
            } else {
                t.span
            };
            self.error(
                span,
                format!("expected `,` or `{close}`, found {}", describe(&t.tok)),
            );
            // Recover: skip to the closer at this level.
            let mut depth = 0usize;
            loop {
                match self.peek(0) {
                    Tok::Eof => return args,
                    Tok::Punct(p) if *p == close && depth == 0 => {
                        self.pos += 1;
                        return args;
                    }
                    Tok::Punct(";") if depth == 0 => return args,
                    Tok::Punct("(" | "[" | "{") => depth += 1,
                    Tok::Punct(")" | "]" | "}") => {
                        if depth == 0 {
                            return args;
                        }
                        depth -= 1;
                    }
                    _ => {}
                }
                self.pos += 1;
            }
        }
    }

    fn primary(&mut self) -> Expr {
        let start = self.span().start;
        let t = self.cur().clone();
        match t.tok {
            Tok::Int { value, suffix } => {
                self.pos += 1;
                let lit = match suffix {
                    NumSuffix::L | NumSuffix::UL if value > i64::MAX as u64 => Lit::UInt(value),
                    NumSuffix::L | NumSuffix::UL => Lit::Long(value as i64),
                    NumSuffix::U => Lit::Long(value as i64),
                    _ if value <= i32::MAX as u64 => Lit::Int(value as i32),
                    // Maybe negated later (`-2147483648`); else an int/long.
                    _ => Lit::UInt(value),
                };
                self.mk(E::Lit(lit), start)
            }
            Tok::Real { value, suffix } => {
                self.pos += 1;
                let lit = if suffix == NumSuffix::M {
                    Lit::Decimal(value)
                } else {
                    Lit::Double(value)
                };
                self.mk(E::Lit(lit), start)
            }
            Tok::Str(s) => {
                self.pos += 1;
                self.mk(E::Lit(Lit::Str(Rc::from(s.as_str()))), start)
            }
            Tok::Char(c) => {
                self.pos += 1;
                self.mk(E::Lit(Lit::Char(c)), start)
            }
            Tok::Interp(parts) => {
                self.pos += 1;
                let parts = self.interp_parts(parts);
                self.mk(E::Interp(parts), start)
            }
            Tok::Punct("(") => {
                self.pos += 1;
                let e = self.expr();
                let _ = self.expect_p(")");
                // Keep the inner node but widen the span to the parentheses.
                Expr {
                    kind: e.kind,
                    span: Span::new(start, self.prev_end()),
                }
            }
            Tok::Ident(ref s) => match s.as_str() {
                "true" | "false" => {
                    self.pos += 1;
                    self.mk(E::Lit(Lit::Bool(s == "true")), start)
                }
                "null" => {
                    self.pos += 1;
                    self.mk(E::Lit(Lit::Null), start)
                }
                "new" => self.new_expr(),
                "typeof" => {
                    self.pos += 1;
                    if self.expect_p("(").is_err() {
                        return self.mk(E::Error, start);
                    }
                    let t = self.require_type();
                    let _ = self.expect_p(")");
                    match t {
                        Ok(t) => self.mk(E::Typeof(t), start),
                        Err(()) => self.mk(E::Error, start),
                    }
                }
                "default" => {
                    self.pos += 1;
                    if self.eat_p("(") {
                        let t = self.require_type().ok();
                        let _ = self.expect_p(")");
                        return self.mk(E::Default(t), start);
                    }
                    self.mk(E::Default(None), start)
                }
                "nameof" => {
                    self.pos += 1;
                    if self.expect_p("(").is_err() {
                        return self.mk(E::Error, start);
                    }
                    let e = self.expr();
                    let _ = self.expect_p(")");
                    let name = match &e.kind {
                        E::Name(n, _) => n.clone(),
                        E::Member { name, .. } => name.clone(),
                        _ => {
                            self.error(e.span, "this expression does not have a name");
                            String::new()
                        }
                    };
                    self.mk(E::Nameof(name), start)
                }
                "checked" | "unchecked" if self.is_p_at(1, "(") => {
                    self.pos += 2;
                    let e = self.expr();
                    let _ = self.expect_p(")");
                    Expr {
                        kind: e.kind,
                        span: Span::new(start, self.prev_end()),
                    }
                }
                "throw" => self.throw_expr(),
                "this" | "base" => {
                    self.pos += 1;
                    self.error(
                        t.span,
                        format!("`{s}` is not available in policy expressions"),
                    );
                    self.mk(E::Error, start)
                }
                k if KEYWORDS.contains(&k) => self.err_expr(),
                _ => {
                    let name = s.clone();
                    self.pos += 1;
                    let generics = self.try_generic_args();
                    self.mk(E::Name(name, generics), start)
                }
            },
            _ => self.err_expr(),
        }
    }

    fn interp_parts(&mut self, parts: Vec<IPart>) -> Vec<InterpPart> {
        let mut out = Vec::new();
        for part in parts {
            match part {
                IPart::Text(t) => out.push(InterpPart::Text(t)),
                IPart::Hole {
                    expr,
                    align,
                    format,
                } => {
                    let Some(e) = self.sub_expr(expr) else {
                        continue;
                    };
                    let align = align.and_then(|a| self.sub_expr(a)).map(Box::new);
                    out.push(InterpPart::Hole {
                        expr: Box::new(e),
                        align,
                        format,
                    });
                }
            }
        }
        out
    }

    /// Parse the code range `span` (an interpolation hole) as one expression.
    fn sub_expr(&mut self, span: Span) -> Option<Expr> {
        let (toks, errs) = Lexer::new(self.src, span.start, span.end).tokenize();
        self.errors.extend(errs);
        let mut sub = Parser {
            src: self.src,
            toks,
            pos: 0,
            errors: Vec::new(),
            depth: self.depth + 1,
            too_deep: self.too_deep,
        };
        if sub.depth > MAX_DEPTH {
            self.error(span, "expression is nested too deeply");
            return None;
        }
        let e = sub.expr();
        if !sub.at_eof() {
            let t = sub.cur().clone();
            sub.error(
                t.span,
                format!("unexpected {} in an interpolation hole", describe(&t.tok)),
            );
        }
        self.errors.extend(sub.errors);
        Some(e)
    }

    fn new_expr(&mut self) -> Expr {
        let start = self.span().start;
        self.pos += 1; // new
        // `new[] { … }`
        if self.is_p("[") && self.is_p_at(1, "]") {
            self.pos += 2;
            let items = self.collection_items().unwrap_or_default();
            return self.mk(E::NewArray(None, None, items), start);
        }
        // `new { a = 1, b }`
        if self.is_p("{") {
            self.pos += 1;
            let mut fields = Vec::new();
            while !self.is_p("}") && !self.at_eof() {
                let e = self.expr();
                match e.kind {
                    E::Assign(None, lhs, rhs) => match lhs.kind {
                        E::Name(n, _) => fields.push((n, *rhs)),
                        _ => self.error(lhs.span, "invalid anonymous type member declarator"),
                    },
                    E::Name(ref n, _) => fields.push((n.clone(), e.clone())),
                    E::Member { ref name, .. } => fields.push((name.clone(), e.clone())),
                    E::Error => break,
                    _ => self.error(e.span, "invalid anonymous type member declarator"),
                }
                if !self.eat_p(",") {
                    break;
                }
            }
            let _ = self.expect_p("}");
            return self.mk(E::NewAnon(fields), start);
        }
        // The type, without array brackets (handled below).
        let tstart = self.span().start;
        let Tok::Ident(first) = self.peek(0).clone() else {
            let t = self.cur().clone();
            self.error(
                t.span,
                format!("expected a type after `new`, found {}", describe(&t.tok)),
            );
            return self.mk(E::Error, start);
        };
        self.pos += 1;
        let mut name = first;
        let mut args = Vec::new();
        loop {
            if self.is_p("<") {
                match self.type_args() {
                    Some(a) => args = a,
                    None => {
                        let sp = self.span();
                        self.error(sp, "malformed generic type arguments");
                        return self.mk(E::Error, start);
                    }
                }
            }
            if self.is_p(".") && matches!(self.peek(1), Tok::Ident(_)) {
                self.pos += 1;
                if let Tok::Ident(s) = self.bump().tok {
                    name = s;
                }
                continue;
            }
            break;
        }
        let _ = self.eat_p("?");
        let ty = TypeRef {
            name,
            args,
            array: 0,
            nullable: false,
            span: Span::new(tstart, self.prev_end()),
        };
        if self.is_p("[") {
            self.pos += 1;
            let mut ty = ty;
            ty.array = 1;
            let size = if self.eat_p("]") {
                None
            } else {
                let e = self.expr();
                let _ = self.expect_p("]");
                Some(Box::new(e))
            };
            while self.is_p("[") && self.is_p_at(1, "]") {
                self.pos += 2;
                ty.array = ty.array.saturating_add(1);
            }
            let items = if self.is_p("{") {
                self.collection_items().unwrap_or_default()
            } else {
                if size.is_none() {
                    let sp = self.span();
                    self.error(
                        sp,
                        "array creation must have an array size or an initializer",
                    );
                }
                Vec::new()
            };
            return self.mk(E::NewArray(Some(ty), size, items), start);
        }
        let args = if self.eat_p("(") {
            self.args_until(")")
        } else {
            if !self.is_p("{") {
                let t = self.cur().clone();
                self.error(
                    t.span,
                    format!(
                        "expected `(` or `{{` after `new {}`, found {}",
                        ty.name,
                        describe(&t.tok)
                    ),
                );
                return self.mk(E::Error, start);
            }
            Vec::new()
        };
        let init = if self.is_p("{") {
            self.object_init().ok()
        } else {
            None
        };
        self.mk(E::New(ty, args, init), start)
    }

    /// `{ a, b, c }` (trailing comma allowed).
    fn collection_items(&mut self) -> PResult<Vec<Expr>> {
        self.expect_p("{")?;
        let mut items = Vec::new();
        while !self.is_p("}") && !self.at_eof() {
            if self.is_p("{") {
                // Nested array initializer (jagged arrays).
                let start = self.span().start;
                let inner = self.collection_items()?;
                items.push(self.mk(E::NewArray(None, None, inner), start));
            } else {
                items.push(self.expr());
            }
            if !self.eat_p(",") {
                break;
            }
        }
        self.expect_p("}")?;
        Ok(items)
    }

    fn object_init(&mut self) -> PResult<Init> {
        self.expect_p("{")?;
        let mut members = Vec::new();
        let mut plain = Vec::new();
        while !self.is_p("}") && !self.at_eof() {
            if self.is_p("[") {
                self.pos += 1;
                let keys = self.args_until("]").into_iter().map(|a| a.expr).collect();
                self.expect_p("=")?;
                let v = self.expr();
                members.push(MemberInit::Index(keys, v));
            } else if self.is_p("{") {
                self.pos += 1;
                let items = self.args_until("}").into_iter().map(|a| a.expr).collect();
                members.push(MemberInit::Add(items));
            } else if matches!(self.peek(0), Tok::Ident(_)) && self.is_p_at(1, "=") {
                let (n, _) = self.member_name()?;
                self.pos += 1;
                let v = if self.is_p("{") {
                    // Nested initializer: approximate as a collection.
                    let start = self.span().start;
                    let items = self.collection_items()?;
                    self.mk(E::NewArray(None, None, items), start)
                } else {
                    self.expr()
                };
                members.push(MemberInit::Field(n, v));
            } else {
                plain.push(self.expr());
            }
            if !self.eat_p(",") {
                break;
            }
        }
        self.expect_p("}")?;
        if members.is_empty() {
            Ok(Init::Collection(plain))
        } else {
            members.extend(plain.into_iter().map(|e| MemberInit::Add(vec![e])));
            Ok(Init::Members(members))
        }
    }
}

/// An int literal too big for `int` that was not negated is a `uint`/`long` in C#.
fn normalize_uint(e: Expr) -> Expr {
    match e.kind {
        E::Lit(Lit::UInt(v)) => Expr {
            kind: E::Lit(Lit::Long(v.min(i64::MAX as u64) as i64)),
            span: e.span,
        },
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(code: &str, kind: ExprKind) -> Parsed {
        let p = parse(code, kind);
        assert!(p.errors.is_empty(), "{code}: {:?}", p.errors);
        p
    }

    fn single(code: &str) -> Expr {
        match ok(code, ExprKind::Single).body {
            Body::Expr(e) => e,
            Body::Block(_) => unreachable!(),
        }
    }

    fn errs(code: &str, kind: ExprKind) -> Vec<(String, &str)> {
        parse(code, kind)
            .errors
            .into_iter()
            .map(|e| (e.message, &code[e.span.start..e.span.end]))
            .collect()
    }

    #[test]
    fn parses_real_world_single_expressions() {
        for code in [
            r#"context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Subject"#,
            r#"((IResponse)context.Variables["r"]).Body.As<JObject>()["value"].ToString()"#,
            r#"context.Response.Body?.As<JObject>(preserveContent: true)["usage"]["total_tokens"].Value<double>()"#,
            r#"context.Variables.GetValueOrDefault<string>("a", "") == "" ? 1 : 2"#,
            r#"new [] {"post", "put"}.Contains(context.Request.Method,StringComparer.OrdinalIgnoreCase)"#,
            r#"context.Request.Headers["cookie"].Single().Split(';').Select(c => c.Trim().Split('=')).Single(c => c[0] == $"oidc-{(string)context.Variables["s"]}")[1]"#,
            r#"$"{a:N2} {{x}} {(b ? "y" : "z")}""#,
            "a < b && c > d",
            "x is string s && s.Length > 0",
            "(int)-x",
            "(a) + b",
            "a ?? b ?? throw new Exception(\"x\")",
            "new { a = 1, b = \"x\" }",
            "new List<string> { \"a\", \"b\" }",
            "new Dictionary<string, string> { [\"a\"] = \"b\", { \"c\", \"d\" } }",
            "list.Where((x, i) => i > 0).Select(x => new JProperty(x.Name, x.Value))",
            "1 << 2 >> 1",
            "default(int) + nameof(x).Length",
            "new string[] { \"a\" }.Length",
            "new byte[16]",
            "x?[0]?.ToString()",
        ] {
            single(code);
        }
    }

    #[test]
    fn parses_blocks() {
        for code in [
            "var x = 1; if (x > 0) { return \"a\"; } else return \"b\";",
            "string s = null; foreach (var h in context.Request.Headers) { s += h.Key; } return s;",
            "for (int i = 0; i < 10; i++) { if (i == 3) break; } return 1;",
            "try { return JObject.Parse(\"x\"); } catch (Exception e) { return null; }",
            "switch (x) { case 1: return \"a\"; case 2: case 3: return \"b\"; default: return \"c\"; }",
            "Jwt jwt; if (s.TryParseJwt(out jwt)) { return jwt.Subject; } return null;",
            "int Twice(int a) { return a * 2; } return Twice(2);",
            "string F(string a) => a + \"!\"; return F(\"x\");",
            "var a = new JObject(); a[\"k\"] = 1; a.Add(\"z\", new JArray(1, 2)); return a.ToString();",
            "while (true) { }",
            "var x = 0; x += 2; x <<= 1; x ??= 3; return x;",
            "if (s.TryParseBasic(out var b)) return b.UserId; throw new Exception();",
        ] {
            ok(code, ExprKind::Block);
        }
    }

    #[test]
    fn generic_call_versus_comparison() {
        let e = single("a.As<JObject>()");
        let E::Call(callee, _) = e.kind else { panic!() };
        let E::Member { generics, .. } = callee.kind else {
            panic!()
        };
        assert_eq!(generics[0].name, "JObject");
        assert!(matches!(
            single("a < b > c").kind,
            E::Binary(BinOp::Gt, _, _)
        ));
        assert!(matches!(single("f(a < b, c > d)").kind, E::Call(_, ref a) if a.len() == 2));
    }

    #[test]
    fn casts_versus_parentheses() {
        assert!(matches!(single("(string)x").kind, E::Cast(..)));
        assert!(matches!(
            single("(IResponse)context.Variables[\"r\"]").kind,
            E::Cast(..)
        ));
        assert!(matches!(single("(x) - 1").kind, E::Binary(BinOp::Sub, ..)));
        assert!(matches!(single("(int)-1").kind, E::Cast(..)));
        assert!(matches!(single("(string[])x").kind, E::Cast(..)));
    }

    #[test]
    fn precedence() {
        let E::Binary(BinOp::Or, _, r) = single("a || b && c").kind else {
            panic!()
        };
        assert!(matches!(r.kind, E::Binary(BinOp::And, ..)));
        let E::Binary(BinOp::Add, _, r) = single("1 + 2 * 3").kind else {
            panic!()
        };
        assert!(matches!(r.kind, E::Binary(BinOp::Mul, ..)));
        let E::Binary(BinOp::Eq, l, _) = single("1 + 2 == 3").kind else {
            panic!()
        };
        assert!(matches!(l.kind, E::Binary(BinOp::Add, ..)));
        assert!(matches!(single("a ?? b ? c : d").kind, E::Cond(..)));
        assert!(
            matches!(single("x = y = 1").kind, E::Assign(None, _, ref r) if matches!(r.kind, E::Assign(..)))
        );
    }

    #[test]
    fn spans_are_exact() {
        let code = "context.Variables[\"x\"].Foo";
        let e = single(code);
        assert_eq!(e.span, Span::new(0, code.len()));
        let E::Member {
            target, name_span, ..
        } = e.kind
        else {
            panic!()
        };
        assert_eq!(&code[name_span.start..name_span.end], "Foo");
        assert_eq!(
            &code[target.span.start..target.span.end],
            "context.Variables[\"x\"]"
        );
        // Inside an interpolation hole.
        let code = "$\"a{b.C}\"";
        let E::Interp(parts) = single(code).kind else {
            panic!()
        };
        let InterpPart::Hole { expr, .. } = &parts[1] else {
            panic!()
        };
        assert_eq!(&code[expr.span.start..expr.span.end], "b.C");
    }

    #[test]
    fn syntax_errors_have_messages_and_spans() {
        assert_eq!(
            errs("", ExprKind::Single),
            vec![("empty expression".to_string(), "")]
        );
        assert_eq!(
            errs("a(b", ExprKind::Single),
            vec![
                ("`(` is never closed".to_string(), "("),
                (
                    "expected `,` or `)`, found end of expression".to_string(),
                    ""
                )
            ]
        );
        assert_eq!(
            errs("\"abc", ExprKind::Single),
            vec![("unterminated string literal".to_string(), "\"abc")]
        );
        assert_eq!(
            errs("a b", ExprKind::Single),
            vec![(
                "unexpected `b` after the end of the expression".to_string(),
                "b"
            )]
        );
        assert_eq!(
            errs("a + ", ExprKind::Single),
            vec![(
                "expected an expression, found the end of the expression".to_string(),
                ""
            )]
        );
        assert_eq!(
            errs("var x = 1; if (x > 0) { return \"a\"; }", ExprKind::Block),
            vec![(
                "not all code paths return a value: every path of a `@{ }` block must end with `return`".to_string(),
                "if (x > 0) { return \"a\"; }"
            )]
        );
        assert_eq!(
            errs(" ", ExprKind::Block)[0].0,
            "empty expression: a `@{ }` block must return a value"
        );
    }

    #[test]
    fn several_errors_are_reported() {
        let e = errs("var a = ; var b = 1 +; return a;", ExprKind::Block);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].1, ";");
        assert_eq!(e[1].1, ";");
    }

    #[test]
    fn statement_expression_rules() {
        assert_eq!(
            errs("a + 1; return 2;", ExprKind::Block)[0].0,
            "only assignment, call, increment, decrement and new object expressions can be used as a statement"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let code = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        let e = errs(&code, ExprKind::Single);
        assert!(e.iter().any(|e| e.0 == "expression is nested too deeply"));
        let code = "a+".repeat(20000) + "a";
        assert!(!errs(&code, ExprKind::Single).is_empty());
        let code = "a.".repeat(20000) + "a";
        assert!(!errs(&code, ExprKind::Single).is_empty());
        let code = "if (a) ".repeat(5000) + "return 1;";
        assert!(!errs(&code, ExprKind::Block).is_empty());
        let code = "$\"{".repeat(3000);
        let _ = errs(&code, ExprKind::Single);
    }

    #[test]
    fn never_panics_on_prefixes() {
        let long = r#"var jwt = context.Request.Headers.GetValueOrDefault("Authorization", "").Split(' ').Last().AsJwt(); var o = new JObject { ["a"] = $"{jwt?.Subject:N2}" }; foreach (var c in jwt.Claims.Where(x => x.Key != "a")) { o[c.Key] = string.Join(",", c.Value); } switch (o.Count) { case 0: return @"none""q"; default: return (string)o["a"] ?? throw new Exception('c'.ToString()); }"#;
        for i in 0..=long.len() {
            if long.is_char_boundary(i) {
                let _ = parse(&long[..i], ExprKind::Block);
                let _ = parse(&long[..i], ExprKind::Single);
                let _ = parse(&long[i..], ExprKind::Block);
            }
        }
    }
}
