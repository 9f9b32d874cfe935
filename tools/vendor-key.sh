# The vendor public key a shipped build trusts (daemon/Applianced/VendorKey.targets), for
# build.sh publish and image/build-image.sh (sourced; ROOT is the repository).
# The caller sets VENDOR_KEY (a public key file) or TEST_KEY=1 from its options, then calls
# vendor_key_check before building and vendor_key_verify on what it built or was given.

VENDOR_KEY=${VENDOR_KEY:-}
TEST_KEY=${TEST_KEY:-0}

vendor_key_fail() { echo "$VENDOR_KEY_WHO: $*" >&2; exit 1; }

# Refuses a build that names no key (a production build must never fall back to the TEST key),
# or both; checks a key file with the daemon build's own rule, so it is refused in seconds.
vendor_key_check() {
  VENDOR_KEY_WHO=$1
  if [ -n "$VENDOR_KEY" ] && [ "$TEST_KEY" = 1 ]; then
    vendor_key_fail "--vendor-key and --test-key exclude each other"
  fi
  if [ -z "$VENDOR_KEY" ] && [ "$TEST_KEY" != 1 ]; then
    vendor_key_fail "refused: no vendor key. A build that ships gives the vendor's public key," \
      "kept outside this repository: --vendor-key FILE.pub (ECDSA P-256, PEM). A test build says" \
      "--test-key: it trusts the checked-in TEST key, for which anyone holding the repository can sign."
  fi
  [ "$TEST_KEY" = 1 ] && return 0
  [ -f "$VENDOR_KEY" ] || vendor_key_fail "--vendor-key $VENDOR_KEY: no such file"
  VENDOR_KEY=$(realpath "$VENDOR_KEY")
  local out
  out=$(dotnet msbuild "$ROOT/daemon/Applianced/Applianced.csproj" -t:CheckVendorKeyFile \
    "-p:VendorKeyFile=$VENDOR_KEY" -nologo -v:quiet 2>&1) \
    || vendor_key_fail "--vendor-key refused: $(sed -nE 's/^.*error : //; s/ \[[^]]*\]$//p' <<< "$out" | head -1)"
  [ "$(vendor_key_fingerprint "$VENDOR_KEY")" != "$(vendor_key_fingerprint "$ROOT/daemon/Applianced/Licensing/test-vendor-public.pem")" ] \
    || vendor_key_fail "--vendor-key $VENDOR_KEY is the checked-in TEST key; a test build says --test-key"
}

# The arguments that make dotnet build or publish embed the chosen key (none: the TEST key).
vendor_key_build_args() {
  [ -n "$VENDOR_KEY" ] && printf '%s\n' "-p:VendorKeyFile=$VENDOR_KEY"
  return 0
}

# SHA-256 of the key's DER, as the daemon shows it (VendorKey.Fingerprint).
vendor_key_fingerprint() {
  sed -n '/-----BEGIN PUBLIC KEY-----/,/-----END PUBLIC KEY-----/p' "$1" | sed '/-----/d' | tr -d ' \r\n' \
    | base64 -d | sha256sum | cut -d' ' -f1
}

# Fails unless the applianced in DIR trusts the key that was asked for, by its own account; sets
# VENDOR_KEY_SAID to that account. A --vendor-key file holding the TEST key is refused here too.
vendor_key_verify() {
  local dir=$1
  VENDOR_KEY_SAID=$("$dir/applianced" --show-vendor-key) || vendor_key_fail "$dir/applianced --show-vendor-key failed"
  if [ "$TEST_KEY" = 1 ]; then
    [[ $VENDOR_KEY_SAID == TEST* ]] || vendor_key_fail "$dir/applianced trusts '$VENDOR_KEY_SAID', not the TEST key (--test-key)"
  else
    local fp; fp=$(vendor_key_fingerprint "$VENDOR_KEY")
    [ "$VENDOR_KEY_SAID" = "production, SHA-256 $fp" ] \
      || vendor_key_fail "$dir/applianced trusts '$VENDOR_KEY_SAID', not --vendor-key $VENDOR_KEY (SHA-256 $fp)"
  fi
}
