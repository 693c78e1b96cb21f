//! Diagnostic codes of export and import: stable, unique, never reused.
//!
//! They live in their own range (`APIM09xx`) so that the linter's registry and these never
//! collide; a code says what went wrong, the message says where (the document's span when the
//! problem is in the document, otherwise an empty span at 0 and the scenario field or template
//! path in the message; see [`super::is_located`]).

// Export: refusals (errors).
/// The document's root element does not fit the scope (`<fragment>` vs `<policies>`).
pub const ROOT_MISMATCH: &str = "APIM0901";
/// A resource name (service, API, operation, product, fragment, vault) APIM or ARM would reject.
pub const INVALID_NAME: &str = "APIM0902";
/// A `{{name}}` that no named value can have (`^[A-Za-z0-9-._]+$`, 1–256 characters).
pub const INVALID_NAMED_VALUE_NAME: &str = "APIM0903";
/// A Key Vault secret identifier that is not `https://<vault>.vault.<suffix>/secrets/<name>`.
pub const BAD_SECRET_IDENTIFIER: &str = "APIM0904";

// Export: warnings and notes.
/// A `{{name}}` with no named value in the scenario: exported as a parameter placeholder.
pub const UNDEFINED_NAMED_VALUE: &str = "APIM0910";
/// A versioned Key Vault secret identifier: exported versionless so rotation works.
pub const VERSIONED_SECRET: &str = "APIM0911";
/// A managed identity the export relies on is not one the scenario gives the service.
pub const UNKNOWN_IDENTITY: &str = "APIM0912";
/// A vault that is not in the scenario's `key_vaults`: its permission model was assumed.
pub const VAULT_NOT_IN_SCENARIO: &str = "APIM0913";
/// An `include-fragment` whose fragment the scenario does not hold: not exported.
pub const MISSING_FRAGMENT: &str = "APIM0914";
/// A `certificate-id` reference: the certificate must exist; certificates are not exported.
pub const CERTIFICATE_NOT_EXPORTED: &str = "APIM0915";
/// The policy reads Key Vault at runtime (`send-request`): the permission is exported too.
pub const RUNTIME_VAULT_CALL: &str = "APIM0916";
/// A plain named value without a value: exported as a parameter placeholder.
pub const NAMED_VALUE_WITHOUT_VALUE: &str = "APIM0917";
/// A named value longer than APIM's 4096 characters.
pub const VALUE_TOO_LONG: &str = "APIM0918";
/// A Key Vault named value that also has a `value`: the value is not exported.
pub const KEY_VAULT_VALUE_IGNORED: &str = "APIM0919";
/// A fragment that cannot deploy as it is (syntax errors, or it includes another fragment).
pub const FRAGMENT_PROBLEM: &str = "APIM0920";
/// What a snippet expects from the template it is pasted into.
pub const SNIPPET_EXPECTS: &str = "APIM0921";

// Import.
/// The input is not JSON, or not an ARM template.
pub const NOT_A_TEMPLATE: &str = "APIM0950";
/// A policy whose value is an ARM expression (`[concat(…)]`, `[parameters(…)]` …).
pub const EXPRESSION_VALUE: &str = "APIM0951";
/// A policy given by link (`xml-link`, `rawxml-link`): the document is not in the template.
pub const LINKED_POLICY: &str = "APIM0952";
/// A policy resource of a scope the playground does not model (workspaces, resolvers …).
pub const UNSUPPORTED_SCOPE: &str = "APIM0953";
/// An `xml`-format document whose expressions could not be unescaped: returned as written.
pub const XML_FORMAT_KEPT: &str = "APIM0954";
/// A fragment stored without its `<fragment>` wrapper (as the REST API returns it): wrapped.
pub const FRAGMENT_WRAPPED: &str = "APIM0955";
/// A secret written literally in the template: reported, never shown.
pub const LITERAL_SECRET: &str = "APIM0956";
/// A resource or file that looked like a policy but could not be read.
pub const UNREADABLE_RESOURCE: &str = "APIM0957";
/// Nothing importable was found.
pub const NOTHING_FOUND: &str = "APIM0958";
