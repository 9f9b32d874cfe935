# Boot-test checks of issue 17 points 6 and 7 (sourced; uses vm_root, vm_cli, ok, fail, expect_in, log).
#   check_net VM            one owner of eth0: the addresses and default route survive a networkd restart
#   check_boot_firewall VM  nftables.service loads the daemon's last table, which holds while applianced is stopped
# eth0 is the LAN these checks change; SSH must come in on eth1, or the VM would be cut off.

# Polls a root command (up to 60 s) until its output contains TEXT; prints the last output.
net_wait_for() {
  local vm=$1 cmd=$2 text=$3 out t
  for t in $(seq 1 12); do
    out=$(vm_root "$vm" "$cmd" 2>&1)
    grep -qF -- "$text" <<< "$out" && { printf '%s\n' "$out"; return 0; }
    sleep 5
  done
  printf '%s\n' "$out"
  return 1
}

check_net() {
  local vm=$1 show='ip -4 -br addr show eth0; ip route show default' addr before after out
  vm_root "$vm" 'ip -br link show eth1' > /dev/null 2>&1 \
    || fail "$vm: check_net needs SSH on eth1 (it changes eth0, the LAN)"
  addr=$(vm_root "$vm" 'ip -4 -br addr show eth0' | grep -oE '198\.1[89]\.[0-9]+\.[0-9]+' | head -n1)
  if ! vm_root "$vm" 'test -f /etc/systemd/network/05-appliance-eth0.network'; then
    # No LAN settings stored (a DHCP or kernel-command-line box): give eth0 a static address and gateway.
    addr=${addr:-198.18.0.11}
    vm_cli "$vm" config set ipv4.address "$addr" > /dev/null || fail "$vm: config set ipv4.address $addr"
    vm_cli "$vm" config set ipv4.mask 255.255.255.0 > /dev/null || fail "$vm: config set ipv4.mask"
    case $addr in
      198.18.0.1) ;;
      198.18.0.*) vm_cli "$vm" config set ipv4.gateway 198.18.0.1 > /dev/null || fail "$vm: config set ipv4.gateway" ;;
    esac
    vm_cli "$vm" config confirm > /dev/null || fail "$vm: config confirm (over SSH the LAN settings revert unless confirmed)"
  fi
  [ -n "$addr" ] || fail "$vm: eth0 has no 198.18.0.0/15 address and the LAN file exists"
  out=$(net_wait_for "$vm" "$show" "$addr/") || fail "$vm: eth0 never got $addr: $out"
  vm_cli "$vm" config set ipv4.additional 198.18.0.211 > /dev/null || fail "$vm: config set ipv4.additional"
  out=$(net_wait_for "$vm" "$show" 198.18.0.211/) || fail "$vm: the additional address never reached eth0: $out"
  out=$(vm_root "$vm" 'cat /etc/systemd/network/05-appliance-eth0.network')
  expect_in "$vm: applianced wrote the additional address into its networkd file" 'Address=198.18.0.211/' "$out"

  before=$(vm_root "$vm" "$show")
  vm_root "$vm" 'systemctl restart systemd-networkd' || fail "$vm: systemctl restart systemd-networkd"
  sleep 5
  after=$(vm_root "$vm" "$show")
  [ "$before" = "$after" ] || fail "$vm: networkd restart changed eth0 or the default route:
before: $before
after:  $after"
  expect_in "$vm: after 'systemctl restart systemd-networkd' eth0 keeps $addr, 198.18.0.211 and the default route" 198.18.0.211/ "$after"
  vm_cli "$vm" config unset ipv4.additional > /dev/null || fail "$vm: config unset ipv4.additional"
}

check_boot_firewall() {
  local vm=$1 out
  vm_root "$vm" 'test -s /var/lib/appliance/firewall/applianced.nft' || fail "$vm: applianced saved no firewall"
  out=$(vm_root "$vm" 'systemctl stop applianced; nft list tables') || fail "$vm: stopping applianced"
  expect_in "$vm: the daemon's table stays when applianced stops" 'table inet appliance' "$(grep -v appliance_base <<< "$out")"
  # PartOf=nftables.service restarts appliance-firewall after nftables: wait for that job to end.
  out=$(vm_root "$vm" 'nft flush ruleset; systemctl restart nftables; for i in $(seq 60); do s=$(systemctl is-active appliance-firewall); [ "$s" != activating ] && break; sleep 1; done; nft list tables; echo "$s"; [ "$s" = active ]') \
    || fail "$vm: reloading the firewall as at boot: $out"
  expect_in "$vm: nftables.service loads the base table" 'table inet appliance_base' "$out"
  expect_in "$vm: appliance-firewall.service loads the daemon's table with applianced stopped" 'table inet appliance' "$(grep -v appliance_base <<< "$out")"
  out=$(vm_root "$vm" 'nft list chain inet appliance input')
  expect_in "$vm: cluster ports closed to non-peers in the boot-loaded table" 'tcp dport { 4371, 4372 } drop' "$out"
  # SIP over TLS: the base table lets 5061 through, the daemon's table narrows it to the rendezvous addresses.
  expect_in "$vm: SIP over TLS narrowed by the daemon's boot-loaded table" 'tcp dport 5061 drop comment "sip-tls"' "$out"
  out=$(vm_root "$vm" 'nft list chain inet appliance_base input')
  expect_in "$vm: the base table lets SIP over TLS through to be narrowed" 'tcp dport 5061 accept' "$out"
  vm_root "$vm" 'systemctl start applianced' || fail "$vm: systemctl start applianced"
  ok "$vm: applianced started again"
}

# check_diagnostics VM : the restricted shell's diagnostics run by the daemon under its unit
# (CAP_NET_RAW for ping), and appliancectl's manual page is installed with the release.
check_diagnostics() {
  local vm=$1 out
  out=$(vm_cli "$vm" ping 127.0.0.1 --count 1 2>&1) || fail "$vm: ping through the daemon: $out"
  expect_in "ping run by the daemon under its unit" "1 received" "$out"
  out=$(vm_cli "$vm" show interfaces 2>&1) || fail "$vm: show interfaces: $out"
  expect_in "show interfaces lists eth0" "eth0" "$out"
  out=$(vm_root "$vm" 'head -c 300 /usr/local/share/man/man1/appliancectl.1') || fail "$vm: no appliancectl(1) on the image: $out"
  expect_in "appliancectl(1) is installed with the release" ".TH" "$out"
}
