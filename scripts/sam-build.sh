#!/usr/bin/env bash
# `sam build` of infra-sam/template.yaml with the project's pinned SAM CLI and no Docker: the functions'
# BuildMethod is makefile, and infra-sam/Makefile runs the Maven reactor once for functions/lambda.
# Extra arguments go to `sam build`. Output: infra-sam/.aws-sam/build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

java_release() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'
}

# The build needs JDK 21 or newer; use JAVA_HOME or the java on PATH, else the newest JDK under /usr/lib/jvm.
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! command -v "$java_bin" >/dev/null 2>&1 || (( $(java_release "$java_bin") < 21 )); then
  for jdk in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    if [[ -x "$jdk/bin/javac" ]] && (( $(java_release "$jdk/bin/java") >= 21 )); then
      export JAVA_HOME="${jdk%/}"; break
    fi
  done
fi
if [[ -n "${JAVA_HOME:-}" ]]; then export PATH="$JAVA_HOME/bin:$PATH"; fi

bash "$root/scripts/emulator.sh" setup
export SAM_CLI_TELEMETRY=0
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
cd "$root/infra-sam"
"$root/.venv/bin/sam" build --template template.yaml "$@"
