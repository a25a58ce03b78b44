#!/bin/sh
# systemd: every group the udev rule gives a device to is one the service joins
# (SupplementaryGroups=) and one sysusers makes its user a member of: a rule for a group the
# daemon is not in opens nothing, and a group sysusers does not create leaves udev's GROUP=
# unresolved (the device stays root's).
# usage: check-udev.sh RULES_FILE UNIT_FILE SYSUSERS_FILE
set -eu
rules="$1" unit="$2" sysusers="$3"
status=0
fail() { echo "check-udev: $*" >&2; status=1; }

joined=$(sed -n 's/^SupplementaryGroups=//p' "$unit")
members=$(sed -n 's/^m calendarbot \([^ ]*\).*/\1/p' "$sysusers")
groups=$(sed -n 's/.*GROUP="\([^"]*\)".*/\1/p' "$rules")
[ -n "$groups" ] || fail "no GROUP= in $rules"
for g in $groups; do
  case " $joined " in *" $g "*) ;; *) fail "GROUP=\"$g\": not in SupplementaryGroups=$joined" ;; esac
  echo "$members" | grep -qx "$g" || fail "GROUP=\"$g\": sysusers does not make calendarbot a member"
done
grep -q 'KERNEL=="gpiochip\*".*GROUP="gpio"' "$rules" || fail "no rule gives /dev/gpiochip* to gpio"
# Group read and write, nothing for anyone else.
if grep -n 'MODE=' "$rules" | grep -v 'MODE="0660"' >&2; then fail "a MODE other than 0660"; fi
[ $status -eq 0 ] && echo "check-udev: $rules: groups $(echo $groups) joined and created OK"
exit $status
