//! APIM0604 `undeclared-fragment`: `include-fragment` of a fragment that does not exist.

use crate::diagnostic::Severity;
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::UNDECLARED_FRAGMENT,
    name: "undeclared-fragment",
    severity: Severity::Error,
    summary: "`include-fragment` names a policy fragment that does not exist.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::UNDECLARED_FRAGMENT,
    explanation: "A fragment must exist in the APIM instance before a policy that includes it is saved \
(and be deployed first). The check runs when the fragments are known (the scenario's `fragments`).",
    bad: Example::new("<policies>\n  <inbound>\n    <base />\n    <include-fragment fragment-id=\"common-header\" />\n  </inbound>\n</policies>").fragments(&["common-headers"]),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n    <include-fragment fragment-id=\"common-headers\" />\n  </inbound>\n</policies>").fragments(&["common-headers"]),
};

fn run(cx: &mut Ctx<'_>) {
    let Some(declared) = cx.options.fragments.as_ref() else {
        return;
    };
    let mut found = Vec::new();
    for (_, e, _, _) in cx.policies() {
        if e.name != "include-fragment" {
            continue;
        }
        let Some(attr) = e.attribute("fragment-id") else {
            continue;
        };
        let Some(id) = attr.value.literal() else {
            continue;
        };
        if declared.contains(&id) {
            continue;
        }
        found.push(super::undeclared(
            codes::UNDECLARED_FRAGMENT,
            attr.value.span,
            "policy fragment",
            &id,
            declared,
            format!("Create the fragment `{id}` (the scenario's fragments) before the policy that includes it."),
        ));
    }
    for d in found {
        cx.report(d);
    }
}
