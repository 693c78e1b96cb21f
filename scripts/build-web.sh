#!/usr/bin/env bash
# Build the release web app into dist/ with trunk, offline.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$ROOT"
"$WASM_CARGO" fetch --locked --quiet
if [ "$APIM_TOOLCHAIN" = debian ]; then
  # -Zbuild-std compiles std from source, with std's own dependencies (dlmalloc, …) from its own
  # Cargo.lock: fetch those too, or the offline build fails on a machine that never had them.
  "$WASM_CARGO" fetch --quiet --manifest-path "$("$RUSTC" --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"
fi
trunk build --release --offline --public-url ./ "$@"
