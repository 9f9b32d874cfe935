#!/usr/bin/env bash
# systemd-analyze verify on the appliance's own units, run by the image's systemd inside the tree
# (chroot in a private mount namespace with its own /proc, so nothing leaks to the build machine).
# Any warning about our units fails the build.
set -euo pipefail
RFS=${1:?usage: verify-units.sh ROOTFS}
UNITS=(applianced.service appliance-firstboot.service appliance-firewall.service appliance-accounts.path appliance-accounts.service)
[ ! -f "$RFS/etc/systemd/system/appliance-probe.service" ] || UNITS+=(appliance-probe.service)
out=$(unshare --mount --fork chroot "$RFS" /bin/sh -c '
  mount -t proc proc /proc && mount -t tmpfs tmpfs /run && mkdir -p /run/systemd
  cd /etc/systemd/system && SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$@" 2>&1
  rc=$?; umount /run /proc; exit $rc' verify "${UNITS[@]}") || { echo "$out" >&2; echo "verify-units: systemd-analyze verify failed" >&2; exit 1; }
# verify exits 0 on some warnings; treat any line naming our units as a failure too.
if echo "$out" | grep -E 'applianced|appliance-' >&2; then
  echo "verify-units: systemd-analyze verify reported problems in our units" >&2
  exit 1
fi
[ -z "$out" ] || { echo "verify-units: (messages about other units, ignored)"; echo "$out" | sed 's/^/  /'; }
echo "verify-units: ${UNITS[*]}: ok"
