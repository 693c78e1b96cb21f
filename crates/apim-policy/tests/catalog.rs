//! Tests of the policy catalog's data: its invariants, a cross-check against the VS Code
//! extension's XSDs (`fixtures/apim-xsd/`), and spot checks of facts from Microsoft's docs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::catalog::{
    self, AttrRule, Content, ElementDef, Scope, Scopes, Section, Sections, Status, ValueType,
};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

// ---------------------------------------------------------------------------------------------
// Invariants

#[test]
fn every_policy_is_complete() {
    let mut names = HashSet::new();
    for p in catalog::policies() {
        let name = p.name();
        assert!(names.insert(name), "duplicate policy {name}");
        assert!(!p.element.doc.is_empty(), "{name} has no doc");
        assert!(
            p.doc_url
                .starts_with("https://learn.microsoft.com/azure/api-management/"),
            "{name}: {}",
            p.doc_url
        );
        assert!(!p.category.is_empty(), "{name} has no category");
        assert!(!p.scopes.is_empty(), "{name} has no scope");
        // Resolver policies are whole documents of their own (`<http-data-source>` is the root),
        // so they are the one kind of policy that lives in no section.
        if p.scopes == Scopes::of(&[Scope::Resolver]) {
            assert!(
                p.sections.is_empty(),
                "{name}: resolver policies have no section"
            );
        } else {
            assert!(!p.sections.is_empty(), "{name} has no section");
        }
        if p.status == Status::Documented {
            assert!(
                p.doc_url.ends_with(&format!("/{name}-policy")) || name == "base",
                "{name}: {}",
                p.doc_url
            );
        }
        assert_eq!(catalog::policy(name).map(|q| q.name()), Some(name));
    }
    assert!(
        catalog::policies().len() >= 70,
        "only {} policies",
        catalog::policies().len()
    );
    assert!(catalog::policy("no-such-policy").is_none());
}

/// Walks every element reachable from the policies and the roots.
fn visit<'a>(e: &'a ElementDef, path: &str, f: &mut dyn FnMut(&str, &'a ElementDef)) {
    let path = if path.is_empty() {
        e.name.to_string()
    } else {
        format!("{path}/{}", e.name)
    };
    f(&path, e);
    for c in e.children {
        // Policies used as children (set-header in send-request) are checked at their own root.
        if catalog::policy(c.element.name).is_none() {
            visit(c.element, &path, f);
        }
    }
}

fn all_elements() -> Vec<(String, &'static ElementDef)> {
    let mut out = Vec::new();
    let mut f = |path: &str, e: &'static ElementDef| out.push((path.to_string(), e));
    for p in catalog::policies() {
        visit(&p.element, "", &mut f);
    }
    for r in ["policies", "fragment"] {
        visit(catalog::root(r).unwrap(), "", &mut f);
    }
    out
}

#[test]
fn every_element_is_well_formed() {
    for (path, e) in all_elements() {
        assert!(!e.doc.is_empty(), "{path} has no doc");
        let mut attrs = HashSet::new();
        for a in e.attributes {
            assert!(attrs.insert(a.name), "{path}@{} twice", a.name);
            if let ValueType::Enum(values) = a.ty {
                assert!(!values.is_empty(), "{path}@{}", a.name);
                if let Some(d) = a.default {
                    assert!(
                        values.contains(&d),
                        "{path}@{} default {d} not allowed",
                        a.name
                    );
                }
            }
        }
        let mut kids = HashSet::new();
        for c in e.children {
            assert!(
                kids.insert(c.element.name),
                "{path}/{} twice",
                c.element.name
            );
            assert!(
                c.max.is_none_or(|m| m >= c.min.max(1)),
                "{path}/{} bad cardinality",
                c.element.name
            );
        }
        // Declared children are checked (Elements) or, in a foreign document, completion
        // hints (cross-domain-policy's Adobe elements).
        if !e.children.is_empty() {
            assert!(
                matches!(e.content, Content::Elements | Content::Foreign { .. }),
                "{path}: children but content {:?}",
                e.content
            );
        }
        for rule in e.attr_rules {
            let names: Vec<&str> = match rule {
                AttrRule::ExactlyOne(n) | AttrRule::AtLeastOne(n) | AttrRule::AtMostOne(n) => {
                    n.to_vec()
                }
                AttrRule::Requires(a, b) => vec![a, b],
            };
            for n in names {
                assert!(
                    e.attribute(n).is_some(),
                    "{path}: rule names unknown attribute {n}"
                );
            }
        }
    }
}

#[test]
fn every_documented_policy_outside_resolvers_may_be_in_a_fragment_except_base() {
    for p in catalog::policies() {
        let in_fragment = p.scopes.contains(Scope::Fragment);
        let resolver_only = p.scopes == Scopes::of(&[Scope::Resolver]);
        assert_eq!(
            in_fragment,
            p.name() != "base" && !resolver_only,
            "{}",
            p.name()
        );
    }
}

#[test]
fn lookups_and_suggestions() {
    assert_eq!(catalog::closest_policy("set-heder"), Some("set-header"));
    assert_eq!(
        catalog::closest_policy("invoke-darp-binding"),
        Some("invoke-dapr-binding")
    );
    assert_eq!(
        catalog::closest_policy("authenticate-managed-identity"),
        Some("authentication-managed-identity")
    );
    // Undocumented policies are never suggested.
    assert_ne!(catalog::closest_policy("blok"), Some("block"));
    let jwt = &catalog::policy("validate-jwt").unwrap().element;
    assert_eq!(
        catalog::closest("header-nme", jwt.attributes.iter().map(|a| a.name)),
        Some("header-name")
    );
    assert_eq!(
        catalog::known_mistake("key-vault-configuration")
            .unwrap()
            .replacement,
        None
    );
    assert_eq!(
        catalog::known_mistake("publish-to-darp")
            .unwrap()
            .replacement,
        Some("publish-to-dapr")
    );
    assert_eq!(
        catalog::known_mistake("cache-value").map(|m| m.name),
        Some("cache-value")
    );
    assert!(catalog::known_mistake("set-header").is_none());
    assert_eq!(
        catalog::attribute_mistake("validate-status-code", "error-variable-name"),
        Some("errors-variable-name")
    );
    assert_eq!(catalog::section(Section::OnError).name, "on-error");
    assert_eq!(
        catalog::section(Section::Inbound).content,
        Content::Policies
    );
    assert!(
        catalog::root("fragment")
            .unwrap()
            .child("inbound")
            .is_none()
    );
    assert!(
        catalog::root("policies")
            .unwrap()
            .child("on-error")
            .is_some()
    );
    assert!(catalog::root("inbound").is_none());
    for name in [
        "authentication-token",
        "authentication-token-store",
        "block",
        "invoke-request",
        "set-request-metric-dimension-value",
        "graphql-data-source",
    ] {
        assert_eq!(
            catalog::policy(name).unwrap().status,
            Status::Undocumented,
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Spot checks: each fails if the data drifts from the docs page named in the message.

fn policy(name: &str) -> &'static catalog::PolicyDef {
    catalog::policy(name).unwrap_or_else(|| panic!("no policy {name}"))
}

fn attr(policy_name: &str, attr: &str) -> &'static catalog::AttrDef {
    policy(policy_name)
        .element
        .attribute(attr)
        .unwrap_or_else(|| panic!("no {policy_name}@{attr}"))
}

fn child_names(e: &ElementDef) -> Vec<&'static str> {
    e.children.iter().map(|c| c.element.name).collect()
}

#[test]
fn spot_checks_from_the_docs() {
    let with_fragment = |s: &[Scope]| Scopes::of(s).with(Scopes::of(&[Scope::Fragment]));

    // quota-policy.md: product scope only, once per policy document.
    assert_eq!(policy("quota").scopes, with_fragment(&[Scope::Product]));
    assert!(policy("quota").once_per_document);
    // rate-limit-policy.md: not at global scope; renewal-period at most 300, no expressions.
    assert!(!policy("rate-limit").scopes.contains(Scope::Global));
    let rp = attr("rate-limit", "renewal-period");
    assert_eq!(
        rp.ty,
        ValueType::Seconds {
            min: None,
            max: Some(300)
        }
    );
    assert!(!rp.expr && !attr("rate-limit", "calls").expr);
    // quota-by-key-policy.md: renewal-period at least 300 seconds.
    assert_eq!(
        attr("quota-by-key", "renewal-period").ty,
        ValueType::Seconds {
            min: Some(300),
            max: None
        }
    );
    // retry-policy.md: count 1–50.
    assert_eq!(
        attr("retry", "count").ty,
        ValueType::Int {
            min: Some(1),
            max: Some(50)
        }
    );
    assert_eq!(policy("retry").element.content, Content::Policies);
    // validate-jwt-policy.md: children in this order; exactly one token source.
    assert_eq!(
        child_names(&policy("validate-jwt").element),
        [
            "openid-config",
            "issuer-signing-keys",
            "decryption-keys",
            "audiences",
            "issuers",
            "required-claims"
        ]
    );
    assert!(policy("validate-jwt").element.ordered);
    assert!(
        policy("validate-jwt")
            .element
            .attr_rules
            .contains(&AttrRule::ExactlyOne(&[
                "header-name",
                "query-parameter-name",
                "token-value"
            ]))
    );
    assert_eq!(
        attr("validate-jwt", "failed-validation-httpcode").default,
        Some("401")
    );
    let claims = policy("validate-jwt")
        .element
        .child("required-claims")
        .unwrap()
        .element;
    let claim = claims.child("claim").unwrap().element;
    assert_eq!(child_names(claim), ["value"]);
    assert_eq!(claim.attribute("match").unwrap().default, Some("all"));
    // set-variable-policy.md: name takes no expression, value does.
    assert!(!attr("set-variable", "name").expr);
    assert!(attr("set-variable", "value").expr);
    // include-fragment / limit-concurrency / return-response: the documented deny-list.
    assert!(!attr("include-fragment", "fragment-id").expr);
    assert!(!attr("limit-concurrency", "max-count").expr);
    assert!(!attr("return-response", "response-variable-name").expr);
    assert!(attr("limit-concurrency", "key").expr);
    // forward-request-policy.md: backend only, once per document, timeout default 300.
    assert_eq!(policy("forward-request").sections, Sections::BACKEND);
    assert!(policy("forward-request").once_per_document);
    assert_eq!(attr("forward-request", "timeout").default, Some("300"));
    // rewrite-uri-policy.md: inbound only; copy-unmatched-params defaults to true (XSD says false).
    assert_eq!(policy("rewrite-uri").sections, Sections::INBOUND);
    assert_eq!(
        attr("rewrite-uri", "copy-unmatched-params").default,
        Some("true")
    );
    // Once per section: cors, cache-lookup, redirect-content-urls, jsonp, validate-parameters, validate-headers.
    for name in [
        "cors",
        "cache-lookup",
        "redirect-content-urls",
        "jsonp",
        "validate-parameters",
        "validate-headers",
    ] {
        assert!(policy(name).once_per_section, "{name}");
    }
    assert!(!policy("set-header").once_per_section);
    // set-status-policy.md: code required, reason optional (newer examples omit it).
    assert!(attr("set-status", "code").required);
    assert!(!attr("set-status", "reason").required);
    // base: every section, not in fragments, not a real page.
    assert_eq!(policy("base").sections, Sections::ALL);
    assert!(!policy("base").scopes.contains(Scope::Fragment));
    // choose-policy.md: when+ then otherwise?; when/otherwise hold policies.
    let choose = &policy("choose").element;
    assert_eq!(choose.content, Content::Elements);
    assert_eq!(
        (
            choose.child("when").unwrap().min,
            choose.child("when").unwrap().max
        ),
        (1, None)
    );
    assert_eq!(
        (
            choose.child("otherwise").unwrap().min,
            choose.child("otherwise").unwrap().max
        ),
        (0, Some(1))
    );
    assert_eq!(
        choose.child("when").unwrap().element.content,
        Content::Policies
    );
    assert!(
        choose
            .child("when")
            .unwrap()
            .element
            .attribute("condition")
            .unwrap()
            .required
    );
    // send-request-policy.md: children order; response-variable-name required; ignore-error no expression.
    assert_eq!(
        child_names(&policy("send-request").element),
        [
            "set-url",
            "set-method",
            "set-header",
            "set-body",
            "authentication-certificate",
            "authentication-managed-identity",
            "proxy"
        ]
    );
    assert!(attr("send-request", "response-variable-name").required);
    assert!(!attr("send-request", "ignore-error").expr);
    // set-header-policy.md: value* children, exists-action values.
    assert_eq!(
        attr("set-header", "exists-action").ty,
        ValueType::Enum(&["override", "skip", "append", "delete"])
    );
    let value = policy("set-header").element.child("value").unwrap();
    assert_eq!(
        (value.min, value.max, value.element.content),
        (0, None, Content::Text { expr: true })
    );
    // cors-policy.md: allowed-origins/origin required.
    let origins = policy("cors").element.child("allowed-origins").unwrap();
    assert_eq!(origins.min, 1);
    assert_eq!(origins.element.child("origin").unwrap().min, 1);
    // ip-filter-policy.md: address and address-range(from, to).
    let range = policy("ip-filter")
        .element
        .child("address-range")
        .unwrap()
        .element;
    assert!(range.attribute("from").unwrap().required && range.attribute("to").unwrap().required);
    // validate-content-policy.md: content-type-map/type, max-size ≤ 4 MB, errors-variable-name literal.
    assert!(!attr("validate-content", "errors-variable-name").expr);
    let map = policy("validate-content")
        .element
        .child("content-type-map")
        .unwrap()
        .element;
    assert!(
        map.child("type")
            .unwrap()
            .element
            .attribute("to")
            .unwrap()
            .required
    );
    assert_eq!(
        attr("validate-content", "max-size").ty,
        ValueType::Int {
            min: Some(0),
            max: Some(4_194_304)
        }
    );
    // trace-policy.md: message then metadata. Its usage omits on-error, but the error-handling
    // page lists trace among on-error's policies and real policies trace errors there.
    assert_eq!(
        child_names(&policy("trace").element),
        ["message", "metadata"]
    );
    assert!(policy("trace").sections.contains(Section::OnError));
    // cross-domain-policy.md: global only; wait-policy.md: not in on-error.
    assert_eq!(
        policy("cross-domain").scopes,
        with_fragment(&[Scope::Global])
    );
    assert!(!policy("wait").sections.contains(Section::OnError));
    // validate-odata-request-policy.md: no operation scope.
    assert!(
        !policy("validate-odata-request")
            .scopes
            .contains(Scope::Operation)
    );
    // llm-token-limit-policy.md: token-quota-period values, token-quota no expression.
    assert_eq!(
        attr("llm-token-limit", "token-quota-period").ty,
        ValueType::Enum(&["Hourly", "Daily", "Weekly", "Monthly", "Yearly"])
    );
    assert!(!attr("llm-token-limit", "token-quota").expr);
    // send-service-bus-message-policy.md: payload required, queue-name xor topic-name.
    assert_eq!(
        policy("send-service-bus-message")
            .element
            .child("payload")
            .unwrap()
            .min,
        1
    );
    // xsl-transform-policy.md: inbound and outbound, the stylesheet is XSLT ("all elements and
    // attributes defined within follow the standard XSLT specification").
    assert_eq!(
        policy("xsl-transform").sections,
        Sections::of(&[Section::Inbound, Section::Outbound])
    );
    let sheet = policy("xsl-transform")
        .element
        .child("xsl:stylesheet")
        .unwrap();
    assert_eq!(
        (sheet.min, sheet.element.content),
        (1, Content::Foreign { expr: false })
    );
    // cross-domain-policy.md: "Child elements must conform to the Adobe cross-domain policy
    // file specification"; "Policy expressions: supported".
    let adobe = policy("cross-domain")
        .element
        .child("cross-domain-policy")
        .unwrap();
    assert_eq!(adobe.element.content, Content::Foreign { expr: true });
    // set-body-policy.md: text, an expression or a Liquid template; markup in it is payload.
    assert_eq!(policy("set-body").element.content, Content::Mixed);
    // http-data-source-policy.md: a resolver, no section.
    assert_eq!(
        policy("http-data-source").scopes,
        Scopes::of(&[Scope::Resolver])
    );
    // authentication-managed-identity-policy.md: client-id takes no expression.
    assert!(!attr("authentication-managed-identity", "client-id").expr);
    assert!(attr("authentication-managed-identity", "resource").required);
}

// ---------------------------------------------------------------------------------------------
// Cross-check against the XSDs

/// What the XSDs declare that the catalog deliberately does not have, each with the reason.
/// Paths are element names from a global XSD element; `@a` an attribute, `@a=v` an enum value.
/// The test fails if one of these stops being a deviation, so the list stays honest.
const DEVIATIONS: &[(&str, &str)] = &[
    // --- XSD-CHECK.md: declared in the XSD, not in the public reference.
    (
        "rate-limit-by-key@increment-after-response",
        "XSD only; not on rate-limit-by-key-policy.md",
    ),
    (
        "rate-limit-by-key@flexible-retry-window",
        "XSD only; not on rate-limit-by-key-policy.md",
    ),
    (
        "llm-token-limit@token-quota-period=Indefinite",
        "docs: Hourly|Daily|Weekly|Monthly|Yearly only",
    ),
    (
        "azure-openai-token-limit@token-quota-period=Indefinite",
        "docs: Hourly|Daily|Weekly|Monthly|Yearly only",
    ),
    // --- Structure: the XSD declares it as a global element, the catalog as a child.
    (
        "set-url",
        "not a policy: a child of send-request, send-one-way-request and the resolvers",
    ),
    // --- Attributes on no stored docs page (the docs win; the XSD may know preview features).
    (
        "azure-openai-emit-token-metric@name",
        "page (07/09/2024) has namespace and value only",
    ),
    (
        "azure-openai-emit-token-metric@value-type",
        "page (07/09/2024) has namespace and value only",
    ),
    (
        "azure-openai-emit-token-metric@ignore-prompt",
        "page (07/09/2024) has namespace and value only",
    ),
    ("llm-emit-token-metric@name", "page has namespace only"),
    (
        "llm-emit-token-metric@value-type",
        "page has namespace only",
    ),
    (
        "llm-emit-token-metric@ignore-prompt",
        "page has namespace only",
    ),
    (
        "azure-openai-semantic-cache-lookup@cache-id",
        "not on the page (05/08/2024)",
    ),
    (
        "azure-openai-semantic-cache-lookup@embeddings-backend-auth=header",
        "docs: must be system-assigned",
    ),
    (
        "llm-semantic-cache-lookup@cache-id",
        "not on the page (12/13/2024)",
    ),
    (
        "llm-semantic-cache-lookup@embeddings-backend-auth=header",
        "docs: must be system-assigned",
    ),
    (
        "azure-openai-token-limit@prompt-type",
        "not on the page (02/18/2025)",
    ),
    (
        "azure-openai-token-limit@ignore-prompt",
        "not on the page (02/18/2025)",
    ),
    (
        "llm-token-limit@prompt-type",
        "not on the page (10/09/2024)",
    ),
    (
        "llm-token-limit@ignore-prompt",
        "not on the page (10/09/2024)",
    ),
    ("cache-store@caching-mode", "not on cache-store-policy.md"),
    (
        "emit-metric@default-dimensions",
        "not on emit-metric-policy.md",
    ),
    (
        "json-to-xml@attribute-prefix",
        "not on json-to-xml-policy.md (03/18/2024)",
    ),
    (
        "json-to-xml@empty-values",
        "not on json-to-xml-policy.md (03/18/2024)",
    ),
    (
        "json-to-xml@invalid-character-replacement",
        "not on json-to-xml-policy.md (03/18/2024)",
    ),
    (
        "json-to-xml@namespace-block-name",
        "not on json-to-xml-policy.md (03/18/2024)",
    ),
    (
        "json-to-xml@null-values",
        "not on json-to-xml-policy.md (03/18/2024)",
    ),
    (
        "json-to-xml@trim-values",
        "not on json-to-xml-policy.md (03/18/2024)",
    ),
    (
        "xml-to-json@empty-values",
        "not on xml-to-json-policy.md (09/06/2024)",
    ),
    (
        "xml-to-json@preserve-whitespace-nodes",
        "not on xml-to-json-policy.md (09/06/2024)",
    ),
    (
        "xml-to-json@trim-values",
        "not on xml-to-json-policy.md (09/06/2024)",
    ),
    ("mock-response@enabled", "not on mock-response-policy.md"),
    ("mock-response@index", "not on mock-response-policy.md"),
    (
        "send-request@buffer-response",
        "not on send-request-policy.md (forward-request has it)",
    ),
    (
        "send-request@fail-on-error-status-code",
        "not on send-request-policy.md (forward-request has it)",
    ),
    (
        "send-request@timeout-ms",
        "not on send-request-policy.md (forward-request has it)",
    ),
    (
        "set-body@html-decode-expression",
        "not on set-body-policy.md (01/13/2023)",
    ),
    (
        "set-body@parse-date",
        "not on set-body-policy.md (01/13/2023)",
    ),
    (
        "validate-azure-ad-token@allow-proof-of-possession-tokens",
        "not on validate-azure-ad-token-policy.md",
    ),
    (
        "validate-azure-ad-token@allow-protected-forwarded-tokens",
        "not on validate-azure-ad-token-policy.md",
    ),
    (
        "validate-azure-ad-token@authentication-endpoint",
        "not on validate-azure-ad-token-policy.md",
    ),
    (
        "validate-azure-ad-token@require-scheme",
        "not on validate-azure-ad-token-policy.md (validate-jwt has it)",
    ),
    (
        "validate-graphql-request@max-complexity",
        "not on validate-graphql-request-policy.md (12/02/2022)",
    ),
    (
        "validate-graphql-request@max-total-depth",
        "not on validate-graphql-request-policy.md (12/02/2022)",
    ),
    (
        "validate-jwt/openid-config@host",
        "docs: openid-config has url only",
    ),
    (
        "cosmosdb-data-source/query-request/parameters/parameter@type",
        "docs: parameter has name only",
    ),
    // The XSD gives rate-limit's api/operation targets every attribute of rate-limit itself; the
    // docs give them name, id, calls and renewal-period.
    (
        "rate-limit/api@remaining-calls-header-name",
        "docs: not on api targets",
    ),
    (
        "rate-limit/api@remaining-calls-variable-name",
        "docs: not on api targets",
    ),
    (
        "rate-limit/api@retry-after-header-name",
        "docs: not on api targets",
    ),
    (
        "rate-limit/api@retry-after-variable-name",
        "docs: not on api targets",
    ),
    (
        "rate-limit/api@total-calls-header-name",
        "docs: not on api targets",
    ),
    (
        "rate-limit/api/operation@remaining-calls-header-name",
        "docs: not on operation targets",
    ),
    (
        "rate-limit/api/operation@remaining-calls-variable-name",
        "docs: not on operation targets",
    ),
    (
        "rate-limit/api/operation@retry-after-header-name",
        "docs: not on operation targets",
    ),
    (
        "rate-limit/api/operation@retry-after-variable-name",
        "docs: not on operation targets",
    ),
    (
        "rate-limit/api/operation@total-calls-header-name",
        "docs: not on operation targets",
    ),
    // --- Child elements on no stored docs page.
    (
        "rate-limit/operation",
        "docs: operation targets are nested in api",
    ),
    (
        "cosmosdb-data-source/response/include-fragment",
        "docs: response has set-body and publish-event",
    ),
    (
        "http-data-source/http-response/json-to-xml",
        "docs: http-response lists no json-to-xml",
    ),
    (
        "send-request/authentication-token",
        "undocumented element; docs list the children of send-request",
    ),
    (
        "send-request/authentication-token-store",
        "undocumented element; docs list the children of send-request",
    ),
    (
        "send-one-way-request/authentication-token",
        "undocumented element",
    ),
    (
        "send-one-way-request/authentication-token-store",
        "undocumented element",
    ),
    (
        "validate-jwt/issuer-signing-tokens",
        "not on validate-jwt-policy.md",
    ),
    (
        "validate-jwt/issuer-signing-keys/zumo-master-key",
        "not on validate-jwt-policy.md (Mobile Apps key)",
    ),
    // wait-policy.md: "only send-request, cache-lookup-value and choose" as immediate children.
    (
        "wait/authentication-managed-identity",
        "docs: not allowed as a child of wait",
    ),
    (
        "wait/authentication-token",
        "docs: not allowed as a child of wait",
    ),
    (
        "wait/cache-store-value",
        "docs: not allowed as a child of wait",
    ),
    (
        "wait/forward-request",
        "docs: not allowed as a child of wait",
    ),
];

/// A deviation covers its own fact and everything below it (`a@b` covers `a@b=v`, `a/b` covers
/// `a/b@c` and `a/b/c`).
fn deviation_covers(deviation: &str, fact: &str) -> bool {
    fact.strip_prefix(deviation).is_some_and(|rest| {
        rest.is_empty() || rest.starts_with('@') || rest.starts_with('/') || rest.starts_with('=')
    })
}

#[derive(Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn kids<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children.iter().filter(move |c| c.name == name)
    }
}

fn node(e: &BytesStart<'_>) -> Node {
    let name = e.name().as_ref().trim_start_matches("xs:").to_string();
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.unwrap();
            (
                a.key.as_ref().to_string(),
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned(),
            )
        })
        .collect();
    Node {
        name,
        attrs,
        children: Vec::new(),
    }
}

fn parse_xsd(text: &str) -> Node {
    let mut reader = Reader::from_str(text.trim_start_matches('\u{feff}'));
    let mut stack = vec![Node::default()];
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => stack.push(node(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(node(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    stack.pop().unwrap().children.pop().unwrap()
}

struct Schema {
    elements: BTreeMap<String, Node>,
    complex: BTreeMap<String, Node>,
    simple: BTreeMap<String, Node>,
}

fn load_schema() -> Schema {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apim-xsd");
    let mut schema = Schema {
        elements: BTreeMap::new(),
        complex: BTreeMap::new(),
        simple: BTreeMap::new(),
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "xsd"))
    {
        let root = parse_xsd(&std::fs::read_to_string(file).unwrap());
        for top in root.children {
            let Some(name) = top.attr("name").map(str::to_string) else {
                continue;
            };
            let table = match top.name.as_str() {
                "element" => &mut schema.elements,
                "complexType" => &mut schema.complex,
                "simpleType" => &mut schema.simple,
                _ => continue,
            };
            table.insert(name, top);
        }
    }
    schema
}

/// Everything the XSDs declare, as `path`, `path@attr` and `path@attr=value` facts.
fn xsd_facts(schema: &Schema) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    for el in schema.elements.values() {
        walk_element(schema, el, "", true, &mut facts);
    }
    facts
}

fn walk_element(
    schema: &Schema,
    el: &Node,
    parent: &str,
    global: bool,
    facts: &mut BTreeSet<String>,
) {
    let name = el.attr("name").unwrap();
    let path = if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    };
    facts.insert(path.clone());
    let inline = el.kids("complexType").next();
    match (el.attr("type"), inline) {
        (Some(t), _) if schema.complex.contains_key(t) => {
            walk_complex(schema, &schema.complex[t], &path, facts)
        }
        (_, Some(ct)) => walk_complex(schema, ct, &path, facts),
        // A child without a type that names a global element refers to that element (a policy
        // inside send-request, say); it is checked at its own root.
        (None, None) if !global && schema.elements.contains_key(name) => {}
        _ => {}
    }
}

fn walk_complex(schema: &Schema, ct: &Node, path: &str, facts: &mut BTreeSet<String>) {
    for c in &ct.children {
        match c.name.as_str() {
            "attribute" => walk_attribute(schema, c, path, facts),
            "sequence" | "choice" | "all" => walk_particle(schema, c, path, facts),
            "simpleContent" | "complexContent" => {
                for ext in &c.children {
                    if let Some(base) = ext.attr("base").and_then(|b| schema.complex.get(b)) {
                        walk_complex(schema, base, path, facts);
                    }
                    walk_complex(schema, ext, path, facts);
                }
            }
            _ => {}
        }
    }
}

fn walk_particle(schema: &Schema, p: &Node, path: &str, facts: &mut BTreeSet<String>) {
    for c in &p.children {
        match c.name.as_str() {
            "element" => walk_element(schema, c, path, false, facts),
            "sequence" | "choice" | "all" => walk_particle(schema, c, path, facts),
            _ => {}
        }
    }
}

fn walk_attribute(schema: &Schema, a: &Node, path: &str, facts: &mut BTreeSet<String>) {
    let name = a.attr("name").unwrap();
    facts.insert(format!("{path}@{name}"));
    let mut values = Vec::new();
    if let Some(t) = a.attr("type").and_then(|t| schema.simple.get(t)) {
        enum_values(schema, t, &mut values);
    }
    for st in a.kids("simpleType") {
        enum_values(schema, st, &mut values);
    }
    for v in values {
        facts.insert(format!("{path}@{name}={v}"));
    }
}

fn enum_values(schema: &Schema, st: &Node, out: &mut Vec<String>) {
    for c in &st.children {
        match c.name.as_str() {
            "restriction" => out.extend(
                c.kids("enumeration")
                    .filter_map(|e| e.attr("value"))
                    .map(str::to_string),
            ),
            "union" => {
                for member in c.attr("memberTypes").unwrap_or("").split_whitespace() {
                    if let Some(m) = schema.simple.get(member) {
                        enum_values(schema, m, out);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The catalog element at a slash-separated path from a policy or a root.
fn catalog_element(path: &str) -> Option<&'static ElementDef> {
    let mut parts = path.split('/');
    let first = parts.next()?;
    let mut el: &'static ElementDef = match catalog::policy(first) {
        Some(p) => &p.element,
        None => catalog::root(first)?,
    };
    for part in parts {
        el = match el.child(part) {
            Some(c) => c.element,
            // Inside a section (or when/otherwise) any policy may stand.
            None if el.content == Content::Policies => &catalog::policy(part)?.element,
            None => return None,
        };
    }
    Some(el)
}

fn catalog_has(fact: &str) -> bool {
    let (path, attr) = match fact.split_once('@') {
        Some((p, a)) => (p, Some(a)),
        None => (fact, None),
    };
    let Some(el) = catalog_element(path) else {
        return false;
    };
    let Some(attr) = attr else { return true };
    let (attr, value) = match attr.split_once('=') {
        Some((a, v)) => (a, Some(v)),
        None => (attr, None),
    };
    let Some(def) = el.attribute(attr) else {
        return false;
    };
    match (value, def.ty) {
        (None, _) => true,
        (Some(v), ValueType::Enum(values)) => values.contains(&v),
        (Some(v), ValueType::Bool) => v == "true" || v == "false",
        (Some(_), _) => false,
    }
}

#[test]
fn every_xsd_declaration_is_in_the_catalog_or_a_listed_deviation() {
    let schema = load_schema();
    let facts = xsd_facts(&schema);
    assert!(
        facts.len() > 500,
        "the XSD walk found only {} facts",
        facts.len()
    );
    let deviations: BTreeSet<&str> = DEVIATIONS.iter().map(|(d, _)| *d).collect();
    assert_eq!(
        deviations.len(),
        DEVIATIONS.len(),
        "a deviation is listed twice"
    );
    let missing: Vec<&String> = facts
        .iter()
        .filter(|f| !catalog_has(f) && !deviations.iter().any(|d| deviation_covers(d, f)))
        .collect();
    assert!(
        missing.is_empty(),
        "in the XSD but not in the catalog (add it, or list it in DEVIATIONS with why):\n{}",
        missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let stale: Vec<&&str> = deviations
        .iter()
        .filter(|d| {
            !facts
                .iter()
                .any(|f| deviation_covers(d, f) && !catalog_has(f))
        })
        .collect();
    assert!(
        stale.is_empty(),
        "listed as deviations but not (or no longer) deviating: {stale:?}"
    );
}

#[test]
fn the_xsd_walk_sees_nested_declarations() {
    let facts = xsd_facts(&load_schema());
    for f in [
        "validate-jwt/required-claims/claim/value",
        "validate-jwt/issuer-signing-keys/key@certificate-id",
        "cors/allowed-origins/origin",
        "rate-limit/api/operation@renewal-period",
        "validate-content/content-type-map/type@to",
        "set-header@exists-action=append",
        "policies/on-error/base",
    ] {
        assert!(facts.contains(f), "{f}");
    }
}
