//! APIM0301 `missing-child`: a required child element is missing.

use crate::catalog::Content;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

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
`allowed-origins` and `allowed-headers`, `send-request` in mode `new` needs `set-url` … APIM rejects the \
policy otherwise.\n\n\
**How it counts: per element.** A required child must be a direct child of the element itself (the \
`when` of this `choose`); one in a nested element or in opaque content does not count.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <choose>\n      <otherwise>\n        <set-variable name=\"tier\" value=\"free\" />\n      </otherwise>\n    </choose>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <choose>\n      <when condition=\"@(context.User == null)\">\n        <set-variable name=\"tier\" value=\"anonymous\" />\n      </when>\n      <otherwise>\n        <set-variable name=\"tier\" value=\"free\" />\n      </otherwise>\n    </choose>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (id, e, def) in cx.defined_elements() {
        if def.content != Content::Elements || super::text_not_allowed::is_legacy_trace(cx, e) {
            continue;
        }
        for child in def.children.iter().filter(|c| c.min > 0) {
            // `send-request mode="copy"` copies the URL and method of the current request.
            if e.name == "send-request"
                && matches!(child.element.name, "set-url" | "set-method")
                && e.attribute("mode")
                    .is_some_and(|m| m.value.literal().as_deref() != Some("new"))
            {
                continue;
            }
            let count = cx
                .doc
                .child_elements(id)
                .filter(|(_, c)| c.name == child.element.name)
                .count();
            if count < usize::from(child.min) {
                found.push((e, child.element.name, child.element.doc));
            }
        }
    }
    for (e, name, doc) in found {
        let mut d = Diagnostic::error(
            codes::MISSING_CHILD,
            e.name_span,
            format!("<{}> needs a <{name}> element", e.name),
        );
        if !doc.is_empty() {
            d = d.with_help(format!("<{name}>: {doc}"));
        }
        if (e.self_closing || e.children.is_empty())
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
