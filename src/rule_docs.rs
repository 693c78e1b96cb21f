//! Rule documentation inside the app: every diagnostic code in the core's rule registry has a
//! page at `#rule/<CODE>` (the hover's and the problems list's links), rendered from the
//! registry by `components::rule_page`. It works offline: nothing is fetched.

/// The fragment prefix of a rule page.
pub const PREFIX: &str = "#rule/";

/// The in-page link to a code's rule page, when the registry has the code.
pub fn href(code: &str) -> Option<String> {
    apim_policy::lint::rule(code).map(|r| format!("{PREFIX}{}", r.code))
}

/// The code of a `#rule/<CODE>` address fragment.
pub fn code_of(hash: &str) -> Option<&str> {
    hash.strip_prefix(PREFIX).filter(|c| !c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_code_has_a_page_and_others_none() {
        for rule in apim_policy::lint::rules() {
            let link = href(rule.code).unwrap();
            assert_eq!(code_of(&link), Some(rule.code));
        }
        assert_eq!(href("NOPE0000"), None);
        assert_eq!(code_of("#rule/"), None);
        assert_eq!(code_of("#s=abc"), None);
    }
}
