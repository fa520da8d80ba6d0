#!/usr/bin/env bash
# Builds the container images FROM scratch out of static binaries built here
# (no registry is needed: nothing is pulled):
#   newsflow/newsflow, newsflow/fetcher, newsflow/parser, newsflow/indexer
#   tagged $VERSION and :dev, and newsflow/nats:$NATS_VERSION (nats-server
#   built from its Go module at that pinned version) with its health check.
# Environment: VERSION, COMMIT (default from git), NATS_VERSION (2.15.2),
# DOCKER (docker), IMAGES (which to build, default all:
# "newsflow fetcher parser indexer nats"; NAME=./go/package builds any other
# main package of the workspace as newsflow/NAME, as the Compose test does).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

DOCKER=${DOCKER:-docker}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
COMMIT=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo none)}
NATS_VERSION=${NATS_VERSION:-2.15.2}
IMAGES=${IMAGES:-newsflow fetcher parser indexer nats}
CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
CA=${CA_CERTIFICATES:-/etc/ssl/certs/ca-certificates.crt}

if [ ! -r "$CA" ]; then
  echo "images.sh: no CA bundle at $CA (set CA_CERTIFICATES)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ldflags="-s -w -X main.version=$VERSION -X main.commit=$COMMIT"
ldflags="$ldflags -X github.com/newsflow/newsflow/pkg/service.Version=$VERSION"
ldflags="$ldflags -X github.com/newsflow/newsflow/pkg/service.Commit=$COMMIT"

# context NAME: a build context with the Dockerfile, CA bundle and passwd.
context() {
  local dir=$work/$1
  mkdir -p "$dir/data" "$dir/extra"
  cp deploy/images/Dockerfile "$CA" "$dir/"
  [ "$(basename "$CA")" = ca-certificates.crt ] || mv "$dir/$(basename "$CA")" "$dir/ca-certificates.crt"
  printf 'root:x:0:0:root:/:/sbin/nologin\nnobody:x:65534:65534:nobody:/data:/sbin/nologin\n' >"$dir/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/group"
  echo "$dir"
}

# build NAME VERSION TITLE DESCRIPTION: docker build of the prepared context.
build() {
  local name=$1 version=$2 title=$3 desc=$4
  # The legacy builder is enough for COPY-only images and needs no buildx.
  DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0} "$DOCKER" build --quiet 2>"$work/build.err" \
    --build-arg "TITLE=$title" --build-arg "DESCRIPTION=$desc" \
    --build-arg "VERSION=$version" --build-arg "COMMIT=$COMMIT" --build-arg "CREATED=$CREATED" \
    -t "newsflow/$name:$version" -t "newsflow/$name:dev" "$work/$name" >/dev/null ||
    { grep -v -e DEPRECATED -e BuildKit -e environment-variable "$work/build.err" >&2; return 1; }
  echo "built newsflow/$name:$version ($("$DOCKER" image inspect -f '{{.Size}}' "newsflow/$name:$version" | awk '{printf "%.1f MB", $1/1e6}'))"
}

for img in $IMAGES; do
  case $img in
    newsflow) pkg=./cmd/newsflow desc="all-in-one: embedded NATS, fetcher, parser, indexer and search API" ;;
    fetcher) pkg=./services/fetcher/cmd/fetcher desc="polls feeds and fetches pages" ;;
    parser) pkg=./services/parser/cmd/parser desc="turns pages into articles" ;;
    indexer) pkg=./services/indexer/cmd/indexer desc="indexes articles and serves the search API" ;;
    nats)
      dir=$(context nats)
      (cd deploy/images/nats-server && GOWORK=off CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" \
        -o "$dir/app" github.com/nats-io/nats-server/v2 &&
        GOWORK=off CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$dir/extra/nats-healthcheck" ./healthcheck)
      build nats "$NATS_VERSION" "nats-server" "NATS server $NATS_VERSION built from github.com/nats-io/nats-server/v2"
      continue ;;
    *=./*) pkg=${img#*=} img=${img%%=*} desc="$pkg" ;;
    *) echo "images.sh: unknown image $img" >&2; exit 2 ;;
  esac
  dir=$(context "$img")
  CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags "$ldflags" -o "$dir/app" "$pkg"
  build "$img" "$VERSION" "newsflow-$img" "newsflow $desc"
done
