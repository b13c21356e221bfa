#!/usr/bin/env bash
# Fails when committed generated files differ from what the generators produce now.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npx buf generate
node --import tsx scripts/emit-schema.ts
git add -N src/ingest/proto schema/schema.graphql
if ! git diff --exit-code --stat -- src/ingest/proto schema/schema.graphql; then
  echo "Generated protobuf code is stale: run 'npm run generate' and commit the result." >&2
  exit 1
fi
echo "generated files are up to date" >&2
