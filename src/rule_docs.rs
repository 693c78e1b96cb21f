//! Rule documentation inside the app: every diagnostic code in the core's rule registry has a
//! page at `#rule/<CODE>` (the hover's and the problems list's links), rendered by
//! `components::rule_page`.
//!
//! The page's header (code, name, severity, summary) comes from the registry's `Rule`, which the
//! linter carries anyway. The long-form part (each rule's explanation and its bad and good
//! examples, the core's `RuleDoc`s: about a sixth of the app's wasm data) is not compiled into
//! the app: it is [`FILE`] next to `index.html` (`static/rule-docs.json`, generated from the
//! registry and kept current by this module's tests), fetched by a relative URL the first time a
//! rule page opens, so it works from any static host and sub-path, offline included, within the
//! page's `connect-src 'self'`.

use apim_policy::catalog::Scope;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The fragment prefix of a rule page.
pub const PREFIX: &str = "#rule/";

/// The documentation file, relative to the page (trunk copies `static/rule-docs.json` there).
pub const FILE: &str = "rule-docs.json";

/// The in-page link to a code's rule page, when the registry has the code.
pub fn href(code: &str) -> Option<String> {
    apim_policy::lint::rule(code).map(|r| format!("{PREFIX}{}", r.code))
}

/// The code of a `#rule/<CODE>` address fragment.
pub fn code_of(hash: &str) -> Option<&str> {
    hash.strip_prefix(PREFIX).filter(|c| !c.is_empty())
}

/// One rule's long-form documentation, as [`FILE`] carries it (the core's `RuleDoc`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    /// Markdown paragraphs.
    pub explanation: String,
    pub bad: Example,
    pub good: Example,
}

/// An example of a rule's page (the core's `Example`, without how the core's tests check it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Example {
    /// The text the page shows and loads into the editor; empty when it is not shown.
    pub source: String,
    /// The scope it is checked at.
    pub scope: Option<Scope>,
    /// Declared named values (name, secret); `None` = unknown.
    pub named_values: Option<Vec<(String, bool)>>,
    /// Declared fragments; `None` = unknown.
    pub fragments: Option<Vec<String>>,
    /// Declared backend ids; `None` = unknown.
    pub backends: Option<Vec<String>>,
}

/// Every rule's documentation, by code.
pub type Docs = BTreeMap<String, Rc<Doc>>;

/// Read [`FILE`]'s text.
pub fn decode(text: &str) -> Result<Docs, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let rules = v.as_object().ok_or("not a JSON object")?;
    let mut docs = Docs::new();
    for (code, doc) in rules {
        let example = |key: &str| -> Result<Example, String> {
            let e = doc
                .get(key)
                .ok_or_else(|| format!("{code} has no {key} example"))?;
            Ok(Example {
                source: e
                    .get("source")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                scope: e
                    .get("scope")
                    .and_then(Value::as_str)
                    .and_then(Scope::from_name),
                named_values: e.get("named_values").and_then(Value::as_array).map(|nvs| {
                    nvs.iter()
                        .filter_map(|nv| {
                            Some((nv.get(0)?.as_str()?.to_string(), nv.get(1)?.as_bool()?))
                        })
                        .collect()
                }),
                fragments: e.get("fragments").and_then(Value::as_array).map(|f| {
                    f.iter()
                        .filter_map(|name| Some(name.as_str()?.to_string()))
                        .collect()
                }),
                backends: e.get("backends").and_then(Value::as_array).map(|b| {
                    b.iter()
                        .filter_map(|id| Some(id.as_str()?.to_string()))
                        .collect()
                }),
            })
        };
        let explanation = doc
            .get("explanation")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{code} has no explanation"))?;
        docs.insert(
            code.clone(),
            Rc::new(Doc {
                explanation: explanation.to_string(),
                bad: example("bad")?,
                good: example("good")?,
            }),
        );
    }
    Ok(docs)
}

thread_local! {
    /// [`FILE`] once it has been read: a page opened later shows at once.
    static LOADED: RefCell<Option<Rc<Docs>>> = const { RefCell::new(None) };
}

/// The documentation if it has been fetched already.
pub fn loaded() -> Option<Rc<Docs>> {
    LOADED.with(|l| l.borrow().clone())
}

/// Fetch [`FILE`] (once: later calls answer from memory; a failure is not remembered, so the
/// next rule page tries again).
pub async fn load() -> Result<Rc<Docs>, String> {
    if let Some(docs) = loaded() {
        return Ok(docs);
    }
    let text = fetch_text(FILE).await?;
    let docs = Rc::new(decode(&text).map_err(|e| format!("{FILE} is not readable: {e}"))?);
    LOADED.with(|l| *l.borrow_mut() = Some(docs.clone()));
    Ok(docs)
}

pub(crate) async fn fetch_text(url: &str) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let failed = |e: wasm_bindgen::JsValue| {
        e.as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| "the request failed".to_string())
    };
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(|_| "not a response")?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    text.as_string().ok_or_else(|| "not text".to_string())
}

/// [`FILE`]'s text, generated from the core's registry (`static/rule-docs.json` is this).
#[cfg(test)]
pub fn encode() -> String {
    use serde_json::json;
    let example = |e: &apim_policy::lint::Example| {
        let mut out = serde_json::Map::new();
        out.insert("source".into(), json!(e.source));
        if let Some(scope) = e.scope {
            out.insert("scope".into(), json!(scope.name()));
        }
        if let Some(nvs) = e.named_values {
            out.insert("named_values".into(), json!(nvs));
        }
        if let Some(fragments) = e.fragments {
            out.insert("fragments".into(), json!(fragments));
        }
        if let Some(backends) = e.backends {
            out.insert("backends".into(), json!(backends));
        }
        Value::Object(out)
    };
    let mut all = serde_json::Map::new();
    for d in apim_policy::lint::docs() {
        all.insert(
            d.code.to_string(),
            json!({
                "explanation": d.explanation,
                "bad": example(&d.bad),
                "good": example(&d.good),
            }),
        );
    }
    let mut text = serde_json::to_string_pretty(&Value::Object(all)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_code_has_a_page_and_others_none() {
        for rule in apim_policy::lint::rules() {
            let link = href(rule.code).unwrap();
            assert_eq!(code_of(&link), Some(rule.code));
        }
        assert_eq!(href("NOPE0000"), None);
        assert_eq!(code_of("#rule/"), None);
        assert_eq!(code_of("#s=abc"), None);
    }

    /// `static/rule-docs.json` is what the registry says.
    /// Regenerate: `UPDATE_DOCS=1 cargo test -p apim-playground rule_docs`.
    #[test]
    fn the_docs_file_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/rule-docs.json");
        let generated = encode();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "static/rule-docs.json is stale: run UPDATE_DOCS=1 cargo test -p apim-playground rule_docs"
        );
    }

    #[test]
    fn the_docs_file_reads_back_as_the_registry() {
        let docs = decode(&encode()).unwrap();
        assert_eq!(docs.len(), apim_policy::lint::rules().len());
        let same = |a: &Example, b: &apim_policy::lint::Example| {
            a.source == b.source
                && a.scope == b.scope
                && a.named_values
                    == b.named_values.map(|nvs| {
                        nvs.iter()
                            .map(|(n, s)| ((*n).to_string(), *s))
                            .collect::<Vec<_>>()
                    })
                && a.fragments
                    == b.fragments
                        .map(|f| f.iter().map(|s| (*s).to_string()).collect::<Vec<_>>())
                && a.backends
                    == b.backends
                        .map(|f| f.iter().map(|s| (*s).to_string()).collect::<Vec<_>>())
        };
        for d in apim_policy::lint::docs() {
            let read = &docs[d.code];
            assert_eq!(read.explanation, d.explanation, "{}", d.code);
            assert!(same(&read.bad, &d.bad), "{} bad", d.code);
            assert!(same(&read.good, &d.good), "{} good", d.code);
        }
        // Examples with declarations and scopes are among them (so the above compares some).
        assert!(docs.values().any(|d| d.bad.named_values.is_some()));
        assert!(docs.values().any(|d| d.bad.fragments.is_some()));
        assert!(docs.values().any(|d| d.bad.scope.is_some()));
    }

    #[test]
    fn unreadable_docs_are_errors() {
        assert!(decode("").is_err());
        assert!(decode("[]").is_err());
        assert!(decode(r#"{"APIM0001": {"bad": {}, "good": {}}}"#).is_err());
        assert!(decode(r#"{"APIM0001": {"explanation": "x", "good": {}}}"#).is_err());
        let one = decode(r#"{"APIM0001": {"explanation": "x", "bad": {"source": "<a/>", "scope": "product"}, "good": {}}}"#)
            .unwrap();
        assert_eq!(one["APIM0001"].bad.scope, Some(Scope::Product));
        assert_eq!(one["APIM0001"].good, Example::default());
    }
}
