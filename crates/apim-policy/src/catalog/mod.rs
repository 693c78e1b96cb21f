//! The policy catalog: what APIM accepts, as data.
//!
//! Every policy element of Microsoft's APIM policy reference is described here once: the sections
//! and scopes it may appear in, its attributes (required or not, value type, default, whether a
//! policy expression is allowed), its child elements with order and cardinality (recursively),
//! a one-line doc and the Microsoft Learn link. The parser, the lint rules, completion, hover and
//! the docs pages all read this module instead of hard-coding APIM knowledge, so they agree.
//!
//! It is static data (`&'static` slices, no allocation, no parsing at run time) because it ships
//! in the browser bundle. Lookups:
//! - [`policy`] finds a policy by element name; [`policies`] lists them, sorted by name.
//! - [`section`] and [`root`] describe the four sections and the `policies`/`fragment` documents.
//! - [`known_mistake`] and [`attribute_mistake`] know the names people (and tools) get wrong;
//!   [`closest_policy`] and [`closest`] give "did you mean" suggestions.
//!
//! Sources, in order of authority: the policy pages of Microsoft Learn
//! (`MicrosoftDocs/azure-docs`, `articles/api-management/<name>-policy.md`), the project's
//! research notes (`shared/reference/apim-policies.md`), then the VS Code extension's XSDs
//! (`tests/fixtures/apim-xsd/`). Where the XSD disagrees with the docs, the docs win and the data
//! says so in a comment; `tests/catalog.rs` checks every XSD element, attribute and enum value
//! against the catalog and lists the deliberate deviations.
//!
//! Two rules from the docs shape the data. Policy expressions are allowed in every attribute and
//! text value unless the policy page says "Policy expressions aren't allowed", so `expr: true` is
//! the default. Named values (`{{name}}`) are accepted everywhere, so a value type never rejects
//! one: a validator must substitute or skip `{{…}}` before checking a value against its type.

mod data;
pub mod dump;
mod mistakes;

pub use mistakes::{KNOWN_MISTAKES, KnownMistake, attribute_mistake, known_mistake};

/// A section of a policy document, in pipeline order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    Inbound,
    Backend,
    Outbound,
    OnError,
}

impl Section {
    /// The four sections in document order.
    pub const ALL: [Section; 4] = [
        Section::Inbound,
        Section::Backend,
        Section::Outbound,
        Section::OnError,
    ];

    /// The element name (`on-error` for [`Section::OnError`]).
    pub const fn name(self) -> &'static str {
        match self {
            Section::Inbound => "inbound",
            Section::Backend => "backend",
            Section::Outbound => "outbound",
            Section::OnError => "on-error",
        }
    }

    /// The section whose element name is `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Where a policy document is attached. Narrowest last; `Fragment` is a policy fragment and
/// `Resolver` a GraphQL resolver (whose document is a `*-data-source` element, not `<policies>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Global,
    Workspace,
    Product,
    Api,
    Operation,
    Fragment,
    Resolver,
}

impl Scope {
    /// Every scope, broadest first.
    pub const ALL: [Scope; 7] = [
        Scope::Global,
        Scope::Workspace,
        Scope::Product,
        Scope::Api,
        Scope::Operation,
        Scope::Fragment,
        Scope::Resolver,
    ];

    /// The lower-case name the docs use (`api`, `on-error`-style kebab case).
    pub const fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Workspace => "workspace",
            Scope::Product => "product",
            Scope::Api => "api",
            Scope::Operation => "operation",
            Scope::Fragment => "fragment",
            Scope::Resolver => "resolver",
        }
    }

    /// The scope called `name` (case-insensitive, so `API` works too).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`Section`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Sections(u8);

impl Sections {
    pub const NONE: Sections = Sections(0);
    pub const ALL: Sections = Sections(0b1111);
    pub const INBOUND: Sections = Sections(Section::Inbound.bit());
    pub const BACKEND: Sections = Sections(Section::Backend.bit());
    pub const OUTBOUND: Sections = Sections(Section::Outbound.bit());
    pub const ON_ERROR: Sections = Sections(Section::OnError.bit());

    /// The set of the given sections.
    pub const fn of(sections: &[Section]) -> Sections {
        let mut bits = 0;
        let mut rest = sections;
        while let [first, tail @ ..] = rest {
            bits |= first.bit();
            rest = tail;
        }
        Sections(bits)
    }

    /// This set plus `other`.
    pub const fn with(self, other: Sections) -> Sections {
        Sections(self.0 | other.0)
    }

    pub const fn contains(self, section: Section) -> bool {
        self.0 & section.bit() != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The sections in the set, in document order.
    pub fn iter(self) -> impl Iterator<Item = Section> {
        Section::ALL.into_iter().filter(move |s| self.contains(*s))
    }
}

/// A set of [`Scope`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Scopes(u8);

impl Scopes {
    pub const NONE: Scopes = Scopes(0);
    /// Every scope a `<policies>` document or fragment can have (not [`Scope::Resolver`]).
    pub const ALL: Scopes = Scopes::of(&[
        Scope::Global,
        Scope::Workspace,
        Scope::Product,
        Scope::Api,
        Scope::Operation,
        Scope::Fragment,
    ]);

    /// The set of the given scopes.
    pub const fn of(scopes: &[Scope]) -> Scopes {
        let mut bits = 0;
        let mut rest = scopes;
        while let [first, tail @ ..] = rest {
            bits |= first.bit();
            rest = tail;
        }
        Scopes(bits)
    }

    /// This set plus `other`.
    pub const fn with(self, other: Scopes) -> Scopes {
        Scopes(self.0 | other.0)
    }

    /// This set without `other`.
    pub const fn without(self, other: Scopes) -> Scopes {
        Scopes(self.0 & !other.0)
    }

    pub const fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The scopes in the set, broadest first.
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }
}

/// What an attribute or text value must look like (after `{{named values}}` are substituted;
/// a policy expression is checked separately through [`AttrDef::expr`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// Any text.
    String,
    /// `true` or `false`.
    Bool,
    /// A whole number within the inclusive bounds.
    Int { min: Option<i64>, max: Option<i64> },
    /// A decimal number (`0.8`, `1`).
    Number,
    /// A whole number of seconds within the inclusive bounds.
    Seconds { min: Option<i64>, max: Option<i64> },
    /// One of the listed words (case-sensitive, as the docs spell them).
    Enum(&'static [&'static str]),
    /// An absolute URL (`https://…`).
    Url,
    /// An HTTP method token (`GET`, `POST`, …).
    HttpMethod,
    /// An ISO 8601 date-time (`2014-08-25T00:00:00Z`).
    Iso8601,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// An HTTP status code (100–599).
    StatusCode,
}

/// One attribute of an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttrDef {
    pub name: &'static str,
    pub required: bool,
    pub ty: ValueType,
    /// The documented default, as written in the docs.
    pub default: Option<&'static str>,
    /// Whether a policy expression (`@(…)`, `@{…}`) is allowed as the value.
    pub expr: bool,
    pub doc: &'static str,
}

impl AttrDef {
    /// An optional attribute that accepts expressions (the docs' default).
    pub const fn opt(name: &'static str, ty: ValueType) -> AttrDef {
        AttrDef {
            name,
            required: false,
            ty,
            default: None,
            expr: true,
            doc: "",
        }
    }

    /// A required attribute that accepts expressions.
    pub const fn req(name: &'static str, ty: ValueType) -> AttrDef {
        AttrDef {
            required: true,
            ..AttrDef::opt(name, ty)
        }
    }

    /// The docs say "Policy expressions aren't allowed" for this attribute.
    pub const fn no_expr(self) -> AttrDef {
        AttrDef {
            expr: false,
            ..self
        }
    }

    /// With the documented default.
    pub const fn default(self, value: &'static str) -> AttrDef {
        AttrDef {
            default: Some(value),
            ..self
        }
    }

    /// With a one-line doc.
    pub const fn doc(self, doc: &'static str) -> AttrDef {
        AttrDef { doc, ..self }
    }
}

/// What an element may contain besides its declared attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    /// Nothing: `<forward-request />`.
    Empty,
    /// Text only (`<value>`, `<set-url>`); `expr` tells whether the text may be an expression.
    Text { expr: bool },
    /// Policy statements: any policy allowed in the enclosing section (`when`, `retry`, …).
    Policies,
    /// Only the declared [`ElementDef::children`].
    Elements,
    /// A message body (`set-body`, `publish-to-dapr`, `invoke-dapr-binding`'s `data`): the
    /// element's own text is one value (literal text, a policy expression, or a Liquid template
    /// with `template="liquid"`), and any elements inside it are **payload**: markup of the
    /// message that APIM sends on as data. Payload is opaque to the policy rules (its names,
    /// attributes, text and order are not checked; `<set-header>` in a body is not a policy), and
    /// APIM does not evaluate expressions inside it. `{{named values}}` are substituted in it
    /// (textually, before anything else), except in Liquid templates.
    Mixed,
    /// The root element of a document in a foreign format: `xsl:stylesheet` (XSLT) in
    /// `xsl-transform`, `cross-domain-policy` (Adobe's crossdomain.xml) in `cross-domain`. The
    /// element's own attributes and everything inside it follow that format's specification, so
    /// none of it is checked as policy. `expr` tells whether APIM evaluates policy expressions in
    /// it (the policy page's "Policy expressions" usage line). Declared `children` of such an
    /// element are completion hints only; the linter never checks them.
    Foreign { expr: bool },
}

impl Content {
    /// Content that is not policy markup: a message body's payload or a foreign document.
    pub const fn is_opaque(self) -> bool {
        matches!(self, Content::Mixed | Content::Foreign { .. })
    }
}

/// One allowed child element with its cardinality.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChildDef {
    pub element: &'static ElementDef,
    pub min: u16,
    /// `None` = unbounded.
    pub max: Option<u16>,
}

impl ChildDef {
    /// Exactly once.
    pub const fn one(element: &'static ElementDef) -> ChildDef {
        ChildDef {
            element,
            min: 1,
            max: Some(1),
        }
    }
    /// At most once.
    pub const fn opt(element: &'static ElementDef) -> ChildDef {
        ChildDef {
            element,
            min: 0,
            max: Some(1),
        }
    }
    /// Any number of times.
    pub const fn many(element: &'static ElementDef) -> ChildDef {
        ChildDef {
            element,
            min: 0,
            max: None,
        }
    }
    /// At least once.
    pub const fn some(element: &'static ElementDef) -> ChildDef {
        ChildDef {
            element,
            min: 1,
            max: None,
        }
    }
    /// Between `min` and `max` times.
    pub const fn range(element: &'static ElementDef, min: u16, max: u16) -> ChildDef {
        ChildDef {
            element,
            min,
            max: Some(max),
        }
    }
}

/// A constraint between attributes that the per-attribute `required` flag cannot say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrRule {
    /// Exactly one of these attributes must be present.
    ExactlyOne(&'static [&'static str]),
    /// At least one of these attributes must be present.
    AtLeastOne(&'static [&'static str]),
    /// At most one of these attributes may be present.
    AtMostOne(&'static [&'static str]),
    /// If the first attribute is present, the second must be too.
    Requires(&'static str, &'static str),
}

/// A requirement that depends on another attribute's presence or value (the docs' "No if
/// `mode=copy`; otherwise yes", "Must be set to \"dapr\"", "Mutually exclusive with …"), or
/// that spans several children. Checked by `missing-attribute` and `missing-child` (something
/// required is absent), `attribute-combination` (something forbidden is present) and
/// `too-many-children` (more than one of exclusive children).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `item` must be present when `when` holds.
    Required { item: Item, when: When },
    /// The attribute must be absent when `when` holds.
    Forbidden { attr: &'static str, when: When },
    /// Exactly one of these child elements must be present (each at most once).
    ExactlyOneChild(&'static [&'static str]),
    /// At least one of these child elements must be present.
    AtLeastOneChild(&'static [&'static str]),
}

impl Condition {
    /// The condition in words, for hover and messages: `` `<set-url>` is required unless `mode`
    /// is "copy" ``.
    pub fn describe(&self) -> String {
        let list = |names: &[&str]| {
            names
                .iter()
                .map(|n| format!("`<{n}>`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match *self {
            Condition::Required {
                item: Item::Attr(a),
                when,
            } => format!("`{a}` is required {}", when.describe()),
            Condition::Required {
                item: Item::Child(c),
                when,
            } => format!("`<{c}>` is required {}", when.describe()),
            Condition::Forbidden { attr, when } => {
                format!("`{attr}` is not supported {}", when.describe())
            }
            Condition::ExactlyOneChild(names) => format!("exactly one of {}", list(names)),
            Condition::AtLeastOneChild(names) => format!("at least one of {}", list(names)),
        }
    }

    /// Whether the element's conditions mention `name` (an attribute or child), for the docs
    /// comparison and hover.
    pub fn mentions(&self, name: &str) -> bool {
        match *self {
            Condition::Required { item, when } => {
                when.attribute() == name
                    || matches!(item, Item::Attr(n) | Item::Child(n) if n == name)
            }
            Condition::Forbidden { attr, when } => attr == name || when.attribute() == name,
            Condition::ExactlyOneChild(names) | Condition::AtLeastOneChild(names) => {
                names.contains(&name)
            }
        }
    }
}

/// An attribute's state in a document ([`AttrState`]) for a [`When`]: absent, a literal value,
/// or dynamic (an expression or a named value).
pub fn attr_state(value: Option<Option<String>>) -> AttrState {
    match value {
        None => AttrState::Absent,
        Some(Some(v)) => AttrState::Literal(v),
        Some(None) => AttrState::Dynamic,
    }
}

/// What a [`Condition`] is about: an attribute or a child element of the element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Attr(&'static str),
    Child(&'static str),
}

/// When a [`Condition`] applies, judged from one attribute of the element. An absent attribute
/// has its documented default; an attribute whose value is a policy expression or a named value
/// is unknown until run time, so the condition is not judged (no diagnostic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// The attribute's value is one of these (ASCII case-insensitive).
    Is(&'static str, &'static [&'static str]),
    /// The attribute's value is none of these.
    IsNot(&'static str, &'static [&'static str]),
    /// The attribute is present.
    Present(&'static str),
    /// The attribute is absent.
    Absent(&'static str),
}

/// An attribute of an element in a document, as a [`When`] sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttrState {
    Absent,
    /// A plain value (entities decoded).
    Literal(String),
    /// A policy expression or a named value: known only at run time.
    Dynamic,
}

impl When {
    /// The attribute the condition reads.
    pub const fn attribute(self) -> &'static str {
        match self {
            When::Is(a, _) | When::IsNot(a, _) | When::Present(a) | When::Absent(a) => a,
        }
    }

    /// Whether the condition holds for an element of `def` whose attributes `state` describes;
    /// `None` when that cannot be known before run time.
    pub fn holds(self, def: &ElementDef, state: impl Fn(&str) -> AttrState) -> Option<bool> {
        let name = self.attribute();
        let value = match state(name) {
            AttrState::Dynamic => return None,
            AttrState::Literal(v) => Some(v),
            AttrState::Absent => None,
        };
        let matches = |values: &[&str]| {
            let v = value
                .as_deref()
                .or_else(|| def.attribute(name).and_then(|a| a.default));
            v.is_some_and(|v| values.iter().any(|x| x.eq_ignore_ascii_case(v.trim())))
        };
        Some(match self {
            When::Is(_, values) => matches(values),
            When::IsNot(_, values) => !matches(values),
            When::Present(_) => value.is_some(),
            When::Absent(_) => value.is_none(),
        })
    }

    /// The condition in words, for messages: `` when `mode` is not "copy" ``.
    pub fn describe(self) -> String {
        let list = |values: &[&str]| {
            values
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        match self {
            When::Is(a, v) => format!("when `{a}` is {}", list(v)),
            When::IsNot(a, v) => format!("unless `{a}` is {}", list(v)),
            When::Present(a) => format!("when `{a}` is given"),
            When::Absent(a) => format!("when `{a}` is not given"),
        }
    }
}

/// An element: a policy, a child of a policy, a section or a document root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElementDef {
    pub name: &'static str,
    pub doc: &'static str,
    pub attributes: &'static [AttrDef],
    pub attr_rules: &'static [AttrRule],
    /// Requirements that depend on other attributes, or span several children.
    pub conditions: &'static [Condition],
    pub children: &'static [ChildDef],
    /// Whether `children` must appear in the listed order (the docs: "Set the policy's elements
    /// and child elements in the order provided in the policy statement").
    pub ordered: bool,
    pub content: Content,
}

impl ElementDef {
    /// An element with no attributes and no content; add to it with the `with_*` methods.
    pub const fn new(name: &'static str, doc: &'static str) -> ElementDef {
        ElementDef {
            name,
            doc,
            attributes: &[],
            attr_rules: &[],
            conditions: &[],
            children: &[],
            ordered: true,
            content: Content::Empty,
        }
    }

    pub const fn with_attrs(self, attributes: &'static [AttrDef]) -> ElementDef {
        ElementDef { attributes, ..self }
    }

    pub const fn with_rules(self, attr_rules: &'static [AttrRule]) -> ElementDef {
        ElementDef { attr_rules, ..self }
    }

    pub const fn with_conditions(self, conditions: &'static [Condition]) -> ElementDef {
        ElementDef { conditions, ..self }
    }

    /// Declared child elements (sets the content to [`Content::Elements`]).
    pub const fn with_children(self, children: &'static [ChildDef]) -> ElementDef {
        ElementDef {
            children,
            content: Content::Elements,
            ..self
        }
    }

    /// The declared children may come in any order.
    pub const fn unordered(self) -> ElementDef {
        ElementDef {
            ordered: false,
            ..self
        }
    }

    pub const fn with_content(self, content: Content) -> ElementDef {
        ElementDef { content, ..self }
    }

    /// The attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&AttrDef> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The child element called `name`.
    pub fn child(&self, name: &str) -> Option<&ChildDef> {
        self.children.iter().find(|c| c.element.name == name)
    }
}

/// Whether a policy is in Microsoft's public reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Documented,
    /// Declared in the VS Code extension's XSD but not in the public reference: do not offer it in
    /// completion; accept it with a warning.
    Undocumented,
    /// Documented but superseded (the docs point to a replacement).
    Deprecated,
}

/// A policy: an element that can stand in a section (or, for resolvers, be the document).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicyDef {
    pub element: ElementDef,
    /// The docs' category ("Transformation", "Caching", …).
    pub category: &'static str,
    pub sections: Sections,
    pub scopes: Scopes,
    pub status: Status,
    /// "This policy can only be used once in a policy section."
    pub once_per_section: bool,
    /// "Multiple statements per policy document: not supported."
    pub once_per_document: bool,
    pub doc_url: &'static str,
}

impl PolicyDef {
    pub const fn name(&self) -> &'static str {
        self.element.name
    }
}

/// Every policy, sorted by name.
pub fn policies() -> &'static [PolicyDef] {
    data::POLICIES
}

/// The policy whose element name is `name` (exact, case-sensitive: XML is).
pub fn policy(name: &str) -> Option<&'static PolicyDef> {
    let all = data::POLICIES;
    all.binary_search_by(|p| p.element.name.cmp(name))
        .ok()
        .and_then(|i| all.get(i))
}

/// The element of one of the four sections (its content is [`Content::Policies`]).
pub fn section(section: Section) -> &'static ElementDef {
    match section {
        Section::Inbound => &data::INBOUND,
        Section::Backend => &data::BACKEND,
        Section::Outbound => &data::OUTBOUND,
        Section::OnError => &data::ON_ERROR,
    }
}

/// A document root: `policies` (the four sections) or `fragment` (policy statements, no
/// sections, no `base`).
pub fn root(name: &str) -> Option<&'static ElementDef> {
    match name {
        "policies" => Some(&data::POLICIES_ROOT),
        "fragment" => Some(&data::FRAGMENT_ROOT),
        _ => None,
    }
}

/// The documented policy whose name is closest to `name`, for "did you mean …?". Undocumented
/// and deprecated policies are never suggested.
pub fn closest_policy(name: &str) -> Option<&'static str> {
    closest(
        name,
        data::POLICIES
            .iter()
            .filter(|p| p.status == Status::Documented)
            .map(|p| p.element.name),
    )
}

/// The candidate closest to `name` by edit distance, if it is close enough to be a plausible
/// typo: at most a third of the longer name's length (at least 1) and never `name` itself.
/// Ties go to the first candidate.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let limit = (name.chars().count().max(candidate.chars().count()) / 3).max(1);
        let d = edit_distance(name, candidate);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance (Levenshtein plus transpositions of neighbours), because a
/// swapped pair of letters (`invoke-darp-binding`) is the commonest typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rolling rows: two back (for transpositions), previous, current.
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(usize::MAX) + 1;
            let ins = cur.get(j).copied().unwrap_or(usize::MAX) + 1;
            let sub = prev.get(j).copied().unwrap_or(usize::MAX) + cost;
            let mut d = del.min(ins).min(sub);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca);
            if swapped {
                d = d.min(prev2.get(j - 1).copied().unwrap_or(usize::MAX) + 1);
            }
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = d;
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_transpositions_once() {
        assert_eq!(edit_distance("darp", "dapr"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn closest_respects_the_limit() {
        assert_eq!(
            closest("set-heder", ["set-header", "set-body"]),
            Some("set-header")
        );
        assert_eq!(closest("zzz", ["set-header", "set-body"]), None);
        assert_eq!(closest("set-body", ["set-body"]), None);
    }

    #[test]
    fn sections_and_scopes_round_trip_their_names() {
        for s in Section::ALL {
            assert_eq!(Section::from_name(s.name()), Some(s));
        }
        for s in Scope::ALL {
            assert_eq!(Scope::from_name(s.name()), Some(s));
        }
        assert_eq!(Section::from_name("onerror"), None);
        assert_eq!(Sections::ALL.iter().count(), 4);
        assert_eq!(
            Sections::of(&[Section::Outbound, Section::Inbound])
                .iter()
                .collect::<Vec<_>>(),
            vec![Section::Inbound, Section::Outbound]
        );
        assert!(!Scopes::ALL.contains(Scope::Resolver));
    }

    #[test]
    fn policies_are_sorted_and_unique_for_binary_search() {
        for pair in data::POLICIES.windows(2) {
            assert!(
                pair[0].element.name < pair[1].element.name,
                "{} / {}",
                pair[0].element.name,
                pair[1].element.name
            );
        }
        for p in policies() {
            assert_eq!(policy(p.name()).map(|q| q.name()), Some(p.name()));
        }
    }
}
