//! APIM0302 `unexpected-child`: a child element the policy does not have.

use crate::catalog;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, codes};

pub static RULE: Rule = Rule {
    code: codes::UNEXPECTED_CHILD,
    name: "unexpected-child",
    severity: Severity::Error,
    summary: "A child element that the policy does not define.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::UNEXPECTED_CHILD,
    explanation: "A policy accepts only the child elements of its statement (`set-header` takes `value`, \
`validate-jwt` takes `openid-config`, `issuer-signing-keys`, `audiences` …). Other elements are rejected; \
typos get a \"did you mean\".\n\n\
Not checked: opaque content, which is another format's markup rather than policy: a message body's \
payload (the XML inside `set-body`, `publish-to-dapr`, a Service Bus `payload`), the XSLT stylesheet of \
`xsl-transform` (`xsl:stylesheet` and everything in it) and the crossdomain.xml document of `cross-domain`.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <values>test</values>\n    </set-header>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (id, e, info) in cx.elements() {
        if info.kind != Kind::UnexpectedChild {
            continue;
        }
        let Some(parent_id) = cx.doc.parent(id) else {
            continue;
        };
        let Some(parent) = cx.doc.element(parent_id) else {
            continue;
        };
        let Some(def) = cx.kind(parent_id).and_then(crate::lint::Kind::definition) else {
            continue;
        };
        let names: Vec<&str> = def.children.iter().map(|c| c.element.name).collect();
        let help = match catalog::closest(&e.name, names.iter().copied()) {
            Some(s) => format!("Did you mean <{s}>?"),
            None if names.is_empty() => format!("<{}> has no child elements.", parent.name),
            None => format!(
                "<{}> takes: {}.",
                parent.name,
                names
                    .iter()
                    .map(|n| format!("<{n}>"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let fix = catalog::closest(&e.name, names.iter().copied())
            .map(|s| super::unknown_policy::rename(e, s));
        found.push((e, parent.name.clone(), help, fix));
    }
    for (e, parent, help, fix) in found {
        let mut d = Diagnostic::error(
            codes::UNEXPECTED_CHILD,
            e.name_span,
            format!("<{parent}> cannot contain <{}>", e.name),
        )
        .with_help(help);
        if let Some(fix) = fix {
            d = d.with_fix(fix);
        }
        cx.report(d);
    }
}
