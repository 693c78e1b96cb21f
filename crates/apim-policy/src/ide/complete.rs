//! Completion: what fits at the cursor, from the catalog, the options and the context model.

use super::context_model::{self, MemberKind, ROOTS, Receiver};
use super::cursor::{self, Place};
use super::{CompletionItem, CompletionKind, Completions, clamp, summarize};
use crate::catalog::{
    self, AttrDef, AttrRule, Content, ElementDef, PolicyDef, Scope, Section, Status, ValueType,
};
use crate::diagnostic::Span;
use crate::lint::{Ctx, LintOptions, PathCounts};
use crate::syntax::mask::{Context, Found};
use crate::syntax::{self, NodeId};

/// The completions at byte `offset` of `source`. Never panics; an offset past the end or inside
/// a character is clamped.
pub fn complete(source: &str, offset: usize, options: &LintOptions) -> Completions {
    let offset = clamp(source, offset);
    let cur = cursor::locate(source, offset);
    let mut out = if cur.place == Place::Nothing && cur.expression.is_none() {
        empty(offset)
    } else if let Some(nv) = named_values(source, offset, options) {
        nv
    } else if let Some(found) = &cur.expression {
        expression(source, found, offset)
    } else {
        let r = resolve(&cur.stack);
        let scope = options.scope.unwrap_or(if r.fragment {
            Scope::Fragment
        } else {
            Scope::Api
        });
        let mut cx = Cx {
            source,
            options,
            scope,
            offset,
            stack: &cur.stack,
        };
        match &cur.place {
            Place::Content => cx.content(offset, &r, &cur.siblings),
            Place::TagName {
                name,
                closing: true,
                complete,
            } => close_tag(*name, *complete, &cur.stack),
            Place::TagName { name, complete, .. } => {
                let mode = if *complete {
                    Insert::Name
                } else {
                    Insert::Snippet { lt: false }
                };
                cx.elements(*name, &r, &cur.siblings, mode)
            }
            Place::AttrName {
                element,
                name,
                has_value,
            } => {
                let def = resolve_element(&cur.stack, element);
                attributes(*name, def, &cur.attributes, *has_value)
            }
            Place::AttrValue {
                element,
                attr,
                value,
            } => {
                let def = resolve_element(&cur.stack, element);
                cx.values(*value, offset, element, attr, def)
            }
            Place::Nothing => empty(offset),
        }
    };
    crate::sort::sort_by(&mut out.items, |a, b| {
        (a.sort_text.as_str(), a.label.as_str()).cmp(&(b.sort_text.as_str(), b.label.as_str()))
    });
    out.items
        .dedup_by(|a, b| a.label == b.label && a.kind == b.kind);
    out
}

fn empty(offset: usize) -> Completions {
    Completions {
        from: offset,
        to: offset,
        items: Vec::new(),
    }
}

struct Cx<'a> {
    source: &'a str,
    options: &'a LintOptions,
    scope: Scope,
    offset: usize,
    /// The open elements around the cursor (the innermost is the container).
    stack: &'a [String],
}

// -------------------------------------------------------------------------------------------
// Where in the catalog the cursor is

/// What may go inside the innermost open element.
#[derive(Debug, Clone, Copy)]
enum Container {
    /// Before the root element.
    Document,
    /// Inside `<policies>`.
    Sections,
    /// Policy statements (a section, `<fragment>`, `<when>`, `<retry>` …).
    Statements,
    /// The declared children of an element.
    Children(&'static ElementDef),
    /// Text, free XML or nothing.
    Closed,
    Unknown,
}

#[derive(Debug, Clone, Copy)]
struct Resolved {
    container: Container,
    section: Option<Section>,
    fragment: bool,
    /// The innermost element's definition.
    element: Option<(&'static ElementDef, Option<&'static PolicyDef>)>,
}

/// Walk the catalog along the open elements, as the linter's analysis does for the tree.
fn resolve(path: &[String]) -> Resolved {
    let mut r = Resolved {
        container: Container::Document,
        section: None,
        fragment: false,
        element: None,
    };
    for name in path {
        let name = name.as_str();
        let (def, policy) = match r.container {
            Container::Document => match catalog::root(name) {
                Some(def) => {
                    r.fragment = name == "fragment";
                    r.container = if r.fragment {
                        Container::Statements
                    } else {
                        Container::Sections
                    };
                    r.element = Some((def, None));
                    continue;
                }
                None => return unknown(r),
            },
            Container::Sections => match Section::from_name(name) {
                Some(section) => {
                    r.section = Some(section);
                    r.container = Container::Statements;
                    r.element = Some((catalog::section(section), None));
                    continue;
                }
                None => return unknown(r),
            },
            Container::Statements => match catalog::policy(name) {
                Some(p) => (&p.element, Some(p)),
                None => return unknown(r),
            },
            Container::Children(parent) => match parent.child(name) {
                Some(child) => (child.element, None),
                None => return unknown(r),
            },
            Container::Closed | Container::Unknown => return unknown(r),
        };
        r.element = Some((def, policy));
        r.container = match def.content {
            Content::Policies => Container::Statements,
            Content::Elements => Container::Children(def),
            // A foreign document's declared children are hints (the linter checks none).
            Content::Foreign { .. } if !def.children.is_empty() => Container::Children(def),
            Content::Text { .. } | Content::Mixed | Content::Foreign { .. } | Content::Empty => {
                Container::Closed
            }
        };
    }
    r
}

fn unknown(r: Resolved) -> Resolved {
    Resolved {
        container: Container::Unknown,
        element: None,
        ..r
    }
}

/// The definition of `element` opened inside `stack`.
fn resolve_element(
    stack: &[String],
    element: &str,
) -> Option<(&'static ElementDef, Option<&'static PolicyDef>)> {
    let mut path = stack.to_vec();
    path.push(element.to_string());
    resolve(&path).element
}

// -------------------------------------------------------------------------------------------
// Elements

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Insert {
    /// Only the name (the tag exists already).
    Name,
    /// The whole element as a snippet; `lt`: with its `<` (nothing typed yet).
    Snippet { lt: bool },
}

impl Cx<'_> {
    /// In text between tags, with no `<` typed: whole elements, replacing the word at the cursor.
    fn content(&mut self, offset: usize, r: &Resolved, siblings: &[String]) -> Completions {
        let word = word_around(self.source, offset);
        self.elements(word, r, siblings, Insert::Snippet { lt: true })
    }

    fn elements(
        &mut self,
        range: Span,
        r: &Resolved,
        siblings: &[String],
        mode: Insert,
    ) -> Completions {
        let mut items = Vec::new();
        let base_allowed = self.scope != Scope::Global;
        match r.container {
            Container::Document => {
                if siblings.is_empty() {
                    for name in ["policies", "fragment"] {
                        if let Some(def) = catalog::root(name) {
                            items.push(element_item(
                                def,
                                None,
                                "document",
                                "0",
                                mode,
                                base_allowed,
                            ));
                        }
                    }
                }
            }
            Container::Sections => {
                for (i, section) in Section::ALL.into_iter().enumerate() {
                    if siblings.iter().any(|s| s == section.name()) {
                        continue;
                    }
                    items.push(element_item(
                        catalog::section(section),
                        None,
                        "section",
                        &i.to_string(),
                        mode,
                        base_allowed,
                    ));
                }
            }
            Container::Statements => {
                let in_section = r
                    .element
                    .is_some_and(|(def, _)| Section::from_name(def.name).is_some());
                let paths = self.path_counts();
                for p in catalog::policies() {
                    if !self.offers(p, r.section) {
                        continue;
                    }
                    // A policy limited to once per section (or document) is not offered where
                    // it would run a second time on some execution path, as the linter counts.
                    let repeated = match &paths {
                        Some((section, document)) => {
                            (p.once_per_section && section.get(p.name()).is_some_and(|n| *n > 0))
                                || (p.once_per_document
                                    && document.get(p.name()).is_some_and(|n| *n > 0))
                        }
                        None => {
                            in_section
                                && p.once_per_section
                                && siblings.iter().any(|s| s == p.name())
                        }
                    };
                    if repeated {
                        continue;
                    }
                    let rank = match (p.name(), p.status) {
                        ("base", _) => "0",
                        (_, Status::Deprecated) => "2",
                        _ => "1",
                    };
                    let detail = match p.status {
                        Status::Deprecated => format!("{} (deprecated)", p.category),
                        _ => p.category.to_string(),
                    };
                    items.push(element_item(
                        &p.element,
                        Some(p),
                        &detail,
                        rank,
                        mode,
                        base_allowed,
                    ));
                }
            }
            Container::Children(parent) => {
                for (i, child) in parent.children.iter().enumerate() {
                    let name = child.element.name;
                    let count = siblings.iter().filter(|s| *s == name).count();
                    if child.max.is_some_and(|max| count >= usize::from(max)) {
                        continue;
                    }
                    // A child that is also a policy (send-request's set-header) shares its docs.
                    let policy = catalog::policy(name);
                    items.push(element_item(
                        child.element,
                        policy,
                        &format!("in {}", parent.name),
                        &format!("{i:02}"),
                        mode,
                        base_allowed,
                    ));
                }
            }
            Container::Closed | Container::Unknown => {}
        }
        Completions {
            from: range.start,
            to: range.end,
            items,
        }
    }

    /// How often each policy runs on the execution paths through the cursor, within its section
    /// and along the whole document ([`Ctx::counts_through`], the linter's notion), leaving out
    /// the tag being typed. `None` when the parsed tree does not agree with the cursor's open
    /// elements (a document too broken to count in).
    fn path_counts(&self) -> Option<(PathCounts, PathCounts)> {
        let doc = syntax::parse(self.source);
        let offset = self.offset;
        let mut container = doc.element_at(offset)?;
        let typing = |id: NodeId| {
            doc.element(id).is_some_and(|e| {
                e.start_tag.start < offset && offset <= e.start_tag.end.max(e.name_span.end)
            })
        };
        if typing(container) {
            container = doc.parent(container)?;
        }
        if doc.element(container)?.name != *self.stack.last()? {
            return None;
        }
        let skip = doc
            .child_elements(container)
            .map(|(id, _)| id)
            .find(|id| typing(*id));
        let cx = Ctx::new(&doc, self.source, self.options);
        Some((
            cx.counts_through(container, skip, false),
            cx.counts_through(container, skip, true),
        ))
    }

    /// Whether a policy is offered in a statement container of this section (`None` in a
    /// fragment) at the options' scope.
    fn offers(&self, p: &PolicyDef, section: Option<Section>) -> bool {
        // `base` does nothing at global scope (the linter warns), so it is not suggested there.
        p.status != Status::Undocumented
            && !(p.name() == "base" && self.scope == Scope::Global)
            && !p.sections.is_empty()
            && p.scopes.contains(self.scope)
            && section.is_none_or(|s| p.sections.contains(s))
    }
}

fn close_tag(name: Span, complete: bool, stack: &[String]) -> Completions {
    let items = stack
        .last()
        .map(|open| CompletionItem {
            label: open.clone(),
            kind: CompletionKind::CloseTag,
            detail: format!("close <{open}>"),
            documentation: String::new(),
            insert_text: if complete {
                open.clone()
            } else {
                format!("{open}>")
            },
            snippet: false,
            sort_text: "0".into(),
        })
        .into_iter()
        .collect();
    Completions {
        from: name.start,
        to: name.end,
        items,
    }
}

/// The attributes a new element gets in its snippet: the required ones (not `id`), and the
/// first of each "exactly one" / "at least one" group that has no required member.
fn snippet_attributes(def: &ElementDef) -> Vec<&AttrDef> {
    let mut out: Vec<&AttrDef> = def
        .attributes
        .iter()
        .filter(|a| a.required && a.name != "id")
        .collect();
    for rule in def.attr_rules {
        if let AttrRule::ExactlyOne(group) | AttrRule::AtLeastOne(group) = rule {
            let covered = group.iter().any(|n| out.iter().any(|a| a.name == *n));
            if !covered && let Some(first) = group.first().and_then(|n| def.attribute(n)) {
                out.push(first);
            }
        }
    }
    out
}

/// Escape text for a snippet field's default.
fn field_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('{', "\\{")
        .replace('}', "\\}")
}

fn element_snippet(def: &ElementDef, base_allowed: bool) -> String {
    let base = if base_allowed { "<base />" } else { "" };
    match def.name {
        "policies" => {
            let section = |name: &str, body: &str| format!("\t<{name}>\n\t\t{body}\n\t</{name}>\n");
            let (inbound, backend, other) = if base_allowed {
                ("<base />${1}", "<base />", "<base />")
            } else {
                ("${1}", "<forward-request />", "")
            };
            return format!(
                "policies>\n{}{}{}{}</policies>",
                section("inbound", inbound),
                section("backend", backend),
                section("outbound", other),
                section("on-error", other)
            );
        }
        "fragment" => return "fragment>\n\t${1}\n</fragment>".into(),
        "inbound" | "backend" | "outbound" | "on-error" => {
            return format!("{0}>\n\t{base}${{1}}\n</{0}>", def.name);
        }
        "choose" => {
            return "choose>\n\t<when condition=\"${1}\">\n\t\t${2}\n\t</when>\n</choose>".into();
        }
        _ => {}
    }
    let mut s = String::new();
    let mut field = 0;
    element_body(def, &mut s, &mut field, 0);
    s
}

/// `name attrs />` or `name attrs>…</name>` (without the leading `<`), fields numbered from
/// `field`. Elements that take only elements get their required children (or the child that
/// carries the value, such as set-header's `<value>`), so that nothing typed lands as text where
/// text is an error; `depth` bounds the nesting.
fn element_body(def: &ElementDef, s: &mut String, field: &mut usize, depth: usize) {
    s.push_str(def.name);
    for a in snippet_attributes(def) {
        *field += 1;
        let default = a.default.map(field_text).unwrap_or_default();
        let sep = if default.is_empty() { "" } else { ":" };
        s.push_str(&format!(" {}=\"${{{}{sep}{default}}}\"", a.name, *field));
    }
    if def.content == Content::Empty && def.children.is_empty() {
        s.push_str(" />");
        return;
    }
    // A stylesheet is XSLT: it needs its version and the xsl namespace to run at all.
    if def.name == "xsl:stylesheet" {
        *field += 1;
        s.push_str(&format!(
            " version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">\n{}${{{}}}\n{}</{}>",
            "\t".repeat(depth + 1),
            *field,
            "\t".repeat(depth),
            def.name
        ));
        return;
    }
    if def.content != Content::Elements || depth >= 3 {
        *field += 1;
        s.push_str(&format!(">${{{}}}</{}>", *field, def.name));
        return;
    }
    let mut children: Vec<&ElementDef> = def
        .children
        .iter()
        .filter(|c| c.min > 0)
        .map(|c| c.element)
        .collect();
    if children.is_empty()
        && let Some(first) = def
            .children
            .first()
            .filter(|c| matches!(c.element.content, Content::Text { .. }))
    {
        children.push(first.element);
    }
    let indent = "\t".repeat(depth + 1);
    s.push('>');
    if children.is_empty() {
        *field += 1;
        s.push_str(&format!("\n{indent}${{{}}}", *field));
    }
    for child in children {
        s.push('\n');
        s.push_str(&indent);
        s.push('<');
        element_body(child, s, field, depth + 1);
    }
    s.push('\n');
    s.push_str(&"\t".repeat(depth));
    s.push_str(&format!("</{}>", def.name));
}

fn element_item(
    def: &'static ElementDef,
    policy: Option<&'static PolicyDef>,
    detail: &str,
    rank: &str,
    mode: Insert,
    base_allowed: bool,
) -> CompletionItem {
    let (insert_text, snippet) = match mode {
        Insert::Name => (def.name.to_string(), false),
        Insert::Snippet { lt } => {
            let body = element_snippet(def, base_allowed);
            let snippet = body.contains("${");
            let prefix = if lt { "<" } else { "" };
            (format!("{prefix}{body}"), snippet)
        }
    };
    CompletionItem {
        label: def.name.to_string(),
        kind: CompletionKind::Element,
        detail: detail.to_string(),
        documentation: element_doc(def, policy),
        insert_text,
        snippet,
        sort_text: format!("{rank}{}", def.name),
    }
}

fn element_doc(def: &ElementDef, policy: Option<&PolicyDef>) -> String {
    let mut doc = def.doc.to_string();
    if let Some(p) = policy
        && !p.doc_url.is_empty()
    {
        doc.push_str(&format!(
            "\n\n[Microsoft Learn: {}]({})",
            p.name(),
            p.doc_url
        ));
    }
    doc
}

// -------------------------------------------------------------------------------------------
// Attributes and values

fn attributes(
    range: Span,
    def: Option<(&'static ElementDef, Option<&'static PolicyDef>)>,
    present: &[String],
    has_value: bool,
) -> Completions {
    let mut items = Vec::new();
    if let Some((def, _)) = def {
        let first_of_group = snippet_attributes(def);
        for (i, a) in def.attributes.iter().enumerate() {
            if present.iter().any(|p| p == a.name) {
                continue;
            }
            let rank = if a.name == "id" {
                2
            } else if first_of_group.iter().any(|f| f.name == a.name) {
                0
            } else {
                1
            };
            let (insert_text, snippet) = if has_value {
                (a.name.to_string(), false)
            } else {
                (format!("{}=\"${{1}}\"", a.name), true)
            };
            items.push(CompletionItem {
                label: a.name.to_string(),
                kind: CompletionKind::Attribute,
                detail: attribute_detail(a),
                documentation: attribute_doc(a),
                insert_text,
                snippet,
                sort_text: format!("{rank}{i:02}"),
            });
        }
    }
    Completions {
        from: range.start,
        to: range.end,
        items,
    }
}

fn attribute_detail(a: &AttrDef) -> String {
    let mut d = String::from(if a.required { "required" } else { "optional" });
    d.push_str(" · ");
    d.push_str(&type_name(a.ty));
    if let Some(default) = a.default {
        d.push_str(&format!(" · default {default}"));
    }
    d
}

pub(super) fn attribute_doc(a: &AttrDef) -> String {
    let mut doc = a.doc.to_string();
    if !doc.is_empty() {
        doc.push_str("\n\n");
    }
    doc.push_str(&format!("Type: {}", type_name(a.ty)));
    if let Some(default) = a.default {
        doc.push_str(&format!(" · Default: `{default}`"));
    }
    doc.push_str(if a.expr {
        " · Policy expressions: allowed"
    } else {
        " · Policy expressions: not allowed"
    });
    doc
}

pub(super) fn type_name(ty: ValueType) -> String {
    fn range(min: Option<i64>, max: Option<i64>) -> String {
        match (min, max) {
            (Some(a), Some(b)) => format!(" ({a}–{b})"),
            (Some(a), None) => format!(" (≥ {a})"),
            (None, Some(b)) => format!(" (≤ {b})"),
            (None, None) => String::new(),
        }
    }
    match ty {
        ValueType::String => "string".into(),
        ValueType::Bool => "boolean".into(),
        ValueType::Int { min, max } => format!("integer{}", range(min, max)),
        ValueType::Number => "number".into(),
        ValueType::Seconds { min, max } => format!("seconds{}", range(min, max)),
        ValueType::Enum(values) => format!(
            "one of {}",
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ValueType::Url => "absolute URL".into(),
        ValueType::HttpMethod => "HTTP method".into(),
        ValueType::Iso8601 => "ISO 8601 date-time".into(),
        ValueType::IpAddress => "IP address".into(),
        ValueType::StatusCode => "HTTP status code".into(),
    }
}

const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Audiences people pass to authentication-managed-identity (research notes §2.4).
const MANAGED_IDENTITY_RESOURCES: &[(&str, &str)] = &[
    ("https://vault.azure.net", "Azure Key Vault"),
    ("https://management.azure.com/", "Azure Resource Manager"),
    ("https://storage.azure.com/", "Azure Storage"),
    (
        "https://cognitiveservices.azure.com",
        "Azure AI services / Azure OpenAI",
    ),
    ("https://servicebus.azure.net/", "Azure Service Bus"),
    ("https://eventhubs.azure.net/", "Azure Event Hubs"),
    ("https://database.windows.net/", "Azure SQL Database"),
    ("https://graph.microsoft.com", "Microsoft Graph"),
];

impl Cx<'_> {
    fn values(
        &mut self,
        range: Span,
        offset: usize,
        element: &str,
        attr: &str,
        def: Option<(&'static ElementDef, Option<&'static PolicyDef>)>,
    ) -> Completions {
        let mut items = Vec::new();
        let typed = self.source.get(range.start..offset).unwrap_or("");
        let attr_def = def.and_then(|(d, _)| d.attribute(attr));
        let plain = !typed.contains('@') && !typed.contains("{{");
        if let Some(a) = attr_def
            && plain
        {
            let mut push =
                |label: &str, detail: String, doc: String, kind: CompletionKind, i: usize| {
                    items.push(CompletionItem {
                        label: label.to_string(),
                        kind,
                        detail,
                        documentation: doc,
                        insert_text: label.to_string(),
                        snippet: false,
                        sort_text: format!("0{i:02}"),
                    });
                };
            let default_mark = |v: &str| {
                if a.default == Some(v) {
                    "default".to_string()
                } else {
                    String::new()
                }
            };
            match a.ty {
                ValueType::Enum(values) => {
                    for (i, v) in values.iter().enumerate() {
                        push(
                            v,
                            default_mark(v),
                            a.doc.to_string(),
                            CompletionKind::Value,
                            i,
                        );
                    }
                }
                ValueType::Bool => {
                    for (i, v) in ["true", "false"].iter().enumerate() {
                        push(
                            v,
                            default_mark(v),
                            a.doc.to_string(),
                            CompletionKind::Value,
                            i,
                        );
                    }
                }
                ValueType::HttpMethod => {
                    for (i, v) in HTTP_METHODS.iter().enumerate() {
                        push(v, String::new(), String::new(), CompletionKind::Value, i);
                    }
                }
                _ => {}
            }
            if element == "include-fragment" && attr == "fragment-id" {
                for (i, f) in self.options.fragments.iter().flatten().enumerate() {
                    push(
                        f,
                        "policy fragment".into(),
                        format!("Include the policy fragment `{f}` here."),
                        CompletionKind::Fragment,
                        i,
                    );
                }
            }
            if element == "authentication-managed-identity" && attr == "resource" {
                for (i, (v, what)) in MANAGED_IDENTITY_RESOURCES.iter().enumerate() {
                    push(
                        v,
                        (*what).to_string(),
                        format!("Get a token for {what}."),
                        CompletionKind::Value,
                        i,
                    );
                }
            }
            if a.expr && typed.is_empty() {
                items.push(CompletionItem {
                    label: "@(…)".into(),
                    kind: CompletionKind::Snippet,
                    detail: "policy expression".into(),
                    documentation: "A C# expression evaluated for each request.".into(),
                    insert_text: "@(${1})".into(),
                    snippet: true,
                    sort_text: "9".into(),
                });
            }
        }
        Completions {
            from: range.start,
            to: range.end,
            items,
        }
    }
}

// -------------------------------------------------------------------------------------------
// Named values

/// Inside `{{name` (on one line): the named values the options declare, then the names the
/// document uses elsewhere.
fn named_values(source: &str, offset: usize, options: &LintOptions) -> Option<Completions> {
    let before = source.get(..offset)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let open = before.get(line_start..)?.rfind("{{")? + line_start;
    let typed = source.get(open + 2..offset)?;
    if !typed.chars().all(is_named_value_char) {
        return None;
    }
    let after = source.get(offset..).unwrap_or("");
    let tail = after
        .char_indices()
        .find(|(_, c)| !is_named_value_char(*c))
        .map_or(after.len(), |(i, _)| i);
    let to = offset + tail;
    let closed = source.get(to..).is_some_and(|s| s.starts_with("}}"));
    let close = if closed { "" } else { "}}" };
    let mut items = Vec::new();
    let declared = options.named_values.as_deref().unwrap_or(&[]);
    for nv in declared {
        let (detail, doc) = if nv.key_vault_secret.is_some() {
            (
                "Key Vault named value",
                "Resolved from Key Vault; the value is never shown.".to_string(),
            )
        } else if nv.secret {
            ("secret named value", "The value is hidden.".to_string())
        } else {
            (
                "named value",
                nv.value
                    .as_deref()
                    .map(|v| format!("Value: `{}`", summarize(v, 80).replace('`', "'")))
                    .unwrap_or_default(),
            )
        };
        items.push(CompletionItem {
            label: nv.name.clone(),
            kind: CompletionKind::NamedValue,
            detail: detail.into(),
            documentation: doc,
            insert_text: format!("{}{close}", nv.name),
            snippet: false,
            // ASCII case folding (for sorting only: a non-ASCII letter sorts by its code point)
            // keeps core's Unicode case tables out of the web app's first load.
            sort_text: format!("0{}", nv.name.to_ascii_lowercase()),
        });
    }
    let mut used: Vec<String> = crate::syntax::named_value_refs(source, 0)
        .into_iter()
        .filter(|r| r.span.start != open)
        .map(|r| r.name)
        .filter(|n| !declared.iter().any(|d| d.name.eq_ignore_ascii_case(n)))
        .collect();
    crate::sort::sort(&mut used);
    used.dedup();
    let detail = if options.named_values.is_some() {
        "not declared in the scenario"
    } else {
        "used in this document"
    };
    for name in used {
        items.push(CompletionItem {
            insert_text: format!("{name}{close}"),
            sort_text: format!("1{}", name.to_ascii_lowercase()),
            label: name,
            kind: CompletionKind::NamedValue,
            detail: detail.into(),
            documentation: String::new(),
            snippet: false,
        });
    }
    Some(Completions {
        from: open + 2,
        to,
        items,
    })
}

fn is_named_value_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

// -------------------------------------------------------------------------------------------
// Expressions

fn expression(source: &str, found: &Found, offset: usize) -> Completions {
    let code_start = found.span.start + 2;
    let code_end = if found.error.is_some() {
        found.span.end
    } else {
        found.span.end.saturating_sub(1)
    };
    let code = Span::new(code_start, code_end);
    let unescaped = unescaped_view(source, code, found.context);
    let view = unescaped.as_deref().unwrap_or(source);
    let Some(q) = context_model::query(view, code, offset) else {
        return empty(offset);
    };
    let mut items = Vec::new();
    let followed_by_call = source
        .get(q.to..)
        .is_some_and(|s| s.starts_with('(') || s.starts_with('<'));
    match q.receiver {
        Receiver::Start => {
            for (name, key) in ROOTS {
                if *name == "string" {
                    continue;
                }
                let Some(ty) = context_model::type_def(key) else {
                    continue;
                };
                let (kind, rank) = if *name == "context" {
                    (CompletionKind::Variable, "0")
                } else {
                    (CompletionKind::Type, "1")
                };
                items.push(CompletionItem {
                    label: (*name).to_string(),
                    kind,
                    detail: ty.shown.to_string(),
                    documentation: ty.doc.to_string(),
                    insert_text: (*name).to_string(),
                    snippet: false,
                    sort_text: format!("{rank}{name}"),
                });
            }
        }
        Receiver::Type(ty) => {
            for m in ty.members {
                let (kind, insert_text, snippet) = match (m.kind, m.insert) {
                    (MemberKind::Method, Some(insert)) if !followed_by_call => (
                        CompletionKind::Method,
                        insert.to_string(),
                        insert.contains("${"),
                    ),
                    (MemberKind::Method, _) => (CompletionKind::Method, m.name.to_string(), false),
                    (MemberKind::Property, _) => {
                        (CompletionKind::Property, m.name.to_string(), false)
                    }
                };
                items.push(CompletionItem {
                    label: m.name.to_string(),
                    kind,
                    detail: m.shown.to_string(),
                    documentation: m.doc.to_string(),
                    insert_text,
                    snippet,
                    sort_text: m.name.to_ascii_lowercase(),
                });
            }
        }
        Receiver::Unknown => {}
    }
    Completions {
        from: q.from,
        to: q.to,
        items,
    }
}

/// For code in the escaped `xml` format (`@(&quot;a&quot; + b)`): a copy of the source in
/// which the code's entity references are decoded and padded with spaces to their length, so
/// that the C# lexer sees the strings APIM sees and offsets stay the same. `None` for raw code
/// (the usual "rawxml" format), which is compiled exactly as written.
fn unescaped_view(source: &str, code: Span, context: Context) -> Option<String> {
    let raw = source.get(code.start..code.end)?;
    let quote_inside = matches!(context, Context::Attribute(q) if raw.as_bytes().contains(&q));
    if !raw.contains('&') || raw.contains('<') || quote_inside {
        return None;
    }
    let mut decoded = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        decoded.push_str(rest.get(..i)?);
        let after = rest.get(i..)?;
        let end = after.get(..12.min(after.len()))?.find(';')?;
        let ch = match after.get(1..end)? {
            "quot" => '"',
            "apos" => '\'',
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            n if n.starts_with('#') => ' ',
            // Not an entity: the code is raw after all.
            _ => return None,
        };
        decoded.push(ch);
        decoded.extend(std::iter::repeat_n(' ', end));
        rest = after.get(end + 1..)?;
    }
    decoded.push_str(rest);
    let mut view = String::with_capacity(source.len());
    view.push_str(source.get(..code.start)?);
    view.push_str(&decoded);
    view.push_str(source.get(code.end..)?);
    Some(view)
}

/// The XML name-ish word around `offset` (what a completion typed without `<` replaces).
fn word_around(source: &str, offset: usize) -> Span {
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.');
    let before = source.get(..offset).unwrap_or("");
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let after = source.get(offset..).unwrap_or("");
    let end = offset
        + after
            .char_indices()
            .find(|(_, c)| !is_word(*c))
            .map_or(after.len(), |(i, _)| i);
    Span::new(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::NamedValueInfo;

    fn options() -> LintOptions {
        LintOptions {
            scope: None,
            named_values: Some(vec![
                NamedValueInfo {
                    name: "backend-url".into(),
                    value: Some("https://backend.contoso.com".into()),
                    ..NamedValueInfo::default()
                },
                NamedValueInfo {
                    name: "api-key".into(),
                    secret: true,
                    ..NamedValueInfo::default()
                },
            ]),
            fragments: Some(vec!["common-headers".into(), "auth".into()]),
            backends: None,
        }
    }

    /// `|` marks the cursor; returns the labels and the replaced text.
    fn labels(marked: &str) -> (Vec<String>, String) {
        let offset = marked.find('|').unwrap();
        let src = marked.replacen('|', "", 1);
        let c = complete(&src, offset, &options());
        assert!(c.from <= offset && offset <= c.to, "{c:?}");
        (
            c.items.iter().map(|i| i.label.clone()).collect(),
            src[c.from..c.to].to_string(),
        )
    }

    fn has(marked: &str, expected: &[&str]) {
        let (got, _) = labels(marked);
        for e in expected {
            assert!(
                got.iter().any(|g| g == e),
                "{e} missing at {marked:?}: {got:?}"
            );
        }
    }

    fn lacks(marked: &str, unexpected: &[&str]) {
        let (got, _) = labels(marked);
        for e in unexpected {
            assert!(
                !got.iter().any(|g| g == e),
                "{e} offered at {marked:?}: {got:?}"
            );
        }
    }

    const DOC: &str = "<policies>\n    <inbound>\n        <base />\n        ${HERE}\n    </inbound>\n    <backend>\n        <forward-request />\n    </backend>\n</policies>\n";

    fn in_inbound(snippet: &str) -> String {
        DOC.replace("${HERE}", snippet)
    }

    #[test]
    fn policies_by_section_after_lt() {
        has(
            &in_inbound("<|"),
            &["set-header", "validate-jwt", "rate-limit-by-key", "choose"],
        );
        lacks(
            &in_inbound("<|"),
            &["forward-request", "cache-store", "value", "when"],
        );
        let (got, replaced) = labels(&in_inbound("<set-h|"));
        assert!(got.contains(&"set-header".to_string()));
        assert_eq!(replaced, "set-h");
    }

    #[test]
    fn policies_in_backend_and_outbound() {
        let doc =
            "<policies><inbound/><backend>\n<|\n</backend><outbound><|></outbound></policies>";
        has(doc, &["forward-request", "retry"]);
        lacks(doc, &["validate-jwt"]);
    }

    #[test]
    fn cors_is_offered_once_per_section() {
        has(&in_inbound("<|"), &["cors"]);
        lacks(
            &in_inbound("<cors><allowed-origins><origin>*</origin></allowed-origins></cors>\n<|"),
            &["cors"],
        );
    }

    #[test]
    fn once_per_section_is_counted_per_execution_path() {
        let outbound = |body: &str| {
            format!(
                "<policies>\n<inbound><base /></inbound>\n<outbound>\n<base />\n{body}\n</outbound>\n</policies>"
            )
        };
        let store = "<cache-store duration=\"10\" />";
        // Another branch of the same choose is another path.
        has(
            &outbound(&format!(
                "<choose>\n<when condition=\"@(true)\">\n{store}\n</when>\n<otherwise>\n<|\n</otherwise>\n</choose>"
            )),
            &["cache-store"],
        );
        // Before the choose: every path through the branch already runs it.
        lacks(
            &outbound(&format!(
                "{store}\n<choose>\n<when condition=\"@(true)\">\n<|\n</when>\n</choose>"
            )),
            &["cache-store"],
        );
        // After a choose whose branch runs it, and inside a nested branch of that branch.
        lacks(
            &outbound(&format!(
                "<choose>\n<when condition=\"@(true)\">\n{store}\n</when>\n</choose>\n<|"
            )),
            &["cache-store"],
        );
        lacks(
            &outbound(&format!(
                "<choose>\n<when condition=\"@(true)\">\n{store}\n<choose><when condition=\"@(true)\"><|</when></choose>\n</when>\n</choose>"
            )),
            &["cache-store"],
        );
        // The tag being typed does not count itself.
        has(&outbound("<cache-st|"), &["cache-store"]);
        // Once per document: forward-request already runs in backend, except in another branch.
        let backend = |body: &str| {
            format!(
                "<policies>\n<inbound><base /></inbound>\n<backend>\n{body}\n</backend>\n</policies>"
            )
        };
        lacks(&backend("<forward-request />\n<|"), &["forward-request"]);
        has(
            &backend(
                "<choose>\n<when condition=\"@(true)\">\n<forward-request timeout=\"5\" />\n</when>\n<otherwise>\n<|\n</otherwise>\n</choose>",
            ),
            &["forward-request"],
        );
    }

    #[test]
    fn opaque_content_offers_no_policies() {
        let body = in_inbound("<set-body><root>\n<|\n</root></set-body>");
        assert_eq!(labels(&body).0, Vec::<String>::new());
        // The xsl-transform snippet writes a stylesheet that declares its namespace.
        let c = complete(
            "<policies><outbound><base /><xsl-tr</outbound></policies>",
            35,
            &LintOptions::default(),
        );
        let item = c.items.iter().find(|i| i.label == "xsl-transform").unwrap();
        assert!(
            item.insert_text.contains(
                "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">\n\t\t${1}\n\t</xsl:stylesheet>"
            ),
            "{}",
            item.insert_text
        );
        let xslt = "<policies><outbound><base /><xsl-transform><xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\">\n<|\n</xsl:stylesheet></xsl-transform></outbound></policies>";
        assert_eq!(labels(xslt).0, Vec::<String>::new());
        // crossdomain.xml's elements are offered as hints.
        has(
            "<policies><inbound><cross-domain><cross-domain-policy>\n<|\n</cross-domain-policy></cross-domain></inbound></policies>",
            &["allow-access-from", "site-control"],
        );
    }

    #[test]
    fn undocumented_and_resolver_only_policies_are_not_offered() {
        lacks(
            &in_inbound("<|"),
            &["block", "http-data-source", "cosmosdb-data-source"],
        );
    }

    #[test]
    fn scope_limits_policies() {
        let global = LintOptions::default().with_scope(Scope::Global);
        let doc = in_inbound("<");
        let at = doc.find("<\n").unwrap() + 1;
        let labels: Vec<_> = complete(&doc, at, &global)
            .items
            .into_iter()
            .map(|i| i.label)
            .collect();
        assert!(
            !labels.contains(&"rate-limit".to_string()),
            "rate-limit is not allowed at global scope"
        );
        assert!(!labels.contains(&"base".to_string()));
        assert!(labels.contains(&"cross-domain".to_string()));
    }

    #[test]
    fn fragments_get_policies_without_base() {
        has(
            "<fragment>\n<|\n</fragment>",
            &["set-header", "forward-request"],
        );
        lacks("<fragment>\n<|\n</fragment>", &["base", "inbound"]);
    }

    #[test]
    fn children_of_policies_in_declared_order() {
        let (got, _) = labels(&in_inbound("<choose>\n<|\n</choose>"));
        assert_eq!(got, ["when", "otherwise"]);
        let (got, _) = labels(&in_inbound(
            "<choose><when condition=\"true\"/><otherwise/>\n<|\n</choose>",
        ));
        assert_eq!(got, ["when"]);
        has(
            &in_inbound("<choose><when condition=\"true\"><|</when></choose>"),
            &["set-header", "base"],
        );
        let (got, _) = labels(&in_inbound("<set-header name=\"a\"><|</set-header>"));
        assert_eq!(got, ["value"]);
        has(
            &in_inbound("<send-request response-variable-name=\"r\">\n<|\n</send-request>"),
            &[
                "set-url",
                "set-method",
                "set-header",
                "authentication-managed-identity",
            ],
        );
        has(
            &in_inbound("<wait>\n<|\n</wait>"),
            &["send-request", "cache-lookup-value", "choose"],
        );
        lacks(&in_inbound("<wait>\n<|\n</wait>"), &["set-header"]);
    }

    #[test]
    fn sections_in_policies_and_roots_at_the_top() {
        let (got, _) = labels("<policies>\n<inbound/>\n<|\n</policies>");
        assert_eq!(got, ["backend", "outbound", "on-error"]);
        let (got, _) = labels("<|");
        assert_eq!(got, ["fragment", "policies"]);
        let (got, _) = labels("<policies/>\n<|");
        assert!(got.is_empty());
    }

    #[test]
    fn snippets_prefill_required_attributes() {
        let doc = in_inbound("<");
        let at = doc.find("<\n").unwrap() + 1;
        let c = complete(&doc, at, &options());
        let item = |name: &str| c.items.iter().find(|i| i.label == name).unwrap().clone();
        // set-header takes only elements: its <value> comes with it, so nothing typed lands as
        // text where text is an error.
        assert_eq!(
            item("set-header").insert_text,
            "set-header name=\"${1}\">\n\t<value>${2}</value>\n</set-header>"
        );
        // Required children are filled in, each with its own field.
        assert_eq!(
            item("cors").insert_text,
            "cors>\n\t<allowed-origins>\n\t\t<origin>${1}</origin>\n\t</allowed-origins>\n\t<allowed-headers>\n\t\t<header>${2}</header>\n\t</allowed-headers>\n</cors>"
        );
        assert!(item("set-header").snippet);
        assert_eq!(item("base").insert_text, "base />");
        assert!(!item("base").snippet);
        assert_eq!(
            item("rate-limit-by-key").insert_text,
            "rate-limit-by-key calls=\"${1}\" counter-key=\"${2}\" renewal-period=\"${3}\" />"
        );
        // exactly one of base-url / backend-id
        assert_eq!(
            item("set-backend-service").insert_text,
            "set-backend-service base-url=\"${1}\" />"
        );
        assert!(
            item("choose")
                .insert_text
                .contains("<when condition=\"${1}\">")
        );
        // Without `<`, the `<` is part of the insert text and the typed word is replaced.
        let doc = in_inbound("set-he");
        let at = doc.find("set-he").unwrap() + 6;
        let c = complete(&doc, at, &options());
        assert_eq!(&doc[c.from..c.to], "set-he");
        let sh = c.items.iter().find(|i| i.label == "set-header").unwrap();
        assert!(sh.insert_text.starts_with("<set-header"));
        // Renaming an existing tag inserts the name only.
        let doc = in_inbound("<set-hx name=\"a\" />");
        let at = doc.find("set-hx").unwrap() + 5;
        let c = complete(&doc, at, &options());
        assert_eq!(
            c.items
                .iter()
                .find(|i| i.label == "set-header")
                .unwrap()
                .insert_text,
            "set-header"
        );
    }

    #[test]
    fn closing_tags() {
        let (got, replaced) = labels("<policies><inbound><base/></|");
        assert_eq!(got, ["inbound"]);
        assert_eq!(replaced, "");
    }

    #[test]
    fn attributes_not_present_required_first() {
        let (got, _) = labels(&in_inbound("<set-header |/>"));
        assert_eq!(got, ["name", "exists-action", "id"]);
        let (got, _) = labels(&in_inbound("<set-header name=\"x\" |/>"));
        assert_eq!(got, ["exists-action", "id"]);
        let (got, replaced) = labels(&in_inbound("<set-header name=\"x\" ex|/>"));
        assert_eq!(got, ["exists-action", "id"]);
        assert_eq!(replaced, "ex");
        let (got, _) = labels(&in_inbound("<validate-jwt |"));
        assert_eq!(got.first().map(String::as_str), Some("header-name"));
        // Unknown elements have no attributes to offer.
        let (got, _) = labels(&in_inbound("<set-hedder |/>"));
        assert!(got.is_empty());
    }

    #[test]
    fn attribute_insert_text() {
        let doc = in_inbound("<set-header  />");
        let at = doc.find("set-header ").unwrap() + 11;
        let c = complete(&doc, at, &options());
        let ea = c.items.iter().find(|i| i.label == "exists-action").unwrap();
        assert_eq!(ea.insert_text, "exists-action=\"${1}\"");
        assert!(ea.detail.contains("default override"), "{}", ea.detail);
    }

    #[test]
    fn enum_bool_and_fragment_values() {
        let (got, replaced) = labels(&in_inbound(
            "<set-header name=\"x\" exists-action=\"ov|\" />",
        ));
        assert_eq!(got, ["override", "skip", "append", "delete"]);
        assert_eq!(replaced, "ov");
        has(
            &in_inbound("<forward-request buffer-request-body=\"|\" />"),
            &["true", "false", "@(…)"],
        );
        let (got, _) = labels(&in_inbound("<include-fragment fragment-id=\"|\" />"));
        assert_eq!(got, ["common-headers", "auth"]);
        has(
            &in_inbound("<authentication-managed-identity resource=\"|\" />"),
            &["https://vault.azure.net"],
        );
        // No expression snippet where expressions are not allowed.
        lacks(
            &in_inbound("<include-fragment fragment-id=\"|\" />"),
            &["@(…)"],
        );
    }

    #[test]
    fn named_values_after_double_braces() {
        let (got, replaced) = labels(&in_inbound("<set-backend-service base-url=\"{{back|\" />"));
        assert_eq!(got, ["api-key", "backend-url"]);
        assert_eq!(replaced, "back");
        let doc = in_inbound("<set-header name=\"k\"><value>{{}}</value></set-header>");
        let at = doc.find("{{").unwrap() + 2;
        let c = complete(&doc, at, &options());
        let key = c.items.iter().find(|i| i.label == "api-key").unwrap();
        assert_eq!(
            key.insert_text, "api-key",
            "the closing braces are there already"
        );
        assert_eq!(key.detail, "secret named value");
        // Inside an expression too, and names used elsewhere in the document.
        has(
            &in_inbound(
                "<set-variable name=\"a\" value=\"{{other-nv}}\" /><set-variable name=\"b\" value=\"@(&quot;{{|&quot;)\" />",
            ),
            &["backend-url", "other-nv"],
        );
    }

    #[test]
    fn secrets_never_leak_into_completion() {
        let mut opts = options();
        if let Some(nvs) = opts.named_values.as_mut() {
            nvs.push(NamedValueInfo {
                name: "leaky".into(),
                secret: true,
                value: Some("hunter2".into()),
                ..NamedValueInfo::default()
            });
        }
        let doc = in_inbound("<set-header name=\"k\"><value>{{</value></set-header>");
        let at = doc.find("{{").unwrap() + 2;
        let c = complete(&doc, at, &opts);
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn context_members_in_expressions() {
        has(
            &in_inbound("<set-variable name=\"a\" value=\"@(context.|)\" />"),
            &["Request", "Response", "Variables", "User"],
        );
        let (got, replaced) = labels(&in_inbound(
            "<set-variable name=\"a\" value=\"@(context.Request.He|)\" />",
        ));
        assert!(got.contains(&"Headers".to_string()));
        assert_eq!(replaced, "He");
        has(
            &in_inbound(
                "<set-header name=\"a\"><value>@(context.Request.Headers.|)</value></set-header>",
            ),
            &["GetValueOrDefault", "ContainsKey"],
        );
        has(
            &in_inbound(
                "<set-body>@{\n  var body = context.Request.Body.As<JObject>(preserveContent: true);\n  return body.|\n}</set-body>",
            ),
            &["SelectToken", "ToString"],
        );
        has(
            &in_inbound("<set-body>@(context.Request.Body.|</set-body>"),
            &["As"],
        );
        has(&in_inbound("<when condition=\"@(con|\">"), &["context"]);
        // Inside a string literal: nothing.
        let (got, _) = labels(&in_inbound(
            "<set-variable name=\"a\" value=\"@(&quot;context.|&quot;)\" />",
        ));
        assert!(got.is_empty(), "{got:?}");
        let (got, _) = labels(&in_inbound("<set-body>@(\"context.|\")</set-body>"));
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn method_snippets() {
        let doc = in_inbound("<set-body>@(context.Request.Body.)</set-body>");
        let at = doc.find("Body.").unwrap() + 5;
        let c = complete(&doc, at, &options());
        let as_ = c.items.iter().find(|i| i.label == "As").unwrap();
        assert_eq!(as_.insert_text, "As<${1:JObject}>(preserveContent: true)");
        assert!(as_.snippet);
        assert_eq!(as_.kind, CompletionKind::Method);
    }

    #[test]
    fn nothing_in_comments_cdata_or_text_values() {
        let (got, _) = labels(&in_inbound("<!-- <| -->"));
        assert!(got.is_empty());
        let (got, _) = labels(&in_inbound(
            "<set-header name=\"a\"><value>ab|</value></set-header>",
        ));
        assert!(got.is_empty());
        let (got, _) = labels(&in_inbound("<set-body><![CDATA[ <| ]]></set-body>"));
        assert!(got.is_empty());
    }

    #[test]
    fn order_is_deterministic() {
        let doc = in_inbound("<");
        let at = doc.find("<\n").unwrap() + 1;
        let a = complete(&doc, at, &options());
        let b = complete(&doc, at, &options());
        assert_eq!(a, b);
        assert_eq!(a.items.first().map(|i| i.label.as_str()), Some("base"));
        let names: Vec<_> = a.items.iter().skip(1).map(|i| i.label.clone()).collect();
        let mut sorted = names.clone();
        crate::sort::sort(&mut sorted);
        assert_eq!(names, sorted);
    }
}
