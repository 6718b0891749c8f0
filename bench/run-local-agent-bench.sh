#!/usr/bin/env bash
# Starts the packaged local agent on a fresh data folder, drives it with LocalAgentLoad, and stops it.
# Usage: bench/run-local-agent-bench.sh [seconds] [clients]   (after ./mvnw -DskipTests package)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
java="$("$root/scripts/find-jdk.sh")/bin/java"
data=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data"' EXIT
DCS_DATA_DIR="$data" DCS_GRPC_PORT=50951 DCS_MANAGEMENT_PORT=50952 DCS_BRANCH_ID=bench \
  "$java" -jar "$root/local-agent/target/local-agent.jar" > "$data/agent.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do grep -q "serving gRPC" "$data/agent.log" && break; sleep 0.5; done
"$java" -cp "$root/bench/target/benchmarks.jar" com.cps.dcs.bench.localagent.LocalAgentLoad 127.0.0.1:50951 "${1:-20}" "${2:-16}"
