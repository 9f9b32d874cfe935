# check_keys VM: accounts on the booted image (issue 17, point 4): admin.password reaches
# /etc/shadow as a yescrypt hash, and SSH keys are managed from the CLI: a second key is added over
# SSH and logs in, the first (the image's seed key) is removed and no longer does.
# Afterwards KEY is the second key's private key (exported): the first is gone from the box, and
# the checks after this one log in with $KEY. Run the root-side password part first: vm_root logs
# in as root with the image's own root key, which this check does not change.
check_keys() {
  local vm=$1 port out before after first_fp first_name second=$RUN/$1-second-key t
  port=$(cat "$RUN/$vm/ssh.port")

  # Passwords: the prompt reads the value and its confirmation as two stdin lines.
  before=$(vm_root "$vm" 'getent shadow admin | cut -d: -f2')
  out=$(printf 'Boot-test-pw1\nBoot-test-pw1\n' | vm_cli "$vm" config set admin.password 2>&1) \
    || fail "config set admin.password (stdin): $out"
  t=0
  until after=$(vm_root "$vm" 'getent shadow admin | cut -d: -f2') && [ "$after" != "$before" ]; do
    t=$((t + 2)); [ "$t" -le 60 ] || fail "admin's /etc/shadow hash did not change within 60 s of config set admin.password"
    sleep 2
  done
  [ "$(vm_root "$vm" 'getent shadow admin | cut -d: -f2 | cut -c1-3')" = '$y$' ] \
    || fail "admin's /etc/shadow hash is not yescrypt (\$y\$) after config set admin.password"
  ok "config set admin.password reached /etc/shadow through appliance-accounts (yescrypt \$y\$)"

  # Keys: the seed key is listed with the fingerprint ssh-keygen gives it here.
  first_fp=$(ssh-keygen -lf "$KEY.pub" | awk '{print $2}')
  out=$(vm_cli "$vm" ssh-keys list --json) || fail "ssh-keys list --json: $out"
  first_name=$(tr -d ' \n' <<< "$out" | grep -o "\"name\":\"[^\"]*\",\"type\":\"[^\"]*\",\"bits\":[0-9]*,\"fingerprint\":\"$first_fp\"" \
    | sed 's/^"name":"//; s/".*//')
  [ -n "$first_name" ] || { printf '%s\n' "$out" | sed 's/^/    | /'; fail "ssh-keys list --json has no key with the seed key's fingerprint $first_fp"; }
  ok "ssh-keys list shows the seed key '$first_name' with ssh-keygen's fingerprint $first_fp"

  rm -f "$second" "$second.pub"
  ssh-keygen -q -t ed25519 -N '' -C boot-test-second -f "$second"
  out=$(vm_cli "$vm" ssh-keys add second - < "$second.pub" 2>&1) || fail "ssh-keys add second - (stdin): $out"
  expect_in "ssh-keys add second - (the key on stdin)" "added: second" "$out"
  t=0
  until out=$(ssh "${SSH_OPTS[@]}" -i "$second" -p "$port" admin@127.0.0.1 status 2>&1); do
    t=$((t + 2)); [ "$t" -le 30 ] || fail "the second key does not log in: $out"
    sleep 2
  done
  expect_in "the second key logs in (ssh -i second, status)" appliance "$out"

  out=$(vm_cli "$vm" ssh-keys remove "$first_name" 2>&1) || fail "ssh-keys remove $first_name: $out"
  t=0
  while ssh "${SSH_OPTS[@]}" -i "$KEY" -p "$port" admin@127.0.0.1 status > /dev/null 2>&1; do
    t=$((t + 2)); [ "$t" -le 30 ] || fail "the removed seed key '$first_name' still logs in after 30 s"
    sleep 2
  done
  out=$(ssh "${SSH_OPTS[@]}" -i "$second" -p "$port" admin@127.0.0.1 status 2>&1) || fail "the second key stopped working: $out"
  ok "after ssh-keys remove $first_name the seed key is refused and the second key still logs in"

  # From here on the second key is the way in.
  KEY=$second
  export KEY
}
