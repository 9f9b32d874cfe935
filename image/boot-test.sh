#!/usr/bin/env bash
# Boots the appliance image under qemu and checks it from the outside, over loopback only.
#
#   image/boot-test.sh [single|cluster|all] [--accel auto|kvm|tcg] [--no-build] [--keep]
#
# single : one VM; applianced READY under systemd, watchdog armed, no restarts; SSH as admin lands
#          in appliancectl (interactive and with a command); no shell escape, no forwarding; then
#          the operator's procedures (image/lib/check-*.sh): restart, backup out by sftp/scp/stdout,
#          restore from stdin, upgrade and roll-back, keys, SNMP, certificates, networkd, the
#          boot-time firewall, a watchdog restart.
# cluster: two VMs on one virtual segment (qemu UDP socket netdev on 127.0.0.1) with LAN addresses
#          198.18.0.11/.12, each with user-net SSH on its own 127.0.0.1 port; clustered over SSH as
#          an operator would; both report "Active as"; a change replicates; one VM is killed and
#          booted again and they agree; then a rolling upgrade in the guide's order.
# Direct kernel boot (-kernel/-initrd from out/image, console=ttyS0 root=/dev/vda); KVM is tried
# and, when it fails on this CPU, TCG is used. Every VM disk is a qcow2 overlay on appliance.img.
# Work files and serial logs: out/image-test/<run>/ (removed unless --keep or a failure).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
IMG=$ROOT/out/image
MODE=single ACCEL=${APPLIANCE_QEMU_ACCEL:-auto} BUILD=1 KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    single|cluster|all) MODE=$1; shift ;;
    --accel) ACCEL=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "boot-test.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "boot-test.sh: must run as root (image build, /dev/kvm)" >&2; exit 1; }

TESTDIR=$ROOT/out/image-test
KEY=$TESTDIR/id_ed25519
# root's way in on test images (vm_root); KEY may change when the keys check replaces the admin's.
ROOT_KEY=$KEY
RUN=$TESTDIR/run-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$RUN"
T0=$(date +%s)
FAILED=0
# On stderr: a check run inside $( ) (a function that prints its result) still shows its lines and its FAIL.
log() { printf '[boot-test %4ds] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
fail() { log "FAIL: $*"; FAILED=1; exit 1; }
ok() { log "ok: $*"; }
number() { printf 'NUMBER %s\n' "$*" | tee -a "$RUN/numbers.txt"; }

source "$ROOT/image/lib/qemu.sh"
trap 'vm_stop_all; if [ "$FAILED" = 1 ] || [ "$KEEP" = 1 ]; then log "kept $RUN"; else rm -rf "$RUN"; fi' EXIT
trap 'FAILED=1' ERR
# Ended from outside (the xunit test's timeout, Ctrl-C): still stop the VMs through the EXIT trap.
trap 'FAILED=1; exit 143' TERM INT

[ -f "$KEY" ] || ssh-keygen -q -t ed25519 -N '' -C appliance-boot-test -f "$KEY"
# The release the single scenario upgrades to: the same code as version $UPGRADE_VERSION, signed
# with the vendor TEST key (./build.sh package).
UPGRADE_VERSION=1.0.1
UPGRADE_PKG=$TESTDIR/packages/applianced-$UPGRADE_VERSION.tar.gz
build_package() {
  "$ROOT/build.sh" package --version "$UPGRADE_VERSION" --test-key --out "$TESTDIR/packages" > "$RUN/package.log" 2>&1
}
if [ "$BUILD" = 1 ]; then
  # The package is built while the Debian base downloads (a cold base is minutes of network and
  # little CPU); both publishes write the same obj/ folders, so the image's waits for it.
  log "building the upgrade package $UPGRADE_VERSION (./build.sh package --test-key) while the base is made"
  build_package & package_pid=$!
  "$ROOT/image/build-image.sh" --base-only 2>&1 | sed 's/^/    /' || { kill "$package_pid" 2>/dev/null; fail "the image's base failed"; }
  wait "$package_pid" || { tail -20 "$RUN/package.log"; fail "./build.sh package failed"; }
  # The vendor TEST key: the cluster scenario issues release keys with keytool's test key.
  log "building the image with the vendor TEST key, the SSH test key and the probe"
  "$ROOT/image/build-image.sh" --test-key --authorized-key "$KEY.pub" --probe ${APPLIANCE_IMAGE_BUILD_ARGS:-} \
    2>&1 | sed 's/^/    /'
elif [ ! -f "$UPGRADE_PKG.sig" ]; then
  log "building the upgrade package $UPGRADE_VERSION (./build.sh package --test-key)"
  build_package || { tail -20 "$RUN/package.log"; fail "./build.sh package failed"; }
fi
for f in appliance.img vmlinuz initrd.img; do [ -f "$IMG/$f" ] || fail "$IMG/$f missing: build the image first"; done

source "$ROOT/image/lib/checks.sh"
for f in "$ROOT"/image/lib/check-*.sh; do source "$f"; done
case "$MODE" in
  single) test_single ;;
  cluster) test_cluster ;;
  all) test_single; vm_stop_all; test_cluster ;;
esac
log "PASS ($MODE, accel $ACCEL_USED, $(( $(date +%s) - T0 )) s)"
cat "$RUN/numbers.txt" 2>/dev/null || true
