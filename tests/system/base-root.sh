#!/usr/bin/env bash
# The cached part of `make system-test`: a bookworm arm64 root filesystem with systemd and the
# daemon's runtime libraries (tar), Debian's arm64 kernel (vmlinuz + modules, unpacked from the
# .deb with dpkg-deb -x: installing linux-image-arm64 under qemu-user spends ~23 min in
# mkinitramfs) and a small initramfs of our own (static busybox + the virtio/ext4 modules).
# Usage: base-root.sh CACHE_DIR. Writes CACHE_DIR/{root.tar,vmlinuz,initrd.img,modules.tar}.
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

# Kernel: vmlinuz and the modules tree, without running any maintainer script.
dpkg-deb -x "$work"/boot-debs/linux-image-*.deb "$work/kernel"
version=$(ls "$work/kernel/lib/modules")
cp "$work/kernel/boot/vmlinuz-$version" "$work/vmlinuz"
tar -C "$work/kernel" -cf "$work/modules.tar" lib/modules

# Initramfs: busybox, the modules that bring up /dev/vda as ext4 (in modules.dep order) and an
# /init that loads them, mounts the root and hands over to systemd.
dpkg-deb -x "$work"/boot-debs/busybox-static_*.deb "$work/bb"
ird=$work/initramfs
mkdir -p "$ird"/{bin,dev,proc,sys,newroot,lib/modules}
cp "$work/bb/bin/busybox" "$ird/bin/busybox"
for applet in sh mount umount insmod switch_root mkdir sleep cat echo; do
  ln -s busybox "$ird/bin/$applet"
done
moddir=$work/kernel/lib/modules/$version
wanted="virtio_mmio virtio_pci virtio_blk ext4"
order=$(for m in $wanted; do
  # modules.dep: "path: dep1 dep2 ..." with deps listed nearest first; load them in reverse.
  line=$(grep -E "/$m\.ko(\.xz)?:" "$moddir/modules.dep")
  deps=${line#*:}
  for d in $(echo $deps | tr ' ' '\n' | tac); do echo "$d"; done
  echo "${line%%:*}"
done | awk '!seen[$0]++')
: > "$ird/modules.order"
for path in $order; do
  base=$(basename "$path")
  case $base in
    *.xz) xz -dc "$moddir/$path" > "$ird/lib/modules/${base%.xz}"; base=${base%.xz} ;;
    *) cp "$moddir/$path" "$ird/lib/modules/$base" ;;
  esac
  echo "$base" >> "$ird/modules.order"
done
cat > "$ird/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do insmod "/lib/modules/$m" 2>/dev/null; done < /modules.order
i=0
while [ ! -b /dev/vda ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
mount -t ext4 -o rw /dev/vda /newroot || { echo "initramfs: cannot mount /dev/vda"; sh; }
umount /proc /sys
mount --move /dev /newroot/dev 2>/dev/null || umount /dev
exec switch_root /newroot /sbin/init
INIT
chmod 755 "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.img"

echo "$version" > "$work/kernel-version"
mv "$work/root.tar" "$work/vmlinuz" "$work/initrd.img" "$work/modules.tar" "$work/kernel-version" "$cache/"
