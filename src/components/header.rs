//! The top bar: title, examples menu, share, reset and the theme toggle.

use super::examples_menu::ExamplesMenu;
use super::reset::ResetButton;
use super::share_button::ShareButton;
use super::theme_toggle::ThemeToggle;
use crate::bridge::EditorBridge;
use crate::lessons::SharedLesson;
use crate::state::{Action, ExportSettings};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub example: Option<&'static str>,
    pub source: Rc<str>,
    pub scenario: Rc<str>,
    pub export: ExportSettings,
    pub dark: bool,
    /// The Lessons view is open.
    pub lessons: bool,
    /// In lesson mode: what a share link carries about the lesson.
    pub shared_lesson: Option<SharedLesson>,
    pub bridge: EditorBridge,
    pub dispatch: Callback<Action>,
}

#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let on_example = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |id: &'static str| dispatch.emit(Action::LoadExample(id)))
    };
    html! {
        <header class="topbar">
            <div class="brand">
                <svg class="logo" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                    <path d="M12 2 3 6v6c0 5 3.8 9.3 9 10 5.2-.7 9-5 9-10V6l-9-4Z" />
                    <path class="logo-key" d="M10 11.5a2.5 2.5 0 1 1 3.3 2.4V17h-1.6v-1h-1v-1.4h1v-.7A2.5 2.5 0 0 1 10 11.5Z" />
                </svg>
                <h1>{ "APIM Policy Playground" }</h1>
                <span class="tagline">{ "Azure API Management policies, checked in your browser" }</span>
            </div>
            <nav class="actions" aria-label="Playground actions">
                <button type="button" class="btn" data-testid="lessons-toggle" aria-pressed={props.lessons.to_string()}
                    aria-controls={props.lessons.then_some("lessons-pane")} onclick={props.dispatch.reform(|_: MouseEvent| Action::ToggleLessons)}>
                    { "Lessons" }
                </button>
                <ExamplesMenu current={props.example} on_select={on_example} />
                <ShareButton
                    source={props.source.clone()}
                    scenario={props.scenario.clone()}
                    example={props.example}
                    export={props.export.clone()}
                    lesson={props.shared_lesson.clone()}
                />
                <ResetButton bridge={props.bridge.clone()} dispatch={props.dispatch.clone()} />
                <ThemeToggle dark={props.dark} dispatch={props.dispatch.clone()} />
            </nav>
        </header>
    }
}
