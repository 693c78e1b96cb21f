//! APIM0303 `child-order`: child elements out of the statement's order.

use crate::catalog::Content;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::CHILD_ORDER,
    name: "child-order",
    severity: Severity::Error,
    summary: "Child elements are not in the order of the policy statement.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::CHILD_ORDER,
    explanation: "The policy reference: \"Set the policy's elements and child elements in the order \
provided in the policy statement.\" For example `send-request` takes `set-url`, `set-method`, `set-header`, \
`set-body`, then the authentication elements; `choose` takes its `when` elements before `otherwise`.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <send-request mode=\"new\" response-variable-name=\"r\">\n      <set-method>GET</set-method>\n      <set-url>https://example.com/status</set-url>\n    </send-request>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <send-request mode=\"new\" response-variable-name=\"r\">\n      <set-url>https://example.com/status</set-url>\n      <set-method>GET</set-method>\n    </send-request>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (id, e, def) in cx.defined_elements() {
        if def.content != Content::Elements || !def.ordered {
            continue;
        }
        let mut last: Option<(usize, &str)> = None;
        for (_, child) in cx.doc.child_elements(id) {
            let Some(pos) = def
                .children
                .iter()
                .position(|c| c.element.name == child.name)
            else {
                continue;
            };
            if let Some((prev, prev_name)) = last
                && pos < prev
            {
                found.push((
                    child.name_span,
                    format!(
                        "<{}> must come before <{prev_name}> in <{}>",
                        child.name, e.name
                    ),
                    def.children
                        .iter()
                        .map(|c| c.element.name)
                        .collect::<Vec<_>>(),
                ));
                continue;
            }
            last = Some((pos, def.children.get(pos).map_or("", |c| c.element.name)));
        }
    }
    for (span, message, order) in found {
        let order: Vec<String> = order.iter().map(|n| format!("<{n}>")).collect();
        cx.report(
            Diagnostic::error(codes::CHILD_ORDER, span, message)
                .with_help(format!("The order is: {}.", order.join(", "))),
        );
    }
}
