//! APIM0602 `undefined-named-value`: a `{{reference}}` to a named value that does not exist.

use super::invalid_named_value::is_valid_name;
use crate::catalog;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};

pub static RULE: Rule = Rule {
    code: codes::UNDEFINED_NAMED_VALUE,
    name: "undefined-named-value",
    severity: Severity::Error,
    summary: "A `{{reference}}` to a named value the scenario does not declare.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::UNDEFINED_NAMED_VALUE,
    explanation: "APIM refuses to save a policy that references a named value that does not exist. The \
check runs when the named values are known (the scenario's `named_values`, `--scenario` on the CLI); \
without them references are not checked. Names are matched case-insensitively.",
    bad: Example::new("<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-api-key\" exists-action=\"override\">\n      <value>{{backend-key}}</value>\n    </set-header>\n  </inbound>\n</policies>").named_values(&[("backend-api-key", true)]),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-api-key\" exists-action=\"override\">\n      <value>{{backend-api-key}}</value>\n    </set-header>\n  </inbound>\n</policies>").named_values(&[("backend-api-key", true)]),
};

fn run(cx: &mut Ctx<'_>) {
    let Some(declared) = cx.options.named_values.as_ref() else {
        return;
    };
    let names: Vec<&str> = declared.iter().map(|nv| nv.name.as_str()).collect();
    let mut found = Vec::new();
    for nv in super::named_value_refs(cx) {
        if !is_valid_name(&nv.name) || names.iter().any(|n| n.eq_ignore_ascii_case(&nv.name)) {
            continue;
        }
        let mut d = Diagnostic::error(
            codes::UNDEFINED_NAMED_VALUE,
            nv.name_span,
            format!("named value `{}` does not exist", nv.name),
        );
        match catalog::closest(&nv.name, names.iter().copied()) {
            Some(s) => {
                d = d
                    .with_help(format!(
                        "Did you mean `{s}`? Otherwise create the named value `{}`.",
                        nv.name
                    ))
                    .with_fix(Fix {
                        message: format!("Change to {{{{{s}}}}}"),
                        edits: vec![Edit {
                            start: nv.name_span.start,
                            end: nv.name_span.end,
                            text: s.to_string(),
                        }],
                    });
            }
            None => {
                d = d.with_help(format!(
                    "Create the named value `{}` (plain, secret, or Key Vault-backed) in APIM and in the scenario's named_values.",
                    nv.name
                ));
            }
        }
        found.push(d);
    }
    for d in found {
        cx.report(d);
    }
}
