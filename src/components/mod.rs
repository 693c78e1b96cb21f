//! The page's components: each one small, with explicit `Properties`, rendering what it is
//! given and dispatching [`crate::state::Action`]s. One module per panel, so the Simulate and
//! Export panels slot in next to these when their core APIs land.

mod editor_pane;
mod example_info;
mod examples_menu;
mod header;
mod notice;
mod problems;
mod reset;
mod share_button;
mod side_panel;
mod splitter;
mod theme_toggle;

pub use editor_pane::EditorPane;
pub use header::Header;
pub use notice::NoticeBar;
pub use side_panel::SidePanel;
pub use splitter::Splitter;

use crate::examples::{Run, inline_runs};
use yew::prelude::*;

/// README text with its `code` and *emphasis* (see [`inline_runs`]).
pub(crate) fn rich_text(text: &str) -> Html {
    html! {
        { for inline_runs(text).into_iter().map(|run| match run {
            Run::Text(t) => html! { { t } },
            Run::Code(t) => html! { <code>{ t }</code> },
            Run::Emphasis(t) => html! { <em>{ t }</em> },
        }) }
    }
}
