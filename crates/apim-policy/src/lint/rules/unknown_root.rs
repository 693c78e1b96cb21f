//! APIM0101 `unknown-root`: the root element is not `<policies>` or `<fragment>`.

use crate::catalog;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, codes};

pub static RULE: Rule = Rule {
    code: codes::UNKNOWN_ROOT,
    name: "unknown-root",
    severity: Severity::Error,
    summary: "The root element must be `<policies>` (or `<fragment>` for a policy fragment).",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::UNKNOWN_ROOT,
    explanation: "A policy document is `<policies>` with the sections `<inbound>`, `<backend>`, \
`<outbound>` and `<on-error>`; a policy fragment is `<fragment>` with policy statements. A single policy \
such as a snippet must be placed inside a section.",
    bad: Example::new(
        "<set-header name=\"x-env\" exists-action=\"override\">\n  <value>test</value>\n</set-header>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let Some(root_id) = cx.doc.root else {
        return;
    };
    if cx.kind(root_id) != Some(Kind::UnknownRoot) {
        return;
    }
    let Some(root) = cx.doc.element(root_id) else {
        return;
    };
    let help = if let Some(def) = catalog::policy(&root.name) {
        let section = def.sections.iter().next().map_or("inbound", |s| s.name());
        format!(
            "<{}> is a policy: put it inside a section, e.g. <policies><{section}> … </{section}></policies>, or inside <fragment> for a policy fragment.",
            root.name
        )
    } else {
        match catalog::closest(&root.name, ["policies", "fragment"]) {
            Some(s) => format!("Did you mean <{s}>?"),
            None => "A policy document starts with <policies>; a policy fragment with <fragment>."
                .to_string(),
        }
    };
    cx.report(
        Diagnostic::error(
            codes::UNKNOWN_ROOT,
            root.name_span,
            format!("<{}> is not a policy document root", root.name),
        )
        .with_help(help),
    );
}
