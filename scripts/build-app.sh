#!/usr/bin/env bash
# trunk's post_build hook (Trunk.toml): the web app's own wasm, built here rather than by trunk's
# rust pipeline because it is split in two steps trunk does not know: the module the page loads
# first, and the chunks loaded when a panel is first opened (src/lazy.rs). See
# scripts/build-app.mjs for the steps.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$ROOT"
: "${TRUNK_STAGING_DIR:?is set by trunk: this script is its post_build hook, run by make web}"
# --emit-relocs for this binary alone: `cargo rustc` passes it to the last crate only, so the
# dependencies stay shared with the worker's build. wasm-split reads the relocations to know
# which functions and data refer to which.
"$WASM_CARGO" rustc --quiet --locked --offline --profile web --target wasm32-unknown-unknown \
  --bin apim-playground -- -C link-arg=--emit-relocs
exec node scripts/build-app.mjs "$CARGO_TARGET_DIR/wasm32-unknown-unknown/web/apim-playground.wasm" \
  "$CARGO_TARGET_DIR/split" "$TRUNK_STAGING_DIR"
