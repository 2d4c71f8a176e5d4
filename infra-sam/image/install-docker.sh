#!/usr/bin/env bash
# Runner image, build step: Docker from the Amazon Linux 2023 repository, enabled so it starts at boot (the
# GitLab bootstrap also starts it before registering), and started now so later steps can pull images.
# Run by the Image Builder component that template.yaml inlines it into (scripts/image-template.py).
set -euo pipefail

dnf install -y docker
systemctl enable docker
systemctl start docker
docker version
