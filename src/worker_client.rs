//! The app's web worker, seen from the app: started the first time the Simulate or Export tab
//! shows (or Run is pressed), it loads its own wasm module (`sim-worker_loader.js`, built from
//! `src/worker.rs` by trunk), so the page's first load carries neither the simulator nor the
//! exporter. Jobs and answers are JSON text ([`crate::wire`]); each job's callback gets its
//! answer's [`Outcome`].
//!
//! The worker says `ready` once it listens; jobs sent before that wait here. If the worker
//! cannot load or stops (a trap), every waiting job gets `Outcome::Failed` and the next job
//! starts a new worker.
//!
//! This client's own code (reading the answers, writing the jobs) is a lazy chunk too
//! (`components/lazy.rs` explains the mechanism): [`send`] and [`warm_up`] load it first, which
//! costs nothing noticeable next to the worker's own module they start loading.

use crate::wire::{Job, Outcome, Task};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::Callback;

/// The worker's loader script, next to index.html (trunk does not hash worker file names).
const WORKER_URL: &str = "sim-worker_loader.js";

struct Client {
    worker: web_sys::Worker,
    ready: bool,
    /// Set by the error handler: replace the worker before the next job.
    dead: bool,
    /// Jobs written before the worker was ready.
    queued: Vec<String>,
    /// Jobs sent and not answered, by ticket.
    waiting: Vec<(u64, Callback<Outcome>)>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
    static TICKETS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// The client's chunk: its two entry points.
#[derive(Clone, Copy)]
struct Api {
    send: fn(Task, Callback<Outcome>),
    warm_up: fn(),
}

static LOADED: std::sync::OnceLock<Api> = std::sync::OnceLock::new();

#[wasm_split_helpers::wasm_split(worker_client, fallible)]
fn client_chunk() -> Result<Api, wasm_split_helpers::SplitLoaderError> {
    Ok(Api {
        send: send_now,
        warm_up: warm_up_now,
    })
}

/// Run `f` with the client's chunk: at once when it is loaded, else once it has loaded;
/// `failed` if it cannot be (the page went offline).
fn with_client(f: impl FnOnce(&Api) + 'static, failed: impl FnOnce(String) + 'static) {
    if let Some(client) = LOADED.get() {
        return f(client);
    }
    yew::platform::spawn_local(async move {
        match client_chunk().await {
            Ok(client) => f(LOADED.get_or_init(|| client)),
            Err(e) => failed(format!("the simulator's code could not be loaded ({e})")),
        }
    });
}

/// Start the worker if it is not running, so that the first job does not wait for it.
pub fn warm_up() {
    with_client(
        |client| (client.warm_up)(),
        |why| crate::bridge::log_error("worker", &why),
    );
}

/// Send a job to the worker (starting it if needed); `on_answer` gets its outcome.
pub fn send(task: Task, on_answer: Callback<Outcome>) {
    let failed = on_answer.clone();
    with_client(
        move |client| (client.send)(task, on_answer),
        move |why| failed.emit(Outcome::Failed(why)),
    );
}

fn warm_up_now() {
    let failed = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        if c.as_ref().is_some_and(|client| !client.dead) {
            return Vec::new();
        }
        let waiting = c.take().map(|old| {
            old.worker.terminate();
            old.waiting
        });
        match start() {
            Ok(client) => {
                *c = Some(client);
                waiting.unwrap_or_default()
            }
            Err(e) => {
                crate::bridge::log_error("worker", &e);
                waiting.unwrap_or_default()
            }
        }
    });
    fail(failed, "the simulator stopped");
}

fn send_now(task: Task, on_answer: Callback<Outcome>) {
    warm_up_now();
    let ticket = TICKETS.with(|t| {
        t.set(t.get() + 1);
        t.get()
    });
    let json = match serde_json::to_string(&Job { ticket, task }) {
        Ok(j) => j,
        Err(e) => return on_answer.emit(Outcome::Failed(e.to_string())),
    };
    let refused = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        let Some(client) = c.as_mut() else {
            return Some("the worker could not be started".to_string());
        };
        client.waiting.push((ticket, on_answer.clone()));
        if client.ready {
            post(client, &json).err()
        } else {
            client.queued.push(json);
            None
        }
    });
    if let Some(why) = refused {
        take_waiting(Some(ticket));
        on_answer.emit(Outcome::Failed(why));
    }
}

fn post(client: &Client, json: &str) -> Result<(), String> {
    client
        .worker
        .post_message(&JsValue::from_str(json))
        .map_err(crate::bridge::js_error)
}

/// Remove and return the callbacks waiting for `ticket` (all of them when `None`).
fn take_waiting(ticket: Option<u64>) -> Vec<Callback<Outcome>> {
    CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        let Some(client) = c.as_mut() else {
            return Vec::new();
        };
        let (taken, kept) = std::mem::take(&mut client.waiting)
            .into_iter()
            .partition(|(t, _)| ticket.is_none_or(|want| *t == want));
        client.waiting = kept;
        taken.into_iter().map(|(_, cb)| cb).collect()
    })
}

/// Answer every callback with a failure (outside any borrow of the client).
fn fail(callbacks: Vec<(u64, Callback<Outcome>)>, why: &str) {
    for (_, cb) in callbacks {
        cb.emit(Outcome::Failed(why.to_string()));
    }
}

fn on_message(text: String) {
    if text == "ready" {
        let errors = CLIENT.with(|c| {
            let mut c = c.borrow_mut();
            let Some(client) = c.as_mut() else {
                return Vec::new();
            };
            client.ready = true;
            std::mem::take(&mut client.queued)
                .into_iter()
                .filter_map(|json| post(client, &json).err())
                .collect::<Vec<_>>()
        });
        if let Some(e) = errors.first() {
            for cb in take_waiting(None) {
                cb.emit(Outcome::Failed(e.clone()));
            }
        }
        return;
    }
    match crate::wire::read_answer(&text) {
        Ok(answer) => {
            for cb in take_waiting(Some(answer.ticket)) {
                cb.emit(answer.outcome.clone());
            }
        }
        Err(e) => {
            let why = format!("the worker's answer could not be read: {e}");
            for cb in take_waiting(None) {
                cb.emit(Outcome::Failed(why.clone()));
            }
        }
    }
}

fn start() -> Result<Client, String> {
    let worker = web_sys::Worker::new(WORKER_URL).map_err(crate::bridge::js_error)?;
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
            if let Some(text) = e.data().as_string() {
                on_message(text);
            }
        });
    // An `ErrorEvent` when the worker traps; a plain `Event` when its script cannot be loaded.
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        e.prevent_default();
        CLIENT.with(|c| {
            if let Some(client) = c.borrow_mut().as_mut() {
                client.dead = true;
                client.queued.clear();
            }
        });
        let message = js_sys::Reflect::get(&e, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default();
        let why = if message.is_empty() {
            "the simulator could not be loaded or stopped unexpectedly".to_string()
        } else {
            format!("the simulator stopped: {message}")
        };
        for cb in take_waiting(None) {
            cb.emit(Outcome::Failed(why.clone()));
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Client {
        worker,
        ready: false,
        dead: false,
        queued: Vec::new(),
        waiting: Vec::new(),
        _on_message: on_message,
        _on_error: on_error,
    })
}
