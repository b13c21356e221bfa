# shellcheck shell=bash
# Helpers shared by the scripts in scripts/infra (sourced, not run).
# Caches live outside the repo; runtime state (data, logs, pid files) under the run dir.

RTTM_CACHE_DIR=${RTTM_CACHE_DIR:-$HOME/.cache/rttm}
RTTM_RUN_DIR=${RTTM_RUN_DIR:-$RTTM_CACHE_DIR/run}
INFRA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf '[infra] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# port_open PORT: true if something accepts TCP connections on 127.0.0.1:PORT.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# pid_of PIDFILE MATCH: print the pid if it is alive and its command line contains MATCH.
pid_of() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  echo "$pid"
}

# launch PIDFILE LOGFILE CMD...: start CMD detached (own session, no tty, output to LOGFILE).
launch() {
  local pidfile=$1 logfile=$2
  shift 2
  setsid "$@" </dev/null >"$logfile" 2>&1 9>&- & # 9>&-: don't inherit the lock of `locked`
  echo $! >"$pidfile"
}

# wait_ready NAME PID LOGFILE TIMEOUT CHECK...: poll CHECK until it succeeds; fail with the
# log tail if the process dies or TIMEOUT seconds pass.
wait_ready() {
  local name=$1 pid=$2 logfile=$3 timeout=$4
  shift 4
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name: process $pid exited during startup; last lines of $logfile:"
      tail -n 40 "$logfile" >&2 2>/dev/null || log "(no log yet)"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "$name: not ready after ${timeout}s (pid $pid); last lines of $logfile:"
      tail -n 40 "$logfile" >&2 2>/dev/null || log "(no log yet)"
      return 1
    fi
    sleep 0.3
  done
}

# stop_pid NAME PIDFILE MATCH [TIMEOUT]: SIGTERM, then SIGKILL after TIMEOUT seconds.
stop_pid() {
  local name=$1 pidfile=$2 match=$3 timeout=${4:-30} pid
  if ! pid=$(pid_of "$pidfile" "$match"); then
    rm -f "$pidfile"
    log "$name: not running"
    return 0
  fi
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "$name: still alive after ${timeout}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
}

# locked LOCKFILE CMD...: run CMD in a subshell holding an exclusive lock on fd 9.
locked() {
  local lockfile=$1
  shift
  mkdir -p "$(dirname "$lockfile")"
  (
    flock 9
    "$@"
  ) 9>"$lockfile"
}

# mvn_quiet LOGFILE ARGS...: run Maven in batch mode, output to LOGFILE, its tail on failure.
mvn_quiet() {
  local logfile=$1
  shift
  command -v mvn >/dev/null || die "mvn not found (install Maven: apt-get install -y maven)"
  # One Maven at a time: parallel fetches share ~/.m2 (and there are only 2 cores).
  if ! locked "$RTTM_CACHE_DIR/maven.lock" mvn -B -ntp "$@" >"$logfile" 2>&1; then
    tail -n 30 "$logfile" >&2
    die "Maven failed (full log: $logfile)"
  fi
}

# java_major JAVA: print the feature version (17, 21, 25...) of a java binary.
java_major() {
  local release v
  release="$(dirname "$(readlink -f "$1")")/../release"
  if [[ -f $release ]]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  else
    v=$("$1" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
  fi
  echo "${v:-0}"
}

# find_java MIN [JAVA_HOME...]: print a java binary with feature version >= MIN, looking in
# the given homes, then $JAVA_HOME, PATH and /usr/lib/jvm/* (reverse name order).
find_java() {
  local min=$1 j cands=()
  shift
  for j in "$@" "${JAVA_HOME:-}"; do [[ -n $j ]] && cands+=("$j/bin/java"); done
  cands+=("$(command -v java || true)")
  mapfile -t -O "${#cands[@]}" cands < <(printf '%s\n' /usr/lib/jvm/*/bin/java | sort -rV)
  for j in "${cands[@]}"; do
    [[ -x $j ]] && (($(java_major "$j") >= min)) && { echo "$j"; return 0; }
  done
  return 1
}

# service_main NAME ARGS...: the command line shared by kafka.sh and registry.sh, which define
# fetch, start, stop and status.
service_main() {
  local name=$1
  shift
  case ${1:-} in
    fetch) fetch ;;
    start) locked "$RTTM_RUN_DIR/$name.lock" start ;;
    stop) locked "$RTTM_RUN_DIR/$name.lock" stop "${2:-}" ;;
    status) status ;;
    *) echo "usage: $0 fetch | start | stop [--wipe] | status" >&2; exit 2 ;;
  esac
}
