#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft broker+controller) on 127.0.0.1, jars fetched with Maven.
# usage: kafka.sh fetch | start | stop [--wipe] | status
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_VERSION=${KAFKA_VERSION:-4.4.0}
LOG4J_VERSION=${LOG4J_VERSION:-2.25.5} # the log4j2 that kafka_2.13:$KAFKA_VERSION depends on
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_NUM_PARTITIONS=${KAFKA_NUM_PARTITIONS:-2}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}
KAFKA_JVM_OPTS=${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20}
KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}

HOME_DIR=$RTTM_CACHE_DIR/kafka-$KAFKA_VERSION
RUN=$RTTM_RUN_DIR/kafka
DATA=$RUN/data
LOG=$RUN/logs/server.log
PIDFILE=$RUN/kafka.pid
PROPS=$RUN/server.properties # also identifies our process in /proc/PID/cmdline

fetch() {
  [[ -f $HOME_DIR/.complete ]] || locked "$HOME_DIR.lock" do_fetch
}

do_fetch() {
  [[ -f $HOME_DIR/.complete ]] && return 0
  log "kafka: fetching org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its dependencies with Maven"
  mkdir -p "$HOME_DIR"
  cat >"$HOME_DIR/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>rttm.infra</groupId><artifactId>kafka-jars</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <!-- slf4j 1.7 -> log4j2 binding, so the broker logs through our log4j2 config -->
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  rm -rf "$HOME_DIR/jars.tmp"
  mvn_quiet "$HOME_DIR/fetch.log" -f "$HOME_DIR/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$HOME_DIR/jars.tmp"
  rm -rf "$HOME_DIR/jars"
  mv "$HOME_DIR/jars.tmp" "$HOME_DIR/jars"
  touch "$HOME_DIR/.complete"
}

write_config() {
  mkdir -p "$RUN/logs"
  cat >"$PROPS" <<EOF
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
log.dirs=$DATA
num.partitions=$KAFKA_NUM_PARTITIONS
auto.create.topics.enable=true
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cat >"$RUN/log4j2.properties" <<'EOF'
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
}

# Format the KRaft storage once; reformat (test data only) if the controller port changed,
# since --standalone records the controller endpoint in the metadata log.
format_storage() {
  local stamp=$DATA/.rttm-controller-port
  if [[ -f $DATA/meta.properties && $(cat "$stamp" 2>/dev/null) == "$KAFKA_CONTROLLER_PORT" ]]; then
    return 0
  fi
  log "kafka: formatting KRaft storage in $DATA"
  rm -rf "$DATA"
  local cluster_id
  # A base64url uuid; one that starts with '-' would be read by the tool as an option (1 in 64).
  cluster_id=-
  while [[ $cluster_id == -* ]]; do
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  done
  "$JAVA" -cp "$HOME_DIR/jars/*" -Dlog4j2.configurationFile="$RUN/log4j2.properties" \
    -Dkafka.logs.dir="$RUN/logs" kafka.tools.StorageTool format --standalone \
    -t "$cluster_id" -c "$PROPS" >"$RUN/logs/format.log" 2>&1 ||
    { tail -n 20 "$RUN/logs/format.log" >&2; die "kafka: storage format failed"; }
  echo "$KAFKA_CONTROLLER_PORT" >"$stamp"
}

ready() { port_open "$KAFKA_PORT" && grep -q 'Kafka Server started' "$LOG" 2>/dev/null; }

start() {
  local pid
  if pid=$(pid_of "$PIDFILE" "$PROPS"); then
    wait_ready kafka "$pid" "$LOG" "$KAFKA_START_TIMEOUT" ready || die "kafka: pid $pid is not healthy"
    log "kafka: already running (pid $pid, 127.0.0.1:$KAFKA_PORT)"
    return 0
  fi
  port_open "$KAFKA_PORT" && die "kafka: port $KAFKA_PORT is already in use by another process"
  port_open "$KAFKA_CONTROLLER_PORT" && die "kafka: port $KAFKA_CONTROLLER_PORT is already in use"
  fetch
  JAVA=$(find_java 17 "${KAFKA_JAVA_HOME:-}") || die "kafka: needs Java 17+"
  write_config
  format_storage
  [[ -f $LOG ]] && mv -f "$LOG" "$LOG.1"
  log "kafka: starting broker on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)"
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS and KAFKA_JVM_OPTS are word lists
  launch "$PIDFILE" "$RUN/logs/stdout.log" "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$RUN/log4j2.properties" -Dkafka.logs.dir="$RUN/logs" \
    -cp "$HOME_DIR/jars/*" kafka.Kafka "$PROPS"
  pid=$(cat "$PIDFILE")
  if ! wait_ready kafka "$pid" "$LOG" "$KAFKA_START_TIMEOUT" ready; then
    [[ ! -s $RUN/logs/stdout.log ]] || { log "kafka: JVM output:"; tail -n 20 "$RUN/logs/stdout.log" >&2; }
    stop
    exit 1
  fi
  log "kafka: ready (pid $pid) after ${SECONDS}s"
}

stop() {
  stop_pid kafka "$PIDFILE" "$PROPS" "${KAFKA_STOP_TIMEOUT:-30}"
  if [[ ${1:-} == --wipe ]]; then
    log "kafka: deleting $DATA"
    rm -rf "$DATA"
  fi
}

status() {
  local pid
  pid=$(pid_of "$PIDFILE" "$PROPS") && ready || { echo "kafka: not running"; return 1; }
  echo "kafka: running (pid $pid, 127.0.0.1:$KAFKA_PORT)"
}

service_main kafka "$@"
