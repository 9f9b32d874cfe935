#!/usr/bin/env bash
# Builds the appliance image: a Debian 12 root file system with our self-contained publish and the
# overlay, and an ext4 disk image made from that folder (mkfs.ext4 -d: no loop devices, no mounts).
#
#   image/build-image.sh --vendor-key FILE.pub | --test-key
#                        [--authorized-key FILE] [--probe] [--publish DIR] [--size MiB] [--no-publish-build]
#   image/build-image.sh --base-only
#
# --vendor-key: the vendor's public key (P-256 PEM, kept outside the repository) that the image's
#   daemon trusts for licences and upgrades. --test-key: a test image, trusting the checked-in TEST
#   key; it says so on the console (/etc/issue) and the LCD. One of the two is required, and the
#   daemon in the publish must trust exactly that key (its own --show-vendor-key answer is checked).
# --authorized-key: the admin account accepts this public key (the boot test's key pair).
# --probe: add image/test-overlay (a unit printing applianced's systemd state to the console).
# --base-only: only make (or find) the cached Debian base and stop; no key needed. The boot test
#   builds its upgrade package meanwhile, as a cold base is minutes of downloading.
#
# Output (out/image): rootfs/ (the tree), appliance.img (ext4, root=/dev/vda), vmlinuz and
# initrd.img (for qemu direct kernel boot). The Debian mirror is taken from this machine's apt
# sources only; without one the build stops and says so. The debootstrapped base is cached in
# out/image-cache/base-<hash>.tar, keyed by suite, mirror and package list, so rebuilds take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
HERE=$ROOT/image
OUT=$ROOT/out/image
CACHE=$ROOT/out/image-cache
PUBLISH=$ROOT/out/publish
AUTH_KEY=
SIZE_MIB=
BUILD_PUBLISH=1
PROBE=0
BASE_ONLY=0

while [ $# -gt 0 ]; do
  case "$1" in
    --authorized-key) AUTH_KEY=$2; shift 2 ;;
    --publish) PUBLISH=$2; BUILD_PUBLISH=0; shift 2 ;;
    --size) SIZE_MIB=$2; shift 2 ;;
    --no-publish-build) BUILD_PUBLISH=0; shift ;;
    --probe) PROBE=1; shift ;;
    --base-only) BASE_ONLY=1; shift ;;
    --vendor-key) VENDOR_KEY=$2; shift 2 ;;
    --test-key) TEST_KEY=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "build-image.sh: unknown option '$1' (see --help)" >&2; exit 1 ;;
  esac
done

T0=$(date +%s)
step() { printf '[image %3ds] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die() { echo "build-image.sh: $*" >&2; exit 1; }

source "$ROOT/tools/vendor-key.sh"
[ "$BASE_ONLY" = 1 ] || vendor_key_check build-image.sh
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, file ownership in the image)"
[ -z "$AUTH_KEY" ] || [ -f "$AUTH_KEY" ] || die "--authorized-key $AUTH_KEY: no such file"

# --- host tools -------------------------------------------------------------------------------
HOST_PACKAGES=(debootstrap e2fsprogs qemu-system-x86 openssh-client tar snmp socat curl openssl)
missing=()
for p in "${HOST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing host packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- base file system (cached) ----------------------------------------------------------------
SUITE=bookworm
# The Debian mirror is the one this machine's apt uses, and only that: no mirror host is written
# here (a build machine may reach nothing else).
MIRROR=$(grep -h -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
[ -n "$MIRROR" ] || MIRROR=$(grep -h -E '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1 || true)
[ -n "$MIRROR" ] || die "no Debian mirror in this machine's apt sources (/etc/apt/sources.list, /etc/apt/sources.list.d/): add the mirror apt should use (a URI ending in /debian) and run again"
# systemd as PID 1 with udev and D-Bus (timedated/hostnamed), the kernel, sshd, the firewall and
# link tools the daemon drives, snmpd (configured by the daemon when snmp.enabled), netbase
# (/etc/protocols, /etc/services), and the native libraries a self-contained .NET app needs
# (InvariantGlobalization is on, so no libicu).
PACKAGES=(systemd systemd-sysv udev dbus linux-image-amd64 initramfs-tools openssh-server
  systemd-timesyncd nftables iproute2 ethtool procps ca-certificates tzdata snmpd netbase
  iputils-ping traceroute
  libc6 libgcc-s1 libstdc++6 zlib1g libssl3)
PKGLIST=$(printf '%s\n' "$SUITE" "$MIRROR" "${PACKAGES[@]}" | sort)
HASH=$(printf '%s' "$PKGLIST" | sha256sum | cut -c1-16)
BASE=$CACHE/base-$HASH.tar
mkdir -p "$CACHE" "$OUT"

if [ ! -f "$BASE" ]; then
  step "debootstrap $SUITE from $MIRROR (cold: several minutes; cached as $(basename "$BASE"))"
  work=$CACHE/base-$HASH.work
  rm -rf "$work"
  include=$(IFS=,; echo "${PACKAGES[*]}")
  debootstrap --variant=minbase --include="$include" "$SUITE" "$work" "$MIRROR" \
    > "$CACHE/debootstrap-$HASH.log" 2>&1 \
    || { tail -30 "$CACHE/debootstrap-$HASH.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap-$HASH.log)"; }
  step "trimming the base (apt lists, caches, docs)"
  rm -rf "$work"/var/cache/apt/archives/*.deb "$work"/var/lib/apt/lists/* \
    "$work"/usr/share/doc/* "$work"/usr/share/man/* "$work"/usr/share/info/*
  # Host keys are made on the appliance's first boot, never shared by every image.
  rm -f "$work"/etc/ssh/ssh_host_*
  tar -C "$work" --numeric-owner --xattrs -cf "$BASE.tmp" .
  mv "$BASE.tmp" "$BASE"
  rm -rf "$work"
else
  step "base cached: $(basename "$BASE")"
fi
[ "$BASE_ONLY" = 0 ] || exit 0

# --- our software -----------------------------------------------------------------------------
if [ "$BUILD_PUBLISH" = 1 ]; then
  step "publishing the daemon and the CLI (./build.sh publish)"
  mapfile -t key_opts < <(if [ "$TEST_KEY" = 1 ]; then echo --test-key; else printf '%s\n' --vendor-key "$VENDOR_KEY"; fi)
  "$ROOT/build.sh" publish "${key_opts[@]}" > "$OUT/publish.log" 2>&1 || { tail -30 "$OUT/publish.log" >&2; die "publish failed"; }
fi
[ -x "$PUBLISH/applianced" ] && [ -x "$PUBLISH/appliancectl" ] \
  || die "$PUBLISH has no applianced/appliancectl: run ./build.sh publish (or pass --publish DIR)"
vendor_key_verify "$PUBLISH"
step "applianced trusts the vendor key: $VENDOR_KEY_SAID"

# --- assemble the tree ------------------------------------------------------------------------
RFS=$OUT/rootfs
step "unpacking the base into $RFS"
rm -rf "$RFS"
mkdir -p "$RFS"
tar -C "$RFS" --numeric-owner --xattrs -xf "$BASE"

# About 170 MiB of modules for hardware an appliance never has (graphics, sound, media, wireless,
# bluetooth, infiniband, staging). The initrd was made before, and depmod keeps the rest loadable.
step "pruning kernel modules (graphics, sound, media, wireless, ...)"
for kdir in "$RFS"/usr/lib/modules/*; do
  rm -rf "$kdir"/kernel/drivers/{gpu,media,iio,infiniband,staging,bluetooth,isdn,comedi,net/wireless} \
    "$kdir"/kernel/sound "$kdir"/kernel/net/{bluetooth,wireless,mac80211}
  chroot "$RFS" /sbin/depmod -a "$(basename "$kdir")"
done

# The factory release, laid out as an upgrade lays out its own (UPGRADE.md): the unit runs
# software/current/app/applianced, and an upgrade adds releases/<version> beside it.
VERSION=$("$PUBLISH/applianced" --version) || die "$PUBLISH/applianced --version failed"
SOFTWARE=$RFS/var/lib/appliance/software
step "installing release $VERSION as /var/lib/appliance/software/releases/$VERSION, and the overlay"
install -d -m 0755 "$RFS/var/lib/appliance" "$SOFTWARE" "$SOFTWARE/releases" "$SOFTWARE/releases/$VERSION"
cp -a "$PUBLISH" "$SOFTWARE/releases/$VERSION/app"
rm -f "$SOFTWARE/releases/$VERSION"/app/*.pdb
chmod -R u=rwX,go=rX "$SOFTWARE/releases/$VERSION"
echo "$VERSION" > "$SOFTWARE/releases/$VERSION/VERSION"
ln -sfn "releases/$VERSION" "$SOFTWARE/current"
cp -a "$HERE/overlay"/. "$RFS/"
install -D -m 0644 "$ROOT/README.md" "$RFS/usr/share/doc/appliance/README.md"
chown -R root:root "$RFS/etc/appliance" "$RFS/etc/ssh/sshd_config.d" "$RFS/etc/systemd/system" "$RFS/usr/local" "$RFS/var/lib/appliance"
"$HERE/configure-rootfs.sh" "$RFS"
if [ "$TEST_KEY" = 1 ]; then
  step "marking a TEST image on the console (/etc/issue)"
  cat "$HERE/test-key-issue.txt" >> "$RFS/etc/issue"
fi

if [ -n "$AUTH_KEY" ]; then
  # The seed: applianced adds its keys to the cluster's admin keys on its first start (then
  # `ssh-keys list/add/remove` manage them); until then sshd reads the same key from the file
  # the daemon owns from then on.
  step "seeding the admin keys with $(basename "$AUTH_KEY")"
  install -d -m 0755 "$RFS/etc/appliance/seed" "$RFS/var/lib/appliance/ssh"
  install -m 0644 "$AUTH_KEY" "$RFS/etc/appliance/seed/authorized_keys"
  install -m 0644 "$AUTH_KEY" "$RFS/var/lib/appliance/ssh/authorized_keys"
else
  # No key: the first access is the console. admin logs in there with the password "admin",
  # which must be changed at that first login, and lands in the same CLI (`ssh-keys add -`).
  step "no --authorized-key: console first login admin/admin, to be changed at once"
  echo 'admin:admin' | chroot "$RFS" /usr/sbin/chpasswd
  chroot "$RFS" /usr/bin/chage -d 0 admin
fi

if [ "$PROBE" = 1 ]; then
  step "adding the boot-test probe (image/test-overlay)"
  cp -a "$HERE/test-overlay"/. "$RFS/"
  chown -R root:root "$RFS/etc/appliance/test-keys" "$RFS/etc/ssh/sshd_config.d" "$RFS/etc/systemd/system"
  # Root logs in with the boot test's key (test images only: image/test-overlay's sshd drop-in).
  [ -z "$AUTH_KEY" ] || install -m 0644 "$AUTH_KEY" "$RFS/etc/appliance/test-keys/root"
  # The test-only fault switch (`test.hang`, for the watchdog check); a build trusting a real
  # vendor key refuses to start with it.
  [ "$TEST_KEY" = 1 ] || die "--probe makes a test image: it needs --test-key"
  sed -i '0,/^{$/s//{\n  "testFaults": true,/' "$RFS/etc/appliance/applianced.json"
  chroot "$RFS" systemctl enable appliance-probe.service >/dev/null 2>&1
fi

step "systemd-analyze verify on our units (inside the image)"
"$HERE/verify-units.sh" "$RFS"

# --- kernel and disk image --------------------------------------------------------------------
cp -L "$RFS/vmlinuz" "$OUT/vmlinuz"
cp -L "$RFS/initrd.img" "$OUT/initrd.img"
used=$(du -s -B1M "$RFS" | cut -f1)
size=${SIZE_MIB:-$(( used + used / 2 + 256 ))}
step "mkfs.ext4 -d: ${used} MiB of files into a ${size} MiB image"
rm -f "$OUT/appliance.img"
truncate -s "${size}M" "$OUT/appliance.img"
mkfs.ext4 -q -F -L appliance-root -d "$RFS" "$OUT/appliance.img" > "$OUT/mkfs.log" 2>&1 \
  || { cat "$OUT/mkfs.log" >&2; die "mkfs.ext4 failed"; }

alloc=$(du -B1M "$OUT/appliance.img" | cut -f1)
step "done: $OUT/appliance.img (${size} MiB apparent, ${alloc} MiB allocated), vmlinuz, initrd.img"
echo "IMAGE {\"files_mib\":$used,\"image_mib\":$size,\"allocated_mib\":$alloc,\"seconds\":$(( $(date +%s) - T0 ))}"
