//! APIM policy expressions (`@( … )` and `@{ … }`): the C# subset that real policies use,
//! parsed and evaluated in a sandbox. This crate knows nothing about XML.
//!
//! # Entry points
//!
//! * [`scan::scan`] finds where an expression ends inside surrounding text (what the policy
//!   parser needs to read APIM's raw "razor" format).
//! * [`parse`]`(code, kind) -> `[`Parsed`]: the tree and *all* syntax errors, each with a byte
//!   [`ast::Span`] relative to `code` (the text between `@(`/`@{` and the closing bracket; add
//!   the code's offset in the document to place a diagnostic). Parsing never fails and is
//!   bounded ([`parser::MAX_DEPTH`]).
//! * [`check`]`(code, kind) -> Vec<`[`SyntaxError`]`>`: the same errors, for the linter on
//!   every keystroke (a lexer pass and one recursive-descent pass: microseconds per
//!   expression).
//! * [`evaluate`]`(&parsed, &mut ctx, &limits) -> Result<`[`Value`]`, `[`RuntimeError`]`>`.
//!   A [`RuntimeError`] has the .NET exception type (`System.NullReferenceException`, …),
//!   .NET's message, and the span of the failing sub-expression; the simulator reports it as
//!   APIM's `ExpressionValueEvaluationFailure`. `limit: true` means a [`Limits`] bound was hit
//!   (steps, call depth, string or collection size): an expression can never hang the browser.
//! * [`Value::to_policy_string`] is how APIM turns a result into an attribute or text value
//!   (.NET `ToString()`, `null` → empty); [`Value::as_bool`] reads a `<when condition>`.
//!
//! # Building a context (simulator)
//!
//! [`Context`] is plain data: start from [`Context::at`]`(now)` (or `default()`, which is
//! 2026-01-01T00:00:00Z) and fill `request` (method, [`Url`]s, [`Headers`], body as a
//! [`MessageBody`], ip, matched template parameters), `response`, `api`, `operation`,
//! `product`/`subscription`/`user` (`None` makes `context.Product` etc. null), `deployment`,
//! `last_error` (in on-error), `request_id`, `timestamp`, `elapsed_ticks`, `tracing`.
//! `DateTime.UtcNow`/`Now` read `ctx.now`; `Guid.NewGuid()` and `new Random()` draw from
//! `ctx.random_state`: the same scenario always gives the same output. `context.Trace(msg)`
//! appends to `ctx.traces`. `ctx.variables` is what `set-variable` writes
//! ([`Variables::set`]) and expressions read.
//!
//! Reading a body with `As<T>()` without `preserveContent: true` sets
//! [`MessageBody::consumed`]; a later read sees an empty body, so the simulator must forward
//! an empty body then. An `IResponse` (what `send-request` stores in its variable) is
//! [`Value::response`]`(`[`Response`]`{ status_code, status_reason, headers, body })`;
//! expressions cast it with `(IResponse)context.Variables["r"]`, and
//! [`Value::as_response`] reads it back (with its body possibly consumed).
//!
//! # Taint (secret masking)
//!
//! Every [`Value`] carries a secret flag. The host injects secrets two ways: a variable set to
//! [`Value::secret_string`], and `ctx.secrets` (the known secret values: any string read from
//! the context (headers, URL, body, JSON in the body) that contains one is tainted). Any
//! operation with a tainted operand gives a tainted result (concatenation, interpolation,
//! `Substring`, `Split` elements, bytes, Base64, hashes, JSON built from it, StringBuilder
//! contents, LINQ results); `bool` results and sizes/positions are never tainted.
//! [`Value::is_secret`] looks inside containers. The simulator registers every tainted string
//! it outputs as a secret to mask.
//!
//! # Deliberately unsupported
//!
//! C# beyond policy expressions: classes, structs, `dynamic` dispatch, `async`, `goto`,
//! `unsafe`, pattern-matching `switch` expressions, tuples, `yield`, LINQ query syntax, `ref`
//! locals. Library members outside APIM's allowed list (see the reference notes §1) report
//! "not supported" as a `CompilationError` when reached. Also: `byte[].Encrypt/Decrypt`,
//! RSA/X509 (`NotSupportedException`), MD5 (no dependency), `XmlDocument`/`XmlReader`, regex
//! lookaround and backreferences (regex-lite; see `stdlib::regexlib`), Newtonsoft's automatic
//! date parsing of JSON strings, `JToken.Parent`/`Replace`. Semantics that differ from .NET on
//! purpose: string indices count Unicode scalar values (UTF-16 units in .NET); `decimal` is an
//! `f64`; all `DateTime`s are UTC; `==` between an `object` and a `string` compares values;
//! lambdas see variables of the scope that calls them (enough for LINQ and local functions).
pub mod ast;
pub mod context;
mod interp;
mod json;
pub mod lexer;
pub mod number;
pub mod parser;
pub mod scan;
pub mod sort;
mod stdlib;
mod time;
mod value;
mod xml;

pub use context::{
    Api, Body as MessageBody, Context, DateTime, Deployment, Headers, LastError, Operation,
    Product, Request, Response, Subscription, Url, User, Variables,
};
pub use interp::{Limits, RuntimeError, evaluate};
pub use parser::{Body, Parsed, SyntaxError, check, parse};
pub use scan::ExprKind;
pub use stdlib::b64_encode as base64_encode;
pub use value::{Value, fmt_double};
#[cfg(test)]
mod tests;
