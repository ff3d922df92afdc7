#!/usr/bin/env bash
# Imports a dataset into the local cluster that infra/run.sh (or infra/silo.sh) is running, as infra/run.sh --demo
# does, with the same cluster settings (Cluster__*, or the local Azurite's connection string).
#
#   infra/import.sh instacart|beauty|movielens [--data DIR] [--limit N] [--batch N] [--concurrency N]
#
# Safe to run again after an import that did not finish: products already stored unchanged are skipped and each
# shopper's events resume after those it holds, so only what is missing is added. Exit codes as the CLI's import:
# 0 all imported, 3 some records not imported (run it again), 1 nothing could be imported, 2 a usage error.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

cli_dir=$(app_dir Marketing.Cli)
[ -f "$cli_dir/Marketing.Cli.dll" ] || die "$cli_dir/Marketing.Cli.dll is missing: build first (dotnet build Silo.sln -c $CONFIGURATION)."
cluster_env
export MARKETING_DATA=${MARKETING_DATA:-$REPO_ROOT/../shared/data}
exec dotnet "$cli_dir/Marketing.Cli.dll" import "$@"
