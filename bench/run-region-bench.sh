#!/usr/bin/env bash
# Starts a three-node region (the packaged regional agent) on PostgreSQL at localhost:5432, drives it with RegionLoad,
# and stops it. Usage: bench/run-region-bench.sh [events] [clients] [batch]   (after ./mvnw -DskipTests package)
# PG: DCS_BENCH_PG (default jdbc:postgresql://localhost:5432) with a user that may create databases.
# DCS_BENCH_LOGS=dir: keep the nodes' logs there, with per-entry and per-batch timings (debug level).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# The services check their callers: the bootstrap admin secret they and the load generator share (DCS_ADMIN_TOKEN when
# set, otherwise a random one for this run).
export DCS_ADMIN_TOKEN="${DCS_ADMIN_TOKEN:-$(head -c 33 /dev/urandom | base64 | tr '+/' '-_')}"
java="$("$root/scripts/find-jdk.sh")/bin/java"
pg="${DCS_BENCH_PG:-jdbc:postgresql://localhost:5432}"
run=$(date +%s)
data=$(mktemp -d)
pids=()
logs="${DCS_BENCH_LOGS:-}"
# The bench's two databases are dropped at the end (with psql, when it is installed; DCS_BENCH_KEEP_DB=1 keeps them).
hostport=${pg#jdbc:postgresql://}
drop_dbs() {
  [ -n "${DCS_BENCH_KEEP_DB:-}" ] && return 0
  command -v psql >/dev/null || { echo "psql not found: drop dcs_bench_region_$run and dcs_bench_raw_$run by hand" >&2; return 0; }
  for db in dcs_bench_region_$run dcs_bench_raw_$run; do
    psql -q -h "${hostport%%:*}" -p "${hostport##*:}" -U "${PGUSER:-postgres}" -d postgres \
      -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || echo "could not drop $db" >&2
  done
}
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true
  if [ -n "$logs" ]; then mkdir -p "$logs"; cp "$data"/n*.log "$logs"/; fi; rm -rf "$data"; drop_dbs' EXIT
debug=()
if [ -n "$logs" ]; then
  debug=(--logging.level.com.cps.dcs.eventstore.pg.region=DEBUG --logging.level.com.cps.dcs.regional.grpc=DEBUG)
fi
peers="n1=127.0.0.1:12601,n2=127.0.0.1:12602,n3=127.0.0.1:12603"
for i in 1 2 3; do
  DCS_NODE_ID=n$i DCS_RAFT_PEERS=$peers DCS_GRPC_PORT=5260$i DCS_MANAGEMENT_PORT=5261$i DCS_DATA_DIR="$data/n$i" \
  DCS_KEY_DIR="$data/keys" DCS_TENANT_ID=bench DCS_REGION_ID=bench-$run DCS_PG_URL="$pg/dcs_bench_region_$run?user=${PGUSER:-postgres}" \
    "$java" -Xmx1g -jar "$root/regional-agent/target/regional-agent.jar" ${debug[@]+"${debug[@]}"} > "$data/n$i.log" 2>&1 &
  pids+=($!)
  sleep 3 # the first node creates and migrates the database
done
for i in 1 2 3; do
  for _ in $(seq 1 240); do grep -q "serving gRPC" "$data/n$i.log" && break; sleep 0.5; done
done
sleep 3 # an election
"$java" -cp "$root/bench/target/benchmarks.jar" com.cps.dcs.bench.region.RegionLoad \
  127.0.0.1:52601,127.0.0.1:52602,127.0.0.1:52603 "$data/keys" bench "${1:-60000}" "${2:-6}" "${3:-1000}" \
  "$pg/dcs_bench_raw_$run?user=${PGUSER:-postgres}"
