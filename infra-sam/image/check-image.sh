#!/usr/bin/env bash
# Runner image, test step: runs on a fresh instance launched from the new image (Image Builder's test
# phase) and fails the build unless everything the bootstrap scripts (infra-sam/runner/*.sh) need at boot is
# there: AWS CLI v2, Docker enabled, gitlab-runner >= 18.1 with its service disabled and no baked runner
# state, the GitHub runner in /opt/actions-runner owned by `runner`, and every pre-pulled image.
# Run by the Image Builder component that template.yaml inlines it into (scripts/image-template.py), with
# SETTINGS_PATH and AWS_DEFAULT_REGION set.
set -euo pipefail

problems=()
problem() { problems+=("$1"); }
setting() { aws ssm get-parameter --name "$SETTINGS_PATH/$1" --query Parameter.Value --output text; }

aws --version 2>&1 | grep -q '^aws-cli/2\.' || problem "AWS CLI v2 is not installed"
systemctl is-enabled --quiet docker || problem "docker is not enabled"
systemctl start docker || problem "docker does not start"

gitlab_version=$(gitlab-runner --version 2>/dev/null | sed -n 's/^Version: *//p')
[[ "$gitlab_version" == "$(setting gitlab-runner-version)" ]] \
  || problem "gitlab-runner is '$gitlab_version', not the pinned $(setting gitlab-runner-version)"
! systemctl is-enabled --quiet gitlab-runner || problem "the gitlab-runner service is enabled"
[[ ! -e /etc/gitlab-runner/config.toml && ! -e /etc/gitlab-runner/.runner_system_id ]] \
  || problem "/etc/gitlab-runner holds a baked config.toml or .runner_system_id"

[[ -x /opt/actions-runner/run.sh ]] || problem "no GitHub Actions runner in /opt/actions-runner"
[[ "$(stat -c %U /opt/actions-runner/run.sh 2>/dev/null)" == runner ]] \
  || problem "/opt/actions-runner is not owned by the runner user"
id -nG runner 2>/dev/null | grep -qw docker || problem "the runner user is not in the docker group"
runuser -u runner -- /opt/actions-runner/bin/Runner.Listener --version >/dev/null 2>&1 \
  || problem "the GitHub Actions runner does not start (missing libraries?)"

images=$(setting docker-images)
if [[ "$images" != none ]]; then
  IFS=, read -r -a list <<<"$images"
  for image in "${list[@]}"; do
    image=$(echo "$image" | xargs)
    [[ -z "$image" ]] || docker image inspect "$image" >/dev/null 2>&1 || problem "image $image is not pulled"
  done
fi

if (( ${#problems[@]} > 0 )); then
  printf 'check-image: %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "check-image: gitlab-runner $gitlab_version, GitHub runner $(runuser -u runner -- \
  /opt/actions-runner/bin/Runner.Listener --version), $(docker --version)"
