#!/usr/bin/env bash
# Starts and stops local silos by index, for operators adding or removing capacity while infra/run.sh is running
# (or on their own, against Azurite from infra/azurite/start.sh --background).
#
#   infra/silo.sh start N     start silo N and wait until /health/ready answers
#   infra/silo.sh add         start the lowest-numbered silo that is not running
#   infra/silo.sh stop N      graceful shutdown (SIGTERM): the silo leaves the cluster and hands its grains over
#   infra/silo.sh kill N      SIGKILL, as a crash would: the others notice, declare it dead and take over
#   infra/silo.sh status      list running silos
#
# Silo N listens on Silo:SiloPort 11111+N, Silo:GatewayPort 30000+N and HTTP 8081+N (bases movable with
# SILO_PORT_BASE, SILO_GATEWAY_PORT_BASE, SILO_HTTP_PORT_BASE). Cluster settings come from the environment
# (Cluster__*, Privacy__*) or default to the local Azurite's connection string. Logs: .data/logs/silo-N.log.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

SILO_PORT_BASE=${SILO_PORT_BASE:-11111}
SILO_GATEWAY_PORT_BASE=${SILO_GATEWAY_PORT_BASE:-30000}
SILO_HTTP_PORT_BASE=${SILO_HTTP_PORT_BASE:-8081}
READY_TIMEOUT=${SILO_READY_TIMEOUT:-180}

silo_pid_file() { printf '%s/silo-%s.pid' "$PID_DIR" "$1"; }
silo_http() { printf 'http://127.0.0.1:%s' $((SILO_HTTP_PORT_BASE + $1)); }

require_index() {
  [[ ${1:-} =~ ^[0-9]+$ ]] || die "silo index must be a number (got '${1:-}')"
}

silo_start() {
  local i=$1 dir pid_file url
  pid_file=$(silo_pid_file "$i")
  pid_alive "$pid_file" && die "silo-$i is already running (pid $(cat "$pid_file"))."
  dir=$(app_dir Marketing.Silo)
  [ -f "$dir/Marketing.Silo.dll" ] || die "$dir/Marketing.Silo.dll is missing: build first (dotnet build Silo.sln -c $CONFIGURATION)."
  for port in $((SILO_PORT_BASE + i)) $((SILO_GATEWAY_PORT_BASE + i)) $((SILO_HTTP_PORT_BASE + i)); do
    port_open "$port" && die "port $port for silo-$i is taken."
  done
  cluster_env
  mkdir -p "$LOG_DIR" "$PID_DIR"
  rotate_log "$LOG_DIR/silo-$i.log"
  url=$(silo_http "$i")
  (
    cd "$dir"
    export Silo__Name="silo-$i" Silo__SiloPort=$((SILO_PORT_BASE + i)) Silo__GatewayPort=$((SILO_GATEWAY_PORT_BASE + i))
    export Silo__AdvertisedIp=${Silo__AdvertisedIp:-127.0.0.1} ASPNETCORE_URLS=$url
    # Locally a killed silo is declared dead in seconds, not the production default's tens of seconds.
    export Silo__FastFailureDetection=${Silo__FastFailureDetection:-true}
    # --urls too: it outranks a Urls setting from configuration, which would outrank ASPNETCORE_URLS.
    exec setsid dotnet Marketing.Silo.dll --urls "$url"
  ) >> "$LOG_DIR/silo-$i.log" 2>&1 < /dev/null &
  echo $! > "$pid_file"
  log "silo-$i starting (pid $!, log $LOG_DIR/silo-$i.log)..."
  if ! wait_http "$url/health/ready" "$READY_TIMEOUT" "silo-$i" "$!"; then
    stop_pid "$pid_file" "silo-$i" 5
    tail -n 20 "$LOG_DIR/silo-$i.log" >&2 || true
    return 1
  fi
  log "silo-$i ready: $url/dashboard"
}

silo_add() {
  local i=0
  while pid_alive "$(silo_pid_file "$i")"; do
    i=$((i + 1))
  done
  silo_start "$i"
}

silo_status() {
  local f i any=false
  for f in "$PID_DIR"/silo-*.pid; do
    [ -e "$f" ] || continue
    i=${f##*/silo-}; i=${i%.pid}
    if pid_alive "$f"; then
      printf 'silo-%s  pid %s  %s/dashboard\n' "$i" "$(cat "$f")" "$(silo_http "$i")"
      any=true
    else
      rm -f "$f"
    fi
  done
  $any || echo "no silos running"
}

case "${1:-}" in
  start) require_index "${2:-}"; silo_start "$2" ;;
  add) silo_add ;;
  stop) require_index "${2:-}"; stop_pid "$(silo_pid_file "$2")" "silo-$2" 60; log "silo-$2 stopped." ;;
  kill)
    require_index "${2:-}"
    f=$(silo_pid_file "$2")
    pid_alive "$f" || die "silo-$2 is not running."
    kill -KILL "$(cat "$f")"; rm -f "$f"; log "silo-$2 killed (SIGKILL)." ;;
  status) silo_status ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
