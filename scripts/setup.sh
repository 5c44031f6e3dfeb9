#!/usr/bin/env bash
# Installs what building and testing Liaison needs, on a Debian 12 machine that has rustup,
# Node 20/npm and apt. Idempotent: every step that is already done is skipped.
# The pinned versions match Trunk.toml and Cargo.toml. Run as root (or with sudo available).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130

say() { printf 'setup: %s\n' "$*"; }

# Waits while another `cargo install <crate>` is running (a second one would rebuild it in parallel).
wait_for_cargo_install() {
  local crate="$1" waited=0
  while pgrep -f "cargo install .*${crate}( |$)" >/dev/null 2>&1; do
    if [ "$waited" -eq 0 ]; then say "waiting for a running 'cargo install ${crate}' to finish"; fi
    waited=1
    sleep 10
  done
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "setup: '$*' needs root (and sudo is not installed)" >&2; exit 1
  fi
}

# 1. Rust target for the browser.
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  say "wasm32-unknown-unknown target: already installed"
else
  say "wasm32-unknown-unknown target: installing"
  rustup target add wasm32-unknown-unknown
fi

# 1b. rustfmt and clippy, which the test command runs (rustup's default profile has them; minimal does not).
for component in rustfmt clippy; do
  if rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    say "${component}: already installed"
  else
    say "${component}: installing"
    rustup component add "${component}"
  fi
done

# 2. trunk (0.22 needs a newer rustc than 1.95, so stay on 0.21.14).
wait_for_cargo_install trunk
if command -v trunk >/dev/null 2>&1 && trunk --version 2>/dev/null | grep -qw "$TRUNK_VERSION"; then
  say "trunk $TRUNK_VERSION: already installed"
else
  say "trunk $TRUNK_VERSION: installing with cargo (about 10 min)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# 3. wasm-bindgen-cli: must equal the wasm-bindgen crate version exactly. No --locked: its lock
#    file names a webpki-roots release that the registry here does not serve.
wait_for_cargo_install wasm-bindgen-cli
if command -v wasm-bindgen >/dev/null 2>&1 \
   && wasm-bindgen --version 2>/dev/null | grep -qw "$WASM_BINDGEN_VERSION" \
   && command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: already installed"
else
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: installing with cargo (about 6 min)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# 4. Chromium, its WebDriver, brotli (for size reports) and poppler's pdftotext (tests/e2e/print.test.mjs
#    reads each printed page back) from Debian.
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && command -v brotli >/dev/null 2>&1 \
  && command -v pdftotext >/dev/null 2>&1; then
  say "chromium, chromium-driver, brotli, poppler-utils: already installed"
else
  say "chromium, chromium-driver, brotli, poppler-utils: installing with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver brotli poppler-utils
fi

# 5. npm packages: binaryen (wasm-opt 132, used by trunk) and playwright-core (end-to-end tests).
#    A stamp of package.json + package-lock.json tells whether node_modules is current.
if [ ! -f package-lock.json ]; then
  say "npm packages: creating package-lock.json with npm install"
  npm install --no-audit --no-fund
fi
if grep -q '"resolved"' package-lock.json; then
  echo "setup: package-lock.json holds registry URLs (\"resolved\"); regenerate it with omit-lockfile-registry-resolved=true" >&2
  exit 1
fi
stamp="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ -d node_modules ] && [ -f node_modules/.liaison-setup-stamp ] \
   && [ "$(cat node_modules/.liaison-setup-stamp)" = "$stamp" ] \
   && [ -x node_modules/.bin/wasm-opt ] && [ -d node_modules/playwright-core ]; then
  say "npm packages: node_modules is up to date"
else
  say "npm packages: npm ci"
  npm ci --no-audit --no-fund
  printf '%s\n' "$stamp" > node_modules/.liaison-setup-stamp
fi

# 6. The wasm-opt that trunk will find first must be the npm one (Debian's binaryen 108 breaks the app).
if wasm-opt --version 2>/dev/null | grep -q 'version 132'; then
  say "wasm-opt: $(command -v wasm-opt) ($(wasm-opt --version))"
else
  echo "setup: wasm-opt on PATH is not version 132: $(command -v wasm-opt || echo none)" >&2
  exit 1
fi
