#!/usr/bin/env bash
# The disk of `make system-test` for one package: the cached root filesystem, the kernel's
# modules, the package under test installed with `apt install ./….deb` (its dependencies resolve
# as on a Pi) and the in-VM agent (overlay/). run.py caches it per package and script (it takes a
# minute and more under qemu-user) and writes each run's config into a copy (set-config.sh).
# Usage: make-disk.sh CACHE_DIR PACKAGE.deb DISK.img
set -euo pipefail
cache=$1 deb=$2 disk=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d "$(dirname "$disk")/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
tar -C "$root" -xf "$cache/root.tar"
tar -C "$root" --keep-directory-symlink -xf "$cache/modules.tar"  # /lib is /usr/lib
cp /etc/resolv.conf "$root/etc/resolv.conf"  # only used when a dependency is not cached
cp "$deb" "$root/tmp/"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "/tmp/$(basename "$deb")" | sed -n 's/^\(Setting up\|Unpacking\|The following NEW\|E:\)/apt: &/p'
rm "$root/tmp/$(basename "$deb")"
cp -r "$here/overlay/." "$root/"
chmod 755 "$root/usr/local/sbin/cb-agent"
echo calendarbot-vm > "$root/etc/hostname"
mkdir -p "$root/var/log/journal"  # the journal of every boot is kept (reboot assertions)
for unit in systemd-networkd.service cb-agent.service; do
  ln -sf "/usr/lib/systemd/system/$unit" "$root/etc/systemd/system/multi-user.target.wants/$unit"
done
chroot "$root" systemctl is-enabled calendarbot.service | sed 's/^/package: calendarbot.service /'
rm -f "$disk"
mkfs.ext4 -q -L root -d "$root" "$disk" 2G
