#!/usr/bin/env bash
# Runs RTTM locally: starts PostgreSQL, Redis, Kafka and the Schema Registry on loopback (fetching
# Kafka and the registry from Maven Central the first time), creates and migrates the database,
# then runs the service in the foreground. Ctrl-C (or SIGTERM) stops the service (it drains its
# queue and commits), then what this run started: a service that was already running before
# (say, a Kafka broker of an earlier `npm run dev`) is left running.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
# This run's own record of what up.sh started (down.sh stops only that).
RTTM_UP_STATE=$(mktemp -t rttm-dev-up.XXXXXX)
export RTTM_UP_STATE
service_pid=
stop_service() {
  [[ -n $service_pid ]] && kill -0 "$service_pid" 2>/dev/null || return 0
  echo "[dev] stopping the service (draining)" >&2
  kill -TERM "$service_pid" 2>/dev/null || true
  wait "$service_pid" 2>/dev/null || true
}
finish() {
  stop_service
  bash scripts/infra/down.sh || true
  rm -f "$RTTM_UP_STATE"
}
trap finish EXIT
trap 'exit 130' INT TERM
bash scripts/infra/up.sh

export DB_NAME=${DB_NAME:-pmsdb}
export KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${KAFKA_PORT:-9092}}
export SCHEMA_REGISTRY_URL=${SCHEMA_REGISTRY_URL:-http://127.0.0.1:${SCHEMA_REGISTRY_PORT:-8081}/apis/ccompat/v7}
[[ -n ${REDIS_SENTINEL_NODES:-} ]] || export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
if [[ -z ${DATABASE_URL:-} && -z $(psql -Atq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
  echo "[dev] creating database $DB_NAME" >&2
  psql -q -d postgres -c "CREATE DATABASE \"$DB_NAME\""
fi
npx prisma generate >/dev/null
npx prisma migrate deploy
# In its own session, so the terminal's Ctrl-C reaches this script only, which stops the service
# and then the infrastructure, in that order.
setsid node --import tsx src/main.ts &
service_pid=$!
wait "$service_pid"
