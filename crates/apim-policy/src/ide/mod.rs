//! Editor intelligence: completion, hover and outline for the web app's editor.
//!
//! - [`complete`] lists what fits at the cursor: policies valid in the section, scope and parent,
//!   a policy's declared child elements, sections, attributes not yet given (required first),
//!   enum and boolean values, `{{named values}}` and fragment ids from the [`LintOptions`], and
//!   members of the `context` object inside `@( … )` / `@{ … }`. It works on half-typed
//!   documents (it reads the text around the cursor with its own lexer, see `cursor`), runs on
//!   every keystroke, and answers in well under a millisecond on a 1,000-line policy.
//! - [`hover`] explains the policy, attribute, named value or `context` member under the cursor
//!   in Markdown, never showing a secret's value.
//! - [`outline`] gives the sections → policies tree for navigation.
//!
//! Positions are byte offsets into the source, like everywhere in the core; the app's bridge
//! converts to and from UTF-16 (`LineIndex`).
//!
//! Snippets: when [`CompletionItem::snippet`] is true, `insert_text` uses CodeMirror 6's
//! `snippet()` template syntax: `${1}`, `${2:default}` are fields visited in order with Tab (the
//! last field is where the cursor ends), `\n` starts a new line indented like the line the
//! completion is inserted on, and each leading `\t` adds one indent unit. Literal braces inside a
//! field are escaped as `\{` / `\}`.

mod complete;
mod context_model;
mod cursor;
mod hover;
mod outline;

pub use complete::complete;
pub use hover::hover;
pub use outline::outline;

use crate::diagnostic::Span;
use serde::Serialize;

/// The completions at a cursor: every item replaces `from..to` (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completions {
    pub from: usize,
    pub to: usize,
    /// In display order (already sorted by `sort_text`, then label).
    pub items: Vec<CompletionItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompletionItem {
    /// What the list shows and what the editor filters on.
    pub label: String,
    pub kind: CompletionKind,
    /// One short line shown next to the label (a category, a type, a signature).
    pub detail: String,
    /// Markdown shown beside the list.
    pub documentation: String,
    /// The text that replaces `from..to`.
    pub insert_text: String,
    /// `insert_text` is a snippet template (see the module docs); otherwise plain text.
    pub snippet: bool,
    /// Sort key; the items come sorted already.
    pub sort_text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CompletionKind {
    /// A policy, section, root or child element.
    Element,
    /// The name of the open element, after `</`.
    CloseTag,
    Attribute,
    /// An attribute value (enum member, `true`/`false`, a well-known value).
    Value,
    NamedValue,
    Fragment,
    /// A property of the `context` object model.
    Property,
    Method,
    /// A type whose static members follow (`DateTime`, `JsonConvert`).
    Type,
    /// `context` itself.
    Variable,
    /// A template such as `@(…)`.
    Snippet,
}

/// Markdown about the thing under the cursor, and the span it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// One entry of the document outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutlineItem {
    /// The element name plus what identifies it: `set-header x-api-key`, `when @(…)`.
    pub label: String,
    pub kind: OutlineKind,
    /// The whole element.
    pub span: Span,
    /// The element's name in its start tag: where to put the cursor.
    pub selection_span: Span,
    pub children: Vec<OutlineItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutlineKind {
    /// `<policies>` or `<fragment>` when it is not shown as such (an unknown root).
    Root,
    Section,
    Policy,
    /// `when`, `otherwise`: a child that holds policies.
    Branch,
    /// An element the catalog does not know here.
    Unknown,
}

/// The largest char boundary `<= offset` within `source`.
fn clamp(source: &str, offset: usize) -> usize {
    let mut o = offset.min(source.len());
    while o > 0 && !source.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// Shorten to `max` characters, whitespace runs collapsed, with `…` when cut.
fn summarize(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        return collapsed;
    }
    let mut out: String = collapsed.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
