//! The scenario form's small inputs: labelled text fields, masked secret fields with a show
//! toggle, header lists edited as `Name: value` lines, a status code and checkboxes. Each one
//! reports a new value; the form turns it into a new scenario.

use crate::scenario_text::{headers_text, parse_headers, skipped_header_lines};
use apim_policy::scenario::Headers;
use std::cell::Cell;
use yew::prelude::*;

thread_local! {
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

/// A page-unique id for label/description associations, stable for the component's life.
#[hook]
pub fn use_field_id() -> String {
    let id = use_memo((), |_| {
        NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id + 1);
            format!("f{id}")
        })
    });
    (*id).clone()
}

#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    pub label: AttrValue,
    pub value: AttrValue,
    pub on_change: Callback<String>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    /// A textarea of this many rows instead of a one-line input.
    #[prop_or_default]
    pub rows: Option<u32>,
    /// Monospace (URLs, bodies, ids).
    #[prop_or_default]
    pub mono: bool,
    #[prop_or_default]
    pub hint: Option<Html>,
    #[prop_or_default]
    pub class: Classes,
}

#[function_component(TextField)]
pub fn text_field(props: &TextFieldProps) -> Html {
    let id = use_field_id();
    let hint_id = format!("{id}-hint");
    let on_change = props.on_change.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        let value = match e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
            Some(area) => area.value(),
            None => e
                .target_unchecked_into::<web_sys::HtmlInputElement>()
                .value(),
        };
        on_change.emit(value);
    });
    let described = props.hint.as_ref().map(|_| hint_id.clone());
    let class = classes!("field", props.class.clone(), props.mono.then_some("mono"));
    html! {
        <div {class}>
            <label for={id.clone()}>{ &props.label }</label>
            if let Some(rows) = props.rows {
                <textarea id={id.clone()} rows={rows.to_string()} spellcheck="false"
                    data-testid={props.testid.clone()} placeholder={props.placeholder.clone()}
                    aria-describedby={described.clone()}
                    value={props.value.clone()} {oninput} />
            } else {
                <input id={id.clone()} type="text" spellcheck="false" autocomplete="off"
                    data-testid={props.testid.clone()} placeholder={props.placeholder.clone()}
                    aria-describedby={described.clone()}
                    value={props.value.clone()} {oninput} />
            }
            if let Some(hint) = &props.hint {
                <p class="field-hint" id={hint_id}>{ hint.clone() }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SecretFieldProps {
    pub label: AttrValue,
    pub value: AttrValue,
    pub on_change: Callback<String>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
}

/// A masked input (`type=password`) with a Show/Hide toggle.
#[function_component(SecretField)]
pub fn secret_field(props: &SecretFieldProps) -> Html {
    let id = use_field_id();
    let shown = use_state(|| false);
    let on_change = props.on_change.clone();
    let oninput = Callback::from(move |e: InputEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        on_change.emit(input.value());
    });
    let toggle = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(!*shown))
    };
    html! {
        <div class="field mono secret">
            <label for={id.clone()}>{ &props.label }</label>
            <div class="secret-row">
                <input id={id.clone()} type={if *shown { "text" } else { "password" }}
                    autocomplete="off" spellcheck="false"
                    data-testid={props.testid.clone()} placeholder={props.placeholder.clone()}
                    value={props.value.clone()} {oninput} />
                <button type="button" class="btn btn-small" aria-pressed={shown.to_string()}
                    aria-label={format!("Show {}", props.label)} onclick={toggle}>
                    { "Show" }
                </button>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct HeadersFieldProps {
    pub label: AttrValue,
    pub value: Headers,
    pub on_change: Callback<Headers>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or(3)]
    pub rows: u32,
}

/// Headers as `Name: value` lines. The text is kept as typed (a half-typed line has no colon
/// yet) and replaced only when the headers change from elsewhere (the JSON view, an example).
#[function_component(HeadersField)]
pub fn headers_field(props: &HeadersFieldProps) -> Html {
    let id = use_field_id();
    let text = use_state(|| headers_text(&props.value));
    {
        let text = text.clone();
        use_effect_with(props.value.clone(), move |value| {
            if parse_headers(&text) != *value {
                text.set(headers_text(value));
            }
        });
    }
    let oninput = {
        let text = text.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = e.target_unchecked_into();
            let value = area.value();
            on_change.emit(parse_headers(&value));
            text.set(value);
        })
    };
    let skipped = skipped_header_lines(&text);
    let hint_id = format!("{id}-hint");
    html! {
        <div class="field mono">
            <label for={id.clone()}>{ &props.label }</label>
            <textarea id={id.clone()} rows={props.rows.to_string()} spellcheck="false"
                data-testid={props.testid.clone()} placeholder="Name: value"
                aria-describedby={hint_id.clone()}
                value={(*text).clone()} {oninput} />
            <p class="field-hint" id={hint_id}>
                if skipped.is_empty() {
                    { "One header per line, Name: value. Repeat a name for several values." }
                } else {
                    { format!("Line {} has no “Name:” yet and is ignored.",
                        skipped.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                }
            </p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct StatusFieldProps {
    pub label: AttrValue,
    pub value: u16,
    pub on_change: Callback<u16>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// An HTTP status code (100–599); other input is kept on screen with a hint, not applied.
#[function_component(StatusField)]
pub fn status_field(props: &StatusFieldProps) -> Html {
    let id = use_field_id();
    let text = use_state(|| props.value.to_string());
    {
        let text = text.clone();
        use_effect_with(props.value, move |value| {
            if text.trim().parse::<u16>().ok() != Some(*value) {
                text.set(value.to_string());
            }
        });
    }
    let valid = text
        .trim()
        .parse::<u16>()
        .is_ok_and(|s| (100..=599).contains(&s));
    let oninput = {
        let text = text.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let value = input.value();
            if let Ok(status) = value.trim().parse::<u16>()
                && (100..=599).contains(&status)
            {
                on_change.emit(status);
            }
            text.set(value);
        })
    };
    let hint_id = format!("{id}-hint");
    html! {
        <div class="field narrow">
            <label for={id.clone()}>{ &props.label }</label>
            <input id={id.clone()} type="text" inputmode="numeric" autocomplete="off"
                data-testid={props.testid.clone()} aria-invalid={(!valid).to_string()}
                aria-describedby={(!valid).then(|| hint_id.clone())}
                value={(*text).clone()} {oninput} />
            if !valid {
                <p class="field-hint warn" id={hint_id}>{ "A status code is a number from 100 to 599." }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct CheckProps {
    pub label: AttrValue,
    pub checked: bool,
    pub on_change: Callback<bool>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

#[function_component(Check)]
pub fn check(props: &CheckProps) -> Html {
    let on_change = props.on_change.clone();
    let onchange = Callback::from(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        on_change.emit(input.checked());
    });
    html! {
        <label class="check">
            <input type="checkbox" checked={props.checked} data-testid={props.testid.clone()} {onchange} />
            { &props.label }
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct ChoiceProps {
    pub label: AttrValue,
    /// `(value, label)` pairs.
    pub options: Vec<(AttrValue, AttrValue)>,
    pub value: AttrValue,
    pub on_change: Callback<String>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
}

/// A labelled `<select>`. A current value that is not among the options is shown as is.
#[function_component(Choice)]
pub fn choice(props: &ChoiceProps) -> Html {
    let id = use_field_id();
    let on_change = props.on_change.clone();
    let onchange = Callback::from(move |e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        on_change.emit(select.value());
    });
    let known = props.options.iter().any(|(v, _)| *v == props.value);
    html! {
        <div class={classes!("field", props.class.clone())}>
            <label for={id.clone()}>{ &props.label }</label>
            <select id={id.clone()} data-testid={props.testid.clone()} {onchange}>
                if !known {
                    <option value={props.value.clone()} selected=true>{ &props.value }</option>
                }
                { for props.options.iter().map(|(value, label)| html! {
                    <option value={value.clone()} selected={*value == props.value}>{ label }</option>
                }) }
            </select>
        </div>
    }
}
