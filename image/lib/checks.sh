# The boot test's scenarios (sourced by boot-test.sh after lib/qemu.sh).

# Fails unless OUTPUT contains TEXT; logs the check.
expect_in() {
  local what=$1 text=$2 output=$3
  grep -qF -- "$text" <<< "$output" || { printf '%s\n' "$output" | sed 's/^/    | /' >&2; fail "$what: no '$text' in the output above"; }
  ok "$what"
}

# run_check FUNCTION ARGS... : one procedure's checks, timed.
# BOOT_CHECKS="check_a check_b" runs only those (to iterate on one procedure by hand).
run_check() {
  local t0; t0=$(date +%s)
  if [ -n "${BOOT_CHECKS:-}" ] && [[ " $BOOT_CHECKS " != *" $1 "* ]]; then log "-- $1 SKIPPED (not in BOOT_CHECKS)"; return 0; fi
  declare -F "$1" > /dev/null || fail "$1 is not defined (image/lib/check-*.sh)"
  log "-- $1"
  "$@"
  number "check_seconds $1=$(( $(date +%s) - t0 ))"
}

test_single() {
  log "== single VM"
  local port; port=$(free_port)
  # eth0 is a LAN NIC with a static address from the kernel command line (a qemu UDP socket to
  # nobody), eth1 the maintenance user-net that carries SSH and, forwarded from the host, SNMP.
  SNMP_PORT=$(free_port); export SNMP_PORT
  vm_start vm0 "$port" 198.18.0.11/24 "$(free_port)" "$(free_port)"
  local ready; ready=$(vm_wait_ready vm0 900)
  number "boot_to_ready_seconds=$ready accel=$ACCEL_USED (qemu start to applianced active, from the host)"
  local start active
  start=$(probe vm0 ExecMainStartTimestampMonotonic); active=$(probe vm0 ActiveEnterTimestampMonotonic)
  number "kernel_to_ready_seconds=$(awk -v a="$active" 'BEGIN{printf "%.1f", a/1e6}') daemon_start_to_ready_seconds=$(awk -v a="$active" -v s="$start" 'BEGIN{printf "%.1f", (a-s)/1e6}')"
  [ "$(probe vm0 SubState)" = running ] || fail "applianced SubState is $(probe vm0 SubState)"
  local wd; wd=$(probe vm0 WatchdogUSec)
  [ -n "$wd" ] && [ "$wd" != 0 ] && [ "$wd" != infinity ] || fail "watchdog not armed (WatchdogUSec=$wd)"
  ok "applianced active/running under systemd, WatchdogUSec=$wd, NRestarts=$(probe vm0 NRestarts)"
  [ "$(probe vm0 JournalStarted)" -ge 1 ] || fail "the journal has no 'Started applianced.service' (READY=1)"
  [ "$(probe vm0 JournalWatchdog)" -ge 1 ] || fail "the journal has no watchdog ping message from applianced"
  ok "journal: systemd logged 'Started applianced.service' (READY=1) and applianced pings the watchdog"

  vm_wait_ssh vm0
  local out
  out=$(vm_root vm0 'systemctl is-active nftables; nft list tables') || fail "nftables.service is not active at boot: $out"
  expect_in "nftables.service loaded the base firewall at boot" 'table inet appliance_base' "$out"
  out=$(vm_cli vm0 status --json) || fail "ssh 'status --json' failed: $out"
  expect_in "ssh admin 'status --json' returns the daemon's status" '"host"' "$out"
  expect_in "status says the image's daemon trusts the vendor TEST key" '"vendorKey": "TEST' "$out"
  out=$(vm_cli vm0 status)
  expect_in "ssh admin 'status' prints the status table" appliance "$out"
  # /etc/issue of a --test-key image, shown by the serial console's getty at boot.
  local t=0
  until grep -qa 'TEST IMAGE: this appliance trusts the TEST vendor key' "$RUN/vm0/serial.log"; do
    t=$((t + 1)); [ "$t" -le 120 ] || fail "the console (serial log) never showed the TEST image banner of /etc/issue"
    sleep 1
  done
  ok "the console shows the TEST image banner (/etc/issue)"
  out=$(printf 'status\nexit\n' | timeout 120 ssh -tt "${SSH_OPTS[@]}" -i "$KEY" -p "$port" admin@127.0.0.1 2>&1) \
    || fail "interactive session did not end cleanly: $out"
  expect_in "interactive login (ssh -tt, 'status' then 'exit') runs the CLI shell" appliance "$out"

  # Every attempt to reach a shell must end in appliancectl's usage error, never in a shell.
  local attempt
  for attempt in 'sh -c id' ';id' 'status; id' 'status && id' '$(id)' '`id`' '/bin/sh' 'status | id'; do
    out=$(vm_cli vm0 "$attempt" 2>&1) && fail "'$attempt' succeeded: $out"
    grep -q 'uid=' <<< "$out" && fail "'$attempt' ran a shell command: $out"
  done
  ok "no shell escape: sh -c id, ;id, &&, |, \$( ), backquotes, /bin/sh all rejected by appliancectl"
  out=$(timeout 60 ssh "${SSH_OPTS[@]}" -i "$KEY" -p "$port" -W 127.0.0.1:22 admin@127.0.0.1 < /dev/null 2>&1) \
    && fail "stdio forwarding (-W) accepted"
  ok "no TCP forwarding (-W refused: ${out//$'\n'/ })"

  # The operator's procedures, each in image/lib/check-*.sh (a part not built yet is skipped loudly).
  run_check check_restart vm0
  run_check check_files vm0
  run_check check_upgrade vm0
  run_check check_upgrade_power_cut vm0
  run_check check_services vm0
  run_check check_certs vm0
  run_check check_lcd vm0
  run_check check_keys vm0
  run_check check_net vm0
  run_check check_diagnostics vm0
  run_check check_boot_firewall vm0
  run_check check_web vm0
  run_check check_watchdog vm0

  sleep 20   # let the probe report again once the daemon has settled
  number "daemon_rss_mib=$(awk -v k="$(probe vm0 RssKiB)" 'BEGIN{printf "%.1f", k/1024}') (VmRSS of applianced in the VM, idle, standalone)"
  vm_kill vm0
}

# Prints a Full release key for SERIAL, signed on the host with the vendor TEST key (keytool).
issue_release_key() {
  local dll=$ROOT/tools/keytool/bin/Release/net10.0/keytool.dll
  if [ ! -f "$dll" ]; then
    dotnet build "$ROOT/tools/keytool" -c Release -v quiet -nologo > "$RUN/keytool-build.log" 2>&1 \
      || { tail -20 "$RUN/keytool-build.log" >&2; fail "building tools/keytool failed"; }
  fi
  dotnet "$dll" issue-release --serial "$1" --edition full 2> /dev/null
}

# The guide's first step: read the box's serial, get its release key from the vendor, install it
# (over SSH the key goes on stdin: no file on the box). Without it a peer is Essentials and
# 'cluster set-peers' with a second address is refused (R14).
install_release_key() {
  local vm=$1 out serial key
  out=$(vm_cli "$vm" licence show --json) || fail "$vm: licence show --json: $out"
  serial=$(grep -o '"serial": *"[^"]*"' <<< "$out" | head -1 | sed 's/.*: *"//; s/"$//')
  [ "$serial" = "$(vm_serial "$vm")" ] || fail "$vm: licence show reports serial '$serial', not the DMI serial $(vm_serial "$vm")"
  key=$(issue_release_key "$serial") && [ -n "$key" ] || fail "keytool issue-release --serial $serial failed"
  out=$(printf '%s\n' "$key" | vm_cli "$vm" licence add - 2>&1) || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "$vm: licence add -"; }
  out=$(vm_cli "$vm" licence show --json)
  grep -q '"edition": *"Full"' <<< "$out" || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "$vm: not Full after licence add"; }
  ok "$vm: serial $serial (DMI), Full release key issued with the vendor test key and installed over SSH"
}

# Runs the cluster set-up of one peer over SSH, as the operator would.
configure_peer() {
  local vm=$1 host=$2 ip=$3; shift 3
  install_release_key "$vm"
  vm_cli "$vm" config set system.hostname "$host" > /dev/null || fail "$vm: set host name"
  vm_cli "$vm" config set ipv4.address "$ip" > /dev/null || fail "$vm: set ipv4.address"
  vm_cli "$vm" config set ipv4.mask 255.255.255.0 > /dev/null || fail "$vm: set ipv4.mask"
  vm_cli "$vm" config confirm > /dev/null || fail "$vm: config confirm (over SSH the address reverts unless confirmed)"
  printf '%s\n' "$CLUSTER_KEY" | vm_cli "$vm" cluster set-key > /dev/null || fail "$vm: cluster set-key"
  vm_cli "$vm" cluster set-peers "$@" > /dev/null || fail "$vm: cluster set-peers $*"
  ok "$vm configured over SSH: host $host, LAN $ip/24, key (stdin), peers $*"
}

# Waits until VM's 'cluster show' says TEXT; prints the seconds it took.
wait_for_text() {
  local vm=$1 text=$2 timeout=${3:-300} t0 out
  t0=$(date +%s)
  while :; do
    out=$(vm_cli "$vm" cluster show 2>&1 || true)
    grep -qF -- "$text" <<< "$out" && { echo $(( $(date +%s) - t0 )); return 0; }
    [ $(( $(date +%s) - t0 )) -le "$timeout" ] || { printf '%s\n' "$out" | sed 's/^/    | /' >&2; save_events; fail "$vm: no '$text' after ${timeout}s"; }
    sleep 3
  done
}

test_cluster() {
  log "== two VMs on one segment"
  SNMP_PORT=   # no SNMP forward for these VMs
  CLUSTER_KEY="boot-test-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  local p1 p2 u1 u2
  p1=$(free_port); p2=$(free_port); u1=$(free_port); u2=$(free_port)
  local t0; t0=$(date +%s)
  vm_start vm1 "$p1" 198.18.0.11/24 "$u1" "$u2"
  vm_start vm2 "$p2" 198.18.0.12/24 "$u2" "$u1"
  local r1 r2; r1=$(vm_wait_ready vm1 1200); r2=$(vm_wait_ready vm2 1200)
  number "cluster_boot_to_ready_seconds vm1=$r1 vm2=$r2 (both booting at once, accel $ACCEL_USED)"
  vm_wait_ssh vm1; vm_wait_ssh vm2

  # The guide's order: form on the first peer with its own address, add the second there, then
  # give the second the key and the same list.
  configure_peer vm1 app1 198.18.0.11 198.18.0.11
  vm_cli vm1 cluster set-peers 198.18.0.11 198.18.0.12 > /dev/null || fail "vm1: add the second peer"
  configure_peer vm2 app2 198.18.0.12 198.18.0.11 198.18.0.12
  local s1 s2 tc; tc=$(date +%s)
  s1=$(wait_for_text vm1 "Active as app2"); s2=$(wait_for_text vm2 "Active as app1")
  ok "vm1 reports 'Active as app2' (${s1}s), vm2 reports 'Active as app1' (${s2}s)"
  number "cluster_form_seconds=$(( $(date +%s) - tc )) (vm2's set-peers done to both seen 'Active as' over SSH; $(( $(date +%s) - t0 )) s from qemu start)"

  vm_cli vm1 config add bridges boot-bridge-1 address=198.18.0.50 > /dev/null || fail "vm1: config add bridges"
  wait_for_bridge vm2 boot-bridge-1
  ok "a bridge added on vm1 appears on vm2"

  log "killing vm2 (SIGKILL to qemu) and changing the configuration on vm1 meanwhile"
  vm_kill vm2
  local down; down=$(wait_for_text_absent vm1 "Active as app2" 120)
  ok "vm1 notices vm2 gone within ${down}s: $(vm_cli vm1 cluster show 2>&1 | grep -i -m1 '198.18.0.12' | tr -s ' ')"
  vm_cli vm1 config add bridges boot-bridge-2 address=198.18.0.51 > /dev/null || fail "vm1: config add while vm2 is down"
  local t1; t1=$(date +%s)
  vm_start vm2 "$p2" 198.18.0.12/24 "$u2" "$u1"
  r2=$(vm_wait_ready vm2 1200)
  vm_wait_ssh vm2
  s1=$(wait_for_text vm1 "Active as app2"); s2=$(wait_for_text vm2 "Active as app1")
  wait_for_bridge vm2 boot-bridge-2
  number "rejoin_seconds=$(( $(date +%s) - t1 )) (qemu start of vm2 to both active and caught up; READY at ${r2}s)"
  ok "after the reboot both are active again and vm2 has the change made while it was down"
  local v1 v2
  v1=$(vm_cli vm1 config show bridges 2>&1); v2=$(vm_cli vm2 config show bridges 2>&1)
  [ "$v1" = "$v2" ] || { echo "$v1"; echo "$v2"; fail "vm1 and vm2 show different bridges"; }
  ok "vm1 and vm2 agree on the shared configuration (config show bridges)"
  local verify; verify=$(vm_cli vm1 cluster verify --json 2>&1 || true)
  grep -qE '"inSync": ?true' <<< "$verify" || { printf '%s\n' "$verify" | sed 's/^/    | /'; fail "cluster verify on vm1 does not report inSync"; }
  ok "cluster verify on vm1: every collection matches on both peers"
  cluster_rolling_upgrade
  number "daemon_rss_mib_clustered vm1=$(awk -v k="$(probe vm1 RssKiB)" 'BEGIN{printf "%.1f", k/1024}') vm2=$(awk -v k="$(probe vm2 RssKiB)" 'BEGIN{printf "%.1f", k/1024}') (VmRSS of applianced, two-peer cluster)"
}

# Keeps each VM's event log in its run directory (for a failure's post-mortem).
save_events() {
  local v
  for v in ${VMS[@]+"${VMS[@]}"}; do
    vm_alive "$v" && vm_cli "$v" log events --limit 500 > "$RUN/$v/events.txt" 2>&1 || true
  done
  log "event logs saved in $RUN/*/events.txt"
}

wait_for_bridge() {
  local vm=$1 name=$2 t=0
  until vm_cli "$vm" config show bridges 2>/dev/null | grep -qF "$name"; do
    t=$((t + 2)); [ "$t" -le 120 ] || fail "$vm: bridge $name not replicated after 120 s"
    sleep 2
  done
}

wait_for_text_absent() {
  local vm=$1 text=$2 timeout=$3 t0; t0=$(date +%s)
  while vm_cli "$vm" cluster show 2>&1 | grep -qF -- "$text"; do
    [ $(( $(date +%s) - t0 )) -le "$timeout" ] || fail "$vm: still '$text' ${timeout}s after the kill"
    sleep 1
  done
  echo $(( $(date +%s) - t0 ))
}
