#!/usr/bin/env bash
# Makes the Debian package with cpack, checks what it holds, and runs the
# node it ships the way its systemd unit does (from an extracted copy: the
# test does not install it on the machine).
#   package.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d /tmp/tether-deb-XXXXXX)
node_pid=
cleanup() {
  [[ -n $node_pid ]] && kill "$node_pid" 2>/dev/null && wait "$node_pid" || true
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$build" && cpack -G DEB -B "$work/out" >/dev/null)
deb=$(ls "$work"/out/tether-node_*.deb)
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/tether-node ./usr/lib/systemd/system/tether-node.service \
  ./usr/share/tether/tether.conf; do
  grep -q " $f\$" <<<"$contents" || { echo "missing $f" >&2; exit 1; }
done
info=$(dpkg-deb -I "$deb")
grep -q "Package: tether-node" <<<"$info"
grep -q "Depends:.*adduser" <<<"$info"
grep -q "Depends:.*libcaf" <<<"$info"
dpkg-deb -e "$deb" "$work/control"
for s in postinst prerm postrm; do sh -n "$work/control/$s"; done
grep -q "adduser --system" "$work/control/postinst"

# The unit's command line, on the extracted files.
dpkg-deb -x "$deb" "$work/root"
unit="$work/root/usr/lib/systemd/system/tether-node.service"
grep -q "^User=tether" "$unit"
grep -q "^ExecStart=/usr/bin/tether-node --config /etc/tether/tether.conf" "$unit"
conf="$work/tether.conf"
sed -e 's/^listen = .*/listen = 127.0.0.1:0/' \
  -e "s|^data-dir = .*|data-dir = $work/data|" \
  "$work/root/usr/share/tether/tether.conf" >"$conf"
"$work/root/usr/bin/tether-node" --config "$conf" >"$work/node.out" 2>"$work/node.err" &
node_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/node.out" 2>/dev/null && break
  sleep 0.05
done
grep -q "tether-node listening on ws://127.0.0.1:" "$work/node.out"
kill -TERM "$node_pid"
wait "$node_pid"
node_pid=
# It drained and kept its store where the configuration says.
[[ -f $work/data/store.db ]]
echo "package: $(basename "$deb") holds the node, its unit and its configuration"
