//! APIM0203 `invalid-value`: an attribute value of the wrong type (enum, int, bool, seconds,
//! URL, …).
//!
//! Policy expressions are checked at run time, not here. `{{named values}}` are accepted
//! wherever APIM accepts them (everywhere): when the scenario gives a plain value, it is
//! substituted and the result checked; otherwise the value is not checked.

use crate::catalog::{AttrDef, ValueType};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity, Span};
use crate::lint::registry::{Example, Rule, RuleDoc};
use crate::lint::{Ctx, codes};
use crate::syntax::{Attribute, Segment};
use std::borrow::Cow;

pub static RULE: Rule = Rule {
    code: codes::INVALID_VALUE,
    name: "invalid-value",
    severity: Severity::Error,
    summary: "An attribute value is not of the type the policy expects.",
    fix_safe: true,
    run: Some(run),
};

pub static DOC: RuleDoc = RuleDoc {
    code: codes::INVALID_VALUE,
    explanation: "Typed attributes are checked when APIM loads the policy: enumerations (`exists-action` is \
`override`, `skip`, `append` or `delete`), whole numbers with ranges (`retry` `count` 1–50, `rate-limit` \
`renewal-period` at most 300 seconds), booleans (`true`/`false`), absolute URLs, IP addresses, status codes. \
A policy expression is evaluated at run time instead, and a `{{named value}}` is accepted (the playground \
checks its value when the scenario declares it).",
    bad: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"replace\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
    good: Example::new(
        "<policies>\n  <inbound>\n    <base />\n    <set-header name=\"x-env\" exists-action=\"override\">\n      <value>test</value>\n    </set-header>\n  </inbound>\n</policies>",
    ),
};

fn run(cx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for (_, e, def) in cx.defined_elements() {
        for a in &e.attributes {
            let Some(ad) = def.attribute(&a.name) else {
                continue;
            };
            if a.value.has_expression() {
                continue;
            }
            let Some(value) = literal_value(cx, a) else {
                continue;
            };
            if let Some(d) = check_value(&e.name, a, ad, &value) {
                found.push(d);
            }
        }
    }
    for d in found {
        cx.report(d);
    }
}

/// The value with declared plain named values substituted; `None` when it cannot be known.
/// A value of literals only (most) is borrowed, not copied.
fn literal_value<'v>(cx: &Ctx<'_>, a: &'v Attribute) -> Option<Cow<'v, str>> {
    if let Some(text) = a.value.as_literal() {
        return Some(text);
    }
    let mut out = String::new();
    for seg in &a.value.segments {
        match seg {
            Segment::Literal { text, .. } => out.push_str(text),
            Segment::NamedValue(nv) => {
                out.push_str(cx.options.named_value(&nv.name)?.value.as_deref()?)
            }
            Segment::Expression(_) => return None,
        }
    }
    Some(Cow::Owned(out))
}

fn check_value(element: &str, a: &Attribute, def: &AttrDef, value: &str) -> Option<Diagnostic> {
    let span = if a.value.span.is_empty() {
        a.name_span
    } else {
        a.value.span
    };
    let from_named_value = a
        .value
        .segments
        .iter()
        .any(|s| matches!(s, Segment::NamedValue(_)));
    let error = |message: String, help: String| {
        let help = if from_named_value {
            format!("{help} (The value comes from a named value.)")
        } else {
            help
        };
        Some(Diagnostic::error(codes::INVALID_VALUE, span, message).with_help(help))
    };
    let name = &a.name;
    let v = value.trim();
    match def.ty {
        ValueType::String => None,
        ValueType::Bool => {
            if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") {
                None
            } else {
                error(
                    format!("`{name}` must be true or false, not \"{value}\""),
                    "Write true or false.".into(),
                )
            }
        }
        ValueType::Int { min, max } => {
            int_check(name, v, min, max, "", element).map(|d| Diagnostic { span, ..d })
        }
        ValueType::Seconds { min, max } => {
            int_check(name, v, min, max, " seconds", element).map(|d| Diagnostic { span, ..d })
        }
        // What `v.parse::<f64>()` gives a finite number for, without linking std's float
        // parser into the web app.
        ValueType::Number => match apim_expr::number::is_finite_float(v) {
            true => None,
            false => error(
                format!("`{name}` must be a number, not \"{value}\""),
                "Write a decimal number such as 1 or 0.5.".into(),
            ),
        },
        ValueType::StatusCode => match v.parse::<u16>() {
            Ok(100..=599) => None,
            _ => error(
                format!("`{name}` must be an HTTP status code (100–599), not \"{value}\""),
                "Write a status code such as 200 or 429.".into(),
            ),
        },
        ValueType::Enum(options) => {
            if options.contains(&v) {
                return None;
            }
            if let Some(canonical) = options.iter().find(|o| o.eq_ignore_ascii_case(v)) {
                return Some(
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        Severity::Warning,
                        span,
                        format!("`{name}` is documented as \"{canonical}\", not \"{value}\""),
                    )
                    .with_help(format!(
                        "APIM documents the values {}; write them as documented.",
                        options.join(", ")
                    ))
                    .with_fix(replace(span, canonical)),
                );
            }
            let mut d = Diagnostic::error(
                codes::INVALID_VALUE,
                span,
                format!(
                    "`{name}` must be one of {}; \"{value}\" is not allowed",
                    options.join(", ")
                ),
            );
            match crate::catalog::closest(v, options.iter().copied()) {
                Some(s) if !from_named_value => {
                    d = d
                        .with_help(format!("Did you mean \"{s}\"?"))
                        .with_fix(replace(span, s))
                }
                _ => d = d.with_help(format!("Allowed values: {}.", options.join(", "))),
            }
            Some(d)
        }
        ValueType::Url => {
            if is_absolute_url(v) {
                None
            } else {
                error(
                    format!("`{name}` must be an absolute URL, not \"{value}\""),
                    "Write the URL with its scheme and host, e.g. https://backend.contoso.com/api."
                        .into(),
                )
            }
        }
        ValueType::HttpMethod => {
            if !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-') {
                None
            } else {
                error(
                    format!("`{name}` must be an HTTP method, not \"{value}\""),
                    "Write a method such as GET or POST.".into(),
                )
            }
        }
        ValueType::IpAddress => match v.parse::<std::net::IpAddr>() {
            Ok(_) => None,
            Err(_) => error(
                format!("`{name}` must be an IP address, not \"{value}\""),
                "Write an IPv4 or IPv6 address such as 203.0.113.7.".into(),
            ),
        },
        ValueType::Iso8601 => {
            if crate::time::parse_rfc3339(v).is_some() || crate::time::parse_date(v).is_some() {
                None
            } else {
                error(
                    format!("`{name}` must be an ISO 8601 date-time, not \"{value}\""),
                    "Write it like 2026-01-01T00:00:00Z.".into(),
                )
            }
        }
    }
}

fn int_check(
    name: &str,
    v: &str,
    min: Option<i64>,
    max: Option<i64>,
    unit: &str,
    element: &str,
) -> Option<Diagnostic> {
    let Ok(n) = v.parse::<i64>() else {
        return Some(
            Diagnostic::error(codes::INVALID_VALUE, Span::default(), format!("`{name}` must be a whole number{unit}, not \"{v}\""))
                .with_help("Write digits only, or a policy expression / {{named value}} where the policy allows it."),
        );
    };
    // `quota` and `quota-by-key`: a renewal period of 0 means "never renews".
    if n == 0 && name == "renewal-period" && element.starts_with("quota") {
        return None;
    }
    let below = min.is_some_and(|m| n < m);
    let above = max.is_some_and(|m| n > m);
    if !below && !above {
        return None;
    }
    let range = match (min, max) {
        (Some(a), Some(b)) => format!("between {a} and {b}{unit}"),
        (Some(a), None) => format!("at least {a}{unit}"),
        (None, Some(b)) => format!("at most {b}{unit}"),
        (None, None) => String::new(),
    };
    Some(
        Diagnostic::error(
            codes::INVALID_VALUE,
            Span::default(),
            format!("`{name}` must be {range}, not {n}"),
        )
        .with_help(format!("APIM accepts `{name}` {range}.")),
    )
}

fn replace(span: Span, text: &str) -> Fix {
    Fix {
        message: format!("Change to \"{text}\""),
        edits: vec![Edit {
            start: span.start,
            end: span.end,
            text: text.to_string(),
        }],
    }
}

fn is_absolute_url(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once("://") else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && rest
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|host| !host.is_empty() && !host.contains(char::is_whitespace))
}
