//! APIM0605 `undeclared-backend`: a policy names a backend entity that does not exist.

use crate::diagnostic::Severity;
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::UNDECLARED_BACKEND,
    name: "undeclared-backend",
    severity: Severity::Error,
    summary: "A `backend-id` names a backend (or backend pool) that does not exist.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::UNDECLARED_BACKEND,
    explanation: "APIM resolves a literal `backend-id` when the policy is saved: a backend that does not \
exist is refused with \"Error in element 'set-backend-service' on line …: Backend with id '…' could not be \
found\" (so a deployment must create the backend before the policy). The same holds for the backends the \
AI-gateway policies call (`llm-content-safety backend-id`, the semantic cache's `embeddings-backend-id`). \
The check runs when the backends are known: the scenario declares some (`backends`, docs/scenario.md). \
Backend ids are resource names, compared case-insensitively; an expression is not checked, and \
`backend-id=\"dapr\"` is the Dapr form, not a backend entity.",
    bad: Example::new("<policies>\n  <inbound>\n    <base />\n    <set-backend-service backend-id=\"openai-pool\" />\n  </inbound>\n</policies>").backends(&["openai-backend-pool"]),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n    <set-backend-service backend-id=\"openai-backend-pool\" />\n  </inbound>\n</policies>").backends(&["openai-backend-pool"]),
};

/// The policies whose attribute names a backend entity.
const REFERENCES: &[(&str, &str)] = &[
    ("set-backend-service", "backend-id"),
    ("llm-content-safety", "backend-id"),
    ("llm-semantic-cache-lookup", "embeddings-backend-id"),
    (
        "azure-openai-semantic-cache-lookup",
        "embeddings-backend-id",
    ),
];

fn run(cx: &mut Ctx<'_>) {
    let Some(declared) = cx.options.backends.as_ref() else {
        return;
    };
    let mut found = Vec::new();
    for (_, e, _, _) in cx.policies() {
        let Some((_, attr_name)) = REFERENCES.iter().find(|(policy, _)| *policy == e.name) else {
            continue;
        };
        let Some(attr) = e.attribute(attr_name) else {
            continue;
        };
        let Some(id) = attr.value.literal() else {
            continue;
        };
        if e.name == "set-backend-service" && id == "dapr" {
            continue;
        }
        if declared.iter().any(|d| d.eq_ignore_ascii_case(&id)) {
            continue;
        }
        found.push(super::undeclared(
            codes::UNDECLARED_BACKEND,
            attr.value.span,
            "backend",
            &id,
            declared,
            format!(
                "Create the backend `{id}` (the scenario's backends: {}) before the policy that uses it.",
                declared.join(", ")
            ),
        ));
    }
    for d in found {
        cx.report(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::{LintOptions, codes, lint_with};

    fn undeclared(source: &str, backends: Option<&[&str]>) -> Vec<String> {
        let options = LintOptions {
            backends: backends.map(|b| b.iter().map(|s| (*s).to_string()).collect()),
            ..LintOptions::default()
        };
        lint_with(source, &options)
            .into_iter()
            .filter(|d| d.code == codes::UNDECLARED_BACKEND)
            .map(|d| d.message)
            .collect()
    }

    fn inbound(body: &str) -> String {
        format!("<policies>\n<inbound>\n<base />\n{body}\n</inbound>\n</policies>")
    }

    #[test]
    fn unknown_ids_are_reported_only_when_backends_are_known() {
        let src = inbound("<set-backend-service backend-id=\"orders\" />");
        assert_eq!(undeclared(&src, None), Vec::<String>::new());
        assert_eq!(
            undeclared(&src, Some(&["inventory"])),
            vec!["backend `orders` does not exist"]
        );
        assert_eq!(undeclared(&src, Some(&["Orders"])), Vec::<String>::new());
    }

    #[test]
    fn the_ai_gateway_references_are_checked_and_dapr_is_not_a_backend() {
        let src = inbound(
            "<set-backend-service backend-id=\"dapr\" dapr-app-id=\"orders\" dapr-method=\"get\" />\n\
             <llm-content-safety backend-id=\"safety\"><categories><category name=\"Hate\" threshold=\"4\" /></categories></llm-content-safety>\n\
             <llm-semantic-cache-lookup score-threshold=\"0.8\" embeddings-backend-id=\"embed\" embeddings-backend-auth=\"system-assigned\" />",
        );
        assert_eq!(
            undeclared(&src, Some(&["safety-service"])),
            vec![
                "backend `safety` does not exist",
                "backend `embed` does not exist"
            ]
        );
    }

    #[test]
    fn expressions_are_not_checked_and_a_typo_gets_a_fix() {
        let src = inbound(
            "<set-backend-service backend-id=\"@(context.Variables.GetValueOrDefault<string>(&quot;b&quot;))\" />",
        );
        assert_eq!(undeclared(&src, Some(&["a"])), Vec::<String>::new());
        let src = inbound("<set-backend-service backend-id=\"openai-pol\" />");
        let options = LintOptions {
            backends: Some(vec!["openai-pool".into()]),
            ..LintOptions::default()
        };
        let d = lint_with(&src, &options)
            .into_iter()
            .find(|d| d.code == codes::UNDECLARED_BACKEND);
        let fix = d.and_then(|d| d.fix).map(|f| f.message);
        assert_eq!(fix.as_deref(), Some("Change to openai-pool"));
    }
}
