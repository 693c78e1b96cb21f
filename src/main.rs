//! The APIM Policy Playground web app (compiled to wasm32 and bundled by trunk).
//!
//! UI only: components render [`state::State`] and dispatch [`state::Action`]s; every piece of
//! policy knowledge comes from the `apim-policy` crate.

mod app;
mod panic;
mod state;
mod storage;

fn main() {
    panic::install_hook();
    yew::Renderer::<app::App>::new().render();
}
