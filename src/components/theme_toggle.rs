//! The light/dark toggle (`theme-toggle`). It starts from the system setting; the choice is a
//! persisted setting (see `Action::ToggleTheme`).

use crate::app::dom;
use crate::state::Action;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ThemeToggleProps {
    /// Whether the page is dark right now.
    pub dark: bool,
    pub dispatch: Callback<Action>,
}

#[function_component(ThemeToggle)]
pub fn theme_toggle(props: &ThemeToggleProps) -> Html {
    let onclick = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            dispatch.emit(Action::ToggleTheme {
                system_dark: dom::prefers_dark(),
            });
        })
    };
    let title = if props.dark {
        "Switch to the light theme"
    } else {
        "Switch to the dark theme"
    };
    html! {
        <button type="button" class="btn btn-icon" data-testid="theme-toggle"
            aria-pressed={props.dark.to_string()} title={title} {onclick}>
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                if props.dark {
                    <path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8Z" />
                } else {
                    <circle cx="12" cy="12" r="4.5" />
                    <path d="M12 1.5v3M12 19.5v3M4.2 4.2l2.1 2.1M17.7 17.7l2.1 2.1M1.5 12h3M19.5 12h3M4.2 19.8l2.1-2.1M17.7 6.3l2.1-2.1" />
                }
            </svg>
            <span class="label">{ "Dark theme" }</span>
        </button>
    }
}
