#!/usr/bin/env bash
# A federation on this machine, in one command: a top-level node T and two secondary nodes, S1 (88.999) and S2
# (88.998), each a separate `idnode serve` process on 127.0.0.1 with an enterprise prefix and identifiers. S1 and S2
# are registered at T, file with it, and resolve each other's identifiers through it (T's prefix referral).
# See docs/federation.md.
#
#   scripts/federation-demo.sh            # build if needed, start, show, keep running until Ctrl-C
#   scripts/federation-demo.sh --no-wait  # start, show, stop
#
# Environment: DEMO_DIR (work folder; default a new temporary folder), DEMO_BASE_PORT (default 24000; the nodes use
# BASE+1..3, BASE+11..13, BASE+21..23 for Handle, HTTP, gRPC).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR="$ROOT/resolver-server/target/idnode.jar"
WORK=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/idnode-federation-demo.XXXXXX")}
BASE=${DEMO_BASE_PORT:-24000}
WAIT=yes
[ "${1:-}" = "--no-wait" ] && WAIT=no

if [ ! -f "$JAR" ]; then
  echo "== building idnode (mvn -q -DskipTests package)"
  (cd "$ROOT" && mvn -q -DskipTests package)
fi
mkdir -p "$WORK"
cd "$WORK"
PIDS=()
stop() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop EXIT

idnode() { java -jar "$JAR" "$@"; }

# node_config NAME HANDLE_PORT HTTP_PORT GRPC_PORT NODE_KEYS FEDERATION: writes NAME.yaml
node_config() {
  cat > "$1.yaml" <<YAML
node: {name: "demo node $1"$5}
data-dir: $WORK/$1
listen: {bind: 127.0.0.1, handle-port: $2, http-port: $3, grpc-port: $4}
store: {block-cache-mb: 16}
templates: {dir: "$ROOT/conf/templates"}
federation: $6
YAML
}

start_node() { # NAME
  idnode serve --config "$1.yaml" > "$1.out" 2> "$1.log" &
  PIDS+=($!)
  for _ in $(seq 1 120); do
    grep -q '^ready$' "$1.out" 2>/dev/null && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || { echo "node $1 did not start:"; cat "$1.log"; exit 1; }
    sleep 0.5
  done
  echo "node $1 did not report ready within 60 s"; cat "$1.log"; exit 1
}

T_HDL=$((BASE+1)); T_HTTP=$((BASE+2)); T_GRPC=$((BASE+3))
S1_HDL=$((BASE+11)); S1_HTTP=$((BASE+12)); S1_GRPC=$((BASE+13))
S2_HDL=$((BASE+21)); S2_HTTP=$((BASE+22)); S2_GRPC=$((BASE+23))

echo "== preparing the data folders in $WORK"
node_config t "$T_HDL" "$T_HTTP" "$T_GRPC" "" "{role: top-level}"
idnode operator add --config t.yaml --admin-secret demo-top-level > /dev/null
T_TOKEN=$(idnode token add 0.NA --name demo --config t.yaml)

for s in s1:88.999:$S1_HDL:$S1_HTTP:$S1_GRPC s2:88.998:$S2_HDL:$S2_HTTP:$S2_GRPC; do
  IFS=: read -r name prefix hdl http grpc <<< "$s"
  node_config "$name" "$hdl" "$http" "$grpc" ", prefixes: [\"$prefix\"]" \
              "{top-level: \"127.0.0.1:$T_HDL\", filing: {backoff-min-ms: 200, backoff-max-ms: 2000}}"
  idnode operator add --config "$name.yaml" --admin-secret "demo-$name" > /dev/null
  idnode token add "$prefix" --name demo --config "$name.yaml" > "$name.token"
done
idnode prefix add 88.999.1 --enterprise "Demo Laminate Co." --admin-secret demo-laminate --config s1.yaml > /dev/null
idnode prefix add 88.998.1 --enterprise "Demo PCB Fab" --admin-secret demo-fab --config s2.yaml > /dev/null
cat > s1.jsonl <<'JSON'
{"handle": "88.999.1/CCL.LOT.250601.0001", "values": [{"index": 1, "type": "URL", "data": {"format": "string", "value": "https://laminate.example.com/lots/250601-0001"}, "ttl": 3600}, {"index": 2, "type": "DESC", "data": {"format": "string", "value": "FR-4 copper-clad laminate lot, 1.6 mm, 1 oz"}, "ttl": 3600}]}
JSON
cat > s2.jsonl <<'JSON'
{"handle": "88.998.1/PCB.LOT.250610.0042", "values": [{"index": 1, "type": "URL", "data": {"format": "string", "value": "https://fab.example.com/lots/250610-0042"}, "ttl": 3600}, {"index": 2, "type": "REF.CCL_LOT", "data": {"format": "string", "value": "88.999.1/CCL.LOT.250601.0001"}, "ttl": 3600}]}
JSON
idnode import s1.jsonl --config s1.yaml > /dev/null
idnode import s2.jsonl --config s2.yaml > /dev/null

echo "== starting T (top level, 127.0.0.1:$T_HDL), S1 (88.999, 127.0.0.1:$S1_HDL) and S2 (88.998, 127.0.0.1:$S2_HDL)"
start_node t
start_node s1
start_node s2

echo "== registering S1 and S2 at T (their prefix, Handle address and node key: idnode secondary add, online)"
for s in s1:88.999:$S1_HDL s2:88.998:$S2_HDL; do
  IFS=: read -r name prefix hdl <<< "$s"
  key=$(base64 -w0 "$WORK/$name/keys/pubkey.bin")
  curl -sf -X POST -H "Authorization: Bearer $T_TOKEN" "http://127.0.0.1:$T_HTTP/api/admin/federation/secondaries" \
       -d "{\"prefix\":\"$prefix\",\"site\":\"127.0.0.1:$hdl\",\"publicKey\":\"$key\"}" > /dev/null
done

echo "== waiting until both outboxes are empty (their filings applied at T)"
for s in s1:$S1_HTTP s2:$S2_HTTP; do
  IFS=: read -r name http <<< "$s"
  for _ in $(seq 1 120); do
    backlog=$(curl -sf -H "Authorization: Bearer $(cat "$name.token")" "http://127.0.0.1:$http/api/admin/federation/outbox" \
              | sed -n 's/.*"backlog":\([0-9]*\).*/\1/p')
    [ "$backlog" = "0" ] && break
    sleep 0.5
  done
  echo "   $name outbox: $(curl -sf -H "Authorization: Bearer $(cat "$name.token")" "http://127.0.0.1:$http/api/admin/federation/outbox")"
done

echo
echo "== S1 resolves S2's PCB lot (T refers 0.NA/88.998.1 to S2; S1 follows and caches):"
echo "   curl http://127.0.0.1:$S1_HTTP/api/handles/88.998.1/PCB.LOT.250610.0042"
curl -s "http://127.0.0.1:$S1_HTTP/api/handles/88.998.1/PCB.LOT.250610.0042"; echo
echo "== S2 resolves the laminate lot it references, held by S1:"
curl -s "http://127.0.0.1:$S2_HTTP/api/handles/88.999.1/CCL.LOT.250601.0001"; echo
echo "== T's ledger of S1's filings:"
curl -s -H "Authorization: Bearer $T_TOKEN" "http://127.0.0.1:$T_HTTP/api/admin/federation/secondaries/88.999/filings"; echo
echo "== CNRI's HDLTrace in its own JVM, given only T as its root:"
idnode client-config --config t.yaml --out hdl-client > /dev/null
java -Dnet.handle.configDir="$WORK/hdl-client" -cp "$JAR" net.handle.apps.simple.HDLTrace 88.998.1/PCB.LOT.250610.0042 2>&1 | sed 's/^/   /' | tail -n 25

echo
echo "Nodes: T http://127.0.0.1:$T_HTTP  S1 http://127.0.0.1:$S1_HTTP  S2 http://127.0.0.1:$S2_HTTP  (logs: $WORK/*.log)"
echo "Operator tokens: T $T_TOKEN; S1 $(cat s1.token); S2 $(cat s2.token)"
if [ "$WAIT" = yes ]; then
  echo "Press Ctrl-C to stop the three nodes."
  wait
fi
