//! APIM policy expressions (`@( … )` and `@{ … }`): the C# subset that real policies use,
//! parsed and evaluated in a sandbox.
//!
//! This crate knows nothing about XML. [`scan`] finds where an expression ends inside
//! surrounding text (what the policy parser needs to read APIM's raw "razor" format).
pub mod ast;
pub mod context;
mod interp;
mod json;
pub mod lexer;
pub mod parser;
pub mod scan;
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
pub use value::{Value, fmt_double};
#[cfg(test)]
mod tests;
