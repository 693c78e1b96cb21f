//! The one persistence wrapper: namespaced, versioned localStorage keys holding JSON. It logs
//! and carries on when storage is disabled, full or holds garbage; it never panics.

use serde::Serialize;
use serde_json::Value;

const NAMESPACE: &str = "apim-playground";
const VERSION: u32 = 1;

fn key(name: &str) -> String {
    format!("{NAMESPACE}:v{VERSION}:{name}")
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The JSON saved with [`save`]; `None` when absent, not JSON or storage is unavailable.
pub fn load(name: &str) -> Option<Value> {
    let raw = local_storage()?.get_item(&key(name)).ok().flatten()?;
    match serde_json::from_str(&raw) {
        Ok(value) => Some(value),
        Err(err) => {
            gloo::console::warn!(format!("ignoring unreadable saved {name}: {err}"));
            None
        }
    }
}

/// What was saved under `name`, read by `read` (the types' hand-written readers); `None`,
/// with a warning in the console, when it does not read.
pub fn load_as<T>(name: &str, read: impl FnOnce(&Value) -> Result<T, String>) -> Option<T> {
    match read(&load(name)?) {
        Ok(value) => Some(value),
        Err(err) => {
            gloo::console::warn!(format!("ignoring unreadable saved {name}: {err}"));
            None
        }
    }
}

/// Save a value; failures (quota exceeded, storage disabled) are logged, not raised.
pub fn save<T: Serialize>(name: &str, value: &T) {
    let Some(storage) = local_storage() else {
        return;
    };
    match serde_json::to_string(value) {
        Ok(json) => {
            if storage.set_item(&key(name), &json).is_err() {
                gloo::console::warn!(format!(
                    "could not save {name}: storage is full or disabled"
                ));
            }
        }
        Err(err) => gloo::console::warn!(format!("could not serialise {name}: {err}")),
    }
}
