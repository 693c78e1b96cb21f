#!/usr/bin/env bash
# Install whatever `make run` / `make test` need and is missing; fast and silent when all is there.
#
# Two kinds of machine are supported and detected:
#   rustup  - rustup has (or can add) the wasm32-unknown-unknown target: the ordinary path.
#   debian  - rustup has no wasm32 target and cannot download one (this project's CI machines):
#             Debian's rustc-web 1.96 + rust-web-src build std for wasm32 with -Zbuild-std, and
#             lld-22's wasm-ld links it (see ARCHITECTURE.md, "Toolchain").
# The choice is written to target/toolchain.env, which scripts/env.sh reads.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TRUNK_VERSION=0.22.1
BINARYEN_VERSION=132

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] error:\033[0m %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ -z "$APT_UPDATED" ]; then
    log "apt-get update"
    $SUDO apt-get update -qq >/dev/null || true
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

apt_has_candidate() {
  command -v apt-cache >/dev/null || return 1
  local c
  c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [ -n "$c" ] && [ "$c" != "(none)" ]
}

mkdir -p target

# --- 1. a Rust toolchain that can build wasm32 ------------------------------------------------
debian_ready() {
  [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -x /usr/lib/llvm-22/bin/wasm-ld ] \
    && [ -d /usr/lib/rustlib/src/rust/library ] \
    && /usr/bin/rustc --version 2>/dev/null | grep -q '^rustc 1\.9[6-9]\|^rustc 1\.[1-9][0-9][0-9]'
}

MODE=""
if [ -n "${APIM_TOOLCHAIN:-}" ]; then
  MODE=$APIM_TOOLCHAIN
elif command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  MODE=rustup
elif debian_ready; then
  MODE=debian
elif apt_has_candidate rustc-web && apt_has_candidate rust-web-src && apt_has_candidate lld-22; then
  # rustup here cannot download targets (its `target add` hangs), so do not even try it.
  apt_install rustc-web cargo-web rust-web-src lld-22
  debian_ready || die "Debian's rustc-web/rust-web-src/lld-22 installed but not usable"
  MODE=debian
elif command -v rustup >/dev/null; then
  log "rustup target add wasm32-unknown-unknown"
  timeout 600 rustup target add wasm32-unknown-unknown || die "could not add the wasm32 target with rustup"
  MODE=rustup
else
  die "no Rust toolchain that can build wasm32: install rustup (https://rustup.rs) and run 'rustup target add wasm32-unknown-unknown'"
fi

if [ "$MODE" = debian ]; then
  WASM_CARGO=/usr/bin/cargo
else
  WASM_CARGO=$(command -v cargo)
fi
cat > target/toolchain.env <<ENV
APIM_TOOLCHAIN=$MODE
WASM_CARGO=$WASM_CARGO
ENV

# --- 2. Node packages (playwright-core, binaryen's wasm-opt, the editor bundle's sources) ------
command -v node >/dev/null || apt_install nodejs npm || die "Node.js 20+ is needed (https://nodejs.org)"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
[ -x node_modules/.bin/wasm-opt ] || die "node_modules/.bin/wasm-opt missing (binaryen@$BINARYEN_VERSION in package.json)"

# --- 3. Chromium for the browser tests ---------------------------------------------------------
if [ -z "${CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  if apt_has_candidate chromium; then
    apt_install chromium chromium-driver
  elif ! command -v google-chrome >/dev/null && ! command -v chromium >/dev/null; then
    die "no Chromium found: install it, or set CHROMIUM=/path/to/chrome"
  fi
fi

# --- 4. wasm-bindgen CLI: exactly the version in Cargo.lock ------------------------------------
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
[ -n "$WBG_VERSION" ] || die "wasm-bindgen not found in Cargo.lock"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WBG_VERSION" ]; then
  log "installing wasm-bindgen-cli $WBG_VERSION (about 5 minutes)"
  # Not --locked: its lock file wants a webpki-roots release that registry mirrors may lack.
  cargo install --quiet --force wasm-bindgen-cli --version "$WBG_VERSION" >&2
fi

# --- 4b. wasm-split-cli: splits the app's wasm into the first-load module and the panels'
# chunks (scripts/build-app.mjs). Its version is recorded by cargo, which has no --version.
WASM_SPLIT_VERSION=0.2.4
if ! cargo install --list 2>/dev/null | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:" \
    || ! command -v wasm-split-cli >/dev/null; then
  log "installing wasm-split-cli $WASM_SPLIT_VERSION (about 2 minutes)"
  cargo install --quiet --force --locked wasm_split_cli_support --version "$WASM_SPLIT_VERSION" \
    --features build-binary >&2
fi

# --- 5. trunk ----------------------------------------------------------------------------------
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION (about 25 minutes on two cores; once per machine)"
  # Fat LTO (trunk's default) takes 20+ minutes longer on two cores and buys nothing here.
  # trunk 0.22 asks for Rust 1.96.1; 1.96.0 builds it fine.
  # With Debian's cargo, rustup's rustc proxy must stay out of the way: some crates ship a
  # rust-toolchain file that makes the proxy ask for a toolchain that is not installed.
  TRUNK_ENV=()
  if [ "$MODE" = debian ]; then TRUNK_ENV=(PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc); fi
  env "${TRUNK_ENV[@]}" CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    "$WASM_CARGO" install --quiet --force --locked trunk --version "$TRUNK_VERSION" --ignore-rust-version >&2
fi

# --- 6. Python's jsonschema: the export tests validate ARM templates against Microsoft's schemas
# (pip, not apt: Debian bookworm's python3-jsonschema 4.10 is older than the 4.18 it needs).
command -v python3 >/dev/null || apt_install python3 python3-pip || die "python3 is needed by the export tests"
python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip || die "pip is needed to install jsonschema"
if ! python3 -c 'import importlib.metadata as m, referencing; assert tuple(int(x) for x in m.version("jsonschema").split(".")[:2]) >= (4, 18)' 2>/dev/null; then
  log "pip install jsonschema>=4.18"
  python3 -m pip install --quiet 'jsonschema>=4.18' >&2 \
    || python3 -m pip install --quiet --break-system-packages 'jsonschema>=4.18' >&2 \
    || die "could not install jsonschema>=4.18 (python3 -m pip install 'jsonschema>=4.18')"
fi

# --- 7. Real Bicep and Terraform parsers: tests/export_iac_parsers.rs parses every exported
# Bicep file with pycep-parser and every Terraform file with python-hcl2
# (crates/apim-policy/tests/fixtures/iac_check.py). Pinned: both build on lark, and these two
# versions were tested together with Python 3.11 (lark 1.3.1).
PYCEP_VERSION=0.7.1
HCL2_VERSION=8.1.4
if ! python3 -c "import importlib.metadata as m; assert m.version('pycep-parser') == '$PYCEP_VERSION' and m.version('python-hcl2') == '$HCL2_VERSION'" 2>/dev/null; then
  log "pip install pycep-parser==$PYCEP_VERSION python-hcl2==$HCL2_VERSION"
  python3 -m pip install --quiet "pycep-parser==$PYCEP_VERSION" "python-hcl2==$HCL2_VERSION" >&2 \
    || python3 -m pip install --quiet --break-system-packages "pycep-parser==$PYCEP_VERSION" "python-hcl2==$HCL2_VERSION" >&2 \
    || die "could not install pycep-parser==$PYCEP_VERSION and python-hcl2==$HCL2_VERSION"
fi

log "ready ($MODE toolchain)"
