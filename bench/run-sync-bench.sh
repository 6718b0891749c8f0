#!/usr/bin/env bash
# Time from reconnect to full convergence: a real branch sells N events while cut off from a real three-node region
# (PostgreSQL from DCS_PG_URL or embedded, in-process Kafka), then its links come back. See SyncConvergence.
# Usage: bench/run-sync-bench.sh [events=10000] [runs=3] [syncIntervalSeconds=30] [warmUpRuns=3] [regionWarmUpEvents=0]
#   (after ./mvnw -DskipTests package). regionWarmUpEvents: sales of synthetic branches pushed to the region before the
#   runs, as a region in service has long been taking. DCS_BENCH_JVM_OPTIONS: extra options of the services' JVMs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# The services check their callers: the test-support fixtures SyncConvergence starts them with give every service the
# same bootstrap admin secret (DCS_ADMIN_TOKEN, TestCredentials) and attach it to every channel they build.
java="$("$root/scripts/find-jdk.sh")/bin/java"
cd "$root"
exec "$java" -cp bench/target/benchmarks.jar com.cps.dcs.bench.sync.SyncConvergence "${1:-10000}" "${2:-3}" "${3:-30}" "${4:-3}" "${5:-0}"
