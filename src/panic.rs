//! A panic hook that replaces a dead page with a readable message.
//!
//! The core never panics on input by design (workspace lints deny the usual sources), but if a
//! bug slips through, the user sees what happened and can reload; autosave keeps their work.
//!
//! The reload control is a plain link to the page itself: the page's Content-Security-Policy
//! forbids inline event handlers, and after a panic the wasm instance cannot run callbacks.

use std::fmt::Write;

pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let mut message = String::new();
        let _ = write!(message, "{info}");
        gloo::console::error!(format!("panic: {message}"));
        show_crash(&message);
    }));
}

fn show_crash(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    let Ok(overlay) = document.create_element("div") else {
        return;
    };
    overlay.set_class_name("crash");
    let _ = overlay.set_attribute("role", "alertdialog");
    let _ = overlay.set_attribute("data-testid", "crash");
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    overlay.set_inner_html(&format!(
        "<h2>The playground hit an internal error</h2>\
         <p>Your policy and scenario are saved in this browser. Reload to continue where you left off.</p>\
         <pre>{escaped}</pre>\
         <a class=\"btn\" href=\"\">Reload (keeps your work)</a>"
    ));
    let _ = body.append_child(&overlay);
}
