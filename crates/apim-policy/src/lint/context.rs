//! What the rules read: the document plus one pass of analysis that says what every element is.

use super::{LintOptions, effective_scope};
use crate::catalog::{self, Content, ElementDef, PolicyDef, Scope, Section};
use crate::diagnostic::Diagnostic;
use crate::syntax::{Document, Element, Expression, NodeId, NodeKind};
use apim_expr::SyntaxError;
use std::cell::OnceCell;

/// What an element is, given where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `<policies>` or `<fragment>`.
    Root(&'static ElementDef),
    /// A root that is neither (reported by `unknown-root`); nothing below it is analysed.
    UnknownRoot,
    Section(Section),
    /// A child of `<policies>` that is not a section.
    UnknownSection,
    /// A policy statement.
    Policy(&'static PolicyDef),
    /// An element where a policy statement belongs, which is not a policy.
    UnknownPolicy,
    /// A declared child element of a policy (or of another child).
    Child(&'static ElementDef),
    /// A child element its parent does not declare.
    UnexpectedChild,
    /// Free XML inside mixed content (a `set-body` template, an XSLT stylesheet).
    Free,
}

impl Kind {
    /// The definition that governs the element's attributes and children, when it has one.
    pub fn definition(self) -> Option<&'static ElementDef> {
        match self {
            Kind::Root(d) | Kind::Child(d) => Some(d),
            Kind::Policy(p) => Some(&p.element),
            Kind::Section(s) => Some(catalog::section(s)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Info {
    pub kind: Kind,
    /// The section the element is in (`None` in fragments and outside sections).
    pub section: Option<Section>,
    /// The policy the element belongs to (itself for a policy).
    pub policy: Option<NodeId>,
}

pub struct Ctx<'a> {
    pub doc: &'a Document,
    pub source: &'a str,
    pub options: &'a LintOptions,
    pub scope: Scope,
    /// Indexed by node index; `None` for non-elements.
    info: Vec<Option<Info>>,
    /// Every element, in document order.
    order: Vec<NodeId>,
    /// Every expression in source order, and (computed on first use, shared by the rules that
    /// need it) the C# syntax errors of each: parsing expressions is the costliest part of
    /// linting, so it happens once.
    expressions: Vec<&'a Expression>,
    expression_errors: OnceCell<Vec<Vec<SyntaxError>>>,
    out: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub fn new(doc: &'a Document, source: &'a str, options: &'a LintOptions) -> Self {
        let mut cx = Ctx {
            doc,
            source,
            options,
            scope: effective_scope(doc, options),
            info: vec![None; doc.nodes().count()],
            order: Vec::new(),
            expressions: doc.expressions(),
            expression_errors: OnceCell::new(),
            out: Vec::new(),
        };
        cx.analyse();
        cx
    }

    /// Every expression of the document, in source order.
    pub fn expressions(&self) -> &[&'a Expression] {
        &self.expressions
    }

    /// The C# syntax errors of each expression (same order as [`Ctx::expressions`]); empty for
    /// unbalanced or empty expressions, which other rules report.
    pub fn expression_errors(&self) -> &[Vec<SyntaxError>] {
        self.expression_errors.get_or_init(|| {
            self.expressions
                .iter()
                .map(|e| {
                    if e.unbalanced || e.code.trim().is_empty() {
                        Vec::new()
                    } else {
                        apim_expr::check(&e.checkable_code(), e.kind)
                    }
                })
                .collect()
        })
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.out.push(diagnostic);
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.out
    }

    pub fn info(&self, id: NodeId) -> Option<Info> {
        self.info.get(id.index()).copied().flatten()
    }

    pub fn kind(&self, id: NodeId) -> Option<Kind> {
        self.info(id).map(|i| i.kind)
    }

    /// Every element in document order, with what it is.
    pub fn elements(&self) -> impl Iterator<Item = (NodeId, &'a Element, Info)> + '_ {
        let doc = self.doc;
        self.order
            .iter()
            .filter_map(move |&id| Some((id, doc.element(id)?, self.info(id)?)))
    }

    /// Every element with a definition (a root, a section, a policy or a policy's declared
    /// child) with the definition that governs its attributes and children.
    pub fn defined_elements(
        &self,
    ) -> impl Iterator<Item = (NodeId, &'a Element, &'static ElementDef)> + '_ {
        self.elements()
            .filter_map(|(id, e, info)| Some((id, e, info.kind.definition()?)))
    }

    /// Every policy statement in document order.
    pub fn policies(
        &self,
    ) -> impl Iterator<Item = (NodeId, &'a Element, &'static PolicyDef, Info)> + '_ {
        self.elements().filter_map(|(id, e, info)| match info.kind {
            Kind::Policy(def) => Some((id, e, def, info)),
            _ => None,
        })
    }

    /// The document root is `<fragment>`.
    pub fn is_fragment(&self) -> bool {
        self.doc
            .root_element()
            .is_some_and(|r| r.name == "fragment")
    }

    /// Text of the source in a span (empty when out of range).
    pub fn text(&self, start: usize, end: usize) -> &'a str {
        self.source.get(start..end).unwrap_or("")
    }

    /// The indentation of the line that `offset` is on.
    pub fn indent_at(&self, offset: usize) -> &'a str {
        let line_start = self
            .source
            .get(..offset)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line = self.source.get(line_start..).unwrap_or("");
        let width = line.len() - line.trim_start_matches([' ', '\t']).len();
        line.get(..width).unwrap_or("")
    }

    fn set(&mut self, id: NodeId, info: Info) {
        if let Some(slot) = self.info.get_mut(id.index()) {
            *slot = Some(info);
        }
        self.order.push(id);
    }

    fn analyse(&mut self) {
        let Some(root_id) = self.doc.root else {
            return;
        };
        let Some(root) = self.doc.element(root_id) else {
            return;
        };
        let Some(def) = catalog::root(&root.name) else {
            self.set(
                root_id,
                Info {
                    kind: Kind::UnknownRoot,
                    section: None,
                    policy: None,
                },
            );
            return;
        };
        self.set(
            root_id,
            Info {
                kind: Kind::Root(def),
                section: None,
                policy: None,
            },
        );
        if root.name == "fragment" {
            self.statements(root_id, None);
        } else {
            for (id, e) in self.doc.child_elements(root_id).collect::<Vec<_>>() {
                match Section::from_name(&e.name) {
                    Some(section) => {
                        self.set(
                            id,
                            Info {
                                kind: Kind::Section(section),
                                section: Some(section),
                                policy: None,
                            },
                        );
                        self.statements(id, Some(section));
                    }
                    None => {
                        self.set(
                            id,
                            Info {
                                kind: Kind::UnknownSection,
                                section: None,
                                policy: None,
                            },
                        );
                        self.free(id, None, None);
                    }
                }
            }
        }
    }

    /// The children of a container of policy statements (a section, `<fragment>`, `<when>` …).
    fn statements(&mut self, parent: NodeId, section: Option<Section>) {
        for (id, e) in self.doc.child_elements(parent).collect::<Vec<_>>() {
            match catalog::policy(&e.name) {
                Some(def) => {
                    self.set(
                        id,
                        Info {
                            kind: Kind::Policy(def),
                            section,
                            policy: Some(id),
                        },
                    );
                    self.children(id, &def.element, section, id);
                }
                None => {
                    self.set(
                        id,
                        Info {
                            kind: Kind::UnknownPolicy,
                            section,
                            policy: None,
                        },
                    );
                    self.free(id, section, None);
                }
            }
        }
    }

    /// The children of an element with a known definition.
    fn children(
        &mut self,
        parent: NodeId,
        def: &'static ElementDef,
        section: Option<Section>,
        policy: NodeId,
    ) {
        match def.content {
            Content::Policies => self.statements(parent, section),
            Content::Mixed => self.free(parent, section, Some(policy)),
            Content::Elements | Content::Empty | Content::Text { .. } => {
                for (id, e) in self.doc.child_elements(parent).collect::<Vec<_>>() {
                    match def.child(&e.name) {
                        Some(child) => {
                            self.set(
                                id,
                                Info {
                                    kind: Kind::Child(child.element),
                                    section,
                                    policy: Some(policy),
                                },
                            );
                            self.children(id, child.element, section, policy);
                        }
                        None => {
                            self.set(
                                id,
                                Info {
                                    kind: Kind::UnexpectedChild,
                                    section,
                                    policy: Some(policy),
                                },
                            );
                            self.free(id, section, Some(policy));
                        }
                    }
                }
            }
        }
    }

    /// Everything below an element whose content is not checked.
    fn free(&mut self, parent: NodeId, section: Option<Section>, policy: Option<NodeId>) {
        for id in self.doc.descendants(parent).into_iter().skip(1) {
            if matches!(
                self.doc.node(id).map(|n| &n.kind),
                Some(NodeKind::Element(_))
            ) {
                self.set(
                    id,
                    Info {
                        kind: Kind::Free,
                        section,
                        policy,
                    },
                );
            }
        }
    }
}
