#!/usr/bin/env bash
# The limits' timing claim (issue 7): while one client floods, the flooder is throttled and a well-behaved client
# at a fixed rate from another address keeps its p99 within 2x of its unloaded value.
#
# Starts a node with the shipped configuration (conf/node.yaml: production limits, 2000 requests/s per address and
# protocol), then for each protocol (Handle UDP, HTTP):
#   1. the well-behaved client alone: idbench open loop at --polite-rate from 127.0.0.2, latency from the intended
#      send time;
#   2. for reference, the same while another well-behaved client from 127.0.0.4 uses its whole allowance evenly
#      (open loop at --at-rate, 95 % of the shipped 2000/s): what any client at the permitted rate costs the others;
#   3. the same while a second idbench process floods from 127.0.0.3 (UDP: open loop at --flood-rate; HTTP: closed
#      loop on --flood-concurrency keep-alive connections);
# and writes both p99s, the flooder's refusals (SERVER_TOO_BUSY / 429) and answers, the CPU time the node used in
# each measurement (/proc/<pid>/stat), and how evenly the flooder's answered requests reached the node (from the
# node's access log: the share of them in the busiest tenth of the flood's 100-ms windows; 10 % when perfectly
# even) to benchmarks/results/limits-<date>.md and .json. Everything runs on
# 127.0.0.x. By default node, flooder and client share the machine, so the flooder's own CPU and GC pauses also
# take CPU from the node and the client: the loaded p99 is an upper bound. With --pin the flooder runs on CPU 0 and
# the node and the client on the other CPUs (taskset), as if the flooder were another host. With --other-clients-idle
# the flooder and the reference client run at the kernel's idle scheduling priority (chrt --idle: they get a CPU
# only when nothing else wants it) on every CPU, the nearest this machine comes to another host without giving the
# node fewer CPUs: the flood's sending costs the node and the client nothing, but on loopback the kernel's receive
# work for a datagram or segment runs mostly in the sender's system call, at the sender's priority, so the node is
# spared that share of a real flood's cost too. The results file says which mode was used.
#
#   bash benchmarks/limits-check.sh [--duration 20s] [--polite-rate 500] [--flood-rate 50000] [--flood-concurrency 128]
#                                   [--count 20000] [--at-rate 1900] [--pin | --other-clients-idle]
#                                   [--idnode-jar resolver-server/target/idnode.jar] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/node-lib.sh

DURATION=20s
POLITE_RATE=500
FLOOD_CONCURRENCY=128
FLOOD_RATE=50000
COUNT=20000
AT_RATE=1900
BUILD=yes
PIN=no
IDLE=no
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --polite-rate) POLITE_RATE=$2; shift 2 ;;
    --flood-concurrency) FLOOD_CONCURRENCY=$2; shift 2 ;;
    --flood-rate) FLOOD_RATE=$2; shift 2 ;;
    --count) COUNT=$2; shift 2 ;;
    --at-rate) AT_RATE=$2; shift 2 ;;
    --pin) PIN=yes; shift ;;
    --other-clients-idle) IDLE=yes; shift ;;
    --idnode-jar) IDNODE=$2; shift 2 ;;
    --no-build) BUILD=no; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# How the node and the other clients (the flooder and the reference client) are run. Pinned: the other clients on
# CPU 0, everything else (node, client, warm-up) on the other CPUs; idle: the other clients at idle priority. The
# prefixes are empty otherwise (taskset and chrt exec the command, so $! stays the java process).
NODE_CPUS=; FLOOD_CPUS=; ON_NODE_CPUS=(); AS_OTHER_CLIENT=()
if [ "$PIN" = yes ]; then
  command -v taskset > /dev/null || { echo "--pin needs taskset (util-linux)" >&2; exit 2; }
  CPUS=$(nproc)
  [ "$CPUS" -ge 2 ] || { echo "--pin needs at least 2 CPUs, found $CPUS" >&2; exit 2; }
  FLOOD_CPUS=0
  NODE_CPUS=1-$((CPUS - 1))
  ON_NODE_CPUS=(taskset -c "$NODE_CPUS")
  AS_OTHER_CLIENT=(taskset -c "$FLOOD_CPUS")
fi
[ "$PIN" = yes ] && [ "$IDLE" = yes ] && { echo "--pin and --other-clients-idle exclude each other" >&2; exit 2; }
[ "$IDLE" = yes ] && AS_OTHER_CLIENT=(chrt --idle 0)
# CPU time of the node process so far, all threads, in seconds.
node_cpu_seconds() { awk -v t="$(node_cpu_ticks)" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f\n", t / hz}'; }

bench_setup

java -jar $IDBENCH dataset --count "$COUNT" --shape anchor --out "$WORK/records.jsonl" --keys-out "$WORK/keys.txt"
java -jar $IDNODE import --data-dir "$WORK/data" "$WORK/records.jsonl" > /dev/null
# The shipped configuration, production limits included (conf/node.yaml is read from the working directory); the
# access log goes to the work folder.
node_start env IDNODE_LOGGING_DIR="$WORK/logs" "${ON_NODE_CPUS[@]}" java -Xmx1g -jar $IDNODE serve --data-dir "$WORK/data"

RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
for protocol in udp http; do
  port=$HP; [ "$protocol" = http ] && port=$WP
  # Warm the node's cache and this protocol's path (HTTP keeps each record's JSON once it was asked for) with nearly
  # every key: four addresses of their own (not the client's bucket), each at just under the rate limit, pick some
  # 110,000 keys at random, enough to miss fewer than 1 % of 20,000.
  WARM_PIDS=()
  for warm in 9 10 11 12; do
    "${ON_NODE_CPUS[@]}" timeout 300 java -jar $IDBENCH resolve --protocol "$protocol" --target 127.0.0.1:$port --bind 127.0.0.$warm \
        --keys-file "$WORK/keys.txt" --rate 1900 --duration 15s --warmup 0s --json > /dev/null &
    WARM_PIDS+=($!)
  done
  wait "${WARM_PIDS[@]}"
  polite=(resolve --protocol "$protocol" --target 127.0.0.1:$port --bind 127.0.0.2 --keys-file "$WORK/keys.txt"
          --rate "$POLITE_RATE" --concurrency 64 --duration "$DURATION" --warmup 2s --json)
  cpu0=$(node_cpu_seconds)
  unloaded=$("${ON_NODE_CPUS[@]}" timeout 300 java -jar $IDBENCH "${polite[@]}")
  cpu1=$(node_cpu_seconds)
  # For reference: the same beside another well-behaved client that uses its whole allowance, evenly (open loop at
  # 95 % of the shipped rate, from 127.0.0.4, on the flooder's CPUs): what any client at that rate costs the others.
  "${AS_OTHER_CLIENT[@]}" timeout 300 java -jar $IDBENCH resolve --protocol "$protocol" --target 127.0.0.1:$port --bind 127.0.0.4 \
      --keys-file "$WORK/keys.txt" --rate "$AT_RATE" --concurrency 128 --duration "$DURATION" --warmup 4s --json \
      > "$WORK/at-rate-$protocol.json" &
  AT_RATE_PID=$!
  sleep 3
  beside=$("${ON_NODE_CPUS[@]}" timeout 300 java -jar $IDBENCH "${polite[@]}")
  wait "$AT_RATE_PID"
  AT_RATE_PID=
  # The flood runs a little longer than the measurement on both sides. UDP: open loop at --flood-rate, whatever the
  # node answers (refusals beyond the flooder's own rate are dropped: a short timeout frees their slots). HTTP: closed
  # loop on --flood-concurrency keep-alive connections (the node stops reading a refused connection for a second).
  if [ "$protocol" = udp ]; then
    flood=(--rate "$FLOOD_RATE" --concurrency 4096 --timeout 100ms)
  else
    flood=(--concurrency "$FLOOD_CONCURRENCY")
  fi
  "${AS_OTHER_CLIENT[@]}" timeout 300 java -jar $IDBENCH resolve --protocol "$protocol" --target 127.0.0.1:$port --bind 127.0.0.3 \
      --keys-file "$WORK/keys.txt" "${flood[@]}" --duration "$DURATION" --warmup 4s --json \
      > "$WORK/flood-$protocol.json" &
  FLOOD_PID=$!
  sleep 3
  cpu2=$(node_cpu_seconds)
  loaded=$("${ON_NODE_CPUS[@]}" timeout 300 java -jar $IDBENCH "${polite[@]}")
  cpu3=$(node_cpu_seconds)
  wait "$FLOOD_PID"
  FLOOD_PID=
  cpu_unloaded=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.2f", b - a}')
  cpu_loaded=$(awk -v a="$cpu2" -v b="$cpu3" 'BEGIN {printf "%.2f", b - a}')
  echo "{\"protocol\": \"$protocol\", \"unloaded\": $unloaded, \"beside_client_at_rate\": $beside, \"client_at_rate\": $(cat "$WORK/at-rate-$protocol.json"), \"loaded\": $loaded, \"flood\": $(cat "$WORK/flood-$protocol.json"), \"node_cpu_s_unloaded\": $cpu_unloaded, \"node_cpu_s_loaded\": $cpu_loaded}" >> "$RESULTS"
  echo "$protocol done"
done

DATE=$(date -u +%Y-%m-%d)
OUT=benchmarks/results/limits-$DATE
[ "$PIN" = yes ] && OUT=$OUT-pinned
[ "$IDLE" = yes ] && OUT=$OUT-idle
python3 - "$RESULTS" "$OUT" "$POLITE_RATE" "$FLOOD_CONCURRENCY" "$DURATION" "$COUNT" "$FLOOD_RATE" "$FLOOD_CPUS" "$NODE_CPUS" \
    "$WORK/logs/access.log" "$AT_RATE" "$IDLE" <<'PY'
import collections, json, sys, os, platform, re
results, out, rate, conc, duration, count, flood_rate, flood_cpus, node_cpus, access_log, at_rate, idle = sys.argv[1:]

def flood_evenness(protocol):
    """The flooder's (127.0.0.3) answered requests per 100 ms from the access log (CNRI layout): the share of them in
    the busiest tenth of the windows between its first and last (10 % when perfectly even), and the most in one."""
    line = re.compile(r'^127\.0\.0\.3 ' + protocol.upper() + r':\S* "[\d-]+ (\d\d):(\d\d):(\d\d)\.(\d)')
    windows = collections.Counter()
    try:
        with open(access_log, errors="replace") as f:
            for l in f:
                m = line.match(l)
                if m:
                    h, mi, s, tenth = map(int, m.groups())
                    windows[((h * 60 + mi) * 60 + s) * 10 + tenth] += 1
    except FileNotFoundError:
        return None
    if not windows:
        return None
    series = sorted((windows.get(w, 0) for w in range(min(windows), max(windows) + 1)), reverse=True)
    busiest = sum(series[:max(1, len(series) // 10)])
    return {"busiest_tenth_share": round(busiest / sum(series), 3), "max_per_100ms": series[0]}

if flood_cpus:
    pinning = f"pinned: flooder on CPU {flood_cpus}, node and client on CPUs {node_cpus} (taskset)"
elif idle == "yes":
    pinning = "flooder and reference client at idle scheduling priority (chrt --idle), all sharing every CPU"
else:
    pinning = "unpinned: node, flooder and client share every CPU"
rows = [json.loads(l) for l in open(results) if l.strip()]
machine = {"cpus": os.cpu_count(), "machine": platform.machine(), "kernel": platform.release(),
           "java": os.popen("java -version 2>&1 | head -1").read().strip(),
           "load_average_at_end": os.getloadavg()}
summary = []
for r in rows:
    u, l, f = r["unloaded"], r["loaded"], r["flood"]
    refused = sum(v for k, v in f["errors_by_code"].items() if k in ("3", "http_429"))
    b = r["beside_client_at_rate"]
    summary.append({"protocol": r["protocol"], "unloaded_p99_us": u["p99_us"], "loaded_p99_us": l["p99_us"],
                    "ratio": (l["p99_us"] / u["p99_us"]) if u["p99_us"] else None,
                    "beside_client_at_rate_p99_us": b["p99_us"],
                    "ratio_to_client_at_rate": (l["p99_us"] / b["p99_us"]) if b["p99_us"] else None,
                    "client_at_rate_throughput_per_s": r["client_at_rate"]["throughput_per_s"],
                    "polite_errors_unloaded": u["errors"], "polite_errors_loaded": l["errors"],
                    "flood_requests": f["requests"], "flood_refused": refused, "flood_answered_ok": f["successes"],
                    "flood_unanswered": f["errors_by_code"].get("timeout", 0),
                    "flood_throughput_per_s": f["throughput_per_s"],
                    "node_cpu_s_unloaded": r["node_cpu_s_unloaded"], "node_cpu_s_loaded": r["node_cpu_s_loaded"],
                    "flood_evenness": flood_evenness(r["protocol"])})
doc = {"date": out.rsplit("/", 1)[1], "pinning": pinning, "polite_rate": float(rate), "flood_rate_udp": float(flood_rate),
       "flood_concurrency_http": int(conc), "at_rate": float(at_rate), "duration": duration,
       "identifiers": int(count), "machine": machine, "summary": summary, "runs": rows}
json.dump(doc, open(out + ".json", "w"), indent=2)
with open(out + ".md", "w") as fo:
    fo.write(f"# Limits check {doc['date']}\n\n")
    fo.write(f"Node with the shipped limits (2000 requests/s, burst 4000, per address and protocol); {count} anchor identifiers. "
             f"Well-behaved client: idbench open loop at {rate}/s from 127.0.0.2; for reference another well-behaved client at {at_rate}/s "
             f"(its whole allowance, evenly) from 127.0.0.4; flooder: a second idbench process from 127.0.0.3, "
             f"UDP open loop at {flood_rate}/s, HTTP closed loop on {conc} keep-alive connections; {duration} per measurement. One machine, "
             f"{pinning} ({machine['cpus']} CPUs, {machine['java']}; load average at the end {machine['load_average_at_end'][0]:.1f}).\n\n")
    fo.write("| protocol | client p99 alone µs | client p99 beside a client at its rate µs | client p99 during flood µs | ratio to alone | ratio to beside | client errors alone / during | flooder requests | refused (too busy / 429) | unanswered (dropped) | flooder answered | node CPU s alone / during | flooder's answers in busiest 10 % of 100 ms (max) |\n")
    fo.write("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    for s in summary:
        ratio = f"{s['ratio']:.2f}" if s["ratio"] is not None else "-"
        e = s["flood_evenness"]
        even = f"{100 * e['busiest_tenth_share']:.0f} % ({e['max_per_100ms']})" if e else "-"
        beside = f"{s['ratio_to_client_at_rate']:.2f}" if s["ratio_to_client_at_rate"] is not None else "-"
        fo.write(f"| {s['protocol']} | {s['unloaded_p99_us']} | {s['beside_client_at_rate_p99_us']} | {s['loaded_p99_us']} | {ratio} | {beside} | {s['polite_errors_unloaded']} / "
                 f"{s['polite_errors_loaded']} | {s['flood_requests']} | {s['flood_refused']} | {s['flood_unanswered']} | {s['flood_answered_ok']} | "
                 f"{s['node_cpu_s_unloaded']} / {s['node_cpu_s_loaded']} | {even} |\n")
print(open(out + ".md").read())
PY
echo "wrote $OUT.md and $OUT.json"
