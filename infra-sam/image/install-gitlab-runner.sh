#!/usr/bin/env bash
# Runner image, build step: gitlab-runner at the version the image stack pins (SSM parameter
# $SETTINGS_PATH/gitlab-runner-version), from GitLab's package repository for Amazon Linux 2023 (its packages
# are GPG-signed and dnf checks them), with the helper images package of the same version, so the docker
# executor loads its helper image from disk instead of pulling it at the first job (gitlab-runner
# executors/docker/docker.go, getHelperImage: a local image, else the prebuilt archive, else the registry).
#
# 18.1 is the floor: before it, `gitlab-runner run-single --config --runner` ignores .runner_system_id and
# derives the runner manager's system id from /etc/machine-id (see infra-sam/runner/gitlab-runner.sh).
#
# The package enables and starts its service, which creates config.toml and a .runner_system_id from this
# build machine's machine-id: both are removed, the service is disabled (the bootstrap runs run-single
# itself), so every machine starts clean.
# Run by the Image Builder component that template.yaml inlines it into (scripts/image-template.py), with
# SETTINGS_PATH and AWS_DEFAULT_REGION set.
set -euo pipefail

setting() { aws ssm get-parameter --name "$SETTINGS_PATH/$1" --query Parameter.Value --output text; }

version=$(setting gitlab-runner-version)
if [[ ! "$version" =~ ^([0-9]+)\.([0-9]+)\.[0-9]+$ ]]; then
  echo "install-gitlab-runner: '$version' is not a gitlab-runner version (x.y.z)" >&2
  exit 1
fi
if (( BASH_REMATCH[1] < 18 || (BASH_REMATCH[1] == 18 && BASH_REMATCH[2] < 1) )); then
  echo "install-gitlab-runner: $version is older than 18.1, whose run-single reads .runner_system_id" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# GitLab's documented way to add its repository ("Install GitLab Runner using the official GitLab
# repositories"): the script detects the distribution and writes /etc/yum.repos.d/runner_gitlab-runner.repo.
curl -fsSL --retry 3 -o "$work/script.rpm.sh" \
  https://packages.gitlab.com/install/repositories/runner/gitlab-runner/script.rpm.sh
bash "$work/script.rpm.sh"
dnf install -y "gitlab-runner-$version-1" "gitlab-runner-helper-images-$version-1"

systemctl disable --now gitlab-runner
rm -f /etc/gitlab-runner/config.toml /etc/gitlab-runner/.runner_system_id

installed=$(gitlab-runner --version | sed -n 's/^Version: *//p')
if [[ "$installed" != "$version" ]]; then
  echo "install-gitlab-runner: installed '$installed', expected $version" >&2
  exit 1
fi
echo "install-gitlab-runner: gitlab-runner $installed"
