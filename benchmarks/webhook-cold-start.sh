#!/usr/bin/env bash
# Webhook cold start: N fresh JVMs, each from process start to its first GitHub delivery answered
# (App, SDK clients, SSM secret read, SQS send) against the emulator.
#   benchmarks/webhook-cold-start.sh [N] [extra JVM options...]
# Needs RUNNER_SCALER_AWS_ENDPOINT (scripts/emulator.sh start prints it) and JAVA_HOME (JDK 21+).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-20}"; shift || true
cd "$root"
cp_file="$root/benchmarks/target/webhook-classpath.txt"
mvn -B -q -pl functions/core,functions/aws,functions/testkit,functions/forges,functions/lambda,benchmarks compile \
  dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >&2
cp="$root/benchmarks/target/classes:$(cat "$cp_file")"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
stack="bench-cold-$$"
queue="$("$java" -cp "$cp" io.runnerscaler.benchmarks.webhook.WebhookColdStart provision "$stack" 2>/dev/null | tail -1)"
results=()
for i in $(seq 1 "$n"); do
  line="$("$java" "$@" -cp "$cp" io.runnerscaler.benchmarks.webhook.WebhookColdStart run "$stack" "$queue" 2>/dev/null | tail -1)"
  echo "$line"
  results+=("${line#cold_start_ms=}")
done
printf '%s\n' "${results[@]}" | cut -d' ' -f1 | sort -n | awk '{a[NR]=$1} END {
  printf "runs=%d min=%d p50=%d p90=%d max=%d (ms, process start to first answer)\n",
    NR, a[1], a[int((NR+1)/2)], a[int(NR*0.9+0.999)], a[NR] }'
