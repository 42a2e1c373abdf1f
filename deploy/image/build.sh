#!/usr/bin/env bash
# `make image`: builds deploy/Dockerfile as selvhjelp:<version> with podman, or with Docker when an engine
# answers. Offline when need be: the locked wheels are fetched and hash-checked on the host into
# deploy/wheelhouse/ and the build never asks the package index; when no container registry answers, the
# base is a Debian root filesystem made here by mmdebstrap from Debian's own packages (Python 3.11).
# Settings (environment): PYTHON_IMAGE (a base image to use as is), IMAGE_TAG, CONTAINER_ENGINE, VENV.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)
tag=${IMAGE_TAG:-selvhjelp:$version}
default_base=docker.io/library/python:3.11.14-slim-bookworm
local_base=localhost/selvhjelp-base:bookworm
say() { echo "make image: $*"; }

engine=${CONTAINER_ENGINE:-}
if [ -z "$engine" ]; then
  if command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; then engine=docker; else engine=podman; fi
fi
if [ "$engine" = podman ]; then
  if ! command -v podman >/dev/null || ! command -v mmdebstrap >/dev/null || ! command -v runc >/dev/null; then
    say "installing podman, buildah, mmdebstrap and runc from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah mmdebstrap runc uidmap >/dev/null
  fi
  export CONTAINERS_CONF=$PWD/deploy/image/containers.conf
fi

say "fetching the locked wheels (hash-checked) into deploy/wheelhouse/"
find deploy/wheelhouse -type f ! -name README.md -delete
"${VENV:-.venv}/bin/pip" download -q --disable-pip-version-check --require-hashes --no-deps --only-binary=:all: \
  --dest deploy/wheelhouse -r requirements.lock

base=${PYTHON_IMAGE:-}
if [ -z "$base" ]; then
  if [ "$engine" = docker ] || timeout 10 curl -fsS -o /dev/null https://registry-1.docker.io/v2/ 2>/dev/null \
     || [ "$(timeout 10 curl -s -o /dev/null -w '%{http_code}' https://registry-1.docker.io/v2/ 2>/dev/null)" = 401 ]; then
    base=$default_base
  else
    base=$local_base
    if ! podman image exists "$base"; then
      say "no container registry answers: making a Debian 12 base with mmdebstrap (a few minutes)"
      rootfs=$(mktemp -d)/base.tar
      mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,ca-certificates,tzdata \
        bookworm "$rootfs" http://deb.debian.org/debian
      podman import --quiet "$rootfs" "$base" >/dev/null
      rm -rf "$(dirname "$rootfs")"
    fi
  fi
fi

say "building $tag with $engine on $base"
"$engine" build --quiet -f deploy/Dockerfile --build-arg "PYTHON_IMAGE=$base" --build-arg PIP_NO_INDEX=1 \
  -t "$tag" . >/dev/null
say "built $tag ($("$engine" image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
