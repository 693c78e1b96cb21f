//! APIM0402 `duplicate-base`: `<base />` twice on one execution path of a section.

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, Kind, PathCounts, codes};
use crate::syntax::NodeId;

pub static RULE: Rule = Rule {
    code: codes::DUPLICATE_BASE,
    name: "duplicate-base",
    severity: Severity::Error,
    summary: "`<base />` appears more than once on one path through a section.",
    fix_safe: true,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::DUPLICATE_BASE,
    explanation: "`<base />` runs the parent scope's policies for the section at that spot; it belongs in a \
section once. Twice would run the parent's policies twice (rate limits counted twice, headers appended twice).\n\n\
**How it counts: per execution path through the section.** A `choose` runs one branch, so one `<base />` in \
each of its branches is fine; `<base />` directly in the section and again inside a branch, or twice in one \
branch, runs twice on that path. The fix (removing the second one) is offered when both stand directly in \
the section, where removing one keeps every path's `<base />`.",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n    <base />\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found: Vec<(NodeId, bool)> = Vec::new();
    for section in cx.section_containers() {
        if !matches!(cx.kind(section), Some(Kind::Section(_))) {
            continue;
        }
        // `<base />` statements standing directly in the section so far (on every path).
        let mut direct = 0;
        let mut counts = PathCounts::new();
        let is_base = |def: &'static crate::catalog::PolicyDef| def.name() == "base";
        cx.walk_paths_of(section, &mut counts, &is_base, &mut |id, def, before| {
            if def.name() != "base" {
                return;
            }
            let is_direct = cx.doc.parent(id) == Some(section);
            if before.get("base").is_some_and(|n| *n > 0) {
                found.push((id, is_direct && direct > 0));
            }
            if is_direct {
                direct += 1;
            }
        });
    }
    for (id, removable) in found {
        let (Some(e), Some(node)) = (cx.doc.element(id), cx.doc.node(id)) else {
            continue;
        };
        let mut d = Diagnostic::error(
            codes::DUPLICATE_BASE,
            e.name_span,
            "<base /> runs a second time on this path through the section",
        )
        .with_help(
            "Keep one <base /> on each path where the parent scope's policies should run (one per branch of a <choose> is fine).",
        );
        if removable {
            d = d.with_fix(super::remove(node.span, "Remove this <base />"));
        }
        cx.report(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::{LintOptions, codes, lint_with};

    fn duplicates(source: &str) -> Vec<(usize, bool)> {
        lint_with(source, &LintOptions::default())
            .iter()
            .filter(|d| d.code == codes::DUPLICATE_BASE)
            .map(|d| (source[..d.span.start].lines().count(), d.fix.is_some()))
            .collect()
    }

    #[test]
    fn one_base_per_branch_is_fine() {
        let src = "<policies>\n<inbound>\n<choose>\n<when condition=\"@(true)\">\n<base />\n</when>\n<otherwise>\n<base />\n</otherwise>\n</choose>\n</inbound>\n</policies>";
        assert_eq!(duplicates(src), vec![]);
    }

    #[test]
    fn twice_on_one_path_is_reported_with_a_fix_only_when_both_are_direct() {
        let direct = "<policies>\n<inbound>\n<base />\n<base />\n</inbound>\n</policies>";
        assert_eq!(duplicates(direct), vec![(4, true)]);
        let in_branch = "<policies>\n<inbound>\n<base />\n<choose>\n<when condition=\"@(true)\">\n<base />\n</when>\n</choose>\n</inbound>\n</policies>";
        assert_eq!(duplicates(in_branch), vec![(6, false)]);
        let after_branch = "<policies>\n<inbound>\n<choose>\n<when condition=\"@(true)\">\n<base />\n</when>\n</choose>\n<base />\n</inbound>\n</policies>";
        assert_eq!(duplicates(after_branch), vec![(8, false)]);
    }

    #[test]
    fn base_in_a_body_is_payload() {
        let src = "<policies>\n<inbound>\n<base />\n<set-body><doc><base /></doc></set-body>\n</inbound>\n</policies>";
        assert_eq!(duplicates(src), vec![]);
    }
}
