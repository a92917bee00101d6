# The namespace pair and files both TFTP benchmarks use (sourced by bench/tftp/run.sh and bench/tftp/cpu.sh):
# server namespace $srv (sv0, 10.79.0.2/24) and client namespace $cli (cl0, 10.79.0.1/24) joined by a veth pair, and
# in $tftproot a big.bin of $1 MiB and a storm.bin of $2 MiB of random bytes. The caller deletes the namespaces.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/netns.sh"

# Pinning, for a fair comparison: the server runs on SERVER_CPUS (default 0) and every client on CLIENT_CPUS (default
# 1), with taskset, so that no server can win by having its client scheduled on its own CPU (a polling server that
# yields hands that CPU straight to the client). PIN=0: no pinning (the scheduler places everything).
# BENCH_NICE=-10: server and clients alike run at that nice value, so that other work on a shared machine weighs less
# on the figures (needs root; 0 by default).
if [ "${PIN:-1}" = 1 ]; then
  pin_server=(taskset -c "${SERVER_CPUS:-0}"); pin_client=(taskset -c "${CLIENT_CPUS:-1}")
else
  pin_server=(env); pin_client=(env)
fi
if [ "${BENCH_NICE:-0}" != 0 ]; then
  pin_server=(nice -n "$BENCH_NICE" "${pin_server[@]}"); pin_client=(nice -n "$BENCH_NICE" "${pin_client[@]}")
fi

tftp_lab_setup() {  # $1 = big file MiB, $2 = storm file MiB
  bench_veth_pair "$srv" "$cli" 10.79.0
  mkdir -p "$tftproot"
  head -c "$(($1 * 1024 * 1024))" /dev/urandom > "$tftproot/big.bin"
  head -c "$(($2 * 1024 * 1024))" /dev/urandom > "$tftproot/storm.bin"
  chmod 644 "$tftproot"/*.bin
}
