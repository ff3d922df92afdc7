#!/usr/bin/env bash
# Stops the Azurite processes that `start.sh --background` started from $AZURITE_DATA (default <repo>/.data/azurite).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
data=${AZURITE_DATA:-$STATE_DIR/azurite}
stop_pid "$data/azurite.pid" Azurite 60
stop_pid "$data/event-log/azurite.pid" "Azurite (event log)" 60
stop_pid "$data/catalogue/azurite.pid" "Azurite (catalogue)" 60
