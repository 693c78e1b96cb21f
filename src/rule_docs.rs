//! Where each diagnostic code's documentation lives (the link in the editor's hover and in the
//! problems list). Every code is in the core's rule registry; the link opens its page.

pub fn doc_url(code: &str) -> Option<&'static str> {
    apim_policy::lint::rule(code)
        .map(|_| "https://learn.microsoft.com/azure/api-management/api-management-policies")
}
