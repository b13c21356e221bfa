#!/usr/bin/env bash
# Confluent-compatible Schema Registry on 127.0.0.1: Apicurio Registry 3.x (in-memory H2 storage),
# fetched from Maven Central. Clients use http://127.0.0.1:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7
# usage: registry.sh fetch | start | stop [--wipe] | status
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
  log "registry: starting Apicurio $APICURIO_VERSION (Java $(java_major "$java")) on $URL"
  # shellcheck disable=SC2086 # REGISTRY_HEAP_OPTS and REGISTRY_JVM_OPTS are word lists
  (cd "$RUN" && launch "$PIDFILE" "$LOG" "$java" $REGISTRY_HEAP_OPTS ${REGISTRY_JVM_OPTS:-} \
    -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "$MARK" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$SCHEMA_REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$SCHEMA_REGISTRY_MANAGEMENT_PORT" \
    -Dquarkus.http.access-log.enabled=false \
    -Dapicurio.rest.deletion.group.enabled=true \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -jar "$jar")
  pid=$(cat "$PIDFILE")
  wait_ready registry "$pid" "$LOG" "$REGISTRY_START_TIMEOUT" ready || { stop; exit 1; }
  log "registry: ready (pid $pid) after ${SECONDS}s"
}

# Storage is in memory: stopping wipes it, so --wipe only removes the log.
stop() {
  stop_pid registry "$PIDFILE" "$MARK" "${REGISTRY_STOP_TIMEOUT:-30}"
  [[ ${1:-} != --wipe ]] || rm -f "$LOG"
}

status() {
  local pid
  pid=$(pid_of "$PIDFILE" "$MARK") && ready || { echo "registry: not running"; return 1; }
  echo "registry: running (pid $pid, $URL)"
}

service_main registry "$@"
