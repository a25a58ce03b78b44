#!/usr/bin/env bash
# A run's config into a copy of the cached disk, with no mount and no chroot: debugfs replaces
# /etc/calendarbot/config.toml and gives it the owner and mode the package's statoverride gave
# the one it shipped (root:calendarbot 0640).
# Usage: set-config.sh DISK.img CONFIG.toml
set -euo pipefail
disk=$1 config=$2
file=/etc/calendarbot/config.toml
stat=$(/sbin/debugfs -R "stat $file" "$disk" 2>/dev/null)
uid=$(sed -n 's/.*User: *\([0-9]*\) *Group: *\([0-9]*\).*/\1/p' <<<"$stat")
gid=$(sed -n 's/.*User: *\([0-9]*\) *Group: *\([0-9]*\).*/\2/p' <<<"$stat")
mode=$(sed -n 's/.*Mode: *\([0-7]*\).*/\1/p' <<<"$stat")
[ -n "$uid" ] && [ -n "$gid" ] && [ -n "$mode" ] || { echo "set-config: no $file in $disk" >&2; exit 1; }
/sbin/debugfs -w -f - "$disk" >/dev/null 2>&1 <<CMDS
rm $file
write $config $file
sif $file mode 0$(printf %o $((8#100000 | 8#$mode)))
sif $file uid $uid
sif $file gid $gid
CMDS
got=$(/sbin/debugfs -R "cat $file" "$disk" 2>/dev/null)
[ "$got" = "$(cat "$config")" ] || { echo "set-config: $file not written" >&2; exit 1; }
