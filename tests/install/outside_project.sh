#!/usr/bin/env bash
# Installs the build into a fresh prefix, builds examples/ against it as a
# project of its own (find_package(Tether)) and a client with pkg-config,
# then runs the installed node and the outside-built greet example.
#   outside_project.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d /tmp/tether-install-XXXXXX)
node_pid=
cleanup() {
  [[ -n $node_pid ]] && kill "$node_pid" 2>/dev/null && wait "$node_pid" || true
  rm -rf "$work"
}
trap cleanup EXIT

cmake --install "$build" --prefix "$work/prefix" --component dev >/dev/null
cmake --install "$build" --prefix "$work/prefix" --component node >/dev/null
# Nothing unprefixed: every header sits under include/tether.
ls "$work/prefix/include" | grep -qx tether
[[ $(ls "$work/prefix/include") == tether ]]

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$src/examples" -B "$work/examples" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}" >/dev/null
cmake --build "$work/examples" -j "$(nproc)" --target greet_node greet_client \
  >/dev/null

# pkg-config finds the same library.
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
pkg-config --exists tether
[[ $(pkg-config --modversion tether) == "$("$work/prefix/bin/tether-node" --version | cut -d' ' -f2)" ]]
# shellcheck disable=SC2046
cxx=(g++)
command -v ccache >/dev/null && cxx=(ccache g++)
"${cxx[@]}" -std=c++17 -O1 -o "$work/greet_client_pc" "$src/examples/greet/greet_client.cpp" \
  $(pkg-config --cflags --libs tether)

# The outside-built node serves; both clients get their answer.
"$work/examples/greet_node" --listen 127.0.0.1:0 --store=none --log-level=warning \
  >"$work/node.out" &
node_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/node.out" 2>/dev/null && break
  sleep 0.05
done
url=$(sed -n 's/.*listening on //p' "$work/node.out" | head -1)
[[ -n $url ]] || { echo "greet_node printed no URL" >&2; exit 1; }
"$work/examples/greet_client" "$url" ada | grep -q "hello, ada"
"$work/greet_client_pc" "$url" bob | grep -q "hello, bob"
echo "outside project: built against $work/prefix, greet answered"
