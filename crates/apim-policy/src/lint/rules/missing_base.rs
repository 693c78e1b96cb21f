//! APIM0403 `missing-base`: a section below global scope without `<base />`.

use crate::catalog::Scope;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, codes};

pub static RULE: Rule = Rule {
    code: codes::MISSING_BASE,
    name: "missing-base",
    severity: Severity::Warning,
    summary: "A section at product, API or operation scope does not include `<base />`.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::MISSING_BASE,
    explanation: "Without `<base />` the section does not run the parent scope's policies: a global \
IP filter, a product's rate limit or the API's authentication silently stop applying. Leave it out only on \
purpose (the message is a warning); the fix inserts it at the start of the section. Not reported at \
global scope (which has no parent) nor in fragments; when the scope is not known the document is checked as \
an API policy and the help says that the scope was assumed (a global `policy.xml` linted without `--scope` \
outside an APIOps folder gets this warning).\n\n\
**How it counts: per section.** One `<base />` statement anywhere in the section satisfies it, also inside \
a `choose` branch (inheriting on some paths only is a choice this warning does not second-guess); a \
`<base/>` in a body's payload is data and does not count. Twice on one path is `duplicate-base`.",
    bad: Example::new("<policies>\n  <inbound>\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>").at(Scope::Api),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>").at(Scope::Api),
};

fn run(cx: &mut Ctx<'_>) {
    if matches!(cx.scope, Scope::Global | Scope::Fragment | Scope::Resolver) {
        return;
    }
    // Unknown scope: the document may be the global policy, where no <base /> is right.
    let assumed = crate::lint::scope_assumed(cx.doc, cx.options).then(|| {
        format!(
            " The scope api was assumed (no scope given and none can be read from the path): the global \
policy needs no <base />. {}",
            crate::lint::ASSUMED_SCOPE_HELP
        )
    });
    let mut found = Vec::new();
    for (id, e, info) in cx.elements() {
        let Kind::Section(section) = info.kind else {
            continue;
        };
        // A `<base />` statement anywhere in the section (a `<base/>` in a body's payload is
        // data, not a statement).
        let has_base = cx
            .doc
            .descendants(id)
            .iter()
            .any(|d| matches!(cx.kind(*d), Some(Kind::Policy(p)) if p.name() == "base"));
        if !has_base {
            found.push((e, section));
        }
    }
    for (e, section) in found {
        let indent = cx.indent_at(e.start_tag.start);
        let fix = if e.self_closing {
            let tag = e.start_tag;
            Fix {
                message: "Add <base />".into(),
                edits: vec![Edit {
                    start: tag.start,
                    end: tag.end,
                    text: format!("<{0}>\n{indent}  <base />\n{indent}</{0}>", e.name),
                }],
            }
        } else {
            let at = e.start_tag.end;
            Fix {
                message: "Add <base />".into(),
                edits: vec![Edit {
                    start: at,
                    end: at,
                    text: format!("\n{indent}  <base />"),
                }],
            }
        };
        cx.report(
            Diagnostic::new(codes::MISSING_BASE, Severity::Warning, e.name_span, format!("<{}> does not include <base />", section.name()))
                .with_help(format!(
                    "Without <base /> the {} policies of the parent scopes (global, product …) do not run for this {}.{}",
                    section.name(),
                    cx.scope.name(),
                    assumed.as_deref().unwrap_or("")
                ))
                .with_fix(fix),
        );
    }
}
