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

# The API socket is root:appliance-admin 0660; admin reaches it through that group. The transfer
# area is group appliance-files: admin's appliancectl and the transfer account's sftp share it.
in_root groupadd --system appliance-admin 2>/dev/null || true
in_root groupadd --system appliance-files 2>/dev/null || true
if ! grep -q '^admin:' "$RFS/etc/passwd"; then
  in_root useradd --create-home --user-group --groups appliance-admin,appliance-files \
    --shell /usr/local/bin/appliance-shell --comment "Appliance administrator" admin
fi
# sftp/scp only (sshd: chroot /var/lib/appliance/transfer, internal-sftp); home is the chroot's /files.
if ! grep -q '^transfer:' "$RFS/etc/passwd"; then
  in_root useradd --system --no-create-home --home-dir /files --gid appliance-files \
    --shell /usr/sbin/nologin --comment "Appliance file transfer (sftp)" transfer
fi
# Locked ('!') until applianced applies admin.password / root.password (chpasswd -e through
# appliance-accounts.service); SSH is key-only anyway.
in_root passwd -l admin >/dev/null
in_root passwd -l root >/dev/null
in_root passwd -l transfer >/dev/null
grep -qx /usr/local/bin/appliance-shell "$RFS/etc/shells" || echo /usr/local/bin/appliance-shell >> "$RFS/etc/shells"

# sftp is served in-process for the transfer account (sshd_config.d/appliance.conf defines the
# subsystem; a second definition would be an error).
sed -i -E 's/^(Subsystem[[:space:]]+sftp.*)$/# \1  (internal-sftp: see sshd_config.d\/appliance.conf)/' "$RFS/etc/ssh/sshd_config"

# The transfer area: the chroot and everything above it root's and not writable by others (sshd
# refuses a chroot otherwise); files/ is where both accounts read and write (setgid: new files
# stay in the group).
install -d -m 0755 -o root -g root "$RFS/var/lib/appliance/transfer" "$RFS/var/lib/appliance/ssh"
install -d -m 2770 -o root -g "$(awk -F: '$1=="appliance-files"{print $3}' "$RFS/etc/group")" "$RFS/var/lib/appliance/transfer/files"

# The CLI of the release that runs (an upgrade switches `current`).
ln -sfn /var/lib/appliance/software/current/app/appliancectl "$RFS/usr/local/bin/appliancectl"
# Its manual page travels with each release (./build.sh publish writes it beside the binary).
install -d -m 0755 "$RFS/usr/local/share/man/man1"
ln -sfn /var/lib/appliance/software/current/app/appliancectl.1 "$RFS/usr/local/share/man/man1/appliancectl.1"
mkdir -p "$RFS/etc/systemd/timesyncd.conf.d"
chmod 0755 "$RFS/usr/local/bin/appliance-shell" "$RFS/usr/local/sbin/appliance-release-check" \
  "$RFS/usr/local/sbin/appliance-accounts"

# networkd configures the NICs; wait-online (eth0 only, 30 s at most: see its drop-in) orders
# applianced after the LAN address exists.
in_root systemctl enable applianced.service appliance-firstboot.service appliance-firewall.service \
  appliance-accounts.path appliance-accounts.service \
  systemd-network-generator.service \
  systemd-networkd.service nftables.service ssh.service >/dev/null 2>&1
in_root systemctl enable systemd-networkd-wait-online.service >/dev/null 2>&1
in_root systemctl set-default multi-user.target >/dev/null 2>&1
