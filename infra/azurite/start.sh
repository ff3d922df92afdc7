#!/usr/bin/env bash
# Local Azure Storage (blob, queue, table) from the pinned npm package, on 127.0.0.1, and a second blob-only account
# for the silos' event log.
#
#   infra/azurite/start.sh                 run in the foreground until Ctrl-C
#   infra/azurite/start.sh --background    start, wait until it answers, print the connection string, return
#   infra/azurite/stop.sh                  stop the one started with --background
#
# Environment: AZURITE_BLOB_PORT (10000), AZURITE_QUEUE_PORT (10001), AZURITE_TABLE_PORT (10002), AZURITE_LOG_PORT
# (10003, the event log's account), AZURITE_DATA (<repo>/.data/azurite). The connection strings are also written to
# $AZURITE_DATA/connection-string and $AZURITE_DATA/event-log/connection-string.
#
# Why the log has an account of its own: Azurite keeps each account's blob metadata in one in-memory database that it
# writes out whole, blocking, every 5 s while anything changed: about 1 KB per blob, so with tens of thousands of
# grain-state blobs every request to that account stalls for 200-400 ms each time. Acknowledgements wait only on the
# log's appends, and in a process of its own they no longer queue behind those stalls.
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
log_port=${AZURITE_LOG_PORT:-10003}
data=${AZURITE_DATA:-$STATE_DIR/azurite}
pid_file=$data/azurite.pid
log_data=$data/event-log
log_pid_file=$log_data/azurite.pid

ensure_azurite

if pid_alive "$pid_file" || pid_alive "$log_pid_file"; then
  die "Azurite is already running from $data; stop it with infra/azurite/stop.sh."
fi
for port in "$blob" "$queue" "$table" "$log_port"; do
  port_open "$port" && die "port $port on 127.0.0.1 is taken; choose others with AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT, AZURITE_LOG_PORT."
done

mkdir -p "$data" "$log_data" "$LOG_DIR"
# The well-known development account of every Azure Storage emulator; endpoints are explicit so ports can move.
account=devstoreaccount1
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
conn="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/$account;QueueEndpoint=http://127.0.0.1:$queue/$account;TableEndpoint=http://127.0.0.1:$table/$account;"
log_conn="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$log_port/$account;"
printf '%s\n' "$conn" > "$data/connection-string"
printf '%s\n' "$log_conn" > "$log_data/connection-string"

flags=(--silent --skipApiVersionCheck --loose --disableTelemetry)
args=(--blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1
      --blobPort "$blob" --queuePort "$queue" --tablePort "$table" --location "$data" "${flags[@]}")
log_args=(--blobHost 127.0.0.1 --blobPort "$log_port" --location "$log_data" "${flags[@]}")

if $background; then
  setsid "$here/node_modules/.bin/azurite" "${args[@]}" >> "$LOG_DIR/azurite.log" 2>&1 < /dev/null &
  pid=$!
  setsid "$here/node_modules/.bin/azurite-blob" "${log_args[@]}" >> "$LOG_DIR/azurite-event-log.log" 2>&1 < /dev/null &
  log_pid=$!
else
  "$here/node_modules/.bin/azurite" "${args[@]}" >> "$LOG_DIR/azurite.log" 2>&1 &
  pid=$!
  "$here/node_modules/.bin/azurite-blob" "${log_args[@]}" >> "$LOG_DIR/azurite-event-log.log" 2>&1 &
  log_pid=$!
fi
echo "$pid" > "$pid_file"
echo "$log_pid" > "$log_pid_file"

deadline=$((SECONDS + 60))
for port in "$blob" "$queue" "$table" "$log_port"; do
  until port_open "$port"; do
    if ! kill -0 "$pid" 2>/dev/null || ! kill -0 "$log_pid" 2>/dev/null; then
      kill "$pid" "$log_pid" 2>/dev/null; rm -f "$pid_file" "$log_pid_file"
      die "Azurite exited; see $LOG_DIR/azurite.log and $LOG_DIR/azurite-event-log.log."
    fi
    [ $SECONDS -lt $deadline ] || { kill "$pid" "$log_pid"; rm -f "$pid_file" "$log_pid_file"; die "Azurite did not open port $port within 60s."; }
    sleep 0.2
  done
done

log "Azurite is up (pids $pid, $log_pid): blob $blob, queue $queue, table $table, event log $log_port, data in $data, logs in $LOG_DIR/azurite*.log"
printf '%s\n' "$conn"

if ! $background; then
  trap 'kill -TERM "$pid" "$log_pid" 2>/dev/null; wait "$pid" "$log_pid" 2>/dev/null; rm -f "$pid_file" "$log_pid_file"; exit 0' INT TERM
  wait "$pid"
  kill -TERM "$log_pid" 2>/dev/null; wait "$log_pid" 2>/dev/null
  rm -f "$pid_file" "$log_pid_file"
fi
