#!/usr/bin/env bash
# Local Azure Storage (blob, queue, table) from the pinned npm package, on 127.0.0.1.
#
#   infra/azurite/start.sh                 run in the foreground until Ctrl-C
#   infra/azurite/start.sh --background    start, wait until it answers, print the connection string, return
#   infra/azurite/stop.sh                  stop the one started with --background
#
# Environment: AZURITE_BLOB_PORT (10000), AZURITE_QUEUE_PORT (10001), AZURITE_TABLE_PORT (10002),
# AZURITE_DATA (<repo>/.data/azurite). The connection string is also written to $AZURITE_DATA/connection-string.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"

background=false
case "${1:-}" in
  --background) background=true ;;
  "") ;;
  *) die "usage: $0 [--background]" ;;
esac

blob=${AZURITE_BLOB_PORT:-10000}
queue=${AZURITE_QUEUE_PORT:-10001}
table=${AZURITE_TABLE_PORT:-10002}
data=${AZURITE_DATA:-$STATE_DIR/azurite}
pid_file=$data/azurite.pid

ensure_azurite

if pid_alive "$pid_file"; then
  die "Azurite is already running from $data (pid $(cat "$pid_file")); stop it with infra/azurite/stop.sh."
fi
for port in "$blob" "$queue" "$table"; do
  port_open "$port" && die "port $port on 127.0.0.1 is taken; choose others with AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT."
done

mkdir -p "$data" "$LOG_DIR"
# The well-known development account of every Azure Storage emulator; endpoints are explicit so ports can move.
account=devstoreaccount1
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
conn="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/$account;QueueEndpoint=http://127.0.0.1:$queue/$account;TableEndpoint=http://127.0.0.1:$table/$account;"
printf '%s\n' "$conn" > "$data/connection-string"

args=(--blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1
      --blobPort "$blob" --queuePort "$queue" --tablePort "$table"
      --location "$data" --silent --skipApiVersionCheck --loose --disableTelemetry)

if $background; then
  setsid "$here/node_modules/.bin/azurite" "${args[@]}" >> "$LOG_DIR/azurite.log" 2>&1 < /dev/null &
else
  "$here/node_modules/.bin/azurite" "${args[@]}" >> "$LOG_DIR/azurite.log" 2>&1 &
fi
pid=$!
echo "$pid" > "$pid_file"

deadline=$((SECONDS + 60))
for port in "$blob" "$queue" "$table"; do
  until port_open "$port"; do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; die "Azurite exited; see $LOG_DIR/azurite.log."; }
    [ $SECONDS -lt $deadline ] || { kill "$pid"; rm -f "$pid_file"; die "Azurite did not open port $port within 60s."; }
    sleep 0.2
  done
done

log "Azurite is up (pid $pid): blob $blob, queue $queue, table $table, data in $data, log in $LOG_DIR/azurite.log"
printf '%s\n' "$conn"

if ! $background; then
  trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$pid_file"; exit 0' INT TERM
  wait "$pid"
  rm -f "$pid_file"
fi
