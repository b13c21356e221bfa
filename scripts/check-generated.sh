#!/usr/bin/env bash
# Fails when committed generated files differ from what the generators produce now.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npx buf generate
node --import tsx scripts/emit-schema.ts
npx graphql-codegen --config codegen.ts
generated=(src/ingest/proto schema/schema.graphql clients/typescript/src/generated)
git add -N "${generated[@]}"
if ! git diff --exit-code --stat -- "${generated[@]}"; then
  echo "Generated code (protobuf, GraphQL schema or clients) is stale: run 'npm run generate' and commit the result." >&2
  exit 1
fi
echo "generated files are up to date" >&2
