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
# The image boot test (./build.sh test as root): the image build installs its own host tools
# (debootstrap, qemu, ...); the checks make certificates with openssl and use sftp/scp.
APT_PACKAGES+=(openssl openssh-client passwd libcrypt1)
# The CLI's terminal tests: tmux (a real terminal driven as a person would), man-db and groff-base
# (the manual page rendered with man -l); the daemon's diagnostics run ping and traceroute.
APT_PACKAGES+=(tmux man-db groff-base iputils-ping traceroute)
# The SIP trunk's tests: sipsak (OPTIONS like a monitor sends), kamailio (the call processor's
# dispatcher pinging the peers) and baresip (an endpoint calling through the B2BUA).
APT_PACKAGES+=(sipsak kamailio baresip-core)
# The HTTPS pages' tests drive Debian's headless Chromium over its DevTools protocol.
APT_PACKAGES+=(chromium)

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

# publish --vendor-key FILE.pub | --test-key [--version V] [--out DIR]: what ships trusts the
# vendor key it is given (tools/vendor-key.sh); --version overrides Directory.Build.props' (1.0.0).
publish() {
  local dir=$OUT/publish version_args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --vendor-key) [ $# -ge 2 ] || { echo "build.sh publish: --vendor-key needs a file" >&2; exit 1; }; VENDOR_KEY=$2; shift 2 ;;
      --test-key) TEST_KEY=1; shift ;;
      --version) [ $# -ge 2 ] || { echo "build.sh publish: --version needs a value" >&2; exit 1; }; version_args=("-p:Version=$2"); shift 2 ;;
      --out) [ $# -ge 2 ] || { echo "build.sh publish: --out needs a directory" >&2; exit 1; }; dir=$2; shift 2 ;;
      *) echo "build.sh publish: unknown option '$1' (--vendor-key FILE.pub | --test-key, --version V, --out DIR)" >&2; exit 1 ;;
    esac
  done
  ensure_dotnet
  vendor_key_check "build.sh publish"
  # ReadyToRun: our assemblies and their packages compiled ahead (the framework's already are), so
  # a start JITs less: applianced's CPU to its first answer went from 0.81 to 0.62 s on the build
  # machine, and every restart, restore and upgrade on the box waits for that.
  say "publish self-contained linux-x64 (ReadyToRun) into $dir"
  rm -rf "$dir"
  local p key_args; mapfile -t key_args < <(vendor_key_build_args)
  for p in daemon/Applianced tools/appliancectl tools/lcdsim; do
    [ -d "$p" ] || continue
    dotnet publish "$p" -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=true -o "$dir" -v quiet -nologo \
      ${key_args[@]+"${key_args[@]}"} ${version_args[@]+"${version_args[@]}"}
  done
  rm -f "$dir"/*.pdb
  # The manual page, from the same command table as `help`: it travels with the release (an
  # upgrade brings the page of the CLI it installs; the image links it as appliancectl(1)).
  "$dir/appliancectl" --man > "$dir/appliancectl.1"
  ls -1 "$dir" | grep -E '^(applianced|appliancectl|appliancectl\.1|lcdsim)$' || true
  vendor_key_verify "$dir"
  echo "applianced $("$dir/applianced" --version) trusts the vendor key: $VENDOR_KEY_SAID"
}

# package --version V (--test-key | --vendor-key FILE.pub --sign-key FILE.pem) [--out DIR]:
# an upgrade package (R13, UPGRADE.md): DIR/applianced-V.tar.gz (VERSION + app/) and its .sig.
package() {
  local version= dir=$OUT/packages sign=() pub=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --version) version=${2:-}; shift 2 ;;
      --out) dir=${2:-}; shift 2 ;;
      --sign-key) sign=(--key "${2:-}"); shift 2 ;;
      --test-key) pub+=(--test-key); shift ;;
      --vendor-key) pub+=(--vendor-key "${2:-}"); shift 2 ;;
      *) echo "build.sh package: unknown option '$1' (--version V, --test-key | --vendor-key FILE.pub --sign-key FILE.pem, --out DIR)" >&2; exit 1 ;;
    esac
  done
  [ -n "$version" ] || { echo "build.sh package: --version V is required (the release's version)" >&2; exit 1; }
  [[ " ${pub[*]-} " != *" --vendor-key "* ]] || [ ${#sign[@]} -gt 0 ] \
    || { echo "build.sh package: a --vendor-key package is signed with the vendor's private key: --sign-key FILE.pem" >&2; exit 1; }
  local work=$OUT/package-work/$version
  publish ${pub[@]+"${pub[@]}"} --version "$version" --out "$work/app"
  echo "$version" > "$work/VERSION"
  mkdir -p "$dir"
  tar -C "$work" --owner=0 --group=0 -czf "$dir/applianced-$version.tar.gz" VERSION app
  dotnet build tools/keytool -c Release -v quiet -nologo -clp:NoSummary >/dev/null
  dotnet tools/keytool/bin/Release/net10.0/keytool.dll sign-package "$dir/applianced-$version.tar.gz" ${sign[@]+"${sign[@]}"}
  rm -rf "$work"
  ls -l "$dir/applianced-$version.tar.gz" "$dir/applianced-$version.tar.gz.sig"
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
  # The boot test starts by fetching its Debian base (network, little CPU): the fuzz smoke runs
  # meanwhile. Its apt packages first, so the two never wait on (or fail at) dpkg's lock together.
  if [ "${FUZZ_SMOKE_SECONDS:-12}" != 0 ]; then ensure_apt afl++ || rc=1; fi
  image_boot_test & local boot=$!
  fuzz_smoke || rc=1
  wait "$boot" || rc=1
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

# The single-VM boot test after the tests (image/boot-test.sh single: the image built with the
# TEST key, booted under qemu, every maintenance procedure over SSH). It needs root; elsewhere it
# says SKIPPED. IMAGE_TEST=0 skips it on purpose (and says so).
image_boot_test() {
  if [ "${IMAGE_TEST:-1}" = 0 ]; then echo "image boot test: SKIPPED (IMAGE_TEST=0)"; return 0; fi
  if [ "$(id -u)" -ne 0 ]; then echo "!!! image boot test: SKIPPED (needs root: debootstrap, chroot, qemu) !!!" >&2; return 0; fi
  say "image boot test (single VM; the base file system is cached in out/image-cache)"
  local t0=$SECONDS rc=0
  timeout 40m "$ROOT/image/boot-test.sh" single 2>&1 | tee "$OUT/boot-test.log" || rc=1
  [ "${PIPESTATUS[0]}" = 0 ] || rc=1
  echo "image boot test: $([ $rc = 0 ] && echo passed || echo FAILED) in $(( SECONDS - t0 )) s (log: out/boot-test.log)"
  return $rc
}

demo() {
  ensure_apt
  build
  CONFIG=$CONFIG bash tools/demo/demo.sh "$@"
}

# What only the benchmarks use: api-cluster runs a 3-member etcd beside the daemons (issue 19).
BENCH_APT_PACKAGES=(etcd-server)

bench() {
  ensure_apt "${BENCH_APT_PACKAGES[@]}"
  build
  # api-cluster runs the daemons the way the box does: the self-contained ReadyToRun publish
  # (BENCH_DAEMON names it; set it to measure another build).
  if [ "${1:-}" = api-cluster ] && [ -z "${BENCH_DAEMON:-}" ]; then
    say "publish for the benchmark's daemons (out/bench-publish)"
    mkdir -p "$OUT"
    publish --test-key --out "$OUT/bench-publish" > "$OUT/bench-publish.log" 2>&1 \
      || { tail -20 "$OUT/bench-publish.log" >&2; exit 1; }
    export BENCH_DAEMON=$OUT/bench-publish/applianced
  fi
  dotnet run --project tools/bench -c "$CONFIG" --no-build -- "$@"
}

case "${1:-}" in
  build) build ;;
  test) run_tests ;;
  demo) shift; demo "$@" ;;
  publish) shift; publish "$@" ;;
  package) shift; package "$@" ;;
  bench) shift; bench "$@" ;;
  fuzz) shift; build; fuzz_run "$@" ;;
  deps) ensure_apt ;;
  image) shift; exec image/build-image.sh "$@" ;;
  *) echo "usage: ./build.sh test|demo|build|publish|package|bench|fuzz|image|deps (publish, package and image: --vendor-key FILE.pub | --test-key)" >&2; exit 1 ;;
esac
