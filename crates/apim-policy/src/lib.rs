//! The APIM policy core.
//!
//! Everything the playground knows about Azure API Management policies lives here, so the web
//! app, the `apim-policy` CLI and the tests agree by construction. The crate has no web
//! dependencies and never panics on user input: every entry point returns data (a tree, a list
//! of [`Diagnostic`]s, a result) for any `&str`, however broken.
//!
//! Positions are byte offsets into the source ([`Span`]); [`LineIndex`] converts them to the
//! 1-based line/column pairs that people read, and to UTF-16 offsets for the browser editor.

pub mod catalog;
pub mod diagnostic;
pub mod export;
pub mod fix;
pub mod format;
pub mod ide;
pub(crate) mod json;
pub mod lesson;
pub mod lint;
pub mod render;
pub mod scenario;
pub mod sim;
pub use apim_expr::sort;
pub mod syntax;
pub mod text;
pub mod time;

pub use diagnostic::{Diagnostic, Edit, Fix, Severity, Span};
pub use lint::lint;
pub use text::LineIndex;
