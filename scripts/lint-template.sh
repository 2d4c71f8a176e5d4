#!/usr/bin/env bash
# Lints the scaler's template (infra-sam/template.yaml) and the runner image's (infra-sam/image/template.yaml)
# with the project's pinned tools (`sam validate --lint`, then cfn-lint), after checking that the image
# template holds the current infra-sam/image/*.sh (scripts/image-template.py --check).
# Offline: no AWS account, no credentials, no network; a dummy region only names the rule set.
# Exits non-zero on any finding: errors, warnings and informational ones.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
templates=("$root/infra-sam/template.yaml" "$root/infra-sam/image/template.yaml")

bash "$root/scripts/emulator.sh" setup

export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=lint AWS_SECRET_ACCESS_KEY=lint
export SAM_CLI_TELEMETRY=0

echo "lint-template: image template matches its scripts" >&2
"$venv/bin/python" "$root/scripts/image-template.py" --check

for template in "${templates[@]}"; do
  echo "lint-template: sam validate --lint ${template#"$root"/}" >&2
  "$venv/bin/sam" validate --lint --template "$template" --region us-east-1
done

# Regions where the stacks are expected to run: resource and runtime availability is checked per region.
echo "lint-template: cfn-lint" >&2
"$venv/bin/cfn-lint" --include-checks I --regions us-east-1 eu-west-1 eu-central-1 -- "${templates[@]}"
echo "lint-template: ok" >&2
