#!/usr/bin/env bash
# Runs afl-fuzz on the targets of tools/fuzz (README.md beside this file). Called by
# `./build.sh fuzz [TARGET...] [--seconds N]` and, as a short smoke, by `./build.sh test`; expects
# the solution built ($CONFIG), afl-fuzz installed and the SharpFuzz tool restored.
# Prints one line per target and a summary; exits 1 if any target crashed, hung or did not run.
set -euo pipefail
cd "$(dirname "$0")/../.."
CONFIG=${CONFIG:-Release}
OUT=$PWD/out/fuzz
BIN=$OUT/bin
# The build output, uninstrumented: instrumented code runs only under afl-fuzz or Fuzzer.Run.
PLAIN=tools/fuzz/bin/$CONFIG/net10.0/fuzz.dll
SECONDS_EACH=120
LABEL=fuzz
TARGETS=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_EACH=$2; shift 2 ;;
    --smoke) LABEL="fuzz smoke"; shift ;;
    -*) echo "usage: fuzz.sh [TARGET...] [--seconds N] [--smoke]" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done

# Instrument a copy: the build output stays uninstrumented for the tests and the daemon.
rm -rf "$BIN"
mkdir -p "$OUT"
cp -a "$(dirname "$PLAIN")" "$BIN"
for dll in applianced.dll Appliance.Hal.dll Appliance.Sip.dll; do
  dotnet tool run sharpfuzz "$BIN/$dll" >/dev/null
done
[ ${#TARGETS[@]} -gt 0 ] || mapfile -t TARGETS < <(dotnet "$PLAIN" --list | awk '{print $1}')

# The binary afl runs is dotnet, which is not instrumented (SharpFuzz instruments the assemblies),
# so the binary check is off. No UI, no core pinning (shared machines), no core_pattern change
# needed. A run is bounded by -V. An execution over 1 s is retried with 5 s before it counts as a
# hang. The heap limit (1 GiB) turns an unbounded allocation into an OutOfMemoryException, a crash.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
  AFL_NO_AFFINITY=1 AFL_FAST_CAL=1 AFL_HANG_TMOUT=5000 AFL_IGNORE_UNKNOWN_ENVS=1 \
  DOTNET_GCHeapHardLimit=0x40000000

stat() { awk -v k="$1" -F' *: *' '$1 == k {print $2}' "$2"; }

failed=0 total_execs=0 total_crashes=0 total_hangs=0
for t in "${TARGETS[@]}"; do
  dir=$OUT/$t
  mkdir -p "$dir/tmp"
  # Seeds: fresh valid encodings, plus the corpus an earlier run of this target found.
  rm -rf "$dir/seeds" "$dir/crashes" "$dir/hangs"
  if ! dotnet "$PLAIN" "$t" --seeds "$dir/seeds"; then
    failed=1
    continue
  fi
  [ -d "$dir/afl/default/queue" ] && find "$dir/afl/default/queue" -maxdepth 1 -type f -name 'id:*' -exec cp {} "$dir/seeds/" \;
  rm -rf "$dir/afl"
  dotnet "$PLAIN" "$t" --dict "$dir/dict"
  dict=()
  [ -s "$dir/dict" ] && dict=(-x "$dir/dict")
  TMPDIR=$dir/tmp afl-fuzz -i "$dir/seeds" -o "$dir/afl" -t 1000 -m none -V "$SECONDS_EACH" "${dict[@]}" \
    -- dotnet "$BIN/fuzz.dll" "$t" >"$dir/afl.log" 2>&1 || true
  stats=$dir/afl/default/fuzzer_stats
  if [ ! -f "$stats" ]; then
    printf '%-8s did not run; the end of %s:\n' "$t" "$dir/afl.log"
    tail -n 15 "$dir/afl.log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
    failed=1
    continue
  fi
  crashes=$(stat saved_crashes "$stats") hangs=$(stat saved_hangs "$stats") execs=$(stat execs_done "$stats")
  printf '%-8s %4ss  %10s execs  %6.0f/s  corpus %5s (%s new)  edges %4s  crashes %s  hangs %s\n' "$t" \
    "$(stat run_time "$stats")" "$execs" "$(stat execs_per_sec "$stats")" "$(stat corpus_count "$stats")" \
    "$(stat corpus_found "$stats")" "$(stat edges_found "$stats")" "$crashes" "$hangs"
  for kind in crashes hangs; do
    if compgen -G "$dir/afl/default/$kind/id:*" >/dev/null; then
      mkdir -p "$dir/$kind"
      cp "$dir/afl/default/$kind"/id:* "$dir/$kind/"
      echo "         $kind kept in $dir/$kind (replay one: dotnet $PLAIN $t < FILE)"
    fi
  done
  total_execs=$((total_execs + execs)) total_crashes=$((total_crashes + crashes)) total_hangs=$((total_hangs + hangs))
  [ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ] || failed=1
done
echo "$LABEL: ${#TARGETS[@]} targets, $total_execs executions, $total_crashes crashes, $total_hangs hangs$([ $failed -eq 0 ] || echo ' - FAILED')"
exit $failed
