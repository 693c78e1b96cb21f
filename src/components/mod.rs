//! The page's components: each one small, with explicit `Properties`, rendering what it is
//! given and dispatching [`crate::state::Action`]s. One module per panel.

mod editor_pane;
mod example_info;
mod examples_menu;
mod export_panel;
mod header;
mod lazy;
mod lessons;
mod notice;
mod outline;
mod problems;
mod reset;
mod rule_page;
mod scenario;
mod share_button;
mod side_panel;
mod sim_results;
mod simulate;
mod splitter;
mod theme_toggle;

pub use editor_pane::EditorPane;
pub use header::Header;
pub use lazy::{Lazy, Panel};
pub use lessons::LessonsPaneProps;
pub use notice::NoticeBar;
pub use rule_page::RulePageProps;
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
