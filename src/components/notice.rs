//! A polite live region for short messages (a share link that was loaded or could not be).

use crate::state::Action;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoticeBarProps {
    pub notice: Option<String>,
    pub dispatch: Callback<Action>,
}

#[function_component(NoticeBar)]
pub fn notice_bar(props: &NoticeBarProps) -> Html {
    let dismiss = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::DismissNotice))
    };
    html! {
        <div class="notice" role="status" aria-live="polite" data-testid="notice">
            if let Some(text) = &props.notice {
                <span>{ text }</span>
                <button type="button" class="btn btn-small" onclick={dismiss}>{ "Dismiss" }</button>
            }
        </div>
    }
}
