#!/usr/bin/env bash
# Runs a command with the local services up (PostgreSQL, Redis, Kafka, Schema Registry) and a
# freshly migrated template database (rttm_template) that tests and benchmarks copy; stops on exit
# whatever it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
# One run at a time on a machine: runs share the broker, the registry and the template database.
lock_dir=${RTTM_RUN_DIR:-${RTTM_CACHE_DIR:-$HOME/.cache/rttm}/run}
mkdir -p "$lock_dir"
exec 9>"$lock_dir/with-services.lock"
if ! flock -n 9; then
  echo "[services] another test or benchmark run holds the services; waiting for it" >&2
  flock 9
fi
bash scripts/infra/up.sh
trap 'bash scripts/infra/down.sh' EXIT

echo "[services] generating Prisma client and migrating the template database" >&2
npx prisma generate >/dev/null
template=${TEST_PG_TEMPLATE:-rttm_template}
psql -q -d postgres -c "DROP DATABASE IF EXISTS $template WITH (FORCE)" -c "CREATE DATABASE $template"
# Databases left by an interrupted run: nobody connected and created over an hour ago, so that a
# run beside this one (another RTTM_RUN_DIR, e.g. a long benchmark) keeps its databases.
for db in $(psql -Atq -d postgres -c "SELECT d.datname FROM pg_database d JOIN pg_stat_database s USING (datname)
    WHERE (d.datname LIKE 'rttm_test_%' OR d.datname LIKE 'rttm_bench_%' OR d.datname LIKE 'rttm_registry_test_%')
      AND s.numbackends = 0
      AND (pg_stat_file('base/' || d.oid || '/PG_VERSION', true)).modification < now() - interval '1 hour'"); do
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
done
DATABASE_URL="postgresql://$PGUSER@$PGHOST:5432/$template" npx prisma migrate deploy >/dev/null

"$@"
