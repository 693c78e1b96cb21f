//! The simulator's web worker (binary `sim-worker`, built by trunk as a worker with a loader
//! shim): it answers each message, a [`wire::Request`] as JSON text, with a
//! [`wire::Reply`], after saying `ready`. Everything the simulator needs (the expression
//! interpreter, the mock Key Vault, JWT, Liquid) lives in this module's wasm only, which the
//! app loads when the Simulate tab is first opened (`src/worker_client.rs`).

#[path = "wire.rs"]
mod wire;

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Some(request) = e.data().as_string() {
                let _ = reply_to.post_message(&JsValue::from_str(&wire::answer(&request)));
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page: its handler must too.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}

/// Natively the worker has nothing to do; its logic is tested through `wire::answer`.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let _ = wire::answer;
}
