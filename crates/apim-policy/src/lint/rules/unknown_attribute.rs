//! APIM0202 `unknown-attribute`: an attribute the element does not have.

use crate::catalog;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::UNKNOWN_ATTRIBUTE,
    name: "unknown-attribute",
    severity: Severity::Error,
    summary: "An attribute that the element does not have.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::UNKNOWN_ATTRIBUTE,
    explanation: "APIM rejects attributes that a policy does not define; most often they are typos \
(`exist-action` for `exists-action`) or names from another tool. The message suggests the closest valid \
attribute and the fix renames it. `id` is allowed on every policy.\n\n\
Not checked: opaque content, which is another format's markup rather than policy: a message body's \
payload (the XML inside `set-body`, `publish-to-dapr`, a Service Bus `payload`), the XSLT stylesheet of \
`xsl-transform` (`xsl:stylesheet` and everything in it) and the crossdomain.xml document of `cross-domain`.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exist-action=\"override\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (_, e, def) in cx.defined_elements() {
        for a in &e.attributes {
            if def.attribute(&a.name).is_some() || a.name == "xmlns" || a.name.starts_with("xmlns:")
            {
                continue;
            }
            let suggestion = catalog::attribute_mistake(&e.name, &a.name).or_else(|| {
                catalog::closest(
                    &a.name,
                    def.attributes
                        .iter()
                        .map(|d| d.name)
                        .filter(|n| e.attribute(n).is_none()),
                )
            });
            found.push((
                e,
                a,
                suggestion,
                def.attributes.iter().map(|d| d.name).collect::<Vec<_>>(),
            ));
        }
    }
    for (e, a, suggestion, all) in found {
        let mut d = Diagnostic::error(
            codes::UNKNOWN_ATTRIBUTE,
            a.name_span,
            format!("<{}> has no attribute `{}`", e.name, a.name),
        );
        match suggestion {
            Some(s) => {
                d = d.with_help(format!("Did you mean `{s}`?")).with_fix(Fix {
                    message: format!("Rename to {s}"),
                    edits: vec![Edit {
                        start: a.name_span.start,
                        end: a.name_span.end,
                        text: s.to_string(),
                    }],
                });
            }
            None if all.is_empty() => d = d.with_help(format!("<{}> takes no attributes.", e.name)),
            None => d = d.with_help(format!("<{}> takes: {}.", e.name, all.join(", "))),
        }
        cx.report(d);
    }
}
