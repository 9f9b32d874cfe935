# Boot-test check (issue 17, point 8): the status line, and a hung daemon restarted by systemd's
# watchdog. Needs a test image whose daemon runs with testFaults (the test.hang API command).

# The API request root sends on the VM: the image has no socat or nc, but perl-base (Essential in
# Debian) has IO::Socket::UNIX. One line in, the answer line out.
WATCHDOG_HANG_STORE='perl -MIO::Socket::UNIX -e '\''$s = IO::Socket::UNIX->new(Peer => "/run/appliance/api.sock") or die "connect: $!\n"; print $s qq({"v":1,"cmd":"test.hang","args":{"loop":"store"}}\n); print scalar <$s>;'\'''

check_watchdog() {
  local vm=$1 out before
  out=$(vm_root "$vm" 'systemctl status applianced --no-pager') || true # status exits 0 only when active; the text is what counts
  expect_in "systemctl status shows the daemon's status line" 'Status: "standalone, ' "$out"

  before=$(vm_root "$vm" 'systemctl show -p NRestarts --value applianced') || fail "systemctl show NRestarts failed: $before"
  out=$(vm_root "$vm" "$WATCHDOG_HANG_STORE") || fail "sending test.hang as root failed: $out"
  expect_in "root hangs the store committer (test.hang, a test image's testFaults)" '"ok":true' "$out"

  # Stale within 15 s, the last ping up to ~8 s later, WatchdogSec=30s, then the start under TCG:
  # waited for on the VM itself, one SSH command instead of a poll of 5-25 s round trips.
  out=$(vm_root "$vm" "for i in \$(seq 300); do n=\$(systemctl show -p NRestarts --value applianced); \
    if [ \"\$n\" -gt $before ] && [ \"\$(systemctl is-active applianced)\" = active ]; then echo \"restarted after \$i s, NRestarts=\$n\"; exit 0; fi; \
    sleep 1; done; echo \"no restart in 300 s: NRestarts=\$n, \$(systemctl is-active applianced)\"; exit 1") \
    || fail "the hung daemon was not restarted by the watchdog: $out"
  ok "systemd restarted the hung daemon and it is active again ($out, was $before)"

  out=$(vm_root "$vm" 'journalctl -u applianced -b --no-pager | grep -i watchdog') || true
  expect_in "the daemon's log names the stuck loop" 'watchdog: the store committer has made no progress' "$out"
  expect_in "systemd's journal has the watchdog timeout" 'Watchdog timeout' "$out"
}
