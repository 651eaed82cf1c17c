#!/usr/bin/env bash
# Tether's two commands:
#   ./tether.sh run [NODE OPTIONS...]  install what is missing, build, start a node
#   ./tether.sh test                   install what is missing, build, run every test
#   ./tether.sh test --sanitize        the same under ASan+UBSan (build-asan); --tsan:
#                                      TSan, 2 I/O + 2 actor threads (build-tsan)
#   ./tether.sh install [PACKAGE...]   only install what is missing (and these)
#   ./tether.sh fuzz [SECONDS]         build the libFuzzer targets, run each SECONDS (30)
set -euo pipefail
cd "$(dirname "$0")"

# Debian 12 packages the build and the tests need (chromium: the browser
# tests, tests/browser; lld: the faster linker, see CMakeLists.txt).
PACKAGES=(g++ cmake make ccache
  libcaf-dev libboost-dev libboost-system-dev libboost-program-options-dev
  libmsgpack-cxx-dev libssl-dev nlohmann-json3-dev catch2 libsqlite3-dev sqlite3 openssl
  pkg-config dpkg-dev chromium lld)
BUILD_DIR=${TETHER_BUILD_DIR:-build}
CMAKE_ARGS=(-DCMAKE_BUILD_TYPE=Release)
# ccache hashes the compiler's command line, absolute paths included: with
# paths made relative to the checkout, every clone shares one cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$p")
  done
  # Node and npm bundle the browser client; any install of them will do.
  command -v npm >/dev/null || missing+=(nodejs npm)
  if [ ${#missing[@]} -eq 0 ]; then
    js_modules
    return 0
  fi
  say "installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "Missing packages. Run as root:" >&2
      echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  js_modules
}

# The browser client's build tools and test driver (esbuild, playwright-core)
# exactly as clients/js/package-lock.json names them, whenever it changed.
js_modules() {
  local dir=clients/js
  [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ] && return 0
  say "installing the browser client's npm packages (npm ci)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

build() {
  say "building (${CMAKE_ARGS[*]}) in $BUILD_DIR"
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S . -B "$BUILD_DIR" "${CMAKE_ARGS[@]}" >/dev/null
  fi
  cmake --build "$BUILD_DIR" -j "$(nproc)"
}

case "${1:-}" in
  run)
    shift
    install_missing
    # Build output goes to stderr: the node's first stdout line is its URL.
    build >&2
    say "starting tether-node (Ctrl-C stops it)"
    exec "$BUILD_DIR/tools/tether-node/tether-node" "$@"
    ;;
  install)
    shift
    PACKAGES+=("$@")
    install_missing
    ;;
  test)
    # --sanitize, --tsan: build dir, flags and options in tests/sanitizers/env.sh.
    if [ $# -gt 1 ]; then . tests/sanitizers/env.sh "$2"; fi
    install_missing
    build
    say "running the tests"
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc)" --timeout 300
    ;;
  fuzz)
    # clang and libFuzzer build apart, in build-fuzz (docs/fuzzing.md).
    PACKAGES+=(clang-14 libfuzzer-14-dev)
    install_missing
    exec tests/fuzz/run.sh "${2:-30}"
    ;;
  *)
    echo "usage: ./tether.sh run [NODE OPTIONS...] | ./tether.sh test [--sanitize | --tsan]" \
      "| ./tether.sh install [PACKAGE...] | ./tether.sh fuzz [SECONDS]" >&2
    exit 2
    ;;
esac
