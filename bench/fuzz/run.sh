#!/usr/bin/env bash
# Coverage-guided fuzzing of NetBoot's parsers with SharpFuzz and AFL++ (Debian package afl++).
#
#   bench/fuzz/run.sh TARGET SECONDS     one target for SECONDS
#   bench/fuzz/run.sh all SECONDS        every target in turn, SECONDS each (one afl-fuzz at a time)
#   bench/fuzz/run.sh list               the targets
#
# Targets: dhcp, pxe43, tftp, tftp-path, config (see NetBoot.Fuzz.Harness/Targets.cs and README.md).
# Builds the harness, instruments NetBoot.Wire/Configuration/Engine with the SharpFuzz tool, writes seed corpora from
# testdata/ (capture payloads, configuration files), runs afl-fuzz, then prints executions, exec/s, paths, crashes
# and hangs, and replays every crash and hang to print its exception. Work files: artifacts/fuzz/ (FUZZ_WORK=DIR to
# change); each run's findings stay in artifacts/fuzz/findings/TARGET-DATE/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
targets=(dhcp pxe43 tftp tftp-path config)
work="${FUZZ_WORK:-$root/artifacts/fuzz}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

usage() { sed -n '2,12p' "$0" >&2; exit 2; }

case "${1:-}" in
  list) printf '%s\n' "${targets[@]}"; exit 0 ;;
  all) selected=("${targets[@]}") ;;
  "" | -h | --help) usage ;;
  *)
    if [[ ! " ${targets[*]} " == *" $1 "* ]]; then
      echo "unknown target '$1'; targets: ${targets[*]}" >&2
      exit 2
    fi
    selected=("$1") ;;
esac
seconds="${2:-}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || usage
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 1; }

build="$work/build"
harness="$build/NetBoot.Fuzz.Harness.dll"
sandbox="$work/sandbox"
mkdir -p "$work"

echo "== build"
rm -rf "$build"
dotnet build "$here/NetBoot.Fuzz.Harness" -c Release --nologo -v quiet -o "$build" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; exit 1; }
# Instrumented code writes to AFL's shared memory, so a plain copy makes the seeds and replays the findings.
rm -rf "$build-plain"
cp -r "$build" "$build-plain"
echo "== seeds"
rm -rf "$work/seeds"
dotnet "$build-plain/NetBoot.Fuzz.Harness.dll" seed "$work/seeds" "$root"
# Configuration keywords for AFL's dictionary: every directive name NetBoot knows, and the common field prefixes.
{
  grep -o '"[a-z][a-z0-9-]*"' "$root/src/NetBoot.Configuration/Parsing/DirectiveTable.cs" | sort -u
  printf '"%s"\n' 'tag:' 'set:' 'tag:!' 'vendor:' 'encap:' 'option:' 'option6:' 'id:' 'net:' 'proxy' 'static' \
    'infinite' '#' '=' ',' '"' '\\' 'x86PC' 'X86-64_EFI' '0.0.0.0' '255.255.255.0' '01:02:03:04:05:06' '*' '8h' '45m'
} >"$work/config.dict"

echo "== instrument"
(cd "$here" && dotnet tool restore >/dev/null)
for assembly in NetBoot.Wire NetBoot.Configuration NetBoot.Engine; do
  (cd "$here" && dotnet sharpfuzz "$build/$assembly.dll" >/dev/null)
done

# AFL++ on a shared machine, with a managed target: no CPU binding, no instrumented binary to check (it is dotnet),
# and the host's core_pattern is not ours to change.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  AFL_NO_UI=1 AFL_FORKSRV_INIT_TMOUT=60000 NETBOOT_FUZZ_SANDBOX="$sandbox"

stat_of() { sed -n "s/^$1 *: *//p" "$2" | head -1; }

summary=()
failed=0
for target in "${selected[@]}"; do
  out="$work/findings/$target-$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$out"
  dictionary=()
  [ "$target" = config ] && dictionary=(-x "$work/config.dict")
  echo "== $target: afl-fuzz for ${seconds}s -> $out"
  rm -rf "$sandbox"
  mkdir -p "$sandbox"
  set +e
  afl-fuzz -i "$work/seeds/$target" -o "$out" -V "$seconds" -t 2000 -m none "${dictionary[@]}" \
    -- dotnet "$harness" run "$target" >"$out/afl.log" 2>&1
  status=$?
  set -e
  rm -rf "$sandbox"
  stats="$out/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "afl-fuzz did not start (exit $status); last lines of $out/afl.log:" >&2
    tail -20 "$out/afl.log" >&2
    summary+=("$target: afl-fuzz did not start (exit $status), see $out/afl.log")
    failed=1
    continue
  fi
  execs="$(stat_of execs_done "$stats")"
  runtime="$(stat_of run_time "$stats")"
  rate=$(( runtime > 0 ? execs / runtime : 0 ))
  paths="$(stat_of corpus_count "$stats")"
  edges="$(stat_of edges_found "$stats")"
  crashes="$(stat_of saved_crashes "$stats")"
  hangs="$(stat_of saved_hangs "$stats")"
  line="$target: ${runtime}s, $execs execs, $rate exec/s, $paths paths, $edges edges, $crashes crashes, $hangs hangs"
  echo "$line"
  summary+=("$line")
  for kind in crashes hangs; do
    if compgen -G "$out/default/$kind/id:*" >/dev/null; then
      echo "-- $kind of $target (replayed without AFL):"
      dotnet "$build-plain/NetBoot.Fuzz.Harness.dll" replay "$target" "$out/default/$kind" || true
    fi
  done
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
