#!/usr/bin/env bash
# The cached root filesystem of `make system-test`: bookworm arm64 with systemd and the daemon's
# runtime libraries (root.tar), and the .debs of Debian's arm64 kernel and of a static busybox
# (debs/), which boot-pieces.sh unpacks: installing linux-image-arm64 under qemu-user would
# spend ~23 min in mkinitramfs.
# Usage: base-root.sh CACHE_DIR. Writes CACHE_DIR/root.tar and CACHE_DIR/debs/.
set -euo pipefail
cache=$1
mirror=${CB_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${CB_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
mkdir -p "$cache"
work=$(mktemp -d "$cache/tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The daemon's runtime libraries are installed here so that `apt install ./calendarbot.deb`
# at every run only unpacks (it still resolves them, as on a Pi). systemd-networkd gives the
# VM its user-mode address by DHCP.
include=ca-certificates,systemd,systemd-sysv,udev,kmod,procps
include+=,libical3,libcairo2,libpango-1.0-0,libpangocairo-1.0-0,libpangoft2-1.0-0
include+=,libgpiod2,libfmt9,libtomlplusplus3,libcurl4,fonts-dejavu-core,libglib2.0-0
nice -n 5 mmdebstrap --mode=root --variant=apt --architectures=arm64 \
  --include="$include" --skip=cleanup/apt/lists \
  --customize-hook='mkdir -p "$1/tmp/boot-debs" && chroot "$1" sh -ec "cd /tmp/boot-debs;
      apt-get -o APT::Sandbox::User=root download busybox-static \
        \$(apt-cache depends linux-image-arm64 | sed -n \"s/.*Depends: \(linux-image-[0-9].*\)/\1/p\")"' \
  --customize-hook="copy-out /tmp/boot-debs $work" \
  --customize-hook='rm -rf "$1/tmp/boot-debs"' \
  bookworm "$work/root.tar" \
  "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
  "deb $security bookworm-security main"

rm -rf "$cache/debs"
mv "$work/boot-debs" "$cache/debs"
mv "$work/root.tar" "$cache/root.tar"
