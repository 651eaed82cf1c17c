#!/usr/bin/env bash
# Starts three Tether nodes on loopback that form one cluster, prints their
# client URLs, and stops them all on Ctrl-C. Build first: ./tether.sh test
# (or ./tether.sh run once). Usage: examples/cluster/run.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-build}/tools/tether-node/tether-node
[ -x "$BIN" ] || { echo "no $BIN: build first (./tether.sh test)" >&2; exit 1; }
SECRET=${TETHER_SECRET:-$(openssl rand -hex 32)}
TOKEN=${TETHER_ADMIN_TOKEN:-example-admin-token}
DIR=$(mktemp -d /tmp/tether-cluster-XXXXXX)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait; rm -rf "$DIR"' EXIT

# start NAME [JOIN]: a node on free ports; its two stdout lines go to DIR.
start() {
  local name=$1 join=${2:-}
  "$BIN" --node-name "$name" --listen 127.0.0.1:0 --cluster-listen 127.0.0.1:0 \
    --secret "$SECRET" --admin-token "$TOKEN" --data-dir "$DIR/$name" \
    ${join:+--join "$join"} > "$DIR/$name.out" 2> "$DIR/$name.log" &
  pids+=($!)
  until [ -f "$DIR/$name.out" ] && [ "$(wc -l < "$DIR/$name.out")" -ge 2 ]; do
    sleep 0.05
  done
}
address_of() { sed -n 's/^tether-node cluster on //p' "$DIR/$1.out"; }
url_of() { sed -n 's/^tether-node listening on //p' "$DIR/$1.out"; }

start a
start b "$(address_of a)"
start c "$(address_of b)"
for n in a b c; do
  echo "node $n: clients $(url_of "$n"), cluster $(address_of "$n"), log $DIR/$n.log"
done
port_a=$(url_of a | sed 's|ws://[^:]*:\([0-9]*\)/.*|\1|')
echo
echo "The cluster as node a sees it (admin API):"
sleep 0.5
curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port_a/api/v1/node"
echo
echo
echo "Move a session: curl -X POST -H 'Authorization: Bearer $TOKEN' \\"
echo "  -d '{\"to\": \"b\"}' http://127.0.0.1:$port_a/api/v1/sessions/ID/migrate"
echo "Ctrl-C stops all three."
wait
