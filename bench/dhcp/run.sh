#!/usr/bin/env bash
# DHCP DORA benchmark: NetBoot vs dnsmasq vs kea-dhcp4 (memfile), one run, same pool, same namespace pair.
# perfdhcp (kea-admin package) acts as a relay (giaddr = its address), so every server sees relayed traffic.
# Usage: bench/dhcp/run.sh [seconds per measurement, default 5]   (root; builds NetBoot with `dotnet publish`)
# Prints DORA/s, drops and latency per server, empty pool and with 50 000 active leases, RSS with 50 000 leases,
# and the ratios against issue 4's targets (>= Kea memfile, >= 3x dnsmasq, 50k-lease rate >= 80% of empty).
set -euo pipefail

PERIOD=${1:-5}
RATES=${BENCH_RATES:-"5000 10000 15000 20000 25000 30000"}   # offered loads tried on a fresh server each
FILL=50000
SERVERS=${BENCH_SERVERS:-"netboot netboot-jit dnsmasq kea"}   # a subset for quick comparisons; netboot-jit is the
                                                 # plain `dotnet publish` build, what `dotnet run -c Release` runs
PIN="taskset -c 0"                               # BENCH_UNPINNED=1: servers on any CPU (perfdhcp stays on CPU 1)
[[ -n "${BENCH_UNPINNED:-}" ]] && PIN=""
SKIP_FULL=${BENCH_SKIP_FULL:-}                   # set: skip the 50 000-lease measurement
PERF_DIR=${BENCH_PERF_DIR:-}                     # set: `perf record -g` the server during each measurement, into this directory
SERVER_CPU=${BENCH_SERVER_CPU:-}                 # e.g. 50%: each server capped at that share of CPU 0 (cgroup), so that
                                                 # the server, not perfdhcp, is what saturates (see README)
SERVER_CPU=${SERVER_CPU%\%}
ID="nbb$$"
SRV="$ID-srv"; CLI="$ID-cli"
WORK=$(mktemp -d /tmp/netboot-dhcp-bench-XXXXXX)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SERVER_IP=10.80.0.1; RELAY_IP=10.80.0.2
# 262 000 addresses: 50 000 leases plus 5 s of new clients at the highest rates stay well inside the pool, and the
# lease limit (NetBoot, dnsmasq; Kea has none) is above the pool, so neither the pool nor a limit is what is measured.
POOL_START=10.80.1.1; POOL_END=10.83.255.250; NETMASK=255.252.0.0; PREFIX=14; SUBNET=10.80.0.0/14
LEASE_MAX=300000
SERVER_PID=""
CGROUP_PREFIX=$ID
source "$ROOT/bench/lib/cgroup.sh"

cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  cgroup_remove_all
  ip netns del "$SRV" 2>/dev/null || true
  ip netns del "$CLI" 2>/dev/null || true
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

for tool in perfdhcp dnsmasq kea-dhcp4 dotnet; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install kea-admin kea-dhcp4-server dnsmasq-base)" >&2; exit 1; }
done

echo "== building netboot"
if [[ -n "${NETBOOT_PUBLISH_DIR:-}" ]]; then NETBOOT="$NETBOOT_PUBLISH_DIR/netboot"; else
  # What the Debian package ships (packaging/build-deb.sh): NativeAOT when clang is there, else the JIT build.
  if command -v clang >/dev/null; then
    case $(uname -m) in aarch64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
    dotnet publish "$ROOT/src/NetBoot.Cli" -c Release -r $rid -p:PublishAot=true -o "$WORK/netboot" --nologo -v quiet >/dev/null
    echo "   (NativeAOT, as packaged)"
  else
    dotnet publish "$ROOT/src/NetBoot.Cli" -c Release -o "$WORK/netboot" --nologo -v quiet >/dev/null
    echo "   (JIT build: clang is missing, so no NativeAOT; the packaged binary is faster)"
  fi
  NETBOOT="$WORK/netboot/netboot"
fi
# The JIT build side by side: what `dotnet run -c Release --project src/NetBoot.Cli` (the README's command) runs.
if [[ " $SERVERS " == *" netboot-jit "* ]]; then
  if [[ -n "${NETBOOT_JIT_PUBLISH_DIR:-}" ]]; then NETBOOT_JIT="$NETBOOT_JIT_PUBLISH_DIR/netboot"; else
    dotnet publish "$ROOT/src/NetBoot.Cli" -c Release -o "$WORK/netboot-jit-build" --nologo -v quiet >/dev/null
    NETBOOT_JIT="$WORK/netboot-jit-build/netboot"
  fi
  echo "   (netboot-jit: the framework-dependent JIT build, $(grep -o '"System.Runtime.TieredCompilation[^,}]*' "$(dirname "$NETBOOT_JIT")/netboot.runtimeconfig.json" | tr -d '"' | tr '\n' ' '))"
fi

ip netns add "$SRV"; ip netns add "$CLI"
ip link add "$ID-s" netns "$SRV" type veth peer name "$ID-c" netns "$CLI"
ip -n "$SRV" addr add $SERVER_IP/$PREFIX dev "$ID-s"; ip -n "$CLI" addr add $RELAY_IP/$PREFIX dev "$ID-c"
for ns in "$SRV" "$CLI"; do ip -n "$ns" link set lo up; done
ip -n "$SRV" link set "$ID-s" up; ip -n "$CLI" link set "$ID-c" up

wait_port67() {
  for _ in $(seq 1 200); do
    ip netns exec "$SRV" ss -uln | grep -q ':67 ' && return 0
    sleep 0.05
  done
  echo "server did not bind port 67" >&2; return 1
}

# Runs a server in the background (`server_exec cmd... &`; $! is its pid): as is, or inside the cgroup "server", capped
# at BENCH_SERVER_CPU of one CPU (created by start_server).
server_exec() {
  if [[ -n "$SERVER_CPU" ]]; then cgroup_exec server "$@"; else exec "$@"; fi
}

start_server() {  # $1 = netboot|dnsmasq|kea; a fresh lease store unless $2 = keep
  local dir="$WORK/$1"
  [[ "${2:-}" == keep ]] || rm -rf "$dir"
  mkdir -p "$dir"
  [[ -n "$SERVER_CPU" ]] && cgroup_for server "$SERVER_CPU"
  case "$1" in
    netboot|netboot-jit)
      local binary=$NETBOOT; [[ "$1" == netboot-jit ]] && binary=$NETBOOT_JIT
      cat >"$dir/netboot.conf" <<CONF
port=0
dhcp-range=$POOL_START,$POOL_END,$NETMASK,12h
dhcp-lease-max=$LEASE_MAX
dhcp-leasefile=$dir/dnsmasq.leases
no-ping
# The load generator is one flood of new clients: measure throughput, not the flood gate (docs/hostile-input.md).
dhcp-rate-limit=off
CONF
      server_exec ip netns exec "$SRV" env NETBOOT_LEASE_DB="$dir/leases.sqlite" NETBOOT_LOG_LEVEL=Warning \
        $PIN "$binary" serve -C "$dir/netboot.conf" >"$dir/log" 2>&1 &
      ;;
    dnsmasq)
      touch "$dir/dnsmasq.leases"
      server_exec ip netns exec "$SRV" $PIN dnsmasq -d -p 0 --no-ping --quiet-dhcp --dhcp-lease-max=$LEASE_MAX \
        --dhcp-range=$POOL_START,$POOL_END,$NETMASK,12h --dhcp-leasefile="$dir/dnsmasq.leases" \
        --pid-file="$dir/pid" >"$dir/log" 2>&1 &
      ;;
    kea)
      cat >"$dir/kea.json" <<CONF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$ID-s" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "persist": true, "name": "$dir/kea-leases4.csv", "lfc-interval": 0 },
    "valid-lifetime": 43200,
    "subnet4": [ { "id": 1, "subnet": "$SUBNET", "pools": [ { "pool": "$POOL_START - $POOL_END" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "$dir/kea.log" } ], "severity": "WARN" } ]
} }
CONF
      server_exec ip netns exec "$SRV" env KEA_LOCKFILE_DIR="$dir" KEA_PIDFILE_DIR="$dir" \
        $PIN kea-dhcp4 -c "$dir/kea.json" >"$dir/log" 2>&1 &
      ;;
  esac
  SERVER_PID=$!
  wait_port67
}

PERF_PID=""
perf_start() {  # $1 = output name; only with BENCH_PERF_DIR
  [[ -n "$PERF_DIR" ]] || return 0
  mkdir -p "$PERF_DIR"
  command perf record -q -g -p "$SERVER_PID" -o "$PERF_DIR/$1.data" >/dev/null 2>&1 &
  PERF_PID=$!
  sleep 0.2
}
perf_stop() {
  [[ -n "$PERF_PID" ]] || return 0
  kill -INT "$PERF_PID" 2>/dev/null || true; wait "$PERF_PID" 2>/dev/null || true; PERF_PID=""
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

# perfdhcp on the other core; -R: distinct clients; -b: MAC base (a new base = clients never seen).
perf() {  # $1 = mac base, $2.. extra args
  local base=$1; shift
  ip netns exec "$CLI" taskset -c 1 perfdhcp -4 -l "$ID-c" -b "mac=$base" "$@" $SERVER_IP 2>&1 || true
}

# "rate: 1234.5 4-way exchanges/second" + drops + average delays from perfdhcp's final report.
summarise() {
  awk '
    /^Rate:/ { rate=$2 }
    /Statistics for: DISCOVER-OFFER/ { sec="DO" } /Statistics for: REQUEST-ACK/ { sec="RA" }
    /^drops:/ { drops[sec]=$2 } /^avg delay: [0-9]/ { avg[sec]=$3 } /^max delay: [0-9]/ { max[sec]=$3 }
    END { printf "%s %d %d %s %s %s %s\n", rate+0, drops["DO"], drops["RA"], avg["DO"]+0, avg["RA"]+0, max["DO"]+0, max["RA"]+0 }'
}

server_cpu_ticks() {  # utime + stime of the server process and all its threads (/proc/<pid>/stat fields 14, 15)
  awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"
}

server_rss() {  # the server process itself (not the ip-netns-exec/taskset wrapper, which execs)
  awk '/VmRSS/ { print $2 }' "/proc/$SERVER_PID/status"
}

declare -A EMPTY FULL RSS LINE_EMPTY LINE_FULL BEST CPU
for server in $SERVERS; do
  echo "== $server"
  # Empty pool: each offered rate on a fresh server; the highest achieved DORA/s counts (its drops are shown; the
  # sweep lines show where each server stays under Kea's 2.5 % drop criterion).
  best_any=""; best_any_rate=0
  for rate in $RATES; do
    start_server "$server"
    perf_start "$server-empty-$rate"
    cpu0=$(server_cpu_ticks)
    line=$(perf 02:00:00:00:00:00 -r "$rate" -R 1000000 -p "$PERIOD" | summarise)
    cpu1=$(server_cpu_ticks)
    perf_stop
    stop_server
    read -r achieved ddo dra _ <<<"$line"
    pct=$(echo "($ddo + $dra) * 100 / ($rate * $PERIOD)" | bc -l)
    us=$(echo "($cpu1 - $cpu0) * 1000000 / $(getconf CLK_TCK) / ($achieved * $PERIOD + 1)" | bc -l)
    printf "   offered %6d/s: %8.0f DORA/s, drops %5.1f %%, server CPU %5.1f us/DORA\n" "$rate" "$achieved" "$pct" "$us"
    if [[ $(echo "$achieved > $best_any_rate" | bc -l) == 1 ]]; then best_any="$line"; best_any_rate=$achieved; BEST[$server]=$rate; CPU[$server]=$us; fi
  done
  LINE_EMPTY[$server]=$best_any
  BEST[$server]=${BEST[$server]:-2000}
  [[ -n "$SKIP_FULL" ]] && continue
  # 50 000 active leases, then the same measurement at the rate that was best on the empty pool, with new clients.
  # 50 000 active leases: dnsmasq's lease file is written directly (at dnsmasq's ~400/s a perfdhcp fill would take
  # minutes); NetBoot and Kea are filled by perfdhcp itself.
  if [[ $server == dnsmasq ]]; then
    python3 - "$WORK/dnsmasq/dnsmasq.leases" "$FILL" <<'PY'
import sys, time
path, n = sys.argv[1], int(sys.argv[2]); exp = int(time.time()) + 43200
with open(path, "w") as f:
    for i in range(n):
        f.write(f"{exp} 04:00:00:{i>>16&255:02x}:{i>>8&255:02x}:{i&255:02x} 10.80.{1+i//250}.{1+i%250} * *\n")
PY
    start_server "$server" keep
  else
    start_server "$server"
    perf 04:00:00:00:00:00 -r 4000 -R "$FILL" -n $((FILL * 12 / 10)) >/dev/null
  fi
  perf_start "$server-full"
  cpu0=$(server_cpu_ticks)
  LINE_FULL[$server]=$(perf 06:00:00:00:00:00 -r "${BEST[$server]}" -R 1000000 -p "$PERIOD" | tee "$WORK/$server-full.perfdhcp" | summarise)
  if [[ -n "${BENCH_VERBOSE:-}" ]]; then
    sed 's/^/      | /' "$WORK/$server-full.perfdhcp"
    for ns in "$SRV" "$CLI"; do  # datagrams each side's kernel dropped for a full socket buffer (whole run so far)
      echo "      | $ns: $(ip netns exec "$ns" awk '/^Udp:/ { if (h) { print "UDP RcvbufErrors " $6 ", InErrors " $4 } else h = 1 }' /proc/net/snmp)"
    done
  fi
  cpu1=$(server_cpu_ticks)
  perf_stop
  read -r achieved _ <<<"${LINE_FULL[$server]}"
  printf "   with 50 000 leases at %d/s: %8.0f DORA/s, server CPU %5.1f us/DORA\n" "${BEST[$server]}" "$achieved" \
    "$(echo "($cpu1 - $cpu0) * 1000000 / $(getconf CLK_TCK) / ($achieved * $PERIOD + 1)" | bc -l)"
  RSS[$server]=$(server_rss)
  case $server in
    netboot|netboot-jit) leases=$(NETBOOT_LEASE_DB="$WORK/$server/leases.sqlite" "$NETBOOT" leases -C "$WORK/$server/netboot.conf" | tail -n +2 | wc -l) ;;
    dnsmasq) leases=$(wc -l <"$WORK/dnsmasq/dnsmasq.leases") ;;
    kea) leases=$(tail -n +2 "$WORK/kea/kea-leases4.csv" | cut -d, -f1 | sort -u | wc -l) ;;
  esac
  echo "   leases on record after the 50k run: $leases"
  stop_server
done


printf "\n%-11s %12s %8s %8s %10s %10s %9s | %12s %8s %8s | %9s\n" server "DORA/s" dropDO dropRA "avgDO ms" "avgRA ms" "CPU us" "DORA/s@50k" dropDO dropRA "RSS MiB"
for server in $SERVERS; do
  read -r r dd dr ado ara _ _ <<<"${LINE_EMPTY[$server]:-}"
  read -r r2 dd2 dr2 _ _ _ _ <<<"${LINE_FULL[$server]:-}"
  EMPTY[$server]=${r:-}; FULL[$server]=${r2:-}
  printf "%-11s %12.0f %8s %8s %10s %10s %9.1f | %12.0f %8s %8s | %9.1f\n" "$server" "${r:-0}" "$dd" "$dr" "$ado" "$ara" "${CPU[$server]:-0}" "${r2:-0}" "$dd2" "$dr2" "$(echo "${RSS[$server]:-0} / 1024" | bc -l)"
done
ratio() { if [[ -z "$1" || "${2%.*}" =~ ^0*$ ]]; then echo "n/a"; else echo "scale=2; $1 / $2" | bc -l; fi; }
for server in netboot netboot-jit dnsmasq kea; do  # a subset run (BENCH_SERVERS) leaves the others unmeasured
  EMPTY[$server]=${EMPTY[$server]:-}; FULL[$server]=${FULL[$server]:-}; BEST[$server]=${BEST[$server]:--}
done
echo
echo "targets (issue 4):"
echo "  NetBoot / Kea memfile      = $(ratio "${EMPTY[netboot]}" "${EMPTY[kea]}")   (target >= 1.00)"
echo "  NetBoot / dnsmasq          = $(ratio "${EMPTY[netboot]}" "${EMPTY[dnsmasq]}")   (target >= 3.00)"
echo "  NetBoot 50k / empty        = $(ratio "${FULL[netboot]}" "${EMPTY[netboot]}")   (target >= 0.80)"
echo "  NetBoot JIT / NativeAOT    = $(ratio "${EMPTY[netboot-jit]}" "${EMPTY[netboot]}");  JIT / Kea = $(ratio "${EMPTY[netboot-jit]}" "${EMPTY[kea]}")   (issue 17.9: the README's dotnet run build)"
echo "  (dnsmasq 50k / empty       = $(ratio "${FULL[dnsmasq]}" "${EMPTY[dnsmasq]}"); Kea 50k / empty = $(ratio "${FULL[kea]}" "${EMPTY[kea]}"))"
echo "offered rate giving the highest DORA/s per server: netboot ${BEST[netboot]}, netboot-jit ${BEST[netboot-jit]}, dnsmasq ${BEST[dnsmasq]}, kea ${BEST[kea]}; $PERIOD s per measurement"
[[ -n "$SERVER_CPU" ]] && echo "each server capped at $SERVER_CPU % of one CPU (cgroup quota, BENCH_SERVER_CPU): the server saturates, not perfdhcp"
where="pinned to CPU 0"; [[ -z "$PIN" ]] && where="on any CPU (BENCH_UNPINNED)"
echo "server $where, perfdhcp on CPU 1; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)"
