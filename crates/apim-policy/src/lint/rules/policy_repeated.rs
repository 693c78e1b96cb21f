//! APIM0108 `policy-repeated`: a policy used more often than APIM allows.

use crate::catalog::Scope;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};
use crate::syntax::NodeId;

pub static RULE: Rule = Rule {
    code: codes::POLICY_REPEATED,
    name: "policy-repeated",
    severity: Severity::Error,
    summary: "A policy that may appear once per section (or per document) appears again.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::POLICY_REPEATED,
    explanation: "Some policies may be used only once in a section (`cors`, `cache-lookup`, \
`redirect-content-urls`, `validate-parameters` …) or once per document (`forward-request`: \"multiple \
statements are not supported\"). Merge the two into one.",
    bad: Example::new("<policies>\n  <backend>\n    <forward-request timeout=\"10\" />\n    <forward-request timeout=\"20\" />\n  </backend>\n</policies>").at(Scope::Global),
    good: Example::new("<policies>\n  <backend>\n    <forward-request timeout=\"20\" />\n  </backend>\n</policies>").at(Scope::Global),
};

fn run(cx: &mut Ctx<'_>) {
    let mut seen_doc: Vec<&str> = Vec::new();
    let mut seen_section: Vec<(Option<NodeId>, &str)> = Vec::new();
    let mut found = Vec::new();
    for (id, e, def, info) in cx.policies() {
        // The section element this policy is in (for fragments: the document).
        let section_node = cx
            .doc
            .ancestors(id)
            .find(|a| matches!(cx.kind(*a), Some(crate::lint::Kind::Section(_))));
        if def.once_per_document {
            if seen_doc.contains(&def.name()) {
                found.push((e, "once per policy document"));
                continue;
            }
            seen_doc.push(def.name());
        }
        if def.once_per_section && info.section.is_some() {
            if seen_section.contains(&(section_node, def.name())) {
                found.push((e, "once per section"));
                continue;
            }
            seen_section.push((section_node, def.name()));
        }
    }
    for (e, how) in found {
        cx.report(
            Diagnostic::error(
                codes::POLICY_REPEATED,
                e.name_span,
                format!("<{}> may be used only {how}", e.name),
            )
            .with_help(
                "Merge the two into one statement (choose/when can pick between alternatives).",
            ),
        );
    }
}
