//! The outline: sections → policies (with `choose` → `when`/`otherwise` and other policy
//! containers nested), labelled with what identifies each policy, for navigation.

use super::{OutlineItem, OutlineKind, summarize};
use crate::catalog::{self, Content, ElementDef, Section};
use crate::syntax::{Document, Element, NodeId, NodeKind};

/// The outline of a parsed document. For `<policies>` the top level is its sections; for
/// `<fragment>` its policies; any other root is shown as one item.
pub fn outline(doc: &Document) -> Vec<OutlineItem> {
    let Some(root_id) = doc.root else {
        return Vec::new();
    };
    let Some(root) = doc.element(root_id) else {
        return Vec::new();
    };
    match root.name.as_str() {
        "policies" => items(doc, root_id, Within::Sections),
        "fragment" => items(doc, root_id, Within::Statements),
        _ => vec![item(
            doc,
            root_id,
            root,
            OutlineKind::Root,
            items(doc, root_id, Within::Statements),
        )],
    }
}

#[derive(Clone, Copy)]
enum Within {
    Sections,
    Statements,
    Children(&'static ElementDef),
}

const LABEL_MAX: usize = 48;

fn items(doc: &Document, parent: NodeId, within: Within) -> Vec<OutlineItem> {
    let mut out = Vec::new();
    for (id, e) in doc.child_elements(parent) {
        match within {
            Within::Sections => {
                let (kind, children) = match Section::from_name(&e.name) {
                    Some(_) => (OutlineKind::Section, items(doc, id, Within::Statements)),
                    None => (OutlineKind::Unknown, items(doc, id, Within::Statements)),
                };
                out.push(item(doc, id, e, kind, children));
            }
            Within::Statements => match catalog::policy(&e.name) {
                Some(p) => {
                    let children = inner(doc, id, &p.element);
                    out.push(item(doc, id, e, OutlineKind::Policy, children));
                }
                None => {
                    let children = items(doc, id, Within::Statements);
                    out.push(item(doc, id, e, OutlineKind::Unknown, children));
                }
            },
            Within::Children(def) => {
                let Some(child) = def.child(&e.name) else {
                    continue;
                };
                // Children that hold policies (`when`) or are policies themselves (the
                // send-request in a `wait`) are worth navigating to; values and claims are not.
                if child.element.content == Content::Policies {
                    let children = items(doc, id, Within::Statements);
                    out.push(item(doc, id, e, OutlineKind::Branch, children));
                } else if catalog::policy(&e.name).is_some() {
                    let children = inner(doc, id, child.element);
                    out.push(item(doc, id, e, OutlineKind::Policy, children));
                }
            }
        }
    }
    out
}

/// What is worth listing inside a policy.
fn inner(doc: &Document, id: NodeId, def: &'static ElementDef) -> Vec<OutlineItem> {
    match def.content {
        Content::Policies => items(doc, id, Within::Statements),
        Content::Elements => items(doc, id, Within::Children(def)),
        Content::Text { .. } | Content::Mixed | Content::Foreign { .. } | Content::Empty => {
            Vec::new()
        }
    }
}

fn item(
    doc: &Document,
    id: NodeId,
    e: &Element,
    kind: OutlineKind,
    children: Vec<OutlineItem>,
) -> OutlineItem {
    let span = doc.node(id).map_or(e.start_tag, |n| n.span);
    OutlineItem {
        label: label(doc, e),
        kind,
        span,
        selection_span: e.name_span,
        children,
    }
}

/// The attributes that identify a policy, in order of preference.
const KEY_ATTRIBUTES: &[&str] = &[
    "name",
    "fragment-id",
    "condition",
    "response-variable-name",
    "variable-name",
    "key",
    "counter-key",
    "template",
    "base-url",
    "backend-id",
    "resource",
    "header-name",
    "query-parameter-name",
    "logger-id",
    "source",
    "code",
    "status-code",
    "calls",
    "action",
    "for",
    "mode",
    "id",
];

fn label(doc: &Document, e: &Element) -> String {
    let mut label = e.name.to_string();
    let key = KEY_ATTRIBUTES
        .iter()
        .find_map(|name| e.attribute(name))
        .map(|a| a.value.text());
    let detail = match key {
        Some(text) => {
            let mut text = text;
            // `set-status 401 Unauthorized`
            if e.name == "set-status"
                && let Some(reason) = e.attribute("reason")
            {
                text.push(' ');
                text.push_str(&reason.value.text());
            }
            Some(text)
        }
        // Text content that says what the policy does: `set-method POST`.
        None => {
            let text: String = e
                .children
                .iter()
                .filter_map(|&c| match &doc.node(c)?.kind {
                    NodeKind::Text(v) => Some(v.text()),
                    _ => None,
                })
                .collect();
            let simple = matches!(
                catalog::policy(&e.name).map(|p| p.element.content),
                Some(Content::Text { .. })
            );
            (simple && !text.trim().is_empty()).then_some(text)
        }
    };
    if let Some(detail) = detail {
        let detail = summarize(&detail, LABEL_MAX);
        if !detail.is_empty() {
            label.push(' ');
            label.push_str(&detail);
        }
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn render(items: &[OutlineItem], depth: usize, out: &mut String) {
        for i in items {
            out.push_str(&format!("{}{:?} {}\n", "  ".repeat(depth), i.kind, i.label));
            render(&i.children, depth + 1, out);
        }
    }

    #[test]
    fn fragments_list_their_policies_and_unknown_roots_are_one_item() {
        let doc =
            parse("<fragment><set-method>POST</set-method><set-header name=\"a\"/></fragment>");
        let mut out = String::new();
        render(&outline(&doc), 0, &mut out);
        assert_eq!(out, "Policy set-method POST\nPolicy set-header a\n");
        let doc = parse("<root><set-header name=\"a\"/></root>");
        let mut out = String::new();
        render(&outline(&doc), 0, &mut out);
        assert_eq!(out, "Root root\n  Policy set-header a\n");
        assert!(outline(&parse("")).is_empty());
    }

    #[test]
    fn opaque_content_is_not_listed_as_policies() {
        let doc = parse(
            r#"<policies><outbound><base />
<set-body><root><set-header name="p" /><cache-store duration="1" /></root></set-body>
<return-response><set-status code="200" /><set-body><html><body><set-variable name="v" value="1" /></body></html></set-body></return-response>
<xsl-transform><xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><choose /></xsl:template></xsl:stylesheet></xsl-transform>
</outbound></policies>"#,
        );
        let mut out = String::new();
        render(&outline(&doc), 0, &mut out);
        assert_eq!(
            out,
            "Section outbound\n  Policy base\n  Policy set-body\n  Policy return-response\n    Policy set-status 200\n    Policy set-body\n  Policy xsl-transform\n"
        );
    }

    #[test]
    fn spans_point_at_the_element_and_its_name() {
        let src = "<policies><inbound><base /></inbound></policies>";
        let doc = parse(src);
        let items = outline(&doc);
        let inbound = &items[0];
        assert_eq!(
            &src[inbound.span.start..inbound.span.end],
            "<inbound><base /></inbound>"
        );
        assert_eq!(
            &src[inbound.selection_span.start..inbound.selection_span.end],
            "inbound"
        );
    }
}
