//! APIM0402 `duplicate-base`: `<base />` twice in one section.

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, codes};
use crate::syntax::NodeId;

pub static RULE: Rule = Rule {
    code: codes::DUPLICATE_BASE,
    name: "duplicate-base",
    severity: Severity::Error,
    summary: "`<base />` appears more than once in a section.",
    fix_safe: true,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::DUPLICATE_BASE,
    explanation: "`<base />` runs the parent scope's policies for the section at that spot; it belongs in a \
section once. Twice would run the parent's policies twice (rate limits counted twice, headers appended twice).",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n    <base />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut seen: Vec<Option<NodeId>> = Vec::new();
    let mut found = Vec::new();
    for (id, e, _, _) in cx.policies() {
        if e.name != "base" {
            continue;
        }
        // Only `<base />` directly in a section counts: in `<when>` / `<otherwise>` branches it
        // may stand once per branch.
        let parent = cx.doc.parent(id);
        if !parent.is_some_and(|p| matches!(cx.kind(p), Some(Kind::Section(_)))) {
            continue;
        }
        let section = parent;
        if seen.contains(&section) {
            if let Some(node) = cx.doc.node(id) {
                found.push((e.name_span, node.span));
            }
        } else {
            seen.push(section);
        }
    }
    for (name_span, span) in found {
        cx.report(
            Diagnostic::error(
                codes::DUPLICATE_BASE,
                name_span,
                "<base /> appears twice in this section",
            )
            .with_help("Keep one <base /> where the parent scope's policies should run.")
            .with_fix(super::remove(span, "Remove this <base />")),
        );
    }
}
