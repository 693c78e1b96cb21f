//! The simulator's web worker, seen from the app: started the first time the Simulate tab
//! shows (or Run is pressed), it loads its own wasm module (`sim-worker_loader.js`, built from
//! `src/worker.rs` by trunk), so the page's first load does not carry the simulator. Requests
//! and replies are JSON text ([`crate::sim_wire`]); replies come back as `Action::SimDone`.
//!
//! The worker says `ready` once it listens; a request made before that waits here. If the
//! worker cannot load or stops (a trap), the pending run fails with a message and the next
//! run starts a new worker.

use crate::sim_wire::{Reply, Request};
use crate::state::Action;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::Callback;

/// The worker's loader script, next to index.html (trunk does not hash worker file names).
const WORKER_URL: &str = "sim-worker_loader.js";

struct Client {
    worker: web_sys::Worker,
    ready: bool,
    /// Set by the error handler: replace the worker before the next request.
    dead: bool,
    queued: Option<String>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

/// Start the worker if it is not running, so that the first Run does not wait for it.
pub fn warm_up(dispatch: &Callback<Action>) {
    CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        if c.as_ref().is_none_or(|client| client.dead) {
            if let Some(old) = c.take() {
                old.worker.terminate();
            }
            match start(dispatch.clone()) {
                Ok(client) => *c = Some(client),
                Err(e) => dispatch.emit(Action::SimFailed(format!(
                    "the simulator could not be started: {e}"
                ))),
            }
        }
    });
}

/// Send a run to the worker (starting it if needed).
pub fn send(request: &Request, dispatch: &Callback<Action>) {
    warm_up(dispatch);
    let json = match serde_json::to_string(request) {
        Ok(j) => j,
        Err(e) => {
            dispatch.emit(Action::SimFailed(e.to_string()));
            return;
        }
    };
    CLIENT.with(|c| {
        if let Some(client) = c.borrow_mut().as_mut() {
            if client.ready {
                post(client, &json, dispatch);
            } else {
                // Only the latest request matters.
                client.queued = Some(json);
            }
        }
    });
}

fn post(client: &Client, json: &str, dispatch: &Callback<Action>) {
    if let Err(e) = client.worker.post_message(&JsValue::from_str(json)) {
        dispatch.emit(Action::SimFailed(crate::bridge::js_error(e)));
    }
}

fn start(dispatch: Callback<Action>) -> Result<Client, String> {
    let worker = web_sys::Worker::new(WORKER_URL).map_err(crate::bridge::js_error)?;
    let on_message = {
        let dispatch = dispatch.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let Some(text) = e.data().as_string() else {
                return;
            };
            if text == "ready" {
                let queued = CLIENT.with(|c| {
                    let mut c = c.borrow_mut();
                    let client = c.as_mut()?;
                    client.ready = true;
                    let json = client.queued.take()?;
                    post(client, &json, &dispatch);
                    Some(())
                });
                let _ = queued;
                return;
            }
            match serde_json::from_str::<Reply>(&text) {
                Ok(reply) => dispatch.emit(Action::SimDone(reply)),
                Err(e) => dispatch.emit(Action::SimFailed(format!(
                    "the simulator's answer could not be read: {e}"
                ))),
            }
        })
    };
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        e.prevent_default();
        CLIENT.with(|c| {
            if let Some(client) = c.borrow_mut().as_mut() {
                client.dead = true;
                client.queued = None;
            }
        });
        let message = e.message();
        dispatch.emit(Action::SimFailed(if message.is_empty() {
            "the simulator could not be loaded or stopped unexpectedly".to_string()
        } else {
            format!("the simulator stopped: {message}")
        }));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Client {
        worker,
        ready: false,
        dead: false,
        queued: None,
        _on_message: on_message,
        _on_error: on_error,
    })
}
