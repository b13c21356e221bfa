#!/usr/bin/env bash
# Confluent-compatible Schema Registry on 127.0.0.1: Apicurio Registry 3.x, fetched from Maven
# Central. Clients use http://127.0.0.1:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7
# It keeps its schemas in a database of the local PostgreSQL (created when missing), so they
# outlive a restart as the local Kafka's records do: a record's schema id names the same schema
# after both restart. SCHEMA_REGISTRY_DB names the database; by default rttm_registry for the
# default run dir, and one derived from the run dir otherwise, so isolated runs never share one.
# usage: registry.sh fetch | start | stop [--wipe] | status   (stop --wipe drops the database)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCHEMA_REGISTRY_PORT=${SCHEMA_REGISTRY_PORT:-8081}
SCHEMA_REGISTRY_MANAGEMENT_PORT=${SCHEMA_REGISTRY_MANAGEMENT_PORT:-9081} # Quarkus health/metrics
REGISTRY_HEAP_OPTS=${REGISTRY_HEAP_OPTS:--Xms64m -Xmx384m}
REGISTRY_START_TIMEOUT=${REGISTRY_START_TIMEOUT:-90}

# Apicurio 3.1+ is built for Java 21 (Temurin 25 is in /usr/lib/jvm here); 3.0.x runs on Java 17.
if [[ -z ${APICURIO_VERSION:-} ]]; then
  if find_java 21 "${REGISTRY_JAVA_HOME:-}" >/dev/null; then APICURIO_VERSION=3.3.3; else APICURIO_VERSION=3.0.9; fi
fi
JAVA_MIN=21
[[ $APICURIO_VERSION != 3.0.* ]] || JAVA_MIN=17

HOME_DIR=$RTTM_CACHE_DIR/apicurio-registry-$APICURIO_VERSION
RUN=$RTTM_RUN_DIR/registry
LOG=$RUN/registry.log
PIDFILE=$RUN/registry.pid
MARK=-Drttm.registry.run=$RUN # identifies our process in /proc/PID/cmdline
URL=http://127.0.0.1:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
default_db_name() {
  if [[ $RTTM_RUN_DIR == "$RTTM_CACHE_DIR/run" ]]; then echo rttm_registry; return; fi
  local base hash
  base=$(basename "$RTTM_RUN_DIR" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9\n' _ | cut -c1-30)
  hash=$(printf %s "$RTTM_RUN_DIR" | sha1sum | cut -c1-8)
  echo "rttm_registry_${base}_$hash"
}
DB=${SCHEMA_REGISTRY_DB:-$(default_db_name)}
[[ $DB =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "registry: SCHEMA_REGISTRY_DB=$DB is not a plain PostgreSQL name ([a-z_][a-z0-9_]*)"

fetch() {
  [[ -f $HOME_DIR/.complete ]] || locked "$HOME_DIR.lock" do_fetch
}

do_fetch() {
  [[ -f $HOME_DIR/.complete ]] && return 0
  # The build attaches the Quarkus app as classifier "all"; only the tar.gz is on Central.
  local gav=io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all
  log "registry: fetching $gav with Maven"
  rm -rf "$HOME_DIR" && mkdir -p "$HOME_DIR/app.tmp"
  (cd "$HOME_DIR" && mvn_quiet fetch.log dependency:copy -Dartifact="$gav" -DoutputDirectory=dl)
  tar -xzf "$HOME_DIR"/dl/*.tar.gz -C "$HOME_DIR/app.tmp"
  rm -rf "$HOME_DIR/dl"
  mv "$HOME_DIR/app.tmp" "$HOME_DIR/app"
  touch "$HOME_DIR/.complete"
}

# psql_admin SQL...: run statements on the server's maintenance database.
psql_admin() {
  local args=() sql
  for sql in "$@"; do args+=(-c "$sql"); done
  psql -X -q -At -v ON_ERROR_STOP=1 -d postgres "${args[@]}"
}

ensure_database() {
  command -v psql >/dev/null || die "registry: psql is needed (apt-get install -y postgresql-client)"
  psql_admin "SELECT 1" >/dev/null || die "registry: PostgreSQL at $PGHOST:$PGPORT does not answer (scripts/infra/up.sh postgres starts it)"
  [[ -n $(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$DB'") ]] && return 0
  log "registry: creating database $DB"
  psql_admin "CREATE DATABASE $DB"
}

ready() {
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/subjects") == 200 ]]
}

start() {
  local pid jar java
  if pid=$(pid_of "$PIDFILE" "$MARK"); then
    wait_ready registry "$pid" "$LOG" "$REGISTRY_START_TIMEOUT" ready || die "registry: pid $pid is not healthy"
    log "registry: already running (pid $pid, $URL)"
    return 0
  fi
  command -v curl >/dev/null || die "registry: curl is needed (apt-get install -y curl)"
  port_open "$SCHEMA_REGISTRY_PORT" && die "registry: port $SCHEMA_REGISTRY_PORT is already in use by another process"
  fetch
  java=$(find_java "$JAVA_MIN" "${REGISTRY_JAVA_HOME:-}") ||
    die "registry: Apicurio $APICURIO_VERSION needs Java $JAVA_MIN+ (set REGISTRY_JAVA_HOME, or APICURIO_VERSION=3.0.9 for Java 17)"
  # 3.1+ ships the fast-jar layout (quarkus-run.jar), 3.0.x a legacy *-runner.jar.
  for jar in "$HOME_DIR"/app/quarkus-run.jar "$HOME_DIR"/app/*-runner.jar; do [[ -f $jar ]] && break; done
  [[ -f $jar ]] || die "registry: no runnable jar in $HOME_DIR/app"
  mkdir -p "$RUN"
  ensure_database
  log "registry: starting Apicurio $APICURIO_VERSION (Java $(java_major "$java")) on $URL, storage: database $DB"
  # In the environment rather than on the command line, which any local user can read.
  [[ -z ${PGPASSWORD:-} ]] || export APICURIO_DATASOURCE_PASSWORD=$PGPASSWORD
  # shellcheck disable=SC2086 # REGISTRY_HEAP_OPTS and REGISTRY_JVM_OPTS are word lists
  (cd "$RUN" && launch "$PIDFILE" "$LOG" "$java" $REGISTRY_HEAP_OPTS ${REGISTRY_JVM_OPTS:-} \
    -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "$MARK" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$SCHEMA_REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$SCHEMA_REGISTRY_MANAGEMENT_PORT" \
    -Dquarkus.http.access-log.enabled=false \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=postgresql \
    -Dapicurio.datasource.url="jdbc:postgresql://$PGHOST:$PGPORT/$DB" \
    -Dapicurio.datasource.username="$PGUSER" \
    -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.datasource.jdbc.max-size=10 \
    -Dapicurio.rest.deletion.group.enabled=true \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -jar "$jar")
  pid=$(cat "$PIDFILE")
  wait_ready registry "$pid" "$LOG" "$REGISTRY_START_TIMEOUT" ready || { stop; exit 1; }
  log "registry: ready (pid $pid) after ${SECONDS}s"
}

# --wipe also drops the database: the next start hands out ids from 1 again, so wipe the local
# Kafka's topics with it (their records name schemas by those ids).
stop() {
  stop_pid registry "$PIDFILE" "$MARK" "${REGISTRY_STOP_TIMEOUT:-30}"
  [[ ${1:-} == --wipe ]] || return 0
  rm -f "$LOG"
  if ! command -v psql >/dev/null || ! psql_admin "SELECT 1" >/dev/null 2>&1; then
    die "registry: cannot drop database $DB: PostgreSQL at $PGHOST:$PGPORT does not answer"
  fi
  log "registry: dropping database $DB"
  psql_admin "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
}

status() {
  local pid
  pid=$(pid_of "$PIDFILE" "$MARK") && ready || { echo "registry: not running"; return 1; }
  echo "registry: running (pid $pid, $URL)"
}

service_main registry "$@"
