#!/bin/sh
# systemd: the built unit names only device classes the kernel registers, and no deprecated unit.
# usage: check-unit.sh UNIT_FILE
set -eu
unit="$1"
status=0
fail() { echo "check-unit: $*" >&2; status=1; }

# DeviceAllow=char-NAME matches NAME in /proc/devices: what each driver passes to
# register_chrdev()/alloc_chrdev_region(), which is not the device file's name
# (spidev registers "spi": drivers/spi/spidev.c; gpiolib "gpiochip": drivers/gpio/gpiolib.c;
# fbmem "fb": drivers/video/fbdev/core/fbmem.c; the virtual consoles "tty": drivers/tty/vt/vt.c).
known="fb tty spi gpiochip"
allowed=$(sed -n 's/^DeviceAllow=char-\([^ ]*\).*/\1/p' "$unit")
[ -n "$allowed" ] || fail "no DeviceAllow=char-… lines in $unit"
for class in $allowed; do
  case " $known " in
    *" $class "*) ;;
    *) fail "DeviceAllow=char-$class: no driver registers the class '$class' (known: $known)" ;;
  esac
done
for class in $known; do
  echo "$allowed" | grep -qx "$class" || fail "DeviceAllow=char-$class missing (the daemon opens it)"
done
grep -q '^DevicePolicy=closed' "$unit" || fail "DevicePolicy=closed missing"
if grep -n 'systemd-udev-settle' "$unit" >&2; then fail "systemd-udev-settle.service is deprecated"; fi

if command -v systemd-analyze >/dev/null; then
  # Unknown keys and bad values are reported here (the binary itself need not exist).
  out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$unit" 2>&1 | grep -v \
    -e 'Command .* is not executable' -e 'Failed to prepare filename' -e 'is not executable' || true)
  [ -z "$out" ] || fail "systemd-analyze verify: $out"
fi
[ $status -eq 0 ] && echo "check-unit: $unit: DeviceAllow classes $(echo $allowed) OK"
exit $status
