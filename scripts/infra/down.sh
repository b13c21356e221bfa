#!/usr/bin/env bash
# Stop what up.sh started (recorded in $RTTM_RUN_DIR/up.started); nothing else.
# usage: down.sh [--wipe]   (--wipe also deletes Kafka's data dir and drops the registry's database)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# RTTM_UP_STATE: a caller's own record (scripts/dev.sh), so its down.sh stops what its up.sh started.
STATE=${RTTM_UP_STATE:-$RTTM_RUN_DIR/up.started}
if [[ ! -f $STATE ]]; then
  log "down: nothing was started by up.sh"
  exit 0
fi
started() { grep -qx "$1" "$STATE"; }

pids=()
for svc in kafka registry; do
  if started "$svc"; then
    "$INFRA_DIR/$svc.sh" stop "$@" &
    pids+=($!)
  fi
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done

if started redis; then
  stop_pid redis "$RTTM_RUN_DIR/redis.pid" redis-server 30
fi
if started postgres; then
  ver=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
  log "postgres: stopping cluster $ver/main"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main stop || failed=1
fi
((failed == 0)) || die "down: some services failed to stop"
rm -f "$STATE"
log "down: done"
