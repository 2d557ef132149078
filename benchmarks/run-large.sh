#!/usr/bin/env bash
# The large-data-set run of the performance suite (issue 6's 10M targets), from a fresh checkout: builds,
# generates N identifiers (anchor shape), imports them, then on a node limited to a 1 GiB heap whose record
# cache holds only a share of them (default 10 %):
#   - cold start: time from launching `idnode serve` to its `ready` line, on the fresh data folder and again
#     after a clean stop;
#   - UDP resolution of keys that all fit in the cache (uniform over the first half-cache worth of keys), the
#     "all cached" rate;
#   - UDP resolution with Zipf-distributed keys over all N identifiers (most hits, a tail from RocksDB), closed loop,
#     then in open loop at half of that rate (latency from the intended send time: the p99 with a churning cache);
#   - the node's heap after a full GC, and its resident memory.
# Writes benchmarks/results/<date>-large.md and .json. Everything runs on 127.0.0.1. The node runs with
# the shipped JVM options (a 1 GiB heap; NODE_OPTS replaces them: benchmarks/node-lib.sh).
#
#   bash benchmarks/run-large.sh [--count 10000000] [--cache-share 0.1] [--duration 20s] [--warmup 30s]
#                                [--work DIR [--prepare-only]] [--no-build]
#
# --work DIR keeps the generated keys and the imported data folder in DIR and reuses them when a later run is given
# the same DIR and count (generating and importing 10M identifiers takes minutes, and need not be on a quiet
# machine: --prepare-only stops after the import). The node's measurements never write to the data folder.
#
# Needs about 1 GB of disk per million identifiers (data set file, keys and the RocksDB folder) in $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/node-lib.sh

COUNT=10000000
CACHE_SHARE=0.1
DURATION=20s
WARMUP=30s
KEEP=
PREPARE_ONLY=no
BUILD=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT=$2; shift 2 ;;
    --cache-share) CACHE_SHARE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --work) KEEP=$2; shift 2 ;;
    --prepare-only) PREPARE_ONLY=yes; shift ;;
    --no-build) BUILD=no; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
CACHE_ENTRIES=$(python3 -c "print(max(1000, int($COUNT * $CACHE_SHARE)))")
HOT_KEYS=$((CACHE_ENTRIES / 2))

bench_setup
# The data set lives in $DATASET: the temporary folder, or --work DIR (kept).
DATASET=$WORK
if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  DATASET=$(cd "$KEEP" && pwd)
fi

cat > "$WORK/node.yaml" <<EOF
node:
  prefixes: ["88.999"]
cache:
  max-entries: $CACHE_ENTRIES
templates:
  dir: "$PWD/conf/templates"
# As benchmarks/node-bench.yaml: no per-client rate limit (the generator is one address).
limits:
  rate:
    per-second: 100000000
    burst: 1000000000
EOF

if [ -f "$DATASET/prepared-$COUNT" ]; then
  echo "dataset: $COUNT identifiers (anchor shape), reused from $DATASET"
else
  echo "dataset: $COUNT identifiers (anchor shape)"
  rm -rf "$DATASET/data" "$DATASET"/prepared-*
  t0=$(date +%s)
  java -jar $IDBENCH dataset --count "$COUNT" --shape anchor --out "$DATASET/records.jsonl" --keys-out "$DATASET/keys.txt"
  t1=$(date +%s)
  java -Xmx4g -jar $IDNODE import --config "$WORK/node.yaml" --data-dir "$DATASET/data" "$DATASET/records.jsonl"
  t2=$(date +%s)
  rm "$DATASET/records.jsonl"
  echo "generated in $((t1 - t0)) s, imported in $((t2 - t1)) s" | tee "$DATASET/prepared-$COUNT"
fi
[ "$PREPARE_ONLY" = yes ] && exit 0
head -n "$HOT_KEYS" "$DATASET/keys.txt" > "$WORK/hot-keys.txt"
STORE_MB=$(du -sm "$DATASET/data" | cut -f1)
echo "data folder $STORE_MB MB"

# Starts the node (node_start sets STARTUP_MS, launch to 'ready').
start_node() {
  # shellcheck disable=SC2086
  node_start java $NODE_JVM_OPTS -jar $IDNODE serve --config "$WORK/node.yaml" --data-dir "$DATASET/data"
}

start_node
COLD_START_MS=$STARTUP_MS
node_stop
start_node
RESTART_MS=$STARTUP_MS
echo "cold start ${COLD_START_MS} ms, restart ${RESTART_MS} ms"

# The hot keys into the record cache, each once, so that the "all cached" workload is all cached from its first request.
fill_cache "$WORK/hot-keys.txt" "$HOT_KEYS"
ARGS="--protocol udp --concurrency 128 --duration $DURATION --warmup $WARMUP --json"
# shellcheck disable=SC2086
CACHED=$(timeout 600 java -jar $IDBENCH resolve $ARGS --target 127.0.0.1:$HP --keys-file "$WORK/hot-keys.txt" --keys uniform)
echo "all cached: $CACHED"
# shellcheck disable=SC2086
ZIPF=$(timeout 600 java -jar $IDBENCH resolve $ARGS --target 127.0.0.1:$HP --keys-file "$DATASET/keys.txt" --keys zipf)
echo "zipf: $ZIPF"
HALF=$(python3 -c "import json, sys; print(int(json.loads(sys.argv[1])['throughput_per_s']) // 2)" "$ZIPF")
ZIPF_HALF=$(timeout 600 java -jar $IDBENCH resolve --protocol udp --concurrency 512 --rate "$HALF" --duration $DURATION --warmup 10s --json \
    --target 127.0.0.1:$HP --keys-file "$DATASET/keys.txt" --keys zipf)
echo "zipf at half rate: $ZIPF_HALF"
# shellcheck disable=SC2086
CEILING=$(timeout 600 java -jar $IDBENCH ceiling --protocol udp --concurrency 128 --duration $DURATION --json --keys-file "$WORK/hot-keys.txt")

CACHED_ENTRIES=$(node_metric idnode_cache_entries)
jcmd "$NODE_PID" GC.run > /dev/null
HEAP_INFO=$(jcmd "$NODE_PID" GC.heap_info)
NODE_RSS_KB=$(ps -o rss= -p "$NODE_PID" | tr -d ' ')

DATE=$(date -u +%Y-%m-%d)
OUT=benchmarks/results/$DATE-large
python3 - "$OUT" "$COUNT" "$CACHE_ENTRIES" "$HOT_KEYS" "$STORE_MB" "$COLD_START_MS" "$RESTART_MS" "$NODE_RSS_KB" \
    "$CACHED" "$ZIPF" "$CEILING" "$HEAP_INFO" "$DURATION" "$CACHED_ENTRIES" "$ZIPF_HALF" "$NODE_JVM_OPTS" <<'PY'
import json, sys, platform, os, re
out, count, cache, hot, store_mb, cold, restart, rss, cached, zipf, ceiling, heap, duration, entries, zipf_half, opts = sys.argv[1:]
cached, zipf, ceiling, zipf_half = json.loads(cached), json.loads(zipf), json.loads(ceiling), json.loads(zipf_half)
m = re.search(r"total (\d+)K, used (\d+)K", heap)
heap_used_mb = round(int(m.group(2)) / 1024) if m else None
heap_total_mb = round(int(m.group(1)) / 1024) if m else None
machine = {"cpus": os.cpu_count(), "machine": platform.machine(), "kernel": platform.release(),
           "java": os.popen("java -version 2>&1 | head -1").read().strip()}
ratio = zipf["throughput_per_s"] / cached["throughput_per_s"] if cached["throughput_per_s"] else None
doc = {"date": out.rsplit("/", 1)[1], "identifiers": int(count), "cache_entries": int(cache), "hot_keys": int(hot),
       "data_folder_mb": int(store_mb), "cached_entries_at_end": int(float(entries)), "cold_start_ms": int(cold), "restart_ms": int(restart),
       "heap_after_full_gc_mb": heap_used_mb, "heap_committed_mb": heap_total_mb, "node_rss_mb": round(int(rss) / 1024),
       "all_cached": cached, "zipf_all_keys": zipf, "zipf_half_rate": zipf_half, "ceiling": ceiling, "zipf_share_of_all_cached": ratio,
       "machine": machine, "duration": duration, "node_jvm_options": opts, "heap_info": heap}
json.dump(doc, open(out + ".json", "w"), indent=2)
pct = lambda x: f"{100 * x:.0f} %" if x is not None else "-"
with open(out + ".md", "w") as f:
    f.write(f"# Large data set run {doc['date'][:10]}\n\n")
    f.write(f"{int(count):,} identifiers (anchor shape, 6 values), record cache {int(cache):,} entries, node heap limited to 1 GiB "
            f"(JVM options `{opts}`); idbench and node on the same machine: {machine['cpus']} CPUs, {machine['machine']}, kernel "
            f"{machine['kernel']}, {machine['java']}. Data folder {int(store_mb):,} MB.\n\n")
    f.write("| measure | value | target |\n|---|---|---|\n")
    f.write(f"| cold start to `ready` (fresh data folder) | {cold} ms | ≤ 3000 ms |\n")
    f.write(f"| start to `ready` after a clean stop | {restart} ms | ≤ 3000 ms |\n")
    f.write(f"| heap after full GC, serving, {doc['cached_entries_at_end']:,} records cached | {heap_used_mb} MB | ≤ 1024 MB |\n")
    f.write(f"| node resident memory | {doc['node_rss_mb']} MB | - |\n\n")
    f.write("| UDP workload | throughput /s | p50 µs | p99 µs | p99.9 µs | errors |\n|---|---|---|---|---|---|\n")
    for name, r in (("all cached (uniform, " + f"{int(hot):,}" + " keys)", cached), ("Zipf over all keys", zipf),
                    ("Zipf over all keys, open loop at half of its rate", zipf_half), ("harness ceiling", ceiling)):
        f.write(f"| {name} | {r['throughput_per_s']:.0f} | {r['p50_us']} | {r['p99_us']} | {r['p999_us']} | {r['errors']} |\n")
    f.write(f"\nZipf over all keys runs at {pct(ratio)} of the all-cached rate (target ≥ 50 %).\n")
print(open(out + ".md").read())
PY
echo "wrote $OUT.md and $OUT.json"
