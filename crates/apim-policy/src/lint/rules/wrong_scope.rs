//! APIM0107 `wrong-scope`: a policy at a scope where APIM does not allow it.

use crate::catalog::Scope;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::WRONG_SCOPE,
    name: "wrong-scope",
    severity: Severity::Error,
    summary: "A policy is used at a scope (global, product, API, operation …) where APIM does not allow it.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::WRONG_SCOPE,
    explanation: "Some policies work only at some scopes: `quota` (per subscription) only at product scope, \
`rate-limit` not at global scope, `cross-domain` only at global scope. The scope is where the document is \
attached; the CLI takes it from `--scope` or, without it, from the file's place in an APIOps folder \
(`products/<p>/policy.xml` is a product policy, `apis/<a>/operations/<o>/policy.xml` an operation policy), \
the playground from the Scope setting of the Export tab.\n\n\
When the scope is not known (no `--scope`, a path that says nothing, no Scope chosen in the playground) \
the document is checked as an API policy and this rule reports a **warning** that says so, \
`<quota> is not allowed at api scope (scope api assumed: …)`: the file may be attached where the \
policy is allowed. With a known scope it is an error.",
    bad: Example::new("<policies>\n  <inbound>\n    <rate-limit calls=\"20\" renewal-period=\"90\" />\n  </inbound>\n</policies>").at(Scope::Global),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n    <rate-limit calls=\"20\" renewal-period=\"90\" />\n  </inbound>\n</policies>").at(Scope::Product),
};

fn run(cx: &mut Ctx<'_>) {
    let scope = cx.scope;
    let assumed = crate::lint::scope_assumed(cx.doc, cx.options);
    let found: Vec<_> = cx
        .policies()
        // `base` in a fragment is `base-in-fragment`'s to report.
        .filter(|(_, e, def, _)| {
            !(def.scopes.contains(scope) || (scope == Scope::Fragment && e.name == "base"))
        })
        .map(|(_, e, def, _)| (e, def))
        .collect();
    for (e, def) in found {
        let allowed: Vec<&str> = def
            .scopes
            .iter()
            .filter(|s| *s != Scope::Fragment)
            .map(|s| s.name())
            .collect();
        let where_ = if scope == Scope::Fragment {
            "in a policy fragment".to_string()
        } else {
            format!("at {} scope", scope.name())
        };
        let mut message = format!("<{}> is not allowed {where_}", e.name);
        let mut help = format!(
            "<{}> may be used at these scopes: {}. See {}",
            e.name,
            allowed.join(", "),
            def.doc_url
        );
        // An unknown scope: APIM may well accept the policy where the file really goes.
        let severity = if assumed {
            message.push_str(&crate::lint::assumed_scope_note(scope));
            help = format!(
                "The document's scope is not known, so it was checked at {} scope and this is only a warning. {} {help}",
                scope.name(),
                crate::lint::ASSUMED_SCOPE_HELP
            );
            Severity::Warning
        } else {
            Severity::Error
        };
        cx.report(
            Diagnostic::new(codes::WRONG_SCOPE, severity, e.name_span, message).with_help(help),
        );
    }
}
