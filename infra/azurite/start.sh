#!/usr/bin/env bash
# Local Azure Storage (blob, queue, table) from the pinned npm package, on 127.0.0.1, and two blob-only accounts: one
# for the silos' event log, one for the catalogue's grain state.
#
#   infra/azurite/start.sh                 run in the foreground until Ctrl-C
#   infra/azurite/start.sh --background    start, wait until it answers, print the connection string, return
#   infra/azurite/stop.sh                  stop the one started with --background
#
# Environment: AZURITE_BLOB_PORT (10000), AZURITE_QUEUE_PORT (10001), AZURITE_TABLE_PORT (10002), AZURITE_LOG_PORT
# (10003, the event log's account), AZURITE_CATALOGUE_PORT (10004, the catalogue's account), AZURITE_DATA
# (<repo>/.data/azurite). The connection strings are also written to $AZURITE_DATA/connection-string,
# $AZURITE_DATA/event-log/connection-string and $AZURITE_DATA/catalogue/connection-string.
# AZURITE_IN_MEMORY: for benchmarks only, a comma-separated list of the accounts (cluster, log, catalogue) that keep
# everything in memory (Azurite's --inMemoryPersistence): no metadata database written every 5 s, and nothing left once
# that Azurite stops. Shows what the emulator's own saves cost; Azure Storage has none of them.
#
# Why the log has an account of its own: Azurite keeps each account's blob metadata in one in-memory database that it
# writes out whole, blocking, every 5 s while anything changed: about 1 KB per blob, so with tens of thousands of
# grain-state blobs every request to that account stalls for 200-400 ms each time. Acknowledgements wait only on the
# log's appends, and in a process of its own they no longer queue behind those stalls. The catalogue's state has its
# own for the same reason: with the Instacart catalogue imported (49,688 products) that database is 58 MB, and every
# request to its process, clustering's table included, stalled for 1.0-1.4 s every 5 s.
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
catalogue_port=${AZURITE_CATALOGUE_PORT:-10004}
catalogue_data=$data/catalogue
catalogue_pid_file=$catalogue_data/azurite.pid

ensure_azurite

if pid_alive "$pid_file" || pid_alive "$log_pid_file" || pid_alive "$catalogue_pid_file"; then
  die "Azurite is already running from $data; stop it with infra/azurite/stop.sh."
fi
for port in "$blob" "$queue" "$table" "$log_port" "$catalogue_port"; do
  port_open "$port" && die "port $port on 127.0.0.1 is taken; choose others with AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT, AZURITE_TABLE_PORT, AZURITE_LOG_PORT, AZURITE_CATALOGUE_PORT."
done

# A store from before the log had an account of its own keeps its log where it is: the dead silos' tails and the
# erasures in it must stay readable. A new store (no Azurite database yet) gets the second account.
separate_log=true
if [ ! -d "$log_data" ] && [ -f "$data/__azurite_db_blob__.json" ]; then
  separate_log=false
  log "note: $data predates the event log's own account, so its log stays in the main account (start with an empty $data to split it)."
fi

# Likewise a store from before the catalogue had an account of its own keeps its products in the main account.
separate_catalogue=true
if [ ! -d "$catalogue_data" ] && [ -f "$data/__azurite_db_blob__.json" ]; then
  separate_catalogue=false
  log "note: $data predates the catalogue's own account, so its products stay in the main account (start with an empty $data to split it)."
fi

mkdir -p "$data" "$LOG_DIR"
$separate_log && mkdir -p "$log_data"
$separate_catalogue && mkdir -p "$catalogue_data"
# The well-known development account of every Azure Storage emulator; endpoints are explicit so ports can move.
account=devstoreaccount1
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
conn="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/$account;QueueEndpoint=http://127.0.0.1:$queue/$account;TableEndpoint=http://127.0.0.1:$table/$account;"
log_conn="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$log_port/$account;"
printf '%s\n' "$conn" > "$data/connection-string"
$separate_log && printf '%s\n' "$log_conn" > "$log_data/connection-string"
catalogue_conn="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$catalogue_port/$account;"
$separate_catalogue && printf '%s\n' "$catalogue_conn" > "$catalogue_data/connection-string"

flags=(--silent --skipApiVersionCheck --loose --disableTelemetry)
in_memory() { # ACCOUNT: whether AZURITE_IN_MEMORY names it
  case ",${AZURITE_IN_MEMORY:-}," in
    *",$1,"*) return 0 ;;
    *) return 1 ;;
  esac
}
in_memory_list=${AZURITE_IN_MEMORY:-}
for account_name in ${in_memory_list//,/ }; do
  case "$account_name" in
    cluster|log|catalogue) log "note: the $account_name account keeps its data in memory only (AZURITE_IN_MEMORY); it is gone when Azurite stops." ;;
    *) die "AZURITE_IN_MEMORY takes cluster, log and catalogue, comma-separated (got '$account_name')" ;;
  esac
done
store() { # ACCOUNT FOLDER: where Azurite keeps the account (Azurite refuses a folder with --inMemoryPersistence)
  if in_memory "$1"; then echo --inMemoryPersistence; else echo "--location=$2"; fi
}
args=(--blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1
      --blobPort "$blob" --queuePort "$queue" --tablePort "$table" "$(store cluster "$data")" "${flags[@]}")
log_args=(--blobHost 127.0.0.1 --blobPort "$log_port" "$(store log "$log_data")" "${flags[@]}")
catalogue_args=(--blobHost 127.0.0.1 --blobPort "$catalogue_port" "$(store catalogue "$catalogue_data")" "${flags[@]}")

start_one() { # BINARY LOGFILE ARGS...: starts one Azurite process (a child of this shell); its pid in $started
  local binary=$1 logfile=$2
  shift 2
  if $background; then
    setsid "$here/node_modules/.bin/$binary" "$@" >> "$LOG_DIR/$logfile" 2>&1 < /dev/null &
  else
    "$here/node_modules/.bin/$binary" "$@" >> "$LOG_DIR/$logfile" 2>&1 &
  fi
  started=$!
}
start_one azurite azurite.log "${args[@]}"
pid=$started
echo "$pid" > "$pid_file"
pids=("$pid")
ports=("$blob" "$queue" "$table")
log_pid=
if $separate_log; then
  start_one azurite-blob azurite-event-log.log "${log_args[@]}"
  log_pid=$started
  echo "$log_pid" > "$log_pid_file"
  pids+=("$log_pid")
  ports+=("$log_port")
fi
catalogue_pid=
if $separate_catalogue; then
  start_one azurite-blob azurite-catalogue.log "${catalogue_args[@]}"
  catalogue_pid=$started
  echo "$catalogue_pid" > "$catalogue_pid_file"
  pids+=("$catalogue_pid")
  ports+=("$catalogue_port")
fi

deadline=$((SECONDS + 60))
for port in "${ports[@]}"; do
  until port_open "$port"; do
    for p in "${pids[@]}"; do
      if ! kill -0 "$p" 2>/dev/null; then
        kill "${pids[@]}" 2>/dev/null; rm -f "$pid_file" "$log_pid_file" "$catalogue_pid_file"
        die "Azurite exited; see $LOG_DIR/azurite*.log."
      fi
    done
    [ $SECONDS -lt $deadline ] || { kill "${pids[@]}"; rm -f "$pid_file" "$log_pid_file" "$catalogue_pid_file"; die "Azurite did not open port $port within 60s."; }
    sleep 0.2
  done
done

log "Azurite is up (pids ${pids[*]}): blob $blob, queue $queue, table $table${log_pid:+, event log $log_port}${catalogue_pid:+, catalogue $catalogue_port}, data in $data, logs in $LOG_DIR/azurite*.log"
printf '%s\n' "$conn"

if ! $background; then
  trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null; rm -f "$pid_file" "$log_pid_file" "$catalogue_pid_file"; exit 0' INT TERM
  wait "$pid"
  kill -TERM "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null
  rm -f "$pid_file" "$log_pid_file" "$catalogue_pid_file"
fi
