#!/usr/bin/env bash
# Runner image, build step: the tools the bootstrap scripts (infra-sam/runner/*.sh) call at boot, so that a
# machine installs and downloads nothing then. Amazon Linux 2023 ships curl, systemd, procps-ng (pgrep) and
# util-linux (runuser) in its standard AMI, and the AWS CLI v2 as the awscli-2 package; jq is for the build
# steps that read GitHub's release API.
# Run by the Image Builder component that template.yaml inlines it into (scripts/image-template.py).
set -euo pipefail

dnf install -y jq
if ! aws --version 2>&1 | grep -q '^aws-cli/2\.'; then
  dnf install -y awscli-2
fi
aws --version

missing=()
for tool in curl jq aws pgrep runuser shutdown systemctl useradd; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if (( ${#missing[@]} > 0 )); then
  echo "install-base: missing on this image: ${missing[*]}" >&2
  exit 1
fi
