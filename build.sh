#!/usr/bin/env bash
# One entry point for building, testing and running the appliance software.
# Every subcommand installs what it needs on a fresh Debian machine (as root) and is idempotent.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
OUT=$ROOT/out
CONFIG=${CONFIG:-Release}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '\n== %s\n' "$*"; }
source "$ROOT/tools/vendor-key.sh"

# Debian packages the tests and the demo use: socat (pty pairs for the LCD line), nftables,
# iproute2 and ethtool (the Linux HAL and the network harness), dbus (a private bus for the
# D-Bus tests), libpcap (SharpPcap captures), procps, tzdata (time zone validation), snmpd and
# snmp (the real agent and snmpget/snmpwalk for the SNMP tests).
APT_PACKAGES=(socat nftables iproute2 ethtool dbus libpcap0.8 procps tar gzip tzdata snmpd snmp)

ensure_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: missing Debian packages ${missing[*]} and not root: install them first" >&2
    return 1
  fi
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_dotnet() {
  command -v dotnet >/dev/null || { echo "build.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }
}

build() {
  ensure_dotnet
  say "restore and build ($CONFIG)"
  dotnet build Appliance.sln -c "$CONFIG" -v quiet -nologo -clp:NoSummary
}

# publish --vendor-key FILE.pub | --test-key: what ships trusts the vendor key it is given (tools/vendor-key.sh).
publish() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --vendor-key) [ $# -ge 2 ] || { echo "build.sh publish: --vendor-key needs a file" >&2; exit 1; }; VENDOR_KEY=$2; shift 2 ;;
      --test-key) TEST_KEY=1; shift ;;
      *) echo "build.sh publish: unknown option '$1' (--vendor-key FILE.pub | --test-key)" >&2; exit 1 ;;
    esac
  done
  ensure_dotnet
  vendor_key_check "build.sh publish"
  say "publish self-contained linux-x64 into $OUT/publish"
  rm -rf "$OUT/publish"
  local p key_args; mapfile -t key_args < <(vendor_key_build_args)
  for p in daemon/Applianced tools/appliancectl tools/lcdsim; do
    [ -d "$p" ] || continue
    dotnet publish "$p" -c Release -r linux-x64 --self-contained -o "$OUT/publish" -v quiet -nologo ${key_args[@]+"${key_args[@]}"}
  done
  ls -1 "$OUT/publish" | grep -E '^(applianced|appliancectl|lcdsim)$' || true
  vendor_key_verify "$OUT/publish"
  echo "applianced trusts the vendor key: $VENDOR_KEY_SAID"
}

run_tests() {
  ensure_apt
  build
  say "tests"
  if [ "$(id -u)" -ne 0 ]; then
    echo "!!! NOT ROOT: the network-harness tests (namespaces, nftables, captures) will be SKIPPED !!!" >&2
  fi
  local log=$OUT/test.log
  mkdir -p "$OUT"
  set +e
  dotnet test Appliance.sln -c "$CONFIG" --no-build -nologo \
    --logger "console;verbosity=normal" --blame-hang-timeout 5m 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  fuzz_smoke || rc=1
  # CI shows only the tail of the log: repeat each failure (name, message, start of the stack) here.
  awk '/^  Failed [A-Za-z]/ {n=25; print "FAILED:"} n > 0 {print; n--}' "$log"
  # One plain summary line for CI, summed over the test assemblies.
  awk '/^ +Passed: [0-9]+$/ {p+=$2} /^ +Failed: [0-9]+$/ {f+=$2} /^ +Skipped: [0-9]+$/ {s+=$2}
       END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
  return "$rc"
}

# Fuzzing (tools/fuzz/README.md): afl-fuzz from Debian, the SharpFuzz instrumenter from the tool manifest.
fuzz_run() {
  ensure_apt afl++ || return 1
  dotnet tool restore >/dev/null || return 1
  CONFIG=$CONFIG bash tools/fuzz/fuzz.sh "$@"
}

# A short run of every fuzz target after the tests; any crash or hang fails the run (0 s skips it).
fuzz_smoke() {
  [ "${FUZZ_SMOKE_SECONDS:-12}" != 0 ] || return 0
  say "fuzz smoke"
  fuzz_run --smoke --seconds "${FUZZ_SMOKE_SECONDS:-12}"
}

demo() {
  ensure_apt
  build
  CONFIG=$CONFIG bash tools/demo/demo.sh "$@"
}

bench() {
  ensure_apt
  build
  dotnet run --project tools/bench -c "$CONFIG" --no-build -- "$@"
}

case "${1:-}" in
  build) build ;;
  test) run_tests ;;
  demo) shift; demo "$@" ;;
  publish) shift; publish "$@" ;;
  bench) shift; bench "$@" ;;
  fuzz) shift; build; fuzz_run "$@" ;;
  deps) ensure_apt ;;
  image) shift; exec image/build-image.sh "$@" ;;
  *) echo "usage: ./build.sh test|demo|build|publish|bench|fuzz|image|deps (publish and image: --vendor-key FILE.pub | --test-key)" >&2; exit 1 ;;
esac
