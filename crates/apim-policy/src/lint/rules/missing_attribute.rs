//! APIM0201 `missing-attribute`: a required attribute is missing.

use crate::catalog::{Condition, Item, attr_state};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::MISSING_ATTRIBUTE,
    name: "missing-attribute",
    severity: Severity::Error,
    summary: "A required attribute is missing.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::MISSING_ATTRIBUTE,
    explanation: "Each policy's reference page marks some attributes as required (`name` of `set-header`, \
`calls` and `renewal-period` of `rate-limit` …); APIM rejects the policy without them. Some are \
required only with a certain value of another attribute: `set-backend-service backend-id=\"dapr\"` needs \
`dapr-app-id` and `dapr-method`, `get-authorization-context identity-type=\"jwt\"` needs `identity`, an \
`emit-metric` dimension needs a `value` unless its name is a default dimension (`API ID` …) (a \
condition on an attribute whose value is an expression is not judged). The fix adds the attribute with \
an empty value for you to fill in.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable value=\"1\" />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-variable name=\"attempt\" value=\"1\" />\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (_, e, def) in cx.defined_elements() {
        for attr in def.attributes.iter().filter(|a| a.required) {
            if e.attribute(attr.name).is_none() {
                found.push((e, attr.name, attr.doc, None));
            }
        }
        for condition in def.conditions {
            if let Condition::Required {
                item: Item::Attr(name),
                when,
            } = *condition
                && e.attribute(name).is_none()
                && when.holds(def, |a| {
                    attr_state(e.attribute(a).map(|v| v.value.literal()))
                }) == Some(true)
            {
                let doc = def.attribute(name).map(|a| a.doc).unwrap_or("");
                found.push((e, name, doc, Some(when.describe())));
            }
        }
    }
    for (e, name, doc, when) in found {
        let at = e.name_span.end;
        let message = match when {
            Some(when) => format!("<{}> needs the attribute `{name}` {when}", e.name),
            None => format!("<{}> needs the attribute `{name}`", e.name),
        };
        let mut d =
            Diagnostic::error(codes::MISSING_ATTRIBUTE, e.name_span, message).with_fix(Fix {
                message: format!("Add {name}=\"\""),
                edits: vec![Edit {
                    start: at,
                    end: at,
                    text: format!(" {name}=\"\""),
                }],
            });
        if !doc.is_empty() {
            d = d.with_help(format!("`{name}`: {doc}"));
        }
        cx.report(d);
    }
}
