//! The outline (`outline`, items `outline-item`): the policy's sections and policies as a tree
//! from the core's `ide::outline`; clicking an item selects that element in the editor.
//! Computed only while the tab is visible.

use crate::bridge::EditorBridge;
use apim_policy::LineIndex;
use apim_policy::ide::{OutlineItem, OutlineKind};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct OutlineProps {
    pub source: Rc<str>,
    /// Whether the Outline tab is showing (the outline is not computed otherwise).
    pub active: bool,
    pub bridge: EditorBridge,
}

/// One row, with its position converted for the editor.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub kind: OutlineKind,
    pub depth: usize,
    pub line: usize,
    /// UTF-16 range of the whole element.
    pub from: usize,
    pub to: usize,
    pub children: usize,
}

/// The outline flattened in document order.
pub fn rows(source: &str) -> Vec<Row> {
    let doc = apim_policy::syntax::parse(source);
    let items = apim_policy::ide::outline(&doc);
    let index = LineIndex::new(source);
    let mut out = Vec::new();
    flatten(&items, 0, &index, &mut out);
    out
}

fn flatten(items: &[OutlineItem], depth: usize, index: &LineIndex<'_>, out: &mut Vec<Row>) {
    for item in items {
        out.push(Row {
            label: item.label.clone(),
            kind: item.kind,
            depth,
            line: index.line_col(item.selection_span.start).line,
            from: index.utf16_offset(item.span.start),
            to: index.utf16_offset(item.span.end),
            children: item.children.len(),
        });
        flatten(&item.children, depth + 1, index, out);
    }
}

fn kind_name(kind: OutlineKind) -> &'static str {
    match kind {
        OutlineKind::Root => "root",
        OutlineKind::Section => "section",
        OutlineKind::Policy => "policy",
        OutlineKind::Branch => "branch",
        OutlineKind::Unknown => "unknown",
    }
}

#[function_component(Outline)]
pub fn outline(props: &OutlineProps) -> Html {
    let rows = {
        let key = props.active.then(|| props.source.clone());
        use_memo(key, |key| key.as_deref().map(rows).unwrap_or_default())
    };
    if !props.active {
        return html! {};
    }
    if rows.is_empty() {
        return html! {
            <div class="outline" data-testid="outline">
                <p class="muted pad">{ "Nothing to outline: the policy has no root element yet." }</p>
            </div>
        };
    }
    html! {
        <div class="outline" data-testid="outline">
            <ul class="outline-list" aria-label="Sections and policies">
                { for rows.iter().map(|row| {
                    let onclick = {
                        let bridge = props.bridge.clone();
                        let (from, to) = (row.from, row.to);
                        Callback::from(move |_: MouseEvent| bridge.select(from, to))
                    };
                    let kind = kind_name(row.kind);
                    html! {
                        <li class={classes!("outline-row", kind)}>
                            // Depth is a class, not a style attribute: the page's CSP has no
                            // 'unsafe-inline' for styles.
                            <button type="button"
                                class={classes!("outline-item", format!("depth-{}", row.depth.min(8)))}
                                data-testid="outline-item"
                                data-kind={kind} data-line={row.line.to_string()}
                                {onclick}>
                                <span class="outline-icon" aria-hidden="true"></span>
                                <span class="outline-label">{ &row.label }</span>
                                <span class="outline-line">{ format!("line {}", row.line) }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_flattened_with_depth_lines_and_utf16_ranges() {
        let text = "<policies>\n  <!-- ☕ -->\n  <inbound>\n    <base />\n    <set-header name=\"x-é\" exists-action=\"override\">\n      <value>1</value>\n    </set-header>\n  </inbound>\n</policies>";
        let rows = rows(text);
        let labels: Vec<(&str, usize)> = rows.iter().map(|r| (r.label.as_str(), r.depth)).collect();
        assert_eq!(labels[0], ("inbound", 0));
        assert!(
            labels
                .iter()
                .any(|(l, d)| l.starts_with("set-header") && *d == 1),
            "{labels:?}"
        );
        let header = rows
            .iter()
            .find(|r| r.label.starts_with("set-header"))
            .unwrap();
        assert_eq!(header.line, 5);
        let start = text.find("<set-header").unwrap();
        assert_eq!(header.from, text[..start].encode_utf16().count());
        let end = text.find("</set-header>").unwrap() + "</set-header>".len();
        assert_eq!(header.to, text[..end].encode_utf16().count());
        assert!(super::rows("").is_empty());
    }
}
