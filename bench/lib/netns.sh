# The namespace pair the TFTP and HTTP benchmarks run in (sourced): namespaces $1 (server, sv0, $3.2/24) and
# $2 (clients, cl0, $3.1/24) joined by a veth pair, loopback up in both. The caller deletes the namespaces.
bench_veth_pair() {  # $1 = server namespace, $2 = client namespace, $3 = first three octets, e.g. 10.79.0
  ip netns add "$1"; ip netns add "$2"
  ip -n "$1" link set lo up; ip -n "$2" link set lo up
  ip link add sv0 netns "$1" type veth peer name cl0 netns "$2"
  ip -n "$1" addr add "$3.2/24" dev sv0; ip -n "$2" addr add "$3.1/24" dev cl0
  ip -n "$1" link set sv0 up; ip -n "$2" link set cl0 up
}
