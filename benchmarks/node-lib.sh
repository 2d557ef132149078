# What the benchmark scripts share, sourced by them (not run): the build, a work folder removed on exit with every
# process the script left running, a node started on ephemeral ports, and reading the node's CPU time and metrics.
# A script sets BUILD (yes or no) before calling bench_setup; the functions set WORK, NODE_PID, HP, WP, GP and
# STARTUP_MS. Everything runs on 127.0.0.1.

IDNODE=${IDNODE:-resolver-server/target/idnode.jar}
IDBENCH=benchmarks/target/idbench.jar
# The node's JVM options as shipped (packaging/systemd/idnode.service, JAVA_OPTS; docs/operations.md#jvm-options);
# NODE_OPTS replaces them, e.g. NODE_OPTS="-Xms1g -Xmx1g -XX:+UseZGC".
SHIPPED_JVM_OPTS="-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=10 -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=75"
NODE_JVM_OPTS=${NODE_OPTS:-$SHIPPED_JVM_OPTS}

# Builds the jars unless BUILD=no, makes the work folder $WORK and arranges for it and the script's background
# processes (the node, load generators) to go when the script exits, however it exits.
bench_setup() {
  [ "${BUILD:-yes}" = yes ] && mvn -q -B -DskipTests package
  WORK=$(mktemp -d)
  NODE_PID=
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local pids
  pids=$(jobs -p)
  [ -n "$pids" ] && kill $pids 2>/dev/null
  wait 2>/dev/null
  rm -rf "$WORK"
}

# node_start COMMAND...: runs COMMAND (a command line ending with `idnode.jar serve` and its options; env or taskset
# may come first, as they exec what follows) on ephemeral ports of 127.0.0.1, its output in $WORK/node.out and
# $WORK/node.err, and waits up to 60 s for its `ready` line; sets NODE_PID, the Handle (HP), HTTP (WP) and gRPC (GP)
# ports, and STARTUP_MS, the time from launch to `ready`. Exits the script with the node's errors when it does not
# become ready.
node_start() {
  : > "$WORK/node.out"
  local begin
  begin=$(date +%s%N)
  "$@" --handle-port 0 --http-port 0 --grpc-port 0 --bind 127.0.0.1 > "$WORK/node.out" 2>> "$WORK/node.err" &
  NODE_PID=$!
  for _ in $(seq 1 3000); do
    grep -q '^ready$' "$WORK/node.out" && break
    kill -0 "$NODE_PID" 2>/dev/null || break
    sleep 0.02
  done
  STARTUP_MS=$(( ($(date +%s%N) - begin) / 1000000 ))
  grep -q '^ready$' "$WORK/node.out" || { echo "node did not start:"; cat "$WORK/node.err"; exit 1; }
  HP=$(sed -n 's/^listening handle-tcp .*:\([0-9]*\)$/\1/p' "$WORK/node.out")
  WP=$(sed -n 's/^listening http .*:\([0-9]*\)$/\1/p' "$WORK/node.out")
  GP=$(sed -n 's/^listening grpc .*:\([0-9]*\)$/\1/p' "$WORK/node.out")
}

# Stops the node cleanly (SIGTERM: it drains and flushes) and waits for it.
node_stop() {
  kill -TERM "$NODE_PID" 2>/dev/null
  wait "$NODE_PID" 2>/dev/null || true
  NODE_PID=
}

# The node's CPU time so far, all threads, in clock ticks (fields 14 and 15 of /proc/<pid>/stat; the name in field
# 2 may hold spaces, so counted from the closing parenthesis). getconf CLK_TCK ticks make a second.
node_cpu_ticks() {
  sed 's/^.*) //' "/proc/$NODE_PID/stat" | awk '{print $12 + $13}'
}

# node_metric NAME: one of the node's metrics (/metrics, the series named exactly NAME with its labels) as an
# integer; 0 when the node has no such series.
node_metric() {
  curl -s "http://127.0.0.1:$WP/metrics" | python3 -c "
import sys
value = 0
for line in sys.stdin:
    name, _, v = line.rstrip('\n').rpartition(' ')
    if name == sys.argv[1]:
        value = int(float(v))
print(value)" "$1"
}

# fill_cache KEYS_FILE COUNT: resolves the first COUNT keys of KEYS_FILE once each, in order, over UDP, so that the
# record cache holds them all (random draws of as many keys reach only about 63 % of them).
fill_cache() {
  java -jar $IDBENCH resolve --protocol udp --concurrency 64 --threads 1 --keys sequential --target 127.0.0.1:$HP \
      --keys-file "$1" --requests "$2" --warmup 0s --json > /dev/null
}
