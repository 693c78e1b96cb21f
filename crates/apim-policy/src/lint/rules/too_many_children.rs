//! APIM0304 `too-many-children`: a child element repeated more often than allowed.

use crate::catalog::{Condition, Content};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::TOO_MANY_CHILDREN,
    name: "too-many-children",
    severity: Severity::Error,
    summary: "A child element appears more often than the policy allows.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::TOO_MANY_CHILDREN,
    explanation: "Some child elements may appear once (`choose` has at most one `otherwise`, \
`return-response` one `set-body`), others a bounded number of times (`emit-metric` at most 10 \
dimensions), and some exclude each other (`cosmosdb-data-source` takes one of `query-request`, \
`read-request`, `delete-request` and `write-request`).\n\n\
**How it counts: per element.** The limit is on the direct children of one element (one `choose`, one \
`emit-metric`), as written; no element with such limits can hold a `choose`, so there are no branches to \
count across. Opaque content (a body's payload, an XSLT stylesheet, a crossdomain.xml document) is not \
counted.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <choose>\n      <when condition=\"@(true)\">\n        <set-variable name=\"a\" value=\"1\" />\n      </when>\n      <otherwise />\n      <otherwise />\n    </choose>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <choose>\n      <when condition=\"@(true)\">\n        <set-variable name=\"a\" value=\"1\" />\n      </when>\n      <otherwise />\n    </choose>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (id, e, def) in cx.defined_elements() {
        if def.content != Content::Elements {
            continue;
        }
        for child in def.children {
            let Some(max) = child.max else {
                continue;
            };
            let same: Vec<_> = cx
                .doc
                .child_elements(id)
                .filter(|(_, c)| c.name == child.element.name)
                .collect();
            for (_, extra) in same.iter().skip(usize::from(max)) {
                let times = if max == 1 {
                    "once".to_string()
                } else {
                    format!("{max} times")
                };
                found.push((
                    extra.name_span,
                    format!(
                        "<{}> may contain <{}> at most {times}",
                        e.name, child.element.name
                    ),
                ));
            }
        }
        for condition in def.conditions {
            if let Condition::ExactlyOneChild(names) = *condition {
                let present: Vec<_> = cx
                    .doc
                    .child_elements(id)
                    .filter(|(_, c)| names.contains(&c.name.as_str()))
                    .collect();
                // A repeat of the same child is `max`'s to report (above); here only a second
                // kind of child.
                for (i, (_, extra)) in present.iter().enumerate().skip(1) {
                    if present
                        .iter()
                        .take(i)
                        .any(|(_, earlier)| earlier.name == extra.name)
                    {
                        continue;
                    }
                    let list = names
                        .iter()
                        .map(|n| format!("<{n}>"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    found.push((
                        extra.name_span,
                        format!("<{}> takes only one of {list}", e.name),
                    ));
                }
            }
        }
    }
    for (span, message) in found {
        cx.report(
            Diagnostic::error(codes::TOO_MANY_CHILDREN, span, message)
                .with_help("Remove or merge the extra element."),
        );
    }
}
