#!/usr/bin/env bash
# Ensure the local services RTTM needs are up on loopback: PostgreSQL, Redis, Kafka, Schema Registry.
# usage: up.sh [postgres] [redis] [kafka] [registry]   (default: all)
# Records what it started in $RTTM_RUN_DIR/up.started, so down.sh stops only that.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# RTTM_UP_STATE: a caller's own record (scripts/dev.sh), so its down.sh stops what its up.sh started.
STATE=${RTTM_UP_STATE:-$RTTM_RUN_DIR/up.started}
mkdir -p "$RTTM_RUN_DIR" "$(dirname "$STATE")"
record() { grep -qx "$1" "$STATE" 2>/dev/null || echo "$1" >>"$STATE"; }
wanted() { [[ ${#SERVICES[@]} -eq 0 || " ${SERVICES[*]} " == *" $1 "* ]]; }
SERVICES=("$@")

redis_ping() {
  timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379; printf "PING\r\n" >&3; read -r r <&3; [[ $r == +PONG* ]]' 2>/dev/null
}

# wait_for NAME SECONDS CHECK...
wait_for() {
  local name=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@"; do ((SECONDS < deadline)) || die "$name: not up after $((SECONDS))s"; sleep 0.3; done
}

ensure_postgres() {
  if port_open 5432; then log "postgres: already up on 127.0.0.1:5432"; return 0; fi
  local ver
  ver=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
  [[ -n $ver ]] || die "postgres: not running and no cluster in /etc/postgresql"
  log "postgres: starting cluster $ver/main"
  if pg_ctlcluster --skip-systemctl-redirect "$ver" main start; then record postgres; fi
  wait_for postgres 30 port_open 5432
  log "postgres: up on 127.0.0.1:5432"
}

ensure_redis() {
  if redis_ping; then log "redis: already up on 127.0.0.1:6379"; return 0; fi
  log "redis: starting redis-server on 127.0.0.1:6379"
  record redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir "$RTTM_RUN_DIR" --pidfile "$RTTM_RUN_DIR/redis.pid" --logfile "$RTTM_RUN_DIR/redis.log"
  wait_for redis 30 redis_ping
  log "redis: up on 127.0.0.1:6379"
}

wanted postgres && ensure_postgres
wanted redis && ensure_redis

# Kafka and the registry fetch and start in parallel (their Maven runs take turns on a lock).
pids=()
for svc in kafka registry; do
  wanted "$svc" || continue
  if "$INFRA_DIR/$svc.sh" status >/dev/null 2>&1; then
    log "$svc: already running"
    continue
  fi
  record "$svc"
  "$INFRA_DIR/$svc.sh" start &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
((failed == 0)) || die "up: some services failed to start (run scripts/infra/down.sh to clean up)"
log "up: ${SERVICES[*]:-postgres redis kafka registry} ready after ${SECONDS}s"
