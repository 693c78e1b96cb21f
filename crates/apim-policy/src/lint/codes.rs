//! Diagnostic codes: stable, unique, never reused. Each has a rule entry with its
//! documentation in [`super::registry`].

// Document and XML syntax.
pub const XML_SYNTAX: &str = "APIM0001";
pub const UNCLOSED_ELEMENT: &str = "APIM0002";
pub const MISMATCHED_END_TAG: &str = "APIM0003";
pub const DUPLICATE_ATTRIBUTE: &str = "APIM0004";
pub const DOCTYPE: &str = "APIM0005";
pub const TOO_DEEP: &str = "APIM0006";

// Policy expressions.
pub const EXPRESSION_SYNTAX: &str = "APIM0501";
