#!/usr/bin/env bash
# The standard performance suite, from a fresh checkout: builds, generates a dataset, imports it, starts
# a node, drives it with idbench over UDP, TCP (keep-alive and a connection per request), HTTP and gRPC, runs
# the same harness against its trivial responder (the ceiling), measures durable batch registration over
# REST and the gRPC bulk stream, and writes
# benchmarks/results/<date>.md and .json. Everything runs on 127.0.0.1.
#
#   bash benchmarks/run-suite.sh [--count N] [--shape anchor|realistic] [--duration 10s] [--warmup steady|D] [--runs 1]
#                                [--register-count N] [--register-warmup N] [--register-concurrency N]
#                                [--access-log cnri|json|off] [--name NAME] [--no-build]
#
# Defaults: 100000 identifiers of the 'anchor' shape (6 values, ~380-byte answers, as in
# performance-anchors.md), 10 s per measurement after an unrecorded warm-up until the rate stops rising (idbench's
# --warmup steady: 2 s windows until two in a row gain less than 5 %, at most 60 s; node and ceiling alike, since every
# idbench and ceiling responder is a new JVM, and a cold gRPC client pushes a tenth of a warm one), 1 run each, 500000
# registrations per protocol from 4 concurrent senders after 500000 unmeasured ones on the same idbench JVM, the
# access log on as conf/node.yaml ships it (cnri; the node writes it into the work folder). Before the first measurement every key is
# resolved once over UDP and each protocol is driven for 15 s unrecorded, so that the record cache holds the whole
# data set and the node's paths are compiled: the figures are steady state, not start-up. The report is
# benchmarks/results/<date>.md, or <NAME>.md with --name.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/node-lib.sh

COUNT=100000
SHAPE=anchor
DURATION=10s
WARMUP=steady
RUNS=1
NAME=
REGISTER_COUNT=500000
REGISTER_WARMUP=500000
REGISTER_CONCURRENCY=4
ACCESS_LOG=cnri
BUILD=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT=$2; shift 2 ;;
    --shape) SHAPE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --name) NAME=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --register-count) REGISTER_COUNT=$2; shift 2 ;;
    --register-warmup) REGISTER_WARMUP=$2; shift 2 ;;
    --register-concurrency) REGISTER_CONCURRENCY=$2; shift 2 ;;
    --access-log) ACCESS_LOG=$2; shift 2 ;;
    --no-build) BUILD=no; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

bench_setup

echo "dataset: $COUNT identifiers, shape $SHAPE"
java -jar $IDBENCH dataset --count "$COUNT" --shape "$SHAPE" --out "$WORK/records.jsonl" --keys-out "$WORK/keys.txt"
java -jar $IDNODE import --data-dir "$WORK/data" "$WORK/records.jsonl"
# An enterprise prefix and an API token for the registration runs.
java -jar $IDNODE prefix add 88.999.9 --enterprise "Benchmark registrations" --admin-secret bench --data-dir "$WORK/data" > /dev/null
TOKEN=$(java -jar $IDNODE token add 88.999.9 --name bench --data-dir "$WORK/data" 2> /dev/null)

# benchmarks/node-bench.yaml (conf/node.yaml's settings without the per-client rate limit: the generator is one
# address), with the logs in the work folder.
cp benchmarks/node-bench.yaml "$WORK/node.yaml"
printf 'logging:\n  dir: "%s"\n  access: %s\n' "$WORK/logs" "$ACCESS_LOG" >> "$WORK/node.yaml"
node_start java $NODE_JVM_OPTS -jar $IDNODE serve --config "$WORK/node.yaml" --data-dir "$WORK/data"

# name | idbench arguments (the ceiling runs the same arguments against the trivial responder)
SUITE=(
  "udp|--protocol udp --concurrency 128"
  "tcp|--protocol tcp --concurrency 32"
  "tcp-new-connection|--protocol tcp --tcp-new-connection --concurrency 32"
  "http|--protocol http --concurrency 64"
  "grpc|--protocol grpc --concurrency 128"
)
# Warm-up, unrecorded: every key once, in order (fills the record cache), then each protocol's path.
fill_cache "$WORK/keys.txt" "$COUNT"
# The same over REST: a record's first REST answer decides once how its JSON is written (kept with the cached
# record), so that REST, like the Handle protocols, is measured with every answer prepared.
java -jar $IDBENCH resolve --protocol http --concurrency 64 --threads 1 --keys sequential --target 127.0.0.1:$WP \
    --keys-file "$WORK/keys.txt" --requests "$COUNT" --warmup 0s --json > /dev/null
for entry in "${SUITE[@]}"; do
  name=${entry%%|*}; args=${entry#*|}
  port=$HP; [ "$name" = http ] && port=$WP; [ "$name" = grpc ] && port=$GP
  # shellcheck disable=SC2086
  timeout 180 java -jar $IDBENCH resolve $args --target 127.0.0.1:$port --keys-file "$WORK/keys.txt" --duration 15s --warmup 0s --json > /dev/null
done
echo "warm-up done"

RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
for run in $(seq 1 "$RUNS"); do
  for entry in "${SUITE[@]}"; do
    name=${entry%%|*}; args=${entry#*|}
    port=$HP; [ "$name" = http ] && port=$WP; [ "$name" = grpc ] && port=$GP
    # shellcheck disable=SC2086
    node=$(timeout 180 java -jar $IDBENCH resolve $args --target 127.0.0.1:$port --keys-file "$WORK/keys.txt" --duration "$DURATION" --warmup "$WARMUP" --json)
    # shellcheck disable=SC2086
    ceiling=$(timeout 180 java -jar $IDBENCH ceiling $args --keys-file "$WORK/keys.txt" --duration "$DURATION" --warmup "$WARMUP" --json)
    echo "{\"run\": $run, \"name\": \"$name\", \"node\": $node, \"ceiling\": $ceiling}" >> "$RESULTS"
    echo "$name run $run done"
  done
done
# Durable batch registration: batches of 1000, each acknowledged only after the WAL write holding it was synced.
# Concurrent batches may share one sync (RocksDB's group commit); the node's sync counter says how often they did.
REGISTRATIONS="$WORK/registrations.jsonl"
: > "$REGISTRATIONS"
for run in $(seq 1 "$RUNS"); do
  for protocol in http grpc; do
    target=$WP; [ "$protocol" = grpc ] && target=$GP
    syncs_before=$(node_metric idnode_store_wal_syncs_total)
    line=$(timeout 600 java -jar $IDBENCH register --protocol "$protocol" --target 127.0.0.1:$target --token "$TOKEN" \
        --prefix 88.999.9 --count "$REGISTER_COUNT" --warmup-count "$REGISTER_WARMUP" --batch 1000 \
        --concurrency "$REGISTER_CONCURRENCY" --json)
    echo "${line%\}}, \"wal_syncs\": $(( $(node_metric idnode_store_wal_syncs_total) - syncs_before ))}" >> "$REGISTRATIONS"
  done
  echo "registration run $run done"
done
NODE_RSS_KB=$(ps -o rss= -p "$NODE_PID" | tr -d ' ')

DATE=$(date -u +%Y-%m-%d)
OUT=benchmarks/results/${NAME:-$DATE}
python3 - "$RESULTS" "$OUT" "$COUNT" "$SHAPE" "$DURATION" "$NODE_RSS_KB" "$REGISTRATIONS" "$WARMUP" "$ACCESS_LOG" "$REGISTER_WARMUP" "$NODE_JVM_OPTS" <<'PY'
import json, sys, platform, os, statistics
results, out, count, shape, duration, rss, registrations, warmup, access_log, register_warmup, jvm_options = sys.argv[1:]
regs = [json.loads(l) for l in open(registrations) if l.strip()]
rows = [json.loads(l) for l in open(results)]
by = {}
for r in rows:
    by.setdefault(r["name"], []).append(r)
summary = []
for name, rs in by.items():
    rs.sort(key=lambda r: r["node"]["throughput_per_s"])
    m = rs[len(rs) // 2]
    n, c = m["node"], m["ceiling"]
    summary.append({"name": name, "node": n, "ceiling": c,
                    "share_of_ceiling": n["throughput_per_s"] / c["throughput_per_s"] if c["throughput_per_s"] else None})
machine = {"cpus": os.cpu_count(), "machine": platform.machine(), "kernel": platform.release(),
           "java": os.popen("java -version 2>&1 | head -1").read().strip()}
doc = {"date": out.rsplit("/", 1)[1], "identifiers": int(count), "shape": shape, "duration": duration, "warmup": warmup,
       "access_log": access_log, "node_jvm_options": jvm_options, "load_average_at_end": os.getloadavg(),
       "node_rss_mb": round(int(rss) / 1024) if rss else None, "machine": machine, "results": summary, "runs": rows,
       "registration": regs, "registration_warmup_records": int(register_warmup)}
json.dump(doc, open(out + ".json", "w"), indent=2)
with open(out + ".md", "w") as f:
    f.write(f"# Performance run {doc['date']}\n\n")
    f.write(f"{count} identifiers ({shape} shape), all in the record cache; {duration} per measurement after {warmup} warm-up, "
            f"median of {len(rows) // max(1, len(by))} run(s); access log {access_log}; node JVM options `{jvm_options}`; "
            f"load generator (idbench) and node on the same machine: {machine['cpus']} CPUs, {machine['machine']}, "
            f"kernel {machine['kernel']}, {machine['java']}; load average at the end {doc['load_average_at_end'][0]:.1f}. "
            f"Node resident memory at the end: {doc['node_rss_mb']} MB.\n\n")
    f.write("| workload | node throughput /s | p50 µs | p99 µs | p99.9 µs | errors | ceiling /s | share of ceiling | warm-up s, node / ceiling |\n")
    f.write("|---|---|---|---|---|---|---|---|---|\n")
    for s in summary:
        n, c = s["node"], s["ceiling"]
        share = f"{100 * s['share_of_ceiling']:.0f} %" if s["share_of_ceiling"] else "-"
        f.write(f"| {s['name']} | {n['throughput_per_s']:.0f} | {n['p50_us']} | {n['p99_us']} | {n['p999_us']} | {n['errors']} | "
                f"{c['throughput_per_s']:.0f} | {share} | {n['warmup_s']:.0f} / {c['warmup_s']:.0f} |\n")
    if regs:
        f.write(f"\nDurable batch registration (batches of 1000 records, each acknowledged after the WAL write holding it "
                f"was synced; {regs[0]['concurrency']} senders, after {register_warmup} unmeasured records on the same idbench "
                "JVM; every batch encoded before the clock starts; generator CPU is idbench's whole process while the clock "
                "ran; WAL syncs are the node's over the unmeasured and measured batches together, fewer than batches where "
                "concurrent batches shared one sync):\n\n")
        f.write("| protocol | records | records/s | batch p50 µs | batch p99 µs | refused | generator CPU ms per 1000 | WAL syncs / batches |\n"
                "|---|---|---|---|---|---|---|---|\n")
        for r in regs:
            batches = (r['records'] + int(register_warmup)) // r['batch']
            f.write(f"| {r['protocol']} | {r['records']} | {r['records_per_s']:.0f} | {r['batch_p50_us'] or '-'} | "
                    f"{r['batch_p99_us'] or '-'} | {r['errors']} | {r.get('generator_cpu_ms_per_1000', 0):.1f} | "
                    f"{r.get('wal_syncs', '-')} / {batches} |\n")
print(open(out + ".md").read())
PY
echo "wrote $OUT.md and $OUT.json"
