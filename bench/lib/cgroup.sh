# CPU quotas for benchmark servers (sourced by bench/dhcp/run.sh and bench/dhcp-pg/run.sh).
# A server in a cgroup capped at a share of one CPU is the bottleneck of a measurement, not the load generator
# or the box's core count. cgroup v2 (cpu.max) when mounted, else v1's cpu controller plus a cgroup in v1's cpuacct
# hierarchy (for an exact CPU time: /proc's tick-sampled one aliases with a short quota period).
# The caller sets CGROUP_PREFIX (unique per run) and calls cgroup_remove_all on exit.

CGROUPS=()
# A 20 ms period (not the default 100 ms): the server runs in short slices, as on a slower machine, rather than in
# bursts followed by tens of ms of nothing, which would add latency no real machine has.
CGROUP_PERIOD_US=20000

cgroup_v2() { [[ -f /sys/fs/cgroup/cgroup.controllers ]]; }
cgroup_dir() { if cgroup_v2; then echo "/sys/fs/cgroup/$CGROUP_PREFIX-$1"; else echo "/sys/fs/cgroup/cpu/$CGROUP_PREFIX-$1"; fi; }
acct_dir() { if cgroup_v2; then echo "/sys/fs/cgroup/$CGROUP_PREFIX-$1"; else echo "/sys/fs/cgroup/cpuacct/$CGROUP_PREFIX-$1"; fi; }

# CPU time used by the cgroup NAME so far, in µs.
cgroup_usage_us() {
  if cgroup_v2; then awk '/^usage_usec/ { print $2 }' "$(acct_dir "$1")/cpu.stat"
  else echo $(( $(cat "$(acct_dir "$1")/cpuacct.usage") / 1000 )); fi
}

cgroup_for() {  # $1 = name, $2 = percent of one CPU
  local quota=$(( $2 * CGROUP_PERIOD_US / 100 )) dir acct
  dir=$(cgroup_dir "$1"); acct=$(acct_dir "$1")
  if cgroup_v2; then
    grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
    mkdir -p "$dir"; echo "$quota $CGROUP_PERIOD_US" >"$dir/cpu.max"
    CGROUPS+=("$dir")
  elif [[ -d /sys/fs/cgroup/cpu && -d /sys/fs/cgroup/cpuacct ]]; then
    mkdir -p "$dir" "$acct"; echo "$CGROUP_PERIOD_US" >"$dir/cpu.cfs_period_us"; echo "$quota" >"$dir/cpu.cfs_quota_us"
    CGROUPS+=("$dir" "$acct")
  else
    echo "no cgroup cpu controller for a CPU quota" >&2; return 1
  fi
}

# Runs a command inside the cgroup NAME: the shell joins it, then execs, so the server and every thread it starts
# are in it from the first instruction. It replaces the calling (sub)shell, so call it in the background
# (`cgroup_exec NAME command args... &`): $! is then the server's own pid. Create the cgroup first (cgroup_for), in
# the parent shell, so that cgroup_remove_all knows it.
cgroup_exec() {
  local name=$1; shift
  exec sh -c 'echo $$ >"$1/cgroup.procs"; echo $$ >"$2/cgroup.procs"; shift 2; exec "$@"' sh "$(cgroup_dir "$name")" "$(acct_dir "$name")" "$@"
}

# "nr_periods nr_throttled" of the cgroup NAME (both versions name them so in cpu.stat): periods in which it wanted
# the CPU, and those in which it used up its quota.
throttling() { awk '/^nr_periods/ { p=$2 } /^nr_throttled/ { t=$2 } END { print p+0, t+0 }' "$(cgroup_dir "$1")/cpu.stat"; }

cgroup_remove_all() {
  # A cgroup can be removed once its last task is gone, which may lag the reaping of the process by a moment.
  for dir in "${CGROUPS[@]}"; do
    for _ in $(seq 1 50); do rmdir "$dir" 2>/dev/null && break; [[ -d "$dir" ]] || break; sleep 0.1; done
    [[ -d "$dir" ]] && echo "could not remove the cgroup $dir" >&2
  done
  CGROUPS=()
}
