#!/usr/bin/env bash
# Builds netboot_<version>_amd64.deb: the netboot executable (NativeAOT when clang is installed, else a
# self-contained single file), the systemd unit and a default configuration reading /etc/netboot/conf.d.
#   packaging/build-deb.sh [OUTPUT_DIR]        (default: artifacts/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/artifacts}"
version="${NETBOOT_VERSION:-0.1.0}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

publish=("$root/src/NetBoot.Cli" -c Release -r linux-x64 --nologo -o "$stage/usr/lib/netboot")
if command -v clang >/dev/null; then
  dotnet publish "${publish[@]}" -p:PublishAot=true -p:DebugType=none
else
  echo "build-deb: clang not installed; building a self-contained single file instead of NativeAOT" >&2
  dotnet publish "${publish[@]}" --self-contained -p:PublishSingleFile=true -p:DebugType=none
fi
rm -f "$stage"/usr/lib/netboot/*.pdb "$stage"/usr/lib/netboot/*.dbg
chmod 755 "$stage"
mkdir -p "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/netboot/conf.d" "$stage/usr/share/doc/netboot" "$stage/DEBIAN"
ln -s ../lib/netboot/netboot "$stage/usr/bin/netboot"
install -m 644 "$root/packaging/netboot.service" "$stage/lib/systemd/system/netboot.service"
install -m 644 "$root/packaging/netboot.conf" "$stage/etc/netboot/netboot.conf"
install -m 644 "$root/README.md" "$stage/usr/share/doc/netboot/README.md"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: netboot
Version: $version
Architecture: amd64
Maintainer: NetBoot developers <netboot@localhost>
Depends: libc6, zlib1g
Section: net
Priority: optional
Description: network-boot server: proxyDHCP, PXE boot server and TFTP
 NetBoot answers PXE firmware as a proxyDHCP server next to an existing DHCP
 server, serves PXE boot menus on port 4011 and boot files by TFTP, and reads
 dnsmasq's configuration syntax (an existing /etc/dnsmasq.d/ltsp.conf works).
CONTROL
echo "/etc/netboot/netboot.conf" > "$stage/DEBIAN/conffiles"
cat > "$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ] && ! getent passwd netboot >/dev/null; then
  adduser --system --group --home /var/lib/netboot --no-create-home netboot >/dev/null
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null || true
fi
POSTINST
chmod 755 "$stage/DEBIAN/postinst"
mkdir -p "$out"
dpkg-deb --root-owner-group --build "$stage" "$out/netboot_${version}_amd64.deb"
