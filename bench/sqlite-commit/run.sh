#!/bin/bash
# The SQLite store's commit path, published builds side by side: bench/sqlite-commit/run.sh N ROUNDS DIR...
# (each DIR a `dotnet publish src/NetBoot.Cli` output; the harness, built from this tree, runs on each DIR's
# NetBoot.Leases.dll and SQLite through that build's netboot.deps.json). Rounds alternate the builds. The database
# is in /var/tmp (a disk, not tmpfs, so the fsyncs are real).
set -euo pipefail
N=${1:?N}; ROUNDS=${2:?ROUNDS}; shift 2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /var/tmp/netboot-sqlite-commit-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
dotnet build "$ROOT/bench/sqlite-commit/NetBoot.SqliteCommit.Bench" -c Release -o "$WORK/harness" --nologo -v quiet >/dev/null
for round in $(seq "$ROUNDS"); do
  for dir in "$@"; do
    rm -rf "$WORK/run"; cp -r "$dir" "$WORK/run"; cp "$WORK/harness/NetBoot.SqliteCommit.Bench.dll" "$WORK/run/"
    echo -n "round $round $dir: "
    (cd "$WORK/run" && dotnet exec --depsfile netboot.deps.json --runtimeconfig netboot.runtimeconfig.json \
      NetBoot.SqliteCommit.Bench.dll "$N" "$WORK/leases.sqlite")
    rm -f "$WORK"/leases.sqlite*
  done
done
