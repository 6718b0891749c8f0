#!/usr/bin/env bash
# Starts the packaged local agent on a fresh data folder, drives it with LocalAgentLoad, and stops it.
# Usage: bench/run-local-agent-bench.sh [seconds] [clients]   (after packaging local-agent and bench)
# Optional: DCS_BENCH_PORT (gRPC port, default 50951; the management port is the next one), DCS_BENCH_AGENT_JAR
# (another agent jar, e.g. a copy), DCS_BENCH_AGENT_OPTS (JVM options of the agent, e.g. a JFR recording),
# DCS_BENCH_CLASSPATH (the load generator's class path), DCS_BENCH_KEEP=1 (keep the data folder and print it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# The services check their callers: the bootstrap admin secret they and the load generator share (DCS_ADMIN_TOKEN when
# set, otherwise a random one for this run).
export DCS_ADMIN_TOKEN="${DCS_ADMIN_TOKEN:-$(head -c 33 /dev/urandom | base64 | tr '+/' '-_')}"
java="$("$root/scripts/find-jdk.sh")/bin/java"
data=$(mktemp -d)
jar=${DCS_BENCH_AGENT_JAR:-$root/local-agent/target/local-agent.jar}
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; if [ -n "${DCS_BENCH_KEEP:-}" ]; then echo "data: $data"; else rm -rf "$data"; fi' EXIT
port=${DCS_BENCH_PORT:-50951}
DCS_DATA_DIR="$data" DCS_GRPC_PORT=$port DCS_MANAGEMENT_PORT=$((port + 1)) DCS_BRANCH_ID=bench \
  "$java" ${DCS_BENCH_AGENT_OPTS:-} -jar "$jar" > "$data/agent.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do
  grep -q "serving gRPC" "$data/agent.log" && break
  if ! kill -0 $pid 2>/dev/null; then tail -20 "$data/agent.log" >&2; echo "the agent did not start" >&2; exit 1; fi
  sleep 0.5
done
grep -q "serving gRPC" "$data/agent.log" || { tail -20 "$data/agent.log" >&2; echo "the agent did not start" >&2; exit 1; }
"$java" -cp "${DCS_BENCH_CLASSPATH:-$root/bench/target/benchmarks.jar}" com.cps.dcs.bench.localagent.LocalAgentLoad 127.0.0.1:$port "${1:-20}" "${2:-16}" "$pid"
