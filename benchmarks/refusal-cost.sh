#!/usr/bin/env bash
# What one flood datagram costs the node, in CPU time, robust to other work on the machine: the node's own CPU time
# (utime + stime of every thread, /proc/<pid>/stat) over a fixed number of flood datagrams, divided by the datagrams
# sent, and by the datagrams the node took in (its rate-limited and answered UDP counters from /metrics; the rest
# the kernel dropped: a full socket buffer, or the small buffer of a flow the node isolated, docs/limits.md). Time
# spent by other processes does not enter; what the node burns while idle over the same wall time is measured
# first and subtracted. The cost per datagram still depends on how many datagrams one wake-up of the node finds
# (fewer on a quiet machine: a wake-up per datagram costs most), so compare runs made under similar load.
#
# Starts a node with the shipped configuration (conf/node.yaml: 2000 requests/s, burst 4000, per address), warms
# it (answers from 127.0.0.9, then a short flood), measures the idle CPU and, for reference, the CPU of serving one
# client at exactly 2000/s, then floods from 127.0.0.3 in open loop at --flood-rate for --flood-count datagrams,
# --rounds times; prints one JSON line per round and the medians (node cores during the flood, CPU per datagram).
# Of a flood at 50,000/s about 96 % of the datagrams are dropped unanswered (over the rate, and beyond the
# refusals answered at the client's own rate), 2000/s are answered and 2000/s refused with an answer.
#
#   bash benchmarks/refusal-cost.sh [--flood-rate 50000] [--flood-count 1000000] [--rounds 3]
#                                   [--idnode-jar resolver-server/target/idnode.jar] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/node-lib.sh

FLOOD_RATE=50000
FLOOD_COUNT=1000000
ROUNDS=3
BUILD=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --flood-rate) FLOOD_RATE=$2; shift 2 ;;
    --flood-count) FLOOD_COUNT=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --idnode-jar) IDNODE=$2; shift 2 ;;
    --no-build) BUILD=no; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

bench_setup

# The node's UDP datagrams so far: refused by the rate limit (answered or not) plus answered.
udp_datagrams() {
  curl -s "http://127.0.0.1:$WP/metrics" | awk '
    /^idnode_rate_limited_requests_total\{.*protocol="udp"/ {n += $NF}
    /^idnode_requests_total\{.*protocol="udp"/ {n += $NF}
    END {printf "%d\n", n}'
}
flood() {
  java -jar $IDBENCH resolve --protocol udp --target 127.0.0.1:$HP --bind 127.0.0.3 --keys-file "$WORK/keys.txt" \
      --rate "$FLOOD_RATE" --concurrency 4096 --timeout 100ms --warmup 0s --json "$@"
}

java -jar $IDBENCH dataset --count 2000 --shape anchor --out "$WORK/records.jsonl" --keys-out "$WORK/keys.txt"
java -jar "$IDNODE" import --data-dir "$WORK/data" "$WORK/records.jsonl" > /dev/null
node_start java $NODE_JVM_OPTS -jar "$IDNODE" serve --data-dir "$WORK/data"
TICK=$(getconf CLK_TCK)

java -jar $IDBENCH resolve --protocol udp --target 127.0.0.1:$HP --bind 127.0.0.9 --keys-file "$WORK/keys.txt" \
    --rate 1500 --duration 10s --warmup 0s --json > /dev/null
flood --duration 10s > /dev/null
sleep 2

idle_seconds=10
c0=$(node_cpu_ticks); sleep $idle_seconds; c1=$(node_cpu_ticks)
idle_ticks_per_s=$(python3 -c "print(($c1 - $c0) / $idle_seconds)")
# For reference, what serving a client at exactly the shipped rate (2000/s) costs, without a flood.
c0=$(node_cpu_ticks)
java -jar $IDBENCH resolve --protocol udp --target 127.0.0.1:$HP --bind 127.0.0.4 --keys-file "$WORK/keys.txt" \
    --rate 2000 --duration 10s --warmup 0s --json > "$WORK/at-rate.json"
c1=$(node_cpu_ticks)
at_rate_cores=$(python3 -c "import json; d = json.load(open('$WORK/at-rate.json'))['duration_s']; print(round(($c1 - $c0 - $idle_ticks_per_s * d) / $TICK / d, 3))")

: > "$WORK/rounds.jsonl"
for round in $(seq 1 "$ROUNDS"); do
  d0=$(udp_datagrams); t0=$(date +%s.%N); c0=$(node_cpu_ticks)
  flood --requests "$FLOOD_COUNT" > "$WORK/flood.json"
  c1=$(node_cpu_ticks); t1=$(date +%s.%N); sleep 1; d1=$(udp_datagrams)
  python3 - "$c0" "$c1" "$t0" "$t1" "$d0" "$d1" "$TICK" "$idle_ticks_per_s" "$WORK/flood.json" "$round" <<'PY' | tee -a "$WORK/rounds.jsonl"
import json, sys
c0, c1, t0, t1, d0, d1, tick, idle, flood, rnd = sys.argv[1:]
wall = float(t1) - float(t0)
cpu = (int(c1) - int(c0) - float(idle) * wall) / int(tick)
received = int(d1) - int(d0)
f = json.load(open(flood))
sent = f["requests"]
print(json.dumps({"round": int(rnd), "flood_sent": sent, "node_received": received,
                  "node_cores_during_flood": round(cpu / f["duration_s"], 3),
                  "wall_s": round(wall, 2), "node_cpu_s": round(cpu, 2),
                  "node_cpu_us_per_sent": round(cpu * 1e6 / sent, 2) if sent else None,
                  "node_cpu_us_per_received": round(cpu * 1e6 / received, 2) if received else None,
                  "flood_answered": f["successes"], "flood_errors": f["errors_by_code"]}))
PY
done
python3 - "$WORK/rounds.jsonl" "$IDNODE" "$FLOOD_RATE" "$idle_ticks_per_s" "$TICK" "$at_rate_cores" <<'PY'
import json, os, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def median(key):
    values = [r[key] for r in rows if r[key] is not None]
    return statistics.median(values) if values else None
print(json.dumps({"idnode_jar": sys.argv[2], "flood_rate": int(sys.argv[3]),
                  "node_idle_cpu_percent": round(100 * float(sys.argv[4]) / int(sys.argv[5]), 2),
                  "median_node_cores_during_flood": median("node_cores_during_flood"),
                  "node_cores_at_rate_alone": float(sys.argv[6]),
                  "median_node_cpu_us_per_sent": median("node_cpu_us_per_sent"),
                  "median_node_cpu_us_per_received": median("node_cpu_us_per_received"),
                  "median_received_fraction": statistics.median(r["node_received"] / r["flood_sent"] for r in rows),
                  "load_average": os.getloadavg()}))
PY
