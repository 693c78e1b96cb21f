//! APIM0301 `missing-child`: a required child element is missing.

use crate::catalog::{Condition, Content, Item, attr_state};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};
use crate::syntax::Element;

pub static RULE: Rule = Rule {
    code: codes::MISSING_CHILD,
    name: "missing-child",
    severity: Severity::Error,
    summary: "A required child element is missing.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::MISSING_CHILD,
    explanation: "Some policies need child elements: `choose` needs at least one `when`, `cors` needs \
`allowed-origins` and `allowed-headers`. Some are required only with certain attribute values: \
`send-request` and `send-one-way-request` need `set-url` and `set-method` unless `mode=\"copy\"`, \
`set-query-parameter` needs a `value` unless `exists-action=\"delete\"`, a Cosmos DB `write-request` \
with `type=\"replace\"` needs an `id`; and some need one of several children (`ip-filter`: an \
`address` or `address-range`; `cosmosdb-data-source`: one of the four requests). A condition on an \
attribute whose value is an expression is not judged. APIM rejects the policy otherwise.\n\n\
**How it counts: per element.** A required child must be a direct child of the element itself (the \
`set-url` of this `send-request`); one in a nested element or in opaque content does not count.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <send-request mode=\"new\" response-variable-name=\"profile\">\n      <set-method>GET</set-method>\n    </send-request>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <send-request mode=\"new\" response-variable-name=\"profile\">\n      <set-url>https://profiles.example.com/me</set-url>\n      <set-method>GET</set-method>\n    </send-request>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found: Vec<(&Element, String, String, Option<&'static str>)> = Vec::new();
    for (id, e, def) in cx.defined_elements() {
        if def.content != Content::Elements || super::text_not_allowed::is_legacy_trace(cx, e) {
            continue;
        }
        let count = |name: &str| {
            cx.doc
                .child_elements(id)
                .filter(|(_, c)| c.name == name)
                .count()
        };
        let doc_of = |name: &str| def.child(name).map(|c| c.element.doc).unwrap_or("");
        for child in def.children.iter().filter(|c| c.min > 0) {
            if count(child.element.name) < usize::from(child.min) {
                found.push((
                    e,
                    format!("<{}> needs a <{}> element", e.name, child.element.name),
                    help(child.element.name, child.element.doc),
                    Some(child.element.name),
                ));
            }
        }
        for condition in def.conditions {
            match *condition {
                Condition::Required {
                    item: Item::Child(name),
                    when,
                } if count(name) == 0
                    && when.holds(def, |a| {
                        attr_state(e.attribute(a).map(|v| v.value.literal()))
                    }) == Some(true) =>
                {
                    found.push((
                        e,
                        format!("<{}> needs a <{name}> element {}", e.name, when.describe()),
                        help(name, doc_of(name)),
                        Some(name),
                    ));
                }
                Condition::ExactlyOneChild(names) | Condition::AtLeastOneChild(names)
                    if names.iter().all(|n| count(n) == 0) =>
                {
                    let exactly = matches!(condition, Condition::ExactlyOneChild(_));
                    let list = names
                        .iter()
                        .map(|n| format!("<{n}>"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    found.push((
                        e,
                        format!(
                            "<{}> needs {} of {list}",
                            e.name,
                            if exactly { "one" } else { "at least one" }
                        ),
                        "See the policy's elements table in the policy reference.".to_string(),
                        None,
                    ));
                }
                _ => {}
            }
        }
    }
    for (e, message, help, add) in found {
        let mut d = Diagnostic::error(codes::MISSING_CHILD, e.name_span, message).with_help(help);
        if let Some(name) = add
            && (e.self_closing || e.children.is_empty())
            && let Some(end) = e.end_tag
        {
            d = d.with_fix(Fix {
                message: format!("Add <{name}>"),
                edits: vec![Edit {
                    start: end.start,
                    end: end.start,
                    text: format!("<{name}></{name}>"),
                }],
            });
        }
        cx.report(d);
    }
}

fn help(name: &str, doc: &str) -> String {
    if doc.is_empty() {
        format!("Add a <{name}> element; see the policy's elements table in the policy reference.")
    } else {
        format!("<{name}>: {doc}")
    }
}
