#!/usr/bin/env bash
# The boot pieces of `make system-test`, from the .debs base-root.sh downloaded: Debian's arm64
# kernel (vmlinuz, and its modules for the root filesystem, unpacked with dpkg-deb -x, no
# maintainer script run) and a small initramfs of our own: static busybox, the modules that
# bring up a virtio disk with ext4, and an /init that mounts it and hands over to systemd.
# Usage: boot-pieces.sh CACHE_DIR. Writes CACHE_DIR/{vmlinuz,initrd.img,modules.tar,kernel-version}.
set -euo pipefail
cache=$1
work=$(mktemp -d "$cache/tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Kernel: vmlinuz and the modules tree, without running any maintainer script.
dpkg-deb -x "$cache"/debs/linux-image-*.deb "$work/kernel"
version=$(ls "$work/kernel/lib/modules")
/sbin/depmod -b "$work/kernel" "$version"  # the .deb ships no modules.dep: its postinst makes it
cp "$work/kernel/boot/vmlinuz-$version" "$work/vmlinuz"
tar -C "$work/kernel" -cf "$work/modules.tar" lib/modules

# Initramfs: busybox, the modules that bring up /dev/vda as ext4 (in modules.dep order) and an
# /init that loads them, mounts the root and hands over to systemd.
dpkg-deb -x "$cache"/debs/busybox-static_*.deb "$work/bb"
ird=$work/initramfs
mkdir -p "$ird"/{bin,dev,proc,sys,newroot,lib/modules}
cp "$work/bb/bin/busybox" "$ird/bin/busybox"
for applet in sh mount umount insmod switch_root mkdir sleep cat echo; do
  ln -s busybox "$ird/bin/$applet"
done
moddir=$work/kernel/lib/modules/$version
# ext4 asks the crypto API for crc32c at mount time (metadata checksums): no modprobe here.
wanted="virtio_mmio virtio_pci virtio_blk crc32c_generic ext4"
order=$(for m in $wanted; do
  # modules.dep: "path: dep1 dep2 ..." with deps listed nearest first; load them in reverse.
  line=$(grep -E "/$m\.ko(\.xz)?:" "$moddir/modules.dep") || continue  # built in
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
mv "$work/vmlinuz" "$work/initrd.img" "$work/modules.tar" "$work/kernel-version" "$cache/"
