//! A rule's page (`rule-page`, opened by `#rule/<CODE>` links in the hover and the problems
//! list): everything the core's registry says about the rule, with its bad and good examples
//! and buttons that load them into the editor. A modal dialog; Escape or Close returns.
//!
//! The header and summary are in the app; the explanation and the examples come from
//! [`rule_docs::load`] (fetched the first time a page opens; `rule-docs-status` says so while
//! it loads, or why it could not).

use crate::app::dom;
use crate::bridge::EditorBridge;
use crate::markdown;
use crate::rule_docs::{self, Doc, Docs, Example};
use crate::state::{Action, ExportSettings};
use apim_policy::catalog;
use apim_policy::export;
use apim_policy::lint;
use apim_policy::scenario::{Backend, Fragment, NamedValue, Scenario};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct RulePageProps {
    pub code: &'static str,
    /// The current export settings: loading an example sets only its scope.
    pub export: ExportSettings,
    /// The current scenario: an example may need named values or fragments it lacks.
    pub scenario: Rc<Scenario>,
    pub bridge: EditorBridge,
    pub dispatch: Callback<Action>,
}

fn md(text: &str) -> Html {
    Html::from_html_unchecked(AttrValue::from(markdown::to_html(text)))
}

/// The export (and lint) scope an example is linted at.
fn export_scope(scope: Option<catalog::Scope>) -> Option<export::Scope> {
    match scope? {
        catalog::Scope::Global => Some(export::Scope::Global),
        catalog::Scope::Product => Some(export::Scope::Product),
        catalog::Scope::Api => Some(export::Scope::Api),
        catalog::Scope::Operation => Some(export::Scope::Operation),
        catalog::Scope::Fragment => Some(export::Scope::Fragment),
        catalog::Scope::Workspace | catalog::Scope::Resolver => None,
    }
}

/// What an example assumes besides its text, in words.
fn context_note(example: &Example) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(scope) = example.scope {
        parts.push(format!("attached at the {} scope", scope.name()));
    }
    if let Some(nvs) = &example.named_values {
        let names: Vec<String> = nvs
            .iter()
            .map(|(n, secret)| {
                if *secret {
                    format!("{n} (secret)")
                } else {
                    n.clone()
                }
            })
            .collect();
        parts.push(if names.is_empty() {
            "with a scenario that declares no named values".to_string()
        } else {
            format!("with the named values {} declared", names.join(", "))
        });
    }
    if let Some(fragments) = &example.fragments {
        parts.push(if fragments.is_empty() {
            "with no fragments declared".to_string()
        } else {
            format!("with the fragments {} declared", fragments.join(", "))
        });
    }
    if let Some(backends) = &example.backends {
        parts.push(if backends.is_empty() {
            "with no backends declared".to_string()
        } else {
            format!("with the backends {} declared", backends.join(", "))
        });
    }
    (!parts.is_empty()).then(|| format!("Checked {}.", parts.join(", ")))
}

/// `scenario` with the named values, fragments and backends `example` is checked with added (the ones
/// it lacks); `None` when it has them all.
pub fn with_declarations(scenario: &Scenario, example: &Example) -> Option<Scenario> {
    let mut next = scenario.clone();
    for (name, secret) in example.named_values.iter().flatten() {
        if next.named_value(name).is_none() {
            next.named_values.push(NamedValue {
                name: name.clone(),
                value: Some(
                    if *secret {
                        "example-secret"
                    } else {
                        "example-value"
                    }
                    .to_string(),
                ),
                secret: *secret,
                ..NamedValue::default()
            });
        }
    }
    for name in example.fragments.iter().flatten() {
        if next.fragment(name).is_none() {
            next.fragments.push(Fragment {
                name: name.clone(),
                xml: "<fragment>\n</fragment>".to_string(),
            });
        }
    }
    for id in example.backends.iter().flatten() {
        if !next.backends.iter().any(|b| b.id.eq_ignore_ascii_case(id)) {
            next.backends.push(Backend {
                id: id.clone(),
                url: Some(format!("https://{id}.example.com")),
                ..Backend::default()
            });
        }
    }
    (next != *scenario).then_some(next)
}

fn close(dispatch: &Callback<Action>) {
    if dom::location_hash().is_some_and(|h| rule_docs::code_of(&h).is_some()) {
        dom::clear_hash();
    }
    dispatch.emit(Action::ShowRule(None));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule's documentation as the app reads it from `rule-docs.json`.
    fn doc(code: &str) -> Rc<Doc> {
        rule_docs::decode(&rule_docs::encode()).unwrap()[code].clone()
    }

    #[test]
    fn examples_that_need_declarations_can_add_them_once() {
        let rule = doc("APIM0602");
        let added = with_declarations(&Scenario::default(), &rule.bad).unwrap();
        assert_eq!(added.named_values.len(), 1);
        assert!(added.named_values[0].is_secret());
        assert_eq!(with_declarations(&added, &rule.bad), None);
        // Now the bad example is reported in the app's lint context.
        let options = crate::scenario_text::lint_options(&added, None);
        let codes: Vec<_> = lint::lint_with(&rule.bad.source, &options)
            .into_iter()
            .map(|d| d.code)
            .collect();
        assert!(codes.contains(&"APIM0602"), "{codes:?}");
        assert!(
            context_note(&rule.bad)
                .unwrap()
                .contains("backend-api-key (secret)")
        );
        assert_eq!(
            with_declarations(&Scenario::default(), &doc("APIM0001").bad),
            None
        );
    }

    #[test]
    fn example_scopes_map_to_export_scopes() {
        let rule = doc("APIM0107");
        assert_eq!(export_scope(rule.bad.scope), Some(export::Scope::Global));
        assert_eq!(export_scope(None), None);
        assert_eq!(export_scope(Some(catalog::Scope::Workspace)), None);
    }
}

#[function_component(RulePage)]
pub fn rule_page(props: &RulePageProps) -> Html {
    // The explanations and examples: `Ok` once fetched, `Err` with why they could not be.
    let docs = use_state(|| rule_docs::loaded().map(Ok::<Rc<Docs>, String>));
    {
        let docs = docs.clone();
        use_effect_with(props.code, move |_| {
            if !matches!(*docs, Some(Ok(_))) {
                yew::platform::spawn_local(async move { docs.set(Some(rule_docs::load().await)) });
            }
        });
    }
    // Focus the dialog when it opens or shows another rule.
    {
        use_effect_with(props.code, |_| dom::focus_id("rule-close"));
    }
    let Some(rule) = lint::rule(props.code) else {
        return html! {};
    };
    let on_close = {
        let dispatch = props.dispatch.clone();
        let bridge = props.bridge.clone();
        Callback::from(move |_: MouseEvent| {
            close(&dispatch);
            bridge.focus();
        })
    };
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        let bridge = props.bridge.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                close(&dispatch);
                bridge.focus();
            }
        })
    };
    let on_backdrop = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            // Only a click on the backdrop itself, not one that bubbled from the dialog.
            if e.target() == e.current_target() {
                close(&dispatch);
            }
        })
    };
    let on_other = {
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Some(href) = rule_docs::href(&select.value()) {
                dom::set_hash(&href);
            }
        })
    };
    let doc = match &*docs {
        Some(Ok(docs)) => docs.get(rule.code).cloned(),
        _ => None,
    };
    let severity = rule.severity.as_str();
    let fix_note = if rule.fix_safe {
        "Its quick fixes keep the policy's meaning, so `apim-policy lint --fix` applies them unattended."
    } else {
        "Its quick fixes, when it offers one, are suggestions to review: they appear in the editor and the problems list, and `apim-policy lint --fix` does not apply them."
    };

    html! {
        <div class="backdrop" onclick={on_backdrop}>
            <div class="dialog rule-page" role="dialog" aria-modal="true" aria-labelledby="rule-title"
                data-testid="rule-page" data-code={rule.code} {onkeydown}>
                <div class="rule-head">
                    <h2 id="rule-title">
                        <span class="rule-code">{ rule.code }</span>{ " " }
                        <span class="rule-name">{ rule.name }</span>
                    </h2>
                    <span class={classes!("badge", format!("badge-{severity}"))} data-testid="rule-severity">
                        { severity }
                    </span>
                    <button type="button" id="rule-close" class="btn btn-small" data-testid="rule-close"
                        onclick={on_close}>
                        { "Close" }
                    </button>
                </div>
                <div class="rule-body">
                    <div class="rule-summary">{ md(rule.summary) }</div>
                    if let Some(doc) = &doc {
                        <div class="rule-explanation">{ md(&doc.explanation) }</div>
                    } else {
                        { status(&docs, rule.code) }
                    }
                    <p class="rule-fix" data-testid="rule-fix" data-safe={rule.fix_safe.to_string()}>
                        { md(fix_note) }
                    </p>
                    if let Some(doc) = &doc {
                        { example_block(rule.code, doc, false, props) }
                        { example_block(rule.code, doc, true, props) }
                    }
                </div>
                <div class="rule-foot">
                    <label for="rule-other">{ "Another rule" }</label>
                    <select id="rule-other" onchange={on_other}>
                        { for lint::rules().iter().map(|r| html! {
                            <option value={r.code} selected={r.code == rule.code}>
                                { format!("{} {}", r.code, r.name) }
                            </option>
                        }) }
                    </select>
                </div>
            </div>
        </div>
    }
}

/// In the explanation's place while it loads, or why it is not there.
fn status(docs: &Option<Result<Rc<Docs>, String>>, code: &str) -> Html {
    let (text, busy) = match docs {
        None => (
            "Loading the explanation and the examples…".to_string(),
            true,
        ),
        Some(Err(e)) => (
            format!(
                "The explanation and the examples could not be loaded ({e}). Reopen the page to try again."
            ),
            false,
        ),
        Some(Ok(_)) => (
            format!(
                "This version's {} has no entry for {code}: reload the page.",
                rule_docs::FILE
            ),
            false,
        ),
    };
    html! {
        <p class="hint" data-testid="rule-docs-status" role="status" aria-busy={busy.to_string()}>{ text }</p>
    }
}

fn example_block(code: &'static str, doc: &Doc, good: bool, props: &RulePageProps) -> Html {
    let example = if good { &doc.good } else { &doc.bad };
    let (title, testid, class) = if good {
        ("Not reported", "rule-load-good", "rule-example good")
    } else {
        ("Reported", "rule-load-bad", "rule-example bad")
    };
    let on_load = {
        let dispatch = props.dispatch.clone();
        let bridge = props.bridge.clone();
        let mut export = props.export.clone();
        export.scope = export_scope(example.scope);
        let source = example.source.clone();
        Callback::from(move |_: MouseEvent| {
            dispatch.emit(Action::LoadPolicy {
                policy: source.clone(),
                export: Some(export.clone()),
                notice: format!(
                    "Loaded the {} example of {code}. Ctrl+Z in the editor brings your policy back.",
                    if good { "good" } else { "bad" }
                ),
            });
            close(&dispatch);
            bridge.focus();
        })
    };
    let declare = with_declarations(&props.scenario, example).map(|next| {
        let dispatch = props.dispatch.clone();
        let next = Rc::new(next);
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::set_scenario(next.clone())))
    });
    if example.source.is_empty() {
        return html! {
            <section class={class} aria-label={format!("{title} example")}>
                <h3>{ title }</h3>
                <p class="hint">{ "No example is shown: it would be too large for this page." }</p>
            </section>
        };
    }
    html! {
        <section class={class} aria-label={format!("{title} example")}>
            <div class="rule-example-head">
                <h3>{ title }</h3>
                <button type="button" class="btn btn-small" data-testid={testid} onclick={on_load}>
                    { "Load into the editor" }
                </button>
            </div>
            <pre><code>{ example.source.clone() }</code></pre>
            if let Some(note) = context_note(example) {
                <p class="hint">
                    { note }
                    if let Some(onclick) = declare {
                        { " " }
                        <button type="button" class="btn btn-small" data-testid="rule-declare" {onclick}>
                            { "Add them to the scenario" }
                        </button>
                    }
                </p>
            }
        </section>
    }
}
