#!/usr/bin/env bash
# tftp-busy-poll on and off, side by side with tftpd-hpa: lock-step only (curl, blksize 1468), server pinned to
# SERVER_CPUS and clients to CLIENT_CPUS (lab.sh; default CPU 0 and CPU 1), every configuration once per round,
# ROUNDS rounds alternating, so that a machine loaded by others weighs on all of them alike. Prints each run, then
# per configuration the mean and the range (min-max) of MB/s and of server CPU ms per MB. Needs root (cpu.sh).
#
#   NETBOOT_PUBLISH_DIR=/tmp/nb bench/tftp/busy-poll.sh
#   ROUNDS=5 LOCK_MB=64 POLLS="0 100" BEFORE_DIR=/tmp/nb-main bench/tftp/busy-poll.sh
#
# POLLS: the tftp-busy-poll values (µs) to compare. BEFORE_DIR: also a build of an older NetBoot that read the poll
# time from NETBOOT_TFTP_SPIN_US (run with 0 and 100). Each run takes the shared lock /tmp/netboot-bench.lock, so
# benchmarks of other people on this machine do not overlap with it.
set -euo pipefail

ROUNDS=${ROUNDS:-4}
LOCK_MB=${LOCK_MB:-64}
POLLS=${POLLS:-"0 100"}
root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$(mktemp /tmp/netboot-busy-poll-XXXXXX.txt)"

configs=()
for us in $POLLS; do configs+=("netboot tftp-busy-poll=$us|SERVER=netboot BUSY_POLL=$us"); done
configs+=("tftpd-hpa|SERVER=tftpd-hpa")
if [ -n "${BEFORE_DIR:-}" ]; then
  configs+=("before NETBOOT_TFTP_SPIN_US=0|SERVER=netboot NETBOOT_PUBLISH_DIR=$BEFORE_DIR NETBOOT_TFTP_SPIN_US=0")
  configs+=("before NETBOOT_TFTP_SPIN_US=100|SERVER=netboot NETBOOT_PUBLISH_DIR=$BEFORE_DIR NETBOOT_TFTP_SPIN_US=100")
fi

for round in $(seq 1 "$ROUNDS"); do
  for config in "${configs[@]}"; do
    label=${config%%|*}; settings=${config#*|}
    # shellcheck disable=SC2086 # settings is a list of NAME=value words
    line=$(flock /tmp/netboot-bench.lock env $settings STORM_CLIENTS=0 STORM_MB=1 LOCK_MB="$LOCK_MB" "$root_dir/bench/tftp/cpu.sh" 2>/dev/null | grep 'lock-step')
    echo "round $round | $label | $line"
    # "... = 61.2 MB/s; server CPU 16.10 ms/MB, ..." -> label, MB/s, ms/MB
    sed -n "s/.* = \([0-9.]*\) MB\/s; server CPU \([0-9.]*\) ms\/MB.*/$label|\1|\2/p" <<<"$line" >> "$out"
  done
done

echo
if [ "${PIN:-1}" = 1 ]; then pinning="server on CPU ${SERVER_CPUS:-0}, clients on CPU ${CLIENT_CPUS:-1}"; else pinning="not pinned"; fi
echo "== lock-step, blksize 1468, $LOCK_MB MiB, $ROUNDS rounds, $pinning, nice ${BENCH_NICE:-0}; $(uptime | sed 's/.*load/load/')"
printf '%-34s %8s %15s %12s %15s\n' configuration "MB/s" "(min-max)" "CPU ms/MB" "(min-max)"
awk -F'|' '
  { n[$1]++; s[$1] += $2; c[$1] += $3
    if (!($1 in lo) || $2 < lo[$1]) lo[$1] = $2; if ($2 > hi[$1]) hi[$1] = $2
    if (!($1 in clo) || $3 < clo[$1]) clo[$1] = $3; if ($3 > chi[$1]) chi[$1] = $3
    if (!($1 in order)) { order[$1] = ++k; name[k] = $1 } }
  END { for (i = 1; i <= k; i++) { x = name[i]
    printf "%-34s %8.1f %15s %12.2f %15s\n", x, s[x] / n[x], sprintf("(%.1f-%.1f)", lo[x], hi[x]), c[x] / n[x], sprintf("(%.2f-%.2f)", clo[x], chi[x]) } }' "$out"
rm -f "$out"
