#!/usr/bin/env bash
# How long a crashed silo takes to serve again, and what event intake sees meanwhile. Run it against a stack started
# with `infra/run.sh --silos 2`: it offers events through the gateway, SIGKILLs silo-1 in the middle, starts it
# again at once and prints a Markdown table. The load generator opens many HTTP connections, as a storefront's
# HttpClient would: requests for the killed silo's shoppers hold theirs until answered, and a small pool would stall
# every request queued behind them.
#
#   infra/bench-restart.sh [--rate 2000] [--batch 10] [--duration 40] [--kill-after 10] [--connections 1024]
#                          [--key dev-storefront-key]
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

RATE=2000 BATCH=10 DURATION=40 KILL_AFTER=10 CONNECTIONS=1024 KEY=dev-storefront-key
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) RATE=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --kill-after) KILL_AFTER=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --key) KEY=$2; shift 2 ;;
    *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
for n in "$RATE" "$BATCH" "$DURATION" "$KILL_AFTER" "$CONNECTIONS"; do
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || die "--rate, --batch, --duration, --kill-after and --connections take positive whole numbers (got '$n')"
done
[ "$KILL_AFTER" -lt "$DURATION" ] || die "--kill-after ($KILL_AFTER) must be less than --duration ($DURATION)"
pid_alive "$PID_DIR/silo-1.pid" || die "silo-1 is not running: start the stack with infra/run.sh --silos 2"

cli=$(app_dir Marketing.Cli)/Marketing.Cli.dll
[ -f "$cli" ] || die "$cli is missing: build first (dotnet build Silo.sln -c $CONFIGURATION)."
out=$(mktemp)
trap 'rm -f "$out" "$out.member"' EXIT

log "offering $RATE events/s for ${DURATION}s; silo-1 is killed after ${KILL_AFTER}s..."
dotnet "$cli" bench intake --key "$KEY" --rate "$RATE" --batch "$BATCH" --duration "$DURATION" --connections "$CONNECTIONS" > "$out" 2>&1 &
load=$!
sleep "$KILL_AFTER"
"$(dirname "$0")/silo.sh" kill 1
killed=$(date +%s.%N)
# SIGKILL is asynchronous: the ports are free once the process is gone.
for _ in $(seq 1 100); do
  port_open $((${SILO_PORT_BASE:-11111} + 1)) || break
  sleep 0.1
done
# Watch the restarted silo's readiness: first an active member replaying the dead silo's log tail, then ready.
http_url="http://127.0.0.1:$((${SILO_HTTP_PORT_BASE:-8081} + 1))/health/ready"
member=""
( while :; do
    body=$(curl -s --max-time 1 "$http_url" || true)
    case "$body" in
      *replaying*|*Healthy*) date +%s.%N; break ;;
    esac
    sleep 0.2
  done ) > "$out.member" &
watcher=$!
"$(dirname "$0")/silo.sh" start 1
ready=$(date +%s.%N)
wait "$watcher" 2>/dev/null || true
member=$(cat "$out.member" 2>/dev/null || true)
rm -f "$out.member"
wait "$load" || true

row=$(grep -E '^\| http' "$out" | tail -1)
[ -n "$row" ] || { cat "$out" >&2; die "bench intake printed no result row"; }
# Columns: through, batch, connections, offered, achieved, ok, failed, p50, p90, p99, max.
IFS='|' read -r _ _ _ _ _ achieved ok failed p50 _ p99 max _ <<< "$row"
trim() { echo "$1" | xargs; }
printf '\nCommand: `infra/bench-restart.sh --rate %s --batch %s --duration %s --kill-after %s --connections %s`\n\n' "$RATE" "$BATCH" "$DURATION" "$KILL_AFTER" "$CONNECTIONS"
seconds() { awk -v a="$killed" -v b="$1" 'BEGIN { printf "%.1f", b - a }'; }
printf '| SIGKILL to active member again (s) | to ready: dead tail replayed (s) | events/s offered / achieved | requests ok | requests failed | p50 ms | p99 ms | max ms |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
printf '| %s | %s | %s / %s | %s | %s | %s | %s | %s |\n' "$( [ -n "$member" ] && seconds "$member" || echo n/a)" "$(seconds "$ready")" "$RATE" "$(trim "$achieved")" \
  "$(trim "$ok")" "$(trim "$failed")" "$(trim "$p50")" "$(trim "$p99")" "$(trim "$max")"
grep -E '^\| (HTTP|status)' "$out" || true
