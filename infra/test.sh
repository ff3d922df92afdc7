#!/usr/bin/env bash
# Builds once in Release and runs every test project (a failing project does not stop the others), then prints
# the totals from the TRX files as the last line: "N passed, N failed[, N skipped]". Exits non-zero when a test
# failed or no results were written. Installs what the tests need (Azurite from npm, OpenBLAS from apt) on a fresh
# machine.
#
# Environment: MARKETING_DATA (default <repo>/../shared/data), TEST_RESULTS (default <repo>/.data/test-results).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

export MARKETING_DATA=${MARKETING_DATA:-$(cd "$REPO_ROOT/.." && pwd)/shared/data}
results=${TEST_RESULTS:-$STATE_DIR/test-results}
rm -rf "$results"
mkdir -p "$results"

# The integration tests start Azurite from infra/azurite; if this fails they say so themselves.
ensure_azurite || log "npm ci failed in infra/azurite."
ensure_debian_packages libopenblas0

build_ok=true
build_solution || build_ok=false

if $build_ok; then
  dotnet test "$REPO_ROOT/Silo.sln" -c "$CONFIGURATION" --no-build --nologo \
    --logger trx --results-directory "$results" < /dev/null
fi

# Each TRX carries one <Counters total=".." executed=".." passed=".." failed=".." notExecuted=".." .../> element.
read -r files passed failed skipped < <(
  find "$results" -name '*.trx' -print0 | xargs -0 -r cat | tr '\n' ' ' | grep -o '<Counters [^>]*>' |
    awk '
      function attr(name) { return match($0, name "=\"[0-9]+\"") ? substr($0, RSTART + length(name) + 2, RLENGTH - length(name) - 3) + 0 : 0 }
      { files++; p += attr("passed"); f += attr("failed") + attr("error") + attr("timeout") + attr("aborted")
        s += attr("total") - attr("executed") }
      END { printf "%d %d %d %d\n", files, p, f, s }')

$build_ok || log "The build failed; no tests ran."
[ "$files" -gt 0 ] || log "No TRX results were written to $results."
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
$build_ok && [ "$files" -gt 0 ] && [ "$failed" -eq 0 ]
