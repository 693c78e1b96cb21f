//! Diagnostic codes: stable, unique, never reused. Each has a [`super::Rule`] with its
//! documentation in [`super::registry`].

// Document and XML syntax (reported by the parser).
pub const XML_SYNTAX: &str = "APIM0001";
pub const UNCLOSED_ELEMENT: &str = "APIM0002";
pub const MISMATCHED_END_TAG: &str = "APIM0003";
pub const DUPLICATE_ATTRIBUTE: &str = "APIM0004";
pub const DOCTYPE: &str = "APIM0005";
pub const TOO_DEEP: &str = "APIM0006";
pub const DOCUMENT_TOO_LARGE: &str = "APIM0007";

// Document structure and policies.
pub const UNKNOWN_ROOT: &str = "APIM0101";
pub const UNKNOWN_SECTION: &str = "APIM0102";
pub const DUPLICATE_SECTION: &str = "APIM0103";
pub const UNKNOWN_POLICY: &str = "APIM0104";
pub const NOT_A_POLICY: &str = "APIM0105";
pub const WRONG_SECTION: &str = "APIM0106";
pub const WRONG_SCOPE: &str = "APIM0107";
pub const POLICY_REPEATED: &str = "APIM0108";
pub const UNDOCUMENTED_POLICY: &str = "APIM0109";
pub const SECTION_ORDER: &str = "APIM0110";

// Attributes.
pub const MISSING_ATTRIBUTE: &str = "APIM0201";
pub const UNKNOWN_ATTRIBUTE: &str = "APIM0202";
pub const INVALID_VALUE: &str = "APIM0203";
pub const EXPRESSION_NOT_ALLOWED: &str = "APIM0204";
pub const ATTRIBUTE_COMBINATION: &str = "APIM0205";

// Child elements and content.
pub const MISSING_CHILD: &str = "APIM0301";
pub const UNEXPECTED_CHILD: &str = "APIM0302";
pub const CHILD_ORDER: &str = "APIM0303";
pub const TOO_MANY_CHILDREN: &str = "APIM0304";
pub const TEXT_NOT_ALLOWED: &str = "APIM0305";

// `<base />`.
pub const BASE_IN_FRAGMENT: &str = "APIM0401";
pub const DUPLICATE_BASE: &str = "APIM0402";
pub const MISSING_BASE: &str = "APIM0403";
pub const BASE_AT_GLOBAL: &str = "APIM0404";

// Policy expressions.
pub const EXPRESSION_SYNTAX: &str = "APIM0501";
pub const EMPTY_EXPRESSION: &str = "APIM0502";
pub const EXPRESSION_MIXED_WITH_TEXT: &str = "APIM0503";
pub const MISSING_RETURN: &str = "APIM0504";

// Named values and fragments.
pub const INVALID_NAMED_VALUE: &str = "APIM0601";
pub const UNDEFINED_NAMED_VALUE: &str = "APIM0602";
pub const SECRET_EXPOSED: &str = "APIM0603";
pub const UNDECLARED_FRAGMENT: &str = "APIM0604";
pub const UNDECLARED_BACKEND: &str = "APIM0605";

// Secrets and Key Vault.
pub const HARD_CODED_CREDENTIAL: &str = "APIM0701";
pub const KEY_VAULT_WITHOUT_IDENTITY: &str = "APIM0702";
pub const VERSIONED_SECRET: &str = "APIM0703";
