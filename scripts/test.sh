#!/usr/bin/env bash
# The whole test suite: starts what the tests need (PostgreSQL, Redis, Kafka, Schema Registry),
# migrates a template database, runs every test, and stops what it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
bash scripts/infra/up.sh
trap 'bash scripts/infra/down.sh' EXIT

echo "[test] generating Prisma client and migrating the template database" >&2
npx prisma generate >/dev/null
template=rttm_template
psql -q -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$template'" >/dev/null
psql -q -d postgres -c "DROP DATABASE IF EXISTS $template" -c "CREATE DATABASE $template"
# Leftover per-file databases from an interrupted run.
for db in $(psql -Atq -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'rttm_test_%'"); do
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" || true
done
DATABASE_URL="postgresql://$PGUSER@$PGHOST:5432/$template" npx prisma migrate deploy >/dev/null

export LOG_LEVEL=${LOG_LEVEL:-silent}
files=("$@")
[[ ${#files[@]} -gt 0 ]] || files=(test/unit/*.test.ts test/integration/*.test.ts)
node --import tsx --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec "${files[@]}"
