#!/usr/bin/env bash
# Manual twin of tests/NetBoot.Interop.Tests, for poking at firmware by hand (as root): a router namespace
# (dnsmasq: DHCP range + IPv6 RAs), a server namespace (dnsmasq proxy or netboot on the adapted ltsp.conf)
# and a QEMU BIOS/iPXE client on a bridge, all in throw-away namespaces torn down on exit; logs are kept.
#   scripts/lab/pxe-lab.sh [dnsmasq|<path to netboot>] [local]
#   local: press F8 and pick "Boot from local hard disk".   QEMU_TIMEOUT=<s> bounds the VM (default 60).
set -euo pipefail
server="${1:-dnsmasq}"; keys="${2:-}"
id="nbl$$"; work="$(mktemp -d /tmp/netboot-lab.XXXXXX)"; chmod 755 "$work"
lan="$id-lan"; rt="$id-rt"; srv="$id-srv"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for n in "$lan" "$rt" "$srv"; do ip netns del "$n" 2>/dev/null || true; done
  echo "logs kept in $work"
}
trap cleanup EXIT
for n in "$lan" "$rt" "$srv"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip -n "$lan" link add br0 type bridge stp_state 0 forward_delay 0
ip -n "$lan" link set br0 up
ip -n "$lan" tuntap add dev tap0 mode tap
ip -n "$lan" link set tap0 master br0 up
for pair in "rt:$rt" "sv:$srv"; do
  short="${pair%%:*}"; ns="${pair#*:}"
  ip -n "$lan" link add "${short}b" type veth peer name "${short}0" netns "$ns"
  ip -n "$lan" link set "${short}b" master br0 up
  ip -n "$ns" link set "${short}0" up
done
ip -n "$rt" addr add 10.77.0.1/24 dev rt0
ip -n "$rt" addr add fd77::1/64 dev rt0
ip -n "$srv" addr add 10.77.0.2/24 dev sv0

# tftp root
root="$work/tftp"; mkdir -p "$root/ltsp/i386/pxelinux.cfg"
cp /usr/lib/PXELINUX/pxelinux.0 /usr/lib/syslinux/modules/bios/ldlinux.c32 "$root/ltsp/i386/"
cat > "$root/ltsp/i386/pxelinux.cfg/default" <<CFG
SERIAL 0 115200
SAY NETBOOT-LAB-MARKER-$id
DEFAULT local
PROMPT 0
TIMEOUT 1
LABEL local
  LOCALBOOT 0
CFG
sed -e "s|^dhcp-range=192.168.1.0,proxy|dhcp-range=10.77.0.0,proxy|" \
    -e "s|^# enable-tftp|enable-tftp|" -e "s|^tftp-root=.*|tftp-root=$root|" \
    "$(dirname "$0")/../../testdata/examples/ltsp.conf" > "$work/ltsp.conf"

ip netns exec "$rt" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --user=root \
  --pid-file="$work/router.pid" --dhcp-leasefile="$work/router.leases" --log-facility=- --log-dhcp \
  --interface=rt0 --bind-interfaces --dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h \
  --enable-ra --dhcp-range=fd77::,ra-only --no-ping >"$work/router.log" 2>&1 &
pids+=($!)
if [ "$server" = dnsmasq ]; then
  ip netns exec "$srv" dnsmasq --no-daemon --conf-file="$work/ltsp.conf" --user=root \
    --pid-file="$work/server.pid" --dhcp-leasefile="$work/server.leases" --log-facility=- >"$work/server.log" 2>&1 &
else
  ip netns exec "$srv" "$server" serve -C "$work/ltsp.conf" >"$work/server.log" 2>&1 &
fi
pids+=($!)
sleep 1
# SeaBIOS reads etc/sercon-port as a little-endian integer: 0x3f8 = COM1.
printf '\xf8\x03' > "$work/sercon-port"
start=$(date +%s)
ip netns exec "$lan" timeout ${QEMU_TIMEOUT:-60} qemu-system-x86_64 -machine pc,accel=tcg -m 256 -nodefaults \
  -display none -vga none -serial "file:$work/serial.log" -monitor "unix:$work/mon.sock,server,nowait" \
  -fw_cfg name=etc/sercon-port,file="$work/sercon-port" -boot n \
  -netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device e1000,netdev=n0,mac=52:54:00:77:00:10 \
  >"$work/qemu.log" 2>&1 &
qpid=$!; pids+=($qpid)
if [ "$keys" = local ]; then
  until grep -q "F8" "$work/serial.log" 2>/dev/null; do sleep 0.2; done
  python3 "$(dirname "$0")/qemu-sendkeys.py" "$work/mon.sock" f8
  sleep 2
  python3 "$(dirname "$0")/qemu-sendkeys.py" "$work/mon.sock" down ret
fi
wait $qpid || true
echo "qemu ran $(( $(date +%s) - start )) s; serial console: $work/serial.log"
