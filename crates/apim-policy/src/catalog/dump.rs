//! The catalog as JSON, for `scripts/catalog-vs-docs.py`, which compares it with Microsoft
//! Learn's policy pages (`cargo run -q -p apim-policy --example catalog_json` prints it).
//!
//! Every policy with its sections, scopes, status, cardinality flags and Learn link, and its
//! element tree: attributes (required, type, allowed values, default, expressions), attribute
//! rules, conditional requirements and children (cardinality, recursively). The format is read
//! only by that script (and `tests/catalog_vs_docs.rs`).

use super::{
    AttrRule, ChildDef, Condition, Content, ElementDef, Item, Scope, Section, Status, ValueType,
    When,
};
use serde_json::{Value, json};

/// The catalog as pretty-printed JSON (see the module docs).
pub fn to_json() -> String {
    let policies: Vec<Value> = super::policies()
        .iter()
        .map(|p| {
            json!({
                "name": p.name(),
                "category": p.category,
                "status": match p.status {
                    Status::Documented => "documented",
                    Status::Undocumented => "undocumented",
                    Status::Deprecated => "deprecated",
                },
                "sections": p.sections.iter().map(Section::name).collect::<Vec<_>>(),
                "scopes": p.scopes.iter().map(Scope::name).collect::<Vec<_>>(),
                "once_per_section": p.once_per_section,
                "once_per_document": p.once_per_document,
                "doc_url": p.doc_url,
                "element": element(&p.element, 0),
            })
        })
        .collect();
    let out = json!({ "policies": policies });
    // A `Value` of strings, numbers and booleans always serializes.
    serde_json::to_string_pretty(&out).unwrap_or_default()
}

/// Deep enough for every catalog tree (the resolvers nest policies four levels down); the cap
/// only guards against a cycle the data cannot have.
const MAX_DEPTH: usize = 12;

fn element(e: &ElementDef, depth: usize) -> Value {
    let children: Vec<Value> = if depth < MAX_DEPTH {
        e.children.iter().map(|c| child(c, depth)).collect()
    } else {
        Vec::new()
    };
    json!({
        "name": e.name,
        "attributes": e.attributes.iter().map(|a| json!({
            "name": a.name,
            "required": a.required,
            "type": type_name(a.ty),
            "values": match a.ty { ValueType::Enum(v) => json!(v), _ => Value::Null },
            "default": a.default,
            "expr": a.expr,
        })).collect::<Vec<_>>(),
        "attr_rules": e.attr_rules.iter().map(attr_rule).collect::<Vec<_>>(),
        "conditions": e.conditions.iter().map(condition).collect::<Vec<_>>(),
        "content": match e.content {
            Content::Empty => "empty",
            Content::Text { expr: true } => "text",
            Content::Text { expr: false } => "literal-text",
            Content::Policies => "policies",
            Content::Elements => "elements",
            Content::Mixed => "mixed",
            Content::Foreign { .. } => "foreign",
        },
        "ordered": e.ordered,
        "children": children,
    })
}

fn child(c: &ChildDef, depth: usize) -> Value {
    json!({ "min": c.min, "max": c.max, "element": element(c.element, depth + 1) })
}

fn type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::String => "string",
        ValueType::Bool => "bool",
        ValueType::Int { .. } => "int",
        ValueType::Number => "number",
        ValueType::Seconds { .. } => "seconds",
        ValueType::Enum(_) => "enum",
        ValueType::Url => "url",
        ValueType::HttpMethod => "http-method",
        ValueType::Iso8601 => "iso8601",
        ValueType::IpAddress => "ip-address",
        ValueType::StatusCode => "status-code",
    }
}

fn attr_rule(r: &AttrRule) -> Value {
    match *r {
        AttrRule::ExactlyOne(n) => json!({ "kind": "exactly-one", "attributes": n }),
        AttrRule::AtLeastOne(n) => json!({ "kind": "at-least-one", "attributes": n }),
        AttrRule::AtMostOne(n) => json!({ "kind": "at-most-one", "attributes": n }),
        AttrRule::Requires(a, b) => json!({ "kind": "requires", "attributes": [a, b] }),
    }
}

fn condition(c: &Condition) -> Value {
    let item = |i: Item| match i {
        Item::Attr(n) => json!({ "attribute": n }),
        Item::Child(n) => json!({ "child": n }),
    };
    let when = |w: When| match w {
        When::Is(a, v) => json!({ "attribute": a, "is": v }),
        When::IsNot(a, v) => json!({ "attribute": a, "is-not": v }),
        When::Present(a) => json!({ "attribute": a, "present": true }),
        When::Absent(a) => json!({ "attribute": a, "present": false }),
    };
    match *c {
        Condition::Required { item: i, when: w } => {
            json!({ "kind": "required", "item": item(i), "when": when(w) })
        }
        Condition::Forbidden { attr, when: w } => {
            json!({ "kind": "forbidden", "item": { "attribute": attr }, "when": when(w) })
        }
        Condition::ExactlyOneChild(names) => {
            json!({ "kind": "exactly-one-child", "children": names })
        }
        Condition::AtLeastOneChild(names) => {
            json!({ "kind": "at-least-one-child", "children": names })
        }
    }
}
