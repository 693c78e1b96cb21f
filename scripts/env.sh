# Sourced by the build scripts: the environment for a wasm build with trunk, per the toolchain
# that scripts/setup.sh detected. Native builds (cargo test, clippy) do not use this.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck disable=SC1091
. "$ROOT/target/toolchain.env"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
# The wasm build gets its own target dir: sharing one with the native toolchain (another rustc)
# makes each invalidate the other's artifacts.
export CARGO_TARGET_DIR="$ROOT/target/web"
if [ "$APIM_TOOLCHAIN" = debian ]; then
  # Debian's cargo/rustc must win over rustup's proxies for this build only.
  export PATH="$ROOT/node_modules/.bin:/usr/bin:$PATH"
  export CARGO=/usr/bin/cargo RUSTC=/usr/bin/rustc
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-22/bin/wasm-ld
  # Smaller wasm, same behaviour (ARCHITECTURE.md, "Toolchain"): std's size-optimised
  # implementations (same semantics), no file:line:column in panic messages, and derived Debug
  # output cut to the type's name (no `{:?}` output is shown anywhere in the app).
  export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  export RUSTFLAGS="-Zlocation-detail=none -Zfmt-debug=shallow"
fi
if [ "$APIM_TOOLCHAIN" = rustup ]; then
  # The same two flags without rebuilding std (rustup's std is prebuilt; stable rustc accepts -Z
  # flags under RUSTC_BOOTSTRAP, as Debian's does): they apply to this project's crates and their
  # dependencies. v0 symbol names (stable) let scripts/wasm-sizes.mjs attribute generic code to
  # the types it is instantiated for; wasm-opt drops the names, so they cost nothing in dist/.
  export RUSTC_BOOTSTRAP=1
  export RUSTFLAGS="-Zlocation-detail=none -Zfmt-debug=shallow -Csymbol-mangling-version=v0"
fi
