# shellcheck shell=bash
# shellcheck disable=SC2154 # log, imds, power_off, INSTANCE_ID and IDLE_TIMEOUT_SECONDS come from the bootstrap
# Runner Scaler: every boot of a runner machine, and the stopped pool. UserData includes this file into each
# bootstrap where it says "runner-scaler:include stopped-pool.sh"; it only defines functions and settings.
#
# EC2 runs user data on an instance's first boot only (cloud-init's scripts-user runs once per instance), and a
# machine of a stopped pool boots again each time the scaler starts it (StartInstances). So on its first boot the
# bootstrap installs itself as a systemd unit that runs it on every later boot, and each boot knows which it is:
#   refill: the first boot of a machine launched to refill the stopped pool (instance tag runner-scaler:refill=true,
#           read from the instance metadata): Docker up (the image holds everything else), nothing registered,
#           tag runner-scaler:ready=true set on itself, then it waits; the control plane stops it (StopInstances).
#   job:    every other boot, a started pool machine's included: register and run as the bootstrap does, then go
#           away as any machine does (shutting down terminates it).
# A spot machine of the pool was launched by a persistent spot request (interruption behaviour stop: EC2 requires
# it for stopping); terminating such an instance makes EC2 launch a replacement, so before it shuts itself down it
# cancels its own request.

# Overridable only so tests can run this script in a sandbox.
STATE_DIR=${RUNNER_SCALER_STATE_DIR:-/var/lib/runner-scaler}
UNIT_DIR=${RUNNER_SCALER_UNIT_DIR:-/etc/systemd/system}
BOOT_UNIT=runner-scaler-boot.service

# Counts this machine's boots on its root volume (kept while stopped) and prints refill or job.
boot_kind() {
  local boots=0 refill
  mkdir -p "$STATE_DIR"
  if [[ -f "$STATE_DIR/boots" ]]; then boots=$(<"$STATE_DIR/boots"); fi
  boots=$((boots + 1))
  printf '%s' "$boots" > "$STATE_DIR/boots"
  refill=$(imds meta-data/tags/instance/runner-scaler:refill 2>/dev/null || true)
  if (( boots == 1 )) && [[ "$refill" == true ]]; then printf refill; else printf job; fi
}

# First boot: keep this script and enable the unit that runs it on the boots to come (not on this one).
install_every_boot_unit() {
  [[ ! -f "$UNIT_DIR/$BOOT_UNIT" ]] || return 0
  mkdir -p "$STATE_DIR" "$UNIT_DIR"
  install -m 700 "$0" "$STATE_DIR/bootstrap.sh"
  cat > "$UNIT_DIR/$BOOT_UNIT" <<UNIT
[Unit]
Description=Runner Scaler bootstrap on every boot after the first (user data runs on the first only)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=/bin/bash $STATE_DIR/bootstrap.sh

[Install]
WantedBy=multi-user.target
UNIT
  systemctl enable "$BOOT_UNIT"
}

# A refill boot: warm up, say ready, wait to be stopped. It never shuts down before its safety limit, since a
# shutdown from inside terminates the instance (instance-initiated shutdown behaviour terminate).
refill_boot() {
  systemctl start docker
  aws ec2 create-tags --resources "$INSTANCE_ID" --tags Key=runner-scaler:ready,Value=true
  log "ready for the stopped pool; waiting to be stopped"
  sleep "$IDLE_TIMEOUT_SECONDS"
  cancel_own_spot_request
  power_off "refill: not stopped within ${IDLE_TIMEOUT_SECONDS}s"
}

# A pool machine on spot: cancel its persistent spot request, so that its own shutdown (which terminates it) does
# not make EC2 launch a replacement. Any other machine has nothing to cancel.
cancel_own_spot_request() {
  [[ -n "${INSTANCE_ID:-}" ]] || return 0
  [[ "$(imds meta-data/tags/instance/runner-scaler:refill 2>/dev/null || true)" == true ]] || return 0
  [[ "$(imds meta-data/instance-life-cycle 2>/dev/null || true)" == spot ]] || return 0
  local request
  request=$(aws ec2 describe-instances --instance-ids "$INSTANCE_ID" \
    --query 'Reservations[0].Instances[0].SpotInstanceRequestId' --output text 2>/dev/null || true)
  [[ -n "$request" && "$request" != None ]] || return 0
  aws ec2 cancel-spot-instance-requests --spot-instance-request-ids "$request" >/dev/null \
    || log "could not cancel spot request $request"
}

# Runs after the instance id is known: installs the every-boot unit and, on a refill boot, does only that.
every_boot() {
  install_every_boot_unit
  BOOT_KIND=$(boot_kind)
  log "boot $(<"$STATE_DIR/boots"), $BOOT_KIND"
  if [[ "$BOOT_KIND" == refill ]]; then
    [[ -z "${WATCHDOG_PID:-}" ]] || kill "$WATCHDOG_PID" 2>/dev/null || true
    trap - EXIT TERM INT
    refill_boot
    exit 0
  fi
}
