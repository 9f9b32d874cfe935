# The operator's maintenance procedures on the booted image (sourced by boot-test.sh): restart,
# files in and out (sftp/scp as transfer, stdout/stdin as admin), restore, upgrade and roll-back.
# Each restart goes through systemd (exit 75, RestartForceExitStatus=): the unit must be active
# again with Result=success.

# Fails unless applianced's unit is active/running with Result=success; logs WHAT.
expect_unit_success() {
  local vm=$1 what=$2 state; state=$(vm_unit "$vm")
  grep -q 'ActiveState=active' <<< "$state" && grep -q 'SubState=running' <<< "$state" && grep -q 'Result=success' <<< "$state" \
    || fail "$what: applianced is not active with Result=success: $state"
  ok "$what: $state"
}

check_restart() {
  local vm=$1 pid took out
  pid=$(vm_main_pid "$vm")
  out=$(vm_cli "$vm" restart --yes 2>&1) || fail "restart: $out"
  took=$(vm_wait_active "$vm" "$pid" 300)
  vm_wait_ssh "$vm"
  expect_unit_success "$vm" "restart through systemd (exit 75) took ${took}s"
  number "restart_seconds=$took (appliancectl restart to applianced active again, TCG)"
}

check_files() {
  local vm=$1 out name d=$RUN/files
  mkdir -p "$d"
  # A backup made into the transfer area, fetched with sftp and with scp; the same bytes as the
  # download on stdout.
  out=$(vm_cli "$vm" backup create --out area-backup.tar.gz 2>&1) || fail "backup create --out area-backup.tar.gz: $out"
  printf 'get area-backup.tar.gz %s/by-sftp.tar.gz\n' "$d" | vm_sftp "$vm" > "$d/sftp.log" 2>&1 \
    || { cat "$d/sftp.log"; fail "sftp get from the transfer area"; }
  vm_scp "$vm" transfer@127.0.0.1:area-backup.tar.gz "$d/by-scp.tar.gz" > "$d/scp.log" 2>&1 \
    || { cat "$d/scp.log"; fail "scp from the transfer area"; }
  cmp -s "$d/by-sftp.tar.gz" "$d/by-scp.tar.gz" || fail "sftp and scp fetched different bytes"
  tar tzf "$d/by-sftp.tar.gz" > /dev/null || fail "the fetched backup is not a tar.gz"
  name=$(vm_cli "$vm" backup list --json | grep -o '"[^"]*_backup.tar.gz"' | head -1 | tr -d '"')
  [ -n "$name" ] || fail "backup list names no backup"
  vm_cli "$vm" backup download "$name" - > "$d/by-stdout.tar.gz" || fail "backup download $name - (stdout)"
  cmp -s "$d/by-sftp.tar.gz" "$d/by-stdout.tar.gz" || fail "the backup on stdout differs from the one fetched by sftp"
  ok "backup out of the box: into the transfer area and fetched by sftp and scp, and on stdout: the same $(stat -c %s "$d/by-sftp.tar.gz") bytes"

  # Nothing outside the area: a path, the chroot's parent, a shell, a link.
  out=$(vm_cli "$vm" backup create --out /tmp/x.tar.gz 2>&1) && fail "backup create --out /tmp/x.tar.gz accepted: $out"
  expect_in "appliancectl refuses a path outside the transfer area" "transfer area" "$out"
  out=$(printf 'get /etc/passwd %s/passwd\n' "$d" | vm_sftp "$vm" 2>&1) && fail "sftp fetched /etc/passwd: $out"
  out=$(printf 'symlink /files/area-backup.tar.gz /files/link\n' | vm_sftp "$vm" 2>&1) && fail "sftp made a symbolic link: $out"
  out=$(vm_scp "$vm" -O transfer@127.0.0.1:area-backup.tar.gz "$d/legacy.tar.gz" 2>&1) && fail "legacy scp (-O, a remote command) worked: $out"
  out=$(ssh "${SSH_OPTS[@]}" -i "$KEY" -p "$(cat "$RUN/$vm/ssh.port")" transfer@127.0.0.1 id 2>&1 < /dev/null) && grep -q 'uid=' <<< "$out" && fail "transfer ran a command: $out"
  out=$(vm_ssh "$vm" -s sftp 2>&1 < /dev/null) && fail "sftp as admin accepted"
  ok "the transfer area and nothing else: no /etc/passwd, no links, no commands for transfer, no sftp for admin"

  # Restore from an upload on stdin: the host name of the backup comes back after the restart.
  vm_cli "$vm" config set system.hostname before-restore > /dev/null || fail "set host name"
  vm_cli "$vm" backup create --out - > "$d/restore-me.tar.gz" || fail "backup create --out - (stdout)"
  vm_cli "$vm" config set system.hostname after-backup > /dev/null || fail "set host name"
  local pid took; pid=$(vm_main_pid "$vm")
  out=$(vm_cli "$vm" backup restore - --yes < "$d/restore-me.tar.gz" 2>&1) || fail "backup restore - < file: $out"
  took=$(vm_wait_active "$vm" "$pid" 300)
  vm_wait_ssh "$vm"
  out=$(vm_cli "$vm" status --json)
  expect_in "the restored configuration runs (uploaded on stdin; restart ${took}s)" '"before-restore"' "$out"
  expect_unit_success "$vm" "after the restore"
  number "restore_seconds=$took (backup restore - < file to applianced active again, TCG)"
}

# A release that never gets ready: its applianced hangs without READY=1 (TimeoutStartSec of the
# test image: 120 s), signed like a real one.
make_stuck_package() {
  local dir=$1 version=$2 w=$1/stuck
  mkdir -p "$w/app"
  echo "$version" > "$w/VERSION"
  printf '#!/bin/sh\n# A release that never gets ready (boot test).\nexec sleep 100000\n' > "$w/app/applianced"
  chmod 0755 "$w/app/applianced"
  tar -C "$w" --owner=0 --group=0 -czf "$dir/applianced-$version.tar.gz" VERSION app
  dotnet "$ROOT/tools/keytool/bin/Release/net10.0/keytool.dll" sign-package "$dir/applianced-$version.tar.gz" 2> /dev/null > /dev/null \
    || fail "keytool sign-package (stuck release)"
}

# check_upgrade VM : upgrade to $UPGRADE_VERSION (./build.sh package), then the roll-back of a
# newer release that never gets ready.
check_upgrade() {
  local vm=$1 out pid took t0
  t0=$(date +%s)
  took=$(upgrade_peer "$vm")
  out=$(vm_cli "$vm" upgrade status 2>&1)
  expect_in "upgrade status reports it" "ready" "$out"
  expect_unit_success "$vm" "after the upgrade (its restart took ${took}s)"
  number "upgrade_seconds=$(( $(date +%s) - t0 )) (upgrade FILE to the new release active and answering over SSH, TCG)"

  # A newer release that never gets ready, uploaded on stdin with its signature line: rolled back.
  local stuck=$RUN/packages; mkdir -p "$stuck"
  make_stuck_package "$stuck" 9.9.9
  pid=$(vm_main_pid "$vm"); t0=$(date +%s)
  out=$(vm_cli "$vm" upgrade - --yes --signature "\"$(cat "$stuck/applianced-9.9.9.tar.gz.sig")\"" < "$stuck/applianced-9.9.9.tar.gz" 2>&1) \
    || fail "upgrade - (stuck release on stdin): $out"
  # The stuck release starts (a new main PID: sleep), is killed at TimeoutStartSec, and the start
  # check puts $version back.
  local t=0
  until out=$(vm_cli "$vm" status --json 2>/dev/null) && grep -q "\"$UPGRADE_VERSION\"" <<< "$out" && [ "$(vm_main_pid "$vm")" != "$pid" ]; do
    t=$((t + 5)); [ "$t" -le 600 ] || fail "no roll-back to $UPGRADE_VERSION within 600 s: $(vm_unit "$vm")"
    sleep 5
  done
  took=$(( $(date +%s) - t0 ))
  out=$(vm_cli "$vm" upgrade status 2>&1)
  expect_in "upgrade status reports the roll-back" "rolled back" "$out"
  out=$(vm_cli "$vm" alarms 2>&1)
  expect_in "the roll-back raises its alarm" "upgrade-rolled-back" "$out"
  out=$(vm_root "$vm" journalctl -b -u applianced --no-pager -o cat | grep -c 'never got ready: rolled back' || true)
  [ "${out:-0}" -ge 1 ] || fail "the journal has no roll-back line from appliance-release-check"
  expect_unit_success "$vm" "after the roll-back"
  number "rollback_seconds=$took (upgrade of a release that never gets ready to $UPGRADE_VERSION answering again; includes TimeoutStartSec=120s, TCG)"
}

# check_upgrade_power_cut VM : the power fails while a new release is starting (it has not
# reported READY): at the next boot the unit's start check finds the pending upgrade and its attempt
# mark, puts `current` back, and the old release runs and reports the roll-back. The release used
# never gets ready, so the cut always falls inside its start, never after a confirmation.
check_upgrade_power_cut() {
  local vm=$1 out pid t0 ready sw=/var/lib/appliance/software
  local stuck=$RUN/packages; mkdir -p "$stuck"
  make_stuck_package "$stuck" 9.9.8
  pid=$(vm_main_pid "$vm")
  out=$(vm_cli "$vm" upgrade - --yes --signature "\"$(cat "$stuck/applianced-9.9.8.tar.gz.sig")\"" < "$stuck/applianced-9.9.8.tar.gz" 2>&1) \
    || fail "upgrade - (release 9.9.8 on stdin): $out"
  # Wait for 9.9.8 to be the starting main process: the start check has left its attempt mark.
  local t=0
  until out=$(vm_root "$vm" "readlink $sw/current; test -e $sw/upgrade-attempt && echo attempt; systemctl show -p ActiveState,MainPID applianced" 2>/dev/null) \
        && grep -q 'releases/9.9.8' <<< "$out" && grep -q attempt <<< "$out" && grep -q 'ActiveState=activating' <<< "$out" \
        && ! grep -q "MainPID=$pid\$" <<< "$out"; do
    t=$((t + 2)); [ "$t" -le 300 ] || fail "release 9.9.8 never started after the upgrade: ${out//$'\n'/ }"
    sleep 2
  done
  ok "9.9.8 is starting, not ready (${out//$'\n'/ }): pulling the plug"
  t0=$(date +%s)
  vm_power_cycle "$vm"
  ready=$(vm_wait_ready "$vm" 900)
  vm_wait_ssh "$vm"
  expect_in "after the power cut the previous release runs again" "\"$UPGRADE_VERSION\"" "$(vm_cli "$vm" status --json)"
  out=$(vm_root "$vm" "readlink $sw/current; ls $sw")
  expect_in "current points back at $UPGRADE_VERSION" "releases/$UPGRADE_VERSION" "$out"
  grep -qE 'upgrade-(pending.json|attempt)' <<< "$out" && fail "the pending upgrade was not cleared after the roll-back: ${out//$'\n'/ }"
  out=$(vm_cli "$vm" upgrade status 2>&1)
  expect_in "upgrade status reports the roll-back of 9.9.8" "9.9.8" "$out"
  expect_in "upgrade status says rolled back" "rolled back" "$out"
  out=$(vm_root "$vm" journalctl -b -u applianced --no-pager -o cat | grep -c '9.9.8 was started and never got ready: rolled back' || true)
  [ "${out:-0}" -ge 1 ] || fail "this boot's journal has no roll-back line for 9.9.8 from appliance-release-check"
  ok "the start check of the first boot after the cut rolled back (journal)"
  expect_unit_success "$vm" "after the power cut"
  number "power_cut_rollback_seconds=$(( $(date +%s) - t0 )) (power back on to the previous release answering over SSH; READY at ${ready}s, TCG)"
}

# upgrade_peer VM : sends $UPGRADE_PKG by sftp into the transfer area, runs `upgrade FILE` there
# (appliancectl finds FILE.sig beside it) and waits for the new release; prints the restart's seconds.
upgrade_peer() {
  local vm=$1 pid out took file; file=$(basename "$UPGRADE_PKG")
  printf 'put %s\nput %s.sig\n' "$UPGRADE_PKG" "$UPGRADE_PKG" | vm_sftp "$vm" > "$RUN/$vm-sftp.log" 2>&1 \
    || { cat "$RUN/$vm-sftp.log" >&2; fail "$vm: sftp put of the upgrade package"; }
  pid=$(vm_main_pid "$vm")
  out=$(vm_cli "$vm" upgrade "$file" --yes 2>&1) || fail "$vm: upgrade $file: $out"
  took=$(vm_wait_active "$vm" "$pid" 400)
  vm_wait_ssh "$vm"
  expect_in "$vm runs $UPGRADE_VERSION (the unit runs software/current)" "\"$UPGRADE_VERSION\"" "$(vm_cli "$vm" status --json)"
  echo "$took"
}

# The guide's "Upgrading a cluster" on two peers: vm1 stays in service while vm2 leaves, is
# upgraded and forms a cluster of its own; then vm1 leaves, is upgraded and joins vm2's cluster.
cluster_rolling_upgrade() {
  log "== rolling upgrade to $UPGRADE_VERSION (the guide's procedure)"
  local t0; t0=$(date +%s)
  vm_cli vm2 cluster leave --yes > /dev/null || fail "vm2: cluster leave"
  vm_cli vm1 cluster set-peers 198.18.0.11 > /dev/null || fail "vm1: set-peers without vm2"
  upgrade_peer vm2 > /dev/null
  printf '%s\n' "$CLUSTER_KEY" | vm_cli vm2 cluster set-key > /dev/null || fail "vm2: cluster set-key"
  vm_cli vm2 cluster set-peers 198.18.0.12 > /dev/null || fail "vm2: form a cluster of one"
  ok "vm2 left, was upgraded and formed a cluster of its own while vm1 served alone"
  vm_cli vm1 cluster leave --yes > /dev/null || fail "vm1: cluster leave"
  upgrade_peer vm1 > /dev/null
  vm_cli vm2 cluster set-peers 198.18.0.11 198.18.0.12 > /dev/null || fail "vm2: add vm1"
  printf '%s\n' "$CLUSTER_KEY" | vm_cli vm1 cluster set-key > /dev/null || fail "vm1: cluster set-key"
  vm_cli vm1 cluster set-peers 198.18.0.11 198.18.0.12 > /dev/null || fail "vm1: join"
  wait_for_text vm1 "Active as app2" > /dev/null; wait_for_text vm2 "Active as app1" > /dev/null
  wait_for_bridge vm1 boot-bridge-2
  ok "both peers run $UPGRADE_VERSION, clustered again, with the shared configuration"
  number "rolling_upgrade_seconds=$(( $(date +%s) - t0 )) (two peers, the guide's order, TCG)"
}
