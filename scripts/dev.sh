#!/usr/bin/env bash
# Runs RTTM locally: starts PostgreSQL, Redis, Kafka and the Schema Registry on loopback (fetching
# Kafka and the registry from Maven Central the first time), creates and migrates the database,
# then runs the service in the foreground. Ctrl-C stops the service and what this script started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
bash scripts/infra/up.sh
trap 'bash scripts/infra/down.sh' EXIT

export DB_NAME=${DB_NAME:-pmsdb}
export KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}
export SCHEMA_REGISTRY_URL=${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}
[[ -n ${REDIS_SENTINEL_NODES:-} ]] || export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
if [[ -z ${DATABASE_URL:-} && -z $(psql -Atq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
  echo "[dev] creating database $DB_NAME" >&2
  psql -q -d postgres -c "CREATE DATABASE \"$DB_NAME\""
fi
npx prisma generate >/dev/null
npx prisma migrate deploy
node --import tsx src/main.ts
