#!/usr/bin/env bash
# The local AWS emulator (moto server) for tests and the demo.
#   scripts/emulator.sh setup   create .venv and install the pinned test tools (idempotent)
#   scripts/emulator.sh start   start moto on 127.0.0.1 on a free port, wait until it answers,
#                               print the endpoint (also written to .emulator/endpoint)
#   scripts/emulator.sh stop    stop the server started by `start`
#   scripts/emulator.sh endpoint  print the endpoint of the running server
# With `iam` after start, stop or endpoint: a second server of its own (.emulator/iam/) that enforces IAM
# (moto's INITIAL_NO_AUTH_ACTION_COUNT, one counter per server process, hence its own process), for the
# *IamIT tests that run each function under its template role. It answers no unauthenticated call until a
# test re-arms the count (POST /moto-api/reset-auth); see scripts/moto_server.py --iam.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
state="$root/.emulator"
server_args=()
server_env=()
if [[ "${2:-}" == iam ]]; then
  state="$root/.emulator/iam"
  server_args=(--iam)
  server_env=(INITIAL_NO_AUTH_ACTION_COUNT=0)
elif [[ -n "${2:-}" ]]; then
  echo "usage: $0 setup|start|stop|endpoint [iam]" >&2; exit 2
fi
req="$root/scripts/requirements.txt"

python_bin() {
  for p in python3.12 python3.11 python3; do
    # pyenv shims exist for versions that are not selected: check that it really runs
    if "$p" -c 'import venv, ensurepip' >/dev/null 2>&1; then command -v "$p"; return; fi
  done
  echo "emulator: python3 not found" >&2; exit 1
}

setup() {
  local stamp="$venv/.requirements.sha"
  local want; want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [[ -x "$venv/bin/moto_server" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  echo "emulator: creating $venv with $(basename "$req")" >&2
  "$(python_bin)" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
  echo "$want" > "$stamp"
}

free_port() {
  "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

answers() { curl -sf -o /dev/null "$1/moto-api/"; }

start() {
  setup
  mkdir -p "$state"
  if [[ -f "$state/pid" ]] && kill -0 "$(cat "$state/pid")" 2>/dev/null && answers "$(cat "$state/endpoint")"; then
    cat "$state/endpoint"; return 0
  fi
  local port; port="$(free_port)"
  local endpoint="http://127.0.0.1:$port"
  # scripts/moto_server.py: moto with DynamoDB requests serialised and SendMessage independent of queue
  # depth (see the file for why); with --iam, IAM enforced
  nohup env "${server_env[@]}" "$venv/bin/python" "$root/scripts/moto_server.py" -H 127.0.0.1 -p "$port" "${server_args[@]}" \
    >"$state/moto.log" 2>&1 &
  echo $! > "$state/pid"
  for _ in $(seq 1 150); do
    if answers "$endpoint"; then echo "$endpoint" > "$state/endpoint"; echo "$endpoint"; return 0; fi
    if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "emulator: moto did not answer on $endpoint; log follows" >&2
  cat "$state/moto.log" >&2
  exit 1
}

stop() {
  if [[ -f "$state/pid" ]]; then
    kill "$(cat "$state/pid")" 2>/dev/null || true
    rm -f "$state/pid" "$state/endpoint"
  fi
}

case "${1:-}" in
  setup) setup ;;
  start) start ;;
  stop) stop ;;
  endpoint) cat "$state/endpoint" ;;
  *) echo "usage: $0 setup|start|stop|endpoint [iam]" >&2; exit 2 ;;
esac
