#!/usr/bin/env bash
# DHCPv6 SARR benchmark: NetBoot vs kea-dhcp6 (memfile, persist) vs dnsmasq, one run, same pool, same namespace pair.
# perfdhcp -6 (kea-admin package) is a direct client on the veth link: SOLICIT to ff02::1:2 from its link-local
# address, 4-way exchanges (SOLICIT-ADVERTISE-REQUEST-REPLY), one IA_NA each (-e address-only).
# Usage: bench/dhcp6/run.sh [seconds per measurement, default 5]   (root; builds NetBoot with `dotnet publish`)
# Prints SARR/s (4-way exchanges per second), drops, latency and server CPU per exchange for each server, and the
# ratios against issue 19's targets (NetBoot >= Kea memfile, >= 3x dnsmasq).
set -euo pipefail

PERIOD=${1:-5}
RATES=${BENCH_RATES:-"2000 4000 6000 8000 12000 16000"} # offered loads tried on a fresh server each
# dnsmasq completes a few hundred SARR/s: offered far above that, it drops most SOLICITs and its own rate falls.
DNSMASQ_RATES=${BENCH_DNSMASQ_RATES:-"100 200 400 800"}
SERVERS=${BENCH_SERVERS:-"netboot kea dnsmasq"}      # a subset for quick comparisons
PIN="taskset -c 0"                                   # BENCH_UNPINNED=1: servers on any CPU (perfdhcp stays on CPU 1)
[[ -n "${BENCH_UNPINNED:-}" ]] && PIN=""
PERF_PIN="taskset -c 1"
PERF_DIR=${BENCH_PERF_DIR:-}                         # set: `perf record -g` the server during each measurement
SERVER_CPU=${BENCH_SERVER_CPU:-}                     # e.g. 50%: each server capped at that share of CPU 0 (cgroup)
SERVER_CPU=${SERVER_CPU%\%}
RELAY=${BENCH_RELAY:-}                               # set: perfdhcp -A 1, every SOLICIT inside a RELAY-FORW
ID="nb6b$$"
SRV="$ID-srv"; CLI="$ID-cli"
WORK=$(mktemp -d /tmp/netboot-dhcp6-bench-XXXXXX)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# A ULA /64 on the link; the pool is 262 144 addresses (as bench/dhcp's v4 pool), far more than a run hands out,
# and the lease limit (NetBoot, dnsmasq; Kea has none) is above it: neither is what is measured.
PREFIX=fd80:6::; SERVER_IP=fd80:6::1; CLIENT_IP=fd80:6::2
POOL_START=fd80:6::1:0; POOL_END=fd80:6::4:ffff
LEASE_MAX=300000
LEASE_SECONDS=43200
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

for tool in perfdhcp dnsmasq kea-dhcp6 dotnet bc /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install kea-admin kea-dhcp6-server dnsmasq-base bc time)" >&2; exit 1; }
done

if [[ " $SERVERS " == *" netboot "* ]]; then
  echo "== building netboot"
  if [[ -n "${NETBOOT_PUBLISH_DIR:-}" ]]; then NETBOOT="$NETBOOT_PUBLISH_DIR/netboot"; echo "   ($NETBOOT_PUBLISH_DIR)"; else
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
fi

# No duplicate address detection in the two namespaces: a tentative link-local address cannot be bound (Kea and
# perfdhcp bind theirs), and DAD would make the start wait ~1 s for nothing on a two-ended veth.
ip netns add "$SRV"; ip netns add "$CLI"
for ns in "$SRV" "$CLI"; do
  ip netns exec "$ns" sysctl -q -w net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
done
ip link add "$ID-s" netns "$SRV" type veth peer name "$ID-c" netns "$CLI"
ip -n "$SRV" addr add $SERVER_IP/64 dev "$ID-s" nodad; ip -n "$CLI" addr add $CLIENT_IP/64 dev "$ID-c" nodad
for ns in "$SRV" "$CLI"; do ip -n "$ns" link set lo up; done
ip -n "$SRV" link set "$ID-s" up; ip -n "$CLI" link set "$ID-c" up
for ns in "$SRV" "$CLI"; do  # both link-local addresses usable (not tentative) before anything binds them
  for _ in $(seq 1 100); do
    ip -n "$ns" -6 addr show scope link | grep -q 'inet6 fe80' && ! ip -n "$ns" -6 addr show tentative | grep -q inet6 && break
    sleep 0.05
  done
done

wait_port547() {
  for _ in $(seq 1 200); do
    # Bound, and a member of All_DHCP_Relay_Agents_and_Servers on the link (else the first SOLICITs are lost).
    ip netns exec "$SRV" ss -uln | grep -q ':547 ' && ip -n "$SRV" -6 maddr show dev "$ID-s" | grep -q 'ff02::1:2$' && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited:" >&2; cat "$WORK/$1/log" "$WORK/$1/kea.log" 2>/dev/null | tail -20 >&2; return 1; }
    sleep 0.05
  done
  echo "server did not bind port 547 and join ff02::1:2 on $ID-s within 10 s" >&2; return 1
}

# Runs a server in the background (`server_exec cmd... &`; $! is its pid): as is, or inside the cgroup "server", capped
# at BENCH_SERVER_CPU of one CPU (created by start_server).
server_exec() {
  if [[ -n "$SERVER_CPU" ]]; then cgroup_exec server "$@"; else exec "$@"; fi
}

start_server() {  # $1 = netboot|dnsmasq|kea; always a fresh lease store
  local dir="$WORK/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  [[ -n "$SERVER_CPU" ]] && cgroup_for server "$SERVER_CPU"
  case "$1" in
    netboot)
      cat >"$dir/netboot.conf" <<CONF
port=0
dhcp-range=$POOL_START,$POOL_END,64,12h
dhcp-lease-max=$LEASE_MAX
dhcp-leasefile=$dir/dnsmasq.leases
# The load generator is one flood of new clients: measure throughput, not the flood gate (docs/hostile-input.md).
dhcp-rate-limit=off
CONF
      server_exec ip netns exec "$SRV" env NETBOOT_LEASE_DB="$dir/leases.sqlite" NETBOOT_LOG_LEVEL=Warning \
        $PIN "$NETBOOT" serve -C "$dir/netboot.conf" >"$dir/log" 2>&1 &
      ;;
    dnsmasq)
      # dnsmasq serves the range on the link whose address is on its prefix (fd80:6::1/64 here).
      touch "$dir/dnsmasq.leases"
      server_exec ip netns exec "$SRV" $PIN dnsmasq -d -p 0 --quiet-dhcp6 --dhcp-lease-max=$LEASE_MAX \
        --dhcp-range=$POOL_START,$POOL_END,64,12h --dhcp-leasefile="$dir/dnsmasq.leases" \
        --pid-file="$dir/pid" >"$dir/log" 2>&1 &
      ;;
    kea)
      # memfile with persist: every lease change is appended to the CSV (one write(2), no fsync: see README).
      cat >"$dir/kea.json" <<CONF
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "$ID-s" ] },
    "data-directory": "$dir",
    "lease-database": { "type": "memfile", "persist": true, "name": "$dir/kea-leases6.csv", "lfc-interval": 0 },
    "preferred-lifetime": $LEASE_SECONDS, "valid-lifetime": $LEASE_SECONDS,
    "subnet6": [ { "id": 1, "subnet": "$PREFIX/64", "interface": "$ID-s",
                   "pools": [ { "pool": "$POOL_START - $POOL_END" } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "$dir/kea.log" } ], "severity": "WARN" } ]
} }
CONF
      server_exec ip netns exec "$SRV" env KEA_LOCKFILE_DIR="$dir" KEA_PIDFILE_DIR="$dir" \
        $PIN kea-dhcp6 -c "$dir/kea.json" >"$dir/log" 2>&1 &
      ;;
  esac
  SERVER_PID=$!
  wait_port547 "$1"
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

# perfdhcp on the other core, SOLICIT to ff02::1:2 on the client end of the veth; -R: distinct clients (DUIDs from
# the base with random low bytes); -e address-only: one IA_NA per client. Bounded by -p (seconds) and by the
# caller's timeout.
perf() {  # $1 = duid base, $2.. extra args
  local base=$1; shift
  local relay=(); [[ -n "$RELAY" ]] && relay=(-A 1)
  ip netns exec "$CLI" timeout $((PERIOD + 30)) /usr/bin/time -f '%U %S' -o "$WORK/perfdhcp-time" $PERF_PIN perfdhcp -6 -l "$ID-c" -e address-only "${relay[@]}" \
    -b "duid=$base" "$@" 2>&1 || true
}

# "rate dropsSA dropsRR avgSA avgRR maxSA maxRR" from perfdhcp's final report ("Rate: N 4-way exchanges/second").
summarise() {
  awk '
    /^Rate:/ { rate=$2 }
    /Statistics for: SOLICIT-ADVERTISE/ { sec="SA" } /Statistics for: REQUEST-REPLY/ { sec="RR" }
    /^drops:/ { drops[sec]=$2 } /^avg delay: [0-9]/ { avg[sec]=$3 } /^max delay: [0-9]/ { max[sec]=$3 }
    END { printf "%s %d %d %s %s %s %s\n", rate+0, drops["SA"], drops["RR"], avg["SA"]+0, avg["RR"]+0, max["SA"]+0, max["RR"]+0 }'
}

rcvbuf_errors() {  # $1 = namespace: UDP datagrams its kernel dropped for a full socket receive buffer, so far
  ip netns exec "$1" awk '$1 == "Udp6RcvbufErrors" { print $2 }' /proc/net/snmp6
}

server_wait_ns() {  # time the server's threads spent runnable but waiting for a CPU (schedstat field 2), so far
  cat /proc/"$SERVER_PID"/task/*/schedstat 2>/dev/null | awk '{ t += $2 } END { printf "%.0f\n", t }'
}

server_cpu_ticks() {  # utime + stime of the server process and all its threads (/proc/<pid>/stat fields 14, 15)
  awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"
}

leases_on_record() {  # $1 = server; distinct addresses in its persistent store after the measurement
  case $1 in
    netboot|dnsmasq) if [[ -f "$WORK/$1/dnsmasq.leases" ]]; then grep -c '^[0-9]' "$WORK/$1/dnsmasq.leases" || true; else echo "none (no lease file)"; fi ;;
    kea) tail -n +2 "$WORK/kea/kea-leases6.csv" 2>/dev/null | cut -d, -f1 | sort -u | wc -l ;;
  esac
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A LINE BEST CPU
n=0
for server in $SERVERS; do
  echo "== $server"
  # Each offered rate on a fresh server and fresh clients; the highest achieved SARR/s counts (its drops are shown).
  best_rate=0
  rates=$RATES; [[ $server == dnsmasq ]] && rates=$DNSMASQ_RATES
  for rate in $rates; do
    n=$((n + 1))
    start_server "$server"
    perf_start "$server-$rate"
    cpu0=$(server_cpu_ticks); wait0=$(server_wait_ns); srv0=$(rcvbuf_errors "$SRV"); cli0=$(rcvbuf_errors "$CLI")
    out=$(perf "$(printf '0003000102%02x00000000' "$n")" -r "$rate" -R 1000000 -p "$PERIOD")
    cpu1=$(server_cpu_ticks); wait1=$(server_wait_ns); srv1=$(rcvbuf_errors "$SRV"); cli1=$(rcvbuf_errors "$CLI")
    perf_stop
    line=$(summarise <<<"$out")
    [[ -n "${BENCH_VERBOSE:-}" ]] && sed 's/^/      | /' <<<"$out"
    stop_server
    leases=$(leases_on_record "$server")
    read -r achieved dsa drr _ <<<"$line"
    pct=$(echo "($dsa + $drr) * 100 / ($rate * $PERIOD)" | bc -l)
    us=$(echo "($cpu1 - $cpu0) * 1000000 / $(getconf CLK_TCK) / ($achieved * $PERIOD + 1)" | bc -l)
    # How busy each side was over the period: a server well under 100 % with many drops was starved of CPU (by
    # the machine's other work) or waited on something, not saturated by its own work.
    server_busy=$(echo "($cpu1 - $cpu0) * 100 / $(getconf CLK_TCK) / $PERIOD" | bc -l)
    server_waited=$(echo "($wait1 - $wait0) / 10000000 / $PERIOD" | bc -l)
    client_busy=$(awk -v p="$PERIOD" '/^[0-9.]+ [0-9.]+$/ { print ($1 + $2) * 100 / p }' "$WORK/perfdhcp-time" 2>/dev/null || echo 0)
    printf "   offered %6d/s: %8.0f SARR/s, drops %5.1f %%, server CPU %6.1f us/SARR (busy %3.0f %%, waiting for a CPU %3.0f %%, perfdhcp busy %3.0f %%), socket overflows server %d client %d, leases on record %s\n" \
      "$rate" "$achieved" "$pct" "$us" "$server_busy" "$server_waited" "$client_busy" $((srv1 - srv0)) $((cli1 - cli0)) "$leases"
    if [[ $(echo "$achieved > $best_rate" | bc -l) == 1 ]]; then LINE[$server]=$line; best_rate=$achieved; BEST[$server]=$rate; CPU[$server]=$us; fi
  done
done

printf "\n%-9s %9s %8s %8s %9s %9s %9s %9s %8s\n" server "SARR/s" dropSA dropRR "avgSA ms" "avgRR ms" "maxRR ms" "CPU us" "offered"
for server in $SERVERS; do
  read -r r dsa drr asa arr _ mrr <<<"${LINE[$server]:-0 0 0 0 0 0 0}"
  printf "%-9s %9.0f %8s %8s %9s %9s %9s %9.1f %8s\n" "$server" "$r" "$dsa" "$drr" "$asa" "$arr" "$mrr" "${CPU[$server]:-0}" "${BEST[$server]:--}"
done
rate_of() { read -r r _ <<<"${LINE[$1]:-}"; echo "${r:-}"; }
ratio() { if [[ -z "$1" || -z "$2" || "${2%.*}" =~ ^0*$ ]]; then echo "n/a"; else echo "scale=2; $1 / $2" | bc -l; fi; }
echo
echo "targets (issue 19):"
echo "  NetBoot / Kea memfile      = $(ratio "$(rate_of netboot)" "$(rate_of kea)")   (target >= 1.00)"
echo "  NetBoot / dnsmasq          = $(ratio "$(rate_of netboot)" "$(rate_of dnsmasq)")   (target >= 3.00)"
echo "  CPU per SARR, Kea / NetBoot = $(ratio "${CPU[kea]:-}" "${CPU[netboot]:-}");  dnsmasq / NetBoot = $(ratio "${CPU[dnsmasq]:-}" "${CPU[netboot]:-}")"
mode="direct (multicast to ff02::1:2 from link-local)"; [[ -n "$RELAY" ]] && mode="relayed (perfdhcp -A 1)"
echo "perfdhcp -6 -e address-only, $mode, $PERIOD s per measurement, offered rates: $RATES (dnsmasq: $DNSMASQ_RATES)"
[[ -n "$SERVER_CPU" ]] && echo "each server capped at $SERVER_CPU % of one CPU (cgroup quota, BENCH_SERVER_CPU): the server saturates, not perfdhcp"
where="pinned to CPU 0"; [[ -z "$PIN" ]] && where="on any CPU (BENCH_UNPINNED)"
echo "server $where, perfdhcp on CPU 1; load average at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)"
