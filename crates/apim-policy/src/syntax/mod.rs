//! Reading policy documents as APIM does: XML with raw C# policy expressions.
//!
//! [`parse`] never fails: it returns a [`Document`] (an arena tree with exact spans) whose
//! `diagnostics` hold every syntax problem found. See `mask` for how expressions are read and
//! `parse` for the tokenizer pass.

pub(crate) mod mask;
mod parse;
mod tree;

pub use parse::{
    MAX_DEPTH, decode_entities, is_xml_name, named_value_refs, parse, parse_reference,
};
pub use tree::*;

#[cfg(test)]
mod tests;
