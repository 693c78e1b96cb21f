//! APIM0108 `policy-repeated`: a policy used more often than APIM allows, on one execution path.

use crate::catalog::{PolicyDef, Scope};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, PathCounts, codes};
use crate::syntax::NodeId;
use std::collections::HashSet;

pub static RULE: Rule = Rule {
    code: codes::POLICY_REPEATED,
    name: "policy-repeated",
    severity: Severity::Error,
    summary: "A policy that may appear once per section (or per document) appears again on one execution path.",
    fix_safe: false,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::POLICY_REPEATED,
    explanation: "Some policies may be used only once in a section (`cors`, `cache-lookup`, \
`cache-store`, `redirect-content-urls`, `validate-parameters` …: \"This policy can only be used once in a \
policy section\") or once per document (`forward-request`: \"Multiple statements per policy document: not \
supported\"). Merge the two into one.\n\n\
**How it counts: per execution path.** A `choose` runs exactly one of its branches, so the `when`s and the \
`otherwise` are alternatives: `cache-store` in two different branches is one per path and is fine (the \
usual conditional-caching pattern), while `cors` before a `choose` and again inside one of its branches runs \
twice on that path and is reported. Nested `choose`s count the same way. Statements inside `retry` (or \
`limit-concurrency`, `wait`) count once: `retry` repeats its body at run time, but the limit is about \
statements in the document (the retry page's own example wraps `forward-request` in `retry`). Once per \
section counts within each section, and within a policy fragment as a whole (it is included into one \
section); once per document counts along the pipeline, inbound → backend → outbound → on-error. \
Statements of fragments pulled in with `include-fragment` are not counted at the include (the linter knows \
fragments by name only): lint the fragment on its own.",
    bad: Example::new("<policies>\n  <inbound>\n    <base />\n    <cors>\n      <allowed-origins>\n        <origin>https://contoso.com</origin>\n      </allowed-origins>\n      <allowed-headers>\n        <header>*</header>\n      </allowed-headers>\n    </cors>\n    <choose>\n      <when condition=\"@(context.Request.Method == &quot;OPTIONS&quot;)\">\n        <cors>\n          <allowed-origins>\n            <origin>*</origin>\n          </allowed-origins>\n          <allowed-headers>\n            <header>*</header>\n          </allowed-headers>\n        </cors>\n      </when>\n    </choose>\n  </inbound>\n</policies>"),
    good: Example::new("<policies>\n  <inbound>\n    <base />\n  </inbound>\n  <outbound>\n    <base />\n    <choose>\n      <when condition=\"@(context.Response.StatusCode == 200)\">\n        <cache-store duration=\"3600\" />\n      </when>\n      <otherwise>\n        <cache-store duration=\"60\" />\n      </otherwise>\n    </choose>\n  </outbound>\n</policies>").at(Scope::Api),
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Limit {
    Section,
    Document,
}

fn run(cx: &mut Ctx<'_>) {
    let mut found: Vec<(NodeId, Limit)> = Vec::new();
    // The statements reported once per document (a set: a document of many repeated
    // statements must not make this quadratic).
    let mut per_document: HashSet<NodeId> = HashSet::new();
    let mut document = PathCounts::new();
    for container in cx.section_containers() {
        // Along the pipeline: every section's statements are on the same path.
        let per_doc = |def: &'static PolicyDef| def.once_per_document;
        cx.walk_paths_of(
            container,
            &mut document,
            &per_doc,
            &mut |id, def, before| {
                if def.once_per_document && before.get(def.name()).is_some_and(|n| *n > 0) {
                    found.push((id, Limit::Document));
                    per_document.insert(id);
                }
            },
        );
        let mut section = PathCounts::new();
        let per_section = |def: &'static PolicyDef| def.once_per_section;
        cx.walk_paths_of(
            container,
            &mut section,
            &per_section,
            &mut |id, def, before| {
                if def.once_per_section
                    && before.get(def.name()).is_some_and(|n| *n > 0)
                    && !per_document.contains(&id)
                {
                    found.push((id, Limit::Section));
                }
            },
        );
    }
    for (id, limit) in found {
        let Some(e) = cx.doc.element(id) else {
            continue;
        };
        let how = match limit {
            Limit::Section => "once per section",
            Limit::Document => "once per policy document",
        };
        cx.report(
            Diagnostic::error(
                codes::POLICY_REPEATED,
                e.name_span,
                format!("<{}> may be used only {how}, and it already runs earlier on this path", e.name),
            )
            .with_help(
                "Merge the two into one statement, or put them in different branches of one <choose> (only one branch runs).",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::{LintOptions, codes, lint_with};

    /// Lines (1-based) where APIM0108 is reported.
    fn repeated(source: &str) -> Vec<usize> {
        lint_with(source, &LintOptions::default())
            .iter()
            .filter(|d| d.code == codes::POLICY_REPEATED)
            .map(|d| source[..d.span.start].lines().count())
            .collect()
    }

    fn outbound(body: &str) -> String {
        format!(
            "<policies>\n<inbound><base /></inbound>\n<outbound>\n<base />\n{body}\n</outbound>\n</policies>"
        )
    }

    #[test]
    fn branches_of_one_choose_are_alternatives() {
        let src = outbound(
            "<choose>\n<when condition=\"@(true)\">\n<cache-store duration=\"10\" />\n</when>\n<when condition=\"@(false)\">\n<cache-store duration=\"20\" />\n</when>\n<otherwise>\n<cache-store duration=\"30\" />\n</otherwise>\n</choose>",
        );
        assert_eq!(repeated(&src), Vec::<usize>::new());
    }

    #[test]
    fn before_and_inside_a_branch_is_repeated_on_that_path() {
        let src = outbound(
            "<cache-store duration=\"5\" />\n<choose>\n<when condition=\"@(true)\">\n<cache-store duration=\"10\" />\n</when>\n</choose>",
        );
        assert_eq!(repeated(&src), vec![8]);
        // After the choose: the path through the `when` already ran it.
        let src = outbound(
            "<choose>\n<when condition=\"@(true)\">\n<cache-store duration=\"10\" />\n</when>\n</choose>\n<cache-store duration=\"5\" />",
        );
        assert_eq!(repeated(&src), vec![10]);
        // Twice in one branch.
        let src = outbound(
            "<choose>\n<when condition=\"@(true)\">\n<cache-store duration=\"10\" />\n<cache-store duration=\"20\" />\n</when>\n</choose>",
        );
        assert_eq!(repeated(&src), vec![8]);
    }

    #[test]
    fn nested_chooses_count_per_path() {
        // One per path: the outer otherwise and each inner branch.
        let ok = outbound(
            "<choose>\n<when condition=\"@(true)\">\n<choose>\n<when condition=\"@(true)\">\n<cache-store duration=\"1\" />\n</when>\n<otherwise>\n<cache-store duration=\"2\" />\n</otherwise>\n</choose>\n</when>\n<otherwise>\n<cache-store duration=\"3\" />\n</otherwise>\n</choose>",
        );
        assert_eq!(repeated(&ok), Vec::<usize>::new());
        // In the outer when and in an inner branch of the same when: two on that path.
        let bad = outbound(
            "<choose>\n<when condition=\"@(true)\">\n<cache-store duration=\"1\" />\n<choose>\n<when condition=\"@(true)\">\n<cache-store duration=\"2\" />\n</when>\n</choose>\n</when>\n</choose>",
        );
        assert_eq!(repeated(&bad), vec![10]);
    }

    #[test]
    fn a_retry_body_is_one_occurrence() {
        let ok = "<policies>\n<inbound><base /></inbound>\n<backend>\n<retry condition=\"@(context.Response.StatusCode == 500)\" count=\"3\" interval=\"1\">\n<forward-request buffer-request-body=\"true\" />\n</retry>\n</backend>\n</policies>";
        assert_eq!(repeated(ok), Vec::<usize>::new());
        let bad = "<policies>\n<inbound><base /></inbound>\n<backend>\n<forward-request />\n<retry condition=\"@(true)\" count=\"3\" interval=\"1\">\n<forward-request />\n</retry>\n</backend>\n</policies>";
        assert_eq!(repeated(bad), vec![6]);
    }

    #[test]
    fn once_per_document_in_alternative_branches_is_fine() {
        let ok = "<policies>\n<inbound><base /></inbound>\n<backend>\n<choose>\n<when condition=\"@(true)\">\n<forward-request timeout=\"10\" />\n</when>\n<otherwise>\n<forward-request timeout=\"60\" />\n</otherwise>\n</choose>\n</backend>\n</policies>";
        assert_eq!(repeated(ok), Vec::<usize>::new());
    }

    #[test]
    fn sections_count_separately_and_fragments_as_one_section() {
        let src = "<policies>\n<inbound>\n<base />\n<cors><allowed-origins><origin>*</origin></allowed-origins><allowed-headers><header>*</header></allowed-headers></cors>\n</inbound>\n<outbound><base /></outbound>\n<on-error>\n<base />\n</on-error>\n</policies>";
        assert_eq!(repeated(src), Vec::<usize>::new());
        let fragment = "<fragment>\n<choose>\n<when condition=\"@(true)\">\n<validate-parameters specified-parameter-action=\"ignore\" unspecified-parameter-action=\"ignore\" errors-variable-name=\"e\" />\n</when>\n</choose>\n<validate-parameters specified-parameter-action=\"ignore\" unspecified-parameter-action=\"ignore\" errors-variable-name=\"e\" />\n</fragment>";
        assert_eq!(repeated(fragment), vec![7]);
    }

    #[test]
    fn a_choose_inside_wait_is_alternatives_too() {
        let lookup =
            "<cache-lookup vary-by-developer=\"false\" vary-by-developer-groups=\"false\" />";
        let wait = |inner: &str| {
            format!("<policies>\n<inbound>\n<base />\n{inner}\n</inbound>\n</policies>")
        };
        let ok = wait(&format!(
            "<wait for=\"all\">\n<choose>\n<when condition=\"@(true)\">\n{lookup}\n</when>\n<otherwise>\n{lookup}\n</otherwise>\n</choose>\n</wait>"
        ));
        assert_eq!(repeated(&ok), Vec::<usize>::new());
        let bad = wait(&format!(
            "{lookup}\n<wait for=\"all\">\n<choose>\n<when condition=\"@(true)\">\n{lookup}\n</when>\n</choose>\n</wait>"
        ));
        assert_eq!(repeated(&bad), vec![8]);
    }

    #[test]
    fn policies_inside_opaque_content_do_not_count() {
        let src = outbound(
            "<cache-store duration=\"5\" />\n<set-body><root><cache-store duration=\"1\" /></root></set-body>",
        );
        assert_eq!(repeated(&src), Vec::<usize>::new());
    }
}
