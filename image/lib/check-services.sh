# Boot-test check of point 5 for SSH and SNMP (sourced after lib/qemu.sh and lib/checks.sh).
# Needs on the host: snmpwalk (Debian package snmp) and the VM's UDP forward
# hostfwd=tcp:127.0.0.1:$SNMP_PORT-:161 on the management net (see lib/qemu.sh: TCP, not UDP).

# check_services VM
check_services() {
  local vm=$1 out
  : "${SNMP_PORT:?check_services needs SNMP_PORT (the host end of the TCP 161 forward to the VM)}"
  local community="bt-$RANDOM$RANDOM"
  printf '%s\n' "$community" | vm_cli "$vm" config set snmp.community > /dev/null || fail "config set snmp.community (stdin) failed"
  vm_cli "$vm" config set snmp.contact noc@example.test > /dev/null || fail "config set snmp.contact failed"
  vm_cli "$vm" config set snmp.location rack-4 > /dev/null || fail "config set snmp.location failed"
  vm_cli "$vm" config set snmp.enabled true > /dev/null || fail "config set snmp.enabled true failed"

  # From the host over TCP (qemu's restricted user network carries no UDP replies; the test image's
  # snmpd also listens on tcp:161): the base table lets only udp/161 in, so the test opens tcp/161.
  # UDP 161 through both tables is proven by SnmpFirewallNamespaceTests.
  vm_root "$vm" 'nft insert rule inet appliance_base input tcp dport 161 accept comment boot-test-snmp-over-tcp' \
    || fail "opening tcp/161 for the boot test's snmpwalk"
  # The applier restarts snmpd and opens UDP 161 right after the commit; allow it a few tries.
  local t=0
  until out=$(snmpwalk -v2c -c "$community" -t 3 -r 1 -m '' -On "tcp:127.0.0.1:$SNMP_PORT" .1.3.6.1.2.1.1 2>&1) \
      && grep -q '^.1.3.6.1.2.1.1.4.0 = ' <<< "$out"; do
    t=$((t + 5)); [ "$t" -le 120 ] || { printf '%s\n' "$out" | sed 's/^/    | /'
      vm_root "$vm" 'systemctl status snmpd --no-pager; ls -l /var/lib/appliance/snmp /run/appliance/snmp; ss -ulpn; nft list ruleset | grep -n 161' 2>&1 | sed 's/^/    vm| /'
      vm_cli "$vm" status 2>&1 | sed 's/^/    vm| /'
      fail "snmpwalk of the system group got no answer in 120 s"; }
    sleep 5
  done
  expect_in "snmpwalk from the host: sysContact is the configured contact" '.1.3.6.1.2.1.1.4.0 = STRING: "noc@example.test"' "$out"
  # NET-SNMP-EXTEND-MIB::nsExtendOutput1Line."peerState" (the name as a length-prefixed string index).
  out=$(snmpwalk -v2c -c "$community" -t 3 -r 1 -m '' -On "tcp:127.0.0.1:$SNMP_PORT" \
    .1.3.6.1.4.1.8072.1.3.2.3.1.1.9.112.101.101.114.83.116.97.116.101 2>&1) || fail "snmpwalk of the peerState extend failed: $out"
  expect_in "snmpwalk from the host: the peerState extend says standalone" 'STRING: "standalone"' "$out"

  # Stopping sshd is refused while the console login (admin.password) is not possible.
  out=$(vm_cli "$vm" config get admin.password 2>&1)
  if grep -q 'not set' <<< "$out"; then
    out=$(vm_cli "$vm" config set ssh.enabled false 2>&1) && fail "ssh.enabled false was accepted without an admin password: $out"
    expect_in "ssh.enabled false is refused without admin.password" 'admin.password is not set' "$out"
  else
    log "admin.password is set on this image: the ssh.enabled refusal is covered by the unit tests only"
  fi
}
