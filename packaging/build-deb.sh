#!/usr/bin/env bash
# Builds netboot_<version>_amd64.deb: the netboot executable (NativeAOT), the systemd unit, /etc/netboot/netboot.conf
# (reads /etc/netboot/conf.d), the man pages netboot(8) and netboot.conf(5), and the maintainer scripts (system user
# netboot, unit enabled and started where systemd runs, purge removes the user and /var/lib/netboot).
#
#   packaging/build-deb.sh [--publish-dir DIR] [--lintian] [OUTPUT_DIR]      (OUTPUT_DIR default: artifacts/)
#
#   --publish-dir DIR  reuse a NativeAOT build in DIR (netboot and libe_sqlite3.so) instead of building one, or
#                      build into DIR when it holds no netboot yet (a build takes minutes; tests pass one in)
#   --lintian          run lintian on the package and fail on any error (warnings are printed)
#
# The version is Directory.Build.props's <Version>, the one source of netboot --version and the start-up log line;
# packaging/debian/changelog's top entry must name it. NativeAOT needs clang (Debian 12: clang-14) and zlib1g-dev.
# Prints the path of the package on its last line.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
publish_dir=""
run_lintian=false
out="$root/artifacts"
while [ $# -gt 0 ]; do
  case "$1" in
    --publish-dir) publish_dir="$2"; shift 2 ;;
    --lintian) run_lintian=true; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "build-deb: unknown option $1" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done

version="$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' "$root/Directory.Build.props" | head -1)"
if [ -z "$version" ]; then
  echo "build-deb: no <Version> in Directory.Build.props" >&2; exit 1
fi
changelog_version="$(sed -n '1s/^netboot (\([^)]*\)).*/\1/p' "$root/packaging/debian/changelog")"
if [ "$changelog_version" != "$version" ]; then
  echo "build-deb: packaging/debian/changelog's top entry is $changelog_version, Directory.Build.props says $version:" >&2
  echo "build-deb: add a changelog entry for $version" >&2
  exit 1
fi

# Debian ships clang as clang-<N> (the clang package only adds the unversioned name): find one.
find_clang() {
  if command -v clang >/dev/null; then echo clang; return 0; fi
  local candidate
  candidate="$(ls /usr/bin/clang-[0-9]* 2>/dev/null | grep -E '/clang-[0-9]+$' | sort -t- -k2 -n | tail -1)"
  [ -n "$candidate" ] && basename "$candidate"
}

publish() {
  local target="$1" clang
  if ! clang="$(find_clang)"; then
    echo "build-deb: NativeAOT needs clang and zlib1g-dev: apt-get install --no-install-recommends clang zlib1g-dev" >&2
    exit 1
  fi
  echo "build-deb: NativeAOT build with $clang into $target" >&2
  dotnet publish "$root/src/NetBoot.Cli" -c Release -r linux-x64 --nologo -o "$target" \
    -p:PublishAot=true -p:CppCompilerAndLinker="$clang" -p:StripSymbols=true >&2
}

stage=""
temporary_publish=""
trap 'rm -rf "$stage" $temporary_publish' EXIT
if [ -z "$publish_dir" ]; then
  publish_dir="$(mktemp -d)"
  temporary_publish="$publish_dir"
fi
if [ ! -x "$publish_dir/netboot" ]; then
  publish "$publish_dir"
fi
built_version="$("$publish_dir/netboot" --version)"
if [ "$built_version" != "$version" ]; then
  echo "build-deb: $publish_dir/netboot is version $built_version, the sources say $version: rebuild it" >&2
  exit 1
fi
if ! file -b "$publish_dir/netboot" | grep -q '^ELF'; then
  echo "build-deb: $publish_dir/netboot is not a native executable (not a NativeAOT build)" >&2
  exit 1
fi

stage="$(mktemp -d)"
chmod 755 "$stage"
install -d -m 755 "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/lib/netboot" "$stage/lib/systemd/system" \
  "$stage/etc/netboot/conf.d" "$stage/usr/share/doc/netboot" "$stage/usr/share/man/man8" "$stage/usr/share/man/man5"
install -m 755 "$publish_dir/netboot" "$stage/usr/lib/netboot/netboot"
# NativeAOT strips the symbols into netboot.dbg but keeps the compilers' .comment notes.
objcopy --remove-section=.comment "$stage/usr/lib/netboot/netboot"
# SQLite (SQLitePCLRaw's build) is loaded from beside the executable; strip it as dh_strip would.
install -m 644 "$publish_dir/libe_sqlite3.so" "$stage/usr/lib/netboot/libe_sqlite3.so"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/lib/netboot/libe_sqlite3.so"
ln -s ../lib/netboot/netboot "$stage/usr/bin/netboot"
install -m 644 "$root/packaging/netboot.service" "$stage/lib/systemd/system/netboot.service"
install -m 644 "$root/packaging/netboot.conf" "$stage/etc/netboot/netboot.conf"
for page in netboot.8:man8 netboot.conf.5:man5; do
  name="${page%%:*}"; section="${page##*:}"
  sed "s/@VERSION@/$version/g" "$root/packaging/man/$name" | gzip -9n > "$stage/usr/share/man/$section/$name.gz"
done
install -m 644 "$root/packaging/debian/copyright" "$stage/usr/share/doc/netboot/copyright"
# A native package (no Debian revision): its changelog is changelog.gz.
gzip -9n < "$root/packaging/debian/changelog" > "$stage/usr/share/doc/netboot/changelog.gz"
gzip -9n < "$root/README.md" > "$stage/usr/share/doc/netboot/README.md.gz"
install -m 755 "$root/packaging/debian/postinst" "$root/packaging/debian/prerm" "$root/packaging/debian/postrm" "$stage/DEBIAN/"
install -m 644 "$root/packaging/debian/conffiles" "$stage/DEBIAN/conffiles"
find "$stage" -exec touch -h -d "@$(stat -c %Y "$root/packaging/debian/changelog")" {} +

# Shared-library dependencies as dpkg-shlibdeps computes them (it wants a debian/control to read).
shlibs="$(mktemp -d)"
mkdir "$shlibs/debian"
printf 'Source: netboot\n\nPackage: netboot\nArchitecture: amd64\n' > "$shlibs/debian/control"
depends="$(cd "$shlibs" && dpkg-shlibdeps -O "$stage/usr/lib/netboot/netboot" "$stage/usr/lib/netboot/libe_sqlite3.so" 2>/dev/null \
  | sed -n 's/^shlibs:Depends=//p')"
rm -rf "$shlibs"
installed_size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: netboot
Version: $version
Architecture: amd64
Maintainer: NetBoot developers <netboot@users.noreply.github.com>
Installed-Size: $installed_size
Depends: $depends, adduser
Recommends: libssl3
Suggests: pxelinux, syslinux-common, ipxe, shim-signed, grub-efi-amd64-signed
Section: net
Priority: optional
Description: network-boot server: proxyDHCP, DHCP, PXE boot server, TFTP, HTTP
 NetBoot answers PXE firmware (BIOS, x86-64 and ARM64 UEFI, iPXE, UEFI HTTP
 Boot) as a proxyDHCP server next to an existing DHCP server, or leases
 addresses itself, serves the PXE boot server on port 4011 and boot files by
 TFTP and HTTP. It reads dnsmasq's configuration syntax, so an existing
 /etc/dnsmasq.d/ltsp.conf works unchanged.
 .
 "netboot bootfiles DIR" fills a boot root from Debian's PXELINUX, shim, GRUB
 and iPXE packages and prints the configuration that serves it.
CONTROL
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

mkdir -p "$out"
package="$out/netboot_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$package" >&2
if $run_lintian; then
  # Errors fail the build; warnings and informational tags are printed for the record.
  lintian --no-tag-display-limit --display-info "$package" >&2 || { echo "build-deb: lintian reported errors" >&2; exit 1; }
fi
echo "$package"
