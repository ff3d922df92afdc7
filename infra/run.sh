#!/usr/bin/env bash
# Runs the whole system on this machine: Azurite, N silos and the HTTP gateway, until Ctrl-C.
#
#   infra/run.sh [--silos N] [--demo] [--no-build]
#
#   --silos N    how many silos (default 1); add or remove more later with infra/silo.sh
#   --demo       import the Instacart catalogue and orders from $MARKETING_DATA/instacart once the cluster is up
#                (with infra/import.sh; if it does not finish, the cluster keeps running and the command to run it
#                again is printed)
#   --no-build   use what is already built in Release
#
# Ports: gateway API_PORT (8080); silo i: 11111+i, 30000+i, HTTP 8081+i; Azurite 10000-10004 (see infra/silo.sh and
# infra/azurite/start.sh for the variables that move them). Logs: .data/logs/*.log. Ctrl-C stops what this started.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

silos=1 demo=false build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--silos needs a positive number"; silos=$2; shift 2 ;;
    --demo) demo=true; shift ;;
    --no-build) build=false; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done

export MARKETING_DATA=${MARKETING_DATA:-$REPO_ROOT/../shared/data}
API_PORT=${API_PORT:-8080}
SILO_HTTP_PORT_BASE=${SILO_HTTP_PORT_BASE:-8081}
gateway_pid_file=$PID_DIR/gateway.pid
started_silos=()
started_azurite=false
started_gateway=false

cleanup() {
  trap - EXIT INT TERM
  log ""
  log "Stopping what infra/run.sh started..."
  if $started_gateway; then
    stop_pid "$gateway_pid_file" gateway 30
  fi
  local i
  for ((i = ${#started_silos[@]} - 1; i >= 0; i--)); do
    stop_pid "$PID_DIR/silo-${started_silos[$i]}.pid" "silo-${started_silos[$i]}" 60
  done
  local others
  others=$(find "$PID_DIR" -name 'silo-*.pid' 2>/dev/null | sed 's|.*/||; s|\.pid$||' | tr '\n' ' ')
  if [ -n "$others" ]; then
    log "Still running (added with infra/silo.sh, stop them with it): $others"
  fi
  if $started_azurite; then
    "$here/azurite/stop.sh"
  fi
  log "Stopped."
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$LOG_DIR" "$PID_DIR"
for f in gateway import; do rotate_log "$LOG_DIR/$f.log"; done
ensure_debian_packages libopenblas0
if $build; then
  build_solution
fi

"$here/azurite/start.sh" --background > /dev/null
started_azurite=true
cluster_env

for ((i = 0; i < silos; i++)); do
  started_silos+=("$i")
  "$here/silo.sh" start "$i"
done

# Development loads the gateway's dev-only API keys unless the operator configures Api__Keys__* instead.
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
api_dir=$(app_dir Marketing.Api)
[ -f "$api_dir/Marketing.Api.dll" ] || die "$api_dir/Marketing.Api.dll is missing: build first."
port_open "$API_PORT" && die "port $API_PORT for the gateway is taken; set API_PORT."
(
  cd "$api_dir"
  export ASPNETCORE_URLS=http://127.0.0.1:$API_PORT
  export Api__Home__DashboardUrl=http://127.0.0.1:$SILO_HTTP_PORT_BASE/dashboard
  exec setsid dotnet Marketing.Api.dll --urls "$ASPNETCORE_URLS"
) >> "$LOG_DIR/gateway.log" 2>&1 < /dev/null &
echo $! > "$gateway_pid_file"
started_gateway=true
log "gateway starting (pid $!, log $LOG_DIR/gateway.log)..."
if ! wait_http "http://127.0.0.1:$API_PORT/health/ready" 120 gateway "$(cat "$gateway_pid_file")"; then
  tail -n 20 "$LOG_DIR/gateway.log" >&2
  exit 1
fi

import_failed=""
if $demo; then
  [ -d "$MARKETING_DATA/instacart" ] || die "no Instacart data in $MARKETING_DATA; set MARKETING_DATA to the folder holding instacart/."
  log "Importing the Instacart catalogue and orders from $MARKETING_DATA/instacart..."
  import=("$here/import.sh" instacart --data "$MARKETING_DATA")
  import_status=0
  if [ -t 1 ]; then
    # On a terminal the CLI draws live progress bars and prints its summary; elsewhere its output goes to the log.
    "${import[@]}" < /dev/null || import_status=$?
  else
    log_start=$(stat -c %s "$LOG_DIR/import.log" 2>/dev/null || echo 0)
    "${import[@]}" < /dev/null >> "$LOG_DIR/import.log" 2>&1 || import_status=$?
    if [ "$import_status" -ne 0 ]; then
      # This run's summary (from the command line it prints on), or its last lines if it never got that far.
      summary=$(tail -c +$((log_start + 1)) "$LOG_DIR/import.log" | sed -n '/^Command:/,$p')
      [ -n "$summary" ] || summary=$(tail -c +$((log_start + 1)) "$LOG_DIR/import.log" | tail -n 20)
      printf '%s\n' "$summary" >&2
    fi
  fi
  # A failed import leaves a working cluster: keep it running and say how to finish the import.
  case $import_status in
    0) ;;
    3) import_failed="some products or events were not imported (causes above; full output in $LOG_DIR/import.log)" ;;
    *) import_failed="the import stopped with exit code $import_status (see above and $LOG_DIR/import.log)" ;;
  esac
fi

gateway=http://127.0.0.1:$API_PORT
cat <<EOF

Marketing is running ($silos silo(s), cluster '$Cluster__ClusterId' in Azurite).
  gateway        $gateway
  API reference  $gateway/docs
EOF
for i in "${started_silos[@]}"; do
  silo=http://127.0.0.1:$((SILO_HTTP_PORT_BASE + i))
  printf '  silo-%-8s %s/dashboard   %s/health/ready\n' "$i" "$silo" "$silo"
done
cat <<EOF
  logs           $LOG_DIR
EOF
if [ "$ASPNETCORE_ENVIRONMENT" = Development ]; then
  echo "  API keys       X-Api-Key: dev-storefront-key, dev-agent-key, dev-marketer-key, dev-operator-key (development only)"
fi
echo "Add a silo: infra/silo.sh add    Remove one: infra/silo.sh stop N (or kill N)    Ctrl-C stops everything."
if [ -n "$import_failed" ]; then
  cat <<EOF

The demo import did not finish: $import_failed.
The cluster keeps running. Import again from another terminal; it only fills in what is missing:
  infra/import.sh instacart --data $(printf '%q' "$MARKETING_DATA")
EOF
fi

while true; do
  if ! pid_alive "$gateway_pid_file"; then
    log "The gateway exited; see $LOG_DIR/gateway.log."
    exit 1
  fi
  sleep 2 &
  wait $! || true
done
