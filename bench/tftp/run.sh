#!/usr/bin/env bash
# TFTP benchmark: NetBoot vs tftpd-hpa (in.tftpd -L) vs dnsmasq's TFTP, side by side in ONE run, on the same pair
# of network namespaces joined by a veth (server 10.79.0.2, clients 10.79.0.1). Needs root, the Debian packages
# tftpd-hpa, dnsmasq-base, curl, and the .NET SDK (or NETBOOT_PUBLISH_DIR pointing at a published netboot).
#
#   bench/tftp/run.sh                       1 GiB single-client file, 200-client storm of a 32 MiB file
#   BIG_MB=256 STORM_CLIENTS=100 bench/tftp/run.sh    smaller, quicker
#
# (a) one client, BIG_MB file, blksize 1468: lock-step (curl --tftp-blksize 1468) and windowsize 16
#     (netboot tftp-get --windowsize 16; a server that does not grant windowsize falls back to lock-step, and
#     the ratio is then against its lock-step figure, as the issue says)
# (b) STORM_CLIENTS curl clients at once, each fetching the same STORM_MB file, lock-step (as BIOS PXE ROMs and
#     iPXE do): wall time and failures; then the same storm of atftp clients asking windowsize STORM_WINDOW (4, as
#     EDK2 UEFI firmware asks): a server that does not grant it serves them lock-step
# (c) peak resident memory of the server during the storm (sum over its processes: tftpd-hpa forks per transfer)
# "floor" (bench/tftp/floor.c, built with gcc) is a reference, not an incumbent: the least a lock-step server can do
# per block (files mapped into memory, no checks, no logging); it runs the lock-step phases, and its time is what
# this machine allows a lock-step server.
# Prints every figure and the ratios against the issue's targets. Every namespace and process is removed on exit.
set -euo pipefail

BIG_MB=${BIG_MB:-1024}
STORM_MB=${STORM_MB:-32}
STORM_CLIENTS=${STORM_CLIENTS:-200}
BLKSIZE=${BLKSIZE:-1468}
STORM_WINDOW=${STORM_WINDOW:-4}
SERVERS=${SERVERS:-"netboot tftpd-hpa dnsmasq floor"}

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "bench/tftp/run.sh: needs root (network namespaces)" >&2; exit 2; }

tag="nbb$$"
srv="$tag-srv"; cli="$tag-cli"
work="$(mktemp -d /tmp/netboot-tftp-bench-XXXXXX)"
chmod 755 "$work"
tftproot="$work/root"
server_pid=""
sampler_pid=""

cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  stop_server
  ip netns delete "$srv" 2>/dev/null || true
  ip netns delete "$cli" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

stop_server() {
  if [ -n "$server_pid" ]; then
    # The server and the transfer children it forked (tftpd-hpa), found by namespace: only what this script started.
    for pid in $(ip netns pids "$srv" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

publish_netboot() {
  if [ -n "${NETBOOT_PUBLISH_DIR:-}" ]; then echo "$NETBOOT_PUBLISH_DIR"; return; fi
  local out="$root_dir/artifacts/bench-netboot"
  dotnet publish "$root_dir/src/NetBoot.Cli" -c Release -o "$out" --nologo -v quiet >&2
  echo "$out"
}

netboot_dir="$(publish_netboot)"
netboot="$netboot_dir/netboot"

echo "== setup: namespaces $srv / $cli, files in $tftproot"
source "$root_dir/bench/tftp/lab.sh"
tftp_lab_setup "$BIG_MB" "$STORM_MB"
big_bytes=$((BIG_MB * 1024 * 1024)); storm_bytes=$((STORM_MB * 1024 * 1024))
if [[ " $SERVERS " == *" floor "* ]]; then
  gcc -O2 -pthread -o "$work/floor" "$root_dir/bench/tftp/floor.c"
fi

start_server() {
  local name="$1"
  case "$name" in
    netboot)
      printf 'interface=sv0\nbind-interfaces\nenable-tftp\ntftp-root=%s\ntftp-max=%d\nquiet-tftp\n%s\n' \
        "$tftproot" "$((STORM_CLIENTS + 50))" "${BUSY_POLL:+tftp-busy-poll=$BUSY_POLL}" > "$work/netboot.conf"
      "${pin_server[@]}" ip netns exec "$srv" "$netboot" serve -C "$work/netboot.conf" > "$work/netboot.log" 2>&1 &
      ;;
    tftpd-hpa)
      "${pin_server[@]}" ip netns exec "$srv" "${IN_TFTPD:-/usr/sbin/in.tftpd}" -L -s "$tftproot" --address 10.79.0.2:69 > "$work/tftpd.log" 2>&1 &
      ;;
    dnsmasq)
      "${pin_server[@]}" ip netns exec "$srv" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root --pid-file= \
        --interface=sv0 --bind-interfaces --enable-tftp --tftp-root="$tftproot" \
        --tftp-max="$((STORM_CLIENTS + 50))" --log-facility="$work/dnsmasq.log" > "$work/dnsmasq.out" 2>&1 &
      ;;
    floor)
      "${pin_server[@]}" ip netns exec "$srv" "$work/floor" 10.79.0.2 "$tftproot" > "$work/floor.log" 2>&1 &
      ;;
  esac
  server_pid=$!
  for _ in $(seq 1 100); do
    if ip netns exec "$srv" ss -H -u -l -n | grep -q ':69\b'; then return 0; fi
    sleep 0.1
  done
  echo "$name did not bind UDP 69" >&2; return 1
}

# Peak of the summed VmRSS of every process in the server namespace, sampled every 100 ms until killed.
sample_rss() {
  local peak=0
  trap 'echo "$peak" > "$work/rss.peak"; exit 0' TERM
  while true; do
    local total=0
    for pid in $(ip netns pids "$srv" 2>/dev/null); do
      local kb; kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      total=$((total + ${kb:-0}))
    done
    [ "$total" -gt "$peak" ] && peak=$total
    echo "$peak" > "$work/rss.peak"
    sleep 0.1
  done
}

mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }

lockstep() {  # curl, lock-step, blksize 1468; prints seconds
  local t; t=$("${pin_client[@]}" ip netns exec "$cli" curl -sS --tftp-blksize "$BLKSIZE" -o /dev/null -w '%{time_total} %{size_download}' "tftp://10.79.0.2/big.bin")
  set -- $t
  [ "$2" = "$big_bytes" ] || { echo "FAILED (got $2 bytes)" >&2; echo 0; return; }
  echo "$1"
}

windowed() {  # netboot tftp-get --windowsize 16; prints "seconds windowsize"
  local line; line=$("${pin_client[@]}" ip netns exec "$cli" "$netboot" tftp-get --blksize "$BLKSIZE" --windowsize 16 10.79.0.2 big.bin -o /dev/null 2>&1)
  local seconds ws bytes
  bytes=$(sed -n 's/.*: \([0-9]*\) bytes in .*/\1/p' <<<"$line")
  seconds=$(sed -n 's/.* bytes in \([0-9.]*\) s .*/\1/p' <<<"$line")
  ws=$(sed -n 's/.*windowsize \([0-9]*\).*/\1/p' <<<"$line")
  [ "$bytes" = "$big_bytes" ] || { echo "FAILED: $line" >&2; echo "0 0"; return; }
  echo "$seconds $ws"
}

# Starts storm client $2 of kind $1 in the background, writing to $3/$2.out the bytes it received (and, for atftp,
# to $3/$2.rc its exit status) and to $3/$2.err what it said.
storm_client() {
  local kind="$1" i="$2" dir="$3"
  case "$kind" in
    curl)   # lock-step, as BIOS PXE ROMs and iPXE fetch
      "${pin_client[@]}" ip netns exec "$cli" curl -sS --tftp-blksize "$BLKSIZE" --max-time 900 -o /dev/null -w '%{size_download}\n' \
        "tftp://10.79.0.2/storm.bin" > "$dir/$i.out" 2> "$dir/$i.err" & ;;
    atftp)  # asking windowsize STORM_WINDOW, as EDK2 UEFI firmware does; atftp exits 255 on an error or a time-out
      ( "${pin_client[@]}" ip netns exec "$cli" timeout 900 atftp --option "blksize $BLKSIZE" --option "windowsize $STORM_WINDOW" \
          -g -r storm.bin -l /dev/stdout 10.79.0.2 2> "$dir/$i.err" | wc -c > "$dir/$i.out"
        echo "${PIPESTATUS[0]}" > "$dir/$i.rc" ) & ;;
  esac
}

storm() {  # $1 = curl | atftp; prints "wall_seconds failures"
  local dir="$work/storm-$1"; rm -rf "$dir"; mkdir -p "$dir"
  local started; started=$(date +%s.%N)
  for i in $(seq 1 "$STORM_CLIENTS"); do storm_client "$1" "$i" "$dir"; done
  wait $(jobs -p | grep -v "^$server_pid\$" | grep -v "^${sampler_pid:-none}\$") 2>/dev/null || true
  local ended; ended=$(date +%s.%N)
  local failures=0
  for i in $(seq 1 "$STORM_CLIENTS"); do
    # A failure: not exactly the file's size received, or a non-zero exit status where one is recorded.
    if [ "$(cat "$dir/$i.out" 2>/dev/null)" != "$storm_bytes" ] || { [ -f "$dir/$i.rc" ] && [ "$(cat "$dir/$i.rc")" != 0 ]; }; then
      # The first failed client's own words, for the log (atftp prints its options first).
      [ "$failures" -gt 0 ] || echo "   first failed client: $(cat "$dir/$i.out" 2>/dev/null) bytes, exit $(cat "$dir/$i.rc" 2>/dev/null || echo -): $(grep -v '^Option' "$dir/$i.err" | tr '\n' ' ' | cut -c1-300)" >&2
      failures=$((failures + 1))
    fi
  done
  echo "$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2f", b - a }') $failures"
}

# The window a server grants atftp, read from the OACK in atftp's trace (1: not granted, lock-step).
granted_window() {
  local oack; oack=$("${pin_client[@]}" ip netns exec "$cli" atftp --trace --option "blksize $BLKSIZE" --option "windowsize $STORM_WINDOW" \
    -g -r storm.bin -l /dev/null 10.79.0.2 2>&1 | grep -m1 "received OACK" || true)
  local granted; granted=$(sed -n 's/.*windowsize: \([0-9]*\).*/\1/p' <<<"$oack")
  echo "${granted:-1}"
}

declare -A LOCK WIN WINSIZE WALL FAIL RSS WWALL WFAIL WGRANT
for name in $SERVERS; do
  echo "== $name"
  start_server "$name"
  LOCK[$name]=$(lockstep)
  echo "   (a) lock-step blksize $BLKSIZE, ${BIG_MB} MiB: ${LOCK[$name]} s = $(mbps "$big_bytes" "${LOCK[$name]}") MB/s"
  if [ "$name" != floor ]; then   # floor grants no windowsize: that would be lock-step again
    read -r WIN[$name] WINSIZE[$name] < <(windowed)
    echo "   (a) windowsize 16 asked (granted ${WINSIZE[$name]}), ${BIG_MB} MiB: ${WIN[$name]} s = $(mbps "$big_bytes" "${WIN[$name]}") MB/s"
  fi
  stop_server; start_server "$name"   # fresh process: the storm's peak RSS is the storm's own
  rm -f "$work/rss.peak"; sample_rss & sampler_pid=$!
  read -r WALL[$name] FAIL[$name] < <(storm curl)
  kill "$sampler_pid"; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""
  RSS[$name]=$(( $(cat "$work/rss.peak") / 1024 ))
  echo "   (b) storm, lock-step (curl): $STORM_CLIENTS clients x ${STORM_MB} MiB: ${WALL[$name]} s wall, ${FAIL[$name]} failures"
  echo "   (c) peak RSS during the storm: ${RSS[$name]} MiB"
  stop_server; start_server "$name"
  WGRANT[$name]=$(granted_window)
  read -r WWALL[$name] WFAIL[$name] < <(storm atftp)
  echo "   (b) storm, atftp asking windowsize $STORM_WINDOW (granted ${WGRANT[$name]}): $STORM_CLIENTS clients x ${STORM_MB} MiB: ${WWALL[$name]} s wall, ${WFAIL[$name]} failures"
  stop_server
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == 0 || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
echo
echo "== summary (blksize $BLKSIZE, big file ${BIG_MB} MiB, storm $STORM_CLIENTS x ${STORM_MB} MiB; $(nproc) cores)"
printf '%-10s %10s %11s %8s %13s %9s %15s %9s %8s\n' server "lock MB/s" "win16 MB/s" granted "storm curl s" failures "storm ws$STORM_WINDOW s" failures "RSS MiB"
for name in $SERVERS; do
  lock=$(mbps "$big_bytes" "${LOCK[$name]}")
  if [ "$name" = floor ]; then win=-; granted=-; else win=$(mbps "$big_bytes" "${WIN[$name]}"); granted=${WINSIZE[$name]}; fi
  printf '%-10s %10s %11s %8s %13s %9s %15s %9s %8s\n' "$name" "$lock" "$win" "$granted" "${WALL[$name]}" "${FAIL[$name]}" \
    "${WWALL[$name]} (${WGRANT[$name]})" "${WFAIL[$name]}" "${RSS[$name]}"
done
if [[ " $SERVERS " == *" netboot "* && " $SERVERS " == *" tftpd-hpa "* ]]; then
  echo
  echo "== ratios against the issue's targets"
  echo "(a) lock-step netboot / tftpd-hpa (time ratio, target >= 1.2): $(ratio "${LOCK[tftpd-hpa]}" "${LOCK[netboot]}")"
  hpa_win=${WIN[tftpd-hpa]}; [ "${WINSIZE[tftpd-hpa]}" = "16" ] || hpa_win=${LOCK[tftpd-hpa]}
  echo "(a) windowsize 16 netboot / tftpd-hpa lock-step (target >= 4): $(ratio "$hpa_win" "${WIN[netboot]}")"
  best() {  # the best incumbent's time in the named array: the shortest among runs without failures, if any had none
    local -n times=$1 fails=$2; local b="" candidate
    for pass in clean any; do
      for candidate in tftpd-hpa dnsmasq; do
        [[ " $SERVERS " == *" $candidate "* ]] || continue
        [ "$pass" = any ] || [ "${fails[$candidate]}" = 0 ] || continue
        if [ -z "$b" ] || awk -v a="${times[$candidate]}" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=${times[$candidate]}; fi
      done
      [ -n "$b" ] && break
    done
    echo "$b"
  }
  echo "(b) storm, lock-step clients: netboot / best incumbent (target <= 0.70, 0 failures): $(ratio "${WALL[netboot]}" "$(best WALL FAIL)"), ${FAIL[netboot]} failures"
  echo "(b) storm, clients asking windowsize $STORM_WINDOW: netboot / best incumbent (target <= 0.70, 0 failures): $(ratio "${WWALL[netboot]}" "$(best WWALL WFAIL)"), ${WFAIL[netboot]} failures"
  if [[ " $SERVERS " == *" floor "* ]]; then
    echo "    floor (the least a lock-step server does) / best incumbent, lock-step storm: $(ratio "${WALL[floor]}" "$(best WALL FAIL)"); windowsize $STORM_WINDOW asked, served lock-step: $(ratio "${WWALL[floor]}" "$(best WWALL WFAIL)")"
  fi
  echo "(c) netboot peak RSS (target < 100 MiB): ${RSS[netboot]} MiB"
fi
