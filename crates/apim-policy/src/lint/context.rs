//! What the rules read: the document plus one pass of analysis that says what every element is.

use super::{LintOptions, effective_scope};
use crate::catalog::{self, Content, ElementDef, PolicyDef, Scope, Section};
use crate::diagnostic::Diagnostic;
use crate::syntax::{Document, Element, ExprKind, Expression, NodeId, NodeKind};
use apim_expr::SyntaxError;
use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};

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
    /// An element below an unknown element (an unknown policy, section or child), which is
    /// reported itself; nothing below it is checked as policy.
    Free,
    /// The root of a document in a foreign format ([`Content::Foreign`]: `xsl:stylesheet`,
    /// `cross-domain-policy`), declared by its parent but with attributes and content of its
    /// own format: it has no [`Kind::definition`], so no rule checks it.
    Foreign(&'static ElementDef),
    /// Markup inside opaque content: a message body's payload ([`Content::Mixed`]: the
    /// `<soap:Envelope>` in a `set-body`) or the inside of a foreign document. It is data, not
    /// policy: `<set-header>` in a body is not a policy.
    Payload,
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
    /// Whether APIM evaluates the policy expressions in the element's attributes and text:
    /// false in a body's payload and in foreign documents that take none (XSLT).
    pub evaluated: bool,
}

impl Info {
    const fn new(kind: Kind, section: Option<Section>, policy: Option<NodeId>) -> Info {
        Info {
            kind,
            section,
            policy,
            evaluated: true,
        }
    }

    /// The element is opaque content (payload or a foreign document), not policy markup.
    pub fn is_opaque(&self) -> bool {
        matches!(self.kind, Kind::Payload | Kind::Foreign(_))
    }
}

/// For each policy name, how many times it runs on one execution path (see
/// [`Ctx::walk_paths`]).
pub type PathCounts = BTreeMap<&'static str, u32>;

fn bump(counts: &mut PathCounts, name: &'static str) {
    *counts.entry(name).or_insert(0) += 1;
}

fn add(counts: &mut PathCounts, other: &PathCounts) {
    for (name, n) in other {
        *counts.entry(name).or_insert(0) += n;
    }
}

fn merge_max(counts: &mut PathCounts, other: &PathCounts) {
    for (name, n) in other {
        let slot = counts.entry(name).or_insert(0);
        *slot = (*slot).max(*n);
    }
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
    /// Every expression APIM evaluates, in source order, and (computed on first use, shared by
    /// the rules that need it) the C# syntax errors of each: parsing expressions is the costliest
    /// part of linting, so it happens once.
    expressions: Vec<&'a Expression>,
    expression_errors: OnceCell<Vec<Vec<SyntaxError>>>,
    /// The previous lint's C# errors of each distinct expression, when the caller keeps them.
    cache: Option<&'a RefCell<ExpressionCache>>,
    out: Vec<Diagnostic>,
}

/// The C# syntax errors of the distinct expressions of the last document linted with it
/// ([`super::lint_cached`]): the editor lints the whole text on every keystroke, and checking
/// expressions is the largest part of a lint, but a keystroke changes at most a few of them.
/// After each lint it holds exactly the expressions of that document, so it never grows beyond
/// what one lint computes.
#[derive(Debug, Default)]
pub struct ExpressionCache {
    /// By code as written, `@(…)` and `@{…}` apart: the errors and the round that last used
    /// them.
    expressions: HashMap<Box<str>, (u64, Vec<SyntaxError>)>,
    blocks: HashMap<Box<str>, (u64, Vec<SyntaxError>)>,
    round: u64,
}

impl ExpressionCache {
    /// How many distinct expressions it holds.
    pub fn len(&self) -> usize {
        self.expressions.len() + self.blocks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(super) fn begin(&mut self) {
        self.round += 1;
    }

    /// Forget what the last round did not use.
    pub(super) fn end(&mut self) {
        let round = self.round;
        self.expressions.retain(|_, (used, _)| *used == round);
        self.blocks.retain(|_, (used, _)| *used == round);
    }

    fn get_or_check(
        &mut self,
        block: bool,
        code: &str,
        check: impl FnOnce() -> Vec<SyntaxError>,
    ) -> Vec<SyntaxError> {
        let round = self.round;
        let map = if block {
            &mut self.blocks
        } else {
            &mut self.expressions
        };
        match map.get_mut(code) {
            Some((used, errors)) => {
                *used = round;
                errors.clone()
            }
            None => {
                let errors = check();
                map.insert(code.into(), (round, errors.clone()));
                errors
            }
        }
    }
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
            expressions: Vec::new(),
            expression_errors: OnceCell::new(),
            cache: None,
            out: Vec::new(),
        };
        cx.analyse();
        cx.expressions = cx.evaluated_expressions();
        cx
    }

    /// A context whose expression checks go through `cache` (see [`ExpressionCache`]).
    pub fn with_cache(
        doc: &'a Document,
        source: &'a str,
        options: &'a LintOptions,
        cache: &'a RefCell<ExpressionCache>,
    ) -> Self {
        let mut cx = Ctx::new(doc, source, options);
        cx.cache = Some(cache);
        cx
    }

    /// Every expression that APIM evaluates, in source order: not those in a body's payload or
    /// in a foreign document that takes none, which are data (their extent is still scanned by
    /// the parser, as APIM's reader does, so an unclosed one is a syntax error anywhere).
    pub fn expressions(&self) -> &[&'a Expression] {
        &self.expressions
    }

    fn evaluated(&self, id: NodeId) -> bool {
        self.info(id).is_none_or(|i| i.evaluated)
    }

    fn evaluated_expressions(&self) -> Vec<&'a Expression> {
        let doc = self.doc;
        let mut out: Vec<&'a Expression> = Vec::new();
        for (id, node) in doc.nodes() {
            match &node.kind {
                NodeKind::Element(e) if self.evaluated(id) => {
                    for a in &e.attributes {
                        out.extend(a.value.expressions());
                    }
                }
                NodeKind::Text(v) if node.parent.is_none_or(|p| self.evaluated(p)) => {
                    out.extend(v.expressions());
                }
                _ => {}
            }
        }
        crate::sort::sort_by_key(&mut out, |e| e.span.start);
        out
    }

    /// The C# syntax errors of each expression (same order as [`Ctx::expressions`]); empty for
    /// unbalanced or empty expressions, which other rules report.
    pub fn expression_errors(&self) -> &[Vec<SyntaxError>] {
        self.expression_errors.get_or_init(|| {
            // The same code is checked once: policies repeat conditions, keys and header
            // values, and the errors' spans are relative to the code, so they carry over.
            let mut seen: HashMap<(bool, &str), usize> = HashMap::new();
            let mut out: Vec<Vec<SyntaxError>> = Vec::with_capacity(self.expressions.len());
            for e in &self.expressions {
                if e.unbalanced || e.code.trim().is_empty() {
                    out.push(Vec::new());
                    continue;
                }
                let errors = match seen.get(&(e.kind == ExprKind::Block, e.code.as_str())) {
                    Some(&i) => out.get(i).cloned().unwrap_or_default(),
                    None => {
                        let block = e.kind == ExprKind::Block;
                        seen.insert((block, e.code.as_str()), out.len());
                        let check = || apim_expr::check(&e.checkable_code(), e.kind);
                        match self.cache.map(RefCell::try_borrow_mut) {
                            Some(Ok(mut cache)) => cache.get_or_check(block, &e.code, check),
                            _ => check(),
                        }
                    }
                };
                out.push(errors);
            }
            out
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

    /// Every element of the policy markup in document order, with what it is. Opaque content
    /// (a body's payload, a foreign document: [`Info::is_opaque`]) is left out, so that no rule
    /// reads it as policy; [`Ctx::kind`] still answers for it.
    pub fn elements(&self) -> impl Iterator<Item = (NodeId, &'a Element, Info)> + '_ {
        let doc = self.doc;
        self.order.iter().filter_map(move |&id| {
            let info = self.info(id)?;
            if info.is_opaque() {
                return None;
            }
            Some((id, doc.element(id)?, info))
        })
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
            self.set(root_id, Info::new(Kind::UnknownRoot, None, None));
            return;
        };
        self.set(root_id, Info::new(Kind::Root(def), None, None));
        if root.name == "fragment" {
            self.statements(root_id, None);
        } else {
            for (id, e) in self.doc.child_elements(root_id).collect::<Vec<_>>() {
                match Section::from_name(&e.name) {
                    Some(section) => {
                        self.set(id, Info::new(Kind::Section(section), Some(section), None));
                        self.statements(id, Some(section));
                    }
                    None => {
                        self.set(id, Info::new(Kind::UnknownSection, None, None));
                        self.below(id, Kind::Free, None, None, true);
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
                    self.set(id, Info::new(Kind::Policy(def), section, Some(id)));
                    self.children(id, &def.element, section, id);
                }
                None => {
                    self.set(id, Info::new(Kind::UnknownPolicy, section, None));
                    self.below(id, Kind::Free, section, None, true);
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
            Content::Mixed => self.below(parent, Kind::Payload, section, Some(policy), false),
            Content::Foreign { expr } => {
                self.below(parent, Kind::Payload, section, Some(policy), expr);
            }
            Content::Elements | Content::Empty | Content::Text { .. } => {
                for (id, e) in self.doc.child_elements(parent).collect::<Vec<_>>() {
                    match def.child(&e.name) {
                        Some(child) => {
                            if let Content::Foreign { expr } = child.element.content {
                                let info = Info {
                                    evaluated: expr,
                                    ..Info::new(Kind::Foreign(child.element), section, Some(policy))
                                };
                                self.set(id, info);
                                self.below(id, Kind::Payload, section, Some(policy), expr);
                                continue;
                            }
                            self.set(
                                id,
                                Info::new(Kind::Child(child.element), section, Some(policy)),
                            );
                            self.children(id, child.element, section, policy);
                        }
                        None => {
                            self.set(id, Info::new(Kind::UnexpectedChild, section, Some(policy)));
                            self.below(id, Kind::Free, section, Some(policy), true);
                        }
                    }
                }
            }
        }
    }

    /// Every element below `parent` gets `kind` ([`Kind::Free`] below an unknown element,
    /// [`Kind::Payload`] in opaque content): nothing there is checked as policy.
    fn below(
        &mut self,
        parent: NodeId,
        kind: Kind,
        section: Option<Section>,
        policy: Option<NodeId>,
        evaluated: bool,
    ) {
        for id in self.doc.descendants(parent).into_iter().skip(1) {
            if matches!(
                self.doc.node(id).map(|n| &n.kind),
                Some(NodeKind::Element(_))
            ) {
                let info = Info {
                    evaluated,
                    ..Info::new(kind, section, policy)
                };
                self.set(id, info);
            }
        }
    }
}

// -------------------------------------------------------------------------------------------
// Execution paths: how the cardinality rules and completion count statements.

impl Ctx<'_> {
    /// The statement containers the "once per section" limits count in, in pipeline order: the
    /// sections of `<policies>` (inbound, backend, outbound, on-error, whatever their order in
    /// the file), or the `<fragment>` itself, all of whose statements land in the one section
    /// that includes it.
    pub fn section_containers(&self) -> Vec<NodeId> {
        let Some(root) = self.doc.root else {
            return Vec::new();
        };
        match self.kind(root) {
            Some(Kind::Root(_)) if self.is_fragment() => vec![root],
            Some(Kind::Root(_)) => {
                let mut sections: Vec<(Section, NodeId)> = self
                    .doc
                    .child_elements(root)
                    .filter_map(|(id, _)| match self.kind(id) {
                        Some(Kind::Section(s)) => Some((s, id)),
                        _ => None,
                    })
                    .collect();
                crate::sort::sort_by_key(&mut sections, |(s, _)| {
                    Section::ALL.iter().position(|x| x == s)
                });
                sections.into_iter().map(|(_, id)| id).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Walk the statements below `container` (a section, a fragment, a `when` …) as APIM runs
    /// them, calling `visit` for every policy statement with `counts` as they stand before it:
    /// for each policy name, the most times it has run on any execution path that reaches this
    /// statement (starting from what `counts` held). After the walk `counts` holds the most
    /// times each policy runs on one path through the container.
    ///
    /// How paths are counted:
    /// - statements run in document order, so their counts add up;
    /// - a `choose` runs exactly one of its `when`/`otherwise` branches (or none): every branch
    ///   starts from the counts before the `choose`, and after it each policy counts as in the
    ///   branch where it runs most;
    /// - a policy's own statements (`retry`, `limit-concurrency`, a `wait`'s children) count
    ///   once, after the policy itself: `retry` repeats its body at run time, but the limits are
    ///   about statements in the document (the retry page's own example wraps the
    ///   once-per-document `forward-request` in a `retry`);
    /// - opaque content, unknown elements and the inside of included fragments (the linter knows
    ///   fragments by name only) count nothing.
    pub fn walk_paths(
        &self,
        container: NodeId,
        counts: &mut PathCounts,
        visit: &mut dyn FnMut(NodeId, &'static PolicyDef, &PathCounts),
    ) {
        self.walk_children(container, counts, &|_| true, visit);
    }

    /// [`Ctx::walk_paths`] counting only the policies `counted` accepts (`visit` still sees
    /// every statement): a rule that asks about a few policies keeps its counts small, which
    /// makes the copies at every `choose` cheap.
    pub fn walk_paths_of(
        &self,
        container: NodeId,
        counts: &mut PathCounts,
        counted: &dyn Fn(&'static PolicyDef) -> bool,
        visit: &mut dyn FnMut(NodeId, &'static PolicyDef, &PathCounts),
    ) {
        self.walk_children(container, counts, counted, visit);
    }

    fn walk_children(
        &self,
        id: NodeId,
        counts: &mut PathCounts,
        counted: &dyn Fn(&'static PolicyDef) -> bool,
        visit: &mut dyn FnMut(NodeId, &'static PolicyDef, &PathCounts),
    ) {
        for (child, _) in self.doc.child_elements(id) {
            self.walk_element(child, counts, counted, visit);
        }
    }

    fn walk_element(
        &self,
        id: NodeId,
        counts: &mut PathCounts,
        counted: &dyn Fn(&'static PolicyDef) -> bool,
        visit: &mut dyn FnMut(NodeId, &'static PolicyDef, &PathCounts),
    ) {
        match self.kind(id) {
            Some(Kind::Policy(def)) => {
                visit(id, def, counts);
                if counted(def) {
                    bump(counts, def.name());
                }
            }
            Some(Kind::Child(_) | Kind::Section(_) | Kind::Root(_)) => {}
            _ => return,
        }
        if self.is_choose(id) {
            let before = counts.clone();
            for (branch, _) in self.doc.child_elements(id) {
                if !matches!(self.kind(branch), Some(Kind::Child(_))) {
                    continue;
                }
                let mut taken = before.clone();
                self.walk_children(branch, &mut taken, counted, visit);
                merge_max(counts, &taken);
            }
        } else {
            self.walk_children(id, counts, counted, visit);
        }
    }

    /// A `choose` (a statement, or a child of `wait`): its branches are alternatives.
    fn is_choose(&self, id: NodeId) -> bool {
        match self.kind(id) {
            Some(Kind::Policy(def)) => def.name() == "choose",
            Some(Kind::Child(def)) => def.name == "choose",
            _ => false,
        }
    }

    /// The most times each policy runs on one execution path through the element `id` (itself
    /// included), counted as [`Ctx::walk_paths`] does.
    pub fn path_max(&self, id: NodeId) -> PathCounts {
        let mut counts = PathCounts::new();
        self.walk_element(id, &mut counts, &|_| true, &mut |_, _, _| {});
        counts
    }

    /// The most times each policy runs on one execution path that passes through a point
    /// inside the statement container `container` (where a statement would be inserted),
    /// leaving out the element `skip` (the one being typed there): the container's other
    /// statements, and going up to the section, the statements around each enclosing
    /// element, except the other branches of an enclosing `choose`. With `whole_document`,
    /// the other sections count too (they run on the same path).
    pub fn counts_through(
        &self,
        container: NodeId,
        skip: Option<NodeId>,
        whole_document: bool,
    ) -> PathCounts {
        let mut total = PathCounts::new();
        let mut cur = container;
        let mut from = skip;
        while let Some(kind) = self.kind(cur) {
            if let Kind::Policy(def) = kind {
                bump(&mut total, def.name());
            }
            if !self.is_choose(cur) {
                for (child, _) in self.doc.child_elements(cur) {
                    if Some(child) != from {
                        add(&mut total, &self.path_max(child));
                    }
                }
            }
            match kind {
                Kind::Section(_) => {
                    if whole_document {
                        for other in self.section_containers() {
                            if other != cur {
                                add(&mut total, &self.path_max(other));
                            }
                        }
                    }
                    break;
                }
                Kind::Root(_) => break,
                _ => {}
            }
            from = Some(cur);
            match self.doc.parent(cur) {
                Some(parent) => cur = parent,
                None => break,
            }
        }
        total
    }
}
