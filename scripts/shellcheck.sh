#!/usr/bin/env bash
# Checks every shell script in infra-sam/runner/ (the bootstrap), infra-sam/image/ (the runner image's build
# steps) and scripts/ with shellcheck (bash dialect, warnings and errors; sourced files without a shebang are
# read as bash), installing it first when it is missing
# (Debian/Ubuntu package, as root or with passwordless sudo). Without shellcheck and without a way to install
# it, it says so and exits 0, unless SHELLCHECK_REQUIRED=1 (then 1).
#   scripts/shellcheck.sh          check all scripts
#   scripts/shellcheck.sh FILE...  check only these
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

install_shellcheck() {
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "shellcheck: not installed and no root to install it; install the 'shellcheck' package" >&2
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    echo "shellcheck: not installed and apt-get is not available; install shellcheck with your package manager" >&2
    return 1
  fi
  echo "shellcheck: installing the shellcheck package" >&2
  "${sudo[@]}" apt-get install -y -qq shellcheck >/dev/null 2>&1 \
    || { "${sudo[@]}" apt-get update -qq >/dev/null && "${sudo[@]}" apt-get install -y -qq shellcheck >/dev/null; }
}

if ! command -v shellcheck >/dev/null && ! install_shellcheck; then
  echo "shellcheck: SKIPPED, scripts not checked" >&2
  [[ "${SHELLCHECK_REQUIRED:-0}" == 1 ]] && exit 1
  exit 0
fi

if [[ $# -gt 0 ]]; then
  files=("$@")
else
  mapfile -t files < <(find "$root/infra-sam/runner" "$root/infra-sam/image" "$root/scripts" -maxdepth 1 -type f -name '*.sh' | sort)
fi

echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p'): ${#files[@]} scripts" >&2
shellcheck --shell=bash --severity=warning --external-sources "${files[@]}"
