# Boot-test check of certificates (issue 17, point 5): a CA bundle made on the host with openssl is
# uploaded over SSH from stdin, selected as the syslog TLS trust and listed; a server certificate
# offered as a CA bundle is refused with the reason. Uses vm_cli, fail, ok, expect_in and $RUN.
check_certs() {
  local vm=$1 dir=$RUN/$1/certs out
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" -out "$dir/ca.pem" \
    -days 365 -subj "/CN=Boot Test CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign > "$dir/openssl.log" 2>&1 \
    && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/server.key" -out "$dir/server.csr" \
      -subj "/CN=syslog.test" >> "$dir/openssl.log" 2>&1 \
    && openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -days 90 -out "$dir/server.pem" \
      -extfile <(printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:syslog.test\n') \
      >> "$dir/openssl.log" 2>&1 \
    || { cat "$dir/openssl.log" >&2; fail "openssl could not make the test CA and server certificate"; }

  out=$(vm_cli "$vm" certificates add-ca lab - < "$dir/ca.pem" 2>&1) || fail "certificates add-ca lab - failed: $out"
  expect_in "certificates add-ca lab - (PEM on stdin over SSH) installs the bundle" "CA bundle 'lab' installed" "$out"
  out=$(vm_cli "$vm" config set certificates.trustedCa lab 2>&1) || fail "config set certificates.trustedCa lab failed: $out"
  out=$(vm_cli "$vm" certificates list 2>&1) || fail "certificates list failed: $out"
  expect_in "certificates list shows the bundle selected as certificates.trustedCa" "certificates.trustedCa" "$out"
  expect_in "certificates list shows the CA's subject" "CN=Boot Test CA" "$out"
  out=$(vm_cli "$vm" certificates add-ca wrong - < "$dir/server.pem" 2>&1) && fail "a server certificate was accepted as a CA bundle: $out"
  expect_in "a server certificate offered as a CA bundle is refused, naming it" \
    "certificate 1 (CN=syslog.test) is not a CA certificate" "$out"
}
