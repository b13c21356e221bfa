#!/usr/bin/env bash
# The whole test suite against the real services; extra arguments select test files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LOG_LEVEL=${LOG_LEVEL:-silent}
files=("$@")
[[ ${#files[@]} -gt 0 ]] || files=(test/unit/*.test.ts test/integration/*.test.ts)
bash scripts/with-services.sh node --disable-warning=TimeoutNegativeWarning --import tsx --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec "${files[@]}"
