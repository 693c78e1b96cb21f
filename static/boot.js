// Starts the app. trunk names the wasm-bindgen glue and the .wasm (with content hashes) in this
// tag's data attributes (Trunk.toml, pattern_script). A file rather than trunk's default inline
// loader, so the Content-Security-Policy needs no inline script.
const tag = document.querySelector('script[data-wasm]');

function fail(err) {
  console.error(err);
  const box = document.getElementById('loading');
  if (!box) return;
  box.classList.add('failed');
  box.textContent = `The playground could not start (${err?.message ?? err}). It needs a current ` +
    'browser with WebAssembly enabled: Chrome, Edge, Firefox or Safari.';
}

try {
  const glue = await import(tag.dataset.js);
  await glue.default({ module_or_path: tag.dataset.wasm });
} catch (err) {
  fail(err);
}
