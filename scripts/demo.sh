#!/usr/bin/env bash
# One command for a live demo: the service (through scripts/dev.sh: PostgreSQL, Redis, Kafka, the
# Schema Registry, migrations, then the service in the foreground) plus the traffic simulator
# (src/simulator) in the background, so GraphiQL at http://localhost:8087/graphql shows moving
# numbers within about a minute. Ctrl-C stops, in order, the simulator (it flushes the events in
# flight), the service (it drains its queue) and the infrastructure this run started (never a
# service that was already running).
#
# usage: scripts/demo.sh              local infrastructure, as npm run dev
#        scripts/demo.sh --external   existing services from KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL or
#                                     DB_*, SCHEMA_REGISTRY_URL (nothing started but the simulator
#                                     and the service)
# Simulator settings (SIM_TRADES_PER_SECOND, SIM_*_FRACTION, ...) pass through; see README.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=infra/lib.sh
. scripts/infra/lib.sh

say() { printf '[demo] %s\n' "$*" >&2; }
mode=local
case ${1:-} in
  "") ;;
  --external) mode=external ;;
  *) echo "usage: $0 [--external]" >&2; exit 2 ;;
esac

how_to_point() {
  cat >&2 <<'MSG'
[demo] To use services that already run elsewhere instead, point RTTM at them and run
[demo]   KAFKA_BOOTSTRAP_SERVERS=kafka-1:9092,kafka-2:9092 \
[demo]   DATABASE_URL=postgresql://user:password@db-host:5432/pmsdb \
[demo]   SCHEMA_REGISTRY_URL=http://registry:8081/apis/ccompat/v7 \
[demo]   npm run demo -- --external
[demo] (instead of DATABASE_URL: DB_HOST, DB_PORT, DB_NAME, DB_USERNAME, DB_PASSWORD; without
[demo] SCHEMA_REGISTRY_URL the simulator frames with fixed schema ids SIM_SCHEMA_IDS=1,2,3,4,5 and the
[demo] service skips its schema-id check). The database must exist; it is migrated on start.
MSG
}

# ---- what is missing? ----
missing=()
if [[ $mode == local ]]; then
  if ! port_open "${KAFKA_PORT:-9092}" || ! port_open "${SCHEMA_REGISTRY_PORT:-8081}"; then
    find_java 17 "${KAFKA_JAVA_HOME:-}" >/dev/null ||
      missing+=("Java 17+ (runs the local Kafka broker and Schema Registry): apt-get install -y openjdk-17-jre-headless, or set KAFKA_JAVA_HOME")
    if ! compgen -G "$RTTM_CACHE_DIR/kafka-*/" >/dev/null || ! compgen -G "$RTTM_CACHE_DIR/apicurio-registry-*/" >/dev/null; then
      command -v mvn >/dev/null || missing+=("Maven (fetches Kafka and the registry the first time): apt-get install -y maven")
    fi
  fi
  if ! port_open 5432; then
    compgen -G "/etc/postgresql/*/main" >/dev/null && command -v pg_ctlcluster >/dev/null ||
      missing+=("PostgreSQL: nothing listens on 127.0.0.1:5432 and there is no local cluster to start (apt-get install -y postgresql)")
  fi
  command -v psql >/dev/null || missing+=("psql (creates the database): apt-get install -y postgresql-client")
  if [[ -z ${REDIS_SENTINEL_NODES:-} ]] && ! port_open 6379; then
    command -v redis-server >/dev/null || missing+=("Redis: nothing listens on 127.0.0.1:6379 and redis-server is not installed (apt-get install -y redis-server)")
  fi
else
  [[ -n ${KAFKA_BOOTSTRAP_SERVERS:-} ]] || missing+=("KAFKA_BOOTSTRAP_SERVERS is not set (host:port of your Kafka brokers)")
  [[ -n ${DATABASE_URL:-} || -n ${DB_HOST:-} ]] || missing+=("DATABASE_URL (or DB_HOST and friends) is not set (your PostgreSQL database)")
  if [[ -n ${KAFKA_BOOTSTRAP_SERVERS:-} ]]; then
    first=${KAFKA_BOOTSTRAP_SERVERS%%,*}
    timeout 3 bash -c "exec 3<>/dev/tcp/${first%:*}/${first##*:}" 2>/dev/null ||
      missing+=("Kafka: cannot connect to $first (KAFKA_BOOTSTRAP_SERVERS)")
  fi
fi
if ((${#missing[@]} > 0)); then
  say "cannot start the demo; missing:"
  for m in "${missing[@]}"; do say "  - $m"; done
  how_to_point
  exit 1
fi

# ---- the simulator, in the background once Kafka (and the registry) answer ----
# The simulator and the service run in their own sessions: the terminal's Ctrl-C reaches this
# script only, which stops them in order.
sim_pid=
service_pid=
stop_process() { # NAME PID SECONDS
  [[ -n $2 ]] && kill -0 "$2" 2>/dev/null || return 0
  say "stopping the $1"
  kill -TERM "$2" 2>/dev/null || true
  for _ in $(seq $(($3 * 5))); do kill -0 "$2" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$2" 2>/dev/null || true
  wait "$2" 2>/dev/null || true
}
finish() {
  stop_process simulator "$sim_pid" 10
  # dev.sh stops the service (drain) and then the infrastructure it started.
  stop_process service "$service_pid" 120
}
trap finish EXIT
trap 'exit 130' INT TERM

if [[ $mode == local ]]; then
  export KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${KAFKA_PORT:-9092}}
  export SCHEMA_REGISTRY_URL=${SCHEMA_REGISTRY_URL:-http://127.0.0.1:${SCHEMA_REGISTRY_PORT:-8081}/apis/ccompat/v7}
fi
setsid bash -c '
  say() { printf "[demo] %s\n" "$*" >&2; }
  registry_ready() { [[ -z ${SCHEMA_REGISTRY_URL:-} ]] || curl -fs -o /dev/null --max-time 2 "$SCHEMA_REGISTRY_URL/subjects"; }
  broker_ready() { local b=${KAFKA_BOOTSTRAP_SERVERS%%,*}; timeout 2 bash -c "exec 3<>/dev/tcp/${b%:*}/${b##*:}" 2>/dev/null; }
  trap "exit 0" TERM
  deadline=$((SECONDS + ${RTTM_DEMO_WAIT_SECONDS:-600}))
  until broker_ready && registry_ready; do
    ((SECONDS < deadline)) || { say "simulator: Kafka or the registry did not come up; not simulating"; exit 1; }
    sleep 1
  done
  say "simulator: starting (${SIM_TRADES_PER_SECOND:-20} trades/s into $KAFKA_BOOTSTRAP_SERVERS)"
  exec node --import tsx src/simulator/main.ts
' &
sim_pid=$!

say "GraphiQL: http://localhost:${SERVER_PORT:-8087}/graphql  (try: { overview { currentTps cards { title value status } } pipeline { stages { stage count avgLatencyMs } } })"
if [[ $mode == local ]]; then
  setsid bash scripts/dev.sh &
else
  npx prisma generate >/dev/null
  npx prisma migrate deploy
  setsid node --import tsx src/main.ts &
fi
service_pid=$!
wait "$service_pid"
