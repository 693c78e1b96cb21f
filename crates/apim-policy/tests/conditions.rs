//! Conditional requirements (`catalog::Condition`): an attribute or child required, or an
//! attribute forbidden, depending on another attribute's presence or value; and children that
//! exclude each other. Each one the catalog encodes from the docs is tested here both ways, plus
//! the cases a linter must not judge (an expression or named value decides at run time).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use apim_policy::catalog::{self, AttrState, Condition, Item, When};
use apim_policy::lint;

/// The (code, message) of every diagnostic of `inbound` put in an inbound section.
fn lint_inbound(inbound: &str) -> Vec<(&'static str, String)> {
    let source =
        format!("<policies>\n  <inbound>\n    <base />\n{inbound}\n  </inbound>\n</policies>");
    lint::lint(&source)
        .into_iter()
        .map(|d| (d.code, d.message))
        .collect()
}

fn codes(inbound: &str) -> Vec<&'static str> {
    lint_inbound(inbound).into_iter().map(|(c, _)| c).collect()
}

fn has(inbound: &str, code: &str, needle: &str) -> bool {
    lint_inbound(inbound)
        .iter()
        .any(|(c, m)| *c == code && m.contains(needle))
}

const MISSING_ATTRIBUTE: &str = "APIM0201";
const ATTRIBUTE_COMBINATION: &str = "APIM0205";
const MISSING_CHILD: &str = "APIM0301";
const TOO_MANY_CHILDREN: &str = "APIM0304";

#[test]
fn the_codes_are_the_rules_codes() {
    assert_eq!(lint::codes::MISSING_ATTRIBUTE, MISSING_ATTRIBUTE);
    assert_eq!(lint::codes::ATTRIBUTE_COMBINATION, ATTRIBUTE_COMBINATION);
    assert_eq!(lint::codes::MISSING_CHILD, MISSING_CHILD);
    assert_eq!(lint::codes::TOO_MANY_CHILDREN, TOO_MANY_CHILDREN);
}

// ---------------------------------------------------------------------------------------------
// send-request / send-one-way-request: set-url and set-method unless mode="copy"

#[test]
fn send_request_new_needs_set_url_and_set_method() {
    for policy in ["send-request", "send-one-way-request"] {
        let rv = if policy == "send-request" {
            " response-variable-name=\"r\""
        } else {
            ""
        };
        // Explicit mode="new", and the default mode (new).
        for mode in [" mode=\"new\"", ""] {
            let only_method =
                format!("<{policy}{mode}{rv}><set-method>GET</set-method></{policy}>");
            assert!(
                has(
                    &only_method,
                    MISSING_CHILD,
                    "needs a <set-url> element unless `mode` is \"copy\""
                ),
                "{only_method}: {:?}",
                lint_inbound(&only_method)
            );
            let only_url =
                format!("<{policy}{mode}{rv}><set-url>https://example.com</set-url></{policy}>");
            assert!(
                has(&only_url, MISSING_CHILD, "needs a <set-method> element"),
                "{only_url}"
            );
            let both = format!(
                "<{policy}{mode}{rv}><set-url>https://example.com</set-url><set-method>GET</set-method></{policy}>"
            );
            assert!(codes(&both).is_empty(), "{both}: {:?}", lint_inbound(&both));
        }
        // A copy takes the URL and method of the current request; so does any case of "copy".
        for mode in ["copy", "Copy"] {
            let copy = format!("<{policy} mode=\"{mode}\"{rv} />");
            assert!(!codes(&copy).contains(&MISSING_CHILD), "{copy}");
        }
        // An expression or a named value decides at run time: not judged.
        for mode in ["@(\"new\")", "{{send-mode}}"] {
            let dynamic = format!("<{policy} mode=\"{mode}\"{rv} />");
            assert!(!codes(&dynamic).contains(&MISSING_CHILD), "{dynamic}");
        }
    }
}

#[test]
fn the_missing_child_fix_adds_the_element() {
    let source = "<policies>\n  <inbound>\n    <send-request response-variable-name=\"r\"></send-request>\n  </inbound>\n</policies>";
    let d = lint::lint(source)
        .into_iter()
        .find(|d| d.code == MISSING_CHILD && d.message.contains("<set-url>"))
        .expect("missing set-url");
    let fix = d.fix.expect("a fix");
    assert_eq!(fix.edits[0].text, "<set-url></set-url>");
}

// ---------------------------------------------------------------------------------------------
// set-backend-service backend-id="dapr": dapr-app-id and dapr-method

#[test]
fn dapr_backend_needs_app_id_and_method() {
    let bare = "<set-backend-service backend-id=\"dapr\" />";
    assert!(has(
        bare,
        MISSING_ATTRIBUTE,
        "needs the attribute `dapr-app-id` when `backend-id` is \"dapr\""
    ));
    assert!(has(bare, MISSING_ATTRIBUTE, "`dapr-method`"));
    let complete =
        "<set-backend-service backend-id=\"dapr\" dapr-app-id=\"echo\" dapr-method=\"back\" />";
    assert!(codes(complete).is_empty(), "{:?}", lint_inbound(complete));
    for other in [
        "<set-backend-service backend-id=\"orders\" />",
        "<set-backend-service backend-id='@((string)context.Variables[\"b\"])' />",
        "<set-backend-service base-url=\"https://example.com\" />",
    ] {
        assert!(
            codes(other).is_empty(),
            "{other}: {:?}",
            lint_inbound(other)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// get-authorization-context identity-type="jwt": identity

#[test]
fn jwt_identity_type_needs_identity() {
    let base = "provider-id=\"github\" authorization-id=\"auth\" context-variable-name=\"ctx\"";
    let jwt = format!("<get-authorization-context {base} identity-type=\"jwt\" />");
    assert!(has(
        &jwt,
        MISSING_ATTRIBUTE,
        "`identity` when `identity-type` is \"jwt\""
    ));
    let with = format!(
        "<get-authorization-context {base} identity-type=\"jwt\" identity='@(context.Request.Headers.GetValueOrDefault(\"Authorization\",\"\"))' />"
    );
    assert!(codes(&with).is_empty(), "{with}: {:?}", lint_inbound(&with));
    for other in ["", " identity-type=\"managed\""] {
        let managed = format!("<get-authorization-context {base}{other} />");
        assert!(!codes(&managed).contains(&MISSING_ATTRIBUTE), "{managed}");
    }
}

// ---------------------------------------------------------------------------------------------
// set-query-parameter: a value unless exists-action="delete"

#[test]
fn set_query_parameter_needs_a_value_unless_deleting() {
    for action in [
        "",
        " exists-action=\"override\"",
        " exists-action=\"append\"",
    ] {
        let empty = format!("<set-query-parameter name=\"v\"{action} />");
        assert!(
            has(&empty, MISSING_CHILD, "needs a <value> element"),
            "{empty}"
        );
    }
    assert!(codes("<set-query-parameter name=\"v\" exists-action=\"delete\" />").is_empty());
    assert!(
        codes("<set-query-parameter name=\"v\"><value>1</value></set-query-parameter>").is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// validate-content content: no schema-ref with validate-as="xml" or "soap"

#[test]
fn schema_ref_is_not_supported_for_xml() {
    let content = |as_: &str| {
        format!(
            "<validate-content unspecified-content-type-action=\"prevent\" max-size=\"1024\" size-exceeded-action=\"prevent\">\n  <content type=\"application/xml\" validate-as=\"{as_}\" schema-id=\"s\" schema-ref=\"#/a\" action=\"prevent\" />\n</validate-content>"
        )
    };
    for as_ in ["xml", "soap"] {
        assert!(
            has(
                &content(as_),
                ATTRIBUTE_COMBINATION,
                "`schema-ref` of <content> is not supported when `validate-as` is"
            ),
            "{as_}: {:?}",
            lint_inbound(&content(as_))
        );
    }
    assert!(!codes(&content("json")).contains(&ATTRIBUTE_COMBINATION));
}

// ---------------------------------------------------------------------------------------------
// ip-filter: at least one address or address-range

#[test]
fn ip_filter_needs_an_address_or_a_range() {
    assert!(has(
        "<ip-filter action=\"allow\" />",
        MISSING_CHILD,
        "needs at least one of <address>, <address-range>"
    ));
    assert!(
        codes("<ip-filter action=\"allow\"><address>10.0.0.1</address></ip-filter>").is_empty()
    );
    assert!(
        codes("<ip-filter action=\"forbid\"><address-range from=\"10.0.0.1\" to=\"10.0.0.9\" /></ip-filter>")
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// cosmosdb-data-source: exactly one request; write-request type="replace" needs an id.
//
// The linter does not check resolver documents yet (a `<cosmosdb-data-source>` root is APIM0101,
// `lint/context.rs`), so these conditions are data the rules will apply once it does: check the
// data and its evaluation.

#[test]
fn cosmos_conditions_are_in_the_catalog() {
    let cosmos = &catalog::policy("cosmosdb-data-source").unwrap().element;
    assert!(cosmos.conditions.contains(&Condition::ExactlyOneChild(&[
        "query-request",
        "read-request",
        "delete-request",
        "write-request",
    ])));
    let write = cosmos.child("write-request").unwrap().element;
    let [
        Condition::Required {
            item: Item::Child("id"),
            when,
        },
    ] = write.conditions
    else {
        panic!("{:?}", write.conditions);
    };
    assert_eq!(
        when.holds(write, |_| AttrState::Literal("replace".into())),
        Some(true)
    );
    // The default type is upsert: no id needed.
    assert_eq!(when.holds(write, |_| AttrState::Absent), Some(false));
    assert_eq!(cosmos_lint_is_pending(), "APIM0101");
}

/// What the linter says of a resolver document today (see above); when this changes, lint the
/// cosmos conditions here.
fn cosmos_lint_is_pending() -> &'static str {
    lint::lint("<cosmosdb-data-source />")
        .first()
        .map(|d| d.code)
        .unwrap_or("none")
}

// ---------------------------------------------------------------------------------------------
// emit-metric dimension: a value unless the name is a default dimension

#[test]
fn emit_metric_dimension_needs_a_value_unless_default() {
    let metric =
        |dims: &str| format!("<emit-metric name=\"calls\" namespace=\"apim\">{dims}</emit-metric>");
    let custom = metric("<dimension name=\"Client IP\" />");
    assert!(
        has(
            &custom,
            MISSING_ATTRIBUTE,
            "<dimension> needs the attribute `value` unless `name` is \"API ID\""
        ),
        "{:?}",
        lint_inbound(&custom)
    );
    for ok in [
        "<dimension name=\"API ID\" />",
        "<dimension name=\"subscription id\" />",
        "<dimension name=\"Client IP\" value=\"@(context.Request.IpAddress)\" />",
        "<dimension name='@((string)context.Variables[\"d\"])' />",
    ] {
        let m = metric(ok);
        assert!(codes(&m).is_empty(), "{ok}: {:?}", lint_inbound(&m));
    }
}

// ---------------------------------------------------------------------------------------------
// The catalog lagged the docs

#[test]
fn quota_by_key_takes_increment_count() {
    let q = "<quota-by-key calls=\"100\" renewal-period=\"3600\" counter-key=\"@(context.Request.IpAddress)\" increment-count=\"@(2)\" />";
    let options = lint::LintOptions {
        scope: Some(catalog::Scope::Product),
        ..lint::LintOptions::default()
    };
    let source = format!("<policies>\n  <inbound>\n    <base />\n{q}\n  </inbound>\n</policies>");
    let found: Vec<_> = lint::lint_with(&source, &options)
        .into_iter()
        .map(|d| (d.code, d.message))
        .collect();
    assert!(found.is_empty(), "{found:?}");
}

// ---------------------------------------------------------------------------------------------
// When, on its own

#[test]
fn when_uses_the_default_and_skips_dynamic_values() {
    let send = catalog::policy("send-request").unwrap();
    let def = &send.element;
    let not_copy = When::IsNot("mode", &["copy"]);
    // Absent: the documented default ("new") decides.
    assert_eq!(not_copy.holds(def, |_| AttrState::Absent), Some(true));
    assert_eq!(
        not_copy.holds(def, |_| AttrState::Literal(" copy ".into())),
        Some(false)
    );
    assert_eq!(not_copy.holds(def, |_| AttrState::Dynamic), None);
    assert_eq!(
        When::Present("mode").holds(def, |_| AttrState::Literal(String::new())),
        Some(true)
    );
    assert_eq!(
        When::Absent("mode").holds(def, |_| AttrState::Absent),
        Some(true)
    );
    assert_eq!(
        When::Is("mode", &["copy"]).holds(def, |_| AttrState::Absent),
        Some(false)
    );
    assert_eq!(not_copy.describe(), "unless `mode` is \"copy\"");
}

#[test]
fn every_condition_names_declared_attributes_and_children() {
    fn walk(e: &catalog::ElementDef, path: &str, seen: &mut usize) {
        for c in e.conditions {
            *seen += 1;
            let when = match *c {
                Condition::Required { item, when } => {
                    match item {
                        Item::Attr(a) => {
                            assert!(e.attribute(a).is_some(), "{path}: no attribute {a}")
                        }
                        Item::Child(n) => assert!(e.child(n).is_some(), "{path}: no child {n}"),
                    }
                    Some(when)
                }
                Condition::Forbidden { attr, when } => {
                    assert!(e.attribute(attr).is_some(), "{path}: no attribute {attr}");
                    Some(when)
                }
                Condition::ExactlyOneChild(names) | Condition::AtLeastOneChild(names) => {
                    assert!(names.len() >= 2, "{path}");
                    for n in names {
                        assert!(e.child(n).is_some(), "{path}: no child {n}");
                    }
                    None
                }
            };
            if let Some(w) = when {
                assert!(
                    e.attribute(w.attribute()).is_some(),
                    "{path}: condition on undeclared attribute {}",
                    w.attribute()
                );
            }
        }
        for child in e.children {
            walk(
                child.element,
                &format!("{path}/{}", child.element.name),
                seen,
            );
        }
    }
    let mut seen = 0;
    for p in catalog::policies() {
        walk(&p.element, p.name(), &mut seen);
    }
    // send-request ×2, send-one-way-request ×2, set-backend-service ×2, set-query-parameter,
    // ip-filter, cosmosdb ×2, get-authorization-context, validate-content (also nested copies
    // of send-request etc. are not separate: statics are shared, but a walk visits each use).
    assert!(seen >= 13, "only {seen} conditions");
}
