# Boot-test check of issue 22 on the image: the peer serves its HTTPS pages under systemd (the
# unit's capabilities bind 443, the self-signed certificate is made and kept, TLS 1.2+ only).
# The pages listen on the LAN address, which qemu's LAN socket connects to nobody, so the host
# reaches them through SSH as root: bash's /dev/tcp in the VM carries the bytes (sshd forwards
# nothing, on purpose), and socat on the host gives curl and openssl a port.

# check_web VM
check_web() {
  local vm=$1 out listen port tunnel pid
  local t=0
  until listen=$(vm_root "$vm" 'ss -Hltn "sport = :443"' | awk '{print $4}' | head -1) && [ -n "$listen" ]; do
    t=$((t + 2)); [ "$t" -le 60 ] || { vm_root "$vm" 'journalctl -u applianced -b --no-pager | grep -i https' 2>&1 | sed 's/^/    vm| /'
      fail "nothing listens on 443 in the VM"; }
    sleep 2
  done
  ok "applianced listens on $listen (HTTPS administration)"
  local addr=${listen%:*}
  if [ "$addr" = '*' ] || [ "$addr" = 0.0.0.0 ]; then addr=127.0.0.1; fi

  port=$(free_port)
  tunnel=$RUN/$vm/web-tunnel.sh
  {
    echo '#!/bin/sh'
    printf 'exec ssh'; printf ' %q' "${SSH_OPTS[@]}" -i "$ROOT_KEY" -p "$(cat "$RUN/$vm/ssh.port")" root@127.0.0.1 \
      "exec bash -c 'exec 3<>/dev/tcp/$addr/443; cat <&3 & exec cat >&3'"; echo
  } > "$tunnel"
  chmod +x "$tunnel"
  # Bounded: a failing check exits through fail() without reaching the kill below, and must not
  # leave the listener behind.
  timeout 300 socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" "EXEC:$tunnel" 2> "$RUN/$vm/web-tunnel.log" &
  pid=$!
  sleep 1

  out=$(curl -sk -D - --max-time 60 "https://127.0.0.1:$port/login" 2>&1) || fail "curl of the login page through the tunnel failed: $out"
  expect_in "the login page answers 200 over HTTPS" 'HTTP/1.1 200' "$out"
  expect_in "the page asks for the admin's password" 'type="password"' "$out"
  expect_in "HSTS is sent" 'strict-transport-security' "${out,,}"
  out=$(curl -sk -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 60 "https://127.0.0.1:$port/" 2>&1) || true
  [[ $out == 30[23]*/login ]] || fail "the status page without a session answered '$out', not a redirect to the login"
  ok "no page without a session (the status page redirects: $out)"
  # SECLEVEL=0 lets this client offer TLS 1.1, so the refusal is the server's.
  out=$(timeout 60 openssl s_client -connect "127.0.0.1:$port" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' < /dev/null 2>&1) && fail "TLS 1.1 was accepted: $out"
  expect_in "TLS 1.1 refused by the server" 'alert protocol version' "$out"
  out=$(timeout 60 openssl s_client -connect "127.0.0.1:$port" -brief < /dev/null 2>&1) || true
  expect_in "TLS 1.3 by default" 'Protocol version: TLSv1.3' "$out"
  kill "$pid" 2>/dev/null || true
}
