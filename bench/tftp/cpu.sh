#!/usr/bin/env bash
# CPU cost of serving TFTP, for comparing server versions on a BUSY machine (wall-clock figures are noisy there;
# CPU time and context switches per MB are not). Same namespace pair as run.sh. Needs root, curl, perf.
#
#   bench/tftp/cpu.sh                         NetBoot: lock-step 256 MiB, storm 50 x 32 MiB
#   SERVER=tftpd-hpa bench/tftp/cpu.sh        the same against tftpd-hpa (or dnsmasq, or floor: see floor.c)
#   LOCK_MB=64 STORM_CLIENTS=100 STORM_MB=16 STRACE=1 bench/tftp/cpu.sh   (STRACE=1: syscall counts of the lock-step)
#
# Prints, per phase: wall time, MB/s, the server's CPU (task-clock from perf stat over all its threads), its
# context switches, both per MB served, and for the storm the clients' CPU (bash `times` of the curl children).
set -euo pipefail

SERVER=${SERVER:-netboot}
LOCK_MB=${LOCK_MB:-256}
STORM_MB=${STORM_MB:-32}
STORM_CLIENTS=${STORM_CLIENTS:-50}
BLKSIZE=${BLKSIZE:-1468}

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "bench/tftp/cpu.sh: needs root (network namespaces)" >&2; exit 2; }
tag="nbc$$"; srv="$tag-srv"; cli="$tag-cli"
work="$(mktemp -d /tmp/netboot-tftp-cpu-XXXXXX)"; chmod 755 "$work"
tftproot="$work/root"
server_pid=""

cleanup() {
  # Datagrams the server's sockets dropped (full receive buffer): a lost RRQ leaves curl waiting for minutes.
  ip netns exec "$srv" nstat -az UdpRcvbufErrors UdpInErrors 2>/dev/null | awk 'NR > 1 && $1 != "#kernel" {printf "   server namespace %s %s\n", $1, $2}' >&2 || true
  for pid in $(ip netns pids "$srv" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  [ -n "$server_pid" ] && wait "$server_pid" 2>/dev/null || true
  ip netns delete "$srv" 2>/dev/null || true
  ip netns delete "$cli" 2>/dev/null || true
  [ -n "${KEEP_LOG:-}" ] && cp "$work/server.log" "$KEEP_LOG"; rm -rf "$work"
}
trap cleanup EXIT

netboot="${NETBOOT_PUBLISH_DIR:-$root_dir/artifacts/bench-netboot}/netboot"
source "$root_dir/bench/tftp/lab.sh"
tftp_lab_setup "$LOCK_MB" "$STORM_MB"

case "$SERVER" in
  netboot)
    printf 'interface=sv0\nbind-interfaces\nenable-tftp\ntftp-root=%s\ntftp-max=%d\nquiet-tftp\n%s\n' \
      "$tftproot" "$((STORM_CLIENTS + 50))" "${BUSY_POLL:+tftp-busy-poll=$BUSY_POLL}" > "$work/netboot.conf"
    DOTNET_PerfMapEnabled=${DOTNET_PerfMapEnabled:-0} "${pin_server[@]}" ip netns exec "$srv" "$netboot" serve -C "$work/netboot.conf" > "$work/server.log" 2>&1 & ;;
  tftpd-hpa)
    "${pin_server[@]}" ip netns exec "$srv" "${IN_TFTPD:-/usr/sbin/in.tftpd}" -L -s "$tftproot" --address 10.79.0.2:69 > "$work/server.log" 2>&1 & ;;
  dnsmasq)
    "${pin_server[@]}" ip netns exec "$srv" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root --pid-file= \
      --interface=sv0 --bind-interfaces --enable-tftp --tftp-root="$tftproot" \
      --tftp-max="$((STORM_CLIENTS + 50))" --log-facility="$work/dnsmasq.log" > "$work/server.log" 2>&1 & ;;
  floor)   # the least a lock-step server does (see floor.c)
    gcc -O2 -pthread -o "$work/floor" "$root_dir/bench/tftp/floor.c"
    "${pin_server[@]}" ip netns exec "$srv" "$work/floor" 10.79.0.2 "$tftproot" > "$work/server.log" 2>&1 & ;;
esac
server_pid=$!
for _ in $(seq 1 100); do
  ip netns exec "$srv" ss -H -u -l -n | grep -q ':69\b' && break
  sleep 0.1
done
# The process that serves (ip netns exec execs the server, so it is $server_pid itself).
spid=$server_pid

# perf stat over the server (and, for tftpd-hpa, the children it forks) while "$@" runs; prints "msec switches".
measure() {
  local out="$work/perf.$RANDOM" rec=""
  local events=task-clock,context-switches
  # SYSCALLS=1: also count the server's main system calls (tracepoints), printed per phase on stderr.
  [ "${SYSCALLS:-0}" = 1 ] && events="$events,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendmsg,syscalls:sys_enter_sendto,syscalls:sys_enter_sched_yield,syscalls:sys_enter_recvmsg"
  perf stat -x, -e "$events" -p "$spid" -o "$out" &
  local perf_pid=$!
  sleep 0.3
  local before; before=$(awk '{print $14, $15}' "/proc/$spid/stat")
  if [ "${PERF_RECORD:-}" = "$1" ]; then   # PERF_RECORD=lock|storm: profile of that phase in /tmp/tftp-perf-report.PHASE.txt
    perf record -q -F 999 -e cpu-clock -p "$spid" -o "$work/perf.data" >/dev/null 2>&1 & rec=$!
  fi
  "$@"
  if [ -n "$rec" ]; then
    kill -INT "$rec"; wait "$rec" 2>/dev/null || true
    perf report -i "$work/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -60 > "/tmp/tftp-perf-report.$1.txt"
  fi
  local after; after=$(awk '{print $14, $15}' "/proc/$spid/stat")
  echo "   server ticks during $1 (user sys, 1/100 s): $before -> $after" >&2
  kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
  [ "${SYSCALLS:-0}" = 1 ] && awk -F, -v p="$1" '/syscalls:/ {printf "   %s %s %s\n", p, $3, $1}' "$out" >&2
  awk -F, '/task-clock/ {t=$1} /context-switches/ {c=$1} END {printf "%.0f %d\n", t, c}' "$out"
}

lock() {
  local started; started=$(date +%s.%N)
  if [ "${STRACE:-0}" = 1 ]; then
    strace -c -f -p "$spid" -o "$work/strace.txt" & local st=$!; sleep 0.5
  fi
  "${pin_client[@]}" ip netns exec "$cli" curl -sS --tftp-blksize "$BLKSIZE" -o /dev/null "tftp://10.79.0.2/big.bin"
  if [ "${STRACE:-0}" = 1 ]; then kill -INT "$st"; wait "$st" 2>/dev/null || true; fi
  echo "$(date +%s.%N) $started" > "$work/lock.wall"
}

storm() {
  local started; started=$(date +%s.%N) pids=()
  for i in $(seq 1 "$STORM_CLIENTS"); do
    "${pin_client[@]}" ip netns exec "$cli" curl -sS --tftp-blksize "$BLKSIZE" --max-time 600 -o /dev/null -w '%{size_download}\n' \
      "tftp://10.79.0.2/storm.bin" > "$work/storm.$i" 2>&1 &
    pids+=($!)
  done
  wait "${pids[@]}" 2>/dev/null || true
  echo "$(date +%s.%N) $started" > "$work/storm.wall"
  times > "$work/storm.times"
}

mb() { awk -v m="$1" 'BEGIN { printf "%.1f", m * 1048576 / 1e6 }'; }

read -r lock_ms lock_cs < <(measure lock)
lock_mb=$(mb "$LOCK_MB")
awk -v w="$(cat "$work/lock.wall")" -v mb="$lock_mb" -v ms="$lock_ms" -v cs="$lock_cs" -v s="$SERVER" 'BEGIN {
  split(w, a, " "); t = a[1] - a[2];
  printf "%s lock-step %s MB: %.2f s = %.1f MB/s; server CPU %.2f ms/MB, %.0f switches/MB\n", s, mb, t, mb / t, ms / mb, cs / mb }'
[ "${STRACE:-0}" = 1 ] && sed -n '1,20p' "$work/strace.txt"

[ "$STORM_CLIENTS" -gt 0 ] || exit 0   # STORM_CLIENTS=0: lock-step only
read -r storm_ms storm_cs < <(measure storm)
failures=0
for i in $(seq 1 "$STORM_CLIENTS"); do
  [ "$(cat "$work/storm.$i" 2>/dev/null)" = "$((STORM_MB * 1048576))" ] || failures=$((failures + 1))
done
storm_mb=$(awk -v c="$STORM_CLIENTS" -v m="$STORM_MB" 'BEGIN { printf "%.1f", c * m * 1048576 / 1e6 }')
clients_s=$(awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }' "$work/storm.times")
awk -v w="$(cat "$work/storm.wall")" -v mb="$storm_mb" -v ms="$storm_ms" -v cs="$storm_cs" -v s="$SERVER" \
    -v c="$STORM_CLIENTS" -v f="$failures" -v cl="$clients_s" 'BEGIN {
  split(w, a, " "); t = a[1] - a[2];
  printf "%s storm %d clients, %s MB: %.2f s wall, %d failures; server CPU %.2f ms/MB, %.0f switches/MB; clients CPU %.2f ms/MB\n",
    s, c, mb, t, f, ms / mb, cs / mb, cl * 1000 / mb }'
