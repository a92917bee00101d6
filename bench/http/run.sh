#!/usr/bin/env bash
# HTTP versus TFTP from NetBoot for a big initrd, side by side in ONE run, on one pair of network namespaces
# joined by a veth (server 10.80.0.2, clients 10.80.0.1): the case iPXE and UEFI HTTP Boot solve by moving
# large files from TFTP to HTTP. Needs root, curl, and the .NET SDK (or NETBOOT_PUBLISH_DIR).
#
#   bench/http/run.sh                           256 MiB file; 1 client, then 50 clients at once
#   FILE_MB=64 CLIENTS=20 bench/http/run.sh     quicker
#
# Each client is curl (tftp:// with --tftp-blksize 1468, lock-step as firmware does; http:// over one TCP
# connection). Every download is checked for its size; a short or failed one counts as a failure.
# Prints wall times, aggregate MB/s and the HTTP/TFTP speed ratio. Removes its namespaces and processes on exit.
set -euo pipefail

FILE_MB=${FILE_MB:-256}
CLIENTS=${CLIENTS:-50}
BLKSIZE=${BLKSIZE:-1468}
root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ "$(id -u)" -eq 0 ] || { echo "bench/http/run.sh: needs root (network namespaces)" >&2; exit 2; }

tag="nbh$$"; srv="$tag-srv"; cli="$tag-cli"
work="$(mktemp -d /tmp/netboot-http-bench-XXXXXX)"; chmod 755 "$work"
root="$work/root"; server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  ip netns delete "$srv" 2>/dev/null || true
  ip netns delete "$cli" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${NETBOOT_PUBLISH_DIR:-}" ]; then netboot_dir="$NETBOOT_PUBLISH_DIR"; else
  netboot_dir="$root_dir/artifacts/bench-netboot"
  dotnet publish "$root_dir/src/NetBoot.Cli" -c Release -o "$netboot_dir" --nologo -v quiet >&2
fi

source "$root_dir/bench/lib/netns.sh"
bench_veth_pair "$srv" "$cli" 10.80.0
mkdir -p "$root"
head -c "$((FILE_MB * 1024 * 1024))" /dev/urandom > "$root/initrd.img"; chmod 644 "$root/initrd.img"
bytes=$((FILE_MB * 1024 * 1024))

printf 'interface=sv0\nbind-interfaces\nenable-tftp\ntftp-root=%s\ntftp-max=%d\nquiet-tftp\nhttp-root=%s\nhttp-port=8080\n' \
  "$root" "$((CLIENTS + 10))" "$root" > "$work/netboot.conf"
ip netns exec "$srv" "$netboot_dir/netboot" serve -C "$work/netboot.conf" > "$work/netboot.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if ip netns exec "$srv" ss -Hltn 'sport = :8080' | grep -q . && ip netns exec "$srv" ss -Hlun 'sport = :69' | grep -q .; then break; fi
  sleep 0.1
done

# Runs N curl clients at once against URL; prints "seconds failures".
fetch() {
  local url="$1" n="$2" start end fails=0 pids=()
  start=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    ip netns exec "$cli" curl -s --max-time 600 --tftp-blksize "$BLKSIZE" -o /dev/null -w '%{size_download}\n' "$url" > "$work/size.$i" 2>/dev/null &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  end=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    [ "$(cat "$work/size.$i" 2>/dev/null)" = "$bytes" ] || fails=$((fails + 1))
    rm -f "$work/size.$i"
  done
  echo "$(echo "$end - $start" | bc) $fails"
}

declare -A seconds failures
for clients in 1 "$CLIENTS"; do
  for proto in tftp http; do
    case "$proto" in
      tftp) url="tftp://10.80.0.2/initrd.img" ;;
      http) url="http://10.80.0.2:8080/initrd.img" ;;
    esac
    read -r s f < <(fetch "$url" "$clients")
    seconds[$proto.$clients]=$s; failures[$proto.$clients]=$f
    printf '%-5s %3d client(s) x %d MiB: %7.2f s, %6.1f MB/s aggregate, %d failed\n' \
      "$proto" "$clients" "$FILE_MB" "$s" "$(echo "$clients * $bytes / $s / 1000000" | bc -l)" "$f"
  done
done

echo
for clients in 1 "$CLIENTS"; do
  printf 'HTTP is %.1fx as fast as TFTP with %d client(s)\n' \
    "$(echo "${seconds[tftp.$clients]} / ${seconds[http.$clients]}" | bc -l)" "$clients"
done
