#!/usr/bin/env bash
# Lints infra-sam/template.yaml with the project's pinned tools (`sam validate --lint`, then cfn-lint).
# Offline: no AWS account, no credentials, no network; a dummy region only names the rule set.
# Exits non-zero on any finding: errors, warnings and informational ones.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
template="$root/infra-sam/template.yaml"

bash "$root/scripts/emulator.sh" setup

export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=lint AWS_SECRET_ACCESS_KEY=lint
export SAM_CLI_TELEMETRY=0

echo "lint-template: sam validate --lint" >&2
"$venv/bin/sam" validate --lint --template "$template" --region us-east-1

# Regions where the stack is expected to run: resource and runtime availability is checked per region.
echo "lint-template: cfn-lint" >&2
"$venv/bin/cfn-lint" --include-checks I --regions us-east-1 eu-west-1 eu-central-1 -- "$template"
echo "lint-template: ok" >&2
