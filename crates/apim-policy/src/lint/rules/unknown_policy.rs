//! APIM0104 `unknown-policy`: an element that is not a policy where a policy belongs.

use crate::catalog;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, codes};
use crate::syntax::Element;

pub static RULE: Rule = Rule {
    code: codes::UNKNOWN_POLICY,
    name: "unknown-policy",
    severity: Severity::Error,
    summary: "An element in a section is not an APIM policy.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::UNKNOWN_POLICY,
    explanation: "Sections (and `<when>`, `<retry>`, fragments …) contain policy statements only; APIM \
rejects unknown elements. The message suggests the closest policy name; the fix renames the element.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-heder name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-heder>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let found: Vec<&Element> = cx
        .elements()
        .filter(|(_, e, info)| {
            info.kind == Kind::UnknownPolicy && catalog::known_mistake(&e.name).is_none()
        })
        .map(|(_, e, _)| e)
        .collect();
    for e in found {
        let mut d = Diagnostic::error(
            codes::UNKNOWN_POLICY,
            e.name_span,
            format!("<{}> is not an APIM policy", e.name),
        );
        if let Some(s) = catalog::closest_policy(&e.name) {
            d = d
                .with_help(format!("Did you mean <{s}>?"))
                .with_fix(rename(e, s));
        } else if crate::catalog::Section::from_name(&e.name).is_some() {
            d = d.with_help(format!(
                "<{}> is a section: sections go directly inside <policies>.",
                e.name
            ));
        } else {
            d = d.with_help("See the policy reference for the available policies: https://learn.microsoft.com/azure/api-management/api-management-policies");
        }
        cx.report(d);
    }
}

/// A fix renaming an element (start tag and end tag).
pub(crate) fn rename(e: &Element, to: &str) -> Fix {
    let mut edits = vec![Edit {
        start: e.name_span.start,
        end: e.name_span.end,
        text: to.to_string(),
    }];
    if let Some(end) = e.end_name_span {
        edits.push(Edit {
            start: end.start,
            end: end.end,
            text: to.to_string(),
        });
    }
    Fix {
        message: format!("Rename to <{to}>"),
        edits,
    }
}
