//! Reset (`reset`), after a confirmation (`reset-confirm` / `reset-cancel`): back to the
//! default example, and focus the editor (which keeps the replaced text in its undo history).

use crate::app::dom;
use crate::bridge::EditorBridge;
use crate::state::Action;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ResetButtonProps {
    pub bridge: EditorBridge,
    pub dispatch: Callback<Action>,
}

#[function_component(ResetButton)]
pub fn reset_button(props: &ResetButtonProps) -> Html {
    let open = use_state(|| false);
    use_effect_with(*open, |open| {
        if *open {
            dom::focus_id("reset-cancel");
        }
    });
    let ask = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(true))
    };
    let cancel = {
        let open = open.clone();
        move || {
            open.set(false);
            dom::focus_id("reset-button");
        }
    };
    let on_cancel = {
        let cancel = cancel.clone();
        Callback::from(move |_: MouseEvent| cancel())
    };
    let on_confirm = {
        let open = open.clone();
        let dispatch = props.dispatch.clone();
        let bridge = props.bridge.clone();
        Callback::from(move |_: MouseEvent| {
            open.set(false);
            dispatch.emit(Action::Reset);
            bridge.focus();
        })
    };
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Escape" {
            cancel();
        }
    });
    html! {
        <>
            <button type="button" id="reset-button" class="btn" data-testid="reset" onclick={ask}>
                { "Reset" }
            </button>
            if *open {
                <div class="backdrop">
                    <div class="dialog" role="alertdialog" aria-modal="true"
                        aria-labelledby="reset-title" aria-describedby="reset-desc" {onkeydown}>
                        <h2 id="reset-title">{ "Reset the playground?" }</h2>
                        <p id="reset-desc">
                            { "This replaces your policy and scenario with the default example. \
                               Ctrl+Z in the editor brings the text back." }
                        </p>
                        <div class="dialog-buttons">
                            <button type="button" id="reset-cancel" class="btn" data-testid="reset-cancel"
                                onclick={on_cancel}>{ "Cancel" }</button>
                            <button type="button" class="btn btn-danger" data-testid="reset-confirm"
                                onclick={on_confirm}>{ "Reset" }</button>
                        </div>
                    </div>
                </div>
            }
        </>
    }
}
