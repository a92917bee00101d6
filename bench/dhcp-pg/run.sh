#!/usr/bin/env bash
# DHCP DORA benchmark on a shared PostgreSQL lease database, side by side in one run:
#   NetBoot with one instance, NetBoot with two instances (same database), kea-dhcp4 with its PostgreSQL backend.
# One throw-away PostgreSQL 15 cluster (initdb in /tmp, Unix socket only, fsync and synchronous_commit on) serves
# all of them. perfdhcp (kea-admin package) plays a relay; with two instances, two perfdhcp relays each drive one
# instance with their own clients, and their rates are added.
# Usage: flock /tmp/netboot-bench.lock bench/dhcp-pg/run.sh [seconds per measurement, default 5]
#   (root; builds NetBoot unless NETBOOT_PUBLISH_DIR; the lock keeps benchmarks on this shared machine from overlapping)
# BENCH_INSTANCE_CPU=25% also measures one and two instances with each NetBoot instance in its own cgroup capped at that
# share of one CPU (cgroup v2 cpu.max, or v1 cpu.cfs_quota_us), as if each ran on a machine of its own: the ratio then
# shows whether the shared-database design scales, not how many cores this box has. BENCH_KEA=0 skips Kea,
# BENCH_UNLIMITED=0 the unlimited NetBoot runs.
set -euo pipefail

PERIOD=${1:-5}
RATES=${BENCH_RATES:-"1000 2000 4000 8000"}   # offered loads per relay, each on an empty table
ID="nbq$$"
WORK=$(mktemp -d /tmp/netboot-dhcp-pg-bench-XXXXXX)
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PGBIN=/usr/lib/postgresql/15/bin
PGPORT=$(( 20000 + $$ % 30000 ))
POOL_START=10.80.1.1; POOL_END=10.81.255.250; NETMASK=255.254.0.0
# Two server/relay pairs on one /15: A (10.80.0.1 <- relay 10.80.0.2) and B (10.80.0.3 <- relay 10.80.0.4).
declare -A SERVER_IP=([a]=10.80.0.1 [b]=10.80.0.3) RELAY_IP=([a]=10.80.0.2 [b]=10.80.0.4)
declare -A MAC_BASE=([a]=02:00:00:00:00:00 [b]=06:00:00:00:00:00)   # distinct clients per relay
PIDS=()
declare -A SIDE_PID   # side -> the NetBoot instance's pid (for its CPU time)
INSTANCE_CPU=${BENCH_INSTANCE_CPU:-}
LIMIT=""              # the quota in effect for the servers being started ("" = none)
CGROUP_PREFIX=$ID
# One cgroup per instance with a CPU quota (BENCH_INSTANCE_CPU).
source "$ROOT/bench/lib/cgroup.sh"

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  cgroup_remove_all
  for side in a b; do ip netns del "$ID-srv$side" 2>/dev/null || true; ip netns del "$ID-cli$side" 2>/dev/null || true; done
  [[ -f "$WORK/pg/postmaster.pid" ]] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate -w stop >/dev/null 2>&1 || true
  [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

for tool in perfdhcp kea-dhcp4 kea-admin dotnet "$PGBIN/initdb"; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (apt-get install kea-admin kea-dhcp4-server postgresql)" >&2; exit 1; }
done

echo "== building netboot"
if [[ -n "${NETBOOT_PUBLISH_DIR:-}" ]]; then NETBOOT="$NETBOOT_PUBLISH_DIR/netboot"; else
  dotnet publish "$ROOT/src/NetBoot.Cli" -c Release -o "$WORK/netboot" --nologo -v quiet >/dev/null
  NETBOOT="$WORK/netboot/netboot"
fi

echo "== PostgreSQL 15: throw-away cluster on a Unix socket in $WORK"
chown postgres:postgres "$WORK"; chmod 755 "$WORK"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg" -A trust -U postgres -E UTF8 >/dev/null
cat >>"$WORK/pg/postgresql.conf" <<CONF
listen_addresses = ''
port = $PGPORT
unix_socket_directories = '$WORK'
max_connections = 100
shared_buffers = 128MB
CONF
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w start >/dev/null
psql_() { psql -h "$WORK" -p "$PGPORT" -U postgres -At -v ON_ERROR_STOP=1 "$@"; }
psql_ -d postgres -c "CREATE DATABASE netboot" -c "CREATE DATABASE kea" >/dev/null
kea-admin db-init pgsql -h "$WORK" -P "$PGPORT" -u postgres -n kea >/dev/null

for side in a b; do
  ip netns add "$ID-srv$side"; ip netns add "$ID-cli$side"
  ip link add "$ID-s$side" netns "$ID-srv$side" type veth peer name "$ID-c$side" netns "$ID-cli$side"
  ip -n "$ID-srv$side" addr add "${SERVER_IP[$side]}/15" dev "$ID-s$side"
  ip -n "$ID-cli$side" addr add "${RELAY_IP[$side]}/15" dev "$ID-c$side"
  for ns in "$ID-srv$side" "$ID-cli$side"; do ip -n "$ns" link set lo up; done
  ip -n "$ID-srv$side" link set "$ID-s$side" up; ip -n "$ID-cli$side" link set "$ID-c$side" up
done

URL="postgresql://postgres@$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$WORK"):$PGPORT/netboot"
cat >"$WORK/netboot.conf" <<CONF
port=0
dhcp-range=$POOL_START,$POOL_END,$NETMASK,12h
dhcp-lease-max=200000
dhcp-lease-db=$URL
no-ping
# The load generator is one flood of new clients: measure throughput, not the flood gate (docs/hostile-input.md).
dhcp-rate-limit=off
CONF
"$NETBOOT" db migrate -C "$WORK/netboot.conf"

wait_port67() {  # $1 = side
  for _ in $(seq 1 200); do
    ip netns exec "$ID-srv$1" ss -uln | grep -q ':67 ' && return 0
    sleep 0.05
  done
  echo "server on side $1 did not bind port 67" >&2; return 1
}

start_netboot() {  # $1 = side
  if [[ -n "$LIMIT" ]]; then
    # The shell joins the cgroup, then execs: NetBoot and every thread it starts are in it from the first instruction.
    cgroup_for "$1" "$LIMIT"
    cgroup_exec "$1" ip netns exec "$ID-srv$1" env NETBOOT_LOG_LEVEL=Warning "$NETBOOT" serve -C "$WORK/netboot.conf" >"$WORK/netboot-$1.log" 2>&1 &
  else
    ip netns exec "$ID-srv$1" env NETBOOT_LOG_LEVEL=Warning "$NETBOOT" serve -C "$WORK/netboot.conf" >"$WORK/netboot-$1.log" 2>&1 &
  fi
  PIDS+=($!)
  SIDE_PID[$1]=$!
  wait_port67 "$1"
}

start_kea() {  # $1 = extra top-level Dhcp4 settings
  cat >"$WORK/kea.json" <<CONF
{ "Dhcp4": { ${1:-}
    "interfaces-config": { "interfaces": [ "$ID-sa" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "postgresql", "name": "kea", "user": "postgres", "host": "$WORK", "port": $PGPORT },
    "valid-lifetime": 43200,
    "subnet4": [ { "id": 1, "subnet": "10.80.0.0/15", "pools": [ { "pool": "$POOL_START - $POOL_END" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "$WORK/kea.log" } ], "severity": "WARN" } ]
} }
CONF
  ip netns exec "$ID-srva" env KEA_LOCKFILE_DIR="$WORK" KEA_PIDFILE_DIR="$WORK" kea-dhcp4 -c "$WORK/kea.json" >"$WORK/kea.out" 2>&1 &
  PIDS+=($!)
  SIDE_PID[a]=$!
  wait_port67 a
}

stop_servers() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  PIDS=()
  SIDE_PID=()
  cgroup_remove_all
}

# An instance's CPU time in µs: exact from its cgroup when it has one, else /proc's (tick-sampled).
instance_cpu_us() {  # $1 = side
  if [[ -n "$LIMIT" ]]; then cgroup_usage_us "$1"; else
    echo $(( $(awk '{ print $14 + $15 }' "/proc/${SIDE_PID[$1]}/stat" 2>/dev/null || echo 0) * 1000000 / TICK ))
  fi
}

# CPU time in ms (user + system) of the servers started for this measurement, and of the PostgreSQL cluster (the
# postmaster, its reaped children and the live backends): the cost per lease does not depend on how busy the machine
# is, unlike DORA/s.
TICK=$(getconf CLK_TCK)
servers_cpu() {
  local total=0
  for pid in "${PIDS[@]}"; do total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0) )); done
  echo $(( total * 1000 / TICK ))
}
pg_cpu() {
  local master total
  master=$(head -1 "$WORK/pg/postmaster.pid")
  total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$master/stat")
  for stat in /proc/[0-9]*/stat; do
    read -r -a f 2>/dev/null <"$stat" || continue
    [[ "${f[3]:-}" == "$master" ]] && total=$(( total + f[13] + f[14] ))
  done
  echo $(( total * 1000 / TICK ))
}

wipe() { psql_ -d netboot -c "TRUNCATE netboot_leases" >/dev/null; psql_ -d kea -c "TRUNCATE lease4" >/dev/null; }

perf() {  # $1 = side, $2 = mac base, $3 = rate
  ip netns exec "$ID-cli$1" perfdhcp -4 -l "$ID-c$1" -b "mac=$2" -r "$3" -R 1000000 -p "$PERIOD" "${SERVER_IP[$1]}" 2>&1 || true
}

# "rate drops(DO) drops(RA) avg(DO) avg(RA)" from perfdhcp's final report.
summarise() {
  awk '
    /^Rate:/ { rate=$2 }
    /Statistics for: DISCOVER-OFFER/ { sec="DO" } /Statistics for: REQUEST-ACK/ { sec="RA" }
    /^drops:/ { drops[sec]=$2 } /^avg delay: [0-9]/ { avg[sec]=$3 }
    END { printf "%s %d %d %s %s\n", rate+0, drops["DO"], drops["RA"], avg["DO"]+0, avg["RA"]+0 }'
}

declare -A BEST BEST_LINE
measure() {  # $1 = name, $2 = how to start, $3 = sides driven
  local name=$1 start=$2 sides=$3 best=0
  echo "== $name"
  for rate in $RATES; do
    wipe
    local pg_before
    pg_before=$(pg_cpu)
    $start
    local total=0 detail="" perfs=() usage=""
    declare -A cpu_before=() throttle_before=()
    for side in $sides; do
      [[ -n "${SIDE_PID[$side]:-}" ]] && cpu_before[$side]=$(instance_cpu_us "$side")
      [[ -n "$LIMIT" && -n "${SIDE_PID[$side]:-}" ]] && throttle_before[$side]=$(throttling "$side")
    done
    local pg_run_before wall_before
    pg_run_before=$(pg_cpu); wall_before=$(date +%s%N)
    for side in $sides; do
      perf "$side" "${MAC_BASE[$side]}" "$rate" >"$WORK/perf-$name-$rate-$side.txt" &
      perfs+=($!)
    done
    wait "${perfs[@]}" || true
    local wall_ms=$(( ($(date +%s%N) - wall_before) / 1000000 ))
    # Each NetBoot instance's CPU during the load, as a share of one CPU (with a quota: ~ the quota when CPU-bound),
    # and how often the quota throttled it; PostgreSQL's the same way (it must not be the bottleneck).
    for side in $sides; do
      [[ -n "${cpu_before[$side]:-}" ]] || continue
      local used_us=$(( $(instance_cpu_us "$side") - cpu_before[$side] ))
      usage="$usage $side $(echo "scale=1; $used_us / (10 * $wall_ms)" | bc -l)% CPU"
      if [[ -n "$LIMIT" ]]; then
        read -r p0 t0 <<<"${throttle_before[$side]}"
        read -r p1 t1 < <(throttling "$side")
        # Over the periods in which it had work (perfdhcp starts and stops inside the wall time), a CPU-bound
        # instance uses its whole quota and is throttled in nearly every period.
        local periods=$(( p1 - p0 > 0 ? p1 - p0 : 1 ))
        usage="$usage (quota $LIMIT%: $(echo "scale=1; $used_us * 100 / ($periods * $CGROUP_PERIOD_US)" | bc -l)% over its $periods busy periods of 20 ms, throttled in $(( (t1 - t0) * 100 / periods ))% of them)"
      fi
      usage="$usage,"
    done
    usage="$usage PostgreSQL $(( ($(pg_cpu) - pg_run_before) * 100 / wall_ms ))% CPU"
    for side in $sides; do
      read -r r ddo dra ado ara < <(summarise <"$WORK/perf-$name-$rate-$side.txt")
      total=$(echo "$total + $r" | bc -l)
      detail="$detail [$side: $(printf '%.0f' "$r")/s drops $ddo+$dra avg ${ado}+${ara} ms]"
    done
    local stored
    stored=$(if [[ $name == kea* ]]; then psql_ -d kea -c "SELECT count(*) FROM lease4 WHERE state = 0"; else psql_ -d netboot -c "SELECT count(*) FROM netboot_leases WHERE state = 1"; fi)
    local server_ms pg_ms
    server_ms=$(servers_cpu); pg_ms=$(( $(pg_cpu) - pg_before ))
    stop_servers
    local conflicts=0
    [[ $name == netboot* ]] && conflicts=$(cat "$WORK"/netboot-*.log | grep -c "lease conflict" || true)
    [[ -n "${KEEP:-}" ]] && for f in "$WORK"/netboot-*.log; do mv "$f" "${f%.log}-$name-$rate.keep"; done; rm -f "$WORK"/netboot-*.log
    printf "   offered %5d/s per relay: %8.0f DORA/s%s; leases in the table: %s; conflicts (no ACK): %s; CPU per 1000 leases: server %s ms, PostgreSQL %s ms; during the load:%s\n" \
      "$rate" "$total" "$detail" "$stored" "$conflicts" "$(( stored > 0 ? server_ms * 1000 / stored : 0 ))" "$(( stored > 0 ? pg_ms * 1000 / stored : 0 ))" "$usage"
    if [[ $(echo "$total > $best" | bc -l) == 1 ]]; then best=$total; BEST_LINE[$name]="offered $rate/s per relay"; fi
  done
  BEST[$name]=$best
}

start_one() { start_netboot a; }
start_two() { start_netboot a; start_netboot b; }

UNLIMITED_NAMES=()
if [[ "${BENCH_UNLIMITED:-1}" != 0 ]]; then
  measure netboot-1 start_one "a"
  measure netboot-2 start_two "a b"
  UNLIMITED_NAMES=(netboot-1 netboot-2)
fi
QUOTA_NAMES=()
if [[ -n "$INSTANCE_CPU" ]]; then
  LIMIT=${INSTANCE_CPU%\%}
  measure "netboot-1-cpu$LIMIT" start_one "a"
  measure "netboot-2-cpu$LIMIT" start_two "a b"
  QUOTA_NAMES=("netboot-1-cpu$LIMIT" "netboot-2-cpu$LIMIT")
  LIMIT=""
fi
KEA_NAMES=()
if [[ "${BENCH_KEA:-1}" != 0 ]]; then
  measure kea-pgsql start_kea "a"
  # Kea's default (2.2) is one thread, one transaction per lease; with multi-threading several leases commit at once.
  start_kea_mt() { start_kea '"multi-threading": { "enable-multi-threading": true, "thread-pool-size": 8, "packet-queue-size": 256 },'; }
  measure kea-pgsql-mt start_kea_mt "a"
  KEA_NAMES=(kea-pgsql kea-pgsql-mt)
fi

ratio() { if [[ "${2%.*}" =~ ^0*$ ]]; then echo "n/a"; else echo "scale=2; $1 / $2" | bc -l; fi; }
echo
printf "%-16s %10s   %s\n" server "DORA/s" "(best of the offered rates)"
for name in "${UNLIMITED_NAMES[@]}" "${QUOTA_NAMES[@]}" "${KEA_NAMES[@]}"; do printf "%-16s %10.0f   %s\n" "$name" "${BEST[$name]}" "${BEST_LINE[$name]:-}"; done
echo
echo "targets (issue 6):"
if [[ ${#KEA_NAMES[@]} -gt 0 && ${#UNLIMITED_NAMES[@]} -gt 0 ]]; then
  best_kea=$(printf '%s\n' "${BEST[kea-pgsql]}" "${BEST[kea-pgsql-mt]}" | sort -g | tail -1)
  echo "  NetBoot 1 instance / Kea PostgreSQL = $(ratio "${BEST[netboot-1]}" "$best_kea")   (target >= 1.00; Kea's better of single- and multi-threaded)"
fi
if [[ ${#UNLIMITED_NAMES[@]} -gt 0 ]]; then
  echo "  NetBoot 2 instances / 1 instance, unlimited (all share this machine's $(nproc) CPUs) = $(ratio "${BEST[netboot-2]}" "${BEST[netboot-1]}")   (target >= 1.50)"
fi
if [[ ${#QUOTA_NAMES[@]} -gt 0 ]]; then
  echo "  NetBoot 2 instances / 1 instance, each instance capped at $INSTANCE_CPU of a CPU (separate machines emulated) = $(ratio "${BEST[${QUOTA_NAMES[1]}]}" "${BEST[${QUOTA_NAMES[0]}]}")   (target >= 1.50)"
fi
echo "$PERIOD s per measurement, nothing pinned: PostgreSQL, the servers and perfdhcp share $(nproc) CPUs;"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)"
