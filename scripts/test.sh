#!/usr/bin/env bash
# Runs every test: unit tests (*Test, Surefire) and emulator / end-to-end tests (*IT, Failsafe).
# Does all the set-up on a fresh machine: selects the JDK, creates the Python virtualenv with the pinned
# AWS emulator and linters, starts the emulators on free ports and stops them afterwards: the plain one, and
# the one that enforces IAM for the *IamIT tests (each function under its template role).
#   scripts/test.sh [extra Maven arguments]
#   scripts/test.sh -Dit.test='*IamIT'   only these ITs (no unit tests unless -Dtest names some)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/java-env.sh

bash scripts/emulator.sh setup
started_here=0
if [[ -z "${RUNNER_SCALER_AWS_ENDPOINT:-}" ]]; then
  RUNNER_SCALER_AWS_ENDPOINT="$(bash scripts/emulator.sh start)"
  started_here=1
fi
export RUNNER_SCALER_AWS_ENDPOINT
iam_started_here=0
if [[ -z "${RUNNER_SCALER_IAM_AWS_ENDPOINT:-}" ]]; then
  RUNNER_SCALER_IAM_AWS_ENDPOINT="$(bash scripts/emulator.sh start iam)"
  iam_started_here=1
fi
export RUNNER_SCALER_IAM_AWS_ENDPOINT
cleanup() {
  if [[ $started_here == 1 ]]; then bash scripts/emulator.sh stop; fi
  if [[ $iam_started_here == 1 ]]; then bash scripts/emulator.sh stop iam; fi
}
trap cleanup EXIT
echo "test: emulator at $RUNNER_SCALER_AWS_ENDPOINT, IAM-enforcing emulator at $RUNNER_SCALER_IAM_AWS_ENDPOINT," \
  "JDK $JAVA_HOME" >&2

# A run narrowed to some ITs: modules without a match pass, and the unit tests run only when named.
narrowing=()
if printf '%s\n' "$@" | grep -q '^-Dit\.test='; then
  narrowing+=(-Dfailsafe.failIfNoSpecifiedTests=false)
  if ! printf '%s\n' "$@" | grep -q '^-Dtest='; then
    narrowing+=(-Dtest=none -Dsurefire.failIfNoSpecifiedTests=false)
  fi
fi

for check in scripts/lint-template.sh scripts/shellcheck.sh; do
  if [[ -f "$check" ]]; then
    echo "test: $check" >&2
    bash "$check"
  fi
done

mvn -B -ntp -Dstyle.color=never verify "${narrowing[@]}" "$@"

# `sam build` with Maven and no Docker (the function zip is fresh from verify, so this only packages).
# Skipped when arguments narrow the Maven run, since the lambda module may not have been built.
if [[ $# -eq 0 ]]; then
  for tool in unzip make flock; do
    command -v "$tool" >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq unzip make util-linux) >&2 || true
  done
  echo "test: scripts/sam-build.sh" >&2
  bash scripts/sam-build.sh >&2
fi
