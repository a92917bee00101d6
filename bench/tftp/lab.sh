# The namespace pair and files both TFTP benchmarks use (sourced by bench/tftp/run.sh and bench/tftp/cpu.sh):
# server namespace $srv (sv0, 10.79.0.2/24) and client namespace $cli (cl0, 10.79.0.1/24) joined by a veth pair, and
# in $tftproot a big.bin of $1 MiB and a storm.bin of $2 MiB of random bytes. The caller deletes the namespaces.
tftp_lab_setup() {  # $1 = big file MiB, $2 = storm file MiB
  ip netns add "$srv"; ip netns add "$cli"
  ip -n "$srv" link set lo up; ip -n "$cli" link set lo up
  ip link add sv0 netns "$srv" type veth peer name cl0 netns "$cli"
  ip -n "$srv" addr add 10.79.0.2/24 dev sv0; ip -n "$cli" addr add 10.79.0.1/24 dev cl0
  ip -n "$srv" link set sv0 up; ip -n "$cli" link set cl0 up
  mkdir -p "$tftproot"
  head -c "$(($1 * 1024 * 1024))" /dev/urandom > "$tftproot/big.bin"
  head -c "$(($2 * 1024 * 1024))" /dev/urandom > "$tftproot/storm.bin"
  chmod 644 "$tftproot"/*.bin
}
