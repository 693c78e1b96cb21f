//! The draggable splitter between the editor and the side panel (a WAI-ARIA window splitter:
//! `role="separator"`, its value is the editor's share of the width). Drag with the pointer, or
//! focus it and use the arrow keys (Shift for bigger steps), Home and End.

use crate::state::{Action, SIDE_WIDTH_MAX, SIDE_WIDTH_MIN};
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SplitterProps {
    /// The side panel's width in percent of the workspace.
    pub side_width: u8,
    pub dispatch: Callback<Action>,
}

/// The side panel's width for a pointer at `x` over a workspace spanning `left..right`.
fn width_at(x: f64, left: f64, right: f64) -> Option<u8> {
    let total = right - left;
    if total <= 0.0 || !x.is_finite() {
        return None;
    }
    let pct = ((right - x) / total * 100.0).round();
    let pct = pct.clamp(f64::from(SIDE_WIDTH_MIN), f64::from(SIDE_WIDTH_MAX));
    // Clamped to 20..=70 above, so the conversion cannot fail.
    u8::try_from(pct as i64).ok()
}

#[function_component(Splitter)]
pub fn splitter(props: &SplitterProps) -> Html {
    let dragging = use_state(|| false);
    let width = props.side_width;

    let onkeydown = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            let step = if e.shift_key() { 10 } else { 2 };
            let next = match e.key().as_str() {
                // The value is the editor's share: Left makes the editor smaller.
                "ArrowLeft" => width.saturating_add(step),
                "ArrowRight" => width.saturating_sub(step),
                "Home" => SIDE_WIDTH_MAX,
                "End" => SIDE_WIDTH_MIN,
                _ => return,
            };
            e.prevent_default();
            dispatch.emit(Action::SetSideWidth(next));
        })
    };
    let onpointerdown = {
        let dragging = dragging.clone();
        Callback::from(move |e: PointerEvent| {
            if let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
            e.prevent_default();
            dragging.set(true);
        })
    };
    let onpointermove = {
        let dispatch = props.dispatch.clone();
        let dragging = dragging.clone();
        Callback::from(move |e: PointerEvent| {
            if !*dragging {
                return;
            }
            let rect = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.parent_element())
                .map(|parent| parent.get_bounding_client_rect());
            if let Some(rect) = rect
                && let Some(w) = width_at(f64::from(e.client_x()), rect.left(), rect.right())
                && w != width
            {
                dispatch.emit(Action::SetSideWidth(w));
            }
        })
    };
    let onpointerup = {
        let dragging = dragging.clone();
        Callback::from(move |_: PointerEvent| dragging.set(false))
    };
    let editor_share = 100 - u16::from(width);
    html! {
        <div class={classes!("splitter", dragging.then_some("dragging"))} role="separator"
            aria-orientation="vertical" aria-label="Resize the editor and the side panel"
            aria-controls="side-panel"
            aria-valuenow={editor_share.to_string()}
            aria-valuemin={(100 - u16::from(SIDE_WIDTH_MAX)).to_string()}
            aria-valuemax={(100 - u16::from(SIDE_WIDTH_MIN)).to_string()}
            tabindex="0" data-testid="splitter"
            {onkeydown} {onpointerdown} {onpointermove} onpointerup={onpointerup.clone()}
            onpointercancel={onpointerup} />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_positions_map_to_clamped_widths() {
        assert_eq!(width_at(600.0, 0.0, 1000.0), Some(40));
        assert_eq!(width_at(990.0, 0.0, 1000.0), Some(SIDE_WIDTH_MIN));
        assert_eq!(width_at(-50.0, 0.0, 1000.0), Some(SIDE_WIDTH_MAX));
        assert_eq!(width_at(10.0, 5.0, 5.0), None);
        assert_eq!(width_at(f64::NAN, 0.0, 100.0), None);
    }
}
