//! Where each diagnostic code's documentation lives (the link in the editor's hover and in the
//! problems list).
//!
//! Seam: the rules will document themselves in the core (one rule per file, its doc comment is
//! the user documentation). When the core exposes that registry, this table becomes a call to
//! it; until then it maps the codes that exist today to the Microsoft page that explains them.

pub fn doc_url(code: &str) -> Option<&'static str> {
    match code {
        // XML well-formedness: how a policy document is structured.
        "APIM0001" => {
            Some("https://learn.microsoft.com/azure/api-management/api-management-howto-policies")
        }
        _ => None,
    }
}
