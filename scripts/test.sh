#!/usr/bin/env bash
# Runs every test of every module in the workspace (go test ./... at the root
# does not span modules), after gofmt and go vet. Extra arguments go to go test,
# e.g. scripts/test.sh -race or scripts/test.sh -run TestEndToEnd.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v go >/dev/null 2>&1; then
  echo "test.sh: Go is required (https://go.dev/dl/)" >&2
  exit 1
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go') | grep -v /testdata/ || true)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2
  echo "$unformatted" >&2
  exit 1
fi

# PostgreSQL and Chromium for the index and search-page tests: installed and
# started when this machine allows it (root + apt-get). Without them those
# tests skip locally; in CI (CI=true) they fail instead.
if [ -z "${NEWSFLOW_PG_DSN:-}" ]; then
  if dsn=$(scripts/pg.sh); then export NEWSFLOW_PG_DSN=$dsn; else echo "test.sh: no PostgreSQL; its tests will skip (fail in CI)" >&2; fi
fi
if [ -z "${NEWSFLOW_CHROMIUM:-}" ]; then
  if chrome=$(scripts/chromium.sh); then export NEWSFLOW_CHROMIUM=$chrome; else echo "test.sh: no Chromium; browser tests will skip (fail in CI)" >&2; fi
fi

status=0
for dir in $(go list -m -f '{{.Dir}}'); do
  rel=${dir#"$PWD"/}
  echo "=== $rel"
  if ! (cd "$dir" && go vet ./... && go test -count=1 "$@" ./...); then
    status=1
  fi
done
exit $status
