#!/usr/bin/env bash
# The limits' timing claim (issue 7): while one client floods, the flooder is throttled and a well-behaved client
# at a fixed rate from another address keeps its p99 within 2x of its unloaded value.
#
# Starts a node with the shipped configuration (conf/node.yaml: production limits, 2000 requests/s per address and
# protocol), then for each protocol (Handle UDP, HTTP) runs one well-behaved client for the whole measurement (idbench
# open loop at --polite-rate from 127.0.0.2, latency from the intended send time, each 100 ms of its latencies kept in
# an HdrHistogram interval log) while the script switches the other clients on and off, in --rounds rounds of three
# phases of --phase seconds each:
#   alone                  nobody else sends;
#   flood                  a second idbench process floods from 127.0.0.3 (UDP: open loop at --flood-rate; HTTP:
#                          closed loop on --flood-concurrency keep-alive connections);
#   beside_client_at_rate  for reference, another well-behaved client uses its whole allowance evenly (open loop at
#                          --at-rate, 95 % of the shipped 2000/s, from 127.0.0.4): what any client at that rate costs
#                          the others.
# The flooder and the reference client are started (and warmed up) once and paused outside their phases (SIGSTOP,
# SIGCONT; with idbench's --no-catch-up a resumed client goes on at its rate instead of sending what fell due while it
# was stopped). Alternating the phases within one client process and one node puts every condition through the same
# minutes of this machine's varying latency, which separate runs one after the other could not. `idbench phases` then
# pools the client's latencies by label (100-ms intervals that cross a switch are left out and counted). Reported per
# protocol: each label's pooled p99 and every phase's own p99, the flood's p99 over the client's alone, the client's
# errors, the flooder's answers and refusals (SERVER_TOO_BUSY / 429), and the node's CPU time in each label's phases
# (/proc/<pid>/stat), in benchmarks/results/limits-<date>.md and .json. Everything runs on 127.0.0.x.
#
# By default node, flooder and client share the machine, so the flooder's own CPU and GC pauses also take CPU from the
# node and the client: the flood's p99 is an upper bound. With --pin the flooder and the reference client run on CPU 0
# and the node and the client on the other CPUs (taskset), as if they were another host. With --other-clients-idle
# they run at the kernel's idle scheduling priority (chrt --idle: they get a CPU only when nothing else wants it) on
# every CPU, the nearest this machine comes to another host without giving the node fewer CPUs: the flood's sending
# costs the node and the client nothing, but on loopback the kernel's receive work for a datagram or segment runs
# mostly in the sender's system call, at the sender's priority, so the node is spared that share of a real flood's
# cost too. The results file says which mode was used.
#
#   bash benchmarks/limits-check.sh [--rounds 4] [--phase 10] [--polite-rate 500] [--flood-rate 50000]
#                                   [--flood-concurrency 128] [--count 20000] [--at-rate 1900]
#                                   [--pin | --other-clients-idle] [--idnode-jar resolver-server/target/idnode.jar]
#                                   [--no-build] [--name NAME]
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/node-lib.sh

ROUNDS=4
PHASE=10
NAME=
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
    --rounds) ROUNDS=$2; shift 2 ;;
    --phase) PHASE=$2; shift 2 ;;
    --name) NAME=$2; shift 2 ;;
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
node_start env IDNODE_LOGGING_DIR="$WORK/logs" "${ON_NODE_CPUS[@]}" java $NODE_JVM_OPTS -jar $IDNODE serve --data-dir "$WORK/data"

RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
TOTAL=$((ROUNDS * 3 * PHASE))
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
  # The other clients, started together, 4 s of warm-up, then paused until their phases; their measured time ends a
  # few seconds after the last phase, when they are resumed to finish. No `timeout` wrapper: the signals must reach
  # the java process itself (taskset and chrt exec it).
  others=(--target 127.0.0.1:$port --keys-file "$WORK/keys.txt" --duration "$((TOTAL + 10))s" --warmup 4s --no-catch-up --json)
  if [ "$protocol" = udp ]; then
    flood=(--rate "$FLOOD_RATE" --concurrency 4096 --timeout 100ms)
  else
    flood=(--concurrency "$FLOOD_CONCURRENCY")
  fi
  "${AS_OTHER_CLIENT[@]}" java -jar $IDBENCH resolve --protocol "$protocol" --bind 127.0.0.3 "${flood[@]}" "${others[@]}" \
      > "$WORK/flood-$protocol.json" &
  FLOOD_PID=$!
  "${AS_OTHER_CLIENT[@]}" java -jar $IDBENCH resolve --protocol "$protocol" --bind 127.0.0.4 --rate "$AT_RATE" --concurrency 128 \
      "${others[@]}" > "$WORK/at-rate-$protocol.json" &
  AT_RATE_PID=$!
  sleep 5
  kill -STOP "$FLOOD_PID" "$AT_RATE_PID"
  "${ON_NODE_CPUS[@]}" timeout $((TOTAL + 120)) java -jar $IDBENCH resolve --protocol "$protocol" --target 127.0.0.1:$port \
      --bind 127.0.0.2 --keys-file "$WORK/keys.txt" --rate "$POLITE_RATE" --concurrency 64 --duration "$((TOTAL + 2))s" \
      --warmup 2s --json --histogram-log "$WORK/client-$protocol.hlog" > "$WORK/client-$protocol.json" &
  CLIENT_PID=$!
  # The log's header appears when the client's timeline starts; its measured part begins 2 s later.
  until [ -s "$WORK/client-$protocol.hlog" ]; do
    kill -0 "$CLIENT_PID" 2>/dev/null || { echo "the well-behaved client stopped before measuring" >&2; exit 1; }
    sleep 0.05
  done
  sleep 2.5
  : > "$WORK/phases-$protocol.txt"
  : > "$WORK/cpu-$protocol.txt"
  for _ in $(seq 1 "$ROUNDS"); do
    for label in alone flood beside_client_at_rate; do
      pid=
      [ "$label" = flood ] && pid=$FLOOD_PID
      [ "$label" = beside_client_at_rate ] && pid=$AT_RATE_PID
      [ -n "$pid" ] && kill -CONT "$pid"
      t0=$(date +%s%3N); c0=$(node_cpu_seconds)
      sleep "$PHASE"
      [ -n "$pid" ] && kill -STOP "$pid"
      echo "$label $t0 $(date +%s%3N)" >> "$WORK/phases-$protocol.txt"
      echo "$label $c0 $(node_cpu_seconds)" >> "$WORK/cpu-$protocol.txt"
    done
  done
  wait "$CLIENT_PID"
  kill -CONT "$FLOOD_PID" "$AT_RATE_PID"
  wait "$FLOOD_PID" "$AT_RATE_PID"
  FLOOD_PID=; AT_RATE_PID=
  split=$(java -jar $IDBENCH phases --histogram-log "$WORK/client-$protocol.hlog" --phases "$WORK/phases-$protocol.txt" --json)
  echo "{\"protocol\": \"$protocol\", \"client\": $(cat "$WORK/client-$protocol.json"), \"phases\": $split, \"flood\": $(cat "$WORK/flood-$protocol.json"), \"client_at_rate\": $(cat "$WORK/at-rate-$protocol.json")}" >> "$RESULTS"
  echo "$protocol done"
done

DATE=$(date -u +%Y-%m-%d)
OUT=benchmarks/results/limits-$DATE
[ "$PIN" = yes ] && OUT=$OUT-pinned
[ "$IDLE" = yes ] && OUT=$OUT-idle
[ -n "$NAME" ] && OUT=benchmarks/results/$NAME
python3 - "$RESULTS" "$OUT" "$POLITE_RATE" "$FLOOD_CONCURRENCY" "$ROUNDS" "$PHASE" "$COUNT" "$FLOOD_RATE" "$FLOOD_CPUS" "$NODE_CPUS" \
    "$AT_RATE" "$IDLE" "$WORK" <<'PY'
import collections, json, sys, os, platform
results, out, rate, conc, rounds, phase, count, flood_rate, flood_cpus, node_cpus, at_rate, idle, work = sys.argv[1:]
LABELS = ("alone", "flood", "beside_client_at_rate")

if flood_cpus:
    pinning = f"pinned: flooder and reference client on CPU {flood_cpus}, node and client on CPUs {node_cpus} (taskset)"
elif idle == "yes":
    pinning = "flooder and reference client at idle scheduling priority (chrt --idle), all sharing every CPU"
else:
    pinning = "unpinned: node, flooder and client share every CPU"
machine = {"cpus": os.cpu_count(), "machine": platform.machine(), "kernel": platform.release(),
           "java": os.popen("java -version 2>&1 | head -1").read().strip(),
           "load_average_at_end": os.getloadavg()}
flood_seconds = int(rounds) * float(phase)

def refused(result):
    return sum(v for k, v in result["errors_by_code"].items() if k in ("3", "http_429"))

rows, summary = [], []
for line in open(results):
    r = json.loads(line)
    cpu = collections.defaultdict(float)
    for l in open(f"{work}/cpu-{r['protocol']}.txt"):
        label, before, after = l.split()
        cpu[label] += float(after) - float(before)
    r["node_cpu_s"] = {k: round(v, 2) for k, v in cpu.items()}
    rows.append(r)
    labels = {l["label"]: l for l in r["phases"]["labels"]}
    alone, flood, beside = (labels[k] for k in LABELS)
    f = r["flood"]
    summary.append({"protocol": r["protocol"],
                    "alone_p99_us": alone["p99_us"], "flood_p99_us": flood["p99_us"], "beside_p99_us": beside["p99_us"],
                    "ratio": flood["p99_us"] / alone["p99_us"] if alone["p99_us"] else None,
                    "ratio_to_beside": flood["p99_us"] / beside["p99_us"] if beside["p99_us"] else None,
                    "phase_p99_us": {k: labels[k]["phase_p99_us"] for k in LABELS},
                    "answers": {k: labels[k]["answers"] for k in LABELS},
                    "straddling_intervals": r["phases"]["straddling_intervals"],
                    "client_requests": r["client"]["requests"], "client_errors": r["client"]["errors"],
                    "flood_requests": f["requests"], "flood_refused": refused(f), "flood_answered_ok": f["successes"],
                    "flood_unanswered": f["errors_by_code"].get("timeout", 0),
                    "client_at_rate_requests": r["client_at_rate"]["requests"],
                    "client_at_rate_refused": refused(r["client_at_rate"]),
                    "node_cpu_s": r["node_cpu_s"]})
doc = {"date": out.rsplit("/", 1)[1], "pinning": pinning, "polite_rate": float(rate), "flood_rate_udp": float(flood_rate),
       "flood_concurrency_http": int(conc), "at_rate": float(at_rate), "rounds": int(rounds), "phase_s": float(phase),
       "identifiers": int(count), "machine": machine, "summary": summary, "runs": rows}
json.dump(doc, open(out + ".json", "w"), indent=2)
with open(out + ".md", "w") as fo:
    fo.write(f"# Limits check {doc['date']}\n\n")
    fo.write(f"Node with the shipped limits (2000 requests/s, burst 4000, per address and protocol); {count} anchor identifiers. "
             f"One well-behaved client (idbench open loop at {rate}/s from 127.0.0.2) throughout, in {rounds} rounds of three "
             f"{phase}-s phases: alone; while a flooder (a second idbench process from 127.0.0.3: UDP open loop at {flood_rate}/s, "
             f"HTTP closed loop on {conc} keep-alive connections) runs; beside another well-behaved client at {at_rate}/s (its "
             f"whole allowance, evenly, from 127.0.0.4). Flooder and reference client are paused (SIGSTOP) outside their phases. "
             f"Each label's percentiles pool its phases (`idbench phases`); the client's 100-ms intervals that cross a switch are "
             f"left out. One machine, {pinning} ({machine['cpus']} CPUs, {machine['java']}; load average at the end "
             f"{machine['load_average_at_end'][0]:.1f}).\n\n")
    fo.write("| protocol | client p99 alone µs | beside a client at its rate µs | during flood µs | flood / alone | flood / beside "
             "| p99 of each phase, µs: alone; flood; beside | client answers alone / flood / beside | client errors "
             "| flooder requests | refused (too busy / 429) | unanswered (dropped) | flooder answered | answered per flood second "
             "| reference client refused | node CPU s alone / flood / beside |\n")
    fo.write("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    for s in summary:
        ratio = f"{s['ratio']:.2f}" if s["ratio"] is not None else "-"
        beside = f"{s['ratio_to_beside']:.2f}" if s["ratio_to_beside"] is not None else "-"
        per_phase = "; ".join(", ".join(str(v) for v in s["phase_p99_us"][k]) for k in LABELS)
        answers = " / ".join(str(s["answers"][k]) for k in LABELS)
        cpu = " / ".join(str(s["node_cpu_s"].get(k, "-")) for k in LABELS)
        fo.write(f"| {s['protocol']} | {s['alone_p99_us']} | {s['beside_p99_us']} | {s['flood_p99_us']} | {ratio} | {beside} "
                 f"| {per_phase} | {answers} | {s['client_errors']} of {s['client_requests']} | {s['flood_requests']} "
                 f"| {s['flood_refused']} | {s['flood_unanswered']} | {s['flood_answered_ok']} "
                 f"| {s['flood_answered_ok'] / flood_seconds:.0f} | {s['client_at_rate_refused']} | {cpu} |\n")
    fo.write(f"\nThe flooder's and the reference client's counts include about a second before the first phase and after the "
             f"last (both running then); \"per flood second\" divides the flooder's answers by the {flood_seconds:.0f} s of flood "
             f"phases.\n")
print(open(out + ".md").read())
PY
echo "wrote $OUT.md and $OUT.json"
