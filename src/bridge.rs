//! The JavaScript the app talks to: the editor bundle's `ApimEditor` (CodeMirror 6) and
//! `ApimCodec` (share-link compression) globals, from `static/editor/apim-editor.js`.
//!
//! Every import is `catch`: if the bundle failed to load, a call returns an error instead of
//! trapping, and the editor pane falls back to a plain textarea. Native builds compile these
//! bindings without ever calling them, so `cargo test` needs no bundle.

use crate::state::Problem;
use serde::Serialize;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use yew::Callback;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ApimEditor, js_name = create)]
    fn editor_create(
        parent: &web_sys::Element,
        text: &str,
        callbacks: &js_sys::Object,
        label: &str,
    ) -> Result<u32, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ApimEditor, js_name = setText)]
    fn editor_set_text(handle: u32, text: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = ApimEditor, js_name = setDiagnostics)]
    fn editor_set_diagnostics(handle: u32, json: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = ApimEditor, js_name = select)]
    fn editor_select(handle: u32, from: u32, to: u32) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = ApimEditor, js_name = focus)]
    fn editor_focus(handle: u32) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = ApimEditor, js_name = destroy)]
    fn editor_destroy(handle: u32) -> Result<(), JsValue>;

    #[wasm_bindgen(catch, js_namespace = ApimCodec, js_name = encode)]
    fn codec_encode(text: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ApimCodec, js_name = decode)]
    fn codec_decode(token: &str) -> Result<js_sys::Promise, JsValue>;
}

/// A shared handle to the one editor, so that components other than the editor pane (the
/// problems list, later the trace view) can move its cursor. Equal when it is the same handle.
#[derive(Clone, Default)]
pub struct EditorBridge {
    handle: Rc<Cell<Option<u32>>>,
}

impl PartialEq for EditorBridge {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.handle, &other.handle)
    }
}

/// A live CodeMirror instance: keeps the JS callbacks alive and destroys the editor on drop.
pub struct Attached {
    bridge: EditorBridge,
    handle: u32,
    _on_change: Closure<dyn FnMut(String)>,
    _on_fix: Closure<dyn FnMut(u32)>,
}

impl Drop for Attached {
    fn drop(&mut self) {
        if self.bridge.handle.get() == Some(self.handle) {
            self.bridge.handle.set(None);
        }
        log_err("destroy", editor_destroy(self.handle));
    }
}

/// One diagnostic as the bridge's `setDiagnostics` reads it.
#[derive(Serialize)]
struct BridgeDiagnostic<'a> {
    from: usize,
    to: usize,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    doc_url: Option<&'static str>,
    /// The quick fix's label, when there is one.
    fix: Option<&'a str>,
}

/// The JSON handed to `ApimEditor.setDiagnostics`.
pub fn diagnostics_json(problems: &[Problem]) -> String {
    let list: Vec<BridgeDiagnostic<'_>> = problems
        .iter()
        .map(|p| BridgeDiagnostic {
            from: p.from,
            to: p.to,
            severity: p.severity.as_str(),
            code: p.code,
            message: &p.message,
            help: p.help.as_deref(),
            doc_url: p.doc_url,
            fix: p.fix.as_ref().map(|f| f.message.as_str()),
        })
        .collect();
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".to_string())
}

impl EditorBridge {
    /// Create CodeMirror inside `parent`. `on_change` gets the whole text after each user edit,
    /// `on_fix` the index of a problem whose quick fix was chosen in the editor's tooltip.
    pub fn attach(
        &self,
        parent: &web_sys::Element,
        text: &str,
        on_change: Callback<String>,
        on_fix: Callback<usize>,
    ) -> Result<Attached, String> {
        let on_change = Closure::<dyn FnMut(String)>::new(move |text: String| on_change.emit(text));
        let on_fix = Closure::<dyn FnMut(u32)>::new(move |i: u32| {
            on_fix.emit(usize::try_from(i).unwrap_or(usize::MAX));
        });
        let callbacks = js_sys::Object::new();
        js_sys::Reflect::set(&callbacks, &"onChange".into(), on_change.as_ref())
            .map_err(js_error)?;
        js_sys::Reflect::set(&callbacks, &"onFix".into(), on_fix.as_ref()).map_err(js_error)?;
        let handle = editor_create(parent, text, &callbacks, "Policy XML").map_err(js_error)?;
        self.handle.set(Some(handle));
        Ok(Attached {
            bridge: self.clone(),
            handle,
            _on_change: on_change,
            _on_fix: on_fix,
        })
    }

    pub fn set_text(&self, text: &str) {
        if let Some(h) = self.handle.get() {
            log_err("setText", editor_set_text(h, text));
        }
    }

    pub fn set_diagnostics(&self, problems: &[Problem]) {
        if let Some(h) = self.handle.get() {
            log_err(
                "setDiagnostics",
                editor_set_diagnostics(h, &diagnostics_json(problems)),
            );
        }
    }

    /// Select the UTF-16 range `from..to`, scroll it into view and focus the editor.
    pub fn select(&self, from: usize, to: usize) {
        if let Some(h) = self.handle.get() {
            let from = u32::try_from(from).unwrap_or(u32::MAX);
            let to = u32::try_from(to).unwrap_or(u32::MAX);
            log_err("select", editor_select(h, from, to));
        }
    }

    pub fn focus(&self) {
        if let Some(h) = self.handle.get() {
            log_err("focus", editor_focus(h));
        }
    }
}

/// Compress text for a share link (deflate-raw + base64url, in the browser).
pub async fn encode(text: &str) -> Result<String, String> {
    let promise = codec_encode(text).map_err(js_error)?;
    let value = JsFuture::from(promise).await.map_err(js_error)?;
    value
        .as_string()
        .ok_or_else(|| "the encoder returned no text".to_string())
}

/// The inverse of [`encode`]; fails on a damaged token.
pub async fn decode(token: &str) -> Result<String, String> {
    let promise = codec_decode(token).map_err(js_error)?;
    let value = JsFuture::from(promise).await.map_err(js_error)?;
    value
        .as_string()
        .ok_or_else(|| "the decoder returned no text".to_string())
}

/// A readable message from a thrown JS value.
pub fn js_error(value: JsValue) -> String {
    if let Some(err) = value.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    value
        .as_string()
        .unwrap_or_else(|| "unknown JavaScript error".to_string())
}

fn log_err(what: &str, result: Result<(), JsValue>) {
    if let Err(e) = result {
        gloo::console::warn!(format!("editor {what}: {}", js_error(e)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    #[test]
    fn diagnostics_cross_the_bridge_as_utf16_json() {
        let state = State::new("<a é=\"1\">\n</b>".to_string());
        let json: serde_json::Value =
            serde_json::from_str(&diagnostics_json(&state.problems)).unwrap();
        let d = json
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "APIM0003")
            .unwrap();
        assert_eq!(d["severity"], "error");
        // "<a é=\"1\">\n</" is 13 bytes but 12 UTF-16 units; the name `b` starts there.
        assert_eq!(d["from"], 12);
        assert!(d["doc_url"].as_str().unwrap().starts_with("https://"));
        assert_eq!(d["fix"], "Change to </a>");
    }
}
