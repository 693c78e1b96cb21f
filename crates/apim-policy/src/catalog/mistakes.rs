//! Names that look like APIM policies or attributes but are not: the table behind "this is not
//! an APIM policy" and "did you mean" diagnostics. Source: `shared/reference/apim-policies.md` §3
//! and `shared/apim-xsd/XSD-CHECK.md` (the toolkit test data that fails the XSD).

/// An element name that people write but APIM does not accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownMistake {
    pub name: &'static str,
    /// The element to write instead, when there is one.
    pub replacement: Option<&'static str>,
    pub explanation: &'static str,
}

/// Known non-policies, sorted by name.
pub static KNOWN_MISTAKES: &[KnownMistake] = &[
    KnownMistake {
        name: "append-header",
        replacement: Some("set-header"),
        explanation: "Not an APIM element (a name from the policy toolkit's C# API). Use set-header with exists-action=\"append\".",
    },
    KnownMistake {
        name: "authenticate-managed-identity",
        replacement: Some("authentication-managed-identity"),
        explanation: "Typo (it appears in an April 2019 Azure update post): the policy is authentication-managed-identity.",
    },
    KnownMistake {
        name: "cache-value",
        replacement: Some("cache-store-value"),
        explanation: "Not in the APIM policy reference (the policy toolkit emits it). Use cache-store-value and cache-lookup-value.",
    },
    KnownMistake {
        name: "invoke-darp-binding",
        replacement: Some("invoke-dapr-binding"),
        explanation: "Misspelling of invoke-dapr-binding (Dapr, not Darp).",
    },
    KnownMistake {
        name: "key-vault-configuration",
        replacement: None,
        explanation: "Not an APIM policy: it comes from a blog post and exists nowhere in Microsoft's reference. Reference Key Vault secrets through a Key Vault named value ({{name}}), or fetch them with send-request and authentication-managed-identity.",
    },
    KnownMistake {
        name: "publish-to-darp",
        replacement: Some("publish-to-dapr"),
        explanation: "Misspelling of publish-to-dapr (Dapr, not Darp).",
    },
    KnownMistake {
        name: "remove-header",
        replacement: Some("set-header"),
        explanation: "Not an APIM element (a name from the policy toolkit's C# API). Use set-header with exists-action=\"delete\".",
    },
    KnownMistake {
        name: "remove-query-parameter",
        replacement: Some("set-query-parameter"),
        explanation: "Not an APIM element (a name from the policy toolkit's C# API). Use set-query-parameter with exists-action=\"delete\".",
    },
    KnownMistake {
        name: "set-header-if-not-exist",
        replacement: Some("set-header"),
        explanation: "Not an APIM element (a name from the policy toolkit's C# API). Use set-header with exists-action=\"skip\".",
    },
    KnownMistake {
        name: "set-query-parameter-if-not-exist",
        replacement: Some("set-query-parameter"),
        explanation: "Not an APIM element (a name from the policy toolkit's C# API). Use set-query-parameter with exists-action=\"skip\".",
    },
];

/// Known attribute typos: (element, wrong attribute, right attribute). `*` matches any element.
static ATTRIBUTE_MISTAKES: &[(&str, &str, &str)] = &[
    (
        "azure-openai-token-limit",
        "estimate-prompt-token",
        "estimate-prompt-tokens",
    ),
    (
        "llm-token-limit",
        "estimate-prompt-token",
        "estimate-prompt-tokens",
    ),
    (
        "validate-content",
        "error-variable-name",
        "errors-variable-name",
    ),
    (
        "validate-headers",
        "error-variable-name",
        "errors-variable-name",
    ),
    (
        "validate-parameters",
        "error-variable-name",
        "errors-variable-name",
    ),
    (
        "validate-status-code",
        "error-variable-name",
        "errors-variable-name",
    ),
    // The two GraphQL/OData validators spell it the other way round.
    (
        "validate-graphql-request",
        "errors-variable-name",
        "error-variable-name",
    ),
    (
        "validate-odata-request",
        "errors-variable-name",
        "error-variable-name",
    ),
];

/// The known non-policy element called `name`.
pub fn known_mistake(name: &str) -> Option<&'static KnownMistake> {
    KNOWN_MISTAKES.iter().find(|m| m.name == name)
}

/// The correct attribute name when `attribute` is a known typo on `element`.
pub fn attribute_mistake(element: &str, attribute: &str) -> Option<&'static str> {
    ATTRIBUTE_MISTAKES
        .iter()
        .find(|(e, wrong, _)| (*e == element || *e == "*") && *wrong == attribute)
        .map(|(_, _, right)| *right)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mistakes_are_sorted_and_not_policies() {
        for pair in KNOWN_MISTAKES.windows(2) {
            assert!(pair[0].name < pair[1].name);
        }
        for m in KNOWN_MISTAKES {
            assert!(
                super::super::policy(m.name).is_none(),
                "{} is a policy",
                m.name
            );
            if let Some(r) = m.replacement {
                assert!(super::super::policy(r).is_some(), "{r} is not a policy");
            }
        }
    }

    #[test]
    fn attribute_typos_point_to_real_attributes() {
        for (element, wrong, right) in ATTRIBUTE_MISTAKES {
            let p = super::super::policy(element).expect(element);
            assert!(p.element.attribute(right).is_some(), "{element}@{right}");
            assert!(p.element.attribute(wrong).is_none(), "{element}@{wrong}");
        }
        assert_eq!(
            attribute_mistake("llm-token-limit", "estimate-prompt-token"),
            Some("estimate-prompt-tokens")
        );
        assert_eq!(
            attribute_mistake("set-header", "estimate-prompt-token"),
            None
        );
    }
}
