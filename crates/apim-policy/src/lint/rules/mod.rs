//! One file per rule. Each file has `RULE` (code, name, severity, summary), `DOC` (explanation and
//! examples) and its check.

use crate::catalog;
use crate::diagnostic::{Diagnostic, Edit, Fix, Span};
use crate::lint::{Ctx, Kind};
use crate::syntax::{NamedValueRef, NodeKind};

pub mod attribute_combination;
pub mod base_at_global;
pub mod base_in_fragment;
pub mod child_order;
pub mod doctype;
pub mod document_too_large;
pub mod duplicate_attribute;
pub mod duplicate_base;
pub mod empty_expression;
pub mod expression_mixed_with_text;
pub mod expression_not_allowed;
pub mod expression_syntax;
pub mod hard_coded_credential;
pub mod invalid_named_value;
pub mod invalid_value;
pub mod key_vault_without_identity;
pub mod mismatched_end_tag;
pub mod missing_attribute;
pub mod missing_base;
pub mod missing_child;
pub mod missing_return;
pub mod not_a_policy;
pub mod policy_repeated;
pub mod secret_exposed;
pub mod section_order;
pub mod text_not_allowed;
pub mod too_deep;
pub mod too_many_children;
pub mod unclosed_element;
pub mod undeclared_backend;
pub mod undeclared_fragment;
pub mod undefined_named_value;
pub mod undocumented_policy;
pub mod unexpected_child;
pub mod unknown_attribute;
pub mod unknown_policy;
pub mod unknown_root;
pub mod unknown_section;
pub mod versioned_secret;
pub mod wrong_scope;
pub mod wrong_section;
pub mod xml_syntax;

/// A fix that deletes `span` (a whole element).
pub(crate) fn remove(span: Span, message: &str) -> Fix {
    Fix {
        message: message.to_string(),
        edits: vec![Edit {
            start: span.start,
            end: span.end,
            text: String::new(),
        }],
    }
}

/// `{what} `{id}` does not exist` at `span` (a literal attribute value that must name one of
/// `declared`: a policy fragment, a backend), with a "did you mean" fix to the closest declared
/// name, or `otherwise` as its help when none is close.
pub(crate) fn undeclared(
    code: &'static str,
    span: Span,
    what: &str,
    id: &str,
    declared: &[String],
    otherwise: String,
) -> Diagnostic {
    let d = Diagnostic::error(code, span, format!("{what} `{id}` does not exist"));
    match catalog::closest(id, declared.iter().map(String::as_str)) {
        Some(s) => d.with_help(format!("Did you mean `{s}`?")).with_fix(Fix {
            message: format!("Change to {s}"),
            edits: vec![Edit {
                start: span.start,
                end: span.end,
                text: s.to_string(),
            }],
        }),
        None => d.with_help(otherwise),
    }
}

/// Every `{{named value}}` reference that APIM resolves: not inside Liquid templates (whose
/// `{{ … }}` is Liquid output) and not inside free XML of unknown elements.
pub(crate) fn named_value_refs(cx: &Ctx<'_>) -> Vec<NamedValueRef> {
    let mut out = Vec::new();
    for (id, node) in cx.doc.nodes() {
        let (element_id, refs): (_, Vec<&NamedValueRef>) = match &node.kind {
            NodeKind::Element(e) => (
                id,
                e.attributes
                    .iter()
                    .flat_map(|a| a.value.named_values())
                    .collect(),
            ),
            NodeKind::Text(v) | NodeKind::CData(v) => match node.parent {
                Some(p) => (p, v.named_values().collect()),
                None => continue,
            },
            _ => continue,
        };
        if refs.is_empty() || in_liquid(cx, element_id) {
            continue;
        }
        out.extend(refs.into_iter().cloned());
    }
    crate::sort::sort_by_key(&mut out, |nv| nv.span.start);
    out
}

fn in_liquid(cx: &Ctx<'_>, id: crate::syntax::NodeId) -> bool {
    // The `template` of a policy (set-body, publish-to-dapr), not of an element of its payload.
    std::iter::once(id).chain(cx.doc.ancestors(id)).any(|a| {
        !cx.info(a).is_some_and(|i| i.is_opaque())
            && cx.doc.element(a).is_some_and(|e| {
                e.attribute("template")
                    .and_then(|t| t.value.literal())
                    .is_some_and(|t| t.eq_ignore_ascii_case("liquid"))
            })
    }) || cx.kind(id) == Some(Kind::UnknownRoot)
}
