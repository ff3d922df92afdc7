# Shared by the infra scripts (sourced, not run). Everything local listens on 127.0.0.1 and keeps its state under
# .data/ in the repository root, which git ignores.
#
# Servers start under setsid, in sessions of their own: a Ctrl-C at the terminal then reaches only the scripts, which
# stop things in order (gateway, silos, Azurite last, since silos need storage to leave the cluster cleanly). Started
# from a non-interactive script the child is no process-group leader, so setsid execs in place and $! is its pid.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE_DIR=${MARKETING_STATE_DIR:-$REPO_ROOT/.data}
LOG_DIR=$STATE_DIR/logs
PID_DIR=$STATE_DIR/pids
CONFIGURATION=${CONFIGURATION:-Release}
BIN_SUFFIX=bin/$CONFIGURATION/net10.0

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True while the process in pid file $1 is alive.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_http URL SECONDS NAME PID: waits for a 200 from URL, giving up early if PID dies.
wait_http() {
  local url=$1 seconds=$2 name=$3 pid=${4:-} deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
      return 0
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited before $url answered; see its log."
      return 1
    fi
    sleep 0.5
  done
  log "$name did not answer $url within ${seconds}s."
  return 1
}

# stop_pid PIDFILE NAME [SECONDS]: SIGTERM (graceful shutdown), then SIGKILL if it lingers past SECONDS.
stop_pid() {
  local file=$1 name=$2 seconds=${3:-30} pid
  pid_alive "$file" || { rm -f "$file"; return 0; }
  pid=$(cat "$file")
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) ignored SIGTERM for ${seconds}s; killing it."
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# The built output folder of project $1 (e.g. Marketing.Silo); apps run from there so appsettings.json is found.
app_dir() { printf '%s/src/%s/%s' "$REPO_ROOT" "$1" "$BIN_SUFFIX"; }

# npm ci in infra/azurite when the package is missing or the lockfile changed since the last install.
ensure_azurite() {
  local dir=$REPO_ROOT/infra/azurite
  if [ ! -x "$dir/node_modules/.bin/azurite" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "Installing Azurite (npm ci in infra/azurite)..."
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  fi
}

# Debian packages the system uses natively (OpenBLAS for the recommenders' dense solves): installed with apt when
# missing, as root or through passwordless sudo; otherwise a line says what to install and the code falls back.
ensure_debian_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      log "Not installed: ${missing[*]} (apt-get install ${missing[*]} as root); going on without them."
      return 0
    fi
  fi
  log "Installing ${missing[*]} with apt-get..."
  "${sudo[@]}" apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
    log "apt-get could not install ${missing[*]}; going on without them."
}

build_solution() {
  log "Building Silo.sln ($CONFIGURATION)..."
  dotnet build "$REPO_ROOT/Silo.sln" -c "$CONFIGURATION" -nologo -clp:ErrorsOnly
}

# The cluster settings every silo, the gateway and the CLI share (the Cluster and Privacy sections).
cluster_env() {
  local conn_file=$STATE_DIR/azurite/connection-string
  export Cluster__Provider=${Cluster__Provider:-AzureStorage}
  export Cluster__ClusterId=${Cluster__ClusterId:-marketing}
  export Cluster__ServiceId=${Cluster__ServiceId:-marketing}
  if [ -z "${Cluster__StorageConnectionString:-}" ]; then
    [ -f "$conn_file" ] || die "no Cluster__StorageConnectionString and no $conn_file: start Azurite first (infra/azurite/start.sh --background)."
    Cluster__StorageConnectionString=$(cat "$conn_file")
    export Cluster__StorageConnectionString
    # Azurite rewrites an account's whole metadata every 5 s, and each appended block adds to it: seal the log's
    # rolled-over segments into block blobs so that stays small however long the stack runs.
    export EventLog__SealClosedSegments=${EventLog__SealClosedSegments:-true}
  fi
  # The event log's own account (see infra/azurite/start.sh), when the local Azurite has one.
  if [ -z "${EventLog__ConnectionString:-}" ] && [ -f "$STATE_DIR/azurite/event-log/connection-string" ] \
     && [ "$Cluster__StorageConnectionString" = "$(cat "$conn_file" 2>/dev/null)" ]; then
    EventLog__ConnectionString=$(cat "$STATE_DIR/azurite/event-log/connection-string")
    export EventLog__ConnectionString
  fi
  # And the catalogue's own account, likewise.
  if [ -z "${Cluster__CatalogueStorageConnectionString:-}" ] && [ -f "$STATE_DIR/azurite/catalogue/connection-string" ] \
     && [ "$Cluster__StorageConnectionString" = "$(cat "$conn_file" 2>/dev/null)" ]; then
    Cluster__CatalogueStorageConnectionString=$(cat "$STATE_DIR/azurite/catalogue/connection-string")
    export Cluster__CatalogueStorageConnectionString
  fi
}

# A process's log grows across runs: once it passes LOG_ROTATE_MB (default 50), the next start moves it to NAME.1
# (replacing the one before), so a long session of benchmarks cannot fill the disk.
rotate_log() {
  local file=$1 limit=$(( ${LOG_ROTATE_MB:-50} * 1024 * 1024 ))
  if [ -f "$file" ] && [ "$(stat -c %s "$file")" -gt "$limit" ]; then
    mv -f "$file" "$file.1"
  fi
}
