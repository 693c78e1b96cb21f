//! APIM0205 `attribute-combination`: attributes that must (not) be given together.

use crate::catalog::{AttrRule, Condition, attr_state};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::ATTRIBUTE_COMBINATION,
    name: "attribute-combination",
    severity: Severity::Error,
    summary: "Attributes that exclude or require each other.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::ATTRIBUTE_COMBINATION,
    explanation: "Some policies take one of several attributes: `validate-jwt` reads the token from exactly \
one of `header-name`, `query-parameter-name` or `token-value`; `set-backend-service` needs `base-url` or \
`backend-id`; `quota` needs `calls` and/or `bandwidth`; `log-to-eventhub` takes `partition-id` or \
`partition-key`, not both. Some attributes are excluded by another attribute's value: a \
`validate-content` `content` element that validates `xml` or `soap` takes no `schema-ref` (a condition \
on an attribute whose value is an expression is not judged).",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <validate-jwt header-name=\"Authorization\" query-parameter-name=\"token\">\n      <issuer-signing-keys>\n        <key>c2VjcmV0LWtleS1mb3ItaHMyNTYtdGVzdHM=</key>\n      </issuer-signing-keys>\n    </validate-jwt>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <validate-jwt header-name=\"Authorization\">\n      <issuer-signing-keys>\n        <key>c2VjcmV0LWtleS1mb3ItaHMyNTYtdGVzdHM=</key>\n      </issuer-signing-keys>\n    </validate-jwt>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (_, e, def) in cx.defined_elements() {
        for rule in def.attr_rules {
            let present =
                |names: &[&str]| names.iter().filter(|n| e.attribute(n).is_some()).count();
            let list = |names: &[&str]| {
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let message = match *rule {
                AttrRule::ExactlyOne(names) if present(names) != 1 => {
                    Some(format!("<{}> needs exactly one of {}", e.name, list(names)))
                }
                AttrRule::AtLeastOne(names) if present(names) == 0 => Some(format!(
                    "<{}> needs at least one of {}",
                    e.name,
                    list(names)
                )),
                AttrRule::AtMostOne(names) if present(names) > 1 => {
                    Some(format!("<{}> takes at most one of {}", e.name, list(names)))
                }
                AttrRule::Requires(a, b)
                    if e.attribute(a).is_some() && e.attribute(b).is_none() =>
                {
                    Some(format!("`{a}` of <{}> needs `{b}` as well", e.name))
                }
                _ => None,
            };
            if let Some(m) = message {
                found.push((e.name_span, m));
            }
        }
        for condition in def.conditions {
            if let Condition::Forbidden { attr, when } = *condition
                && let Some(a) = e.attribute(attr)
                && when.holds(def, |n| {
                    attr_state(e.attribute(n).map(|v| v.value.literal()))
                }) == Some(true)
            {
                found.push((
                    a.name_span,
                    format!(
                        "`{attr}` of <{}> is not supported {}",
                        e.name,
                        when.describe()
                    ),
                ));
            }
        }
    }
    for (span, message) in found {
        cx.report(
            Diagnostic::error(codes::ATTRIBUTE_COMBINATION, span, message)
                .with_help("See the policy's attribute table in the policy reference."),
        );
    }
}
