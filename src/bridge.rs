//! The JavaScript the app talks to: the editor bundle's `ApimEditor` (CodeMirror 6) and
//! `ApimCodec` (share-link compression) globals, from `static/editor/apim-editor.js`.
//!
//! Every import is `catch`: if the bundle failed to load, a call returns an error instead of
//! trapping, and the editor pane falls back to a plain textarea. Native builds compile these
//! bindings without ever calling them, so `cargo test` needs no bundle.

use crate::markdown;
use crate::state::Problem;
use apim_policy::LineIndex;
use apim_policy::ide::{self, CompletionKind};
use apim_policy::lint::LintOptions;
use serde::Serialize;
use std::cell::{Cell, RefCell};
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
    #[wasm_bindgen(catch, js_namespace = ApimEditor, js_name = selectLine)]
    fn editor_select_line(handle: u32, line: u32) -> Result<(), JsValue>;
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
/// problems list, the outline, later the trace view) can move its cursor, and the lint options
/// completion and hover answer with. Equal when it is the same handle.
#[derive(Clone, Default)]
pub struct EditorBridge {
    handle: Rc<Cell<Option<u32>>>,
    options: Rc<RefCell<Rc<LintOptions>>>,
    /// The diagnostics JSON the editor holds (sent by `set_diagnostics` or answered to the
    /// editor's `lint` of a user edit): the same list is not sent again.
    shown: Rc<RefCell<Option<String>>>,
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
    _lint: Closure<dyn FnMut(String) -> String>,
    _on_fix: Closure<dyn FnMut(u32)>,
    _complete: Closure<dyn FnMut(String, u32) -> JsValue>,
    _hover: Closure<dyn FnMut(String, u32) -> JsValue>,
    _on_format: Closure<dyn FnMut()>,
    _on_run: Closure<dyn FnMut()>,
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
    /// The message as safe inline HTML (`code` spans rendered).
    message_html: String,
    /// The help line as safe inline HTML (it is Markdown with `code` spans).
    help: Option<String>,
    doc_url: Option<&'a str>,
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
            message_html: markdown::inline_to_html(&p.message),
            help: p.help.as_deref().map(markdown::inline_to_html),
            doc_url: p.doc_url.as_deref(),
            fix: p.fix.as_ref().map(|f| f.message.as_str()),
        })
        .collect();
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".to_string())
}

/// One completion as the bridge's completion source reads it (CodeMirror's `Completion`).
#[derive(Serialize)]
struct BridgeCompletion<'a> {
    label: &'a str,
    /// CodeMirror's icon type.
    #[serde(rename = "type")]
    kind: &'static str,
    detail: &'a str,
    /// The documentation as safe HTML.
    info: String,
    apply: &'a str,
    snippet: bool,
}

#[derive(Serialize)]
struct BridgeCompletions<'a> {
    from: usize,
    to: usize,
    items: Vec<BridgeCompletion<'a>>,
}

/// CodeMirror's completion icon for a kind of item.
fn icon(kind: CompletionKind) -> &'static str {
    match kind {
        CompletionKind::Element | CompletionKind::CloseTag => "class",
        CompletionKind::Attribute | CompletionKind::Property => "property",
        CompletionKind::Value => "enum",
        CompletionKind::NamedValue => "constant",
        CompletionKind::Fragment => "namespace",
        CompletionKind::Method => "method",
        CompletionKind::Type => "type",
        CompletionKind::Variable => "variable",
        CompletionKind::Snippet => "keyword",
    }
}

/// The completions at UTF-16 offset `pos` of `text`, as JSON with UTF-16 offsets; `None` when
/// there are none.
pub fn completions_json(text: &str, pos: usize, options: &LintOptions) -> Option<String> {
    let index = LineIndex::new(text);
    let at = index.byte_offset_from_utf16(pos);
    let completions = ide::complete(text, at, options);
    if completions.items.is_empty() {
        return None;
    }
    let list = BridgeCompletions {
        from: index.utf16_offset(completions.from),
        to: index.utf16_offset(completions.to),
        items: completions
            .items
            .iter()
            .map(|i| BridgeCompletion {
                label: &i.label,
                kind: icon(i.kind),
                detail: &i.detail,
                info: markdown::to_html(&i.documentation),
                apply: &i.insert_text,
                snippet: i.snippet,
            })
            .collect(),
    };
    serde_json::to_string(&list).ok()
}

/// Completion and hover, whose code (the core's `ide` and the JSON above) is a lazy chunk
/// (`components/lazy.rs` explains the mechanism), loaded on the first completion or hover.
type IdeAnswer = fn(&str, usize, &LintOptions) -> Option<String>;

#[derive(Clone, Copy)]
struct Ide {
    complete: IdeAnswer,
    hover: IdeAnswer,
}

static IDE: std::sync::OnceLock<Ide> = std::sync::OnceLock::new();

#[wasm_split_helpers::wasm_split(ide, fallible)]
fn ide_chunk() -> Result<Ide, wasm_split_helpers::SplitLoaderError> {
    Ok(Ide {
        complete: completions_json,
        hover: hover_json,
    })
}

/// The editor's answer for `pick`(the loaded chunk) at `pos`: the JSON text (or `undefined`)
/// when the chunk is loaded, else a promise of it, resolved once the chunk has loaded (the
/// editor awaits both; a chunk that cannot load answers nothing).
fn ide_answer(
    pick: fn(&Ide) -> IdeAnswer,
    text: String,
    pos: u32,
    options: Rc<LintOptions>,
) -> JsValue {
    let answer = move |ide: &Ide| match pick(ide)(&text, pos as usize, &options) {
        Some(json) => JsValue::from(json),
        None => JsValue::UNDEFINED,
    };
    if let Some(ide) = IDE.get() {
        return answer(ide);
    }
    wasm_bindgen_futures::future_to_promise(async move {
        Ok(match ide_chunk().await {
            Ok(ide) => answer(IDE.get_or_init(|| ide)),
            Err(_) => JsValue::UNDEFINED,
        })
    })
    .into()
}

#[derive(Serialize)]
struct BridgeHover {
    from: usize,
    to: usize,
    html: String,
}

/// What the hover at UTF-16 offset `pos` shows, as JSON (`{from, to, html}`, UTF-16 offsets).
pub fn hover_json(text: &str, pos: usize, options: &LintOptions) -> Option<String> {
    let index = LineIndex::new(text);
    let hover = ide::hover(text, index.byte_offset_from_utf16(pos), options)?;
    serde_json::to_string(&BridgeHover {
        from: index.utf16_offset(hover.span.start),
        to: index.utf16_offset(hover.span.end),
        html: markdown::to_html(&hover.markdown),
    })
    .ok()
}

/// What the editor calls back into Rust for.
pub struct EditorCallbacks {
    /// The whole text after each user edit.
    pub on_change: Callback<String>,
    /// The index of a problem whose quick fix was chosen in the editor's tooltip.
    pub on_fix: Callback<usize>,
    /// Shift+Alt+F in the editor.
    pub on_format: Callback<()>,
    /// Ctrl/Cmd+Enter in the editor.
    pub on_run: Callback<()>,
}

impl EditorBridge {
    /// Create CodeMirror inside `parent`, holding `text`.
    pub fn attach(
        &self,
        parent: &web_sys::Element,
        text: &str,
        callbacks: EditorCallbacks,
    ) -> Result<Attached, String> {
        let EditorCallbacks {
            on_change,
            on_fix,
            on_format,
            on_run,
        } = callbacks;
        let on_change = Closure::<dyn FnMut(String)>::new(move |text: String| on_change.emit(text));
        let on_fix = Closure::<dyn FnMut(u32)>::new(move |i: u32| {
            on_fix.emit(usize::try_from(i).unwrap_or(usize::MAX));
        });
        let (options, shown) = (self.options.clone(), self.shown.clone());
        let lint = Closure::<dyn FnMut(String) -> String>::new(move |text: String| {
            let options = options.borrow().clone();
            let json = diagnostics_json(&crate::state::problems_of(&text, &options));
            if let Ok(mut shown) = shown.try_borrow_mut() {
                *shown = Some(json.clone());
            }
            json
        });
        let options = self.options.clone();
        let complete =
            Closure::<dyn FnMut(String, u32) -> JsValue>::new(move |text: String, pos: u32| {
                let options = options.borrow().clone();
                ide_answer(|ide| ide.complete, text, pos, options)
            });
        let options = self.options.clone();
        let hover =
            Closure::<dyn FnMut(String, u32) -> JsValue>::new(move |text: String, pos: u32| {
                let options = options.borrow().clone();
                ide_answer(|ide| ide.hover, text, pos, options)
            });
        let on_format = Closure::<dyn FnMut()>::new(move || on_format.emit(()));
        let on_run = Closure::<dyn FnMut()>::new(move || on_run.emit(()));
        let callbacks = js_sys::Object::new();
        for (name, f) in [
            ("onChange", on_change.as_ref()),
            ("lint", lint.as_ref()),
            ("onFix", on_fix.as_ref()),
            ("complete", complete.as_ref()),
            ("hover", hover.as_ref()),
            ("onFormat", on_format.as_ref()),
            ("onRun", on_run.as_ref()),
        ] {
            js_sys::Reflect::set(&callbacks, &name.into(), f).map_err(js_error)?;
        }
        let handle = editor_create(parent, text, &callbacks, "Policy XML").map_err(js_error)?;
        self.handle.set(Some(handle));
        Ok(Attached {
            bridge: self.clone(),
            handle,
            _on_change: on_change,
            _lint: lint,
            _on_fix: on_fix,
            _complete: complete,
            _hover: hover,
            _on_format: on_format,
            _on_run: on_run,
        })
    }

    /// What completion and hover know (named values, fragments, scope); set when it changes.
    pub fn set_options(&self, options: Rc<LintOptions>) {
        *self.options.borrow_mut() = options;
    }

    pub fn set_text(&self, text: &str) {
        if let Some(h) = self.handle.get() {
            // The editor maps its diagnostics through the change: what it holds is no longer
            // what was sent.
            self.shown.replace(None);
            log_err("setText", editor_set_text(h, text));
        }
    }

    pub fn set_diagnostics(&self, problems: &[Problem]) {
        if let Some(h) = self.handle.get() {
            let json = diagnostics_json(problems);
            if self.shown.borrow().as_deref() == Some(json.as_str()) {
                return;
            }
            log_err("setDiagnostics", editor_set_diagnostics(h, &json));
            self.shown.replace(Some(json));
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

    /// Select 1-based line `line` (its text without indentation) of the editor's current text.
    pub fn select_line(&self, line: usize) {
        if let Some(h) = self.handle.get() {
            let line = u32::try_from(line).unwrap_or(u32::MAX);
            log_err("selectLine", editor_select_line(h, line));
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

/// A warning in the browser's console.
pub fn log_error(what: &str, message: &str) {
    gloo::console::warn!(format!("{what}: {message}"));
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
        assert_eq!(d["doc_url"], "#rule/APIM0003");
        assert_eq!(d["fix"], "Change to </a>");
    }

    fn utf16(text: &str, needle: &str) -> usize {
        text[..text.find(needle).unwrap()].encode_utf16().count()
    }

    #[test]
    fn completions_cross_the_bridge_in_utf16_after_non_ascii_text() {
        // 'é' is 2 bytes / 1 unit and '🔑' 4 bytes / 2 units before the cursor.
        let text = "<policies>\n  <!-- café 🔑 -->\n  <inbound>\n    <\n  </inbound>\n</policies>";
        let pos = utf16(text, "<\n  </inbound>") + 1;
        let json: serde_json::Value =
            serde_json::from_str(&completions_json(text, pos, &LintOptions::default()).unwrap())
                .unwrap();
        assert_eq!(json["from"], pos);
        assert_eq!(json["to"], pos);
        let items = json["items"].as_array().unwrap();
        let set_header = items.iter().find(|i| i["label"] == "set-header").unwrap();
        assert_eq!(set_header["type"], "class");
        assert_eq!(set_header["snippet"], true);
        assert!(set_header["apply"].as_str().unwrap().contains("${1"));
        assert!(set_header["info"].as_str().unwrap().starts_with("<p>"));
        assert!(items.iter().any(|i| i["label"] == "base"));
    }

    #[test]
    fn named_value_completions_come_from_the_options() {
        let text = "<policies><inbound><set-header name=\"é\"><value>{{</value></set-header></inbound></policies>";
        let options = crate::scenario_text::lint_options(
            &crate::scenario_text::parse(
                r#"{"named_values": [{"name": "backend-api-key", "secret": true, "value": "x"}]}"#,
            )
            .unwrap(),
            None,
        );
        let pos = utf16(text, "{{") + 2;
        let json: serde_json::Value =
            serde_json::from_str(&completions_json(text, pos, &options).unwrap()).unwrap();
        let labels: Vec<&str> = json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap())
            .collect();
        assert!(
            labels.iter().any(|l| l.contains("backend-api-key")),
            "{labels:?}"
        );
    }

    #[test]
    fn hover_spans_are_utf16_and_the_markdown_is_html() {
        let text = "<policies>\n  <!-- 😀😀 -->\n  <inbound>\n    <set-header name=\"x\" exists-action=\"override\" />\n  </inbound>\n</policies>";
        let pos = utf16(text, "set-header") + 3;
        let json: serde_json::Value =
            serde_json::from_str(&hover_json(text, pos, &LintOptions::default()).unwrap()).unwrap();
        assert_eq!(json["from"], utf16(text, "set-header"));
        assert_eq!(json["to"], utf16(text, "set-header") + "set-header".len());
        let html = json["html"].as_str().unwrap();
        assert!(html.contains("<strong>set-header</strong>"), "{html}");
        assert!(hover_json(text, utf16(text, "😀") + 1, &LintOptions::default()).is_none());
    }
}
