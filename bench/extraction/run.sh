#!/usr/bin/env bash
# Runs newsflow's extractor, go-trafilatura and go-readability side by side
# on the dev corpus (../../../shared/corpus/dev from here, or $CORPUS), in
# one process, and prints F1/P/R, title, date, author scores and pages/s
# for each. When shared/tools/score-extraction is there too, it re-scores
# each extractor's JSONL output as the reference scorer.
# Skips (exit 0) when the corpus is absent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
corpus="${CORPUS:-$here/../../../shared/corpus/dev}"
scorer="${SCORER:-$here/../../../shared/tools/score-extraction}"
repeat="${REPEAT:-3}"
if [[ ! -f "$corpus/truth.json" ]]; then
	echo "run.sh: no corpus at $corpus; skipping" >&2
	exit 0
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$here"
go build -o "$out/extraction" .
"$out/extraction" -corpus "$corpus" -out "$out" -repeat "$repeat"
if [[ -x "$scorer" ]]; then
	for f in "$out"/*.jsonl; do
		echo "--- score-extraction: $(basename "$f" .jsonl)"
		"$scorer" --corpus "$corpus" --predictions "$f" --name "$(basename "$f" .jsonl)" | tail -1
	done
fi
