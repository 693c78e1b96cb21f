//! The examples gallery (`examples`): a menu button that opens the list of examples (entries
//! carry `data-example`), each with its title and one-line summary.

use super::rich_text;
use crate::app::dom;
use crate::examples::EXAMPLES;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExamplesMenuProps {
    pub current: Option<&'static str>,
    pub on_select: Callback<&'static str>,
}

fn entry_id(id: &str) -> String {
    format!("example-{id}")
}

#[function_component(ExamplesMenu)]
pub fn examples_menu(props: &ExamplesMenuProps) -> Html {
    let open = use_state(|| false);
    let container = use_node_ref();

    // Opening moves focus into the list (to the current example), so keyboard users land there.
    {
        let current = props.current;
        use_effect_with(*open, move |open| {
            if *open {
                let first = EXAMPLES.first().map(|e| e.id).unwrap_or_default();
                dom::focus_id(&entry_id(current.unwrap_or(first)));
            }
        });
    }

    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    // Escape closes and returns focus to the button; arrows move between entries.
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            let ids: Vec<String> = EXAMPLES.iter().map(|x| entry_id(x.id)).collect();
            let focused = dom::document()
                .and_then(|d| d.active_element())
                .map(|el| el.id())
                .unwrap_or_default();
            let at = ids.iter().position(|id| *id == focused);
            let target = match (e.key().as_str(), at) {
                ("Escape", _) => {
                    e.prevent_default();
                    open.set(false);
                    dom::focus_id("examples-button");
                    return;
                }
                ("ArrowDown", Some(i)) => ids.get((i + 1) % ids.len()),
                ("ArrowUp", Some(i)) => ids.get((i + ids.len() - 1) % ids.len()),
                ("Home", Some(_)) => ids.first(),
                ("End", Some(_)) => ids.last(),
                _ => None,
            };
            if let Some(id) = target {
                e.prevent_default();
                dom::focus_id(id);
            }
        })
    };
    // Focus leaving the menu (a click elsewhere, Tab past the end) closes it.
    let onfocusout = {
        let open = open.clone();
        let container = container.clone();
        Callback::from(move |e: FocusEvent| {
            let inside = e
                .related_target()
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                .zip(container.get())
                .is_some_and(|(target, menu)| menu.contains(Some(&target)));
            if !inside {
                open.set(false);
            }
        })
    };

    html! {
        // `data-current-example`: the example the workspace holds (examples other than the
        // default are fetched first, so a choice shows here once it has loaded). Not
        // `data-example`, which the test hooks give the entries alone.
        <div class="menu" data-testid="examples" data-current-example={props.current} ref={container} {onkeydown} {onfocusout}>
            <button type="button" id="examples-button" class="btn"
                aria-expanded={open.to_string()} aria-controls="examples-list" onclick={toggle}>
                { "Examples" }<span class="caret" aria-hidden="true">{ "▾" }</span>
            </button>
            if *open {
                <div id="examples-list" class="popup examples-popup" role="region" aria-label="Examples">
                    <ul class="examples-list">
                        { for EXAMPLES.iter().map(|e| {
                            let on_select = props.on_select.clone();
                            let open = open.clone();
                            let id = e.id;
                            let onclick = Callback::from(move |_: MouseEvent| {
                                open.set(false);
                                on_select.emit(id);
                                dom::focus_id("examples-button");
                            });
                            let current = props.current == Some(e.id);
                            html! {
                                <li>
                                    <button type="button" id={entry_id(e.id)} class="example-entry"
                                        data-example={e.id}
                                        aria-current={current.then_some("true")} {onclick}>
                                        <span class="example-title">
                                            { e.title() }
                                            if e.about_an_error.is_some() {
                                                <span class="badge badge-error">{ "shows an error" }</span>
                                            }
                                        </span>
                                        <span class="example-summary">{ rich_text(&e.summary()) }</span>
                                    </button>
                                </li>
                            }
                        }) }
                    </ul>
                </div>
            }
        </div>
    }
}
