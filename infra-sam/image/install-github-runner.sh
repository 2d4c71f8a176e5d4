#!/usr/bin/env bash
# Runner image, build step: the GitHub Actions runner unpacked in /opt/actions-runner, owned by the `runner`
# user (in the docker group), with the libraries it needs, at the version the image stack names (SSM
# parameter $SETTINGS_PATH/github-runner-version: a pinned x.y.z, or `latest` for GitHub's newest release).
#
# GitHub lets a runner register only from 2.329.0, and assigns jobs only to a runner that installed each new
# release within 30 days of its publication (docs.github.com, "Self-hosted runners reference", runner
# software updates; github.blog changelog 2026-06-12, minimum version enforcement for self-hosted runners).
# A pinned version GitHub would refuse is useless on the image (and a GitLab-only image should not fail to
# build over it), so the build installs GitHub's latest release instead and says so; a pin with 10 days or
# less left says when it expires. `latest` follows GitHub on every scheduled rebuild.
#
# The tarball is checked against the SHA-256 digest GitHub's release API lists for the asset
# (github.blog changelog 2025-06-03, releases expose digests for release assets).
# Run by the Image Builder component that template.yaml inlines it into (scripts/image-template.py), with
# SETTINGS_PATH and AWS_DEFAULT_REGION set.
set -euo pipefail

# Overridable only so tests can run this script in a sandbox.
RUNNER_DIR=${RUNNER_SCALER_RUNNER_DIR:-/opt/actions-runner}
RUNNER_USER=runner
MINIMUM=2.329.0
ALLOWED_DAYS=30
WARN_DAYS=20
API=https://api.github.com/repos/actions/runner/releases

setting() { aws ssm get-parameter --name "$SETTINGS_PATH/$1" --query Parameter.Value --output text; }
github() {
  curl -fsSL --retry 3 -H 'Accept: application/vnd.github+json' -H 'X-GitHub-Api-Version: 2022-11-28' "$@"
}
# True when version $1 >= version $2.
at_least() { [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" == "$2" ]]; }

wanted=$(setting github-runner-version)
if [[ "$wanted" != latest && ! "$wanted" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "install-github-runner: '$wanted' is neither a runner version (x.y.z) nor 'latest'" >&2
  exit 1
fi

# Published releases, oldest first: "<version> <published_at>".
releases=$(github "$API?per_page=100" | jq -r '[.[] | select((.draft | not) and (.prerelease | not))]
  | sort_by(.published_at) | .[] | "\(.tag_name | ltrimstr("v")) \(.published_at)"')
latest=$(tail -n 1 <<<"$releases" | cut -d' ' -f1)
[[ -n "$latest" ]] || { echo "install-github-runner: GitHub lists no runner release" >&2; exit 1; }

# Why GitHub would refuse $1 now, or nothing; warns when it has 10 days or less left.
refused() {
  local version=$1 newer published age_days now
  if ! at_least "$version" "$MINIMUM"; then
    echo "it is below $MINIMUM, the oldest runner GitHub lets register"
    return
  fi
  now=$(date -u +%s)
  while read -r newer published; do
    if [[ "$newer" == "$version" ]] || ! at_least "$newer" "$version"; then
      continue
    fi
    # The oldest release newer than ours started the 30 days after which GitHub stops assigning it jobs.
    age_days=$(( (now - $(date -u -d "$published" +%s)) / 86400 ))
    if (( age_days > ALLOWED_DAYS )); then
      echo "$newer came out $age_days days ago ($published), and GitHub assigns jobs only to runners updated within $ALLOWED_DAYS days"
    elif (( age_days > WARN_DAYS )); then
      echo "install-github-runner: WARNING runner $version has $(( ALLOWED_DAYS - age_days )) days left:" \
        "$newer came out $published; set GitHubRunnerVersion to $latest or to latest" >&2
    fi
    return
  done <<<"$releases"
}

version=$wanted
[[ "$version" != latest ]] || version=$latest
why=$(refused "$version")
if [[ -n "$why" ]]; then
  echo "install-github-runner: WARNING GitHub would refuse runner $version ($why): installing $latest" \
    "instead; set GitHubRunnerVersion to $latest or to latest" >&2
  version=$latest
fi
release=$(github "$API/tags/v$version")

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "install-github-runner: no runner build for $(uname -m)" >&2; exit 1 ;;
esac
asset="actions-runner-linux-$arch-$version.tar.gz"
url=$(jq -r --arg name "$asset" '.assets[] | select(.name == $name) | .browser_download_url' <<<"$release")
digest=$(jq -r --arg name "$asset" '.assets[] | select(.name == $name) | .digest // ""' <<<"$release")
if [[ -z "$url" || "$digest" != sha256:* ]]; then
  echo "install-github-runner: release $version lists no $asset with a sha256 digest" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 3 -o "$work/$asset" "$url"
echo "${digest#sha256:}  $work/$asset" | sha256sum --check --strict -

id -u "$RUNNER_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$RUNNER_USER"
usermod -aG docker "$RUNNER_USER"
rm -rf "$RUNNER_DIR"
mkdir -p "$RUNNER_DIR"
tar -xzf "$work/$asset" -C "$RUNNER_DIR"

# bin/installdependencies.sh recognises Amazon Linux 2023 neither as Fedora (no /etc/redhat-release) nor as
# SUSE and exits "Can't detect current OS type" (actions/runner pull request 4223 is still open), so install
# the list it installs on Fedora directly. lttng-ust only serves .NET tracing: best effort.
dnf install -y openssl-libs krb5-libs zlib libicu
dnf install -y lttng-ust || echo "install-github-runner: lttng-ust not available (only .NET tracing uses it)"

# The runner updates itself in place when GitHub asks it to, so its user owns the directory.
chown -R "$RUNNER_USER:$RUNNER_USER" "$RUNNER_DIR"
installed=$(runuser -u "$RUNNER_USER" -- "$RUNNER_DIR/bin/Runner.Listener" --version)
if [[ "$installed" != "$version" ]]; then
  echo "install-github-runner: Runner.Listener reports '$installed', expected $version" >&2
  exit 1
fi
echo "install-github-runner: GitHub Actions runner $installed in $RUNNER_DIR"
