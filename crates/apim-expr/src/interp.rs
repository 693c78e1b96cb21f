//! The evaluator: walks the tree with a step budget, a recursion bound and size limits, so
//! any expression finishes quickly (with a value or a [`RuntimeError`]).

use std::fmt;
use std::rc::Rc;

use crate::ast::*;
use crate::context::Context;
use crate::parser::{Body as ParsedBody, Parsed};
use crate::stdlib;
use crate::value::{Host, Obj, V, Value, to_display, type_name};

/// Resource bounds for one evaluation.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Evaluation steps (each node visited, each loop iteration, and work inside library
    /// calls proportional to the data they touch).
    pub max_steps: u64,
    /// Nested calls of lambdas and local functions.
    pub max_call_depth: usize,
    /// Longest string (in bytes) an expression may build.
    pub max_string_len: usize,
    /// Largest array, list, dictionary or JSON container an expression may build.
    pub max_collection_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 1_000_000,
            max_call_depth: 32,
            max_string_len: 4 << 20,
            max_collection_len: 100_000,
        }
    }
}

/// A .NET exception raised while evaluating, or a resource limit hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeError {
    /// The .NET exception type, e.g. `System.NullReferenceException`.
    pub exception: String,
    pub message: String,
    /// The failing sub-expression, in bytes of the expression code.
    pub span: Span,
    /// A resource limit (steps, depth, size) was hit: not catchable by `try/catch`.
    pub limit: bool,
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.exception, self.message)
    }
}

impl RuntimeError {
    pub fn new(exception: &str, message: impl Into<String>, span: Span) -> Self {
        let exception = if ["System.", "Newtonsoft.", "Microsoft."]
            .iter()
            .any(|p| exception.starts_with(p))
        {
            exception.to_string()
        } else {
            format!("System.{exception}")
        };
        RuntimeError {
            exception,
            message: message.into(),
            span,
            limit: false,
        }
    }
}

#[derive(Debug)]
pub(crate) enum Exc {
    Err(Box<RuntimeError>),
    /// A `?.`/`?[` met null: unwinds to the enclosing [`E::NullCond`].
    NullShort,
}

impl From<RuntimeError> for Exc {
    fn from(e: RuntimeError) -> Self {
        Exc::Err(Box::new(e))
    }
}

pub(crate) type R<T> = Result<T, Exc>;

pub(crate) fn throw<T>(exception: &str, message: impl Into<String>, span: Span) -> R<T> {
    Err(RuntimeError::new(exception, message, span).into())
}

pub(crate) const NRE: &str = "Object reference not set to an instance of an object.";

/// The target of an index, or the indexed value ([`Interp::indexed`]).
enum Indexed {
    Target(Value),
    Done(Value),
}

/// The receiver of a method call ([`Interp::receiver`]).
enum Receiver {
    Value(Value),
    /// `context.Request.Headers` or `context.Response.Headers`, read in place.
    Headers(Host),
}

enum Flow {
    Normal,
    Return(Value),
    Break,
    Continue,
}

/// Deepest evaluation recursion (tree depth plus calls); protects the native stack.
const MAX_EVAL_DEPTH: usize = 200;

/// Evaluate a parsed expression against `ctx`.
pub fn evaluate(
    parsed: &Parsed,
    ctx: &mut Context,
    limits: &Limits,
) -> Result<Value, RuntimeError> {
    if let Some(e) = parsed.errors.first() {
        return Err(RuntimeError::new(
            "CompilationError",
            format!("the expression does not compile: {}", e.message),
            e.span,
        ));
    }
    let mut it = Interp::new(ctx, limits);
    let r = match &parsed.body {
        ParsedBody::Expr(e) => it.eval(e),
        ParsedBody::Block(stmts) => match it.exec_block(stmts) {
            Ok(Flow::Return(v)) => Ok(v),
            Ok(_) => Ok(Value::null()),
            Err(e) => Err(e),
        },
    };
    match r {
        Ok(v) => Ok(v),
        Err(Exc::Err(e)) => Err(*e),
        Err(Exc::NullShort) => Ok(Value::null()),
    }
}

/// An evaluated call argument.
pub(crate) struct ArgVal {
    pub name: Option<String>,
    pub value: Value,
    pub span: Span,
}

pub(crate) struct Interp<'c> {
    pub ctx: &'c mut Context,
    pub limits: &'c Limits,
    steps: u64,
    depth: usize,
    calls: usize,
    locals: Vec<(Rc<str>, Value)>,
    fns: Vec<(Rc<str>, Rc<Lambda>)>,
    /// Values for `out` arguments, set by the library call that just returned.
    pub outs: Vec<Value>,
}

impl<'c> Interp<'c> {
    pub fn new(ctx: &'c mut Context, limits: &'c Limits) -> Self {
        Interp {
            ctx,
            limits,
            steps: 0,
            depth: 0,
            calls: 0,
            locals: Vec::new(),
            fns: Vec::new(),
            outs: Vec::new(),
        }
    }

    fn limit_error(&self, msg: String, span: Span) -> Exc {
        let mut e = RuntimeError::new("LimitExceeded", msg, span);
        e.exception = "PolicyExpressionLimit".into();
        e.limit = true;
        e.into()
    }

    /// Count `n` units of work.
    pub fn charge(&mut self, n: usize, span: Span) -> R<()> {
        self.steps = self.steps.saturating_add(n as u64);
        if self.steps > self.limits.max_steps {
            return Err(self.limit_error(
                format!(
                    "the expression ran for more than {} steps (an endless loop?) and was stopped",
                    self.limits.max_steps
                ),
                span,
            ));
        }
        Ok(())
    }

    pub fn check_len(&self, len: usize, span: Span) -> R<()> {
        if len > self.limits.max_string_len {
            return Err(self.limit_error(
                format!(
                    "the expression built a string longer than {} bytes",
                    self.limits.max_string_len
                ),
                span,
            ));
        }
        Ok(())
    }

    pub fn check_count(&self, n: usize, span: Span) -> R<()> {
        if n > self.limits.max_collection_len {
            return Err(self.limit_error(
                format!(
                    "the expression built a collection of more than {} items",
                    self.limits.max_collection_len
                ),
                span,
            ));
        }
        Ok(())
    }

    /// A new string value, after the size check.
    pub fn mk_str(&mut self, s: String, secret: bool, span: Span) -> R<Value> {
        self.check_len(s.len(), span)?;
        self.charge(s.len() / 64, span)?;
        Ok(Value::string(&s).with_secret(secret))
    }

    fn enter(&mut self, span: Span) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_EVAL_DEPTH {
            return Err(self.limit_error(
                "the expression is nested or recurses too deeply".into(),
                span,
            ));
        }
        Ok(())
    }

    // ---------- variables ----------

    fn lookup(&self, name: &str) -> Option<&Value> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v)
    }

    fn declare(&mut self, name: &str, v: Value) {
        self.locals.push((Rc::from(name), v));
    }

    fn set_local(&mut self, name: &str, v: Value, span: Span) -> R<()> {
        match self.locals.iter_mut().rev().find(|(n, _)| &**n == name) {
            Some(slot) => {
                slot.1 = v;
                Ok(())
            }
            None => throw(
                "CompilationError",
                format!("The name '{name}' does not exist in the current context"),
                span,
            ),
        }
    }

    // ---------- statements ----------

    fn exec_block(&mut self, stmts: &[Stmt]) -> R<Flow> {
        let mark = self.locals.len();
        let fmark = self.fns.len();
        for s in stmts {
            if let S::LocalFn(f) = &s.kind {
                self.fns.push((Rc::from(f.name.as_str()), f.lambda.clone()));
            }
        }
        let mut flow = Flow::Normal;
        for s in stmts {
            match self.exec(s) {
                Ok(Flow::Normal) => {}
                Ok(f) => {
                    flow = f;
                    break;
                }
                Err(e) => {
                    self.locals.truncate(mark);
                    self.fns.truncate(fmark);
                    return Err(e);
                }
            }
        }
        self.locals.truncate(mark);
        self.fns.truncate(fmark);
        Ok(flow)
    }

    fn exec(&mut self, s: &Stmt) -> R<Flow> {
        self.charge(1, s.span)?;
        self.enter(s.span)?;
        let r = self.exec_inner(s);
        self.depth -= 1;
        r
    }

    fn cond(&mut self, e: &Expr) -> R<bool> {
        let v = self.eval(e)?;
        match v.as_bool() {
            Some(b) => Ok(b),
            None => throw(
                "InvalidCastException",
                format!(
                    "Cannot implicitly convert type '{}' to 'bool'",
                    full_type_name(&v)
                ),
                e.span,
            ),
        }
    }

    fn exec_inner(&mut self, s: &Stmt) -> R<Flow> {
        match &s.kind {
            S::Error => throw("CompilationError", "syntax error", s.span),
            S::Empty | S::LocalFn(_) => Ok(Flow::Normal),
            S::Expr(e) => {
                self.eval(e)?;
                Ok(Flow::Normal)
            }
            S::Decl(ty, vars) => {
                for (name, span, init) in vars {
                    let v = match init {
                        Some(e) => {
                            let v = self.eval(e)?;
                            match ty {
                                Some(t) => stdlib::implicit_convert(self, t, v, e.span)?,
                                None => v,
                            }
                        }
                        None => match ty {
                            Some(t) => stdlib::default_of(t),
                            None => Value::null(),
                        },
                    };
                    let _ = span;
                    self.declare(name, v);
                }
                Ok(Flow::Normal)
            }
            S::Block(b) => self.exec_block(b),
            S::If(c, a, b) => {
                if self.cond(c)? {
                    self.exec_scoped(a)
                } else if let Some(b) = b {
                    self.exec_scoped(b)
                } else {
                    Ok(Flow::Normal)
                }
            }
            S::Return(e) => Ok(Flow::Return(match e {
                Some(e) => self.eval(e)?,
                None => Value::null(),
            })),
            S::Foreach(_, name, e, body) => {
                let v = self.eval(e)?;
                if matches!(v.v, V::Null) {
                    return throw("NullReferenceException", NRE, e.span);
                }
                let items = stdlib::iterate(self, &v, e.span)?;
                for item in items {
                    self.charge(1, s.span)?;
                    let mark = self.locals.len();
                    self.declare(name, item);
                    let f = self.exec(body);
                    self.locals.truncate(mark);
                    match f? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
                Ok(Flow::Normal)
            }
            S::For(init, c, step, body) => {
                let mark = self.locals.len();
                let r = self.run_for(init, c.as_ref(), step, body, s.span);
                self.locals.truncate(mark);
                r
            }
            S::While(c, body) => {
                while self.cond(c)? {
                    self.charge(1, s.span)?;
                    match self.exec_scoped(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
                Ok(Flow::Normal)
            }
            S::DoWhile(body, c) => {
                loop {
                    self.charge(1, s.span)?;
                    match self.exec_scoped(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                    if !self.cond(c)? {
                        break;
                    }
                }
                Ok(Flow::Normal)
            }
            S::Break => Ok(Flow::Break),
            S::Continue => Ok(Flow::Continue),
            S::Switch(subject, sections) => {
                let v = self.eval(subject)?;
                let mut chosen = None;
                'outer: for (i, sec) in sections.iter().enumerate() {
                    for l in sec.labels.iter().flatten() {
                        let lv = self.eval(l)?;
                        if stdlib::values_equal(&v, &lv) {
                            chosen = Some(i);
                            break 'outer;
                        }
                    }
                }
                if chosen.is_none() {
                    chosen = sections
                        .iter()
                        .position(|s| s.labels.iter().any(Option::is_none));
                }
                let Some(i) = chosen else {
                    return Ok(Flow::Normal);
                };
                let Some(sec) = sections.get(i) else {
                    return Ok(Flow::Normal);
                };
                match self.exec_block(&sec.body)? {
                    Flow::Break | Flow::Normal => Ok(Flow::Normal),
                    f => Ok(f),
                }
            }
            S::Try(body, catches, finally) => {
                let mark = self.locals.len();
                let fmark = self.fns.len();
                let depth = self.depth;
                let calls = self.calls;
                let mut r = self.exec_block(body);
                if let Err(Exc::Err(e)) = &r
                    && !e.limit
                {
                    let e = (**e).clone();
                    self.locals.truncate(mark);
                    self.fns.truncate(fmark);
                    self.depth = depth;
                    self.calls = calls;
                    if let Some(c) = catches.iter().find(|c| catch_matches(c, &e)) {
                        let m = self.locals.len();
                        if let Some(n) = &c.name {
                            self.declare(n, stdlib::exception_value(&e));
                        }
                        r = self.exec_block(&c.body);
                        self.locals.truncate(m);
                    }
                }
                if let Some(f) = finally {
                    match self.exec_block(f)? {
                        Flow::Normal => {}
                        other => return Ok(other),
                    }
                }
                r
            }
            S::Throw(e) => {
                let v = match e {
                    Some(e) => self.eval(e)?,
                    None => Value::null(),
                };
                let span = e.as_ref().map_or(s.span, |e| e.span);
                Err(stdlib::throw_value(&v, span))
            }
        }
    }

    /// An embedded statement gets its own scope.
    fn exec_scoped(&mut self, s: &Stmt) -> R<Flow> {
        let mark = self.locals.len();
        let r = self.exec(s);
        self.locals.truncate(mark);
        r
    }

    fn run_for(
        &mut self,
        init: &[Stmt],
        c: Option<&Expr>,
        step: &[Expr],
        body: &Stmt,
        span: Span,
    ) -> R<Flow> {
        for s in init {
            self.exec(s)?;
        }
        loop {
            if let Some(c) = c
                && !self.cond(c)?
            {
                break;
            }
            self.charge(1, span)?;
            match self.exec_scoped(body)? {
                Flow::Break => break,
                Flow::Return(v) => return Ok(Flow::Return(v)),
                _ => {}
            }
            for e in step {
                self.eval(e)?;
            }
        }
        Ok(Flow::Normal)
    }

    // ---------- calls ----------

    /// Call a lambda or local function with positional arguments.
    pub fn call_lambda(&mut self, l: &Lambda, args: Vec<Value>, span: Span) -> R<Value> {
        self.calls += 1;
        if self.calls > self.limits.max_call_depth {
            self.calls -= 1;
            return Err(self.limit_error(
                format!(
                    "calls are nested more than {} deep (endless recursion?)",
                    self.limits.max_call_depth
                ),
                span,
            ));
        }
        let mark = self.locals.len();
        for (i, (_, name)) in l.params.iter().enumerate() {
            let v = args.get(i).cloned().unwrap_or_else(Value::null);
            self.declare(name, v);
        }
        let r = match &l.body {
            LambdaBody::Expr(e) => self.eval(e),
            LambdaBody::Block(b) => match self.exec_block(b) {
                Ok(Flow::Return(v)) => Ok(v),
                Ok(_) => Ok(Value::null()),
                Err(e) => Err(e),
            },
        };
        self.locals.truncate(mark);
        self.calls -= 1;
        r
    }

    /// Call a value that should be a lambda.
    pub fn call_value(&mut self, f: &Value, args: Vec<Value>, span: Span) -> R<Value> {
        match &f.v {
            V::Lambda(l) => {
                let l = l.clone();
                self.call_lambda(&l, args, span)
            }
            _ => throw(
                "InvalidOperationException",
                format!("'{}' is not a delegate", full_type_name(f)),
                span,
            ),
        }
    }

    fn eval_args(&mut self, args: &[Arg]) -> R<Vec<ArgVal>> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            let value = match &a.expr.kind {
                E::OutVar(_, _) => Value::null(),
                _ if a.by_ref => match &a.expr.kind {
                    E::Name(n, _) => self.lookup(n).cloned().unwrap_or_else(Value::null),
                    _ => self.eval(&a.expr)?,
                },
                _ => self.eval(&a.expr)?,
            };
            out.push(ArgVal {
                name: a.name.clone(),
                value,
                span: a.expr.span,
            });
        }
        Ok(out)
    }

    /// After a call: store `self.outs` into the `out` arguments, in order.
    fn assign_outs(&mut self, args: &[Arg]) -> R<()> {
        let outs = std::mem::take(&mut self.outs);
        let mut it = outs.into_iter();
        for a in args.iter().filter(|a| a.by_ref) {
            let v = it.next().unwrap_or_else(Value::null);
            match &a.expr.kind {
                E::OutVar(_, n) => self.declare(n, v),
                E::Name(n, _) => self.set_local(n, v, a.expr.span)?,
                _ => {}
            }
        }
        Ok(())
    }

    // ---------- expressions ----------

    pub fn eval(&mut self, e: &Expr) -> R<Value> {
        self.charge(1, e.span)?;
        self.enter(e.span)?;
        let r = self.eval_inner(e);
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, e: &Expr) -> R<Value> {
        let span = e.span;
        match &e.kind {
            E::Error => throw("CompilationError", "syntax error", span),
            E::Lit(l) => Ok(lit_value(l)),
            E::Interp(parts) => {
                let mut s = String::new();
                let mut secret = false;
                for p in parts {
                    match p {
                        InterpPart::Text(t) => s.push_str(t),
                        InterpPart::Hole {
                            expr,
                            align,
                            format,
                        } => {
                            let v = self.eval(expr)?;
                            secret |= v.is_secret();
                            let mut text = match format {
                                Some(f) => stdlib::format_value(self, &v, f, expr.span)?,
                                None => to_display(&v),
                            };
                            if let Some(a) = align {
                                let w = self.eval(a)?.as_i64().unwrap_or(0);
                                text = stdlib::align(&text, w);
                            }
                            s.push_str(&text);
                            self.check_len(s.len(), span)?;
                        }
                    }
                }
                self.mk_str(s, secret, span)
            }
            E::Name(n, _) => self.name(n, span),
            E::Member {
                target,
                name,
                null_cond,
                name_span,
                ..
            } => {
                let t = self.eval_target(target)?;
                self.member_of(&t, target.span, name, *null_cond, *name_span, span)
            }
            E::Call(callee, args) => self.call(callee, args, span),
            E::Index {
                target,
                args,
                null_cond,
            } => {
                let t = match self.indexed(target, args, span)? {
                    Indexed::Target(t) => t,
                    Indexed::Done(v) => return Ok(v),
                };
                if matches!(t.v, V::Null) {
                    if *null_cond {
                        return Err(Exc::NullShort);
                    }
                    return throw("NullReferenceException", NRE, target.span);
                }
                let mut keys = Vec::with_capacity(args.len());
                for a in args {
                    keys.push(self.eval(a)?);
                }
                stdlib::index_get(self, &t, &keys, span)
            }
            E::NullCond(inner) => match self.eval(inner) {
                Err(Exc::NullShort) => Ok(Value::null()),
                r => r,
            },
            E::Unary(op, x) => self.unary(*op, x, span),
            E::Binary(op, l, r) => self.binary(*op, l, r, span),
            E::Assign(op, target, rhs) => {
                let v = match op {
                    None => self.eval(rhs)?,
                    Some(BinOp::Coalesce) => {
                        let cur = self.eval(target)?;
                        if !matches!(cur.v, V::Null) {
                            return Ok(cur);
                        }
                        self.eval(rhs)?
                    }
                    Some(op) => {
                        let cur = self.eval(target)?;
                        let r = self.eval(rhs)?;
                        stdlib::binary_op(self, *op, &cur, &r, span)?
                    }
                };
                self.assign(target, v.clone())?;
                Ok(v)
            }
            E::Cond(c, a, b) => {
                if self.cond(c)? {
                    self.eval(a)
                } else {
                    self.eval(b)
                }
            }
            E::Cast(ty, x) => {
                let v = self.eval(x)?;
                stdlib::cast(self, &v, ty, span)
            }
            E::Is(x, pat) => {
                let v = self.eval(x)?;
                let b = self.matches_pattern(&v, pat)?;
                Ok(Value::bool(b))
            }
            E::As(x, ty) => {
                let v = self.eval(x)?;
                Ok(if stdlib::is_instance(&v, ty) {
                    v
                } else {
                    Value::null()
                })
            }
            E::Lambda(l) => Ok(Value::new(V::Lambda(l.clone()))),
            E::New(ty, args, init) => {
                let argv = self.eval_args(args)?;
                let obj = stdlib::construct(self, ty, argv, span)?;
                if let Some(init) = init {
                    self.initialize(&obj, init, span)?;
                }
                Ok(obj)
            }
            E::NewArray(ty, size, items) => {
                let mut vals = Vec::with_capacity(items.len());
                for i in items {
                    vals.push(self.eval(i)?);
                }
                let size = match size {
                    Some(s) => {
                        let n = self.eval(s)?;
                        let n = n.as_i64().unwrap_or(-1);
                        if n < 0 {
                            return throw(
                                "OverflowException",
                                "Arithmetic operation resulted in an overflow.",
                                s.span,
                            );
                        }
                        Some(n as usize)
                    }
                    None => None,
                };
                stdlib::new_array(self, ty.as_ref(), size, vals, span)
            }
            E::NewAnon(fields) => {
                let mut out = Vec::new();
                for (n, x) in fields {
                    out.push((n.clone(), self.eval(x)?));
                }
                Ok(Value::obj(Obj::Anon(out)))
            }
            E::Typeof(t) => Ok(Value::new(V::Type(Rc::from(
                stdlib::canonical_type(&t.name).as_str(),
            )))),
            E::Default(t) => Ok(t.as_ref().map_or_else(Value::null, stdlib::default_of)),
            E::Nameof(n) => Ok(Value::string(n)),
            E::OutVar(..) => throw(
                "CompilationError",
                "an `out` declaration is only allowed as a call argument",
                span,
            ),
            E::Throw(x) => {
                let v = match x {
                    Some(x) => self.eval(x)?,
                    None => Value::null(),
                };
                Err(stdlib::throw_value(&v, span))
            }
        }
    }

    /// Member `name` of the value `t` of the expression at `target_span` (`span`: the whole
    /// member access).
    fn member_of(
        &mut self,
        t: &Value,
        target_span: Span,
        name: &str,
        null_cond: bool,
        name_span: Span,
        span: Span,
    ) -> R<Value> {
        match &t.v {
            V::Namespace(ns) => Ok(stdlib::resolve_qualified(ns, name)),
            V::Type(ty) => {
                let ty = ty.clone();
                stdlib::static_member(self, &ty, name, span)
            }
            V::Null if null_cond => Err(Exc::NullShort),
            V::Null => throw("NullReferenceException", NRE, target_span),
            _ => stdlib::member(self, t, name, name_span),
        }
    }

    /// The receiver of a call of `method`: its value, or for
    /// `context.Request.Headers.GetValueOrDefault(…)` and the other
    /// [`stdlib::is_headers_lookup`] methods (on `Request` or `Response`), which headers to
    /// read in place instead of copying them into a dictionary value first. Evaluated
    /// exactly as [`Interp::eval`] evaluates `target` (the same steps and depth).
    fn receiver(&mut self, target: &Expr, method: &str) -> R<Receiver> {
        let E::Member {
            target: inner,
            name,
            null_cond,
            name_span,
            ..
        } = &target.kind
        else {
            return self.eval_target(target).map(Receiver::Value);
        };
        if name != "Headers" || !stdlib::is_headers_lookup(method) {
            return self.eval_target(target).map(Receiver::Value);
        }
        // What `eval(target)` does around its `eval_inner`.
        self.charge(1, target.span)?;
        self.enter(target.span)?;
        let r = match self.eval_target(inner) {
            Ok(t) => match t.v {
                V::Host(h @ (Host::Request | Host::Response)) => Ok(Receiver::Headers(h)),
                _ => self
                    .member_of(&t, inner.span, name, *null_cond, *name_span, target.span)
                    .map(Receiver::Value),
            },
            Err(e) => Err(e),
        };
        self.depth -= 1;
        r
    }

    /// The target of `target[args]`, or for `context.Request.MatchedParameters["name"]`
    /// (one string key) the element itself, read in place rather than through a copy of
    /// the parameters in a dictionary value. The same steps, depth, order, value and taint
    /// as evaluating `target` and indexing it.
    fn indexed(&mut self, target: &Expr, args: &[Expr], span: Span) -> R<Indexed> {
        let E::Member {
            target: inner,
            name,
            null_cond,
            name_span,
            ..
        } = &target.kind
        else {
            return self.eval(target).map(Indexed::Target);
        };
        let [key] = args else {
            return self.eval(target).map(Indexed::Target);
        };
        if name != "MatchedParameters" {
            return self.eval(target).map(Indexed::Target);
        }
        // What `eval(target)` does around its `eval_inner`.
        self.charge(1, target.span)?;
        self.enter(target.span)?;
        let r = match self.eval_target(inner) {
            Ok(t) if matches!(t.v, V::Host(Host::Request)) => Ok(None),
            Ok(t) => self
                .member_of(&t, inner.span, name, *null_cond, *name_span, target.span)
                .map(Some),
            Err(e) => Err(e),
        };
        self.depth -= 1;
        if let Some(t) = r? {
            return Ok(Indexed::Target(t));
        }
        let k = self.eval(key)?;
        if matches!(k.v, V::Str(_)) {
            return stdlib::matched_parameter(self, &k, span).map(Indexed::Done);
        }
        // Not a string key: the dictionary value, as `eval(target)` would have given it.
        let request = Value::new(V::Host(Host::Request));
        let t = stdlib::member(self, &request, name, *name_span)?;
        stdlib::index_get(self, &t, &[k], span).map(Indexed::Done)
    }

    /// Evaluate the target of a member access: names that are not variables resolve to
    /// types or namespaces.
    fn eval_target(&mut self, t: &Expr) -> R<Value> {
        self.eval(t)
    }

    fn name(&mut self, n: &str, span: Span) -> R<Value> {
        if let Some(v) = self.lookup(n) {
            return Ok(v.clone());
        }
        if n == "context" {
            return Ok(Value::new(V::Host(Host::Context)));
        }
        if let Some((_, l)) = self.fns.iter().rev().find(|(f, _)| &**f == n) {
            return Ok(Value::new(V::Lambda(l.clone())));
        }
        if let Some(v) = stdlib::resolve_name(n) {
            return Ok(v);
        }
        throw(
            "CompilationError",
            format!("The name '{n}' does not exist in the current context"),
            span,
        )
    }

    fn call(&mut self, callee: &Expr, args: &[Arg], span: Span) -> R<Value> {
        match &callee.kind {
            E::Member {
                target,
                name,
                generics,
                null_cond,
                name_span,
            } => {
                let t = match self.receiver(target, name)? {
                    Receiver::Value(t) => t,
                    Receiver::Headers(host) => {
                        let argv = self.eval_args(args)?;
                        let r = stdlib::headers_method(self, host, name, argv, span)?;
                        self.assign_outs(args)?;
                        return Ok(r);
                    }
                };
                let argv = self.eval_args(args)?;
                let r = match &t.v {
                    V::Type(ty) => {
                        let ty = ty.clone();
                        stdlib::static_call(self, &ty, name, generics, argv, span)?
                    }
                    V::Namespace(ns) => {
                        return throw(
                            "CompilationError",
                            format!(
                                "'{ns}.{name}' is not a method that policy expressions can call"
                            ),
                            *name_span,
                        );
                    }
                    V::Null if *null_cond => return Err(Exc::NullShort),
                    V::Null if stdlib::accepts_null_receiver(name) => {
                        stdlib::method(self, &t, name, generics, argv, span)?
                    }
                    V::Null => return throw("NullReferenceException", NRE, target.span),
                    _ => stdlib::method(self, &t, name, generics, argv, span)?,
                };
                self.assign_outs(args)?;
                Ok(r)
            }
            E::Name(n, _) => {
                let f = self.name(n, callee.span)?;
                let argv = self.eval_args(args)?;
                let r = self.call_value(&f, argv.into_iter().map(|a| a.value).collect(), span)?;
                Ok(r)
            }
            _ => {
                let f = self.eval(callee)?;
                let argv = self.eval_args(args)?;
                self.call_value(&f, argv.into_iter().map(|a| a.value).collect(), span)
            }
        }
    }

    fn unary(&mut self, op: UnOp, x: &Expr, span: Span) -> R<Value> {
        match op {
            UnOp::PreInc | UnOp::PreDec | UnOp::PostInc | UnOp::PostDec => {
                let cur = self.eval(x)?;
                let one = Value::int(1);
                let bop = if matches!(op, UnOp::PreInc | UnOp::PostInc) {
                    BinOp::Add
                } else {
                    BinOp::Sub
                };
                let next = stdlib::binary_op(self, bop, &cur, &one, span)?;
                let next = stdlib::same_numeric_type(&cur, next);
                self.assign(x, next.clone())?;
                Ok(if matches!(op, UnOp::PreInc | UnOp::PreDec) {
                    next
                } else {
                    cur
                })
            }
            _ => {
                let v = self.eval(x)?;
                stdlib::unary_op(op, &v, span)
            }
        }
    }

    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr, span: Span) -> R<Value> {
        match op {
            BinOp::And => {
                if !self.cond(l)? {
                    return Ok(Value::bool(false));
                }
                Ok(Value::bool(self.cond(r)?))
            }
            BinOp::Or => {
                if self.cond(l)? {
                    return Ok(Value::bool(true));
                }
                Ok(Value::bool(self.cond(r)?))
            }
            BinOp::Coalesce => {
                let a = self.eval(l)?;
                if !matches!(a.v, V::Null) {
                    return Ok(a);
                }
                self.eval(r)
            }
            _ => {
                let chained = |e: &Expr| {
                    matches!(&e.kind, E::Binary(op2, _, _)
                        if !matches!(op2, BinOp::And | BinOp::Or | BinOp::Coalesce))
                };
                if !chained(l) {
                    // One operator: the chain below without its stack.
                    let a = self.eval(l)?;
                    self.charge(1, span)?;
                    let b = self.eval(r)?;
                    return stdlib::binary_op(self, op, &a, &b, span);
                }
                // Evaluate a left-leaning chain (`a + b + c + …`) iteratively.
                let mut spine = vec![(op, r, span)];
                let mut left = l;
                while let E::Binary(op2, l2, r2) = &left.kind {
                    if matches!(op2, BinOp::And | BinOp::Or | BinOp::Coalesce) {
                        break;
                    }
                    spine.push((*op2, r2, left.span));
                    left = l2;
                }
                let mut acc = self.eval(left)?;
                while let Some((op, r, sp)) = spine.pop() {
                    self.charge(1, sp)?;
                    let b = self.eval(r)?;
                    acc = stdlib::binary_op(self, op, &acc, &b, sp)?;
                }
                Ok(acc)
            }
        }
    }

    fn assign(&mut self, target: &Expr, v: Value) -> R<()> {
        match &target.kind {
            E::Name(n, _) => self.set_local(n, v, target.span),
            E::Index {
                target: t, args, ..
            } => {
                let c = self.eval(t)?;
                if matches!(c.v, V::Null) {
                    return throw("NullReferenceException", NRE, t.span);
                }
                let mut keys = Vec::new();
                for a in args {
                    keys.push(self.eval(a)?);
                }
                stdlib::index_set(self, &c, &keys, v, target.span)
            }
            E::Member {
                target: t, name, ..
            } => {
                let c = self.eval(t)?;
                stdlib::member_set(self, &c, name, v, target.span)
            }
            _ => throw(
                "CompilationError",
                "The left-hand side of an assignment must be a variable, property or indexer",
                target.span,
            ),
        }
    }

    fn matches_pattern(&mut self, v: &Value, p: &Pattern) -> R<bool> {
        Ok(match p {
            Pattern::Type(t, name) => {
                let ok = !matches!(v.v, V::Null) && stdlib::is_instance(v, t);
                if ok && let Some(n) = name {
                    self.declare(n, v.clone());
                }
                ok
            }
            Pattern::Const(e) => {
                let c = self.eval(e)?;
                stdlib::values_equal(v, &c)
            }
            Pattern::Not(p) => !self.matches_pattern(v, p)?,
            Pattern::Var(n) => {
                self.declare(n, v.clone());
                true
            }
        })
    }

    fn initialize(&mut self, obj: &Value, init: &Init, span: Span) -> R<()> {
        match init {
            Init::Collection(items) => {
                for i in items {
                    let v = self.eval(i)?;
                    stdlib::method(
                        self,
                        obj,
                        "Add",
                        &[],
                        vec![ArgVal {
                            name: None,
                            value: v,
                            span: i.span,
                        }],
                        span,
                    )?;
                }
            }
            Init::Members(members) => {
                for m in members {
                    match m {
                        MemberInit::Field(n, e) => {
                            let v = self.eval(e)?;
                            stdlib::member_set(self, obj, n, v, e.span)?;
                        }
                        MemberInit::Index(keys, e) => {
                            let mut ks = Vec::new();
                            for k in keys {
                                ks.push(self.eval(k)?);
                            }
                            let v = self.eval(e)?;
                            stdlib::index_set(self, obj, &ks, v, e.span)?;
                        }
                        MemberInit::Add(items) => {
                            let argv = items
                                .iter()
                                .map(|i| {
                                    Ok(ArgVal {
                                        name: None,
                                        value: self.eval(i)?,
                                        span: i.span,
                                    })
                                })
                                .collect::<R<Vec<_>>>()?;
                            stdlib::method(self, obj, "Add", &[], argv, span)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

fn catch_matches(c: &Catch, e: &RuntimeError) -> bool {
    match &c.ty {
        None => true,
        Some(t) => {
            t.name == "Exception"
                || e.exception.rsplit('.').next() == Some(t.name.as_str())
                || (t.name == "SystemException" && e.exception.starts_with("System."))
                || (t.name == "ArgumentException" && e.exception.contains("Argument"))
                || (t.name == "JsonException" && e.exception.contains("Json"))
        }
    }
}

pub(crate) fn lit_value(l: &Lit) -> Value {
    Value::new(match l {
        Lit::Null => V::Null,
        Lit::Bool(b) => V::Bool(*b),
        Lit::Int(i) => V::Int(*i),
        Lit::Long(i) => V::Long(*i),
        Lit::UInt(u) => V::Long(*u as i64),
        Lit::Double(d) => V::Double(d.value()),
        Lit::Decimal(d) => V::Decimal(d.value()),
        Lit::Char(c) => V::Char(*c),
        Lit::Str(s) => V::Str(s.clone()),
    })
}

/// `System.Int32`, `Newtonsoft.Json.Linq.JObject`, … for exception messages.
pub(crate) fn full_type_name(v: &Value) -> String {
    let t = type_name(v);
    match t.as_str() {
        "JObject" | "JArray" | "JValue" | "JProperty" | "JToken" => {
            format!("Newtonsoft.Json.Linq.{t}")
        }
        "XElement" | "XDocument" | "XAttribute" | "XText" => format!("System.Xml.Linq.{t}"),
        "IResponse" | "IMessageBody" | "Jwt" | "BasicAuthCredentials" | "IUrl" => {
            format!("Microsoft.WindowsAzure.ApiManagement.Proxy.Gateway.Policies.Expressions.{t}")
        }
        "null" => "null".into(),
        _ => format!("System.{t}"),
    }
}
