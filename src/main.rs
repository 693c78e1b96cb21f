//! The APIM Policy Playground web app (compiled to wasm32 and bundled by trunk).
//!
//! UI only: components render [`state::State`] and dispatch [`state::Action`]s; every piece of
//! policy knowledge comes from the `apim-policy` crate. The code editor is CodeMirror, reached
//! through [`bridge`].

mod app;
mod bridge;
mod components;
mod examples;
mod highlight;
mod lessons;
mod markdown;
mod panic;
mod rule_docs;
mod scenario_text;
mod share;
mod sim_view;
mod state;
mod storage;
mod wire;
mod worker_client;

fn main() {
    panic::install_hook();
    yew::Renderer::<app::App>::new().render();
}
