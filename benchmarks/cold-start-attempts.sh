#!/usr/bin/env bash
# The attempts to bring the webhook's cold start towards Node's, measured beside Node in one run
# (benchmarks/COLDSTART.md): builds the Quarkus artifact of each revision in a temporary git worktree, then runs
# WebhookVsNode over all of them, interleaved, and JsonColdStart (data binding against Jackson's streaming API).
#   benchmarks/cold-start-attempts.sh [--runs N] [--variants lambda,...] NAME=REV[@HANDLER] ...
# HANDLER is the function's Handler (class::method); without it, Quarkus' QuarkusStreamHandler. Needs
# RUNNER_SCALER_AWS_ENDPOINT (scripts/emulator.sh start prints it) and benchmarks/node-webhook installed (npm ci,
# as benchmarks/run does). Prints the WebhookVsNode section; the artifacts stay in benchmarks/target/attempts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs=6
variants=lambda
specs=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --variants) variants="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *=*) specs+=("$1"); shift ;;
    *) echo "cold-start-attempts.sh: expected NAME=REV[@HANDLER], got '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ ${#specs[@]} -gt 0 ]] || { echo "cold-start-attempts.sh: name at least one NAME=REV" >&2; exit 2; }
: "${RUNNER_SCALER_AWS_ENDPOINT:?set it to the emulator (scripts/emulator.sh start prints it)}"
curl -sf -o /dev/null "$RUNNER_SCALER_AWS_ENDPOINT/moto-api/" \
  || { echo "cold-start-attempts.sh: no emulator at $RUNNER_SCALER_AWS_ENDPOINT" >&2; exit 1; }
# shellcheck source=scripts/java-env.sh source-path=SCRIPTDIR/..
source scripts/java-env.sh

work="$root/benchmarks/target/attempts"
mkdir -p "$work"
mvn -B -q -pl benchmarks -am package -DskipTests >"$work/build-benchmarks.log" 2>&1 \
  || { tail -40 "$work/build-benchmarks.log" >&2; exit 1; }
artifacts=()
for spec in "${specs[@]}"; do
  name="${spec%%=*}"; rest="${spec#*=}"; rev="${rest%%@*}"; handler=""
  [[ "$rest" == *@* ]] && handler="@${rest#*@}"
  tree="$work/$name-src"
  rm -rf "$tree"; git worktree prune
  git worktree add -q --detach "$tree" "$rev"
  echo "cold-start-attempts.sh: building $name ($(git -C "$tree" log -1 --format='%h %s' | cut -c1-80))" >&2
  # Its own copy of the sibling modules (never installed to ~/.m2, which other clones share).
  (cd "$tree" && mvn -B -q -pl functions/lambda -am package -DskipTests >"$work/build-$name.log" 2>&1) \
    || { tail -40 "$work/build-$name.log" >&2; exit 1; }
  rm -rf "${work:?}/$name"; mkdir -p "$work/$name"
  cp "$tree"/functions/lambda/target/lambda-*-runner.jar "$work/$name/"
  cp -r "$tree/functions/lambda/target/lib" "$work/$name/"
  git worktree remove --force "$tree"
  artifacts+=("$name=$(ls "$work/$name"/lambda-*-runner.jar)$handler")
done
java="$JAVA_HOME/bin/java"
joined="$(IFS=,; echo "${artifacts[*]}")"
"$java" -cp benchmarks/target/benchmarks.jar io.runnerscaler.benchmarks.coldstart.WebhookVsNode --runs "$runs" \
  --variants "$variants" --artifacts "$joined" --out "$work/webhook-vs-node.md" >/dev/null || true
cat "$work/webhook-vs-node.md"
echo
"$java" -cp benchmarks/target/benchmarks.jar io.runnerscaler.benchmarks.coldstart.JsonColdStart --runs 20
