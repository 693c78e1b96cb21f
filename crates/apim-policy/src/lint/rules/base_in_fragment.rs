//! APIM0401 `base-in-fragment`: `<base />` inside a policy fragment.

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::BASE_IN_FRAGMENT,
    name: "base-in-fragment",
    severity: Severity::Error,
    summary: "`<base />` is not allowed in a policy fragment.",
    fix_safe: true,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::BASE_IN_FRAGMENT,
    explanation: "A fragment is pasted into the policy that includes it, at the `include-fragment` \
statement; it has no parent scope of its own. Put `<base />` in the including policy's section instead.",
    bad: Example::new(
        "<fragment>\n  <base />\n  <set-header name=\"x-correlation-id\" exists-action=\"skip\">\n    <value>@(context.RequestId.ToString())</value>\n  </set-header>\n</fragment>",
    ),
    good: Example::new(
        "<fragment>\n  <set-header name=\"x-correlation-id\" exists-action=\"skip\">\n    <value>@(context.RequestId.ToString())</value>\n  </set-header>\n</fragment>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    if !cx.is_fragment() {
        return;
    }
    let found: Vec<_> = cx
        .policies()
        .filter(|(_, e, _, _)| e.name == "base")
        .filter_map(|(id, e, _, _)| Some((e.name_span, cx.doc.node(id)?.span)))
        .collect();
    for (name_span, span) in found {
        cx.report(
            Diagnostic::error(
                codes::BASE_IN_FRAGMENT,
                name_span,
                "<base /> is not allowed in a policy fragment",
            )
            .with_help("Put <base /> in the section of the policy that includes this fragment.")
            .with_fix(super::remove(span, "Remove <base />")),
        );
    }
}
