//! Hover: Markdown about the policy, attribute, named value or `context` member under the
//! cursor.

use super::complete::attribute_doc;
use super::context_model;
use super::{Hover, clamp, summarize};
use crate::catalog::{self, AttrDef, ElementDef, PolicyDef, Scopes, Sections};
use crate::lint::{Ctx, Kind, LintOptions};
use crate::syntax::{self, NamedValueRef};

/// What is under byte `offset`, if it is something the catalog, the options or the context
/// model know. Never panics; never shows the value of a secret or Key Vault named value.
pub fn hover(source: &str, offset: usize, options: &LintOptions) -> Option<Hover> {
    let offset = clamp(source, offset);
    let doc = syntax::parse(source);
    if let Some(nv) = doc
        .named_value_refs()
        .into_iter()
        .find(|nv| nv.span.start <= offset && offset < nv.span.end)
    {
        return Some(named_value(nv, options));
    }
    let cx = Ctx::new(&doc, source, options);
    if let Some(e) = doc
        .expressions()
        .into_iter()
        .find(|e| e.code_span.start <= offset && offset < e.code_span.end)
    {
        // Escaped (`xml` format) code does not map 1:1 to the source; leave it alone. An
        // expression in opaque content (a body's payload) is text APIM never evaluates.
        if e.escaped || !cx.expressions().iter().any(|x| x.span == e.span) {
            return None;
        }
        let (span, markdown) = context_model::describe(source, e.code_span, offset)?;
        return Some(Hover { span, markdown });
    }
    let id = doc.element_at(offset)?;
    let element = doc.element(id)?;
    let kind = cx.kind(id);
    let in_end_name = element
        .end_name_span
        .is_some_and(|name| name.start <= offset && offset <= name.end);
    if (element.name_span.start <= offset && offset <= element.name_span.end) || in_end_name {
        let span = if in_end_name {
            element.end_name_span.unwrap_or(element.name_span)
        } else {
            element.name_span
        };
        let parent = doc
            .parent(id)
            .and_then(|p| doc.element(p))
            .map(|p| p.name.as_str());
        return element_hover(&element.name, kind, parent).map(|markdown| Hover { span, markdown });
    }
    let a = element.attributes.iter().find(|a| {
        (a.name_span.start <= offset && offset <= a.name_span.end)
            || (a.value.span.start <= offset && offset < a.value.span.end)
    })?;
    let def = element_def(kind)?;
    let attr = def.attribute(&a.name)?;
    // On the value, the tooltip belongs to the value (the text is the attribute's).
    let span = if a.value.span.start <= offset && offset < a.value.span.end {
        a.value.span
    } else {
        a.name_span
    };
    Some(Hover {
        span,
        markdown: attribute_hover(attr, def, &element.name),
    })
}

fn element_def(kind: Option<Kind>) -> Option<&'static ElementDef> {
    match kind? {
        Kind::Root(def) | Kind::Child(def) => Some(def),
        Kind::Policy(p) => Some(&p.element),
        Kind::Section(s) => Some(catalog::section(s)),
        _ => None,
    }
}

fn element_hover(name: &str, kind: Option<Kind>, parent: Option<&str>) -> Option<String> {
    match kind? {
        Kind::Policy(p) => Some(policy_hover(p)),
        Kind::Section(_) => {
            let def = element_def(kind)?;
            Some(format!("**{name}** · section\n\n{}", def.doc))
        }
        Kind::Root(def) => Some(format!("**{name}** · document\n\n{}", def.doc)),
        Kind::Child(def) | Kind::Foreign(def) => {
            let mut md = format!("**{name}**");
            if let Some(parent) = parent {
                md.push_str(&format!(" · in `{parent}`"));
            }
            md.push_str(&format!("\n\n{}", def.doc));
            md.push_str(&conditions_text(def));
            Some(md)
        }
        Kind::UnknownPolicy => {
            let mut md = format!("**{name}** is not an API Management policy.");
            if let Some(close) = catalog::closest_policy(name) {
                md.push_str(&format!(" Did you mean `{close}`?"));
            }
            Some(md)
        }
        Kind::UnknownRoot
        | Kind::UnknownSection
        | Kind::UnexpectedChild
        | Kind::Free
        | Kind::Payload => None,
    }
}

fn policy_hover(p: &PolicyDef) -> String {
    let mut md = format!(
        "**{}** · {} policy\n\n{}",
        p.name(),
        p.category,
        p.element.doc
    );
    md.push_str(&format!(
        "\n\nSections: {} · Scopes: {}",
        sections_text(p.sections),
        scopes_text(p.scopes)
    ));
    md.push_str(&conditions_text(&p.element));
    if p.once_per_section {
        md.push_str("\n\nAt most once per section.");
    }
    if p.once_per_document {
        md.push_str("\n\nAt most once per policy document.");
    }
    match p.status {
        catalog::Status::Deprecated => {
            md.push_str("\n\nDeprecated: the docs point to a replacement.")
        }
        catalog::Status::Undocumented => {
            md.push_str("\n\nNot in Microsoft's public policy reference (schema only).");
        }
        catalog::Status::Documented => {}
    }
    if !p.doc_url.is_empty() {
        md.push_str(&format!(
            "\n\n[Microsoft Learn: {}]({})",
            p.name(),
            p.doc_url
        ));
    }
    md
}

fn sections_text(sections: Sections) -> String {
    let names: Vec<&str> = sections.iter().map(|s| s.name()).collect();
    if names.is_empty() {
        "none (a GraphQL resolver)".into()
    } else {
        names.join(", ")
    }
}

fn scopes_text(scopes: Scopes) -> String {
    scopes
        .iter()
        .map(|s| match s {
            catalog::Scope::Api => "API",
            other => other.name(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The element's conditional requirements (`catalog::Condition`), as a paragraph.
fn conditions_text(def: &ElementDef) -> String {
    if def.conditions.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = def.conditions.iter().map(|c| c.describe()).collect();
    format!("\n\nRequirements: {}.", parts.join("; "))
}

fn attribute_hover(a: &AttrDef, def: &ElementDef, element: &str) -> String {
    let required = if a.required { "required" } else { "optional" };
    let mut md = format!(
        "**{}** · {required} attribute of `{element}`\n\n{}",
        a.name,
        attribute_doc(a)
    );
    for c in def.conditions {
        let about_this = match *c {
            catalog::Condition::Required {
                item: catalog::Item::Attr(n),
                ..
            } => n == a.name,
            catalog::Condition::Forbidden { attr, .. } => attr == a.name,
            _ => false,
        };
        if about_this {
            md.push_str(&format!("\n\n{}.", capitalize(&c.describe())));
        }
    }
    md
}

/// The catalog's descriptions start in ASCII; ASCII case mapping keeps core's Unicode case
/// tables (about 24 KB) out of the web app's first load.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => std::iter::once(first.to_ascii_uppercase())
            .chain(chars)
            .collect(),
        None => String::new(),
    }
}

fn named_value(nv: &NamedValueRef, options: &LintOptions) -> Hover {
    let name = &nv.name;
    let mut md = format!("**{{{{{name}}}}}** · named value\n\n");
    match (options.named_values.as_ref(), options.named_value(name)) {
        (_, Some(info)) if info.key_vault_secret.is_some() => {
            md.push_str(&format!(
                "Key Vault named value: resolved from `{}` with the gateway's managed identity. The value is never shown.",
                info.key_vault_secret.as_deref().unwrap_or("")
            ));
        }
        (_, Some(info)) if info.secret => {
            md.push_str("Secret named value: the value is hidden.");
        }
        (_, Some(info)) => match &info.value {
            Some(v) => md.push_str(&format!(
                "Plain named value: `{}`",
                summarize(v, 200).replace('`', "'")
            )),
            None => md.push_str("Plain named value."),
        },
        (Some(_), None) => md.push_str(
            "Not declared in the scenario: APIM rejects a policy that references a named value that does not exist.",
        ),
        (None, None) => md.push_str(
            "Substituted into the policy before it runs; the value lives in the API Management instance (declare it in the scenario to check references).",
        ),
    }
    Hover {
        span: nv.span,
        markdown: md,
    }
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
                    // Never shown, even if a caller fills it in.
                    value: Some("s3cr3t".into()),
                    ..NamedValueInfo::default()
                },
                NamedValueInfo {
                    name: "kv-key".into(),
                    secret: true,
                    key_vault_secret: Some("https://kv.vault.azure.net/secrets/key".into()),
                    ..NamedValueInfo::default()
                },
            ]),
            fragments: None,
            backends: None,
        }
    }

    const DOC: &str = r#"<policies>
    <inbound>
        <base />
        <set-header name="x-api-key" exists-action="override">
            <value>{{api-key}}</value>
        </set-header>
        <set-backend-service base-url="{{backend-url}}" />
        <set-variable name="kv" value="{{kv-key}}" />
        <set-variable name="u" value="{{undeclared}}" />
        <choose>
            <when condition="@(context.Request.Headers.GetValueOrDefault("X","") == "1")" />
        </choose>
        <set-hedder name="x" />
    </inbound>
</policies>
"#;

    fn at(needle: &str, delta: usize) -> Option<Hover> {
        let offset = DOC.find(needle).unwrap() + delta;
        hover(DOC, offset, &options())
    }

    #[test]
    fn opaque_content_is_not_explained_as_policy() {
        let src = r#"<policies>
    <outbound>
        <base />
        <set-body><order><set-header name="x" /><id>@(context.RequestId)</id></order></set-body>
        <xsl-transform>
            <xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
                <xsl:template match="/"><set-header /></xsl:template>
            </xsl:stylesheet>
        </xsl-transform>
    </outbound>
</policies>"#;
        let at = |needle: &str, nth: usize, delta: usize| {
            let offset = src.match_indices(needle).nth(nth).unwrap().0 + delta;
            hover(src, offset, &LintOptions::default())
        };
        // `<set-header>` in a body and in a stylesheet is payload: no policy docs.
        assert_eq!(at("set-header", 0, 2), None);
        assert_eq!(at("set-header", 1, 2), None);
        assert_eq!(at("name=", 0, 1), None);
        // An expression in a payload is text APIM never evaluates.
        assert_eq!(at("RequestId", 0, 2), None);
        // The stylesheet element itself is declared: its doc, but no attribute docs.
        let h = at("xsl:stylesheet", 0, 3).unwrap();
        assert!(
            h.markdown
                .contains("**xsl:stylesheet** · in `xsl-transform`"),
            "{}",
            h.markdown
        );
        assert_eq!(at("version=", 0, 2), None);
        // The body policy itself is still a policy.
        assert!(
            at("set-body", 0, 2)
                .unwrap()
                .markdown
                .contains("**set-body**")
        );
    }

    #[test]
    fn policy_names_show_doc_sections_scopes_and_link() {
        let h = at("set-header name", 3).unwrap();
        assert_eq!(&DOC[h.span.start..h.span.end], "set-header");
        assert!(
            h.markdown
                .contains("**set-header** · Transformation policy"),
            "{}",
            h.markdown
        );
        assert!(
            h.markdown
                .contains("Sections: inbound, backend, outbound, on-error")
        );
        assert!(
            h.markdown
                .contains("https://learn.microsoft.com/azure/api-management/set-header-policy")
        );
        // The end tag's name too.
        let h = at("/set-header>", 2).unwrap();
        assert!(h.markdown.contains("**set-header**"));
    }

    #[test]
    fn attributes_show_type_default_and_expressions() {
        let h = at("exists-action", 2).unwrap();
        assert!(
            h.markdown.contains("optional attribute of `set-header`"),
            "{}",
            h.markdown
        );
        assert!(h.markdown.contains("Default: `override`"));
        assert!(
            h.markdown
                .contains("one of `override`, `skip`, `append`, `delete`")
        );
        assert!(h.markdown.contains("Policy expressions: allowed"));
        let h = at("override", 1).unwrap();
        assert_eq!(&DOC[h.span.start..h.span.end], "override");
        assert!(h.markdown.contains("exists-action"));
    }

    #[test]
    fn conditional_requirements_show_on_the_element_and_the_attribute() {
        let doc = "<policies><inbound><send-request mode=\"new\" response-variable-name=\"r\" /><set-backend-service backend-id=\"dapr\" dapr-app-id=\"a\" dapr-method=\"m\" /></inbound></policies>";
        let send = hover(doc, doc.find("send-request").unwrap() + 2, &options()).unwrap();
        assert!(
            send.markdown.contains(
                "Requirements: `<set-url>` is required unless `mode` is \"copy\"; `<set-method>` is required unless `mode` is \"copy\"."
            ),
            "{}",
            send.markdown
        );
        let app = hover(doc, doc.find("dapr-app-id").unwrap() + 2, &options()).unwrap();
        assert!(
            app.markdown
                .contains("optional attribute of `set-backend-service`")
                && app
                    .markdown
                    .contains("`dapr-app-id` is required when `backend-id` is \"dapr\"."),
            "{}",
            app.markdown
        );
        // No conditions, no paragraph.
        let h = at("set-header name", 3).unwrap();
        assert!(!h.markdown.contains("Requirements:"), "{}", h.markdown);
    }

    #[test]
    fn named_values_never_show_secrets() {
        let h = at("{{api-key}}", 3).unwrap();
        assert!(h.markdown.contains("Secret named value"));
        assert!(!h.markdown.contains("s3cr3t"));
        let h = at("{{backend-url}}", 3).unwrap();
        assert!(h.markdown.contains("`https://backend.contoso.com`"));
        let h = at("{{kv-key}}", 3).unwrap();
        assert!(h.markdown.contains("Key Vault named value"));
        let h = at("{{undeclared}}", 3).unwrap();
        assert!(h.markdown.contains("Not declared"));
    }

    #[test]
    fn context_members_in_expressions() {
        let h = at("Headers.Get", 2).unwrap();
        assert_eq!(&DOC[h.span.start..h.span.end], "Headers");
        assert!(
            h.markdown
                .contains("context.Request.Headers: IReadOnlyDictionary<string, string[]>"),
            "{}",
            h.markdown
        );
        let h = at("GetValueOrDefault", 3).unwrap();
        assert!(
            h.markdown.contains("GetValueOrDefault(string name"),
            "{}",
            h.markdown
        );
        let h = at("context.Request", 2).unwrap();
        assert!(
            h.markdown.contains("context: IProxyRequestContext"),
            "{}",
            h.markdown
        );
        assert!(at("\"X\"", 1).is_none(), "string literals have no hover");
    }

    #[test]
    fn unknown_policies_suggest_the_closest() {
        let h = at("set-hedder", 2).unwrap();
        assert!(
            h.markdown.contains("Did you mean `set-header`?"),
            "{}",
            h.markdown
        );
    }

    #[test]
    fn nothing_in_whitespace() {
        assert!(hover(DOC, 0, &options()).is_none());
        assert!(at("    <inbound>", 1).is_none());
    }
}
