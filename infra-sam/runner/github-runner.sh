#!/usr/bin/env bash
# Runner Scaler bootstrap for a GitHub Actions runner machine, rendered into EC2 user-data by
# io.runnerscaler.core.runner.UserData: each quoted placeholder (a NAME in double braces) becomes a shell-quoted value.
#
# Takes this machine's just-in-time runner config from the bootstrap secrets table (DeleteItem with
# ReturnValues=ALL_OLD: read and removed in one call; the instance profile may touch only the item keyed by
# its own caller id, "<role id>:<instance id>"), runs one job with `run.sh --jitconfig` (a JIT runner is ephemeral: GitHub removes
# it after that job), then shuts down. With instance-initiated shutdown behaviour = terminate, shutting down
# ends the instance. A watchdog shuts the machine down when no job started within IDLE_TIMEOUT_SECONDS (or
# it lives past MAX_LIFETIME_SECONDS, when set), so it goes away even if the control plane is down.
#
# AMI requirements: the GitHub Actions runner unpacked in RUNNER_DIR and owned by RUNNER_USER (who may use
# Docker if jobs need it), the AWS CLI v2 and curl. Nothing is downloaded at boot.
set -euo pipefail
set +x # never trace: this script handles a runner registration secret

POOL='{{POOL}}'
SECRETS_TABLE='{{SECRETS_TABLE}}'
IDLE_TIMEOUT_SECONDS='{{IDLE_TIMEOUT_SECONDS}}'
MAX_LIFETIME_SECONDS='{{MAX_LIFETIME_SECONDS}}'
SECRET_WAIT_SECONDS='{{SECRET_WAIT_SECONDS}}'

# Overridable only so tests can run this script in a sandbox.
RUNNER_DIR=${RUNNER_SCALER_RUNNER_DIR:-/opt/actions-runner}
RUNNER_USER=runner
IMDS=http://169.254.169.254/latest

log() { echo "runner-scaler[$POOL]: $*" >&2; }

power_off() {
  log "shutting down: $1"
  cancel_own_spot_request || true
  shutdown -h now || poweroff
}

imds() {
  local token
  token=$(curl -sSf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/api/token")
  curl -sSf -H "X-aws-ec2-metadata-token: $token" "$IMDS/$1"
}

# runner-scaler:include stopped-pool.sh

job_running() {
  pgrep -f Runner.Worker >/dev/null 2>&1
}

# Safety net, independent of the runner and of the control plane.
watchdog() {
  local last_busy=$SECONDS
  while sleep 30; do
    if job_running; then last_busy=$SECONDS; fi
    if (( SECONDS - last_busy > IDLE_TIMEOUT_SECONDS )); then
      power_off "watchdog: no job for ${IDLE_TIMEOUT_SECONDS}s"
    fi
    if (( MAX_LIFETIME_SECONDS > 0 && SECONDS > MAX_LIFETIME_SECONDS )); then
      power_off "watchdog: lifetime of ${MAX_LIFETIME_SECONDS}s reached"
    fi
  done
}

on_exit() {
  local status=$?
  [[ -z "${WATCHDOG_PID:-}" ]] || kill "$WATCHDOG_PID" 2>/dev/null || true
  power_off "bootstrap ended with status $status"
}
trap on_exit EXIT
# Shutdown (ours or anyone's) sends TERM: exit through on_exit so the cleanup runs.
trap 'exit 143' TERM INT

watchdog &
WATCHDOG_PID=$!

INSTANCE_ID=$(imds meta-data/instance-id)
AWS_DEFAULT_REGION=$(imds meta-data/placement/region)
export AWS_DEFAULT_REGION
every_boot
log "instance $INSTANCE_ID, one job"

[[ -x "$RUNNER_DIR/run.sh" ]] || { log "no GitHub Actions runner in $RUNNER_DIR on this AMI"; exit 1; }

# With instance-profile credentials the caller id is "<role id>:<instance id>" (IAM's aws:userid), the key the
# control plane writes under and the only one the role may delete.
OWNER=$(aws sts get-caller-identity --query UserId --output text)
[[ "$OWNER" == *":$INSTANCE_ID" ]] || { log "caller id $OWNER does not name this instance"; exit 1; }

# The control plane writes the item right after launch; the machine may boot first, so wait a little.
take_jit_config() {
  aws dynamodb delete-item --table-name "$SECRETS_TABLE" \
    --key "{\"owner\":{\"S\":\"$OWNER\"}}" \
    --return-values ALL_OLD --query 'Attributes.secret.S' --output text
}
deadline=$(( SECONDS + SECRET_WAIT_SECONDS ))
while true; do
  JIT_CONFIG=$(take_jit_config || true)
  if [[ -n "$JIT_CONFIG" && "$JIT_CONFIG" != None ]]; then break; fi
  JIT_CONFIG=
  (( SECONDS < deadline )) || break
  sleep 5
done
[[ -n "$JIT_CONFIG" ]] || { log "no runner config for $OWNER after ${SECRET_WAIT_SECONDS}s"; exit 1; }

# run.sh returns after the one job of this ephemeral runner (or when GitHub removes the runner).
runuser -u "$RUNNER_USER" -- "$RUNNER_DIR/run.sh" --jitconfig "$JIT_CONFIG"
