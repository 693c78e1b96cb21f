# The two commands of README.md, and the steps they are made of.
#   make run   build the release web app and serve it on http://127.0.0.1:8080
#   make test  everything CI checks: fmt, clippy, native tests, release dist/, browser tests
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PORT ?= 8080
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

.PHONY: run test setup fmt-check clippy test-native editor web test-browser serve clean

run: setup web serve

test: setup fmt-check clippy test-native web test-browser
	@echo "make test: all checks passed"

setup:
	@scripts/setup.sh

fmt-check:
	cargo fmt --all --check

clippy:
	cargo clippy --locked --workspace --all-targets -- -D warnings

test-native:
	cargo test --locked --workspace

# The CodeMirror bundle alone, into target/editor/ (to inspect it; trunk's post_build hook
# builds it into dist/).
editor:
	node scripts/build-editor.mjs target/editor

web:
	scripts/build-web.sh

test-browser:
	node --test --test-concurrency=1 tests/

serve:
	node tests/serve.mjs --port $(PORT) dist

clean:
	rm -rf target dist
