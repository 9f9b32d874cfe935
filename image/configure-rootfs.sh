#!/usr/bin/env bash
# Turns an unpacked Debian base plus our overlay (already copied in) into the appliance's root:
# accounts, enabled units, file system table, host name. Called by build-image.sh with the tree.
# Runs tools inside the tree with chroot; nothing here touches the build machine's own files.
set -euo pipefail
RFS=${1:?usage: configure-rootfs.sh ROOTFS}
in_root() { chroot "$RFS" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# Mounted at / from the disk image's ext4 (label set by mkfs.ext4 -L).
cat > "$RFS/etc/fstab" <<'FSTAB'
LABEL=appliance-root  /  ext4  rw,errors=remount-ro  0  1
FSTAB
echo appliance > "$RFS/etc/hostname"
cat > "$RFS/etc/hosts" <<'HOSTS'
127.0.0.1   localhost
127.0.1.1   appliance
::1         localhost ip6-localhost ip6-loopback
HOSTS
# systemd makes a machine id on the first boot (and treats that boot as the first).
: > "$RFS/etc/machine-id"
rm -f "$RFS/var/lib/dbus/machine-id"

# The API socket is root:appliance-admin 0660; admin reaches it through that group.
in_root groupadd --system appliance-admin 2>/dev/null || true
if ! grep -q '^admin:' "$RFS/etc/passwd"; then
  in_root useradd --create-home --user-group --groups appliance-admin \
    --shell /usr/local/bin/appliance-shell --comment "Appliance administrator" admin
fi
# Key-only: the password is locked ('!'); root has no password either (console login disabled
# until the operator sets one).
in_root passwd -l admin >/dev/null
in_root passwd -l root >/dev/null
grep -qx /usr/local/bin/appliance-shell "$RFS/etc/shells" || echo /usr/local/bin/appliance-shell >> "$RFS/etc/shells"

# No sftp: file transfer is not a maintenance operation on the appliance.
sed -i -E 's/^(Subsystem[[:space:]]+sftp.*)$/# \1  (disabled on the appliance)/' "$RFS/etc/ssh/sshd_config"

ln -sf /opt/appliance/bin/appliancectl "$RFS/usr/local/bin/appliancectl"
mkdir -p "$RFS/etc/systemd/timesyncd.conf.d"
chmod 0755 "$RFS/usr/local/bin/appliance-shell" "$RFS/usr/local/sbin/appliance-net"

# networkd configures the NICs; wait-online (eth0 only, 30 s at most: see its drop-in) orders
# applianced after the LAN address exists.
in_root systemctl enable applianced.service appliance-firstboot.service appliance-net.service \
  systemd-networkd.service nftables.service ssh.service >/dev/null 2>&1
in_root systemctl enable systemd-networkd-wait-online.service >/dev/null 2>&1
in_root systemctl set-default multi-user.target >/dev/null 2>&1
