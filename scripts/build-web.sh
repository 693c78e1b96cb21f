#!/usr/bin/env bash
# Build the release web app into dist/ with trunk, offline.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$ROOT"
"$WASM_CARGO" fetch --locked --quiet
trunk build --release --offline --public-url ./ "$@"
