//! APIM policy expressions (`@( … )` and `@{ … }`): the C# subset that real policies use.
//!
//! This crate knows nothing about XML. [`scan`] finds where an expression ends inside
//! surrounding text (what the policy parser needs to read APIM's raw "razor" format).

pub mod ast;
pub mod lexer;
pub mod parser;
pub mod scan;

pub use parser::{Body, Parsed, SyntaxError, check, parse};
pub use scan::ExprKind;
