#!/usr/bin/env bash
# Runner image, build step: pulls the Docker images the pools name (SSM parameter $SETTINGS_PATH/docker-images,
# comma-separated, `none` for none), so a job's first `docker pull` only checks the registry for a newer
# digest instead of downloading every layer. Images are pulled for this machine's architecture.
# Run by the Image Builder component that template.yaml inlines it into (scripts/image-template.py), with
# SETTINGS_PATH and AWS_DEFAULT_REGION set.
set -euo pipefail

images=$(aws ssm get-parameter --name "$SETTINGS_PATH/docker-images" --query Parameter.Value --output text)
[[ "$images" != none ]] || exit 0

IFS=, read -r -a list <<<"$images"
for image in "${list[@]}"; do
  image=$(echo "$image" | xargs)
  [[ -n "$image" ]] || continue
  docker pull "$image"
done
docker image ls
