#!/usr/bin/env bash
# Runner Scaler bootstrap for a GitLab runner machine, rendered into EC2 user-data by
# io.runnerscaler.core.runner.UserData: each quoted placeholder (a NAME in double braces) becomes a shell-quoted value.
#
# Registers this machine as a runner manager of the pool's runner (shared glrt- token from SSM, system id
# derived from the instance id), runs at most MAX_BUILDS jobs with `gitlab-runner run-single`, removes the
# runner manager and shuts down. With instance-initiated shutdown behaviour = terminate, shutting down ends
# the instance. A watchdog shuts the machine down when it stays unused past IDLE_TIMEOUT_SECONDS (or lives
# past MAX_LIFETIME_SECONDS, when set), so it goes away even if the control plane is down.
#
# AMI requirements: gitlab-runner >= 18.1 and Docker installed (bake them in; nothing is downloaded at boot:
# infra-sam/image/ builds such an image), the AWS CLI v2, curl, and an instance profile allowed
# ssm:GetParameter (with KMS decrypt) on TOKEN_PARAMETER.
set -euo pipefail
set +x # never trace: this script handles a runner token

POOL='{{POOL}}'
GITLAB_URL='{{GITLAB_URL}}'
TOKEN_PARAMETER='{{TOKEN_PARAMETER}}'
MAX_BUILDS='{{MAX_BUILDS}}'
DOCKER_IMAGE='{{DOCKER_IMAGE}}'
IDLE_TIMEOUT_SECONDS='{{IDLE_TIMEOUT_SECONDS}}'
MAX_LIFETIME_SECONDS='{{MAX_LIFETIME_SECONDS}}'

# Overridable only so tests can run this script in a sandbox.
CONFIG_DIR=${RUNNER_SCALER_CONFIG_DIR:-/etc/gitlab-runner}
CONFIG_FILE="$CONFIG_DIR/config.toml"
IMDS=http://169.254.169.254/latest

log() { echo "runner-scaler[$POOL]: $*" >&2; }

# `run-single --config --runner` exists from 17.1, but until 18.0 it replaces the system id it read from
# .runner_system_id with one derived from /etc/machine-id (gitlab-runner commands/single.go: v18.0.2 sets
# RunnerConfig.SystemIDState to a fresh NewSystemIDState() before EnsureSystemID; "Config options refactor",
# merge request 5373 in 18.1.0, keeps the id the config file loader read). Below 18.1 the machine would run
# as a runner manager the control plane does not know (and, with a baked machine-id, the same one on every
# machine of the pool), so the busy check and the manager's removal would name the wrong one.
MIN_GITLAB_RUNNER_MAJOR=18
MIN_GITLAB_RUNNER_MINOR=1

# True when `gitlab-runner --version` (first line "Version:      18.4.0") is at least 18.1.
gitlab_runner_recent_enough() {
  [[ "$1" =~ ^v?([0-9]+)\.([0-9]+) ]] || return 1
  local major=$((10#${BASH_REMATCH[1]})) minor=$((10#${BASH_REMATCH[2]}))
  (( major > MIN_GITLAB_RUNNER_MAJOR || (major == MIN_GITLAB_RUNNER_MAJOR && minor >= MIN_GITLAB_RUNNER_MINOR) ))
}

power_off() {
  log "shutting down: $1"
  cancel_own_spot_request || true
  shutdown -h now || poweroff
}

# Keep in sync with RunnerIdentity.gitlabSystemId: s_ + last 12 characters of the instance id.
system_id_for() {
  local id=${1#i-}
  while (( ${#id} < 12 )); do id="0${id}"; done
  printf 's_%s' "${id: -12}"
}

imds() {
  local token
  token=$(curl -sSf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/api/token")
  curl -sSf -H "X-aws-ec2-metadata-token: $token" "$IMDS/$1"
}

# runner-scaler:include stopped-pool.sh

job_running() {
  [[ -n "$(docker ps -q --filter label=com.gitlab.gitlab-runner.job.id 2>/dev/null)" ]]
}

# Safety net, independent of gitlab-runner and of the control plane.
watchdog() {
  local last_busy=$SECONDS
  while sleep 30; do
    if job_running; then last_busy=$SECONDS; fi
    if (( SECONDS - last_busy > IDLE_TIMEOUT_SECONDS + 120 )); then
      power_off "watchdog: no job for ${IDLE_TIMEOUT_SECONDS}s"
    fi
    if (( MAX_LIFETIME_SECONDS > 0 && SECONDS > MAX_LIFETIME_SECONDS )); then
      power_off "watchdog: lifetime of ${MAX_LIFETIME_SECONDS}s reached"
    fi
  done
}

# Remove this machine's runner manager, so GitLab does not list a stale manager. The control plane does the
# same before terminating (idempotent); this is the path when the machine ends on its own.
remove_runner_manager() {
  [[ -n "${RUNNER_TOKEN:-}" && -n "${SYSTEM_ID:-}" ]] || return 0
  printf '%s' "$RUNNER_TOKEN" | curl -sS -o /dev/null -X DELETE \
    --data-urlencode 'token@-' --data-urlencode "system_id=$SYSTEM_ID" \
    "$GITLAB_URL/api/v4/runners/managers" || log "could not remove runner manager $SYSTEM_ID"
}

on_exit() {
  local status=$?
  [[ -z "${WATCHDOG_PID:-}" ]] || kill "$WATCHDOG_PID" 2>/dev/null || true
  remove_runner_manager
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
SYSTEM_ID=$(system_id_for "$INSTANCE_ID")
RUNNER_NAME="$POOL-$INSTANCE_ID"
log "instance $INSTANCE_ID, runner manager $SYSTEM_ID, max builds $MAX_BUILDS"

command -v gitlab-runner >/dev/null || { log "gitlab-runner is not installed on this AMI"; exit 1; }
GITLAB_RUNNER_VERSION=$(gitlab-runner --version 2>/dev/null | sed -n 's/^Version: *//p' | head -n 1 || true)
if ! gitlab_runner_recent_enough "$GITLAB_RUNNER_VERSION"; then
  log "gitlab-runner ${GITLAB_RUNNER_VERSION:-of unknown version} is older than" \
    "$MIN_GITLAB_RUNNER_MAJOR.$MIN_GITLAB_RUNNER_MINOR: its run-single ignores .runner_system_id, so this machine" \
    "would not be the runner manager $SYSTEM_ID; not registering. Bake gitlab-runner >= 18.1 into the image."
  exit 1
fi
systemctl start docker
# The package's service would run the registered runner a second time, beside run-single.
systemctl disable --now gitlab-runner 2>/dev/null || true

mkdir -p "$CONFIG_DIR"
chmod 700 "$CONFIG_DIR"
# gitlab-runner reads the runner manager's system id from this file next to config.toml.
printf '%s' "$SYSTEM_ID" > "$CONFIG_DIR/.runner_system_id"

RUNNER_TOKEN=$(aws ssm get-parameter --name "$TOKEN_PARAMETER" --with-decryption \
  --query Parameter.Value --output text)

# The token goes through the environment (gitlab-runner reads CI_SERVER_TOKEN as its token flag), never
# the command line or the log.
CI_SERVER_TOKEN="$RUNNER_TOKEN" gitlab-runner register --non-interactive \
  --config "$CONFIG_FILE" \
  --url "$GITLAB_URL" \
  --name "$RUNNER_NAME" \
  --executor docker \
  --docker-image "$DOCKER_IMAGE" \
  --limit 1 >/dev/null

# run-single exits after MAX_BUILDS jobs (0 = no limit) or when no job came for IDLE_TIMEOUT_SECONDS.
gitlab-runner run-single \
  --config "$CONFIG_FILE" \
  --runner "$RUNNER_NAME" \
  --max-builds "$MAX_BUILDS" \
  --wait-timeout "$IDLE_TIMEOUT_SECONDS"
